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
#include <stdlib.h>
#include "eoi_lost.h"

/* per-IRQ state: out of the LRs while active (watched while armed) */
struct eo_irq {
	uint64_t ts;
	uint32_t vcpu;
};

#define EO(e, irq)	((struct eo_irq *)vt_rule_irq(e, &vt_rule_eoi_lost, irq))

bool vt_eoi_lost_watching(const struct vt_irq *irq)
{
	return vt_deadline_armed(irq, &vt_rule_eoi_lost) != 0;
}

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

static bool in_lrs(const struct vt_ev_lrs *l, const struct vt_irq *irq)
{
	unsigned int i;

	for (i = 0; i < l->used; i++)
		if (l->irq[i] == irq)
			return true;
	return false;
}

/* an entry with every LR used: active IRQs of the vCPU left outside */
/* (out of line, as vt_eo_eoicount_exit(): vt_on_eoi_lost() then saves no
 * registers) */
void vt_eo_full_entry(struct vt_engine *e, const struct vt_ev *ev)
{
	unsigned int nr;
	struct vt_irq *irq;
	bool inferred;
	size_t i;

	nr = nr_lrs(e, &inferred);
	if (!nr || ev->lr->used < nr)
		return;
	for (i = 0; i < e->nr_active; i++) {
		irq = e->active[i];
		if (irq->vm_id != ev->vcpu->vm_id ||
		    vt_eoi_lost_watching(irq) || irq->intid < VT_SPI_BASE ||
		    (!irq->level && !irq->resampled))
			continue;
		if (irq->active_vcpu != VT_NO_VCPU &&
		    irq->active_vcpu != ev->vcpu->vcpu_id)
			continue;
		if (in_lrs(ev->lr, irq))
			continue;
		EO(e, irq)->ts = ev->ts;
		EO(e, irq)->vcpu = ev->vcpu->vcpu_id;
		vt_deadline_arm(e, &vt_rule_eoi_lost, irq, ev->ts, NULL);
		vt_irq_hist(e, irq, ev->ts,
			    "active but in no LR of vCPU%u (all %u LRs used%s)",
			    ev->vcpu->vcpu_id, nr,
			    inferred ? ", number not recorded: inferred" : "");
	}
}

/* an exit with EOIcount: deactivations of IRQs that were in no LR */
void vt_eo_eoicount_exit(struct vt_engine *e, const struct vt_ev *ev)
{
	unsigned int eoicount = ev->lr->eoicount;
	struct vt_irq **v, *irq;
	bool fixed, inferred;
	size_t i, n;

	if (!ev->lr->hcr_valid || !eoicount)
		return;
	fixed = vt_eng_kernel_at_least(e, 6, 19);
	nr_lrs(e, &inferred);
	v = vt_deadline_list(e, &vt_rule_eoi_lost, &n);
	for (i = 0; i < n; i++) {
		irq = v[i];
		if (irq->vm_id != ev->vcpu->vm_id ||
		    EO(e, irq)->vcpu != ev->vcpu->vcpu_id ||
		    vt_reported(irq, &vt_rule_eoi_lost))
			continue;
		vt_irq_hist(e, irq, ev->ts, "exit vCPU%u EOIcount %u",
			    ev->vcpu->vcpu_id, eoicount);
		if (fixed)
			continue;	/* 6.19+ replays EOIcount: acks follow */
		vt_finding_add(e, &vt_rule_eoi_lost, VT_SEV_ERROR, irq,
			       EO(e, irq)->vcpu, ev->ts,
			       "guest deactivated %u IRQ(s) that were in no LR (EOIcount %u); INTID %u was active outside the LRs%s: kernels before 6.19 ignore EOIcount, the deactivation and its ack are lost",
			       eoicount, eoicount, irq->intid,
			       inferred ? " (LR count not recorded, inferred: rule degraded)" : "");
	}
	free(v);
}

/*
 * the watch ends (the bus calls the hook only for an IRQ watched: rare;
 * out of line, the dispatch that inlines vt_on_eoi_lost() saves no
 * register for it)
 */
__attribute__((noinline)) void vt_eo_cancel(struct vt_engine *e,
					    struct vt_irq *irq)
{
	vt_deadline_cancel(e, &vt_rule_eoi_lost, irq);
}

/* (the bus calls vt_on_eoi_lost() inline; this for the other callers) */
static void eo_event(struct vt_engine *e, const struct vt_ev *ev, void *st)
{
	vt_on_eoi_lost(e, ev, st, ev->kind);
}

static void eo_finish(struct vt_engine *e)
{
	struct vt_irq **v, *irq;
	bool inferred;
	size_t i, n;

	nr_lrs(e, &inferred);
	v = vt_deadline_list(e, &vt_rule_eoi_lost, &n);
	for (i = 0; i < n; i++) {
		irq = v[i];
		if (!irq->active || vt_reported(irq, &vt_rule_eoi_lost))
			continue;
		vt_finding_add(e, &vt_rule_eoi_lost, VT_SEV_ERROR, irq,
			       EO(e, irq)->vcpu, EO(e, irq)->ts,
			       "INTID %u was active outside the LRs of vCPU%u (all LRs used%s) and stayed active with no ack until the end of the trace: a deactivation lost to LR overflow",
			       irq->intid, EO(e, irq)->vcpu,
			       inferred ? "; LR count not recorded, inferred: rule degraded" : "");
	}
	free(v);
}

const struct vt_rule vt_rule_eoi_lost = {
	.name = "eoi-lost-lr-overflow",
	.index = VT_RULE_eoi_lost,
	VT_RULE_SUBS(eoi_lost),	/* (rules.def) */
	.hooks = { VT_HOOK_LR_FLUSH, VT_HOOK_ACK },
	.needs_fold = true,
	.irq_state = sizeof(struct eo_irq),
	.wait = VT_WAIT_NONE,
	.event = eo_event,
	.finish = eo_finish,
};
