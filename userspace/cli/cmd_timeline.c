// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_timeline.c - `vgic-trace timeline FILE -o OUT.json`: Chrome
 * trace-event JSON for ui.perfetto.dev / chrome://tracing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "vt_import_tracecmd.h"
#include "vt_safe_file.h"
#include "vt_timeline.h"
#include "vt_tracefile.h"

static void timeline_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace timeline [--from auto|vgic|kvm] FILE -o OUT.json [--force]\n"
		"Write the trace as Chrome trace-event JSON for Perfetto: one process per VM\n"
		"(pid = the VMM's pid), its vCPU threads (tid and comm from the trace; a\n"
		"synthetic tid when the producer did not name them) with one slice per guest\n"
		"run, per IRQ a track of assert/deassert/ack/resample/MMIO events and per IRQ\n"
		"and vCPU a track of LR residency slices (entry state -> exit state); VFIO\n"
		"events per host IRQ in a \"host\" process. Timestamps are the records'\n"
		"CLOCK_MONOTONIC time in us, not rebased: they line up with trace-cmd -C mono\n"
		"and perf -k CLOCK_MONOTONIC data of the same host.\n"
		"FILE is a vgic-trace file or a trace-cmd .dat (--from as for report).\n"
		"Open OUT.json in https://ui.perfetto.dev or Perfetto's trace_processor.\n"
		"OUT is written to a temporary file and renamed into place: a failure\n"
		"leaves no file. OUT may not be FILE. OUT - is stdout.\n\n"
		"Examples:\n"
		"  vgic-trace timeline run.vgt -o run.json\n"
		"  vgic-trace timeline trace.dat -o run.json\n"
		"  vgic-trace timeline run.vgt -o - | gzip > run.json.gz\n");
}

/*
 * The records come through the engine (vt_analyse_file(), the reader loop
 * of report/check/stats, trace-cmd .dat files included): in time order
 * through its bounded reorder window, each
 * with the IRQ the engine attributed it to, so tracks agree with the
 * report (learnt gsi -> SPI routes, GSIs on x86) and nothing is buffered.
 * The timeline shows records, not findings or latencies: the engine
 * keeps its objects for the attribution, without the analysis.
 */
static int fill(const char *path, struct vt_timeline *tl)
{
	/* a write error stays in the stream: vt_out_commit() reports it */
	return vt_analyse_each(path, vt_timeline_rec_cb, tl);
}

int cmd_timeline(int argc, char **argv)
{
	const char *in, *out, *inputs[2] = { NULL, NULL };
	struct vt_timeline *tl;
	unsigned long events;
	struct vt_out o;
	char err[200];
	bool force;
	FILE *f;
	int ret, wret;

	if (vt_tc_take_from(&argc, argv))
		return VT_EXIT_ERROR;
	ret = vt_in_out_cmdline(argc, argv, timeline_usage, &in, &out, &force);
	if (ret || !in)
		return ret;
	inputs[0] = in;
	/* refuses OUT == IN before anything is truncated */
	ret = vt_out_open(&o, out, force, inputs, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vgic-trace timeline: %s: %s\n", out, err);
		return VT_EXIT_ERROR;
	}
	f = vt_out_file(&o);
	if (!f || vt_timeline_new(f, &tl)) {
		vt_out_abort(&o);
		fprintf(stderr, "vgic-trace timeline: %s\n", strerror(ENOMEM));
		return VT_EXIT_ERROR;
	}
	ret = fill(in, tl);
	wret = vt_timeline_finish(tl, &events);
	if (ret) {
		vt_out_abort(&o);
		fprintf(stderr, "vgic-trace timeline: failed, no output written\n");
		return VT_EXIT_ERROR;
	}
	/* the stream keeps the real errno (ENOSPC, EFBIG) of a failed write */
	wret = vt_out_commit(&o) ?: wret;
	if (wret) {
		fprintf(stderr, "vgic-trace timeline: %s: write: %s; no output written\n",
			out, strerror(-wret));
		return VT_EXIT_ERROR;
	}
	fprintf(stderr, "vgic-trace timeline: %lu events -> %s\n", events, out);
	return VT_EXIT_OK;
}
