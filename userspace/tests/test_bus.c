// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_bus.c - the rule bus's compiled dispatch (bus.c) against the
 * rules' descriptors, and the latency fast path (latency.c) against the
 * plain formulas it replaced.
 */
#include "helpers.h"
#include "dispatch.h"

/* ---- the rule bus ----------------------------------------------------- */

static bool irq_kind(unsigned int k)
{
	return k != VT_EV_FLUSH && k != VT_EV_FOLD && k != VT_EV_TICK;
}

/* the rules given an event of kind @k, from the descriptors */
static uint32_t want(unsigned int k, bool armed)
{
	const struct vt_rule *const *r;
	unsigned int n, i;
	uint32_t m = 0;

	r = vt_rules_table(&n);
	for (i = 0; i < n; i++) {
		if (!(r[i]->events & (1u << k)))
			continue;
		assert_non_null(r[i]->event);
		if (!armed && k != VT_EV_TICK &&
		    ((irq_kind(k) ? r[i]->armed_events :
				    r[i]->armed_any_events) & (1u << k)))
			continue;
		m |= 1u << i;
	}
	return m;
}

/*
 * Every kind, with and without the rules' deadlines armed (on the IRQ
 * for kinds with one, anywhere for the others): the dispatch calls
 * exactly the rules whose descriptor asks for the kind, less those
 * whose armed masks skip it. A kind missing from the dispatch, or a
 * rule's call dropped from it, fails here.
 */
static void test_dispatch_matches_descriptors(void **state)
{
	struct vt_engine *e = calloc(1, sizeof(*e));
	struct vt_irq *irq = calloc(1, sizeof(*irq) + 4096);
	struct vt_ev ev;
	unsigned int k, i, n;
	uint32_t all = 0;

	(void)state;
	assert_non_null(e);
	assert_non_null(irq);
	vt_rules_table(&n);
	for (k = 0; k < VT_EV_MAX; k++) {
		for (i = 0; i < 2; i++) {
			bool armed = i;
			unsigned int ri;

			memset(&ev, 0, sizeof(ev));
			ev.kind = k;
			ev.irq = irq_kind(k) ? irq : NULL;
			irq->watching = armed ? ~0u : 0;
			for (ri = 0; ri < n; ri++)
				e->armed[ri].n = armed;
			assert_int_equal(vt_bus_probe(e, &ev), want(k, armed));
			all |= want(k, armed);
		}
	}
	/* one rule armed: only its own deadline lifts its gate */
	for (k = 0; k < VT_EV_MAX; k++) {
		for (i = 0; i < n; i++) {
			unsigned int ri;

			memset(&ev, 0, sizeof(ev));
			ev.kind = k;
			ev.irq = irq_kind(k) ? irq : NULL;
			irq->watching = 1u << i;
			for (ri = 0; ri < n; ri++)
				e->armed[ri].n = ri == i;
			assert_int_equal(vt_bus_probe(e, &ev),
					 want(k, false) |
					 (want(k, true) & (1u << i)));
		}
	}
	/* every rule with an event hook gets something */
	assert_int_equal(all, (1u << n) - 1);
	/* an IRQ kind without an IRQ: every subscriber, armed or not */
	memset(&ev, 0, sizeof(ev));
	ev.kind = VT_EV_ACK;
	for (i = 0; i < n; i++)
		e->armed[i].n = 0;
	assert_int_equal(vt_bus_probe(e, &ev), want(VT_EV_ACK, true));
	free(irq);
	free(e);
}

/*
 * What the rules asked for before the subscription moved to rules.def
 * (one bit per kind): a rule that stops getting one of these fails.
 */
static void test_rules_keep_their_kinds(void **state)
{
	static const struct { const char *name; uint32_t ev, armed; } t[] = {
		{ "missed-resample",
		  VT_EVM(LR_RUN) | VT_EVM(DEACT) | VT_EVM(ACK), VT_EVM(ACK) },
		{ "intx-masked-forever",
		  VT_EVM(ACK) | VT_EVM(TICK) | VT_EVM(RESAMPLE) |
		  VT_EVM(IRQFD) | VT_EVM(INJECT), 0 },
		{ "mmio-state-cleared",
		  VT_EVM(ACK) | VT_EVM(FLUSH) | VT_EVM(MMIO) | VT_EVM(STATE) |
		  VT_EVM(INJECT) | VT_EVM(RESAMPLE) | VT_EVM(VFIO),
		  VT_EVM(ACK) | VT_EVM(STATE) | VT_EVM(INJECT) |
		  VT_EVM(RESAMPLE) | VT_EVM(VFIO) },
		{ "eoi-lost-lr-overflow",
		  VT_EVM(FLUSH) | VT_EVM(FOLD) | VT_EVM(LR_RUN) |
		  VT_EVM(ACK) | VT_EVM(DEACT),
		  VT_EVM(LR_RUN) | VT_EVM(ACK) | VT_EVM(DEACT) },
		{ "storm", VT_EVM(VFIO) | VT_EVM(RESAMPLE) | VT_EVM(INJECT), 0 },
		{ "migration",
		  VT_EVM(FLUSH) | VT_EVM(LR_RUN) | VT_EVM(MMIO) |
		  VT_EVM(STATE) | VT_EVM(INJECT), 0 },
	};
	const struct vt_rule *const *r;
	unsigned int i, j, k, n;

	(void)state;
	r = vt_rules_table(&n);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		for (j = 0; j < n && strcmp(r[j]->name, t[i].name); j++)
			;
		assert_true(j < n);
		/* with the IRQ armed (or any deadline): every kind asked */
		for (k = 0; k < VT_EV_MAX; k++)
			if (t[i].ev & (1u << k))
				assert_true(want(k, true) & (1u << j));
		/* unarmed: the kinds not only for armed IRQs */
		for (k = 0; k < VT_EV_MAX; k++)
			if ((t[i].ev & ~t[i].armed & (1u << k)) &&
			    !(r[j]->armed_any_events & (1u << k)))
				assert_true(want(k, false) & (1u << j));
		/* the armed-any gate only where the rule ignores the event
		 * unless it has a deadline armed (mmio-state-cleared FLUSH) */
		assert_int_equal(r[j]->armed_any_events,
				 strcmp(t[i].name, "mmio-state-cleared") ? 0 :
				 VT_EVM(FLUSH));
	}
}

/* every byte of @p..@p+@n is zero */
static void assert_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(c[i], 0);
}

/*
 * vt_ev_init() no longer clears the whole event: for each kind, over a
 * dirty event, the header is set and the kind's own union member (the
 * one rules read for it) is all zero.
 */
static void test_ev_init_clears_its_member(void **state)
{
	struct vt_hdr rec = { .ts_ns = 12345 };
	struct vt_irq irq;
	struct vt_ev ev;
	unsigned int k;

	(void)state;
	for (k = 0; k < VT_EV_MAX; k++) {
		memset(&ev, 0xa5, sizeof(ev));
		vt_ev_init(&ev, k, &rec, k % 2 ? &irq : NULL);
		assert_int_equal(ev.kind, k);
		assert_true(ev.ts == 12345);
		assert_ptr_equal(ev.irq, k % 2 ? &irq : NULL);
		assert_null(ev.vcpu);
		switch (k) {
		case VT_EV_INJECT:
			assert_zero(&ev.inject, sizeof(ev.inject));
			break;
		case VT_EV_STATE:
			assert_zero(&ev.state, sizeof(ev.state));
			break;
		case VT_EV_RESAMPLE:
			assert_zero(&ev.resample, sizeof(ev.resample));
			break;
		case VT_EV_IRQFD:
			assert_zero(&ev.irqfd, sizeof(ev.irqfd));
			break;
		case VT_EV_VFIO:
			assert_zero(&ev.vfio, sizeof(ev.vfio));
			break;
		case VT_EV_MMIO:
			assert_zero(&ev.mmio, sizeof(ev.mmio));
			break;
		case VT_EV_DEACT:
			assert_zero(&ev.deact, sizeof(ev.deact));
			break;
		case VT_EV_LR_RUN:
			assert_zero(&ev.run, sizeof(ev.run));
			break;
		default:	/* FLUSH, FOLD, TICK */
			assert_null(ev.lr);
			break;
		}
	}
}

/* ---- latency ---------------------------------------------------------- */

/* the bucket formula as it was */
static unsigned int old_index(uint64_t v)
{
	unsigned int e;

	if (v < 16)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);
	if (e >= VT_LAT_MAX_EXP)
		return VT_LAT_BUCKETS - 1;
	return 16 + (e - VT_LAT_SUB_BITS) * 16 +
	       (unsigned int)((v >> (e - VT_LAT_SUB_BITS)) & 15);
}

static void check_index(uint64_t v)
{
	if (vt_lat_hdr_index(v) != old_index(v))
		fail_msg("bucket of %llu: %u, was %u", (unsigned long long)v,
			 vt_lat_hdr_index(v), old_index(v));
}

/* every bucket's first and last value, their neighbours, small values */
static void test_hdr_index_boundaries(void **state)
{
	unsigned int e, sub;
	uint64_t v, b, w;

	(void)state;
	for (v = 0; v < 4096; v++)
		check_index(v);
	for (e = VT_LAT_SUB_BITS; e < 64; e++) {
		w = 1ull << (e - VT_LAT_SUB_BITS);
		for (sub = 0; sub < 16; sub++) {
			b = (16 + (uint64_t)sub) << (e - VT_LAT_SUB_BITS);
			check_index(b - 1);
			check_index(b);
			check_index(b + 1);
			check_index(b + w / 2);
			check_index(b + w - 1);
		}
	}
	check_index(UINT64_MAX);
	assert_int_equal(vt_lat_hdr_index(UINT64_MAX), VT_LAT_BUCKETS - 1);
	assert_int_equal(vt_lat_hdr_index(31), 31);
	assert_int_equal(vt_lat_hdr_index(32), 32);
}

/* the middle of bucket @i, as latency.c's hdr_value() */
static uint64_t old_value(unsigned int i)
{
	unsigned int e, sub;

	if (i < 16)
		return i;
	e = (i - 16) / 16 + VT_LAT_SUB_BITS;
	sub = (i - 16) % 16;
	return ((uint64_t)(16 + sub) << (e - VT_LAT_SUB_BITS)) +
	       ((1ull << (e - VT_LAT_SUB_BITS)) >> 1);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the nearest-rank percentile of @n sorted samples, through the buckets
 * when @bucketed (clamped to min and max), else exact */
static uint64_t pct(const uint64_t *v, uint32_t n, unsigned int p,
		    bool bucketed)
{
	uint64_t x = v[((uint64_t)n * p + 99) / 100 - 1];

	if (!bucketed)
		return x;
	x = old_value(old_index(x));
	return x < v[0] ? v[0] : x > v[n - 1] ? v[n - 1] : x;
}

#define NSMP 50000

/*
 * A model of the cycle logic (stages in order; the same stage again is
 * nothing; an earlier stage opens a new cycle unless it is a start stage
 * merged into a cycle still at its start) against vt_lat_stage(), over
 * random stages and steps from 0 ns to 2^42 ns: the samples of each
 * stage (number, min, max, log2 counts, p50, p99, through the exact
 * phase and the histogram) and the longest cycle step.
 */
static unsigned int lat_model(unsigned int iters, unsigned int seed)
{
	static uint64_t smp[VT_ST_MAX][NSMP];
	uint32_t ns[VT_ST_MAX] = { 0 }, log2[64], want2[64];
	uint64_t cyc[VT_ST_MAX] = { 0 }, ts = 1000000, p50, p99, max;
	struct vt_engine *e;
	struct vt_irq *irq;
	unsigned int i, st, b, step_bit = 0, mask = 0;
	int last = -1;

	assert_int_equal(vt_engine_new(NULL, &e), 0);
	irq = vt_irq_get(e, 1, 40);
	assert_non_null(irq);
	for (i = 0; i < iters; i++) {
		uint64_t d, t;

		seed = seed * 1103515245u + 12345u;
		st = (seed >> 16) % VT_ST_MAX;
		seed = seed * 1103515245u + 12345u;
		/* mostly forward, short steps; now and then long or back */
		if ((seed >> 8) % 4)
			st = last < 0 || last + 1 >= VT_ST_MAX ? 0 :
			     (unsigned int)last + 1 + (seed >> 20) % 2;
		if (st >= VT_ST_MAX)
			st = VT_ST_MAX - 1;
		seed = seed * 1103515245u + 12345u;
		d = (seed >> 24) % 8 == 0 ? (uint64_t)seed << 10 :
		    (seed >> 24) % 8 == 1 ? (uint64_t)(seed >> 12) % 16 :
		    (seed >> 10) % 5000;
		if ((seed >> 4) % 64 == 0)
			d = (uint64_t)1 << 42;	/* (past the last octave) */
		/* the clock goes back now and then (late records) */
		t = (seed >> 3) % 32 == 0 && ts > 100 ? ts - 100 : ts + d;
		ts = t > ts ? t : ts;

		vt_lat_stage(e, irq, st, t);
		/* the model */
		if (last >= 0 && (int)st == last)
			continue;
		if (last >= 0 && (int)st < last) {
			if (st <= VT_ST_INJECT && last <= VT_ST_INJECT &&
			    !(mask & (1u << st))) {
				cyc[st] = t;
				mask |= 1u << st;
				continue;
			}
			last = -1;
		}
		if (last < 0) {
			mask = 0;
		} else if (t >= cyc[last]) {
			d = t - cyc[last];
			if (ns[st] < NSMP)
				smp[st][ns[st]++] = d;
			if (st == VT_ST_LR_P || st == VT_ST_ACTIVE ||
			    st == VT_ST_EOI || st == VT_ST_ACK) {
				b = d ? 64u - (unsigned int)__builtin_clzll(d) : 1;
				if (b > step_bit)
					step_bit = b;
			}
		}
		cyc[st] = t;
		mask |= 1u << st;
		last = (int)st;
	}
	assert_int_equal(e->step_bit, step_bit);
	for (st = 0; st < VT_ST_MAX; st++) {
		struct vt_samples *s = &irq->lat[st];
		uint64_t *v = smp[st];
		uint32_t n = ns[st];

		assert_true(n < NSMP);
		assert_int_equal(s->n, n);
		if (!n)
			continue;
		qsort(v, n, sizeof(*v), u64_cmp);
		assert_true(vt_lat_min(s) == v[0]);
		assert_true(s->max == v[n - 1]);
		assert_int_equal(vt_lat_pct(s, &p50, &p99, &max), 0);
		assert_true(max == v[n - 1]);
		assert_true(p50 == pct(v, n, 50, n > VT_LAT_EXACT));
		assert_true(p99 == pct(v, n, 99, n > VT_LAT_EXACT));
		memset(want2, 0, sizeof(want2));
		for (i = 0; i < n; i++) {
			/* (the last bucket counts in the octave of max) */
			uint64_t x = n > VT_LAT_EXACT &&
				     old_index(v[i]) == VT_LAT_BUCKETS - 1 ?
				     v[n - 1] : v[i];

			want2[x ? 63 - __builtin_clzll(x) : 0]++;
		}
		vt_lat_log2(s, log2);
		assert_memory_equal(log2, want2, sizeof(log2));
	}
	/* the phases seen: 1 histogram, 2 exact */
	for (st = 0, b = 0; st < VT_ST_MAX; st++)
		b |= (ns[st] > VT_LAT_EXACT ? 1 : 0) |
		     (ns[st] && ns[st] <= VT_LAT_EXACT ? 2 : 0);
	vt_engine_free(e);
	return b;
}

static void test_lat_stage_model(void **state)
{
	(void)state;
	assert_true(lat_model(40000, 12345) & 1);
	assert_true(lat_model(120, 777) & 2);
	assert_true(lat_model(2000, 4242));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch_matches_descriptors),
		cmocka_unit_test(test_rules_keep_their_kinds),
		cmocka_unit_test(test_ev_init_clears_its_member),
		cmocka_unit_test(test_hdr_index_boundaries),
		cmocka_unit_test(test_lat_stage_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
