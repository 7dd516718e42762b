// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * migration.c - rule "migration".
 *
 * (1) One SPI loaded in a valid state in the LRs of two vCPUs at once
 *     (an entry of vCPU b while vCPU a is in a run holding it).
 * (2) An SPI retargeted (irq_state target change, GICD_IROUTER or
 *     ITARGETSR write) while active or in an LR, then asserted, and not
 *     loaded pending in any LR nor acked within ack_wait_ns or until the
 *     end of the trace: the Xen vgic_migrate_irq "lost for ever" case
 *     as it applies to KVM.
 */
#include "engine_internal.h"

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

static void delivered(struct vt_engine *e, const struct vt_ev *ev)
{
	struct vt_lr lr;
	size_t i;

	for (i = 0; i < e->nr_irqs; i++) {
		struct vt_irq *irq = e->irqs[i];

		if (irq->mg_ts && irq->vm_id == ev->vcpu->vm_id &&
		    vt_lrrec_holds(ev->lrrec, irq->intid, &lr) &&
		    (lr.state & VT_LR_P))
			irq->mg_ts = irq->mg_pending_ts = 0;
	}
}

static void never(struct vt_engine *e, struct vt_irq *irq, const char *when)
{
	uint64_t ts = irq->mg_pending_ts;

	irq->mg_ts = irq->mg_pending_ts = 0;
	if (irq->reported & (1u << vt_rule_migration.index))
		return;
	vt_finding_add(e, &vt_rule_migration, VT_SEV_ERROR, irq, irq->mg_to, ts,
		       "INTID %u retargeted from vCPU%d to vCPU%d while active, then asserted and never delivered %s",
		       irq->intid, (int)irq->mg_from, (int)irq->mg_to, when);
}

static void mg_record(struct vt_engine *e, const struct vt_ev *ev)
{
	struct vt_irq *irq = ev->irq;
	const struct vt_hdr *rec = ev->rec;
	bool retarget = false;

	(void)e;
	if (!irq || irq->intid < VT_SPI_BASE)
		return;
	if (rec->type == VT_REC_IRQ_STATE || rec->type == VT_REC_MMIO) {
		retarget = irq->prev_target != irq->target_vcpu &&
			   irq->prev_target != VT_NO_VCPU &&
			   (irq->was_active || irq->lr_vcpu != VT_NO_VCPU);
		if (rec->type == VT_REC_MMIO) {
			uint8_t reg = ((const struct vt_rec_mmio *)(const void *)rec)->reg;

			retarget &= reg == VT_MMIO_IROUTER || reg == VT_MMIO_ITARGETSR;
		}
		if (retarget && !irq->mg_ts) {
			irq->mg_ts = ev->ts;
			irq->mg_from = irq->prev_target;
			irq->mg_to = irq->target_vcpu;
			irq->prev_target = irq->target_vcpu;
		}
		if (rec->type == VT_REC_IRQ_STATE && irq->mg_ts &&
		    !irq->mg_pending_ts && irq->line)
			irq->mg_pending_ts = ev->ts;
	} else if (rec->type == VT_REC_INJECT && irq->mg_ts &&
		   !irq->mg_pending_ts &&
		   ((const struct vt_rec_inject *)(const void *)rec)->level) {
		irq->mg_pending_ts = ev->ts;
	}
}

static void mg_event(struct vt_engine *e, const struct vt_ev *ev)
{
	size_t i;

	switch (ev->kind) {
	case VT_EV_FLUSH:
		in_two(e, ev);
		delivered(e, ev);
		break;
	case VT_EV_RECORD:
		mg_record(e, ev);
		break;
	case VT_EV_ACK:
		ev->irq->mg_ts = ev->irq->mg_pending_ts = 0;
		break;
	case VT_EV_TICK:
		for (i = 0; i < e->nr_irqs; i++)
			if (e->irqs[i]->mg_pending_ts &&
			    ev->ts - e->irqs[i]->mg_pending_ts > e->opts.ack_wait_ns)
				never(e, e->irqs[i], "within the ack wait");
		break;
	default:
		break;
	}
}

static void mg_finish(struct vt_engine *e)
{
	size_t i;

	for (i = 0; i < e->nr_irqs; i++)
		if (e->irqs[i]->mg_pending_ts)
			never(e, e->irqs[i], "until the trace ended");
}

const struct vt_rule vt_rule_migration = {
	.name = "migration",
	.index = 5,
	.event = mg_event,
	.finish = mg_finish,
};
