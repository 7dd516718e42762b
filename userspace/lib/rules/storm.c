// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * storm.c - rule "storm".
 *
 * Counts re-fire cycles per IRQ: a re-assert (inject level 1 or VFIO
 * host handler) that follows a resample. More than storm_per_sec cycles
 * (default 5000, VT_DEF_STORM_PER_SEC) inside any one-second window is
 * a storm: the device keeps the line asserted although the guest
 * handled it, the precursor of the host's "irq N: nobody cared" (which
 * needs 99 900 unhandled of 100 000). The window is exact: a ring of the
 * last storm_per_sec + 1 cycle times.
 *
 * A rate depends on the machine (an emulated host re-fires a few hundred
 * times a second), so a VFIO INTx has a second, rate-free condition: the
 * resamplefd unmask found the line still asserted in storm_still
 * (default 10, VT_DEF_STORM_STILL) consecutive cycles. The line never
 * went low across that many guest EOIs: nobody services the device, and
 * on the host the interrupt is re-injected from the unmask path without
 * a new host IRQ.
 */
#include <stdio.h>
#include <stdlib.h>
#include "storm.h"

/*
 * Rate-free condition: a VFIO unmask from the resamplefd (@ev, a
 * VT_VFIO_UNMASK_HANDLER event: st_event() tests that) that finds the
 * line still asserted, storm_still times in a row. Out of line, as
 * vt_st_reassert(): the inline vt_on_storm() then saves no registers.
 */
void vt_st_still(struct vt_engine *e, const struct vt_ev *ev,
		 struct st_irq *s)
{
	struct vt_irq *irq = ev->irq;

	if (ev->vfio.result != 1) {
		s->still_run = 0;
		return;
	}
	if (++s->still_run < e->opts.storm_still ||
	    vt_reported(irq, &vt_rule_storm))
		return;
	vt_finding_add(e, &vt_rule_storm, VT_SEV_WARNING, irq, VT_NO_VCPU,
		       ev->ts,
		       "INTID %u: the VFIO unmask found the line still asserted after %u consecutive guest EOIs (threshold %u; %llu host IRQs): the device is never serviced and the interrupt re-fires from the unmask path (\"nobody cared\" precursor)",
		       irq->intid, s->still_run, e->opts.storm_still,
		       (unsigned long long)irq->cnt.vfio[VT_VFIO_HANDLER]);
}

/* a storm: the ring is full and spans less than a second (rare) */
static __attribute__((noinline)) void
st_report(struct vt_engine *e, const struct vt_ev *ev, uint32_t size,
	  uint64_t oldest_ts)
{
	struct vt_irq *irq = ev->irq;
	char still[80];

	still[0] = 0;
	if (irq->dev && irq->cnt.still_asserted)
		snprintf(still, sizeof(still),
			 "; VFIO unmask found the line still asserted %llu times",
			 (unsigned long long)irq->cnt.still_asserted);
	vt_finding_add(e, &vt_rule_storm, VT_SEV_WARNING, irq, VT_NO_VCPU,
		       ev->ts,
		       "INTID %u re-asserted %u times through resample -> re-fire within %llu us (threshold %u/s)%s: the source keeps asserting although the guest handled it (\"nobody cared\" precursor)",
		       irq->intid, size,
		       (unsigned long long)((ev->ts - oldest_ts) / 1000),
		       e->opts.storm_per_sec, still);
}

/* a re-assertion after a resample: one more cycle */
void vt_st_reassert(struct vt_engine *e, const struct vt_ev *ev,
		    struct st_irq *s)
{
	uint32_t size = e->opts.storm_per_sec + 1;

	s->resampled = false;
	s->total++;
	if (vt_reported(ev->irq, &vt_rule_storm))
		return;
	if (!s->ring) {
		s->ring = calloc(size, sizeof(*s->ring));
		if (!s->ring)
			return;
	}
	s->ring[s->head] = ev->ts;
	/* (head + 1) % size, with no division */
	s->head = s->head + 1 < size ? s->head + 1 : 0;
	if (s->n < size)
		s->n++;
	if (s->n < size)
		return;
	/* the ring is full: head is the oldest */
	if (ev->ts - s->ring[s->head] >= 1000000000ull)
		return;
	st_report(e, ev, size, s->ring[s->head]);
}

/* (the bus calls vt_on_storm() inline; this for the other callers) */
static void st_event(struct vt_engine *e, const struct vt_ev *ev, void *st)
{
	vt_on_storm(e, ev, st, ev->kind);
}

static void st_free(void *st)
{
	free(((struct st_irq *)st)->ring);
}

const struct vt_rule vt_rule_storm = {
	.name = "storm",
	.index = VT_RULE_storm,
	VT_RULE_SUBS(storm),	/* (rules.def) */
	.hooks = { VT_HOOK_RESAMPLE, VT_HOOK_INJECT },
	.irq_state = sizeof(struct st_irq),
	.event = st_event,
	.irq_free = st_free,
};
