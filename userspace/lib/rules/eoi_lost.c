// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * eoi_lost.c - rule "eoi-lost-lr-overflow".
 *
 * A level (or resampled) SPI is active on a vCPU but absent from its
 * LRs at an entry where every LR is in use: the guest may deactivate it
 * (EOImode=1 DIR, or EOI) with no LR to record it, and only
 * ICH_HCR_EL2.EOIcount counts it. Kernels before 6.19 ignore EOIcount,
 * so the deactivation and its ack notification are lost.
 * Finding when a later exit shows EOIcount > 0 on a kernel before 6.19
 * (6.19+ replays EOIcount and acks: no finding unless the IRQ then stays
 * active), or at the end of the trace when the IRQ is still active and
 * was never acked after leaving the LRs (ERROR, any kernel).
 * The number of LRs is the one a producer recorded (VT_META_NR_LRS or
 * the file header). Without it the rule is degraded: it takes the
 * largest count an LR record or a full entry suggests, and says so.
 * A 6.19+ deactivation outside the LRs (VT_REC_DEACTIVATE DIR/EOIcount)
 * ends the watch: the deactivation was not lost (missed-resample checks
 * its ack).
 */
#include "engine_internal.h"

/* LRs implemented: recorded, or (@inferred) the best guess from records */
static unsigned int nr_lrs(const struct vt_engine *e, bool *inferred)
{
	unsigned int nr = vt_rule_nr_lrs(e);

	*inferred = !nr;
	if (nr)
		return nr;
	nr = e->rec_nr_lrs > e->max_used_lrs ? e->rec_nr_lrs : e->max_used_lrs;
	return nr >= 2 ? nr : 0;
}

static void eo_event(struct vt_engine *e, const struct vt_ev *ev)
{
	const struct vt_rec_lr *r = ev->lrrec;
	unsigned int nr, eoicount;
	struct vt_irq *irq;
	bool fixed, inferred;
	size_t i;

	switch (ev->kind) {
	case VT_EV_FLUSH:
		nr = nr_lrs(e, &inferred);
		if (!nr || r->used_lrs < nr)
			return;
		for (i = 0; i < e->nr_irqs; i++) {
			irq = e->irqs[i];
			if (irq->vm_id != ev->vcpu->vm_id || !irq->active ||
			    irq->ol_ts || irq->intid < VT_SPI_BASE ||
			    (!irq->level && !irq->resampled))
				continue;
			if (irq->active_vcpu != VT_NO_VCPU &&
			    irq->active_vcpu != ev->vcpu->vcpu_id)
				continue;
			if (vt_lrrec_holds(r, irq->intid, NULL))
				continue;
			irq->ol_ts = ev->ts;
			irq->ol_vcpu = ev->vcpu->vcpu_id;
			vt_irq_hist(irq, ev->ts,
				    "active but in no LR of vCPU%u (all %u LRs used%s)",
				    ev->vcpu->vcpu_id, nr,
				    inferred ? ", number not recorded: inferred" : "");
		}
		break;
	case VT_EV_FOLD:
		if (!(r->flags & VT_LR_F_HCR_VALID))
			return;
		eoicount = (r->hcr >> 27) & 0x1f;
		if (!eoicount)
			return;
		fixed = vt_eng_kernel_at_least(e, 6, 19);
		nr_lrs(e, &inferred);
		for (i = 0; i < e->nr_irqs; i++) {
			irq = e->irqs[i];
			if (!irq->ol_ts || irq->vm_id != ev->vcpu->vm_id ||
			    irq->ol_vcpu != ev->vcpu->vcpu_id ||
			    (irq->reported & (1u << vt_rule_eoi_lost.index)))
				continue;
			vt_irq_hist(irq, ev->ts, "exit vCPU%u EOIcount %u",
				    ev->vcpu->vcpu_id, eoicount);
			if (fixed)
				continue;	/* 6.19+ replays EOIcount: acks follow */
			vt_finding_add(e, &vt_rule_eoi_lost, VT_SEV_ERROR, irq,
				       irq->ol_vcpu, ev->ts,
				       "guest deactivated %u IRQ(s) that were in no LR (EOIcount %u); INTID %u was active outside the LRs%s: kernels before 6.19 ignore EOIcount, the deactivation and its ack are lost",
				       eoicount, eoicount, irq->intid,
				       inferred ? " (LR count not recorded, inferred: rule degraded)" : "");
		}
		break;
	case VT_EV_ACK:
		ev->irq->ol_ts = 0;
		break;
	case VT_EV_LR_RUN:
		if (ev->eoied)
			ev->irq->ol_ts = 0;
		break;
	case VT_EV_DEACT:
		ev->irq->ol_ts = 0;
		break;
	default:
		break;
	}
}

static void eo_finish(struct vt_engine *e)
{
	struct vt_irq *irq;
	bool inferred;
	size_t i;

	nr_lrs(e, &inferred);
	for (i = 0; i < e->nr_irqs; i++) {
		irq = e->irqs[i];
		if (!irq->ol_ts || !irq->active ||
		    (irq->reported & (1u << vt_rule_eoi_lost.index)))
			continue;
		vt_finding_add(e, &vt_rule_eoi_lost, VT_SEV_ERROR, irq,
			       irq->ol_vcpu, irq->ol_ts,
			       "INTID %u was active outside the LRs of vCPU%u (all LRs used%s) and stayed active with no ack until the end of the trace: a deactivation lost to LR overflow",
			       irq->intid, irq->ol_vcpu,
			       inferred ? "; LR count not recorded, inferred: rule degraded" : "");
	}
}

const struct vt_rule vt_rule_eoi_lost = {
	.name = "eoi-lost-lr-overflow",
	.index = 3,
	.event = eo_event,
	.finish = eo_finish,
};
