// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_lr_run.c - the fast paths of h_lr_flush() and h_lr_fold() of
 * session 13: the exit history entry's words (every entry/exit state
 * and EOI bit, against the text built from the state names and
 * vt_lr_guest_eoied_st()), the holders a fold clears as it
 * goes (an exit with fewer LRs, an LR holding another vINTID), the
 * entry's record header that vt_vcpu_holds() reads, and the GICv2 loop
 * against the GICv3 one.
 */
#include "helpers.h"
#include "engine_internal.h"
#include "lr_helpers.h"
#include "dispatch.h"
#include "vt_lr.h"

/* a GICv3 LR of @intid in state @st (EOI bit if @eoi) */
static uint64_t lr3(uint32_t intid, unsigned int st, bool eoi)
{
	struct vt_lr l = { .state = (uint8_t)st, .group = 1, .priority = 0xa0,
			   .vintid = intid, .eoi = eoi };
	uint64_t raw;

	assert_int_equal(vt_lr_encode(VT_GIC_V3, &l, &raw), 0);
	return raw;
}

/* the same LR as a GICv2 GICH_LR */
static uint64_t lr2(uint32_t intid, unsigned int st, bool eoi)
{
	struct vt_lr l = { .state = (uint8_t)st, .group = 1, .priority = 0xa0,
			   .vintid = intid, .eoi = eoi };
	uint64_t raw;

	assert_int_equal(vt_lr_encode(VT_GIC_V2, &l, &raw), 0);
	return raw;
}

/* An LR record of @vcpu of VM 1 with @n LRs of @raw[], to its handler. */
static void feed(struct vt_engine *e, uint16_t type, uint64_t ts,
		 uint32_t vcpu, unsigned int gic, const uint64_t *raw,
		 unsigned int n)
{
	struct vt_rec_lr r;

	memset(&r, 0, sizeof(r));
	r.hdr.type = type;
	r.hdr.size = sizeof(r);
	r.hdr.ts_ns = ts;
	r.hdr.vm_id = 1;
	r.hdr.vcpu_id = vcpu;
	r.gic_version = (uint8_t)gic;
	r.used_lrs = (uint8_t)n;
	r.nr_lrs = 4;
	memcpy(r.lr, raw, n * sizeof(*raw));
	e->by_type[type]++;
	assert_int_equal(type == VT_REC_LR_FLUSH ? h_lr_flush(e, &r.hdr) :
			 h_lr_fold(e, &r.hdr), 0);
}

/*
 * Every (entry state, exit state, EOI bit) of LR1 of vCPU 3: the exit
 * entry reads as the format "exit  vCPU%u LR%u %s -> %s%s%s" of the
 * state names, " EOI" and " (guest deactivated)" would.
 */
static void test_exit_text(void **state)
{
	struct vt_engine_opts o = { .window_ns = VT_WINDOW_ALL };
	unsigned int in, out, eoi;
	struct vt_engine *e;
	struct vt_irq *irq;
	uint64_t ts = 1000, lrs[2];
	char want[128];

	(void)state;
	assert_int_equal(vt_engine_new(&o, &e), 0);
	for (in = 0; in < 4; in++)
		for (out = 0; out < 4; out++)
			for (eoi = 0; eoi < 2; eoi++) {
				lrs[0] = lr3(40, VT_LR_P, false);
				lrs[1] = lr3(32, in, false);
				feed(e, VT_REC_LR_FLUSH, ts++, 3, VT_GIC_V3,
				     lrs, 2);
				lrs[0] = lr3(40, VT_LR_INVALID, false);
				lrs[1] = lr3(32, out, eoi);
				feed(e, VT_REC_LR_FOLD, ts++, 3, VT_GIC_V3,
				     lrs, 2);
				irq = vt_irq_find(e, 1, 32);
				assert_non_null(irq);
				snprintf(want, sizeof(want),
					 "exit  vCPU%u LR%u %s -> %s%s%s", 3, 1,
					 vt_lr_state_name(in),
					 vt_lr_state_name(out),
					 eoi ? " EOI" : "",
					 vt_lr_guest_eoied_st(in, out) ?
					 " (guest deactivated)" : "");
				assert_string_equal(last_hist(e, irq), want);
				assert_int_equal(irq->cnt.lr_trans[in][out],
						 eoi + 1);
			}
	vt_engine_free(e);
}

/*
 * Holders: the fold takes its vCPU out of the holders of every IRQ of
 * its entry, those of LRs the exit shows, those of an LR holding
 * another vINTID at exit (a BUG) and those of LRs past the exit's
 * used_lrs; the entry's header gives vt_vcpu_holds() its LRs.
 */
static void test_holders(void **state)
{
	struct vt_engine_opts o = { .window_ns = VT_WINDOW_ALL };
	uint64_t in[3] = { lr3(32, VT_LR_P, false), lr3(33, VT_LR_P, false),
			   lr3(34, VT_LR_A, false) };
	uint64_t out[3] = { lr3(32, VT_LR_A, false), lr3(35, VT_LR_A, false),
			    lr3(34, VT_LR_A, false) };
	struct vt_irq *irq[3];
	struct vt_engine *e;
	struct vt_vcpu *v;
	struct vt_lr l;
	uint64_t ts = 1000;
	unsigned int k, n;

	(void)state;
	assert_int_equal(vt_engine_new(&o, &e), 0);
	for (n = 1; n <= 3; n++) {
		/* vCPU 0 and vCPU 1 hold the same three IRQs */
		feed(e, VT_REC_LR_FLUSH, ts++, 0, VT_GIC_V3, in, 3);
		feed(e, VT_REC_LR_FLUSH, ts++, 1, VT_GIC_V3, in, 3);
		v = vt_vcpu_get(e, 1, 0);
		assert_non_null(v);
		assert_int_equal(v->entry.used_lrs, 3);
		assert_int_equal(v->entry.gic_version, VT_GIC_V3);
		assert_true(vt_vcpu_holds(v, 33, &l));
		assert_int_equal(l.state, VT_LR_P);
		assert_false(vt_vcpu_holds(v, 35, NULL));
		for (k = 0; k < 3; k++) {
			irq[k] = vt_irq_find(e, 1, 32 + k);
			assert_non_null(irq[k]);
			assert_int_equal(irq[k]->nr_holders, 2);
		}
		/* vCPU 0's exit shows @n LRs, LR1 with another vINTID */
		feed(e, VT_REC_LR_FOLD, ts++, 0, VT_GIC_V3, out, n);
		assert_false(vt_vcpu_holds(v, 32, NULL));
		for (k = 0; k < 3; k++) {
			assert_int_equal(irq[k]->nr_holders, 1);
			assert_ptr_equal(irq[k]->holder[0],
					 vt_vcpu_get(e, 1, 1));
		}
		assert_int_equal(v->ent_unlinked, false);
		feed(e, VT_REC_LR_FOLD, ts++, 1, VT_GIC_V3, in, 3);
		for (k = 0; k < 3; k++)
			assert_int_equal(irq[k]->nr_holders, 0);
		assert_true(vt_vcpu_get(e, 1, 1)->ent_unlinked);
	}
	assert_int_equal(vt_engine_finish(e), 0);
	vt_engine_free(e);
}

/* the counts and the history of a GICv2 run are those of a GICv3 one */
static void test_v2_v3(void **state)
{
	static const unsigned int st[][2] = {
		{ VT_LR_P, VT_LR_INVALID }, { VT_LR_P, VT_LR_A },
		{ VT_LR_A, VT_LR_INVALID }, { VT_LR_PA, VT_LR_A },
		{ VT_LR_INVALID, VT_LR_P },
	};
	struct vt_engine_opts o = { .window_ns = VT_WINDOW_ALL };
	struct vt_engine *e[2];
	struct vt_irq *irq[2];
	uint64_t ts, raw[2];
	unsigned int g, k, j;
	char h[2][VT_HIST_LEN][256];

	(void)state;
	for (g = 0; g < 2; g++) {
		assert_int_equal(vt_engine_new(&o, &e[g]), 0);
		ts = 1000;
		for (k = 0; k < 5; k++) {
			uint64_t (*enc)(uint32_t, unsigned int, bool) =
				g ? lr2 : lr3;
			unsigned int gic = g ? VT_GIC_V2 : VT_GIC_V3;

			raw[0] = enc(32, st[k][0], false);
			raw[1] = enc(33, VT_LR_P, false);
			feed(e[g], VT_REC_LR_FLUSH, ts++, 2, gic, raw, 2);
			raw[0] = enc(32, st[k][1], k & 1);
			raw[1] = enc(33, VT_LR_INVALID, true);
			feed(e[g], VT_REC_LR_FOLD, ts++, 2, gic, raw, 2);
		}
		irq[g] = vt_irq_find(e[g], 1, 32);
		assert_non_null(irq[g]);
		for (j = 0; j < VT_HIST_LEN; j++)
			vt_hist_format(e[g], irq[g], j, h[g][j],
				       sizeof(h[g][j]));
	}
	assert_memory_equal(&irq[0]->cnt, &irq[1]->cnt, sizeof(irq[0]->cnt));
	assert_int_equal(irq[0]->level, irq[1]->level);
	for (j = 0; j < VT_HIST_LEN; j++) {
		/* (the entry entries quote the LR: v2 and v3 differ there) */
		if (strncmp(h[0][j], "exit", 4))
			continue;
		assert_string_equal(h[0][j], h[1][j]);
	}
	for (g = 0; g < 2; g++)
		vt_engine_free(e[g]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_text),
		cmocka_unit_test(test_holders),
		cmocka_unit_test(test_v2_v3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
