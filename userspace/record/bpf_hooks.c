// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_hooks.c - the BPF attach list, generated from include/vt_hooks.def
 * (the hook table the module is generated from too), and the tracepoint
 * fallback of each hook. Rows whose programs are missing from the object
 * (the x86 build has no vgic/VFIO/MMIO programs; module-only rows) are
 * skipped at run time.
 */
#include <stddef.h>
#include <vgic_trace_abi.h>
#include "bpf_hooks.h"
#include "vt_bpf.h"

#define VT_ROW_WHERE_vmlinux		NULL
#define VT_ROW_WHERE_vfio_pci_core	"vfio_pci_core"
#define VT_ROW_ARCH_ANY			false
#define VT_ROW_ARCH_ARM64		true

#define VT_HOOK_DEF(name_, id_, sym_, group_, where_, from_, until_, attach_,	\
		    arch_, handler_, fallback_, proto_)				\
	{									\
		.name = #name_,							\
		.hook = (id_),							\
		.sym = (sym_),							\
		.module = VT_ROW_WHERE_##where_,				\
		.from = (from_),						\
		.until = (until_),						\
		.attach = VT_ROW_##attach_,					\
		.arm64 = VT_ROW_ARCH_##arch_,					\
		.handler = #handler_,						\
		.fallback_of = #fallback_,	/* "none": no primary */	\
		.proto = (proto_),						\
	},

const struct vt_hook_row vt_hook_rows[] = {
#include "../../include/vt_hooks.def"
};
const unsigned int vt_nr_hook_rows = sizeof(vt_hook_rows) / sizeof(vt_hook_rows[0]);

#define SYMS(...)	{ __VA_ARGS__ }
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
