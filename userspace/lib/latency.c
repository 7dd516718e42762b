// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * latency.c - per-stage latency of each delivery cycle of an IRQ.
 *
 * A cycle runs through the stages of enum vt_stage in order; each stage
 * seen gets the time since the previous stage seen in the same cycle.
 * The same stage again is ignored (an IRQ active over several runs); an
 * earlier stage opens a new cycle, except that start stages (host IRQ,
 * mask, inject) arriving out of order are merged into the open cycle.
 */
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"

static const char *const stage_names[VT_ST_MAX] = {
	[VT_ST_HOSTIRQ]	= "host_irq",
	[VT_ST_MASK]	= "mask",
	[VT_ST_INJECT]	= "inject",
	[VT_ST_LR_P]	= "lr_pending",
	[VT_ST_ACTIVE]	= "active",
	[VT_ST_EOI]	= "eoi",
	[VT_ST_ACK]	= "ack",
	[VT_ST_RESAMPLE] = "resample",
	[VT_ST_UNMASK]	= "unmask",
};

const char *vt_stage_name(enum vt_stage st)
{
	return st < VT_ST_MAX ? stage_names[st] : "?";
}

static void add_sample(struct vt_samples *s, uint64_t v)
{
	unsigned int b = 0;

	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 16;
		uint64_t *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	while (b < 63 && (v >> (b + 1)))
		b++;
	s->log2[b]++;
}

void vt_lat_stage(struct vt_irq *irq, enum vt_stage st, uint64_t ts)
{
	bool start = st <= VT_ST_INJECT;

	if (irq->cyc_last >= 0 && (int)st == irq->cyc_last)
		return;			/* same stage again (e.g. still A) */
	if (irq->cyc_last >= 0 && (int)st < irq->cyc_last) {
		/*
		 * Start stages are taken at slightly different points (the
		 * VFIO handler record is written after the inject it caused):
		 * merge them into the open cycle.
		 */
		if (start && irq->cyc_last <= VT_ST_INJECT &&
		    !(irq->cyc_mask & (1u << st))) {
			irq->cyc[st] = ts;
			irq->cyc_mask |= 1u << st;
			return;
		}
		irq->cyc_last = -1;	/* an earlier stage: a new cycle */
	}
	if (irq->cyc_last < 0) {
		memset(irq->cyc, 0, sizeof(irq->cyc));
		irq->cyc_mask = 0;
	} else if (ts >= irq->cyc[irq->cyc_last]) {
		add_sample(&irq->lat[st], ts - irq->cyc[irq->cyc_last]);
	}
	irq->cyc[st] = ts;
	irq->cyc_mask |= 1u << st;
	irq->cyc_last = (int)st;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int vt_lat_pct(const struct vt_samples *s, uint64_t *p50, uint64_t *p99,
	       uint64_t *max)
{
	uint64_t *c;

	if (!s->n)
		return -1;
	c = malloc(s->n * sizeof(*c));
	if (!c)
		return -1;
	memcpy(c, s->v, s->n * sizeof(*c));
	qsort(c, s->n, sizeof(*c), u64_cmp);
	/* nearest-rank percentiles */
	*p50 = c[(s->n * 50 + 99) / 100 - 1];
	*p99 = c[(s->n * 99 + 99) / 100 - 1];
	*max = c[s->n - 1];
	free(c);
	return 0;
}

void vt_lat_free(struct vt_irq *irq)
{
	unsigned int i;

	for (i = 0; i < VT_ST_MAX; i++)
		free(irq->lat[i].v);
}
