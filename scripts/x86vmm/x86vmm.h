/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86vmm.h - a tiny x86 VMM for the live resample test: in-kernel
 * irqchip, a real-mode guest driving the 8259 PIC with IRQ5 level
 * (ELCR), KVM_IRQFD + KVM_IRQFD_FLAG_RESAMPLE on GSI 5, re-triggered on
 * each resamplefd notification as VFIO INTx does. Ground truth is
 * counted here (triggers, resamples) and by the guest (handler runs).
 */
#ifndef X86VMM_H
#define X86VMM_H

#include <stdint.h>

#define VMM_MEM_SIZE	0x100000	/* 1 MiB of guest RAM at GPA 0 */
#define VMM_CODE_GPA	0x1000		/* guest entry */
#define VMM_HANDLER_GPA	0x1100		/* IRQ5 handler */
#define VMM_COUNT_GPA	0x600		/* u32: handler runs, written by the guest */
#define VMM_READY_PORT	0x501		/* guest writes here when set up */
#define VMM_GSI		5

struct vmm {
	int kvm, vm, vcpu;
	uint8_t *mem;
	void *run;		/* struct kvm_run */
	int run_size;
	int efd, rfd;		/* irqfd trigger, resamplefd */
};

/* guest.c */
void vmm_load_guest(uint8_t *mem);

/* kvm.c */
int vmm_create(struct vmm *v);
int vmm_irqfd(struct vmm *v);
void vmm_destroy(struct vmm *v);

#endif /* X86VMM_H */
