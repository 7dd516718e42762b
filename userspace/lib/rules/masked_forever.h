/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * masked_forever.h - rule "intx-masked-forever" (masked_forever.c): its
 * per-IRQ state and its event hook, inline in the bus's dispatch of
 * each kind (bus.c), where the kind is a constant: a delivery cycle
 * costs tests, the slow paths are calls.
 */
#ifndef VT_RULE_MASKED_FOREVER_H
#define VT_RULE_MASKED_FOREVER_H

#include "rule.h"

/* per-IRQ state: a level line asserted through an irqfd */
struct mf_irq {
	uint64_t line_ts;		/* asserted, not de-asserted (0: low) */
	bool from_irqfd;
};

/*
 * per-device state: the mask already reported, and whether the irqfd of
 * its trigger key has no resamplefd (vt_irqfd_by_key(), asked at every
 * ack while masked: kept until an irqfd is added or the key changes)
 */
struct mf_dev {
	bool reported;
	uint64_t ts;			/* mask_ts of the reported mask */
	uint64_t fd_key;		/* trigger key @fd_nores is for */
	uint32_t fd_gen;		/* e->irqfd_gen + 1 then, 0: not known */
	bool fd_nores;			/* its irqfd exists, no resamplefd */
};

/* masked_forever.c: the slow paths, out of line */
void vt_mf_inject_low(struct vt_engine *e, const struct vt_ev *ev,
		      struct mf_irq *m);
void vt_mf_check(struct vt_engine *e, uint64_t now, bool end);
void vt_mf_ack_without_resampler(struct vt_engine *e, struct vt_irq *irq,
				 uint64_t ts);

/*
 * The rule's deadlines only fire from time, in live mode (mf_expire()):
 * a whole trace is judged at its end (mf_finish() walks every IRQ), so
 * there nothing arms or cancels one (two bus calls per delivery cycle).
 */
static inline bool vt_mf_live(const struct vt_engine *e)
{
	return e->opts.window_ns != VT_WINDOW_ALL;	/* !vt_rule_file_mode() */
}

static inline void vt_mf_line_low(struct vt_engine *e, struct vt_irq *irq,
				  struct mf_irq *m)
{
	m->line_ts = 0;
	if (vt_mf_live(e))
		vt_deadline_cancel(e, &vt_rule_masked_forever, irq);
}

/* (tests and calls only: a delivery cycle saves no register here) */
static inline void vt_mf_track_line(struct vt_engine *e,
				    const struct vt_ev *ev, struct mf_irq *m,
				    const enum vt_ev_kind k)
{
	struct vt_irq *irq = ev->irq;

	switch (k) {
	case VT_EV_RESAMPLE:
		vt_mf_line_low(e, irq, m);
		break;
	case VT_EV_IRQFD:
		/* a deassigned irqfd (VM shutting down) waits for nothing */
		if (ev->irqfd.deassign)
			vt_mf_line_low(e, irq, m);
		else
			m->from_irqfd = true;
		break;
	case VT_EV_INJECT:
		if (!ev->inject.level) {
			/* a low line: nothing to judge, no deadline armed */
			if (m->line_ts)
				vt_mf_inject_low(e, ev, m);
		} else if (!m->line_ts &&
			   (ev->inject.source == VT_SRC_IRQFD || m->from_irqfd)) {
			m->line_ts = ev->ts ? ev->ts : 1;
			if (vt_mf_live(e) &&
			    !vt_reported(irq, &vt_rule_masked_forever))
				vt_deadline_arm(e, &vt_rule_masked_forever, irq,
						m->line_ts, NULL);
		}
		break;
	default:
		break;
	}
}

/*
 * An ack of @irq that vt_mf_ack_without_resampler() would find nothing
 * in: its device masked, with the answer for its irqfd known (the same
 * trigger key, no irqfd added since) and that irqfd with a resamplefd.
 * (The ack of every masked VFIO cycle: no call.)
 */
static inline bool vt_mf_ack_quiet(const struct vt_engine *e,
				   const struct vt_irq *irq)
{
	const struct vt_dev *d = irq->dev;
	const struct mf_dev *md;

	if (!d || !d->masked)
		return false;
	md = (const void *)(d->priv + e->dev_off[VT_RULE_masked_forever]);
	return md->fd_gen == e->irqfd_gen + 1 &&
	       md->fd_key == d->trigger_key && !md->fd_nores;
}

/**
 * vt_on_masked_forever() - the rule's event hook
 * @e:		engine
 * @ev:		event
 * @st:		the rule's state of ev->irq (NULL without an IRQ)
 * @k:		ev->kind (a constant where the bus inlines it)
 */
static inline void vt_on_masked_forever(struct vt_engine *e,
					const struct vt_ev *ev, void *st,
					const enum vt_ev_kind k)
{
	if (k == VT_EV_ACK) {
		/* (its first tests inline) */
		if (!vt_reported(ev->irq, &vt_rule_masked_forever) &&
		    !vt_mf_ack_quiet(e, ev->irq))
			vt_mf_ack_without_resampler(e, ev->irq, ev->ts);
	} else if (k == VT_EV_TICK) {
		if (vt_mf_live(e))	/* a whole trace is judged at its end */
			vt_mf_check(e, ev->ts, false);
	} else if (ev->irq) {
		vt_mf_track_line(e, ev, st, k);
	}
}

#endif /* VT_RULE_MASKED_FOREVER_H */
