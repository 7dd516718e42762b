// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_lat_fast.c - the fast path of the latency cycle: vt_lat_stage()
 * inline (the same stage again without a call) and one function per
 * stage (vt_lat_at[], the stage a constant in each), called with a
 * constant stage as the handlers do, against a plain model of the cycle
 * (the slow definition: stages in order, the same stage again nothing,
 * an earlier stage a new cycle unless a start stage merged into a cycle
 * still at its start): the open cycle (last stage, stages seen, their
 * times), every stage's samples (number, min, max, log2 counts) and the
 * longest cycle step (the first two samples of a stage, min and max
 * only, inline in the stage functions: broken, both sequence tests fail).
 */
#include "helpers.h"
#include "engine_internal.h"

#define NSMP 20000

struct model {
	int last;
	unsigned int mask, step_bit;
	uint64_t cyc[VT_ST_MAX];
	uint32_t n[VT_ST_MAX];
	uint64_t smp[VT_ST_MAX][NSMP];
};

static void model_stage(struct model *m, unsigned int st, uint64_t t)
{
	uint64_t d;
	unsigned int b;

	if (m->last >= 0 && (int)st == m->last)
		return;
	if (m->last >= 0 && (int)st < m->last) {
		if (st <= VT_ST_INJECT && m->last <= VT_ST_INJECT &&
		    !(m->mask & (1u << st))) {
			m->cyc[st] = t;
			m->mask |= 1u << st;
			return;
		}
		m->last = -1;
	}
	if (m->last < 0) {
		m->mask = 0;
	} else if (t >= m->cyc[m->last]) {
		d = t - m->cyc[m->last];
		assert_true(m->n[st] < NSMP);
		m->smp[st][m->n[st]++] = d;
		if (st == VT_ST_LR_P || st == VT_ST_ACTIVE ||
		    st == VT_ST_EOI || st == VT_ST_ACK) {
			b = d ? 64u - (unsigned int)__builtin_clzll(d) : 1;
			if (b > m->step_bit)
				m->step_bit = b;
		}
	}
	m->cyc[st] = t;
	m->mask |= 1u << st;
	m->last = (int)st;
}

/* @st as a literal in each call, as in the record handlers */
static void const_stage(struct vt_engine *e, struct vt_irq *irq,
			unsigned int st, uint64_t t)
{
	switch (st) {
	case VT_ST_HOSTIRQ:
		vt_lat_stage(e, irq, VT_ST_HOSTIRQ, t);
		break;
	case VT_ST_MASK:
		vt_lat_stage(e, irq, VT_ST_MASK, t);
		break;
	case VT_ST_INJECT:
		vt_lat_stage(e, irq, VT_ST_INJECT, t);
		break;
	case VT_ST_LR_P:
		vt_lat_stage(e, irq, VT_ST_LR_P, t);
		break;
	case VT_ST_ACTIVE:
		vt_lat_stage(e, irq, VT_ST_ACTIVE, t);
		break;
	case VT_ST_EOI:
		vt_lat_stage(e, irq, VT_ST_EOI, t);
		break;
	case VT_ST_ACK:
		vt_lat_stage(e, irq, VT_ST_ACK, t);
		break;
	case VT_ST_RESAMPLE:
		vt_lat_stage(e, irq, VT_ST_RESAMPLE, t);
		break;
	case VT_ST_UNMASK:
		vt_lat_stage(e, irq, VT_ST_UNMASK, t);
		break;
	default:
		fail();
	}
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void check_irq(const struct model *mc, struct vt_irq *irq)
{
	static uint64_t v[NSMP];
	uint32_t log2[64], want[64];
	unsigned int st, i;

	assert_int_equal(irq->cyc_last, mc->last);
	if (mc->last < 0)
		return;
	assert_int_equal(irq->cyc_mask, mc->mask);
	/* (the time of the last stage: the only one the next stage reads) */
	assert_true(irq->cyc_ts == mc->cyc[mc->last]);
	for (st = 0; st < VT_ST_MAX; st++) {
		const struct vt_samples *s = &irq->lat[st];
		uint32_t n = mc->n[st];

		assert_int_equal(s->n, n);
		if (!n)
			continue;
		memcpy(v, mc->smp[st], n * sizeof(*v));
		qsort(v, n, sizeof(*v), u64_cmp);
		assert_true(vt_lat_min(s) == v[0]);
		assert_true(s->max == v[n - 1]);
		memset(want, 0, sizeof(want));
		for (i = 0; i < n; i++) {
			/* (the saturated bucket counts in the octave of max) */
			uint64_t x = n > VT_LAT_EXACT &&
				     vt_lat_hdr_index(v[i]) == VT_LAT_BUCKETS - 1 ?
				     v[n - 1] : v[i];

			want[x ? 63 - __builtin_clzll(x) : 0]++;
		}
		vt_lat_log2(s, log2);
		assert_memory_equal(log2, want, sizeof(log2));
	}
}

/*
 * Random stage sequences of two IRQs (interleaved: the per-stage
 * functions keep no state of their own), with the stage constant, then
 * variable, each against its own model; the open cycle after each step.
 */
static void run(unsigned int iters, unsigned int seed, bool constant)
{
	static struct model m[2];
	struct vt_engine *e;
	struct vt_irq *irq[2];
	uint64_t ts = 1000000;
	unsigned int i, st, k, step_bit;

	memset(m, 0, sizeof(m));
	m[0].last = m[1].last = -1;
	assert_int_equal(vt_engine_new(NULL, &e), 0);
	irq[0] = vt_irq_get(e, 1, 40);
	irq[1] = vt_irq_get(e, 1, 41);
	assert_non_null(irq[0]);
	assert_non_null(irq[1]);
	for (i = 0; i < iters; i++) {
		struct model *mc;
		uint64_t d, t;
		int last;

		seed = seed * 1103515245u + 12345u;
		k = (seed >> 30) & 1;
		mc = &m[k];
		last = mc->last;
		st = (seed >> 16) % VT_ST_MAX;
		seed = seed * 1103515245u + 12345u;
		/* forward mostly; the same stage again often */
		if ((seed >> 8) % 4 == 0)
			st = last < 0 ? 0 : (unsigned int)last;
		else if ((seed >> 8) % 4 != 1)
			st = last < 0 || last + 1 >= VT_ST_MAX ? 0 :
			     (unsigned int)last + 1 + (seed >> 20) % 2;
		if (st >= VT_ST_MAX)
			st = VT_ST_MAX - 1;
		seed = seed * 1103515245u + 12345u;
		d = (seed >> 24) % 8 == 0 ? (uint64_t)seed << 10 :
		    (seed >> 24) % 8 == 1 ? (uint64_t)(seed >> 12) % 16 :
		    (seed >> 10) % 5000;
		t = (seed >> 3) % 32 == 0 && ts > 100 ? ts - 100 : ts + d;
		ts = t > ts ? t : ts;

		if (constant)
			const_stage(e, irq[k], st, t);
		else
			vt_lat_stage(e, irq[k], (enum vt_stage)st, t);
		model_stage(mc, st, t);
		assert_int_equal(irq[k]->cyc_last, mc->last);
		if (mc->last >= 0) {
			assert_int_equal(irq[k]->cyc_mask, mc->mask);
			assert_true(irq[k]->cyc_ts == mc->cyc[mc->last]);
		}
	}
	check_irq(&m[0], irq[0]);
	check_irq(&m[1], irq[1]);
	step_bit = m[0].step_bit > m[1].step_bit ? m[0].step_bit :
						   m[1].step_bit;
	assert_int_equal(e->step_bit, step_bit);
	vt_engine_free(e);
}

static void test_const_stages(void **state)
{
	(void)state;
	run(30000, 12345, true);
	run(200, 99, true);	/* (exact samples only) */
}

static void test_var_stages(void **state)
{
	(void)state;
	run(30000, 4242, false);
}

/* every stage has its function; out of range is nothing */
static void test_table(void **state)
{
	struct vt_engine *e;
	struct vt_irq *irq;
	unsigned int st;

	(void)state;
	for (st = 0; st < VT_ST_MAX; st++)
		assert_non_null(vt_lat_at[st]);
	assert_int_equal(vt_engine_new(NULL, &e), 0);
	irq = vt_irq_get(e, 1, 40);
	assert_non_null(irq);
	vt_lat_stage(e, irq, VT_ST_MAX, 5);
	assert_int_equal(irq->cyc_last, -1);
	vt_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_const_stages),
		cmocka_unit_test(test_var_stages),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
