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
#include "engine_internal.h"

static bool is_reassert(const struct vt_hdr *rec)
{
	if (rec->type == VT_REC_INJECT)
		return ((const struct vt_rec_inject *)(const void *)rec)->level;
	if (rec->type == VT_REC_VFIO)
		return ((const struct vt_rec_vfio *)(const void *)rec)->event ==
		       VT_VFIO_HANDLER;
	return false;
}

/*
 * Rate-free condition: a VFIO unmask from the resamplefd that finds the
 * line still asserted, storm_still times in a row.
 */
static void st_still(struct vt_engine *e, const struct vt_ev *ev)
{
	const struct vt_rec_vfio *r = (const void *)ev->rec;
	struct vt_irq *irq = ev->irq;

	if (r->event != VT_VFIO_UNMASK_HANDLER)
		return;
	if (r->result != 1) {
		irq->st_still_run = 0;
		return;
	}
	if (++irq->st_still_run < e->opts.storm_still ||
	    (irq->reported & (1u << vt_rule_storm.index)))
		return;
	vt_finding_add(e, &vt_rule_storm, VT_SEV_WARNING, irq, VT_NO_VCPU,
		       ev->ts,
		       "INTID %u: the VFIO unmask found the line still asserted after %u consecutive guest EOIs (threshold %u; %llu host IRQs): the device is never serviced and the interrupt re-fires from the unmask path (\"nobody cared\" precursor)",
		       irq->intid, irq->st_still_run, e->opts.storm_still,
		       (unsigned long long)irq->cnt.vfio[VT_VFIO_HANDLER]);
}

static void st_event(struct vt_engine *e, const struct vt_ev *ev)
{
	struct vt_irq *irq = ev->irq;
	uint32_t size = e->opts.storm_per_sec + 1, oldest;
	char still[80] = "";

	if (ev->kind != VT_EV_RECORD || !irq)
		return;
	if (ev->rec->type == VT_REC_VFIO)
		st_still(e, ev);
	if (ev->rec->type == VT_REC_RESAMPLE) {
		irq->st_resampled = true;
		return;
	}
	if (!is_reassert(ev->rec) || !irq->st_resampled)
		return;
	irq->st_resampled = false;
	irq->st_total++;
	if (irq->reported & (1u << vt_rule_storm.index))
		return;
	if (!irq->st_ring) {
		irq->st_ring = calloc(size, sizeof(*irq->st_ring));
		if (!irq->st_ring)
			return;
	}
	irq->st_ring[irq->st_head] = ev->ts;
	irq->st_head = (irq->st_head + 1) % size;
	if (irq->st_n < size)
		irq->st_n++;
	if (irq->st_n < size)
		return;
	oldest = irq->st_head;		/* the ring is full: head is oldest */
	if (ev->ts - irq->st_ring[oldest] >= 1000000000ull)
		return;
	if (irq->dev && irq->cnt.still_asserted)
		snprintf(still, sizeof(still),
			 "; VFIO unmask found the line still asserted %llu times",
			 (unsigned long long)irq->cnt.still_asserted);
	vt_finding_add(e, &vt_rule_storm, VT_SEV_WARNING, irq, VT_NO_VCPU,
		       ev->ts,
		       "INTID %u re-asserted %u times through resample -> re-fire within %llu us (threshold %u/s)%s: the source keeps asserting although the guest handled it (\"nobody cared\" precursor)",
		       irq->intid, size,
		       (unsigned long long)((ev->ts - irq->st_ring[oldest]) / 1000),
		       e->opts.storm_per_sec, still);
}

const struct vt_rule vt_rule_storm = {
	.name = "storm",
	.index = 4,
	.event = st_event,
	.finish = NULL,
};
