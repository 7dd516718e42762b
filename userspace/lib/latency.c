// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * latency.c - per-stage latency of each delivery cycle of an IRQ.
 *
 * A cycle runs through the stages of enum vt_stage in order; each stage
 * seen gets the time since the previous stage seen in the same cycle.
 * The same stage again is ignored (an IRQ active over several runs); an
 * earlier stage opens a new cycle, except that start stages (host IRQ,
 * mask, inject) arriving out of order are merged into the open cycle.
 * Memory is bounded: the first VT_LAT_EXACT samples of a stage are kept
 * exactly, later ones in a log-linear histogram (16 buckets per octave);
 * percentiles then come from the bucket, clamped to the exact min/max.
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

/*
 * The bucket of @v: below 16 the value itself, then 16 per octave.
 * With s = octave - VT_LAT_SUB_BITS, the usual 16 + 16 s + ((v >> s) & 15)
 * is 16 s + (v >> s), since v >> s lies in [16, 32); v | 16 has the
 * octave of v from 16 on and gives s = 0 below it (the index is v).
 * (Not static: the unit test checks it against that formula.)
 */
unsigned int vt_lat_hdr_index(uint64_t v)
{
	unsigned int s = 59u - (unsigned int)__builtin_clzll(v | 16);

	if (__builtin_expect(s >= VT_LAT_MAX_EXP - VT_LAT_SUB_BITS, 0))
		return VT_LAT_BUCKETS - 1;
	return (s << 4) + (unsigned int)(v >> s);
}

#define hdr_index vt_lat_hdr_index

/* A value inside bucket @i: its middle. */
static uint64_t hdr_value(unsigned int i)
{
	unsigned int e, sub;

	if (i < 16)
		return i;
	e = (i - 16) / 16 + VT_LAT_SUB_BITS;
	sub = (i - 16) % 16;
	return ((uint64_t)(16 + sub) << (e - VT_LAT_SUB_BITS)) +
	       ((1ull << (e - VT_LAT_SUB_BITS)) >> 1);
}

static unsigned int octave(uint64_t v)
{
	return v ? 63u - (unsigned int)__builtin_clzll(v) : 0;
}

/* the exact samples of @s (no histogram yet) into @c: their number */
static unsigned int exact(const struct vt_samples *s, uint64_t c[VT_LAT_EXACT])
{
	if (s->n > 2) {		/* (the array: allocated at the third) */
		memcpy(c, s->v + 1, s->n * sizeof(*c));
		return s->n;
	}
	c[0] = s->lo;
	c[1] = s->max;
	return s->n;
}

/* count of bucket @i */
static uint32_t hl_count(const struct vt_hlines *hl, unsigned int i)
{
	unsigned int m = hl->map[i / 16];

	return m ? hl->line[m - 1][i % 16] : 0;
}

void vt_lat_log2(const struct vt_samples *s, uint32_t out[64])
{
	uint64_t v[VT_LAT_EXACT];
	unsigned int i, n;
	uint32_t c;

	memset(out, 0, 64 * sizeof(*out));
	if (s->n > VT_LAT_EXACT) {
		for (i = 0; i < VT_LAT_BUCKETS - 1; i++) {
			c = hl_count(s->hl, i);
			if (c)
				out[i < 16 ? octave(i) :
				    (i - 16) / 16 + VT_LAT_SUB_BITS] += c;
		}
		/* the saturated bucket (>= 2^40 ns, 18 minutes): max's octave */
		c = hl_count(s->hl, i);
		if (c)
			out[octave(s->max)] += c;
		return;
	}
	n = exact(s, v);
	for (i = 0; i < n; i++)
		out[octave(v[i])]++;
}

/*
 * The line of octave @o of the histogram *@hlp (NULL: none yet),
 * allocated on first use; NULL: no memory.
 */
static uint32_t *hl_line(struct vt_hlines **hlp, unsigned int o)
{
	struct vt_hlines *hl = *hlp, *nh;
	size_t old, sz;
	void *p;

	if (hl && hl->map[o])
		return hl->line[hl->map[o] - 1];
	old = hl ? sizeof(*hl) + (size_t)hl->n * sizeof(hl->line[0]) : 0;
	sz = (hl ? old : sizeof(*hl)) + sizeof(hl->line[0]);
	if (posix_memalign(&p, 64, sz))
		return NULL;
	nh = p;
	if (hl) {
		memcpy(nh, hl, old);
		free(hl);
	} else {
		memset(nh, 0, sizeof(*nh));
	}
	memset(nh->line[nh->n], 0, sizeof(nh->line[0]));
	nh->map[o] = ++nh->n;
	*hlp = nh;
	return nh->line[nh->n - 1];
}

/* count bucket @i whose octave has no line yet */
static __attribute__((noinline)) void hl_add_new(struct vt_hlines **hlp,
						 unsigned int i)
{
	uint32_t *l = hl_line(hlp, i / 16);

	if (l)
		l[i % 16]++;
}

static inline void hl_add(struct vt_hlines **hlp, unsigned int i)
{
	struct vt_hlines *hl = *hlp;

	if (__builtin_expect(hl && hl->map[i / 16], 1))
		hl->line[hl->map[i / 16] - 1][i % 16]++;
	else
		hl_add_new(hlp, i);
}

/*
 * Exact-sample arrays of 4, 8, 16 and 32 samples (and the smallest one
 * in front) come from the engine's arena, with one free list per size:
 * no malloc per IRQ and stage.
 */
static unsigned int smp_class(uint32_t cap)
{
	return (unsigned int)__builtin_ctz(cap) - 2;
}

static uint64_t *smp_alloc(struct vt_engine *e, uint32_t cap)
{
	void **fl = &e->smp_free[smp_class(cap)], *p = *fl;

	if (p) {
		*fl = *(void **)p;
		return p;
	}
	return vt_arena_alloc(e, (cap + 1) * sizeof(uint64_t), 8);
}

static void smp_free(struct vt_engine *e, uint64_t *v, uint32_t cap)
{
	void **fl = &e->smp_free[smp_class(cap)];

	*(void **)v = *fl;
	*fl = v;
}

/*
 * Add @v to @s, which has no histogram yet: exact, or the first bucketed.
 * One or two samples are min and max: the array is allocated at the
 * third (10^5 IRQs seen in a cycle or two each need none). It holds the
 * smallest sample, then vt_lat_cap(n) samples: 4, doubled when full.
 */
static __attribute__((noinline)) void
add_sample_exact(struct vt_engine *e, struct vt_samples *s, uint64_t v)
{
	uint64_t hi = s->max, *ov, lo;
	struct vt_hlines *hl = NULL;
	unsigned int i;

	if (!s->n || v > hi)
		s->max = v;
	if (s->n <= 2) {
		lo = s->lo;
		if (!s->n || v < lo)
			s->lo = v;
		if (s->n < 2) {
			s->n++;
			return;
		}
		ov = smp_alloc(e, 4);
		if (!ov)
			return;
		ov[0] = s->lo;
		ov[1] = lo;
		ov[2] = hi;
		s->v = ov;
		s->v[1 + s->n++] = v;
		return;
	}
	if (v < s->v[0])
		s->v[0] = v;
	if (s->n < VT_LAT_EXACT) {
		uint32_t cap = vt_lat_cap(s->n);

		if (s->n == cap) {
			uint64_t *nv = smp_alloc(e, cap * 2);

			if (!nv)
				return;
			memcpy(nv, s->v, (s->n + 1) * sizeof(*nv));
			smp_free(e, s->v, cap);
			s->v = nv;
		}
		s->v[1 + s->n++] = v;
		return;
	}
	/* bounded from here on: the exact samples go into buckets */
	ov = s->v;
	for (i = 0; i < s->n; i++)
		hl_add(&hl, hdr_index(ov[1 + i]));
	if (!hl)
		return;
	e->nr_lat_hl++;
	hl->min = ov[0];
	smp_free(e, ov, vt_lat_cap(s->n));
	s->hl = hl;
	hl_add(&s->hl, hdr_index(v));
	s->n++;
}

/* count bucket @i whose octave has no line yet, then the sample */
static __attribute__((noinline)) void add_sample_new(struct vt_samples *s,
						     unsigned int i)
{
	hl_add_new(&s->hl, i);
	s->n++;
}

/*
 * Add @v to @s. The slow paths are tail calls, so the fast paths (a
 * histogram whose octave has its line; the first two samples, min and
 * max: most IRQs of a trace of many see a cycle or two) save no
 * registers.
 */
static inline void add_sample(struct vt_engine *e, struct vt_samples *s,
			      uint64_t v)
{
	struct vt_hlines *hl;
	unsigned int i, m;

	/*
	 * (no histogram yet; the volatile read is a compare with memory,
	 * so the count is not kept in a register to its increment, which
	 * then costs one instruction, not two: one a sample)
	 */
	if (__builtin_expect(*(const volatile uint32_t *)&s->n <= VT_LAT_EXACT,
			     0)) {
		if (s->n < 2) {		/* min and max only: no call */
			if (!s->n || v < s->lo)
				s->lo = v;
			if (!s->n || v > s->max)
				s->max = v;
			s->n++;
			return;
		}
		add_sample_exact(e, s, v);
		return;
	}
	/* (n > VT_LAT_EXACT here: min and max are set) */
	hl = s->hl;
	if (v < hl->min)
		hl->min = v;
	if (v > s->max)
		s->max = v;
	i = hdr_index(v);
	m = hl->map[i / 16];
	if (__builtin_expect(!m, 0)) {
		add_sample_new(s, i);
		return;
	}
	hl->line[m - 1][i % 16]++;
	s->n++;
}

/* the stages whose longest step scales the rules' waits */
static bool cycle_step(enum vt_stage st)
{
	return st == VT_ST_LR_P || st == VT_ST_ACTIVE || st == VT_ST_EOI ||
	       st == VT_ST_ACK;
}

/*
 * The cycle logic of vt_lat_stage(), inlined in the function of each
 * stage (vt_lat_at[]): with @st a constant the start-stage merge,
 * cycle_step() and the stage's offsets fold away.
 */
static inline __attribute__((always_inline)) void
lat_stage(struct vt_engine *e, struct vt_irq *irq, enum vt_stage st,
	  uint64_t ts)
{
	int last = irq->cyc_last;
	uint64_t d, prev;
	unsigned int b;

	if (last >= 0 && (int)st <= last) {
		if ((int)st == last)
			return;		/* same stage again (e.g. still A) */
		/*
		 * Start stages are taken at slightly different points (the
		 * VFIO handler record is written after the inject it caused):
		 * merge them into the open cycle.
		 */
		if (st <= VT_ST_INJECT && last <= VT_ST_INJECT &&
		    !(irq->cyc_mask & (1u << st))) {
			irq->cyc_mask |= 1u << st;
			return;
		}
		last = -1;		/* an earlier stage: a new cycle */
	}
	irq->cyc_last = (int)st;
	if (last < 0) {
		irq->cyc_mask = (uint16_t)(1u << st);
		irq->cyc_ts = ts;
		return;
	}
	/* (the time of stage @last: the only one read) */
	prev = irq->cyc_ts;
	irq->cyc_ts = ts;
	irq->cyc_mask |= 1u << st;
	if (ts < prev)
		return;
	d = ts - prev;
	if (cycle_step(st)) {
		b = d ? 64u - (unsigned int)__builtin_clzll(d) : 1;
		if (b > e->step_bit)
			e->step_bit = (uint8_t)b;
	}
	/* (last: a tail call on its slow paths) */
	add_sample(e, &irq->lat[st], d);
}

#define LAT_AT(name, st)						\
static void lat_at_##name(struct vt_engine *e, struct vt_irq *irq,	\
			  uint64_t ts)					\
{									\
	lat_stage(e, irq, st, ts);					\
}
LAT_AT(hostirq, VT_ST_HOSTIRQ)
LAT_AT(mask, VT_ST_MASK)
LAT_AT(inject, VT_ST_INJECT)
LAT_AT(lr_p, VT_ST_LR_P)
LAT_AT(active, VT_ST_ACTIVE)
LAT_AT(eoi, VT_ST_EOI)
LAT_AT(ack, VT_ST_ACK)
LAT_AT(resample, VT_ST_RESAMPLE)
LAT_AT(unmask, VT_ST_UNMASK)

vt_lat_fn *const vt_lat_at[VT_ST_MAX] = {
	[VT_ST_HOSTIRQ]	= lat_at_hostirq,
	[VT_ST_MASK]	= lat_at_mask,
	[VT_ST_INJECT]	= lat_at_inject,
	[VT_ST_LR_P]	= lat_at_lr_p,
	[VT_ST_ACTIVE]	= lat_at_active,
	[VT_ST_EOI]	= lat_at_eoi,
	[VT_ST_ACK]	= lat_at_ack,
	[VT_ST_RESAMPLE] = lat_at_resample,
	[VT_ST_UNMASK]	= lat_at_unmask,
};
_Static_assert(VT_ST_MAX == 9, "vt_lat_at[]: one function per stage");

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank @k (1-based) from the histogram, inside [min, max] */
static uint64_t hdr_rank(const struct vt_samples *s, uint64_t k)
{
	uint64_t c = 0, v;
	unsigned int i;

	for (i = 0; i < VT_LAT_BUCKETS; i++) {
		c += hl_count(s->hl, i);
		if (c >= k)
			break;
	}
	v = i < VT_LAT_BUCKETS ? hdr_value(i) : s->max;
	return v < s->hl->min ? s->hl->min : v > s->max ? s->max : v;
}

int vt_lat_pct(const struct vt_samples *s, uint64_t *p50, uint64_t *p99,
	       uint64_t *max)
{
	uint64_t c[VT_LAT_EXACT];

	if (!s->n)
		return -1;
	*max = s->max;
	if (s->n > VT_LAT_EXACT) {
		*p50 = hdr_rank(s, ((uint64_t)s->n * 50 + 99) / 100);
		*p99 = hdr_rank(s, ((uint64_t)s->n * 99 + 99) / 100);
		return 0;
	}
	exact(s, c);
	qsort(c, s->n, sizeof(*c), u64_cmp);
	/* nearest-rank percentiles */
	*p50 = c[(s->n * 50 + 99) / 100 - 1];
	*p99 = c[(s->n * 99 + 99) / 100 - 1];
	return 0;
}

void vt_lat_free(struct vt_irq *irq)
{
	unsigned int i;

	for (i = 0; i < VT_ST_MAX; i++)	/* (exact samples: the arena's) */
		if (irq->lat[i].n > VT_LAT_EXACT)
			free(irq->lat[i].hl);
}
