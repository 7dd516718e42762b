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
#include "vt_num.h"
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

/* numbers and durations: the shared strict parser (vt_num.h) */
int scen_num(const char *t, uint64_t *out)
{
	return vt_num_u64(t, out);
}

int scen_dur(const char *t, uint64_t *out)
{
	return vt_num_duration(t, 1, out);
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
