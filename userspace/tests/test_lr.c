// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_lr.c - list register decoding on real values and the
 * "guest deactivated during the run" table.
 */
#include "helpers.h"
#include "vt_lr.h"

static void test_v3_real_eoi_value(void **state)
{
	struct vt_lr lr;

	(void)state;
	/* seen on the emulated host: the LR after the guest's EOI */
	assert_int_equal(vt_lr_decode(VT_GIC_V3, 0x1080020000000020ull, &lr), 0);
	assert_int_equal(lr.state, VT_LR_INVALID);
	assert_true(lr.eoi);
	assert_false(lr.hw);
	assert_int_equal(lr.group, 1);
	assert_int_equal(lr.vintid, 32);
	assert_int_equal(lr.priority, 0x80);
	assert_int_equal(lr.pintid, 0);
	assert_true(vt_lr_signals_eoi(&lr));
}

static void test_v3_states_and_hw(void **state)
{
	struct vt_lr lr;

	(void)state;
	/* pending, EOI, group 1, prio 0xa0, vINTID 32 */
	vt_lr_decode(VT_GIC_V3, 0x50a0020000000020ull, &lr);
	assert_int_equal(lr.state, VT_LR_P);
	assert_true(lr.eoi);
	assert_int_equal(lr.priority, 0xa0);
	assert_false(vt_lr_signals_eoi(&lr));
	/* active+pending */
	vt_lr_decode(VT_GIC_V3, 0xd0a0020000000021ull, &lr);
	assert_int_equal(lr.state, VT_LR_PA);
	assert_int_equal(lr.vintid, 33);
	/* HW: active, pINTID 27 (bit 41 is pINTID[9], not EOI) */
	vt_lr_decode(VT_GIC_V3, 0xb0a0021b0000001bull, &lr);
	assert_int_equal(lr.state, VT_LR_A);
	assert_true(lr.hw);
	assert_false(lr.eoi);
	assert_int_equal(lr.pintid, 0x21b);
	assert_int_equal(lr.vintid, 27);
	/* LPI-sized vINTID */
	vt_lr_decode(VT_GIC_V3, 0x4000000000002000ull, &lr);
	assert_int_equal(lr.vintid, 8192);
	assert_int_equal(lr.group, 0);
}

static void test_v2_values(void **state)
{
	struct vt_lr lr;

	(void)state;
	/* GICH_LR: pending, prio 0xa0 (20 << 23), EOI, vINTID 32 */
	assert_int_equal(vt_lr_decode(VT_GIC_V2, 0x1a080020ull, &lr), 0);
	assert_int_equal(lr.state, VT_LR_P);
	assert_true(lr.eoi);
	assert_int_equal(lr.priority, 0xa0);
	assert_int_equal(lr.vintid, 32);
	assert_int_equal(lr.group, 0);
	/* invalid + EOI, group1 */
	vt_lr_decode(VT_GIC_V2, 0x40080020ull, &lr);
	assert_int_equal(lr.state, VT_LR_INVALID);
	assert_int_equal(lr.group, 1);
	assert_true(vt_lr_signals_eoi(&lr));
	/* HW, active, pINTID 30, vINTID 27; high 32 bits ignored */
	vt_lr_decode(VT_GIC_V2, 0xdeadbeef00000000ull | 0xa000781bull, &lr);
	assert_int_equal(lr.state, VT_LR_A);
	assert_true(lr.hw);
	assert_int_equal(lr.pintid, 30);
	assert_int_equal(lr.vintid, 27);
	/* SGI source CPU 3 */
	vt_lr_decode(VT_GIC_V2, 0x10000c01ull, &lr);
	assert_int_equal(lr.cpuid, 3);
	assert_int_equal(lr.vintid, 1);
	assert_int_equal(vt_lr_decode(4, 0, &lr), -EINVAL);
}

static void test_roundtrip(void **state)
{
	struct vt_lr in, out;
	unsigned int gic, st;
	uint64_t raw;

	(void)state;
	for (gic = 2; gic <= 3; gic++)
		for (st = 0; st < 4; st++) {
			memset(&in, 0, sizeof(in));
			in.state = (uint8_t)st;
			in.eoi = true;
			in.group = 1;
			in.priority = 0xa0;
			in.vintid = 40 + st;
			assert_int_equal(vt_lr_encode(gic, &in, &raw), 0);
			vt_lr_decode(gic, raw, &out);
			assert_memory_equal(&in, &out, sizeof(in));
		}
	memset(&in, 0, sizeof(in));
	in.vintid = 2000;
	assert_int_equal(vt_lr_encode(VT_GIC_V2, &in, &raw), -EINVAL);
}

static void test_guest_eoied(void **state)
{
	static const struct { uint8_t in, out; bool eoied; } t[] = {
		{ VT_LR_P, VT_LR_A, false },		/* IAR only */
		{ VT_LR_P, VT_LR_P, false },		/* not taken */
		{ VT_LR_P, VT_LR_INVALID, true },	/* IAR + EOI in one run */
		{ VT_LR_A, VT_LR_A, false },		/* still in the handler */
		{ VT_LR_A, VT_LR_INVALID, true },
		{ VT_LR_A, VT_LR_P, true },
		{ VT_LR_PA, VT_LR_P, true },		/* 2018 sequence 1 */
		{ VT_LR_PA, VT_LR_A, true },		/* 2018 sequence 2 */
		{ VT_LR_PA, VT_LR_INVALID, true },
		{ VT_LR_PA, VT_LR_PA, false },
		{ VT_LR_INVALID, VT_LR_INVALID, false },
	};
	struct vt_lr a, b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		a.state = t[i].in;
		b.state = t[i].out;
		if (vt_lr_guest_eoied(&a, &b) != t[i].eoied)
			fail_msg("%s -> %s: expected %d", vt_lr_state_name(t[i].in),
				 vt_lr_state_name(t[i].out), t[i].eoied);
	}
}

static void test_format(void **state)
{
	char buf[100];

	(void)state;
	vt_lr_format(VT_GIC_V3, 0x1080020000000020ull, buf, sizeof(buf));
	assert_string_equal(buf, "vINTID 32 inv EOI G1 prio 0x80");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v3_real_eoi_value),
		cmocka_unit_test(test_v3_states_and_hw),
		cmocka_unit_test(test_v2_values),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_guest_eoied),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
