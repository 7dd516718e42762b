// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_lbuf.c - the line buffer of stats and report (vt_lbuf.h) against
 * snprintf(): "%*llu" for numbers of 1 to 20 digits in widths 0 to 24,
 * "%*s" and "%-*s" for strings shorter than, as long as and longer than
 * the field, the cut at VT_LB_FIELD - 1 bytes, and lines written out
 * through vt_lb_room() in order and whole, across many buffer fills.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vt_lbuf.h"

/* @l's buffered bytes as a string */
static const char *text(struct vt_lbuf *l)
{
	l->b[l->n] = '\0';
	return l->b;
}

static void test_u64(void **state)
{
	uint64_t v[] = { 0, 1, 9, 10, 99, 100, 12345, 999999, 1000000,
			 4294967295ull, 4294967296ull, 18446744073709551615ull };
	char want[64];
	struct vt_lbuf l;
	unsigned int i, w;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (w = 0; w <= 24; w++) {
			vt_lb_init(&l, NULL);
			vt_lb_u64w(&l, v[i], w);
			snprintf(want, sizeof(want), "%*llu", (int)w,
				 (unsigned long long)v[i]);
			assert_string_equal(text(&l), want);
		}
	vt_lb_init(&l, NULL);
	vt_lb_u64(&l, 1234567890123ull);
	assert_string_equal(text(&l), "1234567890123");
}

static void test_str(void **state)
{
	const char *s[] = { "", "-", "edu0", "twelve-chars", "thirteen-char",
			    "0123456789abcdef" };
	char want[128], longs[100];
	struct vt_lbuf l;
	unsigned int i;
	int w;

	(void)state;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		for (w = -14; w <= 14; w++) {
			vt_lb_init(&l, NULL);
			vt_lb_strw(&l, s[i], w);
			snprintf(want, sizeof(want), "%*s", w, s[i]);
			assert_string_equal(text(&l), want);
		}
	/* a string longer than a field is cut, not overrun */
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	vt_lb_init(&l, NULL);
	vt_lb_str(&l, longs);
	assert_int_equal(l.n, VT_LB_FIELD - 1);
}

static void test_lines(void **state)
{
	char *out = NULL, want[64];
	size_t len = 0, off = 0;
	struct vt_lbuf l;
	unsigned int i;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	vt_lb_init(&l, f);
	for (i = 0; i < 20000; i++) {
		vt_lb_str(&l, "irq ");
		vt_lb_u64w(&l, i, 6);
		vt_lb_ch(&l, ' ');
		vt_lb_strw(&l, i & 1 ? "odd" : "even", -5);
		vt_lb_ch(&l, '\n');
		vt_lb_room(&l);
		assert_true(l.n <= sizeof(l.b) - 4 * VT_LB_FIELD);
	}
	vt_lb_flush(&l);
	assert_int_equal(l.n, 0);
	fclose(f);
	for (i = 0; i < 20000; i++) {
		int k = snprintf(want, sizeof(want), "irq %6u %-5s\n", i,
				 i & 1 ? "odd" : "even");

		assert_true(off + (size_t)k <= len);
		assert_memory_equal(out + off, want, (size_t)k);
		off += (size_t)k;
	}
	assert_int_equal(off, len);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
