// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_hooks.c - which kernel function each hook attaches to, with which
 * program, and its tracepoint fallback. Programs missing from the object
 * (the x86 build has no vgic/VFIO/MMIO programs) are skipped at run time.
 */
#include <stddef.h>
#include <vgic_trace_abi.h>
#include "bpf_hooks.h"
#include "vt_bpf.h"

#define AP(h, s, fe, kp, kr) \
	{ .hook = (h), .syms = s, .fentry = (fe), .kprobe = (kp), .kretprobe = (kr) }
#define SYMS(...)	{ __VA_ARGS__ }

const struct vt_attach_point vt_attach_points[] = {
	AP(VT_HOOK_LR_FLUSH, SYMS("kvm_vgic_flush_hwstate"), "fx_flush", "kp_flush", "kr_flush"),
	/* an underflow proves that all LRs are in use: nr_lrs */
	AP(VT_HOOK_LR_FLUSH, SYMS("vgic_v3_set_underflow"), "fe_underflow_v3",
	   "kp_underflow_v3", NULL),
	AP(VT_HOOK_LR_FLUSH, SYMS("vgic_v2_set_underflow"), "fe_underflow_v2",
	   "kp_underflow_v2", NULL),
	AP(VT_HOOK_LR_FOLD_V2, SYMS("vgic_v2_fold_lr_state"), "fe_fold_v2", "kp_fold_v2", NULL),
	AP(VT_HOOK_LR_FOLD_V3, SYMS("vgic_v3_fold_lr_state"), "fe_fold_v3", "kp_fold_v3", NULL),
	AP(VT_HOOK_INJECT, SYMS("kvm_vgic_inject_irq"), "fx_inject", "kp_inject", "kr_inject"),
	/* marks the irqfd fast path as the source of an injection */
	AP(VT_HOOK_INJECT, SYMS("kvm_arch_set_irq_inatomic"), NULL, "kp_inatomic",
	   "kr_inatomic"),
	AP(VT_HOOK_ACK, SYMS("kvm_notify_acked_irq"), "fe_ack", "kp_ack", NULL),
	AP(VT_HOOK_RESAMPLE, SYMS("irqfd_resampler_ack"), "fe_resample", "kp_resample", NULL),
	AP(VT_HOOK_IRQFD, SYMS("kvm_irqfd"), "fe_irqfd", "kp_irqfd", NULL),
	AP(VT_HOOK_VFIO_HANDLER, SYMS("vfio_intx_handler"), "fx_vfio_handler",
	  "kp_vfio_handler", "kr_vfio_handler"),
	AP(VT_HOOK_VFIO_HANDLER, SYMS("vfio_send_intx_eventfd"), "fe_vfio_send",
	  "kp_vfio_send", NULL),
	/* the ioctl path calls __vfio_pci_intx_mask; older kernels lack it */
	AP(VT_HOOK_VFIO_MASK, SYMS("__vfio_pci_intx_mask", "vfio_pci_intx_mask"),
	  "fx_vfio_mask", "kp_vfio_mask", "kr_vfio_mask"),
	/* markers: an unmask handler run inside these is the ioctl unmask */
	AP(VT_HOOK_VFIO_UNMASK, SYMS("vfio_pci_set_irqs_ioctl"), NULL,
	  "kp_vfio_mark", "kr_vfio_mark"),
	AP(VT_HOOK_VFIO_UNMASK, SYMS("vfio_pci_intx_unmask"), NULL,
	  "kp_vfio_mark", "kr_vfio_mark"),
	AP(VT_HOOK_VFIO_UNMASK_HANDLER, SYMS("vfio_pci_intx_unmask_handler"),
	  "fx_vfio_unmask_handler", "kp_vfio_unmask_handler", "kr_vfio_unmask_handler"),
	AP(VT_HOOK_MMIO_PENDING, SYMS("vgic_mmio_write_spending"), "fx_mmio_spending",
	  "kp_mmio_spending", "kr_mmio_spending"),
	AP(VT_HOOK_MMIO_PENDING, SYMS("vgic_mmio_write_cpending"), "fx_mmio_cpending",
	  "kp_mmio_cpending", "kr_mmio_cpending"),
	AP(VT_HOOK_MMIO_ACTIVE, SYMS("vgic_mmio_write_sactive"), "fx_mmio_sactive",
	  "kp_mmio_sactive", "kr_mmio_sactive"),
	AP(VT_HOOK_MMIO_ACTIVE, SYMS("vgic_mmio_write_cactive"), "fx_mmio_cactive",
	  "kp_mmio_cactive", "kr_mmio_cactive"),
	AP(VT_HOOK_MMIO_ROUTE, SYMS("vgic_mmio_write_irouter"), "fx_mmio_irouter",
	  "kp_mmio_irouter", "kr_mmio_irouter"),
	AP(VT_HOOK_MMIO_ROUTE, SYMS("vgic_mmio_write_target"), "fx_mmio_target",
	  "kp_mmio_target", "kr_mmio_target"),
};
const unsigned int vt_nr_attach_points =
	sizeof(vt_attach_points) / sizeof(vt_attach_points[0]);

#define TP(h, p, t, d)	{ .hook = (h), .progs = p, .tps = t, .degraded = (d) }

const struct vt_tp_fallback vt_tp_fallbacks[] = {
	TP(VT_HOOK_ACK, SYMS("tp_ack"), SYMS("kvm_ack_irq"), VT_DEG_ACK),
	/* the resample de-assert is told apart by the ack just before it */
	TP(VT_HOOK_RESAMPLE, SYMS("tp_ack", "tp_set_irq"), SYMS("kvm_ack_irq", "kvm_set_irq"), VT_DEG_RESAMPLE),
	TP(VT_HOOK_INJECT, SYMS("tp_irq_pending"), SYMS("vgic_update_irq_pending"), VT_DEG_INJECT_PENDING),
	/* x86 (no vgic): the line level changes of kvm_set_irq, intid = gsi */
	TP(VT_HOOK_INJECT, SYMS("tp_set_irq"), SYMS("kvm_set_irq"), VT_DEG_INJECT_SET_IRQ),
};
const unsigned int vt_nr_tp_fallbacks =
	sizeof(vt_tp_fallbacks) / sizeof(vt_tp_fallbacks[0]);
