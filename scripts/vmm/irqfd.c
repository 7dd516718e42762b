// SPDX-License-Identifier: GPL-2.0
/*
 * irqfd.c - level lines into the guest: a KVM irqfd per line (gsi n = SPI
 * 32 + n), optionally with a resamplefd, and the thread that reads the
 * resamplefds the VMM owns, counts every notification, publishes the count
 * to the guest and re-triggers a line the device still asserts.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"

/**
 * line_setup() - register @trigger_fd as irqfd for line @idx.
 * @resample_fd: resamplefd, or -1 for an irqfd without resample
 *
 * Return: 0 or a negative errno.
 */
int line_setup(struct vm *vm, int idx, int trigger_fd, int resample_fd)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)trigger_fd,
		.gsi = (uint32_t)idx,
	};
	int ret;

	if (resample_fd >= 0) {
		irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = (uint32_t)resample_fd;
	}
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0) {
		ret = -errno;
		fprintf(stderr, "vmm: KVM_IRQFD gsi %d: %s\n", idx, strerror(errno));
		return ret;
	}
	vm->line[idx].trigger_fd = trigger_fd;
	vm->line[idx].resample_fd = resample_fd;
	return 0;
}

/** line_trigger() - signal line @idx's irqfd. Caller holds vm->lock. */
int line_trigger(struct vm *vm, int idx)
{
	uint64_t one = 1;

	if (write(vm->line[idx].trigger_fd, &one, sizeof(one)) != sizeof(one))
		return -errno;
	vm->line[idx].trigger++;
	return 0;
}

static void resample_one(struct vm *vm, int idx)
{
	struct line *l = &vm->line[idx];
	uint64_t val;

	if (read(l->resample_fd, &val, sizeof(val)) != sizeof(val))
		return;	/* EAGAIN: nothing new */
	pthread_mutex_lock(&vm->lock);
	l->resample += val;
	vm->sh->resample[idx] = (uint32_t)l->resample;
	if (vm->mem_ack)	/* the ack register is a word of guest RAM */
		l->asserted = vm->sh->mem_ack < l->raise;
	if (l->asserted) {
		/* a level device still asserting: raise it again */
		if (line_trigger(vm, idx) == 0)
			l->retrigger++;
	}
	pthread_mutex_unlock(&vm->lock);
}

static void *resample_thread(void *arg)
{
	struct vm *vm = arg;
	struct pollfd pfd[VT_MAX_LINES + 1];
	int idx[VT_MAX_LINES];
	int n = 0, i;

	for (i = 0; i < vm->nr_lines; i++) {
		if (vm->line[i].resample_fd < 0 || vm->vfio)
			continue;
		pfd[n].fd = vm->line[i].resample_fd;
		pfd[n].events = POLLIN;
		idx[n++] = i;
	}
	pfd[n].fd = vm->stop_pipe[0];
	pfd[n].events = POLLIN;
	for (;;) {
		if (poll(pfd, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "vmm: poll: %s\n", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++)
			if (pfd[i].revents & POLLIN)
				resample_one(vm, idx[i]);
		if (pfd[n].revents)
			break;
	}
	/* drain what arrived at the very end */
	for (i = 0; i < n; i++)
		resample_one(vm, idx[i]);
	return NULL;
}

/**
 * resample_thread_start() - read the VMM's resamplefds in a thread. With
 * VFIO the unmask eventfd belongs to vfio-pci and is not read here.
 */
int resample_thread_start(struct vm *vm)
{
	int ret;

	if (pipe(vm->stop_pipe) < 0)
		return -errno;
	ret = pthread_create(&vm->resample_thread, NULL, resample_thread, vm);
	return -ret;
}

/** resample_thread_stop() - stop and join the resample thread. */
void resample_thread_stop(struct vm *vm)
{
	char c = 1;
	ssize_t n;

	do
		n = write(vm->stop_pipe[1], &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		/* the thread still reads guest RAM: never unmap it under it */
		fprintf(stderr, "vmm: cannot stop the resample thread: %s\n", strerror(errno));
		abort();
	}
	pthread_join(vm->resample_thread, NULL);
	close(vm->stop_pipe[0]);
	close(vm->stop_pipe[1]);
}
