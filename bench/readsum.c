// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * readsum.c - the read-and-touch limit of `make bench`: read FILE in
 * 1 MiB blocks and sum its 64-bit words. No analysis can read a trace
 * faster than this on the same machine.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static uint64_t buf[(1u << 20) / 8];
	uint64_t sum = 0, bytes = 0;
	ssize_t n;
	size_t i;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: vt-bench-readsum FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (n % 8)
			memset((char *)buf + n, 0, 8 - n % 8);
		for (i = 0; i < ((size_t)n + 7) / 8; i++)
			sum += buf[i];
		bytes += (uint64_t)n;
	}
	if (n < 0) {
		perror("read");
		return 2;
	}
	close(fd);
	printf("%llu bytes, sum %016llx\n", (unsigned long long)bytes,
	       (unsigned long long)sum);
	return 0;
}
