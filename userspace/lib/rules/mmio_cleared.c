// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mmio_cleared.c - rule "mmio-state-cleared".
 *
 * The guest wrote GICD_ICACTIVER (while the IRQ was active) or
 * GICD_ICPENDR (while the line was asserted or VFIO had it masked) for
 * a resampled level IRQ, and no kvm_notify_acked_irq() followed before
 * the IRQ was loaded pending again or within ack_wait_ns (default
 * 100 ms). KVM clears the state without notifying (2014 ARM irqfd
 * thread, seen on Debian 6.1), so the resampler never runs and a VFIO
 * line stays masked.
 */
#include "engine_internal.h"

static bool mc_hit(const struct vt_irq *irq, uint8_t reg)
{
	if (!irq->resampled && !irq->dev)
		return false;
	if (reg == VT_MMIO_ICACTIVER)
		return irq->was_active;
	return irq->line || (irq->dev && irq->dev->masked);
}

static void report(struct vt_engine *e, struct vt_irq *irq, const char *when)
{
	irq->mc_wait = false;
	if (irq->reported & (1u << vt_rule_mmio_cleared.index))
		return;
	vt_finding_add(e, &vt_rule_mmio_cleared,
		       irq->dev && irq->dev->masked ? VT_SEV_ERROR : VT_SEV_WARNING,
		       irq, VT_NO_VCPU, irq->mc_ts,
		       "guest GICD_%s write cleared the %s state of resampled INTID %u with no ack notification %s: the resampler does not run%s",
		       vt_mmio_reg_name(irq->mc_reg),
		       irq->mc_reg == VT_MMIO_ICACTIVER ? "active" : "pending",
		       irq->intid, when,
		       irq->dev && irq->dev->masked ? " and VFIO stays masked" : "");
}

static void mc_event(struct vt_engine *e, const struct vt_ev *ev)
{
	const struct vt_rec_mmio *m;
	struct vt_irq *irq = ev->irq;
	struct vt_lr lr;
	size_t i;

	switch (ev->kind) {
	case VT_EV_RECORD:
		if (!irq || ev->rec->type != VT_REC_MMIO)
			return;
		m = (const void *)ev->rec;
		if (m->reg != VT_MMIO_ICACTIVER && m->reg != VT_MMIO_ICPENDR)
			return;
		if (!mc_hit(irq, m->reg) || irq->mc_wait)
			return;
		irq->mc_wait = true;
		irq->mc_ts = ev->ts;
		irq->mc_reg = m->reg;
		break;
	case VT_EV_ACK:
		irq->mc_wait = false;
		break;
	case VT_EV_FLUSH:
		for (i = 0; i < e->nr_irqs; i++) {
			irq = e->irqs[i];
			if (irq->mc_wait && irq->vm_id == ev->vcpu->vm_id &&
			    vt_lrrec_holds(ev->lrrec, irq->intid, &lr) &&
			    (lr.state & VT_LR_P))
				report(e, irq, "before it was delivered again");
		}
		break;
	case VT_EV_TICK:
		for (i = 0; i < e->nr_irqs; i++) {
			irq = e->irqs[i];
			if (irq->mc_wait &&
			    ev->ts - irq->mc_ts > e->opts.ack_wait_ns)
				report(e, irq, "within the ack wait");
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
		if (e->irqs[i]->mc_wait)
			report(e, e->irqs[i], "before the trace ended");
}

const struct vt_rule vt_rule_mmio_cleared = {
	.name = "mmio-state-cleared",
	.index = 2,
	.event = mc_event,
	.finish = mc_finish,
};
