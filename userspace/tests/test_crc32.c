// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_crc32.c - the trace file's CRC32: the standard check value, zlib
 * (when built with it) equal to the table code and to the byte-at-a-time
 * reference the v1 writer used, at every length and alignment, chained.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vt_crc32.h"

/* the implementation every v1 file so far was written with */
static uint32_t crc_ref(uint32_t crc, const uint8_t *p, size_t len)
{
	int k;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc & 1) ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
	}
	return ~crc;
}

static void test_check_value(void **state)
{
	(void)state;
	assert_int_equal(vt_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(vt_crc32_sw(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(vt_crc32(0, "", 0), 0);
}

static void test_equal_everywhere(void **state)
{
	static uint8_t buf[70000];
	uint32_t seed = 12345, a, b, c;
	size_t i, off, len;

	(void)state;
	for (i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
	for (off = 0; off < 9; off++)
		for (len = 0; len < 300; len++) {
			a = crc_ref(0, buf + off, len);
			assert_int_equal(vt_crc32(0, buf + off, len), a);
			assert_int_equal(vt_crc32_sw(0, buf + off, len), a);
		}
	a = crc_ref(0, buf, sizeof(buf));
	assert_int_equal(vt_crc32(0, buf, sizeof(buf)), a);
	/* chained over two calls, as the reader of a split buffer would */
	b = vt_crc32(vt_crc32(0, buf, 1001), buf + 1001, sizeof(buf) - 1001);
	c = vt_crc32_sw(vt_crc32_sw(0, buf, 7), buf + 7, sizeof(buf) - 7);
	assert_int_equal(b, a);
	assert_int_equal(c, a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_equal_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
