// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dispatch.c - one handler per record type, called through a table
 * indexed by type. Handlers update the per-IRQ chain state and hand
 * derived events to the rules.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "engine_internal.h"

typedef int (*vt_handler)(struct vt_engine *e, const struct vt_hdr *rec);

static void emit_rec(struct vt_engine *e, const struct vt_hdr *rec,
		     struct vt_irq *irq)
{
	struct vt_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VT_EV_RECORD;
	ev.ts = rec->ts_ns;
	ev.rec = rec;
	ev.irq = irq;
	vt_eng_emit(e, &ev);
}

bool vt_lrrec_holds(const struct vt_rec_lr *r, uint32_t intid, struct vt_lr *out)
{
	struct vt_lr lr;
	unsigned int i;

	for (i = 0; i < r->used_lrs && i < VT_MAX_LR; i++) {
		if (vt_lr_decode(r->gic_version, r->lr[i], &lr))
			continue;
		if (lr.vintid == intid && lr.state != VT_LR_INVALID) {
			if (out)
				*out = lr;
			return true;
		}
	}
	return false;
}

static int h_lr_flush(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_lr *r = (const void *)rec;
	struct vt_vcpu *v = vt_vcpu_get(e, rec->vm_id, rec->vcpu_id);
	struct vt_ev ev;
	struct vt_lr lr;
	struct vt_irq *irq;
	char txt[80];
	unsigned int i;

	if (!v)
		return -ENOMEM;
	e->seen_gic = r->gic_version;
	if (r->nr_lrs)
		e->seen_nr_lrs = r->nr_lrs;
	if (v->in_run && v->entry.used_lrs && e->lost == 0 &&
	    e->by_type[VT_REC_LR_FOLD])
		vt_eng_bug(e, "BUG: vm %u vCPU %u entered at %llu with LRs of its previous run never folded",
			   rec->vm_id, rec->vcpu_id,
			   (unsigned long long)rec->ts_ns);
	if (r->nr_lrs && r->used_lrs > r->nr_lrs)
		vt_eng_bug(e, "BUG: vm %u vCPU %u entered at %llu with %u LRs in use but only %u implemented",
			   rec->vm_id, rec->vcpu_id,
			   (unsigned long long)rec->ts_ns, r->used_lrs, r->nr_lrs);
	for (i = 0; i < e->nr_irqs; i++)
		if (e->irqs[i]->vm_id == rec->vm_id &&
		    e->irqs[i]->lr_vcpu == rec->vcpu_id)
			e->irqs[i]->lr_vcpu = VT_NO_VCPU;
	/* Rules look at the previous state first (migration, overflow). */
	memset(&ev, 0, sizeof(ev));
	ev.kind = VT_EV_FLUSH;
	ev.ts = rec->ts_ns;
	ev.rec = rec;
	ev.lrrec = r;
	ev.vcpu = v;
	vt_eng_emit(e, &ev);

	for (i = 0; i < r->used_lrs; i++) {
		vt_lr_decode(r->gic_version, r->lr[i], &lr);
		if (lr.state == VT_LR_INVALID)
			continue;
		irq = vt_irq_get(e, rec->vm_id, lr.vintid);
		if (!irq)
			return -ENOMEM;
		irq->cnt.in_lr++;
		if (lr.eoi && !lr.hw)
			irq->level = true;
		irq->lr_vcpu = rec->vcpu_id;
		irq->lr_state = lr.state;
		if (lr.state & VT_LR_A) {
			irq->active = true;
			irq->active_vcpu = rec->vcpu_id;
		}
		vt_irq_hist(irq, rec->ts_ns, "entry vCPU%u LR%u %s", rec->vcpu_id,
			    i, vt_lr_format(r->gic_version, r->lr[i], txt,
					    sizeof(txt)));
		if (lr.state & VT_LR_P)
			vt_lat_stage(irq, VT_ST_LR_P, rec->ts_ns);
	}
	v->entry = *r;
	v->in_run = true;
	v->runs++;
	emit_rec(e, rec, NULL);
	return 0;
}

static int h_lr_fold(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_lr *r = (const void *)rec;
	struct vt_vcpu *v = vt_vcpu_get(e, rec->vm_id, rec->vcpu_id);
	struct vt_lr in, out;
	struct vt_irq *irq;
	struct vt_ev ev;
	unsigned int i;
	bool have_in;

	if (!v)
		return -ENOMEM;
	e->seen_gic = r->gic_version;
	if (r->nr_lrs)
		e->seen_nr_lrs = r->nr_lrs;
	for (i = 0; i < r->used_lrs; i++) {
		vt_lr_decode(r->gic_version, r->lr[i], &out);
		have_in = v->in_run && i < v->entry.used_lrs &&
			  !vt_lr_decode(v->entry.gic_version, v->entry.lr[i], &in);
		if (have_in && in.vintid != out.vintid) {
			if (!e->lost)
				vt_eng_bug(e, "BUG: vm %u vCPU %u LR%u holds vINTID %u at exit but %u at entry (ts %llu)",
					   rec->vm_id, rec->vcpu_id, i,
					   out.vintid, in.vintid,
					   (unsigned long long)rec->ts_ns);
			have_in = false;
		}
		if (!have_in && out.state == VT_LR_INVALID)
			continue;
		irq = vt_irq_get(e, rec->vm_id, out.vintid);
		if (!irq)
			return -ENOMEM;
		memset(&ev, 0, sizeof(ev));
		ev.kind = VT_EV_LR_RUN;
		ev.ts = rec->ts_ns;
		ev.rec = rec;
		ev.lrrec = r;
		ev.irq = irq;
		ev.vcpu = v;
		ev.lr_index = (int)i;
		ev.out = out;
		if (have_in) {
			ev.in = in;
			ev.eoied = vt_lr_guest_eoied(&in, &out);
			irq->cnt.lr_trans[in.state][out.state]++;
			if ((in.state & VT_LR_A) && !(out.state & VT_LR_A))
				irq->cnt.out_of_active++;
			vt_irq_hist(irq, rec->ts_ns, "exit  vCPU%u LR%u %s -> %s%s%s",
				    rec->vcpu_id, i, vt_lr_state_name(in.state),
				    vt_lr_state_name(out.state),
				    out.eoi ? " EOI" : "",
				    ev.eoied ? " (guest deactivated)" : "");
		} else {
			vt_irq_hist(irq, rec->ts_ns, "exit  vCPU%u LR%u ? -> %s (no entry seen)",
				    rec->vcpu_id, i, vt_lr_state_name(out.state));
		}
		if (out.eoi && !out.hw)
			irq->level = true;
		/* P+A -> A: the deactivation came before the new activation */
		if (ev.eoied) {
			irq->cnt.guest_eoi++;
			irq->last_eoi_ts = rec->ts_ns;
			vt_lat_stage(irq, VT_ST_EOI, rec->ts_ns);
		}
		if (out.state & VT_LR_A)
			vt_lat_stage(irq, VT_ST_ACTIVE, rec->ts_ns);
		irq->active = out.state & VT_LR_A;
		irq->active_vcpu = irq->active ? rec->vcpu_id : VT_NO_VCPU;
		if (irq->lr_vcpu == rec->vcpu_id)
			irq->lr_vcpu = VT_NO_VCPU;
		vt_eng_emit(e, &ev);
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = VT_EV_FOLD;
	ev.ts = rec->ts_ns;
	ev.rec = rec;
	ev.lrrec = r;
	ev.vcpu = v;
	vt_eng_emit(e, &ev);
	v->in_run = false;
	emit_rec(e, rec, NULL);
	return 0;
}

static const char *src_name(unsigned int s)
{
	static const char *const n[] = { "?", "irqfd", "resampler", "user", "kernel" };

	return s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static int h_inject(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_inject *r = (const void *)rec;
	struct vt_irq *irq = vt_irq_get(e, rec->vm_id, r->intid);

	if (!irq)
		return -ENOMEM;
	irq->cnt.inject[r->level ? 1 : 0]++;
	irq->line = r->level;
	vt_irq_hist(irq, rec->ts_ns, "inject level %u (%s)%s", r->level ? 1 : 0,
		    src_name(r->source), r->ret ? " FAILED" : "");
	if (r->level)
		vt_lat_stage(irq, VT_ST_INJECT, rec->ts_ns);
	emit_rec(e, rec, irq);
	return 0;
}

static int h_irq_state(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_irq_state *r = (const void *)rec;
	struct vt_irq *irq = vt_irq_get(e, rec->vm_id, r->intid);

	if (!irq)
		return -ENOMEM;
	irq->was_active = irq->active;
	irq->level = r->config == VT_CFG_LEVEL;
	irq->line = r->line_level;
	irq->active = r->active;
	irq->active_vcpu = r->active ? r->ap_vcpu : VT_NO_VCPU;
	irq->prev_target = irq->target_vcpu;
	irq->target_vcpu = r->target_vcpu;
	vt_irq_hist(irq, rec->ts_ns, "state line %u latch %u active %u target %d%s",
		    r->line_level, r->pending_latch, r->active,
		    (int)r->target_vcpu,
		    r->cause == VT_CAUSE_MIGRATE ? " (migrate)" : "");
	emit_rec(e, rec, irq);
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
	irq->active = false;
	irq->active_vcpu = VT_NO_VCPU;
	if (r->gsi != VT_NO_GSI) {
		irq->gsi = r->gsi;
		vt_route_learn(e, rec->vm_id, r->gsi, intid);
	}
	vt_irq_hist(irq, rec->ts_ns, "ack notify irqchip %u pin %u", r->irqchip,
		    r->pin);
	vt_lat_stage(irq, VT_ST_ACK, rec->ts_ns);
	memset(&ev, 0, sizeof(ev));
	ev.kind = VT_EV_ACK;
	ev.ts = rec->ts_ns;
	ev.rec = rec;
	ev.irq = irq;
	vt_eng_emit(e, &ev);
	emit_rec(e, rec, irq);
	return 0;
}

static void link_dev_irq(struct vt_dev *d, struct vt_irq *irq)
{
	d->vm_id = irq->vm_id;
	d->gsi = irq->gsi;
	d->irq = irq;
	irq->dev = d;
}

static void link_dev(struct vt_engine *e, struct vt_dev *d)
{
	struct vt_irqfd *f;
	struct vt_irq *irq;

	if (d->irq)
		return;
	f = vt_irqfd_by_key(e, d->trigger_key, false);
	if (!f)
		f = vt_irqfd_by_key(e, d->unmask_key, true);
	if (!f)
		return;
	irq = vt_irq_get(e, f->vm_id, vt_gsi_to_intid(e, f->vm_id, f->gsi));
	if (!irq)
		return;
	d->vm_id = f->vm_id;
	d->gsi = f->gsi;
	d->irq = irq;
	irq->dev = d;
	irq->gsi = f->gsi;
	if (f->resample)
		irq->resampled = true;
}

static int h_resample(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_resample *r = (const void *)rec;
	struct vt_irq *irq;

	irq = vt_irq_get(e, rec->vm_id, vt_gsi_to_intid(e, rec->vm_id, r->gsi));
	if (!irq)
		return -ENOMEM;
	irq->cnt.resamples++;
	irq->resampled = true;
	irq->gsi = r->gsi;
	irq->last_resample_ts = rec->ts_ns;
	e->last_rs_irq = irq;
	e->last_rs_ts = rec->ts_ns;
	e->last_rs_cpu = rec->cpu;
	if (r->resample_key && !irq->dev) {
		size_t i;

		for (i = 0; i < e->nr_devs; i++)
			if (!e->devs[i]->irq &&
			    e->devs[i]->unmask_key == r->resample_key) {
				link_dev_irq(e->devs[i], irq);
				break;
			}
	}
	vt_irq_hist(irq, rec->ts_ns, "resample gsi %u (%u irqfds)", r->gsi,
		    r->nr_irqfds);
	vt_lat_stage(irq, VT_ST_RESAMPLE, rec->ts_ns);
	emit_rec(e, rec, irq);
	return 0;
}

static int h_irqfd(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_irqfd *r = (const void *)rec;
	struct vt_irqfd *f;
	struct vt_irq *irq;
	size_t i;

	irq = vt_irq_get(e, rec->vm_id, vt_gsi_to_intid(e, rec->vm_id, r->gsi));
	if (!irq)
		return -ENOMEM;
	irq->gsi = r->gsi;
	if (r->flags & VT_IRQFD_F_DEASSIGN) {
		f = vt_irqfd_by_gsi(e, rec->vm_id, r->gsi);
		if (f)
			f->deassigned = true;
		vt_irq_hist(irq, rec->ts_ns, "irqfd gsi %u deassigned", r->gsi);
		emit_rec(e, rec, irq);
		return 0;
	}
	if (r->ret) {
		vt_irq_hist(irq, rec->ts_ns, "irqfd gsi %u failed (%d)", r->gsi,
			    r->ret);
		emit_rec(e, rec, irq);
		return 0;
	}
	f = vt_irqfd_add(e);
	if (!f)
		return -ENOMEM;
	f->vm_id = rec->vm_id;
	f->gsi = r->gsi;
	f->resample = r->flags & VT_IRQFD_F_RESAMPLE;
	f->eventfd_key = r->eventfd_key;
	f->resample_key = r->resample_key;
	if (f->resample)
		irq->resampled = true;
	vt_irq_hist(irq, rec->ts_ns, "irqfd gsi %u%s", r->gsi,
		    f->resample ? " with resamplefd" : " (no resample)");
	for (i = 0; i < e->nr_devs; i++)
		link_dev(e, e->devs[i]);
	emit_rec(e, rec, irq);
	return 0;
}

static int h_vfio(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_vfio *r = (const void *)rec;
	char name[17];
	struct vt_dev *d;
	bool was = false, masked;

	memcpy(name, r->dev, 16);
	name[16] = 0;
	d = vt_dev_get(e, name[0] ? name : "?");
	if (!d)
		return -ENOMEM;
	d->host_irq = r->host_irq;
	if (r->trigger_key)
		d->trigger_key = r->trigger_key;
	if (r->unmask_key)
		d->unmask_key = r->unmask_key;
	link_dev(e, d);
	/*
	 * No keys: the resamplefd unmask handler runs synchronously on the
	 * vCPU thread right after irqfd_resampler_ack(), so an unlinked
	 * UNMASK_HANDLER on the same CPU within 1 ms belongs to that IRQ.
	 */
	if (!d->irq && r->event == VT_VFIO_UNMASK_HANDLER && e->last_rs_irq &&
	    !e->last_rs_irq->dev && e->last_rs_cpu == rec->cpu &&
	    rec->ts_ns >= e->last_rs_ts && rec->ts_ns - e->last_rs_ts < 1000000)
		link_dev_irq(d, e->last_rs_irq);
	d->vfio[r->event]++;
	if (d->irq)
		d->irq->cnt.vfio[r->event]++;
	was = d->masked;
	masked = was;
	switch (r->event) {
	case VT_VFIO_HANDLER:
		masked = r->masked != 0xff ? r->masked : r->result == 1;
		break;
	case VT_VFIO_MASK:
		masked = r->masked != 0xff ? r->masked : true;
		break;
	case VT_VFIO_UNMASK:
		masked = r->masked != 0xff ? r->masked : false;
		break;
	case VT_VFIO_UNMASK_HANDLER:
		if (r->result == 1) {
			d->still_asserted++;
			if (d->irq)
				d->irq->cnt.still_asserted++;
		}
		masked = r->masked != 0xff ? r->masked : r->result == 1;
		break;
	}
	d->masked = masked;
	if (masked && !was)
		d->mask_ts = rec->ts_ns;
	if (d->irq) {
		struct vt_irq *irq = d->irq;

		vt_irq_hist(irq, rec->ts_ns, "vfio %s %s%s%s", d->name,
			    vt_vfio_event_name(r->event),
			    masked ? " masked" : " unmasked",
			    r->event == VT_VFIO_UNMASK_HANDLER && r->result == 1 ?
			    " (still asserted)" : "");
		if (r->event == VT_VFIO_HANDLER)
			vt_lat_stage(irq, VT_ST_HOSTIRQ, rec->ts_ns);
		if (masked && !was)
			vt_lat_stage(irq, VT_ST_MASK, rec->ts_ns);
		if (!masked && was)
			vt_lat_stage(irq, VT_ST_UNMASK, rec->ts_ns);
	}
	emit_rec(e, rec, d->irq);
	return 0;
}

static void mmio_one(struct vt_engine *e, const struct vt_hdr *rec,
		     uint32_t intid, uint32_t target)
{
	const struct vt_rec_mmio *r = (const void *)rec;
	struct vt_irq *irq = vt_irq_get(e, rec->vm_id, intid);

	if (!irq)
		return;
	irq->cnt.mmio[r->reg]++;
	irq->was_active = irq->active;
	switch (r->reg) {
	case VT_MMIO_ISACTIVER:
		irq->active = true;
		irq->active_vcpu = irq->target_vcpu;
		break;
	case VT_MMIO_ICACTIVER:
		irq->active = false;
		irq->active_vcpu = VT_NO_VCPU;
		break;
	case VT_MMIO_IROUTER:
	case VT_MMIO_ITARGETSR:
		irq->prev_target = irq->target_vcpu;
		irq->target_vcpu = target;
		break;
	}
	if (r->reg == VT_MMIO_IROUTER || r->reg == VT_MMIO_ITARGETSR)
		vt_irq_hist(irq, rec->ts_ns, "guest %s write: target vCPU%u%s",
			    vt_mmio_reg_name(r->reg), target,
			    irq->was_active ? " while active" : "");
	else
		vt_irq_hist(irq, rec->ts_ns, "guest %s write%s",
			    vt_mmio_reg_name(r->reg),
			    irq->was_active ? " (was active)" : "");
	emit_rec(e, rec, irq);
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
		/* Aff0 as the vCPU: true for the small VMs KVM builds by default. */
		mmio_one(e, rec, r->first_intid, (uint32_t)(r->val & 0xff));
		return 0;
	case VT_MMIO_ITARGETSR:
		for (bit = 0; bit < (r->len ? r->len : 1u) && bit < 8; bit++) {
			b = (uint8_t)(r->val >> (8 * bit));
			if (b)
				mmio_one(e, rec, r->first_intid + bit,
					 (uint32_t)__builtin_ctz(b));
		}
		return 0;
	}
	for (bit = 0; bit < nbits; bit++)
		if (r->val & (1ull << bit))
			mmio_one(e, rec, r->first_intid + bit, VT_NO_VCPU);
	return 0;
}

static int h_lost(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_lost *r = (const void *)rec;

	e->lost += r->lost;
	e->lost_cpu[rec->cpu % 64] += r->lost;
	emit_rec(e, rec, NULL);
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
	emit_rec(e, rec, NULL);
	return 0;
}

static const vt_handler handlers[VT_REC_MAX + 1] = {
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
};

int vt_eng_dispatch(struct vt_engine *e, const struct vt_hdr *rec)
{
	if (rec->type > VT_REC_MAX || !handlers[rec->type]) {
		vt_eng_bug(e, "BUG: no handler for record type %u", rec->type);
		return -EINVAL;
	}
	return handlers[rec->type](e, rec);
}

bool vt_vcpu_holds(const struct vt_vcpu *v, uint32_t intid, struct vt_lr *out)
{
	return v->in_run && vt_lrrec_holds(&v->entry, intid, out);
}
