// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * migration.c - rule "migration".
 *
 * (1) One SPI loaded in a valid state in the LRs of two vCPUs at once
 *     (an entry of vCPU b while vCPU a is in a run holding it).
 * (2) An SPI retargeted while active or in an LR - however the retarget
 *     is written: GICD_IROUTER as one 64-bit write or its low 32-bit half
 *     (the high half at offset + 4 holds Aff3 only, which KVM ignores),
 *     GICD_ITARGETSR byte or word writes, or a target change seen only in
 *     irq_state records - then asserted, and not loaded pending in any LR
 *     afterwards: the Xen vgic_migrate_irq "lost for ever" case as it
 *     applies to KVM. The old target need not be known: the IRQ's place
 *     (the vCPU it is active on or in the LRs of) is where it moves from.
 *     The watch lasts until that delivery, not until the old vCPU's ack
 *     (the loss is an assertion after the EOI that the new target never
 *     gets). It is decided by the rest of the trace (delivered later: no
 *     finding; still undelivered at the end, longer than the ack wait
 *     scaled to this trace's own latencies: ERROR); live, after that
 *     scaled wait.
 */
#include <stdio.h>
#include "engine_internal.h"

enum { MG_STATE = 1, MG_IROUTER, MG_ITARGETSR };

static const char *how_name(uint8_t how)
{
	switch (how) {
	case MG_IROUTER:
		return "GICD_IROUTER write";
	case MG_ITARGETSR:
		return "GICD_ITARGETSR write";
	}
	return "target change in the vgic state";
}

static void in_two(struct vt_engine *e, const struct vt_ev *ev)
{
	const struct vt_rec_lr *r = ev->lrrec;
	struct vt_lr lr, other;
	struct vt_irq *irq;
	unsigned int i;
	size_t j;

	for (i = 0; i < r->used_lrs; i++) {
		vt_lr_decode(r->gic_version, r->lr[i], &lr);
		if (lr.state == VT_LR_INVALID || lr.vintid < VT_SPI_BASE ||
		    lr.vintid >= 1020)
			continue;
		for (j = 0; j < e->nr_vcpus; j++) {
			const struct vt_vcpu *v = e->vcpus[j];

			if (v == ev->vcpu || v->vm_id != ev->vcpu->vm_id ||
			    !vt_vcpu_holds(v, lr.vintid, &other))
				continue;
			irq = vt_irq_get(e, r->hdr.vm_id, lr.vintid);
			if (!irq || (irq->reported & (1u << vt_rule_migration.index)))
				continue;
			vt_irq_hist(irq, ev->ts, "entry vCPU%u LR%u %s while in LR of vCPU%u as %s",
				    ev->vcpu->vcpu_id, i, vt_lr_state_name(lr.state),
				    v->vcpu_id, vt_lr_state_name(other.state));
			vt_finding_add(e, &vt_rule_migration, VT_SEV_ERROR, irq,
				       ev->vcpu->vcpu_id, ev->ts,
				       "INTID %u in flight on two vCPUs at once: %s on vCPU%u and %s on vCPU%u",
				       lr.vintid, vt_lr_state_name(other.state),
				       v->vcpu_id, vt_lr_state_name(lr.state),
				       ev->vcpu->vcpu_id);
		}
	}
}

/* A pending entry after the assertion ends the watch: it was delivered. */
static void delivered(struct vt_engine *e, const struct vt_ev *ev)
{
	struct vt_lr lr;
	size_t i;

	for (i = 0; i < e->nr_irqs; i++) {
		struct vt_irq *irq = e->irqs[i];

		if (irq->mg_pending_ts && irq->vm_id == ev->vcpu->vm_id &&
		    vt_lrrec_holds(ev->lrrec, irq->intid, &lr) &&
		    (lr.state & VT_LR_P))
			irq->mg_ts = irq->mg_pending_ts = 0;
	}
}

static void never(struct vt_engine *e, struct vt_irq *irq, bool end)
{
	char from[16] = "an unknown vCPU", rt[32], at[32], ms[32], step[32];
	uint64_t ts = irq->mg_pending_ts;
	uint64_t longest = vt_rule_longest_step(e, end ? irq : NULL);

	if (irq->mg_from != VT_NO_VCPU)
		snprintf(from, sizeof(from), "vCPU%u", irq->mg_from);
	vt_fmt_ts(irq->mg_ts, rt, sizeof(rt));
	vt_fmt_ts(ts, at, sizeof(at));
	vt_rule_fmt_ms(e->now - ts, ms, sizeof(ms));
	vt_rule_fmt_ms(longest, step, sizeof(step));
	irq->mg_ts = irq->mg_pending_ts = 0;
	if (irq->reported & (1u << vt_rule_migration.index))
		return;
	vt_finding_add(e, &vt_rule_migration, VT_SEV_ERROR, irq, irq->mg_to, ts,
		       "INTID %u moved from %s to vCPU%u (%s at %s) while active/in an LR there, asserted at %s and not delivered on any vCPU %s (%s later; %s%s)",
		       irq->intid, from, irq->mg_to, how_name(irq->mg_how), rt,
		       at, end ? "until the trace ended" : "within the ack wait",
		       ms, longest ? "the longest delivery step in this trace is below " :
		       "no other delivery step measured", longest ? step : "");
}

/* Where the IRQ is now: the vCPU it is active on or in the LRs of. */
static uint32_t place(const struct vt_irq *irq)
{
	if (irq->active_vcpu != VT_NO_VCPU)
		return irq->active_vcpu;
	return irq->lr_vcpu;
}

static void mg_record(struct vt_engine *e, const struct vt_ev *ev)
{
	struct vt_irq *irq = ev->irq;
	const struct vt_hdr *rec = ev->rec;
	uint32_t from;
	uint8_t how;

	(void)e;
	if (!irq || irq->intid < VT_SPI_BASE || irq->intid >= 1020)
		return;
	switch (rec->type) {
	case VT_REC_MMIO:
		how = ((const struct vt_rec_mmio *)(const void *)rec)->reg ==
		      VT_MMIO_IROUTER ? MG_IROUTER : MG_ITARGETSR;
		if (((const struct vt_rec_mmio *)(const void *)rec)->reg !=
		    VT_MMIO_IROUTER &&
		    ((const struct vt_rec_mmio *)(const void *)rec)->reg !=
		    VT_MMIO_ITARGETSR)
			return;
		break;
	case VT_REC_IRQ_STATE:
		how = MG_STATE;
		/*
		 * Pending and no longer active after the move: it must be
		 * delivered. A line still high while the IRQ is active is the
		 * assertion being handled (the resample after the EOI drops it).
		 */
		if (irq->mg_ts && !irq->mg_pending_ts && !irq->active &&
		    (irq->line || irq->latch))
			irq->mg_pending_ts = ev->ts;
		break;
	case VT_REC_INJECT:
		if (irq->mg_ts && !irq->mg_pending_ts &&
		    ((const struct vt_rec_inject *)(const void *)rec)->level)
			irq->mg_pending_ts = ev->ts;
		return;
	default:
		return;
	}
	if (!irq->mg_retarget)
		return;
	irq->mg_retarget = false;
	from = irq->prev_target;
	/* a move matters only while the IRQ sits on a vCPU */
	if (!irq->was_active && irq->lr_vcpu == VT_NO_VCPU)
		return;
	if (place(irq) != VT_NO_VCPU)
		from = place(irq);
	else if (irq->active_vcpu == VT_NO_VCPU && irq->was_active &&
		 rec->type == VT_REC_IRQ_STATE)
		from = ((const struct vt_rec_irq_state *)(const void *)rec)->ap_vcpu;
	if (from == irq->mg_new_target)
		return;		/* where it already is */
	if (irq->mg_ts && irq->mg_to == irq->mg_new_target)
		return;		/* the state record of the same move */
	irq->mg_ts = ev->ts;
	irq->mg_from = from;
	irq->mg_to = irq->mg_new_target;
	irq->mg_how = how;
	irq->mg_pending_ts = 0;	/* a P in the LR shows at its fold */
	vt_irq_hist(irq, ev->ts, "retarget vCPU%d -> vCPU%u while %s",
		    (int)from, irq->mg_to,
		    irq->was_active ? "active" : "in an LR");
}

static void mg_event(struct vt_engine *e, const struct vt_ev *ev)
{
	uint64_t wait = 0;
	size_t i;

	switch (ev->kind) {
	case VT_EV_FLUSH:
		in_two(e, ev);
		delivered(e, ev);
		break;
	case VT_EV_RECORD:
		mg_record(e, ev);
		break;
	case VT_EV_LR_RUN:
		/* folded back pending after the move: it must be loaded again */
		if (ev->irq->mg_ts && !ev->irq->mg_pending_ts &&
		    (ev->out.state & VT_LR_P))
			ev->irq->mg_pending_ts = ev->ts;
		break;
	case VT_EV_TICK:
		if (vt_rule_file_mode(e))
			break;	/* the rest of the trace decides */
		for (i = 0; i < e->nr_irqs; i++) {
			struct vt_irq *irq = e->irqs[i];

			if (!irq->mg_pending_ts ||
			    ev->ts - irq->mg_pending_ts <= e->opts.ack_wait_ns)
				continue;
			if (!wait)
				wait = vt_rule_wait(e, e->opts.ack_wait_ns, NULL);
			if (ev->ts - irq->mg_pending_ts > wait)
				never(e, irq, false);
		}
		break;
	default:
		break;
	}
}

static void mg_finish(struct vt_engine *e)
{
	size_t i;

	for (i = 0; i < e->nr_irqs; i++) {
		struct vt_irq *irq = e->irqs[i];
		uint64_t wait;

		if (!irq->mg_pending_ts)
			continue;
		wait = vt_rule_wait(e, e->opts.ack_wait_ns, irq);
		/* a trace that stops right after the assertion proves nothing */
		if (e->now - irq->mg_pending_ts > wait)
			never(e, irq, true);
	}
}

const struct vt_rule vt_rule_migration = {
	.name = "migration",
	.index = 5,
	.event = mg_event,
	.finish = mg_finish,
};
