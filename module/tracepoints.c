// SPDX-License-Identifier: GPL-2.0
/*
 * tracepoints.c - the trace events (CREATE_TRACE_POINTS is here only)
 * and vt_emit_*(): one record to its trace event and to the stream.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "vt_internal.h"

#define CREATE_TRACE_POINTS
#include "vgic_trace_events.h"

VT_ABI_STATIC_CHECKS();

static const char *vt_state_name(u8 gic, u64 v)
{
	bool p, a;

	if (gic == VT_GIC_V2) {
		p = v & VT_GICH_LR_PENDING;
		a = v & VT_GICH_LR_ACTIVE;
	} else {
		p = v & VT_ICH_LR_PENDING;
		a = v & VT_ICH_LR_ACTIVE;
	}
	if (p && a)
		return "P+A";
	return p ? "P" : a ? "A" : "-";
}

/* "lr0=32:P+A,eoi lr1=33:A,hw" for the trace event text. */
static void vt_lr_text(const struct vt_rec_lr *r, char *buf, size_t len)
{
	unsigned int i, n = min_t(unsigned int, r->used_lrs, VT_MAX_LR);
	size_t off = 0;
	bool eoi, hw;
	u32 intid;
	u64 v;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		v = r->lr[i];
		if (r->gic_version == VT_GIC_V2) {
			intid = v & VT_GICH_LR_VINTID_MASK;
			hw = v & VT_GICH_LR_HW;
			eoi = !hw && (v & VT_GICH_LR_EOI);
		} else {
			intid = v & VT_ICH_LR_VINTID_MASK;
			hw = v & VT_ICH_LR_HW;
			eoi = !hw && (v & VT_ICH_LR_EOI);
		}
		off += scnprintf(buf + off, len - off, "%slr%u=%u:%s%s%s",
				 i ? " " : "", i, intid,
				 vt_state_name(r->gic_version, v),
				 eoi ? ",eoi" : "", hw ? ",hw" : "");
	}
}

/**
 * vt_emit_lr - emit an LR_FLUSH or LR_FOLD record
 * @r:	record, header filled
 *
 * Sends it to lr_flush/lr_fold (with the LR text, built only when the event is on) and the stream.
 */
void vt_emit_lr(struct vt_rec_lr *r)
{
	char text[VT_LR_TEXT_MAX];

	if (r->hdr.type == VT_REC_LR_FLUSH) {
		if (trace_lr_flush_enabled()) {
			vt_lr_text(r, text, sizeof(text));
			trace_lr_flush(r, text);
		}
	} else if (trace_lr_fold_enabled()) {
		vt_lr_text(r, text, sizeof(text));
		trace_lr_fold(r, text);
	}
	vt_stream_write(&r->hdr);
}

/**
 * vt_emit_inject - emit an INJECT record
 * @r:	record, header filled
 *
 * Sends it to the inject event and the stream.
 */
void vt_emit_inject(struct vt_rec_inject *r)
{
	trace_inject(r);
	vt_stream_write(&r->hdr);
}

/**
 * vt_emit_irq_state - emit an IRQ_STATE record
 * @r:	record, header filled
 *
 * Sends it to the irq_state event and the stream.
 */
void vt_emit_irq_state(struct vt_rec_irq_state *r)
{
	trace_irq_state(r);
	vt_stream_write(&r->hdr);
}

/**
 * vt_emit_ack - emit an ACK record
 * @r:	record, header filled
 *
 * Sends it to the ack event and the stream.
 */
void vt_emit_ack(struct vt_rec_ack *r)
{
	trace_ack(r);
	vt_stream_write(&r->hdr);
}

/**
 * vt_emit_resample - emit a RESAMPLE record
 * @r:	record, header filled
 *
 * Sends it to the resample event and the stream.
 */
void vt_emit_resample(struct vt_rec_resample *r)
{
	trace_resample(r);
	vt_stream_write(&r->hdr);
}

/**
 * vt_emit_irqfd - emit an IRQFD record
 * @r:	record, header filled
 *
 * Sends it to the irqfd event and the stream.
 */
void vt_emit_irqfd(struct vt_rec_irqfd *r)
{
	trace_irqfd(r);
	vt_stream_write(&r->hdr);
}

/**
 * vt_emit_vfio - emit a VFIO record
 * @r:	record, header filled
 *
 * Sends it to the vfio event and the stream.
 */
void vt_emit_vfio(struct vt_rec_vfio *r)
{
	trace_vfio(r);
	vt_stream_write(&r->hdr);
}

/**
 * vt_emit_mmio - emit an MMIO record
 * @r:	record, header filled
 *
 * Sends it to the mmio event and the stream.
 */
void vt_emit_mmio(struct vt_rec_mmio *r)
{
	trace_mmio(r);
	vt_stream_write(&r->hdr);
}

/**
 * vt_emit_deactivate - emit a DEACTIVATE record (6.19+ kernels)
 * @r:	record, header filled
 *
 * Sends it to the deactivate event and the stream.
 */
void vt_emit_deactivate(struct vt_rec_deactivate *r)
{
	trace_deactivate(r);
	vt_stream_write(&r->hdr);
}

/**
 * vt_emit_lost - emit a LOST record built by the reader
 * @r:	record, header filled
 *
 * Sends it to the lost event only (the reader copies it itself).
 */
void vt_emit_lost(struct vt_rec_lost *r)
{
	trace_lost(r);
}

/**
 * vt_emit_meta - emit a META record
 * @r:	record, header filled
 *
 * Sends it to the meta event and the stream.
 *
 * Return: vt_stream_write()'s result (0: in the reader's buffer).
 */
int vt_emit_meta(struct vt_rec_meta *r)
{
	trace_meta(r);
	return vt_stream_write(&r->hdr);
}
