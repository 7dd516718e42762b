// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rusage.c - vt-bench-rusage TIMEOUT_S CMD [ARGS...]: run a command,
 * print "CPU_SECONDS MAXRSS_KIB EXIT" (user + system time of the child
 * at microsecond resolution, from wait4's rusage; /usr/bin/time rounds
 * to 10 ms). The child's stdout and stderr go to /dev/null. After
 * TIMEOUT_S seconds the child is killed and "T 0 124" printed.
 */
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t pid;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	kill(pid, SIGKILL);
}

int main(int argc, char **argv)
{
	struct rusage ru;
	int status, fd;

	if (argc < 3) {
		fprintf(stderr, "usage: vt-bench-rusage TIMEOUT_S CMD [ARGS...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (!pid) {
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	signal(SIGALRM, on_alarm);
	alarm((unsigned int)atoi(argv[1]));
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno == EINTR)
			continue;
		perror("wait4");
		return 2;
	}
	if (timed_out) {
		printf("T 0 124\n");
		return 0;
	}
	printf("%.6f %ld %d\n",
	       ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
	       ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
