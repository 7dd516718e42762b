/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shared.h - memory map and the page shared between the scenario VMM and
 * its guest. Included by both sides: fixed-width types and #defines only.
 *
 * The guest counts what it did (interrupts taken, EOIs, deactivations,
 * ICACTIVER/ICPENDR writes) in struct vt_shared; the VMM counts what it saw
 * (device raises and acks, eventfd triggers, resamplefd notifications) on
 * its own side and publishes resample counts here so that the guest can
 * pace its rounds on them.
 */
#ifndef VT_VMM_SHARED_H
#define VT_VMM_SHARED_H

#ifdef __ASSEMBLER__
#define VT_UL(x)			x
#else
#define VT_UL(x)			x##UL
typedef unsigned int vt_u32;
typedef unsigned long long vt_u64;
#endif

/* Guest physical memory map */
#define VT_RAM_BASE		VT_UL(0x40000000)
#define VT_RAM_SIZE		VT_UL(0x00200000)	/* 2 MiB */
#define VT_STACK_TOP		(VT_RAM_BASE + VT_UL(0x00120000))
#define VT_STACK_SIZE		VT_UL(0x4000)	/* per vCPU */
#define VT_SHARED_ADDR		(VT_RAM_BASE + VT_UL(0x00180000))
#define VT_GICD_BASE		VT_UL(0x08000000)
#define VT_GICC_BASE		VT_UL(0x08010000)	/* GICv2 CPU interface */
#define VT_GICR_BASE		VT_UL(0x080a0000)	/* GICv3 redistributors */
#define VT_DEV_BASE		VT_UL(0x0a000000)	/* VMM-emulated level device */
#define VT_DEV_SIZE		VT_UL(0x1000)
#define VT_EDU_BASE		VT_UL(0x10000000)	/* edu BAR0 through VFIO */
#define VT_EDU_SIZE		VT_UL(0x00100000)

/* VMM-emulated device registers (32-bit, write unless noted) */
#define VT_DEV_RAISE		0x00	/* value: line; assert it */
#define VT_DEV_ACK		0x04	/* value: line; deassert it */
#define VT_DEV_DONE		0x08	/* value: vcpu id; vCPU leaves */
#define VT_DEV_PUTC		0x0c	/* value: character (debug) */
#define VT_DEV_FAIL		0x10	/* value: error code, vCPU leaves */
#define VT_DEV_ESR		0x14	/* value: ESR of an unexpected exception */

/* edu (QEMU hw/misc/edu.c) BAR0 registers */
#define VT_EDU_IRQ_STATUS	0x24
#define VT_EDU_IRQ_RAISE	0x60
#define VT_EDU_IRQ_ACK		0x64

#define VT_MAX_VCPUS		4
#define VT_MAX_LINES		8
#define VT_FIRST_SPI		32	/* line n is SPI 32 + n, gsi n */

/*
 * A line that KVM keeps high re-delivers without end; the guest disables
 * the SPI after this many interrupts (no-resample).
 */
#define VT_REDELIVERY_CAP	100

/*
 * mem-ack, vfio-mmap: deliveries the guest's device does not account for
 * (the device already acked) after which the guest disables the SPI.
 */
#define VT_PHANTOM_CAP		20000

#define VT_SHARED_MAGIC		0x56544753	/* "VTGS" */

#ifndef __ASSEMBLER__
/* Guest-side scenario ids (the VMM's table maps names to these) */
enum vt_guest_scenario {
	VT_GS_HEALTHY = 1,
	VT_GS_NO_RESAMPLE,
	VT_GS_GUEST_NO_EOI,
	VT_GS_ICACTIVER,
	VT_GS_ICPENDR,
	VT_GS_STORM,
	VT_GS_LR_OVERFLOW,
	VT_GS_MIGRATE,
	VT_GS_MEM_ACK,
};

#endif

/* vt_shared.flags */
#define VT_FLAG_EDU		0x1	/* the device is edu (VFIO), not the VMM's */
#define VT_FLAG_ASCENDING	0x2	/* lr-overflow: deactivate 32..37 upwards */

/* vt_shared.status, written last by vCPU 0 */
#define VT_STATUS_RUNNING	0
#define VT_STATUS_DONE		1
#define VT_STATUS_SETUP_FAIL	2	/* a precondition of the scenario never held */
#define VT_STATUS_EXCEPTION	3

#ifndef __ASSEMBLER__
struct vt_cpu_counts {
	vt_u32 taken;		/* IAR returned a valid SPI */
	vt_u32 eoi;		/* EOIR writes */
	vt_u32 dir;		/* DIR writes */
	vt_u32 icactiver;	/* GICD_ICACTIVER writes */
	vt_u32 icpendr;		/* GICD_ICPENDR writes */
	vt_u32 spurious;	/* IAR returned 1020..1023 */
	vt_u32 retarget;	/* GICD_IROUTER/ITARGETSR writes */
	vt_u32 device_ack;	/* ack writes to the device */
	vt_u32 taken_line[VT_MAX_LINES];
	vt_u32 ready;		/* CPU interface set up, IRQs unmasked */
	vt_u32 pad[7];
};

struct vt_shared {
	vt_u32 magic;
	/* set by the VMM before the first KVM_RUN */
	vt_u32 scenario;
	vt_u32 rounds;
	vt_u32 nr_vcpus;
	vt_u32 gic;		/* 2 or 3 */
	vt_u32 nr_lines;
	vt_u32 flags;
	vt_u32 wait_ms;		/* how long the guest waits for an event */
	/* written by the VMM while the guest runs */
	volatile vt_u32 resample[VT_MAX_LINES];
	/* written by the guest */
	volatile vt_u32 status;
	volatile vt_u32 stop;	/* vCPU 0 tells the others to leave */
	vt_u32 raise;		/* device raise writes */
	vt_u32 missed;		/* waits for an interrupt that timed out */
	vt_u32 missed_resample;	/* waits for a resample that timed out */
	vt_u32 still_pending;	/* icpendr: ISPENDR still set after ICPENDR */
	vt_u32 active_after;	/* lr-overflow: GICD_ISACTIVER1 after the DIRs */
	vt_u32 resample_mask;	/* lr-overflow: lines resampled after the DIRs */
	vt_u32 post_taken;	/* lr-overflow: interrupts taken after re-raise */
	vt_u32 post_mask;	/* lr-overflow: lines taken after re-raise */
	vt_u32 fail_line;	/* guest source line of a setup failure */
	/*
	 * mem-ack (VMM device): the device's ack register is this word of
	 * guest RAM, so an ack is a plain store with no exit; the guest
	 * writes the number of the last raise it acked, the VMM reads it.
	 */
	volatile vt_u32 mem_ack;
	volatile vt_u32 round;	/* mem-ack, vfio-mmap: raises made so far */
	vt_u32 phantom;		/* deliveries with the device not asserting */
	vt_u32 pad[2];
	struct vt_cpu_counts cpu[VT_MAX_VCPUS];
};

#endif /* __ASSEMBLER__ */

#endif /* VT_VMM_SHARED_H */
