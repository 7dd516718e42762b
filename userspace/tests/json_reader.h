/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * json_check.h - a strict JSON syntax checker (RFC 8259 grammar) for
 * the tests: every JSON the tool prints must parse.
 */
#ifndef VT_JSON_CHECK_H
#define VT_JSON_CHECK_H

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

static const char *jc_value(const char *p, int depth);

static const char *jc_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *jc_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *p) || !*p)
				return NULL;
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *jc_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (isdigit((unsigned char)*p))
		while (isdigit((unsigned char)*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p;
}

static const char *jc_container(const char *p, int depth, char close)
{
	p = jc_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = jc_string(jc_ws(p));
			if (!p)
				return NULL;
			p = jc_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = jc_value(p, depth + 1);
		if (!p)
			return NULL;
		p = jc_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *jc_value(const char *p, int depth)
{
	if (depth > 64)
		return NULL;
	p = jc_ws(p);
	switch (*p) {
	case '{':
		return jc_container(p, depth, '}');
	case '[':
		return jc_container(p, depth, ']');
	case '"':
		return jc_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return jc_number(p);
	}
}

/* True if @s is exactly one JSON value (with surrounding whitespace). */
static inline bool json_valid(const char *s)
{
	const char *p = jc_value(s, 0);

	return p && !*jc_ws(p);
}

#endif /* VT_JSON_CHECK_H */
