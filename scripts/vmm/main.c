// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - command line of the scenario VMM.
 *
 *   vmm --scenario NAME [--vcpus N] [--rounds N] [--vfio BDF] [--gic 2|3]
 *       [--timeout S] [--wait-ms MS]
 *   vmm --list
 */
#include <errno.h>
#include <execinfo.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "scenario.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmm --scenario NAME [--vcpus N] [--rounds N] [--vfio BDF]\n"
		"           [--gic 2|3] [--timeout S] [--wait-ms MS]\n"
		"       vmm --list\n"
		"Runs one interrupt scenario in a KVM guest and prints one line\n"
		"VT_GROUND_TRUTH scenario=NAME gic=G vcpus=N key=value ...\n"
		"Exit status 0 when the scenario ran as designed.\n");
}

/* async-signal-safe: "name=0x..." of @v on stderr */
static void put_hex(const char *name, unsigned long long v)
{
	char buf[40];
	int i = sizeof(buf);

	buf[--i] = ' ';
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v && i > 2);
	buf[--i] = 'x';
	buf[--i] = '0';
	if (write(2, name, strlen(name)) < 0 ||
	    write(2, buf + i, sizeof(buf) - i) < 0)
		return;
}

/*
 * A crash of the VMM says where it happened (addr2line -e build/arm64/vmm
 * on the addresses), then dies of the same signal: the exit status of a
 * crash stays 128 + signal for the scripts that judge it.
 */
static void crash_handler(int sig, siginfo_t *si, void *ctx)
{
	static const char msg[] = "vmm: fatal signal; ";
	void *frames[32];
	int n;

	if (write(2, msg, sizeof(msg) - 1) < 0)
		return;
	put_hex("sig=", (unsigned long long)sig);
	put_hex("code=", (unsigned long long)(unsigned int)si->si_code);	/* <= 0: sent */
	put_hex("addr=", (unsigned long long)(uintptr_t)si->si_addr);
#ifdef __aarch64__
	put_hex("pc=", (unsigned long long)((ucontext_t *)ctx)->uc_mcontext.pc);
#else
	(void)ctx;
#endif
	if (write(2, "backtrace:\n", 11) < 0)
		return;
	n = backtrace(frames, 32);
	backtrace_symbols_fd(frames, n, 2);
	raise(sig);	/* blocked until we return; a fault would re-fault anyway */
}

static void crash_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
	struct sigaction sa;
	void *frame;
	size_t i;

	backtrace(&frame, 1);	/* the unwinder's set-up, not in the handler */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;	/* returning re-faults, uncaught */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static int parse_uint(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "vmm: %s wants a number in %ld..%ld, not '%s'\n",
			opt, min, max, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "vfio", required_argument, NULL, 'v' },
		{ "gic", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { .timeout_s = 30, .wait_ms = 500 };
	long vcpus = 0, rounds = 0, v;
	int c;

	crash_handlers();
	while ((c = getopt_long(argc, argv, "s:c:r:v:g:t:w:lh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.scen = scenario_find(optarg);
			if (!o.scen) {
				fprintf(stderr, "vmm: unknown scenario '%s' (vmm --list)\n", optarg);
				return 2;
			}
			break;
		case 'c':
			if (parse_uint("--vcpus", optarg, 1, VT_MAX_VCPUS, &vcpus))
				return 2;
			break;
		case 'r':
			if (parse_uint("--rounds", optarg, 1, 100000, &rounds))
				return 2;
			break;
		case 'v':
			o.vfio_bdf = optarg;
			break;
		case 'g':
			if (parse_uint("--gic", optarg, 2, 3, &v))
				return 2;
			o.gic = (int)v;
			break;
		case 't':
			if (parse_uint("--timeout", optarg, 1, 3600, &v))
				return 2;
			o.timeout_s = (unsigned int)v;
			break;
		case 'w':
			if (parse_uint("--wait-ms", optarg, 1, 60000, &v))
				return 2;
			o.wait_ms = (unsigned int)v;
			break;
		case 'l':
			scenario_list();
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmm: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!o.scen) {
		usage(stderr);
		return 2;
	}
	if (o.scen->vfio == VFIO_REQUIRED && !o.vfio_bdf) {
		fprintf(stderr, "vmm: scenario %s needs --vfio BDF (vt-edu-bind)\n", o.scen->name);
		return 2;
	}
	if (o.scen->vfio == VFIO_NEVER && o.vfio_bdf) {
		fprintf(stderr, "vmm: scenario %s does not use VFIO; drop --vfio\n", o.scen->name);
		return 2;
	}
	o.vcpus = vcpus ? (int)vcpus : o.scen->min_vcpus;
	if (o.vcpus < o.scen->min_vcpus) {
		fprintf(stderr, "vmm: scenario %s needs at least %d vCPUs\n", o.scen->name,
			o.scen->min_vcpus);
		return 2;
	}
	o.rounds = rounds ? (int)rounds : o.scen->rounds;
	return scenario_run(&o);
}
