// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_irq_dense.c - the dense per-IRQ state (struct vt_irq): the
 * 24-byte latency sample sets, whose smallest sample lives inline for
 * one or two samples, in front of the exact array (from the arena's
 * free lists, shared by all IRQs) for 3 to VT_LAT_EXACT, in the
 * histogram's header after; checked after every sample of many IRQs
 * at once against a plain model (number, min, max, p50, p99, log2
 * counts), through every growth of the array and the histogram. And
 * the lines vt_irqs_prefetch() loads hold what a cycle touches.
 */
#include "helpers.h"
#include "engine_internal.h"

#define NIRQ	300
#define NSMP	80	/* samples per IRQ: exact, then bucketed */

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the middle of log-linear bucket @i (latency.c's definition) */
static uint64_t bucket_value(unsigned int i)
{
	unsigned int ex, sub;

	if (i < 16)
		return i;
	ex = (i - 16) / 16 + VT_LAT_SUB_BITS;
	sub = (i - 16) % 16;
	return ((uint64_t)(16 + sub) << (ex - VT_LAT_SUB_BITS)) +
	       ((1ull << (ex - VT_LAT_SUB_BITS)) >> 1);
}

static unsigned int octave(uint64_t v)
{
	return v ? 63u - (unsigned int)__builtin_clzll(v) : 0;
}

/* nearest rank @p of @n sorted samples @v, through the buckets past EXACT */
static uint64_t model_pct(const uint64_t *v, uint32_t n, unsigned int p)
{
	uint64_t x = v[((uint64_t)n * p + 99) / 100 - 1];

	if (n <= VT_LAT_EXACT)
		return x;
	x = bucket_value(vt_lat_hdr_index(x));
	return x < v[0] ? v[0] : x > v[n - 1] ? v[n - 1] : x;
}

static void check_set(const struct vt_samples *s, const uint64_t *smp,
		      uint32_t n)
{
	uint64_t v[NSMP], p50, p99, max;
	uint32_t l2[64], want[64];
	unsigned int i;

	assert_int_equal(s->n, n);
	memcpy(v, smp, n * sizeof(*v));
	qsort(v, n, sizeof(*v), u64_cmp);
	assert_true(vt_lat_min(s) == v[0]);
	assert_true(s->max == v[n - 1]);
	assert_int_equal(vt_lat_pct(s, &p50, &p99, &max), 0);
	assert_true(max == v[n - 1]);
	assert_true(p50 == model_pct(v, n, 50));
	assert_true(p99 == model_pct(v, n, 99));
	memset(want, 0, sizeof(want));
	for (i = 0; i < n; i++)
		want[octave(n > VT_LAT_EXACT && vt_lat_hdr_index(v[i]) ==
			    VT_LAT_BUCKETS - 1 ? v[n - 1] : v[i])]++;
	vt_lat_log2(s, l2);
	assert_memory_equal(l2, want, sizeof(want));
}

/*
 * NIRQ IRQs take a sample of lr_pending (inject, then the LR) in turn,
 * so their exact arrays grow and are freed to the free lists in turn;
 * every set is checked after each round.
 */
static void test_samples(void **state)
{
	static uint64_t smp[NIRQ][NSMP];
	struct vt_irq *irq[NIRQ];
	struct vt_engine *e;
	uint64_t ts = 1000;
	unsigned int seed = 7, i, k, r;

	(void)state;
	assert_int_equal(vt_engine_new(NULL, &e), 0);
	for (i = 0; i < NIRQ; i++) {
		irq[i] = vt_irq_get(e, 1 + i % 3, 32 + i);
		assert_non_null(irq[i]);
	}
	for (r = 0; r < NSMP; r++) {
		for (i = 0; i < NIRQ; i++) {
			uint64_t d;

			seed = seed * 1103515245u + 12345u;
			k = (seed >> 16) % 44;	/* 0 ns to past 2^40 ns */
			seed = seed * 1103515245u + 12345u;
			d = (((uint64_t)seed << 20) ^ seed) & ((1ull << k) - 1);
			vt_lat_stage(e, irq[i], VT_ST_INJECT, ts);
			vt_lat_stage(e, irq[i], VT_ST_LR_P, ts + d);
			smp[i][r] = d;
			ts += d + 1;
		}
		for (i = 0; i < NIRQ; i++) {
			check_set(&irq[i]->lat[VT_ST_LR_P], smp[i], r + 1);
			assert_int_equal(irq[i]->lat[VT_ST_INJECT].n, 0);
		}
	}
	vt_engine_free(e);
}

/* a field's line is one vt_irqs_prefetch() loads */
#define HOT(f)								\
	assert_true(VT_IRQ_HOT_LINES &					\
		    (1u << offsetof(struct vt_irq, f) / 64))

static void test_hot_lines(void **state)
{
	unsigned int st;

	(void)state;
	HOT(intid);
	HOT(cyc_last);
	HOT(hist_fmt);
	HOT(dev);
	HOT(last_ack_ts);
	HOT(last_eoi_ts);
	HOT(last_deliver_ts);
	HOT(cyc_ts);
	HOT(holder[0]);
	for (st = VT_ST_LR_P; st <= VT_ST_ACK; st++) {
		assert_true(VT_IRQ_HOT_LINES &
			    (1u << (offsetof(struct vt_irq, lat) +
				    st * sizeof(struct vt_samples)) / 64));
		assert_true(VT_IRQ_HOT_LINES &
			    (1u << (offsetof(struct vt_irq, lat) +
				    (st + 1) * sizeof(struct vt_samples) - 1) /
			     64));
	}
	HOT(hist[0]);
	HOT(hist[VT_HIST_LEN - 1].w[VT_HIST_WORDS - 1]);
	HOT(cnt.inject);
	HOT(cnt.acks);
	HOT(cnt.in_lr);
	HOT(cnt.guest_eoi);
	HOT(cnt.lr_trans[3][3]);
	/* 24-byte sets, lr_pending to ack on two lines */
	assert_int_equal(sizeof(struct vt_samples), 24);
	assert_int_equal(__builtin_popcount(VT_LINES(
		offsetof(struct vt_irq, lat[VT_ST_LR_P]),
		offsetof(struct vt_irq, lat[VT_ST_ACK + 1]))), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_hot_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
