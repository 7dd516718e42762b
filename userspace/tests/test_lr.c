// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_lr.c - list register decoding on real values and the
 * "guest deactivated during the run" table.
 */
#include "helpers.h"
#include "vt_lr.h"

/*
 * Real values, every field expected, worked out by hand from the
 * architecture's layout (docs/engine.md "LR decode").
 */
static const struct decode_case {
	const char *what;
	unsigned int gic;
	uint64_t raw;
	struct vt_lr want;
	bool signals_eoi;
} decode_cases[] = {
	/* seen on the emulated host: the LR after the guest's EOI */
	{ "v3 after EOI", VT_GIC_V3, 0x1080020000000020ull,
	  { .state = VT_LR_INVALID, .eoi = true, .group = 1, .priority = 0x80,
	    .vintid = 32 }, true },
	/* pending, EOI, group 1, prio 0xa0, vINTID 32 */
	{ "v3 pending", VT_GIC_V3, 0x50a0020000000020ull,
	  { .state = VT_LR_P, .eoi = true, .group = 1, .priority = 0xa0,
	    .vintid = 32 }, false },
	{ "v3 active+pending", VT_GIC_V3, 0xd0a0020000000021ull,
	  { .state = VT_LR_PA, .eoi = true, .group = 1, .priority = 0xa0,
	    .vintid = 33 }, false },
	/* HW: active, pINTID 0x21b (bit 41 is pINTID[9], not EOI) */
	{ "v3 HW", VT_GIC_V3, 0xb0a0021b0000001bull,
	  { .state = VT_LR_A, .hw = true, .group = 1, .priority = 0xa0,
	    .vintid = 27, .pintid = 0x21b }, false },
	/* LPI-sized vINTID, group 0 */
	{ "v3 LPI", VT_GIC_V3, 0x4000000000002000ull,
	  { .state = VT_LR_P, .vintid = 8192 }, false },
	/* GICH_LR: pending, prio 0xa0 (20 << 23), EOI, vINTID 32 */
	{ "v2 pending", VT_GIC_V2, 0x1a080020ull,
	  { .state = VT_LR_P, .eoi = true, .priority = 0xa0, .vintid = 32 },
	  false },
	/* invalid + EOI, group1 */
	{ "v2 after EOI", VT_GIC_V2, 0x40080020ull,
	  { .state = VT_LR_INVALID, .eoi = true, .group = 1, .vintid = 32 },
	  true },
	/* HW, active, pINTID 30, vINTID 27; high 32 bits ignored */
	{ "v2 HW", VT_GIC_V2, 0xdeadbeef00000000ull | 0xa000781bull,
	  { .state = VT_LR_A, .hw = true, .vintid = 27, .pintid = 30 }, false },
	/* SGI source CPU 3 */
	{ "v2 SGI", VT_GIC_V2, 0x10000c01ull,
	  { .state = VT_LR_P, .vintid = 1, .cpuid = 3 }, false },
};

#define EXPECT_FIELD(c, lr, field)					\
	do {								\
		if ((lr).field != (c)->want.field)			\
			fail_msg("%s: " #field " %u, expected %u",	\
				 (c)->what, (unsigned int)(lr).field,	\
				 (unsigned int)(c)->want.field);	\
	} while (0)

static void test_decode_values(void **state)
{
	struct vt_lr lr;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		const struct decode_case *c = &decode_cases[i];

		assert_int_equal(vt_lr_decode(c->gic, c->raw, &lr), 0);
		EXPECT_FIELD(c, lr, state);
		EXPECT_FIELD(c, lr, hw);
		EXPECT_FIELD(c, lr, eoi);
		EXPECT_FIELD(c, lr, group);
		EXPECT_FIELD(c, lr, priority);
		EXPECT_FIELD(c, lr, vintid);
		EXPECT_FIELD(c, lr, pintid);
		EXPECT_FIELD(c, lr, cpuid);
		if (vt_lr_signals_eoi(&lr) != c->signals_eoi)
			fail_msg("%s: signals EOI %d, expected %d", c->what,
				 vt_lr_signals_eoi(&lr), c->signals_eoi);
	}
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
		cmocka_unit_test(test_decode_values),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_guest_eoied),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
