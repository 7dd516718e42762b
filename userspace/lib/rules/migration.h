/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * migration.h - rule "migration" (migration.c): its per-IRQ state and
 * its event hook, inline in the bus's dispatch of each kind (bus.c),
 * where the kind is a constant: most events cost a test or two, the
 * slow paths are calls.
 */
#ifndef VT_RULE_MIGRATION_H
#define VT_RULE_MIGRATION_H

#include "rule.h"

/* per-IRQ state: a move while active/in an LR, and the assertion after */
struct mg_irq {
	uint64_t ts;			/* retargeted while active (0: none) */
	uint32_t from, to;
	uint64_t pending_ts;		/* asserted after it (the deadline) */
	uint8_t how;			/* how the retarget was written */
};

/* migration.c: the slow paths, out of line */
void vt_mg_in_two(struct vt_engine *e, const struct vt_ev *ev);
void vt_mg_delivered(struct vt_engine *e, const struct vt_ev *ev);
void vt_mg_record(struct vt_engine *e, const struct vt_ev *ev,
		  struct mg_irq *m);
void vt_mg_pending(struct vt_engine *e, struct vt_irq *irq, struct mg_irq *m,
		   uint64_t ts);

/*
 * vt_mg_in_two()'s filter: does an IRQ of the entry that it looks at (an
 * SPI not reported yet) have a holder at all (other_holder() finds none
 * otherwise)? Most entries: no call. (Nor for a PPI, SGI or LPI held by
 * several vCPUs of a VM, or an SPI reported already.)
 */
static inline bool vt_mg_held_elsewhere(const struct vt_ev_lrs *l)
{
	const struct vt_irq *irq;
	unsigned int i;

	for (i = 0; i < l->used; i++) {
		irq = l->irq[i];
		if (irq && (irq->nr_holders || irq->holders_overflow) &&
		    l->lr[i].vintid - VT_SPI_BASE < 1020 - VT_SPI_BASE &&
		    !(irq->reported & (1u << VT_RULE_migration)))
			return true;
	}
	return false;
}

/**
 * vt_on_migration() - the rule's event hook
 * @e:		engine
 * @ev:		event
 * @st:		the rule's state of ev->irq (NULL for FLUSH)
 * @k:		ev->kind (a constant where the bus inlines it)
 */
static inline void vt_on_migration(struct vt_engine *e,
				   const struct vt_ev *ev, void *st,
				   const enum vt_ev_kind k)
{
	struct mg_irq *m = st;

	switch (k) {
	case VT_EV_FLUSH:
		if (vt_mg_held_elsewhere(ev->lr))
			vt_mg_in_two(e, ev);
		if (e->armed[VT_RULE_migration].n)
			vt_mg_delivered(e, ev);
		break;
	case VT_EV_LR_RUN:
		/* folded back pending after the move: it must be loaded again */
		if (m->ts && !m->pending_ts && (ev->run.out.state & VT_LR_P))
			vt_mg_pending(e, ev->irq, m, ev->ts);
		break;
	case VT_EV_INJECT:
		/* (vt_mg_record() acts on an inject only after a move) */
		if (m->ts)
			vt_mg_record(e, ev, m);
		break;
	default:
		vt_mg_record(e, ev, m);
		break;
	}
}

#endif /* VT_RULE_MIGRATION_H */
