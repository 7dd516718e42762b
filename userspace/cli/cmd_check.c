// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_check.c - `vgic-trace check FILE`: exit 0 clean, 1 findings,
 * 2 error. Prints one line per finding.
 */
#include <stdio.h>
#include "cli.h"

static void check_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace check [--quiet] [--masked-threshold DUR] [--storm-rate N]\n"
		"                        [--storm-still N] [--ack-wait DUR] FILE\n"
		"Exit 0 when the trace has no finding, 1 when it has findings (one line\n"
		"each on stdout), 2 on error (unreadable, corrupted or foreign file).\n"
		"Lost records are reported on stderr: findings may then be false.\n\n"
		"Examples:\n"
		"  vgic-trace check run.vgt && echo clean\n"
		"  vgic-trace check --masked-threshold 250ms run.vgt\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct vt_analyse_verb verb = {
		.flag = "quiet",
		.flag_short = 'q',
		.engine_opts = true,
		.usage = check_usage,
	};
	struct vt_engine *e;
	unsigned int i, n;
	bool quiet;
	int ret;

	ret = vt_analyse_cmdline(argc, argv, &verb, &quiet, &e);
	if (ret || !e)
		return ret;
	n = vt_engine_nr_findings(e);
	for (i = 0; i < n && !quiet; i++) {
		const struct vt_finding *f = vt_engine_finding(e, i);

		printf("%s vm %u intid %d: %s\n", f->rule, f->vm_id,
		       (int)f->intid, f->summary);
	}
	if (vt_engine_lost(e))
		fprintf(stderr, "vgic-trace check: %llu records lost: findings may be false\n",
			(unsigned long long)vt_engine_lost(e));
	if (vt_engine_nr_bugs(e))
		fprintf(stderr, "vgic-trace check: %u impossible states (BUG:) in the trace, see 'report'\n",
			vt_engine_nr_bugs(e));
	if (!quiet)
		printf("%u finding%s\n", n, n == 1 ? "" : "s");
	vt_engine_free(e);
	return n ? VT_EXIT_FINDINGS : VT_EXIT_OK;
}
