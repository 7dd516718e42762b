// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_report.c - `vgic-trace report FILE [--json]`.
 */
#include <stdio.h>
#include "cli.h"

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace report [--json] [--masked-threshold DUR] [--storm-rate N]\n"
		"                         [--storm-still N] [--ack-wait DUR] FILE\n"
		"Analyse a trace file: host facts, lost records, findings with evidence,\n"
		"per-IRQ counts and per-stage latency (p50/p99/max).\n"
		"  --masked-threshold DUR  intx-masked-forever threshold (default 1s)\n"
		"  --storm-rate N          storm: re-asserts per second (default 5000)\n"
		"  --storm-still N         storm: consecutive VFIO unmasks that find the\n"
		"                          line still asserted (default 10)\n"
		"  --ack-wait DUR          how long an ack may lag (default 100ms)\n"
		"DUR takes ns, us, ms or s (e.g. 250ms).\n\n"
		"Examples:\n"
		"  vgic-trace report run.vgt\n"
		"  vgic-trace report --json run.vgt | jq '.findings[].rule'\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct vt_analyse_verb verb = {
		.flag = "json",
		.flag_short = 'j',
		.engine_opts = true,
		.usage = report_usage,
	};
	struct vt_engine *e;
	bool json;
	int ret;

	ret = vt_analyse_cmdline(argc, argv, &verb, &json, &e);
	if (ret || !e)
		return ret;
	ret = json ? vt_engine_report_json(e, stdout) :
		     vt_engine_report_text(e, stdout);
	vt_engine_free(e);
	return ret ? VT_EXIT_ERROR : VT_EXIT_OK;
}
