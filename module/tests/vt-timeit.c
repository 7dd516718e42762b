// SPDX-License-Identifier: GPL-2.0
/*
 * vt-timeit - run a command, print its wall time.
 *
 * Usage: vt-timeit LABEL COMMAND [ARGS...]
 * Prints "VT_TIME label=LABEL ns=N rc=R" on stderr; exit status is the
 * command's (127 if it cannot be run).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long long t0, t1;
	int status, rc;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "Usage: vt-timeit LABEL COMMAND [ARGS...]\n");
		return 2;
	}
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("vt-timeit: fork");
		return 2;
	}
	if (!pid) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "vt-timeit: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("vt-timeit: waitpid");
		return 2;
	}
	t1 = now_ns();
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(stderr, "VT_TIME label=%s ns=%llu rc=%d\n", argv[1], t1 - t0, rc);
	return rc;
}
