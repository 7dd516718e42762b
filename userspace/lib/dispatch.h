/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dispatch.h - the record handlers, one per type, split by subject:
 * dispatch_lr.c (list registers), dispatch_vfio.c (irqfd, resample,
 * VFIO and their linking), dispatch.c (the rest and the table). They
 * update the objects and give typed events to the rules (bus.c).
 */
#ifndef VT_DISPATCH_H
#define VT_DISPATCH_H

#include <stddef.h>
#include <string.h>
#include "rule.h"
/*
 * each rule's event hook, inline in the dispatch of each kind: every
 * lib/rules/<sym>.h, listed by the Makefile (build/<arch>/gen)
 */
#include "vt_rules_inline.h"

typedef int (*vt_handler)(struct vt_engine *e, const struct vt_hdr *rec);

/* dispatch.c: the handler of each record type (NULL: none) */
extern const vt_handler vt_eng_handlers[VT_REC_MAX + 1];

/**
 * vt_eng_no_handler() - @rec has a type with no handler: say so
 * @e:		engine
 * @rec:	record
 *
 * Return: -EINVAL.
 */
int vt_eng_no_handler(struct vt_engine *e, const struct vt_hdr *rec);

/**
 * vt_eng_dispatch() - handle one record in time order (inline: called
 * for every record)
 * @e:		engine
 * @rec:	record (validated)
 *
 * Return: 0, or a negative errno (no memory, no handler).
 */
static inline int vt_eng_dispatch(struct vt_engine *e,
				  const struct vt_hdr *rec)
{
	if (__builtin_expect(rec->type > VT_REC_MAX ||
			     !vt_eng_handlers[rec->type], 0))
		return vt_eng_no_handler(e, rec);
	return vt_eng_handlers[rec->type](e, rec);
}

/* the union of struct vt_ev: bytes zeroed for a kind other than LR_RUN */
#define VT_EV_SMALL	16
#define VT_EV_FITS(m)	(sizeof(((struct vt_ev *)0)->m) <= VT_EV_SMALL)
_Static_assert(VT_EV_FITS(inject) && VT_EV_FITS(state) &&
	       VT_EV_FITS(resample) && VT_EV_FITS(irqfd) && VT_EV_FITS(vfio) &&
	       VT_EV_FITS(mmio) && VT_EV_FITS(deact) && VT_EV_FITS(lr),
	       "a vt_ev member outgrew VT_EV_SMALL");
_Static_assert(sizeof(struct vt_ev) - offsetof(struct vt_ev, inject) >=
	       VT_EV_SMALL, "the vt_ev union is smaller than VT_EV_SMALL");
#undef VT_EV_FITS

/**
 * vt_ev_init() - start a typed event
 * @ev:		event to fill: kind, ts and irq set, vcpu NULL, and the
 *		union member of @kind zeroed (the others are never read:
 *		the whole event is not cleared)
 * @kind:	VT_EV_*
 * @rec:	record being handled (gives the time)
 * @irq:	the IRQ it concerns, or NULL
 */
static inline void vt_ev_init(struct vt_ev *ev, enum vt_ev_kind kind,
			      const struct vt_hdr *rec, struct vt_irq *irq)
{
	ev->kind = kind;
	ev->ts = rec->ts_ns;
	ev->irq = irq;
	ev->vcpu = NULL;
	if (kind == VT_EV_LR_RUN)
		memset(&ev->run, 0, sizeof(ev->run));
	else
		memset((char *)ev + offsetof(struct vt_ev, inject), 0,
		       VT_EV_SMALL);
}

/**
 * vt_rec_done() - @rec was handled for @irq: the record callback
 * (opts.rec_cb, e.g. the timeline) sees it with @irq's INTID
 * @e:		engine
 * @rec:	record
 * @irq:	the IRQ it concerns, or NULL
 */
static inline void vt_rec_done(struct vt_engine *e, const struct vt_hdr *rec,
			       const struct vt_irq *irq)
{
	if (e->opts.rec_cb)
		e->opts.rec_cb(rec, irq ? irq->intid : VT_NO_INTID,
			       e->opts.rec_arg);
}

/**
 * vt_bus_kind_irq() - the bus's dispatch of an event of kind @k (one with
 * an IRQ), compiled from rules/rules.def: for each rule in table order
 * whose events have @k, its event hook vt_on_<sym>() (rules/<file>.h),
 * skipped per its armed mask (no deadline of the rule armed on @irq).
 * Inlined where @k is a constant (bus.c's vt_bus_emit_<kind>(), and the
 * handlers through vt_emit_irq()), only the subscribed rules' tests
 * remain, the slow paths are calls.
 * @e:		engine
 * @ev:		event, of kind @k
 * @irq:	ev->irq, not NULL
 * @k:		ev->kind
 * @probe:	no call: the mask of the rules that would be called
 *		(vt_bus_probe())
 *
 * Return: with @probe, bit VT_RULE_<sym> of each rule called, else 0.
 */
static __attribute__((always_inline)) inline uint32_t
vt_bus_kind_irq(struct vt_engine *e, const struct vt_ev *ev,
		struct vt_irq *irq, const unsigned int k, const bool probe)
{
	uint32_t m = 0;

#define VT_RULE(sym, ...)						\
	if ((VT_EVENTS_##sym & (1u << k)) &&				\
	    (!(VT_ARMED_##sym & (1u << k)) ||				\
	     (irq->watching & (1u << VT_RULE_##sym)))) {		\
		if (probe)						\
			m |= 1u << VT_RULE_##sym;			\
		else							\
			vt_on_##sym(e, ev, irq->priv +			\
				    e->irq_off[VT_RULE_##sym],		\
				    (enum vt_ev_kind)k);		\
	}
#include "rules/rules.def"
#undef VT_RULE
	return m;
}

/**
 * vt_emit_irq() - give @ev (whose IRQ is set) to the rules (none with
 * opts.no_analysis), then the record callback (always inline: @ev's kind
 * is then known, and the bus's dispatch of that kind, vt_bus_kind_irq(),
 * is inline here too)
 * @e:		engine
 * @rec:	record it comes from
 * @ev:		event
 */
static inline __attribute__((always_inline)) void
vt_emit_irq(struct vt_engine *e, const struct vt_hdr *rec,
	    const struct vt_ev *ev)
{
	if (ev->irq && !e->opts.no_analysis) {
		if (__builtin_constant_p(ev->kind))
			vt_bus_kind_irq(e, ev, ev->irq, ev->kind, false);
		else
			vt_bus_emit(e, ev);
	}
	vt_rec_done(e, rec, ev->irq);
}

int h_lr_flush(struct vt_engine *e, const struct vt_hdr *rec);
int h_lr_fold(struct vt_engine *e, const struct vt_hdr *rec);
int h_resample(struct vt_engine *e, const struct vt_hdr *rec);
int h_irqfd(struct vt_engine *e, const struct vt_hdr *rec);
int h_vfio(struct vt_engine *e, const struct vt_hdr *rec);

#endif /* VT_DISPATCH_H */
