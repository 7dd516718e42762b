// SPDX-License-Identifier: GPL-2.0
/*
 * kvm.c - VM, in-kernel irqchip, memory, one real-mode vCPU, irqfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "x86vmm.h"

static int fail(const char *what)
{
	int err = -errno;

	fprintf(stderr, "x86vmm: %s: %s\n", what, strerror(errno));
	return err;
}

/**
 * vmm_create() - create the VM with its irqchip, RAM and vCPU 0
 * @v:		zeroed state
 *
 * Return: 0 or -errno (message printed).
 */
int vmm_create(struct vmm *v)
{
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	v->kvm = v->vm = v->vcpu = v->efd = v->rfd = -1;
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		return fail("/dev/kvm");
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		return fail("KVM_CREATE_VM");
	/* needed by VMX for real mode; harmless elsewhere */
	ioctl(v->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	if (ioctl(v->vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("KVM_CREATE_IRQCHIP");
	v->mem = mmap(NULL, VMM_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v->mem == MAP_FAILED) {
		v->mem = NULL;
		return fail("mmap guest memory");
	}
	vmm_load_guest(v->mem);
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = VMM_MEM_SIZE;
	region.userspace_addr = (unsigned long)v->mem;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	v->run_size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (v->run_size <= 0)
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return fail("mmap kvm_run");
	}
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = VMM_CODE_GPA;
	regs.rflags = 0x2;
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");
	return 0;
}

/**
 * vmm_irqfd() - trigger eventfd + resamplefd on GSI VMM_GSI
 * @v:		VM
 *
 * Return: 0 or -errno.
 */
int vmm_irqfd(struct vmm *v)
{
	struct kvm_irqfd irqfd;

	v->efd = eventfd(0, EFD_CLOEXEC);
	v->rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->efd < 0 || v->rfd < 0)
		return fail("eventfd");
	memset(&irqfd, 0, sizeof(irqfd));
	irqfd.fd = v->efd;
	irqfd.gsi = VMM_GSI;
	irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
	irqfd.resamplefd = v->rfd;
	if (ioctl(v->vm, KVM_IRQFD, &irqfd) < 0)
		return fail("KVM_IRQFD");
	return 0;
}

/**
 * vmm_destroy() - release everything (safe on a partly created VM)
 * @v:		VM
 */
void vmm_destroy(struct vmm *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->mem)
		munmap(v->mem, VMM_MEM_SIZE);
	if (v->efd >= 0)
		close(v->efd);
	if (v->rfd >= 0)
		close(v->rfd);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->kvm >= 0)
		close(v->kvm);
}
