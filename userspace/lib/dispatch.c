// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dispatch.c - one handler per record type, called through a table
 * indexed by type. Handlers update the per-IRQ chain state and hand
 * derived events to the rules.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "dispatch.h"

/*
 * the source as the history shows it: "?" when unknown (vt_source_name()
 * inline: the same table, and text)
 */
static inline const char *src_name(unsigned int s)
{
	if (!s || s >= VT_SRC_END)
		return "?";
	return vt_src_names[s] ? vt_src_names[s] : "unknown";
}

static int h_inject(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_inject *r = (const void *)rec;
	struct vt_irq *irq = vt_irq_get(e, rec->vm_id, r->intid);
	struct vt_ev ev;

	if (!irq)
		return -ENOMEM;
	irq->cnt.inject[r->level ? 1 : 0]++;
	irq->line = r->level;
	vt_irq_hist(e, irq, rec->ts_ns, "inject level %u (%s)%s", r->level ? 1 : 0,
		    src_name(r->source), r->ret ? " FAILED" : "");
	if (r->level)
		vt_lat_stage(e, irq, VT_ST_INJECT, rec->ts_ns);
	vt_ev_init(&ev, VT_EV_INJECT, rec, irq);
	ev.inject.level = r->level;
	ev.inject.source = r->source;
	ev.inject.failed = r->ret != 0;
	ev.inject.vcpu_id = rec->vcpu_id;
	vt_emit_irq(e, rec, &ev);
	return 0;
}

static int h_irq_state(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_irq_state *r = (const void *)rec;
	struct vt_irq *irq = vt_irq_get(e, rec->vm_id, r->intid);
	struct vt_ev ev;

	if (!irq)
		return -ENOMEM;
	irq->was_active = irq->active;
	irq->level = r->config == VT_CFG_LEVEL;
	irq->line = r->line_level;
	irq->latch = r->pending_latch;
	irq->have_state = true;
	vt_irq_set_active(e, irq, r->active, r->ap_vcpu);
	irq->prev_target = irq->target_vcpu;
	irq->target_vcpu = r->target_vcpu;
	vt_ev_init(&ev, VT_EV_STATE, rec, irq);
	/* a retarget seen only in state records; the old one may be unknown */
	ev.state.retarget = r->target_vcpu != VT_NO_VCPU &&
			    r->target_vcpu != irq->prev_target;
	ev.state.new_target = r->target_vcpu;
	ev.state.ap_vcpu = r->ap_vcpu;
	vt_irq_hist(e, irq, rec->ts_ns, "state line %u latch %u active %u target %d%s",
		    r->line_level, r->pending_latch, r->active,
		    (int)r->target_vcpu,
		    r->cause == VT_CAUSE_MIGRATE ? " (migrate)" : "");
	vt_emit_irq(e, rec, &ev);
	return 0;
}

static uint32_t ack_intid(const struct vt_engine *e, const struct vt_rec_ack *r)
{
	if (vt_eng_arm64(e))
		return r->irqchip == 0 ? r->pin + VT_SPI_BASE : VT_NO_INTID;
	return r->gsi != VT_NO_GSI ? r->gsi : r->pin;
}

static int h_ack(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_ack *r = (const void *)rec;
	uint32_t intid = ack_intid(e, r);
	struct vt_irq *irq;
	struct vt_ev ev;

	if (intid == VT_NO_INTID) {
		vt_eng_bug(e, "BUG: ack for irqchip %u pin %u on an arm64 host (only irqchip 0 exists)",
			   r->irqchip, r->pin);
		return 0;
	}
	irq = vt_irq_get(e, rec->vm_id, intid);
	if (!irq)
		return -ENOMEM;
	irq->cnt.acks++;
	irq->last_ack_ts = rec->ts_ns;
	/* KVM acks an SPI when it deactivates it (fold, or 6.19 EOIcount) */
	vt_irq_set_active(e, irq, false, VT_NO_VCPU);
	if (r->gsi != VT_NO_GSI) {
		irq->gsi = r->gsi;
		vt_route_learn(e, rec->vm_id, r->gsi, intid);
	}
	vt_irq_hist(e, irq, rec->ts_ns, "ack notify irqchip %u pin %u", r->irqchip,
		    r->pin);
	vt_lat_stage(e, irq, VT_ST_ACK, rec->ts_ns);
	vt_ev_init(&ev, VT_EV_ACK, rec, irq);
	vt_emit_irq(e, rec, &ev);
	return 0;
}

static void mmio_one(struct vt_engine *e, const struct vt_hdr *rec,
		     uint32_t intid, uint32_t target)
{
	const struct vt_rec_mmio *r = (const void *)rec;
	struct vt_irq *irq = vt_irq_get(e, rec->vm_id, intid);
	struct vt_ev ev;

	if (!irq)
		return;
	irq->cnt.mmio[r->reg]++;
	irq->was_active = irq->active;
	vt_ev_init(&ev, VT_EV_MMIO, rec, irq);
	ev.mmio.reg = r->reg;
	switch (r->reg) {
	case VT_MMIO_ISACTIVER:
		vt_irq_set_active(e, irq, true, irq->target_vcpu);
		break;
	case VT_MMIO_ICACTIVER:
		vt_irq_set_active(e, irq, false, VT_NO_VCPU);
		break;
	case VT_MMIO_IROUTER:
	case VT_MMIO_ITARGETSR:
		if (target == VT_NO_VCPU)
			break;		/* IROUTER Aff3 half: KVM ignores it */
		irq->prev_target = irq->target_vcpu;
		irq->target_vcpu = target;
		ev.mmio.retarget = target != irq->prev_target;
		ev.mmio.new_target = target;
		break;
	}
	if ((r->reg == VT_MMIO_IROUTER || r->reg == VT_MMIO_ITARGETSR) &&
	    target == VT_NO_VCPU)
		vt_irq_hist(e, irq, rec->ts_ns, "guest IROUTER high word (Aff3) write: no target change");
	else if (r->reg == VT_MMIO_IROUTER || r->reg == VT_MMIO_ITARGETSR)
		vt_irq_hist(e, irq, rec->ts_ns, "guest %s write: target vCPU%u%s",
			    vt_mmio_reg_name(r->reg), target,
			    irq->was_active ? " while active" :
			    irq->lr_vcpu != VT_NO_VCPU ? " while in an LR" : "");
	else
		vt_irq_hist(e, irq, rec->ts_ns, "guest %s write%s",
			    vt_mmio_reg_name(r->reg),
			    irq->was_active ? " (was active)" : "");
	vt_emit_irq(e, rec, &ev);
}

static int h_mmio(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_mmio *r = (const void *)rec;
	unsigned int bit, nbits = r->len ? r->len * 8u : 32u;
	uint8_t b;

	if (nbits > 64)
		nbits = 64;
	switch (r->reg) {
	case VT_MMIO_IROUTER:
		/*
		 * KVM's default MPIDR: vCPU id = Aff0 (0..15) + 16 * Aff1.
		 * A 32-bit write of the high word (offset + 4) holds
		 * only Aff3, which KVM ignores: no retarget.
		 */
		if (r->len && r->len <= 4 && (r->offset & 4))
			mmio_one(e, rec, r->first_intid, VT_NO_VCPU);
		else if ((r->val & 0xff) < 16)	/* KVM: Aff0 = id & 15, Aff1 = id >> 4 */
			mmio_one(e, rec, r->first_intid,
				 (uint32_t)((r->val & 0xf) | ((r->val >> 8 & 0xff) << 4)));
		else
			mmio_one(e, rec, r->first_intid, (uint32_t)(r->val & 0xff));
		return 0;
	case VT_MMIO_ITARGETSR:
		/* one byte per INTID; KVM targets the lowest CPU, 0 if none */
		for (bit = 0; bit < (r->len ? r->len : 1u) && bit < 8; bit++) {
			b = (uint8_t)(r->val >> (8 * bit));
			mmio_one(e, rec, r->first_intid + bit,
				 b ? (uint32_t)__builtin_ctz(b) : 0);
		}
		return 0;
	}
	for (bit = 0; bit < nbits; bit++)
		if (r->val & (1ull << bit))
			mmio_one(e, rec, r->first_intid + bit, VT_NO_VCPU);
	return 0;
}

static const char *deact_name(unsigned int how)
{
	switch (how) {
	case VT_DEACT_DIR:
		return "DIR trap";
	case VT_DEACT_EOICOUNT:
		return "EOIcount replay";
	case VT_DEACT_LR:
		return "fold_lr";
	}
	return "deactivation";
}

/*
 * VT_REC_DEACTIVATE (6.19+): a guest DIR trap (EOImode=1), an EOIcount
 * replay for an IRQ in no LR, or one vgic_v{2,3}_fold_lr() call. The
 * per-LR fold also runs for every LR of an ordinary exit (already seen
 * in LR_FOLD), so like KVM it deactivates only an IRQ that was active
 * and whose value has no active bit.
 */
static int h_deactivate(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_deactivate *r = (const void *)rec;
	struct vt_irq *irq = vt_irq_get(e, rec->vm_id, r->intid);
	unsigned int how = r->how <= VT_DEACT_LR ? r->how : 0;
	struct vt_lr lr = { 0 };
	bool deact, have_lr;
	struct vt_ev ev;

	if (!irq)
		return -ENOMEM;
	irq->cnt.deact[how]++;
	have_lr = how != VT_DEACT_DIR && r->val &&
		  !vt_lr_decode(r->gic_version, r->val, &lr);
	if (how == VT_DEACT_LR)
		deact = irq->active && have_lr && !(lr.state & VT_LR_A);
	else
		deact = how != 0;
	if (have_lr && lr.eoi && !lr.hw)
		irq->level = true;
	vt_irq_hist(e, irq, rec->ts_ns, "%s vCPU%u%s%s", deact_name(how),
		    rec->vcpu_id,
		    how == VT_DEACT_EOICOUNT ? " (EOIcount)" : "",
		    deact ? " deactivated" : "");
	if (deact) {
		vt_irq_set_active(e, irq, false, VT_NO_VCPU);
		irq->last_eoi_ts = rec->ts_ns;
		vt_lat_stage(e, irq, VT_ST_EOI, rec->ts_ns);
		vt_ev_init(&ev, VT_EV_DEACT, rec, irq);
		ev.vcpu = vt_vcpu_get(e, rec->vm_id, rec->vcpu_id);
		ev.deact.how = how;
		if (ev.vcpu)
			vt_bus_emit_DEACT(e, &ev);
	}
	vt_rec_done(e, rec, irq);
	return 0;
}

static int h_lost(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_lost *r = (const void *)rec;

	e->lost += r->lost;
	/*
	 * Probe misses have no CPU: they are e->lost less the sum of
	 * lost_cpu[] (the reports print them on their own).
	 */
	if (rec->cpu != VT_LOST_CPU_PROBES)
		e->lost_cpu[rec->cpu % 64] += r->lost;
	vt_rec_done(e, rec, NULL);
	return 0;
}

static int h_meta(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_meta *r = (const void *)rec;

	switch (r->key) {
	case VT_META_HOOK:
		if (r->id >= 1 && r->id <= VT_HOOK_MAX)
			e->hooks[r->id] = (uint8_t)(r->val + 1);
		break;
	case VT_META_NR_LRS:
		e->seen_nr_lrs = (uint8_t)r->val;
		if (!e->facts.nr_lrs)
			e->facts.nr_lrs = (uint8_t)r->val;
		break;
	case VT_META_GIC:
		if (!e->facts.gic_version)
			e->facts.gic_version = (uint8_t)r->val;
		break;
	case VT_META_KERNEL:
		if (!e->facts.kernel_release[0])
			memcpy(e->facts.kernel_release, r->str,
			       sizeof(r->str) < sizeof(e->facts.kernel_release) ?
			       sizeof(r->str) : sizeof(e->facts.kernel_release) - 1);
		break;
	case VT_META_BACKEND:
		if (!e->facts.backend)
			e->facts.backend = (uint8_t)r->val;
		break;
	}
	vt_rec_done(e, rec, NULL);
	return 0;
}

const vt_handler vt_eng_handlers[VT_REC_MAX + 1] = {
	[VT_REC_LR_FLUSH]	= h_lr_flush,
	[VT_REC_LR_FOLD]	= h_lr_fold,
	[VT_REC_INJECT]		= h_inject,
	[VT_REC_IRQ_STATE]	= h_irq_state,
	[VT_REC_ACK]		= h_ack,
	[VT_REC_RESAMPLE]	= h_resample,
	[VT_REC_IRQFD]		= h_irqfd,
	[VT_REC_VFIO]		= h_vfio,
	[VT_REC_MMIO]		= h_mmio,
	[VT_REC_LOST]		= h_lost,
	[VT_REC_META]		= h_meta,
	[VT_REC_DEACTIVATE]	= h_deactivate,
};

int vt_eng_no_handler(struct vt_engine *e, const struct vt_hdr *rec)
{
	vt_eng_bug(e, "BUG: no handler for record type %u", rec->type);
	return -EINVAL;
}
