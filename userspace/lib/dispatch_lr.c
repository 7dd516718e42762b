// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dispatch_lr.c - LR_FLUSH (entry) and LR_FOLD (exit) handlers: match
 * each LR at exit with the same LR at entry, count transitions, detect
 * the guest's deactivations, hand LR_RUN/FLUSH/FOLD events to the rules.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "dispatch.h"

/*
 * The vCPU of an LR record; notes the GIC version and LR count it gives.
 * A direct-mapped cache by (VM, vCPU) is checked before the hash (a
 * physical CPU runs several vCPUs in turn: a cache by CPU missed half
 * the time).
 */
static inline struct vt_vcpu *lr_rec_vcpu(struct vt_engine *e,
					  const struct vt_rec_lr *r)
{
	struct vt_vcpu **c = &e->vcpu_cache[vt_vm_slot(r->hdr.vm_id,
						       r->hdr.vcpu_id,
						       VT_VCPU_CACHE)];
	struct vt_vcpu *v = *c;

	if (__builtin_expect(!v || v->vcpu_id != r->hdr.vcpu_id ||
			     v->vm_id != r->hdr.vm_id, 0)) {
		v = vt_vcpu_get(e, r->hdr.vm_id, r->hdr.vcpu_id);
		if (!v)
			return NULL;
		*c = v;
	}
	e->seen_gic = r->gic_version;
	/*
	 * A producer's own estimate (BPF infers it from underflows): kept
	 * apart from VT_META_NR_LRS, which is the recorded count.
	 */
	if (r->nr_lrs > e->rec_nr_lrs)
		e->rec_nr_lrs = r->nr_lrs;
	return v;
}

/*
 * The IRQ (@vm, @intid) of an LR of vCPU @v (of VM @vm): @irq, the one
 * the LR held at the last entry (INTID @old), or one of its recent
 * IRQs, before the hash. (All of them are IRQs of @vm, and the INTIDs
 * are kept beside them: no IRQ line is read for a miss.)
 */
static inline struct vt_irq *lr_irq(struct vt_engine *e, struct vt_vcpu *v,
				    struct vt_irq *irq, uint32_t old,
				    uint32_t vm, uint32_t intid)
{
	unsigned int j;

	if (irq && old == intid)
		return irq;
	for (j = 0; j < 4; j++)
		if (v->recent_id[j] == intid && v->recent[j])
			return v->recent[j];
	irq = vt_irq_get(e, vm, intid);
	if (irq) {
		j = v->recent_next++ & 3;
		v->recent_id[j] = intid;
		v->recent[j] = irq;
	}
	return irq;
}

/* FLUSH or FOLD: the whole LR record of vCPU @v, before or after its LRs */
static void lr_emit(struct vt_engine *e, enum vt_ev_kind kind,
		    const struct vt_rec_lr *r, struct vt_vcpu *v,
		    struct vt_ev_lrs *lrs)
{
	struct vt_ev ev;

	lrs->used = r->used_lrs < VT_MAX_LR ? r->used_lrs : VT_MAX_LR;
	lrs->nr_lrs = r->nr_lrs;
	lrs->hcr_valid = r->flags & VT_LR_F_HCR_VALID;
	lrs->eoicount = lrs->hcr_valid ? (r->hcr >> 27) & 0x1f : 0;
	vt_ev_init(&ev, kind, &r->hdr, NULL);
	ev.lr = lrs;
	ev.vcpu = v;
	if (kind == VT_EV_FLUSH)	/* (each kind's own dispatch) */
		vt_bus_emit_FLUSH(e, &ev);
	else
		vt_bus_emit_FOLD(e, &ev);
}

int h_lr_flush(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_lr *r = (const void *)rec;
	struct vt_vcpu *v = lr_rec_vcpu(e, r);
	struct vt_ev_lrs lrs;
	struct vt_irq *irq;
	unsigned int i, n, gic = r->gic_version;
	unsigned int used = r->used_lrs < VT_MAX_LR ? r->used_lrs : VT_MAX_LR;
	uint32_t vm = rec->vm_id, vcpu = rec->vcpu_id, old;
	uint64_t ts = rec->ts_ns;

	if (!v)
		return -ENOMEM;
	if (v->in_run && v->entry.used_lrs && e->lost == 0 &&
	    e->by_type[VT_REC_LR_FOLD])
		vt_eng_bug(e, "BUG: vm %u vCPU %u entered at %llu with LRs of its previous run never folded",
			   rec->vm_id, rec->vcpu_id,
			   (unsigned long long)rec->ts_ns);
	if (r->used_lrs > e->max_used_lrs)
		e->max_used_lrs = r->used_lrs;
	if (r->nr_lrs && r->used_lrs > r->nr_lrs)
		vt_eng_bug(e, "BUG: vm %u vCPU %u entered at %llu with %u LRs in use but only %u implemented",
			   rec->vm_id, rec->vcpu_id,
			   (unsigned long long)rec->ts_ns, r->used_lrs, r->nr_lrs);
	/*
	 * IRQs still marked in this vCPU's LRs: only those of its previous
	 * entry can be (each entry clears the one before), so no scan of
	 * every IRQ. Out of a run (its fold seen) they hold @v no more:
	 * the fold took @v out of their holders.
	 */
	n = v->entry.used_lrs < VT_MAX_LR ? v->entry.used_lrs : VT_MAX_LR;
	if (!v->in_run && v->ent_unlinked)
		n = 0;		/* (the fold cleared them all) */
	for (i = 0; i < n; i++) {
		irq = v->ent[i].irq;	/* the IRQs of its valid LRs */
		if (!irq)
			continue;
		if (irq->lr_vcpu == vcpu)
			irq->lr_vcpu = VT_NO_VCPU;
		if (v->in_run)
			vt_irq_holder_del(irq, v);
	}
	/*
	 * The new LRs, decoded once, and their IRQs: an LR often holds the
	 * IRQ it held at the last entry (kept in v->ent[i]), no lookup then.
	 */
	for (i = 0; i < used; i++) {
		struct vt_entry_lr *el = &v->ent[i];

		irq = el->irq;		/* (of INTID el->lr.vintid if set) */
		old = el->lr.vintid;
		el->dec = vt_lr_decode_fast(gic, r->lr[i], &el->lr);
		lrs.lr[i] = el->lr;
		if (el->lr.state != VT_LR_INVALID) {
			irq = lr_irq(e, v, irq, old, vm, el->lr.vintid);
			if (!irq) {
				el->irq = NULL;
				return -ENOMEM;
			}
		} else {
			irq = NULL;
		}
		lrs.irq[i] = irq;
		el->irq = irq;
	}
	/* Rules look at the previous state first (migration, overflow). */
	lr_emit(e, VT_EV_FLUSH, r, v, &lrs);

	for (i = 0; i < used; i++) {
		const struct vt_lr *l = &lrs.lr[i];

		/* (the used LRs only: a whole record is 160 bytes) */
		v->entry.lr[i] = r->lr[i];
		irq = lrs.irq[i];
		if (!irq)
			continue;
		irq->cnt.in_lr++;
		if (l->eoi)	/* (decoded: only without HW) */
			irq->level = true;
		irq->lr_vcpu = vcpu;
		irq->lr_state = l->state;
		vt_irq_holder_add(irq, v);
		if (l->state & VT_LR_A)
			vt_irq_set_active(e, irq, true, vcpu);
		vt_irq_hist_lr(irq, ts, vcpu, i, gic, r->lr[i]);
		if (l->state & VT_LR_P) {
			vt_lat_stage(e, irq, VT_ST_LR_P, ts);
			irq->last_deliver_ts = ts;
		}
	}
	memcpy(&v->entry, r, offsetof(struct vt_rec_lr, lr));
	v->ent_unlinked = false;
	v->in_run = true;
	v->runs++;
	vt_rec_done(e, rec, NULL);
	return 0;
}

/* e->lr_hs[]: the %s words of the exit history entry, computed once */
static void __attribute__((noinline)) lr_hs_init(struct vt_engine *e)
{
	unsigned int k;

	for (k = 0; k < 4; k++)
		e->lr_hs[k] = vt_hist_sref(e, vt_lr_state_names[k]);
	e->lr_hs[4] = vt_hist_sref(e, "");
	e->lr_hs[5] = vt_hist_sref(e, " EOI");
	e->lr_hs[6] = e->lr_hs[4];
	e->lr_hs[7] = vt_hist_sref(e, " (guest deactivated)");
	e->lr_hs_ok = true;
}

/* the exit history entry of an LR seen at entry (vt_irq_hist() words) */
static const char *lr_exit_site VT_HIST_SECTION =
	"exit  vCPU%u LR%u %s -> %s%s%s";

/* (h_lr_fold() sets each field of ev.run for each LR: a new one too) */
_Static_assert(sizeof(((struct vt_ev *)0)->run) ==
	       offsetof(struct vt_ev, run.eoied) - offsetof(struct vt_ev, run) + 4 &&
	       offsetof(struct vt_ev, run.eoied) - offsetof(struct vt_ev, run) ==
	       8 + 2 * sizeof(struct vt_lr),
	       "h_lr_fold(): the fields of ev.run");

int h_lr_fold(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_lr *r = (const void *)rec;
	struct vt_vcpu *v = lr_rec_vcpu(e, r);
	struct vt_ev_lrs lrs;
	const struct vt_lr *in;
	struct vt_irq *irq;
	struct vt_ev ev;
	struct vt_lr *out = &ev.run.out;	/* (decoded in place: no copy) */
	unsigned int i, n, gic = r->gic_version;
	uint32_t vm = rec->vm_id, vcpu = rec->vcpu_id;
	uint64_t ts = rec->ts_ns;
	bool have_in, unlinked = true;
	uint32_t *w;

	if (!v)
		return -ENOMEM;
	if (__builtin_expect(!e->lr_hs_ok, 0))
		lr_hs_init(e);
	/* LRs of the entry of this run (decoded at its FLUSH) */
	n = 0;
	if (v->in_run)
		n = v->entry.used_lrs < VT_MAX_LR ? v->entry.used_lrs : VT_MAX_LR;
	/*
	 * One LR_RUN event, its per-LR fields (every field of ev.run) all
	 * set again for each LR: vt_ev_init() less its clearing of ev.run.
	 */
	ev.kind = VT_EV_LR_RUN;
	ev.ts = rec->ts_ns;
	ev.irq = NULL;
	ev.vcpu = v;
	for (i = 0; i < r->used_lrs; i++) {
		vt_lr_decode_fast(gic, r->lr[i], out);
		in = &v->ent[i].lr;
		have_in = i < n && v->ent[i].dec;
		if (have_in && in->vintid != out->vintid) {
			if (!e->lost)
				vt_eng_bug(e, "BUG: vm %u vCPU %u LR%u holds vINTID %u at exit but %u at entry (ts %llu)",
					   rec->vm_id, rec->vcpu_id, i,
					   out->vintid, in->vintid,
					   (unsigned long long)rec->ts_ns);
			have_in = false;
		}
		if (i < n && !have_in && v->ent[i].irq)
			unlinked = false;	/* (its lr_vcpu not cleared) */
		if (!have_in && out->state == VT_LR_INVALID)
			continue;
		irq = have_in ? v->ent[i].irq : NULL;
		if (!irq) {
			irq = vt_irq_get(e, vm, out->vintid);
			if (!irq)
				return -ENOMEM;
		}
		ev.irq = irq;
		ev.run.index = (int)i;
		ev.run.have_in = have_in;
		if (have_in) {
			ev.run.in = *in;
			ev.run.eoied = vt_lr_guest_eoied_st(in->state,
							    out->state);
			irq->cnt.lr_trans[in->state & 3][out->state]++;
			if ((in->state & VT_LR_A) && !(out->state & VT_LR_A))
				irq->cnt.out_of_active++;
			/* (vt_irq_hist() of lr_exit_site, the words known) */
			w = vt_hist_slot(irq, ts, &lr_exit_site);
			w[0] = vcpu;
			w[1] = i;
			w[2] = e->lr_hs[in->state & 3];
			w[3] = e->lr_hs[out->state];
			w[4] = e->lr_hs[4 + out->eoi];
			w[5] = e->lr_hs[6 + ev.run.eoied];
		} else {
			memset(&ev.run.in, 0, sizeof(ev.run.in));
			ev.run.eoied = false;
			vt_irq_hist(e, irq, ts, "exit  vCPU%u LR%u ? -> %s (no entry seen)",
				    vcpu, i, vt_lr_state_names[out->state]);
		}
		if (out->eoi)	/* (decoded: only without HW) */
			irq->level = true;
		/* P+A -> A: the deactivation came before the new activation */
		if (ev.run.eoied) {
			irq->cnt.guest_eoi++;
			irq->last_eoi_ts = ts;
			vt_lat_stage(e, irq, VT_ST_EOI, ts);
		}
		if (out->state & VT_LR_A)
			vt_lat_stage(e, irq, VT_ST_ACTIVE, ts);
		vt_irq_set_active(e, irq, out->state & VT_LR_A, vcpu);
		if (irq->lr_vcpu == vcpu)
			irq->lr_vcpu = VT_NO_VCPU;
		vt_bus_emit_LR_RUN(e, &ev);	/* (ev is reused: kind not known) */
	}
	lr_emit(e, VT_EV_FOLD, r, v, &lrs);
	/* the run is over: its entry's IRQs are no longer held here */
	for (i = 0; i < n; i++)
		if (v->ent[i].irq)
			vt_irq_holder_del(v->ent[i].irq, v);
	if (v->in_run)
		v->ent_unlinked = unlinked && r->used_lrs >= n;
	v->in_run = false;
	v->last_exit_ts = ts;
	vt_rec_done(e, rec, NULL);
	return 0;
}
