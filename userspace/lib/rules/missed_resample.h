/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * missed_resample.h - rule "missed-resample" (missed_resample.c): its
 * event hook, inline in the bus's dispatch of each kind (bus.c), where
 * the kind is a constant: a run with no guest deactivation costs three
 * tests, the slow paths are calls.
 */
#ifndef VT_RULE_MISSED_RESAMPLE_H
#define VT_RULE_MISSED_RESAMPLE_H

#include "rule.h"

/* missed_resample.c: the slow paths, out of line (@st its state) */
void vt_mr_run(struct vt_engine *e, const struct vt_ev *ev, void *st);
void vt_mr_deact(struct vt_engine *e, const struct vt_ev *ev, void *st);

/**
 * vt_on_missed_resample() - the rule's event hook
 * @e:		engine
 * @ev:		event
 * @st:		the rule's state of ev->irq
 * @k:		ev->kind (a constant where the bus inlines it)
 */
static inline void vt_on_missed_resample(struct vt_engine *e,
					 const struct vt_ev *ev, void *st,
					 const enum vt_ev_kind k)
{
	switch (k) {
	case VT_EV_LR_RUN:
		/* (the event's own fields first: most runs end here) */
		if (ev->run.eoied && ev->run.in.eoi && !ev->run.in.hw)
			vt_mr_run(e, ev, st);
		break;
	case VT_EV_DEACT:
		vt_mr_deact(e, ev, st);
		break;
	case VT_EV_ACK:
		/* (the bus gives an ack only to an IRQ with the deadline) */
		vt_deadline_cancel(e, &vt_rule_missed_resample, ev->irq);
		break;
	default:
		break;
	}
}

#endif /* VT_RULE_MISSED_RESAMPLE_H */
