// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_report.c - `vgic-trace report FILE [--json]`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace report [--json] [--masked-threshold DUR] [--storm-rate N]\n"
		"                         [--ack-wait DUR] FILE\n"
		"Analyse a trace file: host facts, lost records, findings with evidence,\n"
		"per-IRQ counts and per-stage latency (p50/p99/max).\n"
		"  --masked-threshold DUR  intx-masked-forever threshold (default 1s)\n"
		"  --storm-rate N          storm: re-asserts per second (default 5000)\n"
		"  --ack-wait DUR          how long an ack may lag (default 100ms)\n"
		"DUR takes ns, us, ms or s (e.g. 250ms).\n\n"
		"Examples:\n"
		"  vgic-trace report run.vgt\n"
		"  vgic-trace report --json run.vgt | jq '.findings[].rule'\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "masked-threshold", required_argument, NULL, 'M' },
		{ "storm-rate", required_argument, NULL, 'S' },
		{ "ack-wait", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vt_engine_opts eo;
	struct vt_engine *e;
	bool json = false;
	int c, idx, ret;

	memset(&eo, 0, sizeof(eo));
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, &idx)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'M':
		case 'S':
		case 'A':
			if (vt_engine_opts_parse(&eo, opts[idx].name, optarg))
				return VT_EXIT_ERROR;
			break;
		case 'h':
			report_usage(stdout);
			return VT_EXIT_OK;
		default:
			report_usage(stderr);
			return VT_EXIT_ERROR;
		}
	}
	if (optind != argc - 1) {
		report_usage(stderr);
		return VT_EXIT_ERROR;
	}
	if (vt_analyse_file(argv[optind], &eo, &e))
		return VT_EXIT_ERROR;
	ret = json ? vt_engine_report_json(e, stdout) :
		     vt_engine_report_text(e, stdout);
	vt_engine_free(e);
	return ret ? VT_EXIT_ERROR : VT_EXIT_OK;
}
