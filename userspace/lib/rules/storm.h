/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * storm.h - rule "storm" (storm.c): its per-IRQ state and its event
 * hook, inline in the bus's dispatch of each kind (bus.c), where the
 * kind is a constant: a cycle costs tests, the slow paths are calls.
 */
#ifndef VT_RULE_STORM_H
#define VT_RULE_STORM_H

#include "rule.h"

/* per-IRQ state: the re-fire cycles */
struct st_irq {
	uint64_t *ring;			/* last storm_per_sec + 1 cycle times */
	uint32_t head, n;
	bool resampled;			/* resample seen since last re-assert */
	uint32_t still_run;		/* consecutive still-asserted unmasks */
	uint64_t total;
};

/* storm.c: the slow paths, out of line */
void vt_st_still(struct vt_engine *e, const struct vt_ev *ev,
		 struct st_irq *s);
void vt_st_reassert(struct vt_engine *e, const struct vt_ev *ev,
		    struct st_irq *s);

/**
 * vt_on_storm() - the rule's event hook
 * @e:		engine
 * @ev:		event
 * @st:		the rule's state of ev->irq
 * @k:		ev->kind (a constant where the bus inlines it)
 */
static inline void vt_on_storm(struct vt_engine *e, const struct vt_ev *ev,
			       void *st, const enum vt_ev_kind k)
{
	struct st_irq *s = st;

	switch (k) {
	case VT_EV_RESAMPLE:
		s->resampled = true;
		break;
	case VT_EV_INJECT:
		if (ev->inject.level && s->resampled)
			vt_st_reassert(e, ev, s);
		break;
	case VT_EV_VFIO:
		if (ev->vfio.event == VT_VFIO_UNMASK_HANDLER) {
			if (ev->vfio.result != 1)
				s->still_run = 0;	/* (vt_st_still()'s) */
			else
				vt_st_still(e, ev, s);
		} else if (ev->vfio.event == VT_VFIO_HANDLER && s->resampled) {
			vt_st_reassert(e, ev, s);
		}
		break;
	default:
		break;
	}
}

#endif /* VT_RULE_STORM_H */
