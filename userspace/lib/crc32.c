// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * crc32.c - bitwise-table CRC32, the zlib polynomial (0xedb88320).
 */
#include "vt_crc32.h"

static uint32_t crc_table[256];
static int crc_table_ready;

static void crc_init(void)
{
	uint32_t c;
	int n, k;

	for (n = 0; n < 256; n++) {
		c = (uint32_t)n;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
	crc_table_ready = 1;
}

uint32_t vt_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!crc_table_ready)
		crc_init();
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
