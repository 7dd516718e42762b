// SPDX-License-Identifier: GPL-2.0
/*
 * summary.c - the lines vgic-traced prints when it stops.
 */
#include <inttypes.h>
#include <time.h>
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
	fprintf(f, "summary: drops %" PRIu64 " lost (%" PRIu64
		" of them BPF program runs the kernel skipped), %" PRIu64
		" invalid, %" PRIu64 " not written, %"
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
 * vt_mono_ns() - CLOCK_MONOTONIC
 *
 * Return: the time in nanoseconds.
 */
uint64_t vt_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double ms(uint64_t a, uint64_t b)
{
	return b > a ? (double)(b - a) / 1e6 : 0.0;
}

/**
 * vt_summary_stop() - one line: the stop, part by part, in ms
 * @f:		output
 * @t:		the times (vt_traced_run(), the source's finish(), the
 *		daemon and vt_sink_finish())
 *
 * From the signal (its handler's clock) or the --duration deadline to
 * the file closed: "seen" (the loop ended), the source's finish (module:
 * producers stopped, drain, queued records made loss), close, the
 * engine's end, the report, the writer's close and the fsync; then the
 * summary and freeing the engine, and the CPU time the process used
 * from the loop's end. The exit of the process comes after.
 */
void vt_summary_stop(FILE *f, const struct vt_stop_times *t)
{
	if (!t->cause || !t->loop_ns)
		return;
	fprintf(f, "summary: stop (%s) %.1f ms to the file closed: seen %.1f, source finish %.1f",
		t->cause, ms(t->asked_ns, t->sink_ns), ms(t->asked_ns, t->loop_ns),
		ms(t->loop_ns, t->finish_ns));
	if (t->src_how)
		fprintf(f, " (%s: stop %.1f, drain %.1f %s%" PRIu64 " records, discard %.1f: %"
			PRIu64 " queued lost)", t->src_how, (double)t->src_stop_ns / 1e6,
			(double)t->src_drain_ns / 1e6, t->src_cut ? "cut at its bound after " : "",
			t->src_records, (double)t->src_discard_ns / 1e6, t->src_queued_lost);
	fprintf(f, ", close %.1f, engine end %.1f, report %.1f, file close %.1f, fsync %.1f; then summary and free %.1f; CPU %.1f; clock %.3f -> %.3f s\n",
		ms(t->finish_ns, t->close_ns), (double)t->eng_ns / 1e6,
		(double)t->report_ns / 1e6, (double)t->wclose_ns / 1e6,
		(double)t->fsync_ns / 1e6, ms(t->sink_ns, t->end_ns), (double)t->cpu_ns / 1e6,
		(double)t->asked_ns / 1e9, (double)t->end_ns / 1e9);
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
