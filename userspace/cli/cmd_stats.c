// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_stats.c - `vgic-trace stats FILE [--json]`: counts for tests
 * against VMM ground truth.
 */
#include <stdio.h>
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
	static const struct vt_analyse_verb verb = {
		.flag = "json",
		.flag_short = 'j',
		.engine_opts = false,
		.usage = stats_usage,
	};
	struct vt_engine *e;
	bool json;
	int ret;

	ret = vt_analyse_cmdline(argc, argv, &verb, &json, &e);
	if (ret || !e)
		return ret;
	ret = json ? vt_engine_stats_json(e, stdout) :
		     vt_engine_stats_text(e, stdout);
	vt_engine_free(e);
	return ret ? VT_EXIT_ERROR : VT_EXIT_OK;
}
