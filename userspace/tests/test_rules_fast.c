// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_rules_fast.c - the rules' fast paths: intx-masked-forever arms
 * no deadline in file mode (and does live, where its deadline gives the
 * "so far" finding), its per-device answer of the trigger irqfd's
 * resamplefd (dropped when an irqfd is added or the key changes), and
 * the storm ring advanced with no division (the oldest cycle is right
 * after it wrapped).
 */
#include "helpers.h"
#include "rule.h"

/* a level line (EOI LRs) asserted through an irqfd, never de-asserted */
static const char line_stuck[] =
	"facts kernel=6.1.0-56-arm64 gic=3 nr_lrs=4 backend=replay\n"
	"default vm=100 vcpu=0 cpu=0\n"
	"@0       irqfd gsi=0 resample key=0x1001 rkey=0x2001\n"
	"@1ms     inject intid=32 level=1 src=irqfd\n"
	"@+10us   flush lr=32:P:eoi\n"
	"@+40us   fold  lr=32:P:eoi\n"
	"@1500ms  flush used=0\n"
	"@+1ms    fold  used=0\n";

static void test_mf_file_no_deadline(void **state)
{
	struct vt_engine *e;
	struct vt_irq *irq;

	(void)state;
	e = text_engine(line_stuck, "mem", NULL, false);
	irq = vt_irq_find(e, 100, 32);
	assert_non_null(irq);
	/* file mode: asserted, and no deadline (none would fire) */
	assert_int_equal(vt_deadline_armed(irq, &vt_rule_masked_forever), 0);
	assert_int_equal(e->armed[VT_RULE_masked_forever].n, 0);
	assert_int_equal(vt_engine_finish(e), 0);
	/* judged at the end all the same */
	assert_non_null(find_finding(e, "intx-masked-forever",
				"without de-assert or resample"));
	assert_null(find_finding(e, "intx-masked-forever", "so far"));
	vt_engine_free(e);
}

static void test_mf_live_deadline(void **state)
{
	struct vt_engine_opts o = { .window_ns = 1000000 };
	struct vt_engine *e;

	(void)state;
	e = text_engine(line_stuck, "mem", &o, true);
	/* live: only the deadline (mf_expire()) says "so far" */
	assert_non_null(find_finding(e, "intx-masked-forever", "so far"));
	vt_engine_free(e);
}

/*
 * A masked device whose trigger key first names an irqfd with a
 * resamplefd (an ack: nothing to say), then, after @change, one
 * without: the next ack reports it. @change adds an irqfd of the same
 * key (the lookup's epoch moves) or moves the device to another key
 * whose irqfd was there from the start (the key the answer is for).
 */
static void mf_ack_after(const char *pre, const char *change)
{
	char text[2048];
	struct vt_engine *e;

	snprintf(text, sizeof(text),
		 "facts kernel=6.1.0-56-arm64 gic=3 nr_lrs=4 backend=replay\n"
		 "default vm=100 vcpu=0 cpu=0\n"
		 "@0       irqfd gsi=0 resample key=0x1001 rkey=0x2001\n"
		 "%s"
		 "@1ms     vfio handler dev=0000:00:02.0 irq=45 masked=1 result=1 tkey=0x1001 ukey=0x2001\n"
		 "@+2us    inject intid=32 level=1 src=irqfd\n"
		 "@+10us   flush lr=32:P:eoi\n"
		 "@+40us   fold  lr=32:A:eoi\n"
		 "@+3us    flush lr=32:A:eoi\n"
		 "@+30us   fold  lr=32:inv:eoi\n"
		 "@+1us    ack pin=0 gsi=0\n"
		 "%s"
		 "@+10us   flush lr=32:P:eoi\n"
		 "@+40us   fold  lr=32:A:eoi\n"
		 "@+3us    flush lr=32:A:eoi\n"
		 "@+30us   fold  lr=32:inv:eoi\n"
		 "@+1us    ack pin=0 gsi=0\n"
		 "@+1ms    flush used=0\n", pre, change);
	e = text_engine(text, "mem", NULL, true);
	assert_non_null(find_finding(e, "intx-masked-forever",
				"no resampler is registered"));
	vt_engine_free(e);
}

static void test_mf_irqfd_answer(void **state)
{
	const struct vt_finding *f;
	struct vt_engine *e;

	(void)state;
	/* the first ack alone: a resamplefd, no finding at the ack */
	e = text_engine("facts kernel=6.1.0-56-arm64 gic=3 nr_lrs=4 backend=replay\n"
			"default vm=100 vcpu=0 cpu=0\n"
			"@0       irqfd gsi=0 resample key=0x1001 rkey=0x2001\n"
			"@1ms     vfio handler dev=0000:00:02.0 irq=45 masked=1 result=1 tkey=0x1001 ukey=0x2001\n"
			"@+2us    inject intid=32 level=1 src=irqfd\n"
			"@+10us   flush lr=32:P:eoi\n"
			"@+40us   fold  lr=32:A:eoi\n"
			"@+3us    flush lr=32:A:eoi\n"
			"@+30us   fold  lr=32:inv:eoi\n"
			"@+1us    ack pin=0 gsi=0\n"
			"@+1ms    flush used=0\n", "mem", NULL, true);
	f = find_finding(e, "intx-masked-forever", "no resampler is registered");
	assert_null(f);
	vt_engine_free(e);
	/* an irqfd of the same key without resamplefd, added in between */
	mf_ack_after("", "@+1us    irqfd gsi=0 key=0x1001\n");
	/* the device's trigger key moves to an irqfd without resamplefd */
	mf_ack_after("@+1us    irqfd gsi=1 key=0x1002\n",
		     "@+1us    vfio mask dev=0000:00:02.0 irq=45 masked=1 result=0 tkey=0x1002\n");
}

/*
 * storm_per_sec 3: a ring of 4 cycles, wrapped several times. Cycles
 * 0.4 s apart never make 4 within a second; then 0.3 s apart, the
 * fourth of those spans 0.9 s from the oldest in the ring: a finding
 * that names that span exactly.
 */
static void test_storm_ring(void **state)
{
	static const unsigned int ms[] = {
		0, 400, 800, 1200, 1600, 2000, 2400, 2800, 3200,
		3500, 3800, 4100,
	};
	struct vt_engine_opts o = { .storm_per_sec = 3 };
	const struct vt_finding *f;
	char text[4096];
	struct vt_engine *e;
	size_t k, n;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text),
			     "facts kernel=6.1.0-56-arm64 gic=3 nr_lrs=4 backend=replay\n"
			     "default vm=100 vcpu=0 cpu=0\n"
			     "@0       irqfd gsi=0 resample key=0x1001 rkey=0x2001\n");
	for (k = 0; k < sizeof(ms) / sizeof(ms[0]); k++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "@%ums     resample gsi=0 key=0x2001\n"
				      "@+1us    inject intid=32 level=1 src=irqfd\n"
				      "@+1us    inject intid=32 level=0 src=resampler\n",
				      ms[k] + 1);
	assert_true(n < sizeof(text));
	e = text_engine(text, "mem", &o, true);
	f = find_finding(e, "storm", "re-asserted 4 times");
	assert_non_null(f);
	/* (the cycle at 4.1 s, the oldest in the ring the one at 3.2 s) */
	assert_non_null(strstr(f->summary, "within 900000 us"));
	vt_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mf_file_no_deadline),
		cmocka_unit_test(test_mf_live_deadline),
		cmocka_unit_test(test_mf_irqfd_answer),
		cmocka_unit_test(test_storm_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
