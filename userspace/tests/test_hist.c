// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_hist.c - the compact IRQ history (engine_internal.h): every
 * history format of the engine, written through vt_irq_hist() with the
 * extreme values its conversions take, %s texts near the library's data
 * and far from it (a mapping), long ones cut at VT_HIST_STR, and the LR
 * entry, must read back through vt_hist_format() as snprintf() of the
 * original format gives them.
 */
#include <limits.h>
#include <sys/mman.h>
#include "helpers.h"
#include "engine_internal.h"
#include "vt_lr.h"

/* the formats the cases below wrote: every site of the section must be */
static const char *tested[64];
static unsigned int nr_tested;

/* a %s text as vt_hist_format() keeps it: VT_HIST_STR bytes in all */
struct cut {
	unsigned int so;
	char buf[6][VT_HIST_STR + 1];
	unsigned int n;
};

static const char *cut(struct cut *c, const char *s)
{
	size_t sl = strnlen(s, VT_HIST_STR - c->so);
	char *o = c->buf[c->n++];

	memcpy(o, s, sl);
	o[sl] = 0;
	c->so += (unsigned int)sl + (c->so + sl < VT_HIST_STR);
	return o;
}

static void expect_last(struct vt_engine *e, struct vt_irq *irq,
			const char *fmt, uint64_t ts, const char *exp)
{
	unsigned int k = (irq->hist_n - 1) % VT_HIST_LEN;
	size_t n, lens[] = { VT_HIST_TEXT, 40, 12, 1 };
	const char *const *site = vt_hist_sites(&n);
	char got[VT_HIST_TEXT], want[VT_HIST_TEXT];
	unsigned int i;

	assert_true(vt_hist_site(irq->hist_fmt[k]) < n);
	assert_string_equal(site[vt_hist_site(irq->hist_fmt[k])], fmt);
	assert_int_equal(irq->hist[k].ts, ts);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		vt_hist_format(e, irq, k, got, lens[i]);
		snprintf(want, lens[i], "%s", exp);
		assert_string_equal(got, want);
	}
	if (fmt != vt_hist_lr_fmt) {
		for (i = 0; i < nr_tested; i++)
			if (!strcmp(tested[i], fmt))
				break;
		if (i == nr_tested) {
			assert_true(nr_tested < 64);
			tested[nr_tested++] = fmt;
		}
	}
}

/*
 * One case: the entry vt_irq_hist() wrote with @args, against snprintf()
 * of the same format with @cargs (the %s texts cut as kept).
 */
#define CASE(fmt, args, cargs) do {					\
	char exp_[VT_HIST_TEXT];					\
									\
	ts++;								\
	vt_irq_hist args;						\
	snprintf cargs;							\
	expect_last(e, irq, fmt, ts, exp_);				\
} while (0)
/* the %s texts of every format are a, b, c, d in this order */
#define C(s) c##s

/* strings to pass: literals, the heap, a mapping (far), long ones */
struct strs {
	const char *s[8];
	unsigned int n;
};

static void run_cases(struct vt_engine *e, struct vt_irq *irq,
		      const struct strs *st)
{
	uint64_t ts = 0xfedcba9876543210ull;
	unsigned int i, j, k, l;

	for (i = 0; i < st->n; i++) {
		const char *a = st->s[i], *b = st->s[(i + 1) % st->n];
		const char *c = st->s[(i + 2) % st->n], *d = st->s[(i + 3) % st->n];
		struct cut cu = { 0 };
		const char *ca = cut(&cu, a), *cb = cut(&cu, b);
		const char *cc = cut(&cu, c), *cd = cut(&cu, d);

		for (j = 0; j < 3; j++) {
			static const unsigned int uv[] = { 0, 1, UINT_MAX };
			static const int iv[] = { INT_MIN, -1, INT_MAX };
			unsigned int u = uv[j], u2 = uv[(j + 1) % 3];
			int v = iv[j];

			CASE("resample gsi %u (%u irqfds)",
			     (e, irq, ts, "resample gsi %u (%u irqfds)", u, u2),
			     (exp_, sizeof(exp_), "resample gsi %u (%u irqfds)", u, u2));
			CASE("irqfd gsi %u deassigned",
			     (e, irq, ts, "irqfd gsi %u deassigned", u),
			     (exp_, sizeof(exp_), "irqfd gsi %u deassigned", u));
			CASE("irqfd gsi %u failed (%d)",
			     (e, irq, ts, "irqfd gsi %u failed (%d)", u, v),
			     (exp_, sizeof(exp_), "irqfd gsi %u failed (%d)", u, v));
			CASE("irqfd gsi %u%s",
			     (e, irq, ts, "irqfd gsi %u%s", u, a),
			     (exp_, sizeof(exp_), "irqfd gsi %u%s", u, C(a)));
			CASE("vfio %s %s%s%s",
			     (e, irq, ts, "vfio %s %s%s%s", a, b, c, d),
			     (exp_, sizeof(exp_), "vfio %s %s%s%s", C(a), C(b), C(c), C(d)));
			CASE("inject level %u (%s)%s",
			     (e, irq, ts, "inject level %u (%s)%s", u, a, b),
			     (exp_, sizeof(exp_), "inject level %u (%s)%s", u, C(a), C(b)));
			CASE("state line %u latch %u active %u target %d%s",
			     (e, irq, ts, "state line %u latch %u active %u target %d%s",
			      u, u2, u, v, a),
			     (exp_, sizeof(exp_), "state line %u latch %u active %u target %d%s",
			      u, u2, u, v, C(a)));
			CASE("ack notify irqchip %u pin %u",
			     (e, irq, ts, "ack notify irqchip %u pin %u", u, u2),
			     (exp_, sizeof(exp_), "ack notify irqchip %u pin %u", u, u2));
			CASE("guest IROUTER high word (Aff3) write: no target change",
			     (e, irq, ts, "guest IROUTER high word (Aff3) write: no target change"),
			     (exp_, sizeof(exp_), "guest IROUTER high word (Aff3) write: no target change"));
			CASE("guest %s write: target vCPU%u%s",
			     (e, irq, ts, "guest %s write: target vCPU%u%s", a, u, b),
			     (exp_, sizeof(exp_), "guest %s write: target vCPU%u%s", C(a), u, C(b)));
			CASE("guest %s write%s",
			     (e, irq, ts, "guest %s write%s", a, b),
			     (exp_, sizeof(exp_), "guest %s write%s", C(a), C(b)));
			CASE("%s vCPU%u%s%s",
			     (e, irq, ts, "%s vCPU%u%s%s", a, u, b, c),
			     (exp_, sizeof(exp_), "%s vCPU%u%s%s", C(a), u, C(b), C(c)));
			CASE("exit  vCPU%u LR%u %s -> %s%s%s",
			     (e, irq, ts, "exit  vCPU%u LR%u %s -> %s%s%s", u, u2, a, b, c, d),
			     (exp_, sizeof(exp_), "exit  vCPU%u LR%u %s -> %s%s%s", u, u2,
			      C(a), C(b), C(c), C(d)));
			CASE("exit  vCPU%u LR%u ? -> %s (no entry seen)",
			     (e, irq, ts, "exit  vCPU%u LR%u ? -> %s (no entry seen)", u, u2, a),
			     (exp_, sizeof(exp_), "exit  vCPU%u LR%u ? -> %s (no entry seen)",
			      u, u2, C(a)));
			CASE("entry vCPU%u LR%u %s while in LR of vCPU%u as %s",
			     (e, irq, ts, "entry vCPU%u LR%u %s while in LR of vCPU%u as %s",
			      u, u2, a, u, b),
			     (exp_, sizeof(exp_), "entry vCPU%u LR%u %s while in LR of vCPU%u as %s",
			      u, u2, C(a), u, C(b)));
			CASE("retarget vCPU%d -> vCPU%u while %s",
			     (e, irq, ts, "retarget vCPU%d -> vCPU%u while %s", v, u, a),
			     (exp_, sizeof(exp_), "retarget vCPU%d -> vCPU%u while %s",
			      v, u, C(a)));
			CASE("active but in no LR of vCPU%u (all %u LRs used%s)",
			     (e, irq, ts, "active but in no LR of vCPU%u (all %u LRs used%s)",
			      u, u2, a),
			     (exp_, sizeof(exp_), "active but in no LR of vCPU%u (all %u LRs used%s)",
			      u, u2, C(a)));
			CASE("exit vCPU%u EOIcount %u",
			     (e, irq, ts, "exit vCPU%u EOIcount %u", u, u2),
			     (exp_, sizeof(exp_), "exit vCPU%u EOIcount %u", u, u2));
			/* 64-bit integers take two words */
			{
				uint64_t big = 0x8000000100000002ull * (j + 1);
				long sl = j == 2 ? LONG_MIN : -(long)j;

				CASE("x %llu %ld %s",
				     (e, irq, ts, "x %llu %ld %s",
				      (unsigned long long)big, sl, a),
				     (exp_, sizeof(exp_), "x %llu %ld %s",
				      (unsigned long long)big, sl, C(a)));
			}
		}
	}
	/* the LR entry: vCPU, index, GIC, 64-bit LR */
	for (k = 0; k < 2; k++) {
		static const uint64_t raw[] = {
			0, ~0ull, 0xa0a0000000000020ull, 0x5000000000001fffull,
			0x1234567890abcdefull, 0x90000000000003e8ull,
		};
		unsigned int gic = k ? VT_GIC_V3 : VT_GIC_V2;

		for (l = 0; l < sizeof(raw) / sizeof(raw[0]); l++) {
			char exp[VT_HIST_TEXT], txt[80];
			uint32_t vcpu = l & 1 ? UINT32_MAX : l;

			ts++;
			vt_irq_hist_lr(irq, ts, vcpu, l & 1 ? UINT_MAX : 15,
				       gic, raw[l]);
			snprintf(exp, sizeof(exp), "entry vCPU%u LR%u %s", vcpu,
				 l & 1 ? UINT_MAX : 15,
				 vt_lr_format(gic, raw[l], txt, sizeof(txt)));
			expect_last(e, irq, vt_hist_lr_fmt, ts, exp);
		}
	}
}

static void test_every_format(void **state)
{
	static const char lng[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct vt_engine *e;
	struct vt_irq *irq;
	struct strs st = { .n = 0 };
	char *heap, *far;
	const char *const *site;
	size_t n, i, j;

	(void)state;
	assert_int_equal(vt_engine_new(NULL, &e), 0);
	irq = vt_irq_get(e, 7, 45);
	assert_non_null(irq);
	heap = strdup("devname-0123456");
	far = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(far != MAP_FAILED);
	snprintf(far, 4096, "%s%s", "mapped:", lng);
	/* (a mapping is more than 1 GiB from the image: a far pointer) */
	assert_true(vt_hist_sref(e, far) & VT_HS_FAR);
	assert_true(!(vt_hist_sref(e, "lit") & VT_HS_FAR));
	st.s[st.n++] = "";
	st.s[st.n++] = " (still asserted)";
	st.s[st.n++] = heap;
	st.s[st.n++] = far;
	st.s[st.n++] = lng;
	st.s[st.n++] = far + 7;		/* the same mapping, another index */
	st.s[st.n++] = "P+A";
	run_cases(e, irq, &st);

	/* every format of the engine was written above */
	site = vt_hist_sites(&n);
	assert_true(n > 19 && n <= 256);
	for (i = 0; i < n; i++) {
		if (site[i] == vt_hist_lr_fmt)
			continue;
		for (j = 0; j < nr_tested; j++)
			if (!strcmp(site[i], tested[j]))
				break;
		if (j == nr_tested)
			fail_msg("history format \"%s\" not tested", site[i]);
	}
	vt_engine_free(e);
	free(heap);
	munmap(far, 4096);
}

/* near and far %s pointers at the bounds read back as they were */
static void test_sref_bounds(void **state)
{
	static const intptr_t off[] = {
		0, 1, -1, (1l << 30) - 1, -(1l << 30), 1l << 30,
		-(1l << 30) - 1, 1l << 31, -(1l << 31), 1l << 40, -(1l << 40),
	};
	uint32_t w[sizeof(off) / sizeof(off[0])];
	struct vt_engine *e;
	unsigned int i;

	(void)state;
	assert_int_equal(vt_engine_new(NULL, &e), 0);
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		const char *p = (const char *)((uintptr_t)vt_hist_base +
					       (uintptr_t)off[i]);
		bool near = off[i] >= -(1l << 30) && off[i] < (1l << 30);

		w[i] = vt_hist_sref(e, p);
		assert_int_equal(!(w[i] & VT_HS_FAR), near);
		assert_ptr_equal(vt_hist_str(e, w[i]), p);
	}
	/* a far pointer is kept once */
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		assert_int_equal(vt_hist_sref(e, (const char *)
					      ((uintptr_t)vt_hist_base +
					       (uintptr_t)off[i])), w[i]);
	assert_int_equal(e->nr_hstr, 6);
	vt_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_format),
		cmocka_unit_test(test_sref_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
