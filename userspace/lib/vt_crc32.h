/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VT_CRC32_H
#define VT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/**
 * vt_crc32() - CRC32 (IEEE 802.3, reflected, as zlib's crc32())
 * @crc:	previous value, 0 to start
 * @data:	bytes
 * @len:	number of bytes
 *
 * ISA-L's crc32_gzip_refl() when built with it (VT_HAVE_ISAL), the ARMv8
 * CRC32 instructions on an arm64 CPU that has them, zlib's crc32()
 * (VT_HAVE_ZLIB), else vt_crc32_sw(): see crc32.c.
 *
 * Return: updated CRC.
 */
uint32_t vt_crc32(uint32_t crc, const void *data, size_t len);

/**
 * vt_crc32_sw() - the same CRC32 from slice-by-8 tables (no zlib)
 * @crc:	previous value, 0 to start
 * @data:	bytes
 * @len:	number of bytes
 *
 * Return: updated CRC, equal to vt_crc32()'s.
 */
uint32_t vt_crc32_sw(uint32_t crc, const void *data, size_t len);

/**
 * vt_crc32_impl() - which code vt_crc32() runs (for tests and benches)
 *
 * Return: static string, e.g. "isa-l crc32_gzip_refl".
 */
const char *vt_crc32_impl(void);

#endif /* VT_CRC32_H */
