// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * coverage.c - which rules lack inputs because a producer reported a
 * hook as missing or disabled (VT_META_HOOK). A rule without its inputs
 * cannot find anything; the report says so instead of staying silent.
 */
#include <stdio.h>
#include <string.h>
#include "engine_internal.h"
#include "report.h"

static const struct {
	const char *rule;
	unsigned int hooks[4];		/* all needed; 0 ends */
} needs[] = {
	{ "missed-resample",	  { VT_HOOK_LR_FLUSH, VT_HOOK_ACK } },
	{ "intx-masked-forever",  { VT_HOOK_INJECT, VT_HOOK_RESAMPLE, VT_HOOK_VFIO_HANDLER } },
	{ "mmio-state-cleared",	  { VT_HOOK_MMIO_PENDING, VT_HOOK_MMIO_ACTIVE, VT_HOOK_ACK } },
	{ "eoi-lost-lr-overflow", { VT_HOOK_LR_FLUSH, VT_HOOK_ACK } },
	{ "storm",		  { VT_HOOK_RESAMPLE, VT_HOOK_INJECT } },
	{ "migration",		  { VT_HOOK_LR_FLUSH, VT_HOOK_MMIO_ROUTE } },
};

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
	unsigned int i, k, n = 0;
	char buf[160];
	size_t off;

	for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		off = 0;
		buf[0] = 0;
		for (k = 0; k < 4 && needs[i].hooks[k]; k++)
			if (missing(e, needs[i].hooks[k]))
				off += (size_t)snprintf(buf + off, sizeof(buf) - off,
							"%s%s", off ? "," : "",
							vt_hook_name(needs[i].hooks[k]));
		if ((!strcmp(needs[i].rule, "missed-resample") ||
		     !strcmp(needs[i].rule, "eoi-lost-lr-overflow")) &&
		    fold_missing(e) && off < sizeof(buf))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off,
						"%slr_fold", off ? "," : "");
		if (!off)
			continue;
		n++;
		if (cb)
			cb(needs[i].rule, buf, arg);
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
