// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mmio_cleared.c - rule "mmio-state-cleared".
 *
 * The guest cleared the state of a resampled level IRQ through the
 * distributor instead of an EOI/DIR, and KVM does not notify the ack for
 * it (2014 ARM irqfd thread, Debian 6.1):
 *
 * GICD_ICACTIVER while the IRQ was active: KVM drops the active state
 * without kvm_notify_acked_irq(). The line stays asserted, so the IRQ is
 * delivered again; only the EOI of that second delivery acks it. The
 * finding says what the trace shows afterwards: re-delivered at T, acked
 * and unmasked at T (WARNING: one assertion, two interrupts), or no ack /
 * still masked at the end of the trace (ERROR).
 *
 * GICD_ICPENDR while the IRQ was pending: on a level SPI KVM's pending
 * state is line_level || pending_latch (vgic_irq_is_pending), ICPENDR
 * clears only the latch. With the line still asserted nothing is lost:
 * the IRQ stays pending and is delivered again (INFO: the device sees a
 * phantom interrupt if the guest acked it before the write). With the
 * line low (latch-only pending, the 2014 VFIO platform case) the
 * interrupt is gone: an anomaly when afterwards it is neither pending
 * nor active and no ack notification, unmask or re-delivery follows
 * (ERROR with VFIO masked, else WARNING).
 *
 * The watch ends with what the trace shows next; without the whole
 * trace (live), after the ack wait scaled to this trace's latencies.
 */
#include <stdio.h>
#include <stdlib.h>
#include "rule.h"

/* per-IRQ state: the write being watched (a deadline while armed) */
struct mc_irq {
	uint64_t ts;
	uint8_t reg;
	bool line;			/* line asserted after the write */
	bool masked;			/* VFIO masked at the write */
	uint64_t redeliver_ts, ack_ts, unmask_ts;
	uint8_t top;			/* highest severity reported + 1 */
	uint64_t icen;			/* ICENABLER writes before the write */
};

#define MC(e, irq)	((struct mc_irq *)vt_rule_irq(e, &vt_rule_mmio_cleared, irq))

static bool mc_hit(const struct vt_irq *irq, uint8_t reg)
{
	if (!irq->resampled && !irq->dev)
		return false;
	if (reg == VT_MMIO_ICACTIVER)
		return irq->was_active;
	return irq->line || irq->latch || (irq->dev && irq->dev->masked);
}

/* one finding per IRQ, unless a later one is more severe */
#define add(e, irq, sev, fmt, a, b) do {				\
	struct mc_irq *m_ = MC(e, irq);					\
	char ts_[32];							\
									\
	vt_deadline_cancel(e, &vt_rule_mmio_cleared, irq);		\
	if (m_->top <= (sev)) {						\
		m_->top = (uint8_t)((sev) + 1);				\
		vt_fmt_ts(m_->ts, ts_, sizeof(ts_));			\
		vt_finding_add(e, &vt_rule_mmio_cleared, sev, irq,	\
			       VT_NO_VCPU, m_->ts, fmt,			\
			       vt_mmio_reg_name(m_->reg), ts_,		\
			       (irq)->intid, a, b);			\
	}								\
} while (0)

/* "re-delivered at T" / "not delivered again" and the ack/unmask part */
static void after(const struct vt_engine *e, struct vt_irq *irq,
		  bool end, char *d, size_t dl, char *r, size_t rl)
{
	char t1[32], t2[32], t3[32], ms[32];
	bool masked = irq->dev && irq->dev->masked;
	/* live: e->now is the tick, not the end */
	const char *when = end ? "at the end of the trace" : "so far";

	if (MC(e, irq)->redeliver_ts) {
		vt_fmt_ts(MC(e, irq)->redeliver_ts, t1, sizeof(t1));
		snprintf(d, dl, "delivered again at %s", t1);
	} else {
		snprintf(d, dl, "not delivered again");
	}
	vt_rule_fmt_ms(e->now - MC(e, irq)->ts, ms, sizeof(ms));

	if (MC(e, irq)->ack_ts) {
		vt_fmt_ts(MC(e, irq)->ack_ts, t2, sizeof(t2));
		if (irq->dev && MC(e, irq)->unmask_ts) {
			vt_fmt_ts(MC(e, irq)->unmask_ts, t3, sizeof(t3));
			snprintf(r, rl, "acked only with a later EOI at %s, VFIO unmasked at %s", t2, t3);
		} else if (irq->dev) {
			snprintf(r, rl, "acked at %s, but VFIO still masked %s (%s after the write)", t2, when, ms);
		} else {
			snprintf(r, rl, "acked only with a later EOI at %s", t2);
		}
	} else {
		snprintf(r, rl, "no ack notification%s %s (%s after the write)",
			 masked ? " and VFIO still masked" :
			 irq->resampled ? " or resample (line never de-asserted)" : "",
			 when, ms);
	}
}

/* ICACTIVER: decided once acked (and unmasked), or at the end. */
static void active_verdict(struct vt_engine *e, struct vt_irq *irq, bool end)
{
	char d[80], r[200];
	bool recovered = MC(e, irq)->ack_ts &&
			 (!irq->dev || MC(e, irq)->unmask_ts || !MC(e, irq)->masked);

	if (!recovered && !end)
		return;
	after(e, irq, end && vt_rule_file_mode(e), d, sizeof(d), r, sizeof(r));
	add(e, irq, recovered ? VT_SEV_WARNING : VT_SEV_ERROR,
	    "guest GICD_%s write at %s deactivated resampled INTID %u without an ack notification; the line stayed asserted: %s, %s",
	    d, r);
}

/* ICPENDR: decided at the re-delivery, an ack/unmask, or the end. */
static void pending_verdict(struct vt_engine *e, struct vt_irq *irq, bool end)
{
	char d[80], r[200];

	if (MC(e, irq)->redeliver_ts) {
		char t[32];

		if (!MC(e, irq)->line) {
			vt_deadline_cancel(e, &vt_rule_mmio_cleared, irq);	/* still pending after all */
			return;
		}
		vt_fmt_ts(MC(e, irq)->redeliver_ts, t, sizeof(t));
		add(e, irq, VT_SEV_INFO,
		    "guest GICD_%s write at %s for level INTID %u while its line was asserted: KVM keeps it pending (line_level || latch; only the latch was cleared) and %s%s: the device sees a phantom interrupt if the guest acked it before the write",
		    "delivered it again at ", t);
		return;
	}
	if (MC(e, irq)->ack_ts || MC(e, irq)->unmask_ts) {
		vt_deadline_cancel(e, &vt_rule_mmio_cleared, irq);	/* the chain went on: nothing lost */
		return;
	}
	if (!end)
		return;
	/*
	 * Line asserted, yet never delivered again, acked or unmasked long
	 * after the write (and the guest did not disable it): the trace
	 * contradicts "still pending"; the pending state was lost (a kernel
	 * whose ICPENDR clears a level line's pending state, or the line
	 * dropped unseen).
	 */
	if (MC(e, irq)->line && irq->cnt.mmio[VT_MMIO_ICENABLER] == MC(e, irq)->icen &&
	    e->now - MC(e, irq)->ts > vt_rule_wait(e, e->opts.ack_wait_ns, irq)) {
		after(e, irq, vt_rule_file_mode(e), d, sizeof(d), r, sizeof(r));
		add(e, irq, MC(e, irq)->masked || (irq->dev && irq->dev->masked) ?
		    VT_SEV_ERROR : VT_SEV_WARNING,
		    "guest GICD_%s write at %s for resampled INTID %u while its line was asserted, then it was lost: %s, %s",
		    d, r);
		return;
	}
	if (MC(e, irq)->line) {
		add(e, irq, VT_SEV_INFO,
		    "guest GICD_%s write at %s for level INTID %u while its line was asserted: KVM keeps it pending (line_level || latch; only the latch was cleared)%s, not delivered again %s",
		    irq->cnt.mmio[VT_MMIO_ICENABLER] > MC(e, irq)->icen ?
		    ": still pending while the guest has it disabled" :
		    ": still pending",
		    vt_rule_file_mode(e) ? "before the trace ended" :
		    "within the ack wait");
		return;
	}
	after(e, irq, vt_rule_file_mode(e), d, sizeof(d), r, sizeof(r));
	add(e, irq, MC(e, irq)->masked || (irq->dev && irq->dev->masked) ?
	    VT_SEV_ERROR : VT_SEV_WARNING,
	    "guest GICD_%s write at %s cleared the pending latch of resampled INTID %u while its line was low: the interrupt is lost (neither pending nor active afterwards), %s, %s",
	    d, r);
}

static void verdict(struct vt_engine *e, struct vt_irq *irq, bool end)
{
	if (!vt_deadline_armed(irq, &vt_rule_mmio_cleared))
		return;
	if (MC(e, irq)->reg == VT_MMIO_ICACTIVER)
		active_verdict(e, irq, end);
	else
		pending_verdict(e, irq, end);
}

static void mc_record(struct vt_engine *e, const struct vt_ev *ev,
		      struct mc_irq *m)
{
	struct vt_irq *irq = ev->irq;
	bool waiting = vt_deadline_armed(irq, &vt_rule_mmio_cleared);

	switch (ev->kind) {
	case VT_EV_MMIO:
		if (ev->mmio.reg != VT_MMIO_ICACTIVER &&
		    ev->mmio.reg != VT_MMIO_ICPENDR)
			return;
		if (waiting || !mc_hit(irq, ev->mmio.reg))
			return;
		vt_deadline_arm(e, &vt_rule_mmio_cleared, irq, ev->ts, NULL);
		m->ts = ev->ts;
		m->reg = ev->mmio.reg;
		m->line = irq->line;	/* ICPENDR leaves the line */
		m->masked = irq->dev && irq->dev->masked;
		m->redeliver_ts = m->ack_ts = m->unmask_ts = 0;
		m->icen = irq->cnt.mmio[VT_MMIO_ICENABLER];
		break;
	case VT_EV_STATE:
		/* the state after the write: what is really still pending */
		if (waiting && !m->redeliver_ts && !m->ack_ts)
			m->line = irq->line ||
				  (irq->latch && m->reg == VT_MMIO_ICACTIVER);
		break;
	case VT_EV_INJECT:
		if (waiting && !m->redeliver_ts)
			m->line = irq->line;
		break;
	case VT_EV_RESAMPLE:
		if (waiting && !irq->dev && m->ack_ts && !m->unmask_ts)
			m->unmask_ts = ev->ts;
		break;
	case VT_EV_VFIO:
		if (waiting && irq->dev && !irq->dev->masked &&
		    irq->last_unmask_ts == ev->ts && !m->unmask_ts)
			m->unmask_ts = ev->ts;
		break;
	default:
		return;
	}
	verdict(e, irq, false);
}

static void mc_event(struct vt_engine *e, const struct vt_ev *ev, void *st)
{
	struct vt_irq *irq = ev->irq;
	struct mc_irq *m = st;
	unsigned int idx[VT_MAX_LR], i, n;

	switch (ev->kind) {
	case VT_EV_ACK:
		if (vt_deadline_armed(irq, &vt_rule_mmio_cleared) && !m->ack_ts)
			m->ack_ts = ev->ts;
		verdict(e, irq, false);
		break;
	case VT_EV_FLUSH:
		/* delivered again: loaded pending in this entry */
		if (!e->armed[vt_rule_mmio_cleared.index].n)
			break;	/* no IRQ waits (the armed list holds them all) */
		n = vt_rule_lr_order(ev->lr, idx);
		for (i = 0; i < n; i++) {
			irq = ev->lr->irq[idx[i]];
			m = MC(e, irq);
			if (vt_deadline_armed(irq, &vt_rule_mmio_cleared) &&
			    !m->redeliver_ts && (ev->lr->lr[idx[i]].state & VT_LR_P)) {
				m->redeliver_ts = ev->ts;
				verdict(e, irq, false);
			}
		}
		break;
	default:
		mc_record(e, ev, m);
		break;
	}
}

/* live: the scaled ack wait passed */
static bool mc_expire(struct vt_engine *e, struct vt_irq *irq, void *st,
		      enum vt_expire why)
{
	(void)st;
	(void)why;
	verdict(e, irq, true);
	return true;
}

static void mc_finish(struct vt_engine *e)
{
	struct vt_irq **v;
	size_t i, n;

	v = vt_deadline_list(e, &vt_rule_mmio_cleared, &n);
	for (i = 0; i < n; i++)
		verdict(e, v[i], true);
	free(v);
}

const struct vt_rule vt_rule_mmio_cleared = {
	.name = "mmio-state-cleared",
	.index = VT_RULE_mmio_cleared,
	VT_RULE_SUBS(mmio_cleared),	/* (rules.def) */
	.hooks = { VT_HOOK_MMIO_PENDING, VT_HOOK_MMIO_ACTIVE, VT_HOOK_ACK },
	.irq_state = sizeof(struct mc_irq),
	.wait = VT_WAIT_ACK,
	.event = mc_event,
	.expire = mc_expire,
	.finish = mc_finish,
};
