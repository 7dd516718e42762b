// SPDX-License-Identifier: GPL-2.0
/*
 * kvm.c - VM and vCPU lifecycle: /dev/kvm, guest RAM with the embedded
 * guest image, one thread per vCPU running KVM_RUN and dispatching MMIO
 * exits, and a time-limited wait for the guest to finish.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

/* this vCPU thread's kvm_run while it may enter KVM_RUN, else NULL */
static __thread struct kvm_run *volatile this_run;

/*
 * SIGUSR1 (vm_kick_all) only ever runs this on a vCPU thread: the other
 * threads block it (vm_start), and a thread clears this_run before it
 * leaves, so the handler never touches a kvm_run that is going away.
 */
static void kick_handler(int sig)
{
	struct kvm_run *run = this_run;

	(void)sig;
	if (run)
		run->immediate_exit = 1;
}

/* a core register of @v, or ~0 when KVM does not give it */
static uint64_t core_reg(const struct vcpu *v, uint64_t off)
{
	uint64_t val = ~0ULL;
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | off,
		.addr = (uint64_t)(uintptr_t)&val,
	};

	if (ioctl(v->fd, KVM_GET_ONE_REG, &reg) < 0)
		return ~0ULL;
	return val;
}

/*
 * Where the guest was when its vCPU stopped for a reason the VMM does not
 * handle: enough to find the guest instruction with objdump of the image.
 */
static void vcpu_dump(const struct vcpu *v)
{
	fprintf(stderr, "vmm: vCPU %d: guest pc %#llx sp %#llx lr %#llx pstate %#llx\n",
		v->id,
		(unsigned long long)core_reg(v, KVM_REG_ARM_CORE_REG(regs.pc)),
		(unsigned long long)core_reg(v, KVM_REG_ARM_CORE_REG(sp_el1)),
		(unsigned long long)core_reg(v, KVM_REG_ARM_CORE_REG(regs.regs[30])),
		(unsigned long long)core_reg(v, KVM_REG_ARM_CORE_REG(regs.pstate)));
}

static int vcpu_create(struct vm *vm, struct vcpu *v, int id,
		       const struct kvm_vcpu_init *init)
{
	uint64_t pc = VT_RAM_BASE;
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		      KVM_REG_ARM_CORE_REG(regs.pc),
		.addr = (uint64_t)(uintptr_t)&pc,
	};

	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		return -errno;
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, init) < 0)
		return -errno;
	if (ioctl(v->fd, KVM_SET_ONE_REG, &reg) < 0)
		return -errno;
	v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return -errno;
	}
	return 0;
}

/**
 * vm_create() - open KVM, create a VM with guest RAM and @nr_vcpus vCPUs.
 * @vm:       zeroed struct to fill
 * @nr_vcpus: 1..VT_MAX_VCPUS
 * @gic:      2 or 3 (the vgic itself is created by vgic_create())
 *
 * Return: 0 or a negative errno (with a message on stderr).
 */
int vm_create(struct vm *vm, int nr_vcpus, int gic)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_vcpu_init init;
	int i, ret;

	vm->vgic_fd = -1;
	vm->gic = gic;
	vm->nr_vcpus = nr_vcpus;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->cond, NULL);
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		ret = -errno;
		fprintf(stderr, "vmm: /dev/kvm: %s\n", strerror(errno));
		return ret;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = -errno;
		fprintf(stderr, "vmm: KVM_CREATE_VM: %s\n", strerror(errno));
		return ret;
	}
	/*
	 * A guest access KVM cannot decode (no ISV, e.g. ldp/stp outside
	 * RAM) exits with its address instead of failing KVM_RUN with a bare
	 * ENOSYS; kernels without the capability keep the ENOSYS.
	 */
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_NISV_TO_USER) > 0) {
		struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_NISV_TO_USER };

		if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
			fprintf(stderr, "vmm: KVM_CAP_ARM_NISV_TO_USER: %s\n", strerror(errno));
	}
	ret = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		return -errno;
	vm->run_size = ret;

	vm->mem = mmap(NULL, VT_RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		return -errno;
	}
	region.slot = 0;
	region.guest_phys_addr = VT_RAM_BASE;
	region.memory_size = VT_RAM_SIZE;
	region.userspace_addr = (uint64_t)(uintptr_t)vm->mem;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		ret = -errno;
		fprintf(stderr, "vmm: KVM_SET_USER_MEMORY_REGION: %s\n", strerror(errno));
		return ret;
	}
	vm->sh = (struct vt_shared *)((char *)vm->mem + (VT_SHARED_ADDR - VT_RAM_BASE));

	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		ret = -errno;
		fprintf(stderr, "vmm: KVM_ARM_PREFERRED_TARGET: %s\n", strerror(errno));
		return ret;
	}
	for (i = 0; i < nr_vcpus; i++) {
		ret = vcpu_create(vm, &vm->vcpu[i], i, &init);
		if (ret) {
			fprintf(stderr, "vmm: vCPU %d: %s\n", i, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/** vm_load_guest() - copy the embedded guest image to the start of RAM. */
int vm_load_guest(struct vm *vm)
{
	size_t len = (size_t)(vt_guest_end - vt_guest_start);

	if (len == 0 || len > VT_STACK_TOP - VT_STACK_SIZE * VT_MAX_VCPUS - VT_RAM_BASE) {
		fprintf(stderr, "vmm: BUG: guest image of %zu bytes does not fit\n", len);
		return -E2BIG;
	}
	memcpy(vm->mem, vt_guest_start, len);
	return 0;
}

/**
 * vm_kick_all() - make every vCPU thread leave KVM_RUN and see vm->stop.
 *
 * Only threads that have not left are signalled, under vm->lock: a
 * thread is joined only after it left, so no signal goes to a joined
 * (freed) thread. Callers must not hold vm->lock.
 */
void vm_kick_all(struct vm *vm)
{
	int i;

	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpu[i].live)
			pthread_kill(vm->vcpu[i].thread, SIGUSR1);
	pthread_mutex_unlock(&vm->lock);
}

static void vcpu_leave(struct vcpu *v)
{
	struct vm *vm = v->vm;

	this_run = NULL;
	pthread_mutex_lock(&vm->lock);
	v->live = 0;
	vm->vcpus_left--;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	struct kvm_run *run = v->run;
	sigset_t kick;
	int ret;

	this_run = run;
	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	while (!vm->stop) {
		ret = ioctl(v->fd, KVM_RUN, 0);
		if (ret < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				run->immediate_exit = 0;
				continue;
			}
			v->err = -errno;
			fprintf(stderr, "vmm: vCPU %d: KVM_RUN: %s\n", v->id, strerror(errno));
			vcpu_dump(v);
			break;
		}
		if (run->exit_reason == KVM_EXIT_MMIO) {
			ret = dev_mmio(v, run->mmio.phys_addr, run->mmio.data,
				       run->mmio.len, run->mmio.is_write);
			if (ret < 0) {
				v->err = ret;
				fprintf(stderr, "vmm: vCPU %d: MMIO %s of %u bytes at %#llx: %s\n",
					v->id, run->mmio.is_write ? "write" : "read",
					run->mmio.len, (unsigned long long)run->mmio.phys_addr,
					strerror(-ret));
			}
			if (ret)
				break;
		} else if (run->exit_reason == KVM_EXIT_ARM_NISV) {
			/* an access KVM cannot decode: no device of ours is there */
			fprintf(stderr, "vmm: vCPU %d: data abort without syndrome at IPA %#llx (ESR ISS %#llx)\n",
				v->id, (unsigned long long)run->arm_nisv.fault_ipa,
				(unsigned long long)run->arm_nisv.esr_iss);
			vcpu_dump(v);
			v->err = -EFAULT;
			break;
		} else if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT) {
			/* the guest has no PSCI calls: say which one it made */
			fprintf(stderr, "vmm: vCPU %d: system event %u (PSCI off/reset/crash)\n",
				v->id, run->system_event.type);
			break;
		} else {
			fprintf(stderr, "vmm: vCPU %d: unexpected exit reason %u\n",
				v->id, run->exit_reason);
			vcpu_dump(v);
			v->err = -EIO;
			break;
		}
	}
	vcpu_leave(v);
	return NULL;
}

/**
 * vm_start() - start one thread per vCPU.
 *
 * SIGUSR1 is blocked in the calling thread (and so in every thread it
 * creates later, the resample thread too); vCPU threads unblock it.
 */
int vm_start(struct vm *vm)
{
	struct sigaction sa;
	sigset_t kick;
	pthread_t t;
	int i, ret;

	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &kick, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;	/* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return -errno;
	pthread_mutex_lock(&vm->lock);
	vm->vcpus_left = vm->nr_vcpus;
	for (i = 0; i < vm->nr_vcpus; i++) {
		/* live and thread are set before the thread can be kicked */
		ret = pthread_create(&t, NULL, vcpu_thread, &vm->vcpu[i]);
		if (ret) {
			vm->stop = 1;
			vm->vcpus_left -= vm->nr_vcpus - i;
			pthread_mutex_unlock(&vm->lock);
			vm_kick_all(vm);
			return -ret;
		}
		vm->vcpu[i].thread = t;
		vm->vcpu[i].live = 1;
	}
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

static int wait_left(struct vm *vm, unsigned int ms)
{
	struct timespec ts;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&vm->lock);
	while (vm->vcpus_left > 0 && ret == 0)
		ret = pthread_cond_timedwait(&vm->cond, &vm->lock, &ts);
	ret = vm->vcpus_left > 0 ? -ETIMEDOUT : 0;
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

/**
 * vm_wait() - wait for every vCPU to leave, at most @timeout_ms.
 *
 * On timeout the vCPUs are stopped and -ETIMEDOUT returned. Threads are
 * joined either way.
 */
int vm_wait(struct vm *vm, unsigned int timeout_ms)
{
	int i, ret, tries;

	ret = wait_left(vm, timeout_ms);
	if (ret) {
		vm->stop = 1;
		for (tries = 0; tries < 100 && wait_left(vm, 20); tries++)
			vm_kick_all(vm);
	}
	if (vm->vcpus_left > 0) {
		fprintf(stderr, "vmm: vCPU threads do not stop\n");
		return -EDEADLK;
	}
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpu[i].thread)
			pthread_join(vm->vcpu[i].thread, NULL);
	return ret;
}

/** vm_destroy() - release what vm_create() set up. */
void vm_destroy(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpu[i].run)
			munmap(vm->vcpu[i].run, vm->run_size);
		if (vm->vcpu[i].fd > 0)
			close(vm->vcpu[i].fd);
	}
	if (vm->vgic_fd >= 0)
		close(vm->vgic_fd);
	if (vm->vm_fd > 0)
		close(vm->vm_fd);
	if (vm->kvm_fd > 0)
		close(vm->kvm_fd);
	if (vm->mem)
		munmap(vm->mem, VT_RAM_SIZE);
}
