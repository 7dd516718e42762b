/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR BSD-2-Clause */
/*
 * vgic_trace_abi.h - the one record format shared by the kernel module,
 * the BPF programs and userspace.
 *
 * Rules (see README "ABI"):
 *  - fixed-width __u / __s types only, explicit padding, no pointers;
 *  - every record starts with struct vt_hdr (type + total size);
 *  - records are 8-byte aligned in size;
 *  - a new field goes at the end of a record and bumps VT_ABI_MINOR;
 *    a changed layout bumps VT_ABI_MAJOR;
 *  - every side checks sizes with VT_ABI_STATIC_CHECKS().
 *
 * VM identity is never a kernel pointer: vm_id is the tgid of the VMM
 * process that created the VM (kvm->userspace_pid). Eventfd identities
 * used to link VFIO to irqfd are keyed hashes of the eventfd_ctx pointer
 * (key chosen at random when the tracer starts), so two records naming
 * the same eventfd carry the same key and nothing else can be derived.
 */
#ifndef _UAPI_VGIC_TRACE_ABI_H
#define _UAPI_VGIC_TRACE_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VT_ABI_MAJOR		1
#define VT_ABI_MINOR		0

/* Sentinels for fields that are not known for a record. */
#define VT_NO_VCPU		0xffffffffu
#define VT_NO_VM		0u
#define VT_NO_GSI		0xffffffffu
#define VT_NO_INTID		0xffffffffu

/* Largest number of list registers (GICv3 ICH_VTR_EL2.ListRegs + 1). */
#define VT_MAX_LR		16

/* SPI INTID <-> irqchip pin (arm64: irqchip 0, pin = INTID - 32). */
#define VT_SPI_BASE		32

/*
 * Record types. Values are ABI: never renumber, only append.
 */
#define VT_REC_LR_FLUSH		1	/* LRs as loaded at guest entry */
#define VT_REC_LR_FOLD		2	/* LRs as read back at guest exit */
#define VT_REC_INJECT		3	/* kvm_vgic_inject_irq() */
#define VT_REC_IRQ_STATE	4	/* vgic software state of one IRQ */
#define VT_REC_ACK		5	/* kvm_notify_acked_irq() */
#define VT_REC_RESAMPLE		6	/* irqfd_resampler_ack() */
#define VT_REC_IRQFD		7	/* kvm_irqfd() assign/deassign */
#define VT_REC_VFIO		8	/* VFIO INTx handler/mask/unmask */
#define VT_REC_MMIO		9	/* guest write to a GICD register */
#define VT_REC_LOST		10	/* records lost by the producer */
#define VT_REC_META		11	/* metadata: hooks, VMs, host facts */
#define VT_REC_DEACTIVATE	12	/* 6.19+: DIR trap or EOIcount replay */
#define VT_REC_MAX		12

/**
 * struct vt_hdr - common header of every record
 * @type:	one of VT_REC_*
 * @size:	total size of the record in bytes, header included
 * @cpu:	host CPU that produced the record
 * @ts_ns:	CLOCK_MONOTONIC nanoseconds (ktime_get_ns / bpf_ktime_get_ns)
 * @vm_id:	VMM tgid owning the VM, or VT_NO_VM
 * @vcpu_id:	vcpu->vcpu_id, or VT_NO_VCPU
 */
struct vt_hdr {
	__u16 type;
	__u16 size;
	__u32 cpu;
	__u64 ts_ns;
	__u32 vm_id;
	__u32 vcpu_id;
};

/* GIC version of the list register encoding in struct vt_rec_lr. */
#define VT_GIC_V2		2	/* GICH_LR, 32 bits */
#define VT_GIC_V3		3	/* ICH_LR_EL2, 64 bits */

/**
 * struct vt_rec_lr - list registers of one vCPU at entry or exit
 * @hdr:	type VT_REC_LR_FLUSH (return of kvm_vgic_flush_hwstate) or
 *		VT_REC_LR_FOLD (entry of vgic_v{2,3}_fold_lr_state)
 * @gic_version: VT_GIC_V2 or VT_GIC_V3 (encoding of @lr)
 * @used_lrs:	number of valid entries in @lr (cpuif->used_lrs)
 * @nr_lrs:	LRs implemented by the hardware, 0 if unknown
 * @flags:	VT_LR_F_*
 * @hcr:	cached ICH_HCR_EL2/GICH_HCR if known (EOIcount), else 0
 * @lr:		raw list register values, GICv2 values in the low 32 bits
 */
struct vt_rec_lr {
	struct vt_hdr hdr;
	__u8 gic_version;
	__u8 used_lrs;
	__u8 nr_lrs;
	__u8 flags;
	__u32 hcr;
	__u64 lr[VT_MAX_LR];
};
#define VT_LR_F_HCR_VALID	0x01	/* @hcr holds a real value */
#define VT_LR_F_TRUNCATED	0x02	/* used_lrs > VT_MAX_LR, extra dropped */

/* Where an injection came from, when the producer can tell. */
#define VT_SRC_UNKNOWN		0
#define VT_SRC_IRQFD		1	/* irqfd_wakeup / irqfd_inject */
#define VT_SRC_RESAMPLER	2	/* de-assert by irqfd_resampler_ack */
#define VT_SRC_USER		3	/* KVM_IRQ_LINE from the VMM */
#define VT_SRC_KERNEL		4	/* timer, PMU, other in-kernel source */

/**
 * struct vt_rec_inject - kvm_vgic_inject_irq(kvm, cpu, intid, level, owner)
 * @hdr:	@hdr.vcpu_id is the target cpuid for private IRQs
 * @intid:	INTID (SPI = pin + 32)
 * @level:	1 assert, 0 de-assert
 * @source:	VT_SRC_*
 * @ret:	return value (0 or -errno), 0 if not known
 */
struct vt_rec_inject {
	struct vt_hdr hdr;
	__u32 intid;
	__u8 level;
	__u8 source;
	__u16 __pad;
	__s32 ret;
	__u32 __pad2;
};

/* Why an IRQ state record was taken. */
#define VT_CAUSE_INJECT		1	/* after kvm_vgic_inject_irq */
#define VT_CAUSE_MMIO		2	/* after a GICD write */
#define VT_CAUSE_FOLD		3	/* after fold at exit */
#define VT_CAUSE_MIGRATE	4	/* target vCPU changed */

/**
 * struct vt_rec_irq_state - software state of one vgic_irq
 * @intid:	INTID
 * @target_vcpu: irq->target_vcpu->vcpu_id, or VT_NO_VCPU
 * @ap_vcpu:	irq->vcpu (vCPU whose ap_list holds it), or VT_NO_VCPU
 * @line_level, @pending_latch, @active, @enabled, @hw: 0/1
 * @config:	VT_CFG_EDGE or VT_CFG_LEVEL
 * @cause:	VT_CAUSE_*
 */
struct vt_rec_irq_state {
	struct vt_hdr hdr;
	__u32 intid;
	__u32 target_vcpu;
	__u32 ap_vcpu;
	__u8 line_level;
	__u8 pending_latch;
	__u8 active;
	__u8 enabled;
	__u8 config;
	__u8 hw;
	__u8 cause;
	__u8 __pad;
	__u32 __pad2;
};
#define VT_CFG_EDGE		0
#define VT_CFG_LEVEL		1

/**
 * struct vt_rec_ack - kvm_notify_acked_irq(kvm, irqchip, pin)
 * @gsi:	GSI the pin maps to, or VT_NO_GSI if not resolved
 */
struct vt_rec_ack {
	struct vt_hdr hdr;
	__u32 irqchip;
	__u32 pin;
	__u32 gsi;
	__u32 __pad;
};

/**
 * struct vt_rec_resample - irqfd_resampler_ack(): the resamplefd(s) of
 * @gsi are about to be signalled and the line de-asserted
 * @nr_irqfds:	irqfds sharing this resampler, 0 if unknown
 * @resample_key: keyed hash of the first resamplefd eventfd_ctx, 0 if unknown
 */
struct vt_rec_resample {
	struct vt_hdr hdr;
	__u32 gsi;
	__u32 nr_irqfds;
	__u64 resample_key;
};

/**
 * struct vt_rec_irqfd - kvm_irqfd(kvm, args)
 * @gsi:	args->gsi
 * @flags:	args->flags (KVM_IRQFD_FLAG_DEASSIGN 1, _RESAMPLE 2)
 * @fd, @resamplefd: as passed (resamplefd -1 when no RESAMPLE flag)
 * @ret:	return value, 0 if not known
 * @eventfd_key, @resample_key: keyed hashes of the eventfd_ctx, 0 if unknown
 */
struct vt_rec_irqfd {
	struct vt_hdr hdr;
	__u32 gsi;
	__u32 flags;
	__s32 fd;
	__s32 resamplefd;
	__s32 ret;
	__u32 __pad;
	__u64 eventfd_key;
	__u64 resample_key;
};
#define VT_IRQFD_F_DEASSIGN	0x1
#define VT_IRQFD_F_RESAMPLE	0x2

/* VFIO INTx events. */
#define VT_VFIO_HANDLER		1	/* vfio_intx_handler: host IRQ fired */
#define VT_VFIO_MASK		2	/* vfio_pci_intx_mask / __vfio_pci_intx_mask */
#define VT_VFIO_UNMASK		3	/* vfio_pci_intx_unmask (ioctl) */
#define VT_VFIO_UNMASK_HANDLER	4	/* vfio_pci_intx_unmask_handler (resamplefd) */
#define VT_VFIO_SEND_EVENTFD	5	/* vfio_send_intx_eventfd */

/**
 * struct vt_rec_vfio - one VFIO INTx event
 * @event:	VT_VFIO_*
 * @masked:	ctx->masked after the event (0/1), 0xff if unknown
 * @pci_2_3:	device uses PCI 2.3 DisINTx masking (0/1), 0xff unknown
 * @result:	HANDLER: irqreturn_t; UNMASK_HANDLER: 1 = still asserted
 *		(re-injected), 0 = unmasked; others 0
 * @host_irq:	pdev->irq
 * @trigger_key, @unmask_key: keyed hashes of ctx->trigger / ctx->unmask
 *		eventfd_ctx (match vt_rec_irqfd keys), 0 if unknown
 * @dev:	PCI device name, NUL terminated ("0000:00:02.0")
 */
struct vt_rec_vfio {
	struct vt_hdr hdr;
	__u8 event;
	__u8 masked;
	__u8 pci_2_3;
	__u8 __pad;
	__s32 result;
	__u32 host_irq;
	__u32 __pad2;
	__u64 trigger_key;
	__u64 unmask_key;
	char dev[16];
};

/* Guest distributor registers written through MMIO. */
#define VT_MMIO_ISPENDR		1
#define VT_MMIO_ICPENDR		2
#define VT_MMIO_ISACTIVER	3
#define VT_MMIO_ICACTIVER	4
#define VT_MMIO_IROUTER		5
#define VT_MMIO_ITARGETSR	6
#define VT_MMIO_ISENABLER	7
#define VT_MMIO_ICENABLER	8

/**
 * struct vt_rec_mmio - a guest (or userspace) write to a GICD register
 * @reg:	VT_MMIO_*
 * @len:	access size in bytes
 * @offset:	offset of the register in the distributor frame
 * @first_intid: INTID described by bit 0 of @val (set/clear registers)
 *		or the INTID of the IROUTER/ITARGETSR register
 * @val:	value written
 */
struct vt_rec_mmio {
	struct vt_hdr hdr;
	__u8 reg;
	__u8 len;
	__u16 __pad;
	__u32 offset;
	__u32 first_intid;
	__u32 __pad2;
	__u64 val;
};

/**
 * struct vt_rec_lost - records the producer could not deliver
 * @hdr.cpu:	the CPU whose buffer overflowed (module: also records of
 *		that CPU, by their hdr.cpu, consumed from its buffer and
 *		then lost because the copy to the reader's buffer failed);
 *		or VT_LOST_CPU_PROBES: probe hits the kernel's kprobes
 *		core did not run the handler for (kprobe/kretprobe nmissed,
 *		kretprobe instances exhausted), summed over every hook, no
 *		CPU known;
 *		each missed hit is at most the records that hook makes
 * @lost:	records lost since the previous VT_REC_LOST of that CPU
 *		(or of the probe-miss count)
 * @total:	records lost on that CPU (or probe hits missed) since the
 *		tracer started (module: since the device was opened)
 */
struct vt_rec_lost {
	struct vt_hdr hdr;
	__u64 lost;
	__u64 total;
};

#define VT_LOST_CPU_PROBES	0xffffffffu	/* @hdr.cpu of a loss that is probe misses, not one CPU's buffer */

/* How a VT_REC_DEACTIVATE deactivation reached KVM (6.19+ kernels). */
#define VT_DEACT_DIR		1	/* vgic_v{2,3}_deactivate(): guest DIR trapped */
#define VT_DEACT_EOICOUNT	2	/* EOIcount replay at fold: IRQ in no LR */
#define VT_DEACT_LR		3	/* vgic_v{2,3}_fold_lr() of one LR value */

/**
 * struct vt_rec_deactivate - one deactivation outside the LR fold of
 * 6.1-6.18: the guest's ICV_DIR_EL1/GICV_DIR trapped (EOImode=1) or an
 * EOIcount deactivation replayed at exit for an IRQ that was in no LR
 * @intid:	vINTID deactivated
 * @gic_version: VT_GIC_V2/VT_GIC_V3 encoding of @val
 * @how:	VT_DEACT_*
 * @eoicount:	ICH_HCR_EL2.EOIcount at that exit (VT_DEACT_EOICOUNT), else 0
 * @val:	the DIR value (VT_DEACT_DIR) or the (pseudo-)LR value folded
 *		(VT_DEACT_EOICOUNT, VT_DEACT_LR); 0 if unknown
 */
struct vt_rec_deactivate {
	struct vt_hdr hdr;
	__u32 intid;
	__u8 gic_version;
	__u8 how;
	__u16 eoicount;
	__u64 val;
};

/* Metadata keys. */
#define VT_META_HOOK		1	/* @id hook (VT_HOOK_*), @val VT_ATTACH_* */
#define VT_META_VM		2	/* @hdr.vm_id created; @val nr vCPUs if known */
#define VT_META_NR_LRS		3	/* @val implemented LRs (ICH_VTR_EL2) */
#define VT_META_GIC		4	/* @val VT_GIC_V2/V3 of the host */
#define VT_META_BACKEND		5	/* @val VT_BACKEND_*, @str version */
#define VT_META_KERNEL		6	/* @str kernel release (uname -r) */
#define VT_META_VCPU		7	/* vCPU @hdr.vcpu_id of VM @hdr.vm_id runs on
					 * thread @val (tid), @str its comm; sent
					 * when a producer first sees that vCPU
					 * on a thread (again after a change) */

#define VT_ATTACH_MISSING	0	/* symbol absent or attach failed */
#define VT_ATTACH_KPROBE	1
#define VT_ATTACH_KRETPROBE	2
#define VT_ATTACH_FENTRY	3
#define VT_ATTACH_TRACEPOINT	4	/* degraded: upstream kvm:* tracepoint */
#define VT_ATTACH_DISABLED	5	/* switched off by the user */

#define VT_BACKEND_MODULE	1
#define VT_BACKEND_BPF		2
#define VT_BACKEND_REPLAY	3	/* synthetic/replayed scenario */

/* Hook identities (for VT_META_HOOK). */
#define VT_HOOK_LR_FLUSH	1
#define VT_HOOK_LR_FOLD_V2	2
#define VT_HOOK_LR_FOLD_V3	3
#define VT_HOOK_INJECT		4
#define VT_HOOK_ACK		5
#define VT_HOOK_RESAMPLE	6
#define VT_HOOK_IRQFD		7
#define VT_HOOK_VFIO_HANDLER	8
#define VT_HOOK_VFIO_MASK	9
#define VT_HOOK_VFIO_UNMASK	10
#define VT_HOOK_VFIO_UNMASK_HANDLER 11
#define VT_HOOK_MMIO_PENDING	12
#define VT_HOOK_MMIO_ACTIVE	13
#define VT_HOOK_MMIO_ROUTE	14
#define VT_HOOK_DEACTIVATE_V3	15	/* vgic_v3_deactivate (6.19+) */
#define VT_HOOK_DEACTIVATE_V2	16	/* vgic_v2_deactivate (6.19+) */
#define VT_HOOK_FOLD_LR		17	/* vgic_v{2,3}_fold_lr (6.19+, static) */
#define VT_HOOK_MAX		17

/**
 * struct vt_rec_meta - metadata
 * @key:	VT_META_*
 * @id:		hook id for VT_META_HOOK, else 0
 * @val:	key-specific value
 * @str:	key-specific text, NUL terminated (hook symbol, release)
 */
struct vt_rec_meta {
	struct vt_hdr hdr;
	__u16 key;
	__u16 id;
	__u32 __pad;
	__u64 val;
	char str[64];
};

/* Largest record; readers reject a size above this. */
#define VT_REC_MAX_SIZE		256

/*
 * Static size checks: call VT_ABI_STATIC_CHECKS() once in one .c file
 * of each side (module, BPF loader, userspace library). The sizes are
 * the ABI; a change here must bump VT_ABI_MAJOR.
 */
#define VT_ABI_STATIC_CHECKS()						\
	_Static_assert(sizeof(struct vt_hdr) == 24, "vt_hdr");		\
	_Static_assert(sizeof(struct vt_rec_lr) == 160, "vt_rec_lr");	\
	_Static_assert(sizeof(struct vt_rec_inject) == 40, "inject");	\
	_Static_assert(sizeof(struct vt_rec_irq_state) == 48, "state");\
	_Static_assert(sizeof(struct vt_rec_ack) == 40, "ack");		\
	_Static_assert(sizeof(struct vt_rec_resample) == 40, "resample");\
	_Static_assert(sizeof(struct vt_rec_irqfd) == 64, "irqfd");	\
	_Static_assert(sizeof(struct vt_rec_vfio) == 72, "vfio");	\
	_Static_assert(sizeof(struct vt_rec_mmio) == 48, "mmio");	\
	_Static_assert(sizeof(struct vt_rec_lost) == 40, "lost");	\
	_Static_assert(sizeof(struct vt_rec_meta) == 104, "meta");	\
	_Static_assert(sizeof(struct vt_rec_deactivate) == 40, "deact");\
	_Static_assert(VT_REC_MAX_SIZE >= 160, "max size")

/*
 * List register bit layouts (for decoders; see the hook map).
 * GICv3 ICH_LR_EL2 (64 bit).
 */
#define VT_ICH_LR_VINTID_MASK	0xffffffffull
#define VT_ICH_LR_PINTID_SHIFT	32
#define VT_ICH_LR_PINTID_MASK	(0x3ffull << 32)
#define VT_ICH_LR_EOI		(1ull << 41)
#define VT_ICH_LR_PRIO_SHIFT	48
#define VT_ICH_LR_PRIO_MASK	(0xffull << 48)
#define VT_ICH_LR_GROUP		(1ull << 60)
#define VT_ICH_LR_HW		(1ull << 61)
#define VT_ICH_LR_PENDING	(1ull << 62)
#define VT_ICH_LR_ACTIVE	(1ull << 63)

/* GICv2 GICH_LR (32 bit). */
#define VT_GICH_LR_VINTID_MASK	0x3ffu
#define VT_GICH_LR_PHYS_SHIFT	10
#define VT_GICH_LR_PHYS_MASK	(0x3ffu << 10)
#define VT_GICH_LR_CPUID_MASK	(0x7u << 10)
#define VT_GICH_LR_EOI		(1u << 19)
#define VT_GICH_LR_PRIO_SHIFT	23
#define VT_GICH_LR_PRIO_MASK	(0x1fu << 23)
#define VT_GICH_LR_PENDING	(1u << 28)
#define VT_GICH_LR_ACTIVE	(1u << 29)
#define VT_GICH_LR_GROUP1	(1u << 30)
#define VT_GICH_LR_HW		(1u << 31)

/*
 * ioctls of /dev/vgic_trace: the end of a session (no argument).
 * VT_IOC_STOP: stop collecting; once it returns no producer writes
 * again, so what read() returns from then on is all the session holds.
 * VT_IOC_DISCARD (stops first if needed): the records still queued
 * become loss, reported by the next read()s as VT_REC_LOST on their CPU;
 * read() returns no record after it. Older modules: -ENOTTY.
 */
#ifndef __VMLINUX_H__
#include <linux/ioctl.h>
#define VT_IOC_MAGIC		0xb7
#define VT_IOC_STOP		_IO(VT_IOC_MAGIC, 1)
#define VT_IOC_DISCARD		_IO(VT_IOC_MAGIC, 2)
#endif

#endif /* _UAPI_VGIC_TRACE_ABI_H */
