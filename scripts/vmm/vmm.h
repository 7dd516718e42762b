/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm.h - the scenario VMM: a minimal KVM/arm64 VMM whose guest drives
 * level SPIs through KVM irqfds with resample (a VMM-emulated device, or
 * QEMU's edu device passed through with VFIO) and counts ground truth.
 */
#ifndef VT_VMM_H
#define VT_VMM_H

#include <pthread.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "guest/shared.h"

struct vm;

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int live;		/* thread started, not left yet (vm->lock) */
	int err;		/* negative errno or 0 */
};

/* One interrupt line: SPI 32 + index, gsi index */
struct line {
	int trigger_fd;		/* KVM irqfd (edu: also the VFIO trigger) */
	int resample_fd;	/* resamplefd (edu: the VFIO unmask eventfd) */
	int asserted;		/* VMM device: line level at the device */
	uint32_t raise;		/* device raise writes seen */
	uint32_t ack;		/* device ack writes seen */
	uint32_t trigger;	/* writes to trigger_fd */
	uint32_t retrigger;	/* of those, after a resample found it asserted */
	uint64_t resample;	/* resamplefd notifications read */
};

struct vfio_dev;

struct vm {
	int kvm_fd;
	int vm_fd;
	int vgic_fd;
	int gic;		/* 2 or 3 */
	int nr_vcpus;
	int nr_lines;
	int resample;		/* register irqfds with a resamplefd */
	int mem_ack;		/* the guest acks the device with no exit */
	long edu_status;	/* edu IRQ status after the run (-1: unknown) */
	size_t run_size;
	void *mem;
	struct vt_shared *sh;
	struct vcpu vcpu[VT_MAX_VCPUS];
	struct line line[VT_MAX_LINES];
	struct vfio_dev *vfio;	/* edu through VFIO, or NULL */

	pthread_mutex_t lock;	/* device state, counters, vcpus_left */
	pthread_cond_t cond;
	int vcpus_left;
	volatile int stop;
	uint32_t guest_fail;	/* code the guest wrote to VT_DEV_FAIL */
	uint32_t guest_esr;
	int stop_pipe[2];	/* wakes the resample thread */
	pthread_t resample_thread;
};

/* kvm.c */
int vm_create(struct vm *vm, int nr_vcpus, int gic);
int vm_load_guest(struct vm *vm);
int vm_start(struct vm *vm);
int vm_wait(struct vm *vm, unsigned int timeout_ms);
void vm_kick_all(struct vm *vm);
void vm_destroy(struct vm *vm);

/* vgic.c */
int vgic_create(struct vm *vm, int nr_spis);
int vgic_init(struct vm *vm);

/* irqfd.c */
int line_setup(struct vm *vm, int idx, int trigger_fd, int resample_fd);
int line_trigger(struct vm *vm, int idx);
int resample_thread_start(struct vm *vm);
void resample_thread_stop(struct vm *vm);

/* dev.c */
int dev_mmio(struct vcpu *vcpu, uint64_t addr, uint8_t *data, int len, int is_write);

/* vfio.c */
struct vfio_dev *vfio_open(const char *bdf);
void vfio_close(struct vfio_dev *v);
int vfio_setup_intx(struct vm *vm, struct vfio_dev *v, int resample);
int vfio_mmio(struct vm *vm, uint64_t off, uint8_t *data, int len, int is_write);
long vfio_host_irqs(struct vfio_dev *v);
int vfio_map_bar(struct vm *vm, struct vfio_dev *v);
long vfio_edu_status(struct vfio_dev *v);
int vfio_nointxmask(void);

extern const unsigned char vt_guest_start[];
extern const unsigned char vt_guest_end[];

#endif /* VT_VMM_H */
