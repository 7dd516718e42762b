// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * crc32.c - CRC32 of the trace file (IEEE 802.3 / zlib polynomial
 * 0xedb88320, reflected, init and final xor ~0): zlib's crc32() where the
 * build has zlib (VT_HAVE_ZLIB: Debian's zlib1g-dev on the host, which
 * uses PCLMULQDQ/braided code), else a slice-by-8 table (the static arm64
 * build has no arm64 zlib). Both give the same values; test_crc32 checks
 * it, and the v1 files written by the former byte-at-a-time code read back
 * unchanged.
 */
#include <string.h>
#include "vt_crc32.h"
#ifdef VT_HAVE_ZLIB
#include <zlib.h>
#endif

static uint32_t tab[8][256];
static int tab_ready;

static void tab_init(void)
{
	uint32_t c;
	int n, k;

	for (n = 0; n < 256; n++) {
		c = (uint32_t)n;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		tab[0][n] = c;
	}
	for (n = 0; n < 256; n++)
		for (k = 1; k < 8; k++)
			tab[k][n] = (tab[k - 1][n] >> 8) ^ tab[0][tab[k - 1][n] & 0xff];
	tab_ready = 1;
}

uint32_t vt_crc32_sw(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t a, b;

	if (!tab_ready)
		tab_init();
	crc = ~crc;
	while (len && ((uintptr_t)p & 7)) {
		crc = tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		len--;
	}
	while (len >= 8) {
		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		a = __builtin_bswap32(a);
		b = __builtin_bswap32(b);
#endif
		a ^= crc;
		crc = tab[7][a & 0xff] ^ tab[6][(a >> 8) & 0xff] ^
		      tab[5][(a >> 16) & 0xff] ^ tab[4][a >> 24] ^
		      tab[3][b & 0xff] ^ tab[2][(b >> 8) & 0xff] ^
		      tab[1][(b >> 16) & 0xff] ^ tab[0][b >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t vt_crc32(uint32_t crc, const void *data, size_t len)
{
#ifdef VT_HAVE_ZLIB
	const Bytef *p = data;
	uInt n;

	while (len) {
		n = len > (1u << 30) ? (1u << 30) : (uInt)len;
		crc = (uint32_t)crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return crc;
#else
	return vt_crc32_sw(crc, data, len);
#endif
}
