/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgic_trace_events.h - trace events of vgic_trace.ko, one per record
 * kind, so `trace-cmd record -e vgic_trace` and `perf record -e
 * 'vgic_trace:*'` give a readable timeline next to kvm:* events.
 * Every event takes the ABI record the stream gets, so both agree, and
 * carries every field of it (the header's ts/cpu/vm/vcpu included, the
 * raw list registers of lr_flush/lr_fold beside their text rendering):
 * `vgic-trace import trace.dat` rebuilds the records without loss.
 * Field names are an interface (userspace/lib/import_tracecmd.c): add
 * fields, never rename or drop one.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vgic_trace

#if !defined(_VGIC_TRACE_EVENTS_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VGIC_TRACE_EVENTS_H

#include <linux/tracepoint.h>

#include "vgic_trace_abi.h"
#include "wrapper/trace_assign_str.h"

#define VT_LR_TEXT_MAX	(VT_MAX_LR * 24)

/* The struct vt_hdr fields every event carries (vm/vcpu are named per event). */
#define VT_TP_HDR_FIELDS					\
		__field(u64, ts)				\
		__field(u32, cpu)

#define VT_TP_HDR_ASSIGN(r)					\
		__entry->ts = (r)->hdr.ts_ns;			\
		__entry->cpu = (r)->hdr.cpu

#define vt_show_src(s)						\
	__print_symbolic(s,					\
		{ VT_SRC_UNKNOWN, "unknown" },			\
		{ VT_SRC_IRQFD, "irqfd" },			\
		{ VT_SRC_RESAMPLER, "resampler" },		\
		{ VT_SRC_USER, "user" },			\
		{ VT_SRC_KERNEL, "kernel" })

#define vt_show_vfio(e)						\
	__print_symbolic(e,					\
		{ VT_VFIO_HANDLER, "handler" },			\
		{ VT_VFIO_MASK, "mask" },			\
		{ VT_VFIO_UNMASK, "unmask" },			\
		{ VT_VFIO_UNMASK_HANDLER, "unmask_handler" },	\
		{ VT_VFIO_SEND_EVENTFD, "send_eventfd" })

#define vt_show_mmio(r)						\
	__print_symbolic(r,					\
		{ VT_MMIO_ISPENDR, "ISPENDR" },			\
		{ VT_MMIO_ICPENDR, "ICPENDR" },			\
		{ VT_MMIO_ISACTIVER, "ISACTIVER" },		\
		{ VT_MMIO_ICACTIVER, "ICACTIVER" },		\
		{ VT_MMIO_IROUTER, "IROUTER" },			\
		{ VT_MMIO_ITARGETSR, "ITARGETSR" },		\
		{ VT_MMIO_ISENABLER, "ISENABLER" },		\
		{ VT_MMIO_ICENABLER, "ICENABLER" })

#define vt_show_attach(a)					\
	__print_symbolic(a,					\
		{ VT_ATTACH_MISSING, "missing" },		\
		{ VT_ATTACH_KPROBE, "kprobe" },			\
		{ VT_ATTACH_KRETPROBE, "kretprobe" },		\
		{ VT_ATTACH_FENTRY, "fentry" },			\
		{ VT_ATTACH_TRACEPOINT, "tracepoint" },		\
		{ VT_ATTACH_DISABLED, "disabled" })

DECLARE_EVENT_CLASS(vt_lr_class,
	TP_PROTO(const struct vt_rec_lr *r, const char *text),
	TP_ARGS(r, text),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u8, gic)
		__field(u8, used)
		__string(lrs, text)
		VT_TP_HDR_FIELDS
		__field(u8, nr_lrs)
		__field(u8, flags)
		__field(u32, hcr)
		__array(u64, lr, VT_MAX_LR)
	),
	TP_fast_assign(
		__entry->vm = r->hdr.vm_id;
		__entry->vcpu = r->hdr.vcpu_id;
		__entry->gic = r->gic_version;
		__entry->used = r->used_lrs;
		vt_assign_str(lrs, text);
		VT_TP_HDR_ASSIGN(r);
		__entry->nr_lrs = r->nr_lrs;
		__entry->flags = r->flags;
		__entry->hcr = r->hcr;
		memcpy(__entry->lr, r->lr, sizeof(__entry->lr));
	),
	TP_printk("vm=%u vcpu=%u gicv%u used=%u/%u hcr=%s0x%x %s",
		  __entry->vm, __entry->vcpu, __entry->gic, __entry->used,
		  __entry->nr_lrs,
		  __entry->flags & VT_LR_F_HCR_VALID ? "" : "?",
		  __entry->hcr, __get_str(lrs))
);

DEFINE_EVENT(vt_lr_class, lr_flush,
	TP_PROTO(const struct vt_rec_lr *r, const char *text),
	TP_ARGS(r, text));

DEFINE_EVENT(vt_lr_class, lr_fold,
	TP_PROTO(const struct vt_rec_lr *r, const char *text),
	TP_ARGS(r, text));

TRACE_EVENT(inject,
	TP_PROTO(const struct vt_rec_inject *r),
	TP_ARGS(r),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u32, intid)
		__field(u8, level)
		__field(u8, source)
		__field(s32, ret)
		VT_TP_HDR_FIELDS
	),
	TP_fast_assign(
		__entry->vm = r->hdr.vm_id;
		__entry->vcpu = r->hdr.vcpu_id;
		__entry->intid = r->intid;
		__entry->level = r->level;
		__entry->source = r->source;
		__entry->ret = r->ret;
		VT_TP_HDR_ASSIGN(r);
	),
	TP_printk("vm=%u intid=%u %s src=%s ret=%d", __entry->vm,
		  __entry->intid, __entry->level ? "assert" : "deassert",
		  vt_show_src(__entry->source), __entry->ret)
);

TRACE_EVENT(irq_state,
	TP_PROTO(const struct vt_rec_irq_state *r),
	TP_ARGS(r),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, intid)
		__field(u32, target)
		__field(u32, ap_vcpu)
		__field(u8, line_level)
		__field(u8, pending_latch)
		__field(u8, active)
		__field(u8, enabled)
		__field(u8, config)
		__field(u8, hw)
		__field(u8, cause)
		VT_TP_HDR_FIELDS
		__field(u32, vcpu)
	),
	TP_fast_assign(
		__entry->vm = r->hdr.vm_id;
		__entry->intid = r->intid;
		__entry->target = r->target_vcpu;
		__entry->ap_vcpu = r->ap_vcpu;
		__entry->line_level = r->line_level;
		__entry->pending_latch = r->pending_latch;
		__entry->active = r->active;
		__entry->enabled = r->enabled;
		__entry->config = r->config;
		__entry->hw = r->hw;
		__entry->cause = r->cause;
		VT_TP_HDR_ASSIGN(r);
		__entry->vcpu = r->hdr.vcpu_id;
	),
	TP_printk("vm=%u intid=%u %s line=%u latch=%u active=%u enabled=%u hw=%u target=%d ap=%d after %s",
		  __entry->vm, __entry->intid,
		  __entry->config == VT_CFG_LEVEL ? "level" : "edge",
		  __entry->line_level, __entry->pending_latch, __entry->active,
		  __entry->enabled, __entry->hw, (int)__entry->target,
		  (int)__entry->ap_vcpu,
		  __print_symbolic(__entry->cause,
				   { VT_CAUSE_INJECT, "inject" },
				   { VT_CAUSE_MMIO, "mmio" },
				   { VT_CAUSE_FOLD, "fold" },
				   { VT_CAUSE_MIGRATE, "migrate" }))
);

TRACE_EVENT(ack,
	TP_PROTO(const struct vt_rec_ack *r),
	TP_ARGS(r),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, irqchip)
		__field(u32, pin)
		__field(u32, gsi)
		VT_TP_HDR_FIELDS
		__field(u32, vcpu)
	),
	TP_fast_assign(
		__entry->vm = r->hdr.vm_id;
		__entry->irqchip = r->irqchip;
		__entry->pin = r->pin;
		__entry->gsi = r->gsi;
		VT_TP_HDR_ASSIGN(r);
		__entry->vcpu = r->hdr.vcpu_id;
	),
	TP_printk("vm=%u irqchip=%u pin=%u intid=%u gsi=%d", __entry->vm,
		  __entry->irqchip, __entry->pin, __entry->pin + VT_SPI_BASE,
		  (int)__entry->gsi)
);

TRACE_EVENT(resample,
	TP_PROTO(const struct vt_rec_resample *r),
	TP_ARGS(r),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, gsi)
		__field(u32, nr_irqfds)
		__field(u64, key)
		VT_TP_HDR_FIELDS
		__field(u32, vcpu)
	),
	TP_fast_assign(
		__entry->vm = r->hdr.vm_id;
		__entry->gsi = r->gsi;
		__entry->nr_irqfds = r->nr_irqfds;
		__entry->key = r->resample_key;
		VT_TP_HDR_ASSIGN(r);
		__entry->vcpu = r->hdr.vcpu_id;
	),
	TP_printk("vm=%u gsi=%u irqfds=%u resamplefd=%016llx", __entry->vm,
		  __entry->gsi, __entry->nr_irqfds, __entry->key)
);

TRACE_EVENT(irqfd,
	TP_PROTO(const struct vt_rec_irqfd *r),
	TP_ARGS(r),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, gsi)
		__field(u32, flags)
		__field(s32, fd)
		__field(s32, resamplefd)
		__field(s32, ret)
		__field(u64, key)
		__field(u64, rkey)
		VT_TP_HDR_FIELDS
		__field(u32, vcpu)
	),
	TP_fast_assign(
		__entry->vm = r->hdr.vm_id;
		__entry->gsi = r->gsi;
		__entry->flags = r->flags;
		__entry->fd = r->fd;
		__entry->resamplefd = r->resamplefd;
		__entry->ret = r->ret;
		__entry->key = r->eventfd_key;
		__entry->rkey = r->resample_key;
		VT_TP_HDR_ASSIGN(r);
		__entry->vcpu = r->hdr.vcpu_id;
	),
	TP_printk("vm=%u gsi=%u flags=%s fd=%d resamplefd=%d ret=%d eventfd=%016llx resample=%016llx",
		  __entry->vm, __entry->gsi,
		  __print_flags(__entry->flags, "|",
				{ VT_IRQFD_F_DEASSIGN, "DEASSIGN" },
				{ VT_IRQFD_F_RESAMPLE, "RESAMPLE" }),
		  __entry->fd, __entry->resamplefd, __entry->ret,
		  __entry->key, __entry->rkey)
);

TRACE_EVENT(vfio,
	TP_PROTO(const struct vt_rec_vfio *r),
	TP_ARGS(r),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u8, event)
		__field(u8, masked)
		__field(u8, pci_2_3)
		__field(s32, result)
		__field(u32, host_irq)
		__array(char, dev, 16)
		VT_TP_HDR_FIELDS
		__field(u32, vcpu)
		__field(u64, trigger_key)
		__field(u64, unmask_key)
	),
	TP_fast_assign(
		__entry->vm = r->hdr.vm_id;
		__entry->event = r->event;
		__entry->masked = r->masked;
		__entry->pci_2_3 = r->pci_2_3;
		__entry->result = r->result;
		__entry->host_irq = r->host_irq;
		memcpy(__entry->dev, r->dev, 16);
		VT_TP_HDR_ASSIGN(r);
		__entry->vcpu = r->hdr.vcpu_id;
		__entry->trigger_key = r->trigger_key;
		__entry->unmask_key = r->unmask_key;
	),
	TP_printk("vm=%u dev=%s irq=%u %s result=%d masked=%u pci_2_3=%u",
		  __entry->vm, __entry->dev, __entry->host_irq,
		  vt_show_vfio(__entry->event), __entry->result,
		  __entry->masked, __entry->pci_2_3)
);

TRACE_EVENT(mmio,
	TP_PROTO(const struct vt_rec_mmio *r),
	TP_ARGS(r),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u8, reg)
		__field(u8, len)
		__field(u32, offset)
		__field(u32, first_intid)
		__field(u64, val)
		VT_TP_HDR_FIELDS
	),
	TP_fast_assign(
		__entry->vm = r->hdr.vm_id;
		__entry->vcpu = r->hdr.vcpu_id;
		__entry->reg = r->reg;
		__entry->len = r->len;
		__entry->offset = r->offset;
		__entry->first_intid = r->first_intid;
		__entry->val = r->val;
		VT_TP_HDR_ASSIGN(r);
	),
	TP_printk("vm=%u vcpu=%u %s off=0x%x intid=%u val=0x%llx len=%u",
		  __entry->vm, __entry->vcpu, vt_show_mmio(__entry->reg),
		  __entry->offset, __entry->first_intid, __entry->val,
		  __entry->len)
);

/* 6.19+ kernels: a DIR trap, an EOIcount replay or one folded LR. */
TRACE_EVENT(deactivate,
	TP_PROTO(const struct vt_rec_deactivate *r),
	TP_ARGS(r),
	TP_STRUCT__entry(
		__field(u32, vm)
		__field(u32, vcpu)
		__field(u32, intid)
		__field(u8, gic)
		__field(u8, how)
		__field(u16, eoicount)
		__field(u64, val)
		VT_TP_HDR_FIELDS
	),
	TP_fast_assign(
		__entry->vm = r->hdr.vm_id;
		__entry->vcpu = r->hdr.vcpu_id;
		__entry->intid = r->intid;
		__entry->gic = r->gic_version;
		__entry->how = r->how;
		__entry->eoicount = r->eoicount;
		__entry->val = r->val;
		VT_TP_HDR_ASSIGN(r);
	),
	TP_printk("vm=%u vcpu=%u intid=%u gicv%u how=%s eoicount=%u val=0x%llx",
		  __entry->vm, __entry->vcpu, __entry->intid, __entry->gic,
		  __print_symbolic(__entry->how,
			{ VT_DEACT_DIR, "dir" },
			{ VT_DEACT_EOICOUNT, "eoicount" },
			{ VT_DEACT_LR, "fold_lr" }),
		  __entry->eoicount, __entry->val)
);

TRACE_EVENT(lost,
	TP_PROTO(const struct vt_rec_lost *r),
	TP_ARGS(r),
	TP_STRUCT__entry(
		__field(u32, cpu)
		__field(u64, lost)
		__field(u64, total)
		__field(u64, ts)
		__field(u32, vm)
		__field(u32, vcpu)
	),
	TP_fast_assign(
		__entry->cpu = r->hdr.cpu;
		__entry->lost = r->lost;
		__entry->total = r->total;
		__entry->ts = r->hdr.ts_ns;
		__entry->vm = r->hdr.vm_id;
		__entry->vcpu = r->hdr.vcpu_id;
	),
	TP_printk("cpu=%u lost=%llu total=%llu", __entry->cpu, __entry->lost,
		  __entry->total)
);

TRACE_EVENT(meta,
	TP_PROTO(const struct vt_rec_meta *r),
	TP_ARGS(r),
	TP_STRUCT__entry(
		__field(u16, key)
		__field(u16, id)
		__field(u64, val)
		__array(char, str, 64)
		VT_TP_HDR_FIELDS
		__field(u32, vm)
		__field(u32, vcpu)
	),
	TP_fast_assign(
		__entry->key = r->key;
		__entry->id = r->id;
		__entry->val = r->val;
		memcpy(__entry->str, r->str, 64);
		VT_TP_HDR_ASSIGN(r);
		__entry->vm = r->hdr.vm_id;
		__entry->vcpu = r->hdr.vcpu_id;
	),
	TP_printk("key=%u id=%u val=%llu vm=%u %s", __entry->key, __entry->id,
		  __entry->val, __entry->vm, __entry->str)
);

#endif /* _VGIC_TRACE_EVENTS_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vgic_trace_events
#include <trace/define_trace.h>
