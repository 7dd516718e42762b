// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - x86vmm: run N irqfd/resample rounds and print the ground truth
 *
 *   VT_GROUND_TRUTH scenario=x86-pic-resample pid=P rounds=N triggers=T
 *     resamples=R guest_irqs=G timeouts=O elapsed_ns=E
 *
 * Each round writes the trigger eventfd (KVM asserts GSI 5), waits for
 * the resamplefd (guest EOI -> ack -> resampler de-asserts and signals),
 * and only then triggers again, as VFIO INTx re-asserts after unmask.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "x86vmm.h"

static atomic_int ready, stop, vcpu_err;

static void on_usr1(int sig)
{
	(void)sig;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void *vcpu_thread(void *arg)
{
	struct vmm *v = arg;
	struct kvm_run *run = v->run;

	while (!atomic_load(&stop)) {
		if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "x86vmm: KVM_RUN: %s\n", strerror(errno));
			atomic_store(&vcpu_err, 1);
			return NULL;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.port == VMM_READY_PORT)
				atomic_store(&ready, 1);
			break;
		case KVM_EXIT_INTR:
			break;
		default:
			fprintf(stderr, "x86vmm: unexpected exit %u\n", run->exit_reason);
			atomic_store(&vcpu_err, 1);
			return NULL;
		}
	}
	return NULL;
}

static int parse_rounds(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || *out == 0 || *out > 100000000ul) {
		fprintf(stderr, "x86vmm: --rounds: bad number '%s'\n", s);
		return -EINVAL;
	}
	return 0;
}

/* one round; returns 1 on resample, 0 on timeout, -errno on error */
static int round_trip(struct vmm *v, uint64_t *resamples)
{
	struct pollfd p = { .fd = v->rfd, .events = POLLIN };
	uint64_t one = 1, val;
	int r;

	if (write(v->efd, &one, sizeof(one)) != sizeof(one))
		return -errno;
	r = poll(&p, 1, 1000);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	if (read(v->rfd, &val, sizeof(val)) != sizeof(val))
		return -errno;
	*resamples += val;
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t triggers = 0, resamples = 0, timeouts = 0, t0 = 0, t1 = 0;
	unsigned long rounds = 1000, i;
	struct sigaction sa;
	struct vmm v = { 0 };
	pthread_t th;
	uint32_t guest;
	int c, r, ret = 1;

	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_rounds(optarg, &rounds))
				return 2;
			break;
		case 'h':
			printf("usage: x86vmm [--rounds N]   (default 1000)\n");
			return 0;
		default:
			return 2;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	if (vmm_create(&v) || vmm_irqfd(&v))
		goto out;
	if (pthread_create(&th, NULL, vcpu_thread, &v)) {
		fprintf(stderr, "x86vmm: pthread_create failed\n");
		goto out;
	}
	for (i = 0; i < 5000 && !atomic_load(&ready) && !atomic_load(&vcpu_err); i++)
		usleep(1000);
	if (!atomic_load(&ready)) {
		fprintf(stderr, "x86vmm: guest never became ready\n");
		goto stop;
	}
	t0 = now_ns();
	for (i = 0; i < rounds && !atomic_load(&vcpu_err); i++) {
		triggers++;
		r = round_trip(&v, &resamples);
		if (r < 0) {
			fprintf(stderr, "x86vmm: round %lu: %s\n", i, strerror(-r));
			break;
		}
		if (r == 0 && ++timeouts > 3) {
			fprintf(stderr, "x86vmm: no resample for 3 rounds, giving up\n");
			break;
		}
	}
	t1 = now_ns();
	ret = (i == rounds && !timeouts) ? 0 : 1;
stop:
	atomic_store(&stop, 1);
	((struct kvm_run *)v.run)->immediate_exit = 1;
	pthread_kill(th, SIGUSR1);
	pthread_join(th, NULL);
	if (ret == 0 || atomic_load(&ready)) {
		memcpy(&guest, v.mem + VMM_COUNT_GPA, sizeof(guest));
		printf("VT_GROUND_TRUTH scenario=x86-pic-resample pid=%d rounds=%lu triggers=%llu resamples=%llu guest_irqs=%u timeouts=%llu elapsed_ns=%llu start_ns=%llu\n",
		       getpid(), rounds, (unsigned long long)triggers,
		       (unsigned long long)resamples, guest,
		       (unsigned long long)timeouts,
		       (unsigned long long)(ret == 0 ? t1 - t0 : 0),
		       (unsigned long long)t0);
	}
out:
	vmm_destroy(&v);
	return ret;
}
