// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * coverage.c - which rules lack inputs because a producer reported a
 * hook as missing or disabled (VT_META_HOOK); the hooks each rule needs
 * are in its struct vt_rule. A rule without its inputs
 * cannot find anything; the report says so instead of staying silent.
 */
#include <stdio.h>
#include <string.h>
#include "rule.h"
#include "report.h"

static bool missing(const struct vt_engine *e, unsigned int h)
{
	return e->hooks[h] == VT_ATTACH_MISSING + 1 ||
	       e->hooks[h] == VT_ATTACH_DISABLED + 1;
}

/* Both fold hooks missing (one is enough: the host has one GIC). */
static bool fold_missing(const struct vt_engine *e)
{
	return missing(e, VT_HOOK_LR_FOLD_V2) && missing(e, VT_HOOK_LR_FOLD_V3);
}

unsigned int vt_rules_degraded(const struct vt_engine *e,
			       void (*cb)(const char *rule, const char *hooks,
					  void *arg), void *arg)
{
	const struct vt_rule *const *rules;
	unsigned int i, k, n = 0, nr;
	char buf[160];
	size_t off;

	rules = vt_rules_table(&nr);
	for (i = 0; i < nr; i++) {
		const struct vt_rule *r = rules[i];

		off = 0;
		buf[0] = 0;
		for (k = 0; k < 4 && r->hooks[k]; k++)
			if (missing(e, r->hooks[k]))
				off += (size_t)snprintf(buf + off, sizeof(buf) - off,
							"%s%s", off ? "," : "",
							vt_hook_name(r->hooks[k]));
		if (r->needs_fold && fold_missing(e) && off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off,
						"%slr_fold", off ? "," : "");
		if (!off)
			continue;
		n++;
		if (cb)
			cb(r->name, buf, arg);
	}
	return n;
}

uint64_t vt_engine_nr_data_records(const struct vt_engine *e)
{
	uint64_t n = 0;
	unsigned int t;

	for (t = 1; t <= VT_REC_MAX; t++)
		if (t != VT_REC_META && t != VT_REC_LOST)
			n += e->by_type[t];
	return n;
}

bool vt_engine_truncated(const struct vt_engine *e)
{
	return e->have_rstat && e->rstat.end == VT_END_TRUNCATED;
}

unsigned int vt_engine_nr_findings_at_least(const struct vt_engine *e,
					    enum vt_severity min)
{
	unsigned int i, n = 0;

	for (i = 0; i < e->nr_findings; i++)
		if (e->findings[i].severity >= min)
			n++;
	return n;
}
