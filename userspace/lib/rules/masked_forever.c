// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * masked_forever.c - rule "intx-masked-forever".
 *
 * A VFIO INTx line masked (by the host handler or an ioctl) and not
 * unmasked within masked_ns (default 1 s, VT_DEF_MASKED_NS: three
 * orders of magnitude above the 0.1-2 ms resample latency measured on
 * the emulated host, well below a user-visible hang). The finding names
 * the likely reason, checked along the chain in this order:
 *   no irqfd links the device -> no resamplefd registered -> guest never
 *   EOI'd -> EOI'd but no ack -> acked but no resample -> resample
 *   signalled but no unmask.
 *
 * When the irqfd has no resamplefd and the guest's EOI was acked, nothing
 * can ever unmask: that is reported at the ack, without waiting.
 *
 * The same applies to a level IRQ raised through an irqfd by a source
 * that VFIO does not trace (a device emulated by the VMM): asserted at
 * an inject with level 1 and never de-asserted (inject level 0 from the
 * resampler, or a resample) within masked_ns: the source waits for a
 * resample that does not come, so for it the line is masked forever.
 *
 * A de-assert that is not the guest's doing does not undo that: a line
 * asserted past the threshold with no ack (so no resample) and then
 * driven low by a source that is not the resampler (source unknown or
 * kernel, no vCPU) - the 6.1 VM teardown's irqfd_resampler_shutdown()
 * de-asserts from a kworker after the VMM closed its fds, with no IRQFD
 * deassign record - keeps its finding, made at that de-assert.
 */
#include <stdio.h>
#include "masked_forever.h"

#define MF_IRQ(e, irq)	((struct mf_irq *)vt_rule_irq(e, &vt_rule_masked_forever, irq))
#define MF_DEV(e, d)	((struct mf_dev *)vt_rule_dev(e, &vt_rule_masked_forever, d))

static const char *reason(struct vt_engine *e, const struct vt_dev *d,
			  char *buf, size_t len)
{
	const struct vt_irq *irq = d->irq;
	struct vt_irqfd *f;

	if (!irq) {
		snprintf(buf, len, "device not linked to any irqfd in the trace (no irqfd record with its trigger eventfd)");
		return buf;
	}
	f = vt_irqfd_by_key(e, d->trigger_key, false);
	if (f && !f->resample) {
		snprintf(buf, len, "no resampler registered: the irqfd for gsi %u has no resamplefd, nothing will unmask", f->gsi);
		return buf;
	}
	if (!irq->resampled) {
		snprintf(buf, len, "no resampler registered for gsi %u", d->gsi);
		return buf;
	}
	if (irq->last_eoi_ts < d->mask_ts) {
		if (irq->cnt.mmio[VT_MMIO_ICPENDR] || irq->cnt.mmio[VT_MMIO_ICACTIVER])
			snprintf(buf, len, "guest never EOI'd it after the mask; it cleared its state through GICD ICPENDR/ICACTIVER");
		else
			snprintf(buf, len, "guest never EOI'd it after the mask (not delivered, or the guest handler is stuck)");
		return buf;
	}
	if (irq->last_ack_ts < d->mask_ts) {
		snprintf(buf, len, "guest EOI'd it but KVM sent no ack notification (see missed-resample)");
		return buf;
	}
	if (irq->last_resample_ts < d->mask_ts) {
		snprintf(buf, len, "acked, but the irqfd resampler did not run");
		return buf;
	}
	snprintf(buf, len, "resample signalled but no unmask followed (VFIO unmask eventfd not wired to the resamplefd?)");
	return buf;
}

static const char *line_reason(struct vt_engine *e, struct vt_irq *irq,
			       uint64_t line_ts, char *buf, size_t len)
{
	struct vt_irqfd *f = vt_irqfd_by_gsi(e, irq->vm_id, irq->gsi);

	if ((f && !f->resample) || (!f && !irq->resampled)) {
		snprintf(buf, len, "no resampler registered: %s has no resamplefd, nothing de-asserts the level line or notifies the source",
			 f ? "its irqfd" : "no irqfd with a resamplefd in the trace:");
		return buf;
	}
	if (vt_eoi_lost_watching(irq) && irq->active) {
		snprintf(buf, len, "its deactivation was lost to LR overflow: still active in KVM (see eoi-lost-lr-overflow)");
		return buf;
	}
	if (irq->last_eoi_ts < line_ts) {
		if (irq->cnt.mmio[VT_MMIO_ICPENDR] || irq->cnt.mmio[VT_MMIO_ICACTIVER])
			snprintf(buf, len, "guest never EOI'd it; it cleared its state through GICD ICPENDR/ICACTIVER");
		else
			snprintf(buf, len, "guest never EOI'd it (%s)",
				 irq->active ? "still active: the guest handler never finished" :
				 "not delivered, or the guest has it disabled");
		return buf;
	}
	if (irq->last_ack_ts < irq->last_eoi_ts) {
		snprintf(buf, len, "guest EOI'd it but KVM sent no ack notification (see missed-resample)");
		return buf;
	}
	snprintf(buf, len, "acked, but the irqfd resampler did not run");
	return buf;
}

/*
 * A line asserted longer than the (scaled) threshold: report it. Live
 * (@end false) it says what is true at @now: masked so far.
 * Return: true when decided (reported now or before), false to look
 * again later (not known to be level yet, or now linked to a device).
 */
static bool line_verdict(struct vt_engine *e, struct vt_irq *irq, uint64_t now,
			 bool end)
{
	struct mf_irq *m = MF_IRQ(e, irq);
	char why[200];

	if (vt_reported(irq, &vt_rule_masked_forever))
		return true;
	/* (the IRQ's own line first: the rule's state is a cold line) */
	if (irq->dev || !irq->level || !m->line_ts ||
	    now - m->line_ts <= e->opts.masked_ns)
		return false;
	if (now - m->line_ts <=
	    vt_rule_wait(e, e->opts.masked_ns, end ? irq : NULL))
		return false;	/* a slow host: scaled to its latencies */
	if (end)
		vt_finding_add(e, &vt_rule_masked_forever, VT_SEV_ERROR, irq,
			       VT_NO_VCPU, now,
			       "level INTID %u asserted through irqfd gsi %d for %llu ms without de-assert or resample: the source stays masked: %s",
			       irq->intid, (int)irq->gsi,
			       (unsigned long long)((now - m->line_ts) / 1000000),
			       line_reason(e, irq, m->line_ts, why, sizeof(why)));
	else
		vt_finding_add(e, &vt_rule_masked_forever, VT_SEV_ERROR, irq,
			       VT_NO_VCPU, now,
			       "level INTID %u asserted through irqfd gsi %d: masked for %llu ms so far, no de-assert or resample seen: %s",
			       irq->intid, (int)irq->gsi,
			       (unsigned long long)((now - m->line_ts) / 1000000),
			       line_reason(e, irq, m->line_ts, why, sizeof(why)));
	return true;
}

/*
 * A level-0 injection of a line asserted through an irqfd: is it one the
 * source's wait does not end with? Not the resampler (source unknown or
 * kernel), from no vCPU, with no ack since the assert (the guest never
 * had its EOI acked, so no resample was due), after the threshold.
 * Then the line was stuck for all that time: report it, saying what
 * the records show.
 */
/* (out of line, as vt_mf_check() and vt_mf_ack_without_resampler():
 * rare paths) */
static __attribute__((noinline)) void
nonguest_low(struct vt_engine *e, const struct vt_ev *ev,
	     struct mf_irq *m)
{
	struct vt_irq *irq = ev->irq;
	char why[200], t[32];

	if (!m->line_ts || irq->dev || !irq->level ||
	    vt_reported(irq, &vt_rule_masked_forever))
		return;
	if ((ev->inject.source != VT_SRC_UNKNOWN &&
	     ev->inject.source != VT_SRC_KERNEL) ||
	    ev->inject.vcpu_id != VT_NO_VCPU || irq->last_ack_ts >= m->line_ts)
		return;
	if (ev->ts - m->line_ts <= e->opts.masked_ns ||
	    ev->ts - m->line_ts <= vt_rule_wait(e, e->opts.masked_ns, irq))
		return;
	vt_fmt_ts(ev->ts, t, sizeof(t));
	vt_finding_add(e, &vt_rule_masked_forever, VT_SEV_ERROR, irq,
		       VT_NO_VCPU, ev->ts,
		       "level INTID %u asserted through irqfd gsi %d for %llu ms with no ack or resample: the source stayed masked: %s; then de-asserted at %s by a non-guest source (%s, no vCPU, no ack before it; VM teardown?)",
		       irq->intid, (int)irq->gsi,
		       (unsigned long long)((ev->ts - m->line_ts) / 1000000),
		       line_reason(e, irq, m->line_ts, why, sizeof(why)), t,
		       ev->inject.source == VT_SRC_KERNEL ? "source kernel" :
		       "source unknown");
}

/* a level-0 inject of a line asserted through an irqfd */
void vt_mf_inject_low(struct vt_engine *e, const struct vt_ev *ev,
		      struct mf_irq *m)
{
	/* (nonguest_low()'s first test inline: most lines have a device) */
	if (!ev->irq->dev)
		nonguest_low(e, ev, m);
	vt_mf_line_low(e, ev->irq, m);
}

void vt_mf_check(struct vt_engine *e, uint64_t now, bool end)
{
	char why[160];
	size_t i;

	for (i = 0; i < e->nr_devs; i++) {
		struct vt_dev *d = e->devs[i];
		struct mf_dev *md = MF_DEV(e, d);
		struct vt_irqfd *f;

		if (!d->masked || now - d->mask_ts <= e->opts.masked_ns)
			continue;
		if (now - d->mask_ts <=
		    vt_rule_wait(e, e->opts.masked_ns, end ? d->irq : NULL))
			continue;	/* a slow host: scaled to its latencies */
		f = vt_irqfd_by_key(e, d->trigger_key, false);
		if (f && f->deassigned)
			continue;	/* its irqfd is gone: VM shutting down */
		if (md->reported && d->mask_ts == md->ts)
			continue;
		md->reported = true;
		md->ts = d->mask_ts;
		vt_finding_add(e, &vt_rule_masked_forever, VT_SEV_ERROR, d->irq,
			       VT_NO_VCPU, now, end ?
			       "VFIO INTx of %s (host irq %u) masked for %llu ms without unmask: %s" :
			       "VFIO INTx of %s (host irq %u) masked for %llu ms so far, no unmask seen: %s",
			       d->name, d->host_irq,
			       (unsigned long long)((now - d->mask_ts) / 1000000),
			       reason(e, d, why, sizeof(why)));
	}
}

/*
 * An ack while the source waits, with no resamplefd on its irqfd: the
 * guest is done and nothing can ever unmask - report at once.
 */
void vt_mf_ack_without_resampler(struct vt_engine *e, struct vt_irq *irq,
				 uint64_t ts)
{
	struct vt_dev *d = irq->dev;
	struct vt_irqfd *f;
	char why[200];

	if (vt_reported(irq, &vt_rule_masked_forever))
		return;
	if (d && d->masked) {
		struct mf_dev *md = MF_DEV(e, d);

		if (md->fd_gen != e->irqfd_gen + 1 ||
		    md->fd_key != d->trigger_key) {
			f = vt_irqfd_by_key(e, d->trigger_key, false);
			md->fd_key = d->trigger_key;
			md->fd_gen = e->irqfd_gen + 1;
			md->fd_nores = f && !f->resample;
		}
		if (!md->fd_nores)
			return;
		f = vt_irqfd_by_key(e, d->trigger_key, false);
		if (!f || f->resample)
			return;		/* (not reached: @fd_nores says so) */
		MF_DEV(e, d)->reported = true;
		MF_DEV(e, d)->ts = d->mask_ts;
		vt_finding_add(e, &vt_rule_masked_forever, VT_SEV_ERROR, irq,
			       VT_NO_VCPU, ts,
			       "VFIO INTx of %s (host irq %u) masked; the guest EOI'd INTID %u and KVM acked it, but no resampler is registered (irqfd gsi %u has no resamplefd): nothing will unmask it",
			       d->name, d->host_irq, irq->intid, f->gsi);
		return;
	}
	if (d || !MF_IRQ(e, irq)->line_ts || !irq->level)
		return;
	f = vt_irqfd_by_gsi(e, irq->vm_id, irq->gsi);
	if (!f || f->resample)
		return;
	vt_finding_add(e, &vt_rule_masked_forever, VT_SEV_ERROR, irq,
		       VT_NO_VCPU, ts,
		       "level INTID %u asserted through irqfd gsi %u; the guest EOI'd it and KVM acked it, but %s",
		       irq->intid, f->gsi,
		       line_reason(e, irq, MF_IRQ(e, irq)->line_ts, why, sizeof(why)));
}

/* (the bus calls vt_on_masked_forever() inline; this for the others) */
static void mf_event(struct vt_engine *e, const struct vt_ev *ev, void *st)
{
	vt_on_masked_forever(e, ev, st, ev->kind);
}

/* live: a line asserted longer than the threshold */
static bool mf_expire(struct vt_engine *e, struct vt_irq *irq, void *st,
		      enum vt_expire why)
{
	(void)st;
	(void)why;
	return line_verdict(e, irq, e->now, false);
}

static void mf_finish(struct vt_engine *e)
{
	size_t i;

	vt_mf_check(e, e->now, true);
	for (i = 0; i < e->nr_irqs; i++)
		line_verdict(e, e->irqs[i], e->now, true);
}

const struct vt_rule vt_rule_masked_forever = {
	.name = "intx-masked-forever",
	.index = VT_RULE_masked_forever,
	VT_RULE_SUBS(masked_forever),	/* (rules.def) */
	.hooks = { VT_HOOK_INJECT, VT_HOOK_RESAMPLE, VT_HOOK_VFIO_HANDLER },
	.irq_state = sizeof(struct mf_irq),
	.dev_state = sizeof(struct mf_dev),
	.wait = VT_WAIT_MASKED,
	.event = mf_event,
	.expire = mf_expire,
	.finish = mf_finish,
};
