// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_stats.c - `vgic-trace stats FILE [--json]`: counts for tests
 * against VMM ground truth.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static void stats_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace stats [--json] FILE\n"
		"Counts per record type; per VM and INTID: injects, acks, resamples,\n"
		"VFIO handler/mask/unmask/unmask_handler calls, guest EOIs seen in LRs,\n"
		"LR transitions (entry state -> exit state) and MMIO writes; per VFIO device.\n\n"
		"Examples:\n"
		"  vgic-trace stats run.vgt | grep '^irq'\n"
		"  vgic-trace stats --json run.vgt | jq '.irqs[] | select(.intid==32) | .acks'\n");
}

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vt_engine_opts eo;
	struct vt_engine *e;
	bool json = false;
	int c, ret;

	memset(&eo, 0, sizeof(eo));
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			stats_usage(stdout);
			return VT_EXIT_OK;
		default:
			stats_usage(stderr);
			return VT_EXIT_ERROR;
		}
	}
	if (optind != argc - 1) {
		stats_usage(stderr);
		return VT_EXIT_ERROR;
	}
	if (vt_analyse_file(argv[optind], &eo, &e))
		return VT_EXIT_ERROR;
	ret = json ? vt_engine_stats_json(e, stdout) :
		     vt_engine_stats_text(e, stdout);
	vt_engine_free(e);
	return ret ? VT_EXIT_ERROR : VT_EXIT_OK;
}
