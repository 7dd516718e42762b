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
#include <stdlib.h>
#include "migration.h"

enum { MG_STATE = 1, MG_IROUTER, MG_ITARGETSR };

#define MG(e, irq)	((struct mg_irq *)vt_rule_irq(e, &vt_rule_migration, irq))

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

/* the first vCPU (creation order) other than @self whose run holds @irq */
static struct vt_vcpu *other_holder(struct vt_engine *e, struct vt_irq *irq,
				    const struct vt_vcpu *self,
				    struct vt_lr *other)
{
	struct vt_vcpu *best = NULL, *v;
	struct vt_lr lr;
	size_t j;

	if (irq->holders_overflow) {
		for (j = 0; j < e->nr_vcpus; j++) {
			v = e->vcpus[j];
			if (v != self && v->vm_id == self->vm_id &&
			    vt_vcpu_holds(v, irq->intid, other))
				return v;
		}
		return NULL;
	}
	for (j = 0; j < irq->nr_holders; j++) {
		v = irq->holder[j];
		if (v == self || v->vm_id != self->vm_id ||
		    (best && best->idx < v->idx) ||
		    !vt_vcpu_holds(v, irq->intid, &lr))
			continue;
		best = v;
		*other = lr;
	}
	return best;
}

/* (out of line, as vt_mg_delivered(), vt_mg_record(): vt_on_migration()
 * saves no registers) */
void vt_mg_in_two(struct vt_engine *e, const struct vt_ev *ev)
{
	const struct vt_ev_lrs *l = ev->lr;
	struct vt_lr other;
	struct vt_vcpu *v;
	struct vt_irq *irq;
	unsigned int i;

	for (i = 0; i < l->used; i++) {
		const struct vt_lr *lr = &l->lr[i];

		irq = l->irq[i];
		if (!irq || lr->vintid < VT_SPI_BASE || lr->vintid >= 1020 ||
		    vt_reported(irq, &vt_rule_migration))
			continue;
		v = other_holder(e, irq, ev->vcpu, &other);
		if (!v)
			continue;
		vt_irq_hist(e, irq, ev->ts, "entry vCPU%u LR%u %s while in LR of vCPU%u as %s",
			    ev->vcpu->vcpu_id, i, vt_lr_state_name(lr->state),
			    v->vcpu_id, vt_lr_state_name(other.state));
		vt_finding_add(e, &vt_rule_migration, VT_SEV_ERROR, irq,
			       ev->vcpu->vcpu_id, ev->ts,
			       "INTID %u in flight on two vCPUs at once: %s on vCPU%u and %s on vCPU%u",
			       lr->vintid, vt_lr_state_name(other.state),
			       v->vcpu_id, vt_lr_state_name(lr->state),
			       ev->vcpu->vcpu_id);
	}
}

static void clear(struct vt_engine *e, struct vt_irq *irq, struct mg_irq *m)
{
	m->ts = m->pending_ts = 0;
	vt_deadline_cancel(e, &vt_rule_migration, irq);
}

/*
 * asserted after the move: it must be delivered (the deadline). Out of
 * line: rare, and the dispatch of an LR run that inlines
 * vt_on_migration() then saves no register.
 */
__attribute__((noinline)) void
vt_mg_pending(struct vt_engine *e, struct vt_irq *irq, struct mg_irq *m,
	      uint64_t ts)
{
	m->pending_ts = ts;
	vt_deadline_arm(e, &vt_rule_migration, irq, ts, NULL);
}

/* A pending entry after the assertion ends the watch: it was delivered. */
void vt_mg_delivered(struct vt_engine *e, const struct vt_ev *ev)
{
	unsigned int idx[VT_MAX_LR], i, n;
	struct vt_irq *irq;

	if (!e->armed[vt_rule_migration.index].n)
		return;	/* nothing asserted after a move (each such IRQ is armed) */
	n = vt_rule_lr_order(ev->lr, idx);
	for (i = 0; i < n; i++) {
		irq = ev->lr->irq[idx[i]];
		if (MG(e, irq)->pending_ts && (ev->lr->lr[idx[i]].state & VT_LR_P))
			clear(e, irq, MG(e, irq));
	}
}

static void never(struct vt_engine *e, struct vt_irq *irq, bool end)
{
	struct mg_irq *m = MG(e, irq);
	char from[16] = "an unknown vCPU", rt[32], at[32], ms[32], step[32];
	uint64_t ts = m->pending_ts;
	uint64_t longest = vt_rule_longest_step(e, end ? irq : NULL);

	if (m->from != VT_NO_VCPU)
		snprintf(from, sizeof(from), "vCPU%u", m->from);
	vt_fmt_ts(m->ts, rt, sizeof(rt));
	vt_fmt_ts(ts, at, sizeof(at));
	vt_rule_fmt_ms(e->now - ts, ms, sizeof(ms));
	vt_rule_fmt_ms(longest, step, sizeof(step));
	clear(e, irq, m);
	if (vt_reported(irq, &vt_rule_migration))
		return;
	vt_finding_add(e, &vt_rule_migration, VT_SEV_ERROR, irq, m->to, ts,
		       "INTID %u moved from %s to vCPU%u (%s at %s) while active/in an LR there, asserted at %s and not delivered on any vCPU %s (%s later; %s%s)",
		       irq->intid, from, m->to, how_name(m->how), rt,
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

void vt_mg_record(struct vt_engine *e, const struct vt_ev *ev,
		  struct mg_irq *m)
{
	struct vt_irq *irq = ev->irq;
	uint32_t from, to;
	bool retarget;
	uint8_t how;

	if (irq->intid < VT_SPI_BASE || irq->intid >= 1020)
		return;
	switch (ev->kind) {
	case VT_EV_MMIO:
		if (ev->mmio.reg != VT_MMIO_IROUTER &&
		    ev->mmio.reg != VT_MMIO_ITARGETSR)
			return;
		how = ev->mmio.reg == VT_MMIO_IROUTER ? MG_IROUTER : MG_ITARGETSR;
		retarget = ev->mmio.retarget;
		to = ev->mmio.new_target;
		break;
	case VT_EV_STATE:
		how = MG_STATE;
		/*
		 * Pending and no longer active after the move: it must be
		 * delivered. A line still high while the IRQ is active is the
		 * assertion being handled (the resample after the EOI drops it).
		 */
		if (m->ts && !m->pending_ts && !irq->active &&
		    (irq->line || irq->latch))
			vt_mg_pending(e, irq, m, ev->ts);
		retarget = ev->state.retarget;
		to = ev->state.new_target;
		break;
	case VT_EV_INJECT:
		if (m->ts && !m->pending_ts && ev->inject.level)
			vt_mg_pending(e, irq, m, ev->ts);
		return;
	default:
		return;
	}
	if (!retarget)
		return;
	from = irq->prev_target;
	/* a move matters only while the IRQ sits on a vCPU */
	if (!irq->was_active && irq->lr_vcpu == VT_NO_VCPU)
		return;
	if (place(irq) != VT_NO_VCPU)
		from = place(irq);
	else if (irq->active_vcpu == VT_NO_VCPU && irq->was_active &&
		 ev->kind == VT_EV_STATE)
		from = ev->state.ap_vcpu;
	if (from == to)
		return;		/* where it already is */
	if (m->ts && m->to == to)
		return;		/* the state record of the same move */
	m->ts = ev->ts;
	m->from = from;
	m->to = to;
	m->how = how;
	m->pending_ts = 0;	/* a P in the LR shows at its fold */
	vt_deadline_cancel(e, &vt_rule_migration, irq);
	vt_irq_hist(e, irq, ev->ts, "retarget vCPU%d -> vCPU%u while %s",
		    (int)from, m->to,
		    irq->was_active ? "active" : "in an LR");
}

/* (the bus calls vt_on_migration() inline; this for the other callers) */
static void mg_event(struct vt_engine *e, const struct vt_ev *ev, void *st)
{
	vt_on_migration(e, ev, st, ev->kind);
}

/* live: asserted and not delivered within the scaled ack wait */
static bool mg_expire(struct vt_engine *e, struct vt_irq *irq, void *st,
		      enum vt_expire why)
{
	(void)st;
	(void)why;
	never(e, irq, false);
	return true;
}

static void mg_finish(struct vt_engine *e)
{
	struct vt_irq **v;
	uint64_t wait;
	size_t i, n;

	v = vt_deadline_list(e, &vt_rule_migration, &n);
	for (i = 0; i < n; i++) {
		wait = vt_rule_wait(e, e->opts.ack_wait_ns, v[i]);
		/* a trace that stops right after the assertion proves nothing */
		if (e->now - MG(e, v[i])->pending_ts > wait)
			never(e, v[i], true);
	}
	free(v);
}

const struct vt_rule vt_rule_migration = {
	.name = "migration",
	.index = VT_RULE_migration,
	VT_RULE_SUBS(migration),	/* (rules.def) */
	.hooks = { VT_HOOK_LR_FLUSH, VT_HOOK_MMIO_ROUTE },
	.irq_state = sizeof(struct mg_irq),
	.wait = VT_WAIT_ACK,
	.event = mg_event,
	.expire = mg_expire,
	.finish = mg_finish,
};
