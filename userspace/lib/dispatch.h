/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dispatch.h - the record handlers, one per type, split by subject:
 * dispatch_lr.c (list registers), dispatch_vfio.c (irqfd, resample,
 * VFIO and their linking), dispatch.c (the rest and the table).
 */
#ifndef VT_DISPATCH_H
#define VT_DISPATCH_H

#include "engine_internal.h"

/**
 * vt_ev_init() - start a derived event from the record it comes from
 * @ev:		event to fill: zeroed, then kind, ts, rec and irq set
 * @kind:	VT_EV_*
 * @rec:	record being handled (gives the time)
 * @irq:	the IRQ it concerns, or NULL
 */
void vt_ev_init(struct vt_ev *ev, enum vt_ev_kind kind,
		const struct vt_hdr *rec, struct vt_irq *irq);

/**
 * vt_emit_rec() - give the rules the VT_EV_RECORD event of @rec
 * @e:		engine
 * @rec:	record just handled
 * @irq:	the IRQ it concerns, or NULL
 */
void vt_emit_rec(struct vt_engine *e, const struct vt_hdr *rec,
		 struct vt_irq *irq);

int h_lr_flush(struct vt_engine *e, const struct vt_hdr *rec);
int h_lr_fold(struct vt_engine *e, const struct vt_hdr *rec);
int h_resample(struct vt_engine *e, const struct vt_hdr *rec);
int h_irqfd(struct vt_engine *e, const struct vt_hdr *rec);
int h_vfio(struct vt_engine *e, const struct vt_hdr *rec);

#endif /* VT_DISPATCH_H */
