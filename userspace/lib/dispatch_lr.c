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
#pragma GCC unroll 4
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

/* the FLUSH: the whole LR record of vCPU @v, before its LRs */
static inline void lr_emit_flush(struct vt_engine *e,
				 const struct vt_rec_lr *r, struct vt_vcpu *v,
				 struct vt_ev_lrs *lrs, unsigned int used)
{
	struct vt_ev ev;

	lrs->used = used;
	lrs->nr_lrs = r->nr_lrs;
	lrs->hcr_valid = r->flags & VT_LR_F_HCR_VALID;
	lrs->eoicount = lrs->hcr_valid ? (r->hcr >> 27) & 0x1f : 0;
	vt_ev_init(&ev, VT_EV_FLUSH, &r->hdr, NULL);
	ev.lr = lrs;
	ev.vcpu = v;
	vt_bus_emit_FLUSH(e, &ev);
}

/*
 * A FLUSH of @v in a run (its fold never seen: a BUG unless records were
 * lost), or after a fold that left some IRQs of its entry marked: the
 * IRQs of its previous entry, still marked in its LRs, are unmarked.
 * Only those of its previous entry can be (each entry clears the one
 * before), so no scan of every IRQ. Out of a run (its fold seen) they
 * hold @v no more: the fold took @v out of their holders.
 */
static __attribute__((noinline)) void
lr_unlink_entry(struct vt_engine *e, struct vt_vcpu *v,
		const struct vt_hdr *rec)
{
	unsigned int i, n;
	struct vt_irq *irq;

	if (v->in_run && v->entry.used_lrs && e->lost == 0 &&
	    e->by_type[VT_REC_LR_FOLD])
		vt_eng_bug(e, "BUG: vm %u vCPU %u entered at %llu with LRs of its previous run never folded",
			   rec->vm_id, rec->vcpu_id,
			   (unsigned long long)rec->ts_ns);
	n = v->entry.used_lrs < VT_MAX_LR ? v->entry.used_lrs : VT_MAX_LR;
	for (i = 0; i < n; i++) {
		irq = v->ent[i].irq;	/* the IRQs of its valid LRs */
		if (!irq)
			continue;
		if (irq->lr_vcpu == rec->vcpu_id)
			irq->lr_vcpu = VT_NO_VCPU;
		if (v->in_run)
			vt_irq_holder_del(irq, v);
	}
}

/*
 * The new LRs of a FLUSH, decoded once into @v->ent[] and @lrs, and
 * their IRQs: an LR often holds the IRQ it held at the last entry (kept
 * in v->ent[i]), no lookup then. Inline, @gic a constant where it is
 * VT_GIC_V3: no test of the version per LR.
 */
static inline __attribute__((always_inline)) int
lr_flush_decode(struct vt_engine *e, struct vt_vcpu *v,
		const struct vt_rec_lr *r, struct vt_ev_lrs *lrs,
		unsigned int used, unsigned int gic)
{
	uint32_t vm = r->hdr.vm_id;
	struct vt_irq *irq;
	unsigned int i;
	uint64_t raw;
	uint32_t old;

	for (i = 0; i < used; i++) {
		struct vt_entry_lr *el = &v->ent[i];
		struct vt_lr l;

		irq = el->irq;		/* (of INTID el->lr.vintid if set) */
		old = el->lr.vintid;
		raw = r->lr[i];
		/* (the used LRs only: a whole record is 160 bytes) */
		v->entry.lr[i] = raw;
		vt_lr_decode_fast(gic, raw, &l);
		el->lr = l;
		lrs->lr[i] = l;
		if (l.state != VT_LR_INVALID) {
			irq = lr_irq(e, v, irq, old, vm, l.vintid);
			if (!irq) {
				el->irq = NULL;
				return -ENOMEM;
			}
		} else {
			irq = NULL;
		}
		lrs->irq[i] = irq;
		el->irq = irq;
	}
	return 0;
}

int h_lr_flush(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_lr *r = (const void *)rec;
	struct vt_vcpu *v = lr_rec_vcpu(e, r);
	struct vt_ev_lrs lrs;
	struct vt_irq *irq;
	unsigned int i, gic = r->gic_version;
	unsigned int used = r->used_lrs < VT_MAX_LR ? r->used_lrs : VT_MAX_LR;
	uint32_t vcpu = rec->vcpu_id, *w;
	uint64_t ts = rec->ts_ns, raw, w01, w23;
	int ret;

	if (!v)
		return -ENOMEM;
	if (e->opts.no_analysis) {
		vt_rec_done(e, rec, NULL);
		return 0;
	}
	/*
	 * (out of a run after a fold that unmarked them all: nothing to do;
	 * its BUG, if any, before the next one)
	 */
	if (__builtin_expect(v->in_run || !v->ent_unlinked, 0))
		lr_unlink_entry(e, v, rec);
	if (r->used_lrs > e->max_used_lrs)
		e->max_used_lrs = r->used_lrs;
	if (r->nr_lrs && r->used_lrs > r->nr_lrs)
		vt_eng_bug(e, "BUG: vm %u vCPU %u entered at %llu with %u LRs in use but only %u implemented",
			   rec->vm_id, rec->vcpu_id,
			   (unsigned long long)rec->ts_ns, r->used_lrs, r->nr_lrs);
	if (__builtin_expect(gic == VT_GIC_V3, 1)) {
		v->ent_dec = true;
		ret = lr_flush_decode(e, v, r, &lrs, used, VT_GIC_V3);
	} else {
		v->ent_dec = gic == VT_GIC_V2;
		ret = lr_flush_decode(e, v, r, &lrs, used, gic);
	}
	if (ret)
		return ret;
	/* Rules look at the previous state first (migration, overflow). */
	lr_emit_flush(e, r, v, &lrs, used);

	/* (the vCPU and LR index words of the history entry) */
	w01 = vcpu;
	for (i = 0; i < used; i++, w01 += 1ull << 32) {
		const struct vt_lr *l = &lrs.lr[i];

		raw = r->lr[i];
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
		/* vt_irq_hist_lr(): vCPU, index, GIC version, the LR */
		w = vt_hist_slot(irq, ts, &vt_hist_lr_site);
		w23 = gic | raw << 32;
		memcpy(w, &w01, sizeof(w01));
		memcpy(w + 2, &w23, sizeof(w23));
		w[4] = (uint32_t)(raw >> 32);
		if (l->state & VT_LR_P) {
			vt_lat_stage(e, irq, VT_ST_LR_P, ts);
			irq->last_deliver_ts = ts;
		}
	}
	/* (of the entry's header, what vt_vcpu_holds() and the fold read) */
	v->entry.gic_version = r->gic_version;
	v->entry.used_lrs = r->used_lrs;
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

/*
 * Out of memory in lr_fold_lrs(), which took @v out of the holders of
 * the IRQs of its entry's first @i LRs (of @n): back in, as before the
 * FOLD.
 */
static __attribute__((noinline, cold)) int
lr_fold_nomem(struct vt_vcpu *v, unsigned int i, unsigned int n)
{
	unsigned int j;

	for (j = 0; j < i && j < n; j++)
		if (v->ent[j].irq)
			vt_irq_holder_add(v->ent[j].irq, v);
	return -ENOMEM;
}

/*
 * The LRs of a FOLD: one LR_RUN event each (@ev, its per-LR fields all
 * set again for each LR), and @v out of the holders of the IRQs of
 * its entry's LRs (no rule reads the holders before the next FLUSH).
 * Inline, @gic a constant where it is VT_GIC_V3: no test of the
 * version per LR.
 */
static inline __attribute__((always_inline)) int
lr_fold_lrs(struct vt_engine *e, const struct vt_rec_lr *r,
	    struct vt_vcpu *v, struct vt_ev *ev, unsigned int n,
	    unsigned int n_in, bool *unlinked, unsigned int gic)
{
	struct vt_lr *out = &ev->run.out;	/* (decoded in place: no copy) */
	unsigned int i, k, used = r->used_lrs;
	uint32_t vcpu = r->hdr.vcpu_id;
	uint64_t ts = r->hdr.ts_ns;
	struct vt_irq *irq;
	uint32_t *w;

	for (i = 0; i < used; i++) {
		const struct vt_entry_lr *el = &v->ent[i];

		vt_lr_decode_fast(gic, r->lr[i], out);
		ev->run.index = (int)i;
		if (__builtin_expect(i < n_in && el->lr.vintid == out->vintid,
				     1)) {
			unsigned int in = el->lr.state & 3;

			/* (the run is over: its entry's IRQ not held here) */
			irq = el->irq;
			if (irq) {
				vt_irq_holder_del(irq, v);
			} else {
				irq = vt_irq_get(e, r->hdr.vm_id, out->vintid);
				if (!irq)
					return lr_fold_nomem(v, i, n);
			}
			k = in * 4 + out->state;
			ev->run.have_in = true;
			ev->run.in = el->lr;
			ev->run.eoied = vt_lr_guest_eoied_st(in, out->state);
			(&irq->cnt.lr_trans[0][0])[k]++;
			/* A or P+A at entry, inv or P at exit */
			if ((1u << k) & 0x3300u)
				irq->cnt.out_of_active++;
			/* (vt_irq_hist() of lr_exit_site, the words known) */
			w = vt_hist_slot(irq, ts, &lr_exit_site);
			w[0] = vcpu;
			w[1] = i;
			w[2] = e->lr_hs[in];
			w[3] = e->lr_hs[out->state];
			w[4] = e->lr_hs[4 + out->eoi];
			w[5] = e->lr_hs[6 + ev->run.eoied];
		} else {
			if (i < n_in && !e->lost)
				vt_eng_bug(e, "BUG: vm %u vCPU %u LR%u holds vINTID %u at exit but %u at entry (ts %llu)",
					   r->hdr.vm_id, vcpu, i, out->vintid,
					   el->lr.vintid,
					   (unsigned long long)ts);
			if (i < n && el->irq) {
				*unlinked = false; /* (its lr_vcpu not cleared) */
				vt_irq_holder_del(el->irq, v);
			}
			if (out->state == VT_LR_INVALID)
				continue;
			irq = vt_irq_get(e, r->hdr.vm_id, out->vintid);
			if (!irq)
				return lr_fold_nomem(v, i + 1, n);
			ev->run.have_in = false;
			memset(&ev->run.in, 0, sizeof(ev->run.in));
			ev->run.eoied = false;
			vt_irq_hist(e, irq, ts, "exit  vCPU%u LR%u ? -> %s (no entry seen)",
				    vcpu, i, vt_lr_state_names[out->state]);
		}
		ev->irq = irq;
		if (out->eoi)	/* (decoded: only without HW) */
			irq->level = true;
		/* P+A -> A: the deactivation came before the new activation */
		if (ev->run.eoied) {
			irq->cnt.guest_eoi++;
			irq->last_eoi_ts = ts;
			vt_lat_stage(e, irq, VT_ST_EOI, ts);
		}
		if (out->state & VT_LR_A)
			vt_lat_stage(e, irq, VT_ST_ACTIVE, ts);
		vt_irq_set_active(e, irq, out->state & VT_LR_A, vcpu);
		if (irq->lr_vcpu == vcpu)
			irq->lr_vcpu = VT_NO_VCPU;
		vt_bus_emit_LR_RUN(e, ev);	/* (ev is reused: kind not known) */
	}
	return 0;
}

int h_lr_fold(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_lr *r = (const void *)rec;
	struct vt_vcpu *v = lr_rec_vcpu(e, r);
	unsigned int i, n, n_in, used = r->used_lrs;
	struct vt_ev_lrs lrs;
	bool unlinked = true;
	struct vt_ev ev;
	int ret;

	if (!v)
		return -ENOMEM;
	if (e->opts.no_analysis) {
		vt_rec_done(e, rec, NULL);
		return 0;
	}
	if (__builtin_expect(!e->lr_hs_ok, 0))
		lr_hs_init(e);
	/*
	 * LRs of the entry of this run (decoded at its FLUSH): @n, and
	 * @n_in of them known (decoded: a known GIC version)
	 */
	n = 0;
	if (v->in_run)
		n = v->entry.used_lrs < VT_MAX_LR ? v->entry.used_lrs : VT_MAX_LR;
	n_in = v->ent_dec ? n : 0;
	/* one LR_RUN event: vt_ev_init() less its clearing of ev.run */
	ev.kind = VT_EV_LR_RUN;
	ev.ts = rec->ts_ns;
	ev.irq = NULL;
	ev.vcpu = v;
	if (__builtin_expect(r->gic_version == VT_GIC_V3, 1))
		ret = lr_fold_lrs(e, r, v, &ev, n, n_in, &unlinked, VT_GIC_V3);
	else
		ret = lr_fold_lrs(e, r, v, &ev, n, n_in, &unlinked,
				  r->gic_version);
	if (ret)
		return ret;
	/* (the entry's LRs the exit did not show, held here no more) */
	for (i = used; i < n; i++)
		if (v->ent[i].irq)
			vt_irq_holder_del(v->ent[i].irq, v);
	/* the FOLD: @ev made one (vt_ev_init() of its kind, ts and vCPU kept) */
	used = used < VT_MAX_LR ? used : VT_MAX_LR;
	lrs.used = used;
	lrs.nr_lrs = r->nr_lrs;
	lrs.hcr_valid = r->flags & VT_LR_F_HCR_VALID;
	lrs.eoicount = lrs.hcr_valid ? (r->hcr >> 27) & 0x1f : 0;
	ev.kind = VT_EV_FOLD;
	ev.irq = NULL;
	memset((char *)&ev + offsetof(struct vt_ev, inject), 0, VT_EV_SMALL);
	ev.lr = &lrs;
	vt_bus_emit_FOLD(e, &ev);
	if (v->in_run)
		v->ent_unlinked = unlinked && used >= n;
	v->in_run = false;
	v->last_exit_ts = rec->ts_ns;
	vt_rec_done(e, rec, NULL);
	return 0;
}
