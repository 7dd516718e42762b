// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * syscalls.c - make N cheap traced events for the trace-cmd column of
 * `make bench`: N getppid() system calls (trace-cmd records the
 * syscalls:sys_enter_getppid tracepoint of this process only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long long n, i;

	if (argc != 2 || !(n = strtoull(argv[1], NULL, 10))) {
		fprintf(stderr, "usage: vt-bench-syscalls N\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}
