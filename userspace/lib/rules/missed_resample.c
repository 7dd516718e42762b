// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * missed_resample.c - rule "missed-resample" (the headline).
 *
 * A level IRQ whose LR asked for an EOI maintenance notification (EOI
 * set, HW clear) was deactivated by the guest during a run - its LR
 * went A -> P/inv, P+A -> P/A/inv or P -> inv between entry and exit -
 * and no kvm_notify_acked_irq() for its pin followed before the vCPU
 * entered again (or within ack_wait_ns). Without the ack the resampler
 * never de-asserts the line nor signals the resamplefd, so VFIO never
 * unmasks: the 2018 "irq 41: nobody cared" case.
 *   P -> IAR -> A -> exit/entry -> P+A -> EOI -> P         (sequence 1)
 *   P+A -> EOI -> P -> delayed MI -> IAR -> A              (sequence 2)
 *   P -> IAR -> A -> EOI -> inv within one run             (6.19 GICv3:
 *        the fold only notifies when it saw the IRQ active before)
 * and, on 6.19+ kernels, a deactivation outside the LR runs
 * (VT_REC_DEACTIVATE: a guest DIR trap or an EOIcount replay) of a level
 * SPI with no ack notification before that vCPU entered again.
 *
 * "Within the ack wait" (no next entry of that vCPU) is decided by what
 * the trace shows next when the whole trace is known, else after the
 * ack wait scaled to the latencies of this trace (vt_rule_wait()).
 */
#include <stdio.h>
#include <stdlib.h>
#include "missed_resample.h"

/* per-IRQ state: the deactivation waiting for its ack (a deadline) */
struct mr_irq {
	uint64_t ts;
	uint32_t vcpu;
	uint8_t in, out;
	uint8_t how;			/* 0: LR run, else VT_DEACT_* */
};

static const char *pattern_lr(uint8_t in, uint8_t out);

static const char *pattern(struct vt_engine *e, const struct mr_irq *m,
			   char *buf, size_t len)
{
	uint8_t in = m->in, out = m->out;

	if (m->how == VT_DEACT_DIR) {
		snprintf(buf, len, "guest DIR (EOImode=1) trapped and deactivated it on kernel %s, yet KVM sent no ack notification",
			 vt_rule_kernel(e));
		return buf;
	}
	if (m->how == VT_DEACT_EOICOUNT) {
		snprintf(buf, len, "deactivated by the EOIcount replay while in no LR (kernel %s), yet KVM sent no ack notification",
			 vt_rule_kernel(e));
		return buf;
	}
	if (in == VT_LR_P && out == VT_LR_INVALID &&
	    (e->facts.gic_version ? e->facts.gic_version : e->seen_gic) == VT_GIC_V3 &&
	    vt_eng_kernel_at_least(e, 6, 19)) {
		snprintf(buf, len, "P -> inv with EOI: taken and EOI'd within one run; kernel %s's GICv3 fold acks only IRQs it saw active: the 6.19+ regression",
			 vt_rule_kernel(e));
		return buf;
	}
	snprintf(buf, len, "%s", pattern_lr(in, out));
	return buf;
}

static const char *pattern_lr(uint8_t in, uint8_t out)
{
	if (in == VT_LR_PA && out == VT_LR_P)
		return "P+A -> P: guest EOI left the LR pending (2018 sequence 1: P -> IAR -> A -> exit/entry -> P+A -> EOI -> P), lr_signals_eoi_mi() is false for a pending LR";
	if (in == VT_LR_PA && out == VT_LR_A)
		return "P+A -> A: guest EOI then IAR of the new pending state before the exit (2018 sequence 2: P+A -> EOI -> P -> delayed MI -> IAR -> A)";
	if (in == VT_LR_P && out == VT_LR_INVALID)
		return "P -> inv: acknowledged and deactivated within one run; a fold that only notifies IRQs it saw active (mainline 6.19 GICv3) sends no ack";
	if (in == VT_LR_A && out == VT_LR_P)
		return "A -> P: deactivated and made pending again within the run";
	return "deactivated with the LR invalid and EOI set, yet no ack was sent";
}

static bool ack_hook_missing(const struct vt_engine *e)
{
	uint8_t h = e->hooks[VT_HOOK_ACK];

	return h == VT_ATTACH_MISSING + 1 || h == VT_ATTACH_DISABLED + 1;
}

/* Did the trace see the VM's irqfd registrations (the VM set up inside it)? */
static bool vm_irqfds_known(const struct vt_engine *e, uint32_t vm)
{
	size_t i;

	for (i = 0; i < e->nr_irqfds; i++)
		if (e->irqfds[i].vm_id == vm)
			return true;
	return false;
}

/* (out of line: mr_event() then saves no registers for it) */
static __attribute__((noinline)) void
missed(struct vt_engine *e, struct vt_irq *irq, struct mr_irq *m,
       const char *why)
{
	bool known = irq->resampled || irq->dev;
	char pat[300];

	vt_deadline_cancel(e, &vt_rule_missed_resample, irq);
	irq->cnt.eoi_no_ack++;
	if (ack_hook_missing(e))
		return;		/* cannot tell: the report lists the hook */
	/*
	 * The VM's irqfds are in the trace and none resamples this IRQ
	 * (e.g. a KVM_IRQ_LINE source): nobody waits for the ack.
	 */
	if (!known && vm_irqfds_known(e, irq->vm_id))
		return;
	if (vt_reported(irq, &vt_rule_missed_resample))
		return;		/* counted in the per-IRQ table */
	vt_finding_add(e, &vt_rule_missed_resample,
		       known ? VT_SEV_ERROR : VT_SEV_WARNING, irq, m->vcpu,
		       m->ts,
		       "guest %s level INTID %u on vCPU%u, no ack notification %s%s: %s",
		       m->how ? "deactivated" : "EOI'd",
		       irq->intid, m->vcpu, why,
		       !known ? " (no resampler seen in the trace)" :
		       irq->dev ? "; without it the resampler does not run and VFIO stays masked" :
		       "; without it the resampler does not run (line not de-asserted)",
		       pattern(e, m, pat, sizeof(pat)));
}

/* wait for the ack until the vCPU enters again (or the ack wait) */
static void arm(struct vt_engine *e, struct vt_irq *irq, struct mr_irq *m,
		uint64_t ts, struct vt_vcpu *v, uint8_t in, uint8_t out,
		uint8_t how)
{
	m->ts = ts;
	m->vcpu = v->vcpu_id;
	m->in = in;
	m->out = out;
	m->how = how;
	vt_deadline_arm(e, &vt_rule_missed_resample, irq, ts, v);
}

/* a run where the guest deactivated an LR with EOI set, HW clear */
void vt_mr_run(struct vt_engine *e, const struct vt_ev *ev, void *st)
{
	struct mr_irq *m = st;
	struct vt_irq *irq = ev->irq;

	if (irq->intid < VT_SPI_BASE || irq->intid >= 1020)
		return;
	if (vt_deadline_armed(irq, &vt_rule_missed_resample))
		missed(e, irq, m, "before its next deactivation");
	arm(e, irq, m, ev->ts, ev->vcpu, ev->run.in.state, ev->run.out.state,
	    0);
}

/* DIR trap / EOIcount replay of a level SPI: an ack must follow */
void vt_mr_deact(struct vt_engine *e, const struct vt_ev *ev, void *st)
{
	struct mr_irq *m = st;
	struct vt_irq *irq = ev->irq;

	if (ev->deact.how == VT_DEACT_LR || !irq->level ||
	    irq->intid < VT_SPI_BASE || irq->intid >= 1020)
		return;
	/* a producer that writes the record after the ack */
	if (irq->last_ack_ts >= ev->vcpu->last_exit_ts &&
	    irq->cnt.acks && irq->last_ack_ts <= ev->ts)
		return;
	if (vt_deadline_armed(irq, &vt_rule_missed_resample))
		missed(e, irq, m, "before its next deactivation");
	arm(e, irq, m, ev->ts, ev->vcpu, VT_LR_A, VT_LR_INVALID,
	    (uint8_t)ev->deact.how);
}

/* (the bus calls vt_on_missed_resample() inline; this for the others) */
static void mr_event(struct vt_engine *e, const struct vt_ev *ev, void *st)
{
	vt_on_missed_resample(e, ev, st, ev->kind);
}

/* the vCPU entered again, or (live) the scaled ack wait passed */
static bool mr_expire(struct vt_engine *e, struct vt_irq *irq, void *st,
		      enum vt_expire why)
{
	missed(e, irq, st, why == VT_EXP_ENTRY ? "in that exit" :
	       "within the ack wait (scaled to this trace's latencies)");
	return true;
}

static void mr_finish(struct vt_engine *e)
{
	struct vt_irq **v;
	size_t i, n;

	v = vt_deadline_list(e, &vt_rule_missed_resample, &n);
	for (i = 0; i < n; i++)
		missed(e, v[i], vt_rule_irq(e, &vt_rule_missed_resample, v[i]),
		       "before the trace ended");
	free(v);
}

const struct vt_rule vt_rule_missed_resample = {
	.name = "missed-resample",
	.index = VT_RULE_missed_resample,
	VT_RULE_SUBS(missed_resample),	/* (rules.def) */
	.hooks = { VT_HOOK_LR_FLUSH, VT_HOOK_ACK },
	.needs_fold = true,
	.irq_state = sizeof(struct mr_irq),
	.wait = VT_WAIT_ACK,
	.event = mr_event,
	.expire = mr_expire,
	.finish = mr_finish,
};
