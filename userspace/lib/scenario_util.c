// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * scenario_util.c - tokens, strict numbers, durations and error messages
 * of the scenario importer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vt_lr.h"
#include "vt_record.h"
#include "scenario_internal.h"

int scen_fail(struct scen *s, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(s->err, s->errlen, "%s:%u: %s", s->name, s->line, msg);
	return -EINVAL;
}

int scen_num(const char *t, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!t || !isdigit((unsigned char)*t))
		return -EINVAL;
	errno = 0;
	v = strtoull(t, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int scen_dur(const char *t, uint64_t *out)
{
	static const struct { const char *u; uint64_t m; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 }, { "", 1 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!isdigit((unsigned char)*t))
		return -EINVAL;
	errno = 0;
	v = strtoull(t, &end, 10);
	if (errno)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].u)) {
			if (v > UINT64_MAX / units[i].m)
				return -EINVAL;
			*out = v * units[i].m;
			return 0;
		}
	return -EINVAL;
}

/* Find "key=" among the tokens; returns the value, "" for a bare key. */
const char *scen_kv(char **tok, int n, const char *key)
{
	size_t kl = strlen(key);
	int i;

	for (i = 0; i < n; i++) {
		if (!strncmp(tok[i], key, kl) && tok[i][kl] == '=')
			return tok[i] + kl + 1;
		if (!strcmp(tok[i], key))
			return "";
	}
	return NULL;
}

int scen_getnum(struct scen *s, char **tok, int n, const char *key,
		  uint64_t def, uint64_t max, uint64_t *out)
{
	const char *v = scen_kv(tok, n, key);

	if (!v) {
		*out = def;
		return 0;
	}
	if (scen_num(v, out) || *out > max)
		return scen_fail(s, "bad %s='%s' (number up to %llu)", key, v,
			    (unsigned long long)max);
	return 0;
}

int scen_check_keys(struct scen *s, char **tok, int n, const char *const *keys)
{
	int i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; keys[k]; k++) {
			size_t kl = strlen(keys[k]);

			if (!strncmp(tok[i], keys[k], kl) &&
			    (tok[i][kl] == '=' || !tok[i][kl]))
				break;
		}
		if (!keys[k])
			return scen_fail(s, "unknown argument '%s'", tok[i]);
	}
	return 0;
}

int scen_pick(struct scen *s, const char *v, const char *const *names,
		unsigned int nnames, unsigned int *out, const char *what)
{
	unsigned int i;

	for (i = 0; i < nnames; i++)
		if (names[i] && !strcasecmp(v, names[i])) {
			*out = i;
			return 0;
		}
	return scen_fail(s, "unknown %s '%s'", what, v);
}
