// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * num.c - strict decimal / 0x hex numbers, durations and sizes shared
 * by every tool (see vt_num.h).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "vt_num.h"

/* digits of @base at @s up to the first non-digit; *@end after them */
static int digits(const char *s, unsigned int base, uint64_t *out,
		  const char **end)
{
	uint64_t v = 0;
	unsigned int d;
	const char *p;

	for (p = s;; p++) {
		if (*p >= '0' && *p <= '9')
			d = (unsigned int)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned int)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned int)(*p - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	if (p == s)
		return -EINVAL;
	*out = v;
	*end = p;
	return 0;
}

/* a decimal or 0x number at the start of @s; *@end after it */
static int number(const char *s, uint64_t *out, const char **end)
{
	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return digits(s + 2, 16, out, end);
	return digits(s, 10, out, end);
}

int vt_num_u64(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;

	if (number(s, &v, &end) || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int vt_num_range(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (vt_num_u64(s, &v))
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int vt_num_duration(const char *s, uint64_t plain_ns, uint64_t *out)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000ull }, { "ms", 1000000ull },
		{ "s", 1000000000ull }, { "m", 60000000000ull },
	};
	const char *end;
	uint64_t v, mult = plain_ns;
	size_t i;

	if (!s || digits(s, 10, &v, &end))
		return -EINVAL;
	if (*end) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(end, units[i].unit))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		mult = units[i].ns;
	}
	if (mult && v > UINT64_MAX / mult)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

int vt_num_size(const char *s, uint64_t *out)
{
	const char *end;
	unsigned int shift = 0;
	uint64_t v;

	if (number(s, &v, &end))
		return -EINVAL;
	if (*end) {
		if (end[1])
			return -EINVAL;
		switch (*end) {
		case 'K':
		case 'k':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
	}
	if (v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}
