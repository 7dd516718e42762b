/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_bpf.h - constants shared by the BPF programs and their loader
 * (fixed-width types and #defines only).
 */
#ifndef VT_BPF_H
#define VT_BPF_H

/* Default ring buffer size (bytes, power of two, page multiple). */
#define VT_BPF_RB_SIZE		(4u << 20)

/* Bits of vt_degraded (bss, written by the loader after attach). */
#define VT_DEG_RESAMPLE		0x1	/* kvm_set_irq(level 0, src 1) -> RESAMPLE */
#define VT_DEG_INJECT_SET_IRQ	0x2	/* kvm_set_irq -> INJECT (x86: intid = gsi) */
#define VT_DEG_INJECT_PENDING	0x4	/* vgic_update_irq_pending -> INJECT */
#define VT_DEG_ACK		0x8	/* kvm_ack_irq -> ACK */

/* KVM_IRQFD_RESAMPLE_IRQ_SOURCE_ID (include/linux/kvm_host.h) */
#define VT_RESAMPLE_SOURCE_ID	1

#endif /* VT_BPF_H */
