// SPDX-License-Identifier: GPL-2.0
/*
 * summary.c - the lines vgic-traced prints when it stops.
 */
#include <inttypes.h>
#include "traced.h"
#include "vt_record.h"

static const char *attach_name(uint8_t a)
{
	switch (a) {
	case VT_ATTACH_MISSING:
		return "MISSING";
	case VT_ATTACH_KPROBE:
		return "kprobe";
	case VT_ATTACH_KRETPROBE:
		return "kretprobe";
	case VT_ATTACH_FENTRY:
		return "fentry";
	case VT_ATTACH_TRACEPOINT:
		return "tracepoint (degraded)";
	case VT_ATTACH_DISABLED:
		return "disabled";
	case 0xff:
		return "not reported";
	}
	return "?";
}

/**
 * vt_summary_print() - records, drops, findings and hook status
 * @f:		output
 * @s:		the source that ran
 * @st:		sink statistics
 * @seconds:	recording time
 */
void vt_summary_print(FILE *f, const struct vt_source *s,
		      const struct vt_sink_stats *st, double seconds)
{
	unsigned int t, h, missing = 0;

	fprintf(f, "summary: backend %s, %.1f s\n", s->name, seconds);
	fprintf(f, "summary: records %" PRIu64 " (", st->records);
	for (t = 1; t <= VT_REC_MAX; t++)
		fprintf(f, "%s%s %" PRIu64, t > 1 ? ", " : "", vt_record_name(t),
			st->by_type[t]);
	fprintf(f, ")\n");
	fprintf(f, "summary: drops %" PRIu64 " lost by the producer, %" PRIu64
		" program runs missed, %" PRIu64 " invalid, %" PRIu64 " not written, %"
		PRIu64 " malformed stream cuts\n",
		st->lost, s->missed, st->invalid, st->write_errors, s->malformed);
	if (st->rotations)
		fprintf(f, "summary: files %" PRIu64 " (SIGHUP rotations %" PRIu64 ")\n",
			st->rotations + 1, st->rotations);
	fprintf(f, "summary: findings %" PRIu64 "\n", st->findings);
	for (h = 1; h <= VT_HOOK_MAX; h++) {
		if (st->hook[h] == VT_ATTACH_MISSING || st->hook[h] == 0xff)
			missing++;
		fprintf(f, "summary: hook %-20s %s%s%s\n", vt_hook_name(h),
			attach_name(st->hook[h]), st->hook_sym[h][0] ? " " : "",
			st->hook_sym[h]);
	}
	fprintf(f, "summary: hooks missing %u of %u\n", missing, VT_HOOK_MAX);
}

/**
 * vt_hooks_print() - one line: the hooks that are missing or degraded
 * @f:		output
 * @st:		sink statistics (hook status from VT_META_HOOK records)
 */
void vt_hooks_print(FILE *f, const struct vt_sink_stats *st)
{
	unsigned int h, n = 0;

	fprintf(f, "vgic-traced: hooks missing:");
	for (h = 1; h <= VT_HOOK_MAX; h++)
		if (st->hook[h] == VT_ATTACH_MISSING && ++n)
			fprintf(f, " %s", vt_hook_name(h));
	fprintf(f, "%s; degraded (tracepoint):", n ? "" : " none");
	n = 0;
	for (h = 1; h <= VT_HOOK_MAX; h++)
		if (st->hook[h] == VT_ATTACH_TRACEPOINT && ++n)
			fprintf(f, " %s", vt_hook_name(h));
	fprintf(f, "%s\n", n ? "" : " none");
}
