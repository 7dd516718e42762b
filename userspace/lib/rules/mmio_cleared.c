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
#include "engine_internal.h"

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
	char ts_[32];							\
									\
	(irq)->mc_wait = false;						\
	if ((irq)->mc_sev <= (sev)) {					\
		(irq)->mc_sev = (uint8_t)((sev) + 1);			\
		vt_fmt_ts((irq)->mc_ts, ts_, sizeof(ts_));		\
		vt_finding_add(e, &vt_rule_mmio_cleared, sev, irq,	\
			       VT_NO_VCPU, (irq)->mc_ts, fmt,		\
			       vt_mmio_reg_name((irq)->mc_reg), ts_,	\
			       (irq)->intid, a, b);			\
	}								\
} while (0)

/* "re-delivered at T" / "not delivered again" and the ack/unmask part */
static void after(const struct vt_engine *e, const struct vt_irq *irq,
		  bool end, char *d, size_t dl, char *r, size_t rl)
{
	char t1[32], t2[32], t3[32], ms[32];
	bool masked = irq->dev && irq->dev->masked;
	/* live: e->now is the tick, not the end */
	const char *when = end ? "at the end of the trace" : "so far";

	if (irq->mc_redeliver_ts) {
		vt_fmt_ts(irq->mc_redeliver_ts, t1, sizeof(t1));
		snprintf(d, dl, "delivered again at %s", t1);
	} else {
		snprintf(d, dl, "not delivered again");
	}
	vt_rule_fmt_ms(e->now - irq->mc_ts, ms, sizeof(ms));

	if (irq->mc_ack_ts) {
		vt_fmt_ts(irq->mc_ack_ts, t2, sizeof(t2));
		if (irq->dev && irq->mc_unmask_ts) {
			vt_fmt_ts(irq->mc_unmask_ts, t3, sizeof(t3));
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
	bool recovered = irq->mc_ack_ts &&
			 (!irq->dev || irq->mc_unmask_ts || !irq->mc_masked);

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

	if (irq->mc_redeliver_ts) {
		char t[32];

		if (!irq->mc_line) {
			irq->mc_wait = false;	/* still pending after all */
			return;
		}
		vt_fmt_ts(irq->mc_redeliver_ts, t, sizeof(t));
		add(e, irq, VT_SEV_INFO,
		    "guest GICD_%s write at %s for level INTID %u while its line was asserted: KVM keeps it pending (line_level || latch; only the latch was cleared) and %s%s: the device sees a phantom interrupt if the guest acked it before the write",
		    "delivered it again at ", t);
		return;
	}
	if (irq->mc_ack_ts || irq->mc_unmask_ts) {
		irq->mc_wait = false;	/* the chain went on: nothing lost */
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
	if (irq->mc_line && irq->cnt.mmio[VT_MMIO_ICENABLER] == irq->mc_icen &&
	    e->now - irq->mc_ts > vt_rule_wait(e, e->opts.ack_wait_ns, irq)) {
		after(e, irq, vt_rule_file_mode(e), d, sizeof(d), r, sizeof(r));
		add(e, irq, irq->mc_masked || (irq->dev && irq->dev->masked) ?
		    VT_SEV_ERROR : VT_SEV_WARNING,
		    "guest GICD_%s write at %s for resampled INTID %u while its line was asserted, then it was lost: %s, %s",
		    d, r);
		return;
	}
	if (irq->mc_line) {
		add(e, irq, VT_SEV_INFO,
		    "guest GICD_%s write at %s for level INTID %u while its line was asserted: KVM keeps it pending (line_level || latch; only the latch was cleared)%s, not delivered again %s",
		    irq->cnt.mmio[VT_MMIO_ICENABLER] > irq->mc_icen ?
		    ": still pending while the guest has it disabled" :
		    ": still pending",
		    vt_rule_file_mode(e) ? "before the trace ended" :
		    "within the ack wait");
		return;
	}
	after(e, irq, vt_rule_file_mode(e), d, sizeof(d), r, sizeof(r));
	add(e, irq, irq->mc_masked || (irq->dev && irq->dev->masked) ?
	    VT_SEV_ERROR : VT_SEV_WARNING,
	    "guest GICD_%s write at %s cleared the pending latch of resampled INTID %u while its line was low: the interrupt is lost (neither pending nor active afterwards), %s, %s",
	    d, r);
}

static void verdict(struct vt_engine *e, struct vt_irq *irq, bool end)
{
	if (!irq->mc_wait)
		return;
	if (irq->mc_reg == VT_MMIO_ICACTIVER)
		active_verdict(e, irq, end);
	else
		pending_verdict(e, irq, end);
}

static void mc_record(struct vt_engine *e, const struct vt_ev *ev)
{
	struct vt_irq *irq = ev->irq;
	const struct vt_rec_mmio *m;

	switch (ev->rec->type) {
	case VT_REC_MMIO:
		m = (const void *)ev->rec;
		if (m->reg != VT_MMIO_ICACTIVER && m->reg != VT_MMIO_ICPENDR)
			return;
		if (irq->mc_wait || !mc_hit(irq, m->reg))
			return;
		irq->mc_wait = true;
		irq->mc_ts = ev->ts;
		irq->mc_reg = m->reg;
		irq->mc_line = irq->line;	/* ICPENDR leaves the line */
		irq->mc_masked = irq->dev && irq->dev->masked;
		irq->mc_redeliver_ts = irq->mc_ack_ts = irq->mc_unmask_ts = 0;
		irq->mc_icen = irq->cnt.mmio[VT_MMIO_ICENABLER];
		break;
	case VT_REC_IRQ_STATE:
		/* the state after the write: what is really still pending */
		if (irq->mc_wait && !irq->mc_redeliver_ts && !irq->mc_ack_ts)
			irq->mc_line = irq->line ||
				       (irq->latch && irq->mc_reg == VT_MMIO_ICACTIVER);
		break;
	case VT_REC_INJECT:
		if (irq->mc_wait && !irq->mc_redeliver_ts)
			irq->mc_line = irq->line;
		break;
	case VT_REC_RESAMPLE:
		if (irq->mc_wait && !irq->dev && irq->mc_ack_ts &&
		    !irq->mc_unmask_ts)
			irq->mc_unmask_ts = ev->ts;
		break;
	case VT_REC_VFIO:
		if (irq->mc_wait && irq->dev && !irq->dev->masked &&
		    irq->last_unmask_ts == ev->ts && !irq->mc_unmask_ts)
			irq->mc_unmask_ts = ev->ts;
		break;
	default:
		return;
	}
	verdict(e, irq, false);
}

static void mc_event(struct vt_engine *e, const struct vt_ev *ev)
{
	struct vt_irq *irq = ev->irq;
	struct vt_lr lr;
	uint64_t wait;
	size_t i;

	switch (ev->kind) {
	case VT_EV_RECORD:
		if (irq)
			mc_record(e, ev);
		break;
	case VT_EV_ACK:
		if (irq->mc_wait && !irq->mc_ack_ts)
			irq->mc_ack_ts = ev->ts;
		verdict(e, irq, false);
		break;
	case VT_EV_FLUSH:
		for (i = 0; i < e->nr_irqs; i++) {
			irq = e->irqs[i];
			if (irq->mc_wait && !irq->mc_redeliver_ts &&
			    irq->vm_id == ev->vcpu->vm_id &&
			    vt_lrrec_holds(ev->lrrec, irq->intid, &lr) &&
			    (lr.state & VT_LR_P)) {
				irq->mc_redeliver_ts = ev->ts;
				verdict(e, irq, false);
			}
		}
		break;
	case VT_EV_TICK:
		if (vt_rule_file_mode(e))
			break;	/* the rest of the trace decides */
		wait = 0;
		for (i = 0; i < e->nr_irqs; i++) {
			irq = e->irqs[i];
			if (!irq->mc_wait || ev->ts - irq->mc_ts <= e->opts.ack_wait_ns)
				continue;
			if (!wait)
				wait = vt_rule_wait(e, e->opts.ack_wait_ns, NULL);
			if (ev->ts - irq->mc_ts > wait)
				verdict(e, irq, true);
		}
		break;
	default:
		break;
	}
}

static void mc_finish(struct vt_engine *e)
{
	size_t i;

	for (i = 0; i < e->nr_irqs; i++)
		verdict(e, e->irqs[i], true);
}

const struct vt_rule vt_rule_mmio_cleared = {
	.name = "mmio-state-cleared",
	.index = 2,
	.event = mc_event,
	.finish = mc_finish,
};
