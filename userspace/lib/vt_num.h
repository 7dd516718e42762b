/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_num.h - the one strict number parser of every vgic-trace tool
 * (the CLI, vgic-traced and the scenario importer).
 *
 * Numbers are decimal, or hexadecimal with a 0x/0X prefix. A leading
 * zero does not mean octal: "010" is ten. The whole string must be the
 * number: no sign, no blanks, no trailing junk; overflow is an error.
 */
#ifndef VT_NUM_H
#define VT_NUM_H

#include <stdint.h>

/**
 * vt_num_u64() - strict unsigned number, decimal or 0x hex
 * @s:		text
 * @out:	value (untouched on error)
 *
 * Return: 0 or -EINVAL (NULL, empty, sign, blank, junk, overflow).
 */
int vt_num_u64(const char *s, uint64_t *out);

/**
 * vt_num_range() - vt_num_u64() within [@min, @max]
 * @s:		text
 * @min:	smallest accepted value
 * @max:	largest accepted value
 * @out:	value (untouched on error)
 *
 * Return: 0, -EINVAL (not a number) or -ERANGE (outside the range).
 */
int vt_num_range(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/**
 * vt_num_duration() - a duration: decimal number and a unit
 * @s:		text: "500ns", "10us", "250ms", "2s", "1m" (minutes), or a
 *		plain decimal number in @plain_ns units
 * @plain_ns:	nanoseconds per unit of a number without a unit
 * @out:	nanoseconds (untouched on error)
 *
 * Return: 0 or -EINVAL (junk, unknown unit, overflow).
 */
int vt_num_duration(const char *s, uint64_t plain_ns, uint64_t *out);

/**
 * vt_num_size() - a byte count: number (decimal or 0x hex) with an
 * optional binary suffix K, M or G (KiB, MiB, GiB; "4M" = 4194304)
 * @s:		text
 * @out:	bytes (untouched on error)
 *
 * Return: 0 or -EINVAL (junk, unknown suffix, overflow).
 */
int vt_num_size(const char *s, uint64_t *out);

#endif /* VT_NUM_H */
