/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * eoi_lost.h - rule "eoi-lost-lr-overflow" (eoi_lost.c): its event
 * hook, inline in the bus's dispatch of each kind (bus.c), where the
 * kind is a constant: an entry or exit costs a few tests, the slow
 * paths are calls.
 */
#ifndef VT_RULE_EOI_LOST_H
#define VT_RULE_EOI_LOST_H

#include "rule.h"

/* eoi_lost.c: the slow paths, out of line */
void vt_eo_full_entry(struct vt_engine *e, const struct vt_ev *ev);
void vt_eo_eoicount_exit(struct vt_engine *e, const struct vt_ev *ev);
void vt_eo_cancel(struct vt_engine *e, struct vt_irq *irq);

/*
 * Could an entry of @used LRs be full: nr_lrs() (vt_rule_nr_lrs() inline)
 * is known and @used reaches it? (vt_eo_full_entry() tests it again.)
 */
static inline bool vt_eo_entry_full(const struct vt_engine *e,
				    unsigned int used)
{
	unsigned int nr = e->seen_nr_lrs ? e->seen_nr_lrs : e->facts.nr_lrs;

	if (!nr) {
		nr = e->rec_nr_lrs > e->max_used_lrs ? e->rec_nr_lrs :
		     e->max_used_lrs;
		if (nr < 2)
			return false;
	}
	return used >= nr;
}

/**
 * vt_on_eoi_lost() - the rule's event hook
 * @e:		engine
 * @ev:		event
 * @st:		the rule's state of ev->irq (unused)
 * @k:		ev->kind (a constant where the bus inlines it)
 */
static inline void vt_on_eoi_lost(struct vt_engine *e, const struct vt_ev *ev,
				  void *st, const enum vt_ev_kind k)
{
	(void)st;
	if (__builtin_expect(k == VT_EV_FLUSH, 1)) {
		/* (full_entry()'s first tests inline: most entries are not full) */
		if (e->nr_active && vt_eo_entry_full(e, ev->lr->used))
			vt_eo_full_entry(e, ev);
	} else if (__builtin_expect(k == VT_EV_FOLD, 1)) {
		if (ev->lr->hcr_valid && ev->lr->eoicount)
			vt_eo_eoicount_exit(e, ev);
	} else if (k == VT_EV_LR_RUN) {
		if (ev->run.eoied)
			vt_eo_cancel(e, ev->irq);
	} else if (k == VT_EV_ACK || k == VT_EV_DEACT) {
		vt_eo_cancel(e, ev->irq);
	}
}

#endif /* VT_RULE_EOI_LOST_H */
