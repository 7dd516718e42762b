// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * crc32.c - CRC32 of the trace file (IEEE 802.3 / zlib polynomial
 * 0xedb88320, reflected, init and final xor ~0). The fastest of, in turn:
 *
 *  - ISA-L's crc32_gzip_refl() (VT_HAVE_ISAL: Debian's libisal-dev on the
 *    host; PCLMULQDQ/VPCLMULQDQ folding chosen at run time, about 60 GB/s
 *    on the bench machine's AVX-512 core against zlib's 6.5);
 *  - the ARMv8 CRC32 instructions (arm64 when the CPU has them, HWCAP_CRC32:
 *    the same polynomial, CRC32X takes 8 bytes);
 *  - zlib's crc32() (VT_HAVE_ZLIB: Debian's zlib1g-dev, braided code);
 *  - else a slice-by-8 table (vt_crc32_sw()).
 *
 * All give the same values; test_crc32 checks it at every length and
 * alignment, and the v1 files written by the former byte-at-a-time code
 * read back unchanged.
 */
#include <string.h>
#include "vt_crc32.h"
#if defined(VT_HAVE_ISAL)
#include <isa-l/crc.h>
#elif defined(VT_HAVE_ZLIB)
#include <zlib.h>
#endif
#if defined(__aarch64__) && !defined(VT_HAVE_ISAL)
#include <arm_acle.h>
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32	(1 << 7)
#endif
#define VT_CRC_ARM64	1
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

#ifdef VT_CRC_ARM64
/* ARMv8 CRC32B/CRC32X: the IEEE polynomial, no pre/post inversion */
__attribute__((target("arch=armv8-a+crc")))
static uint32_t crc32_arm64(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t v;

	crc = ~crc;
	while (len && ((uintptr_t)p & 7)) {
		crc = __crc32b(crc, *p++);
		len--;
	}
	while (len >= 32) {
		memcpy(&v, p, 8);
		crc = __crc32d(crc, v);
		memcpy(&v, p + 8, 8);
		crc = __crc32d(crc, v);
		memcpy(&v, p + 16, 8);
		crc = __crc32d(crc, v);
		memcpy(&v, p + 24, 8);
		crc = __crc32d(crc, v);
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		memcpy(&v, p, 8);
		crc = __crc32d(crc, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = __crc32b(crc, *p++);
	return ~crc;
}

static int arm64_crc = -1;	/* HWCAP_CRC32 present: 1, absent: 0 */
#endif

uint32_t vt_crc32(uint32_t crc, const void *data, size_t len)
{
#if defined(VT_HAVE_ISAL)
	const unsigned char *p = data;
	uint64_t n;

	while (len) {
		n = len > (1u << 30) ? (1u << 30) : len;
		crc = crc32_gzip_refl(crc, p, n);
		p += n;
		len -= n;
	}
	return crc;
#else
#ifdef VT_CRC_ARM64
	if (arm64_crc < 0)
		arm64_crc = !!(getauxval(AT_HWCAP) & HWCAP_CRC32);
	if (arm64_crc)
		return crc32_arm64(crc, data, len);
#endif
#if defined(VT_HAVE_ZLIB)
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
#endif
}

const char *vt_crc32_impl(void)
{
#if defined(VT_HAVE_ISAL)
	return "isa-l crc32_gzip_refl";
#else
#ifdef VT_CRC_ARM64
	if (arm64_crc < 0)
		arm64_crc = !!(getauxval(AT_HWCAP) & HWCAP_CRC32);
	if (arm64_crc)
		return "armv8 crc32 instructions";
#endif
#if defined(VT_HAVE_ZLIB)
	return "zlib crc32";
#else
	return "slice-by-8 table";
#endif
#endif
}
