// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * readlib.c - the library's reader alone for `make bench`: every record
 * of FILE through vt_reader_open()/vt_reader_next() (chunk CRC, record
 * validation, format 2 decode), summing the record types. The gap to the
 * read-and-sum limit is the reader's cost; the gap from here to `check`
 * is the engine's.
 */
#include <stdio.h>
#include "vt_tracefile.h"

int main(int argc, char **argv)
{
	const struct vt_hdr *rec;
	struct vt_reader *r;
	unsigned long long n = 0, sum = 0;
	char msg[200];
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: vt-bench-readlib FILE\n");
		return 2;
	}
	ret = vt_reader_open(argv[1], &r, msg, sizeof(msg));
	if (ret) {
		fprintf(stderr, "%s: %s\n", argv[1], msg);
		return 2;
	}
	while ((ret = vt_reader_next(r, &rec)) > 0) {
		sum += rec->type + rec->ts_ns;
		n++;
	}
	printf("%llu records, sum %llx: %s\n", n, sum,
	       vt_reader_status(r)->msg);
	vt_reader_close(r);
	return ret < 0 ? 1 : 0;
}
