// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_check.c - `vgic-trace check FILE`: exit 0 clean, 1 findings,
 * 2 error. Prints one line per finding.
 *
 * A trace with no data (only a header, truncated before its first
 * intact chunk, or only metadata) is an error, never "clean"; so is a
 * truncated trace unless --allow-truncated. INFO findings are printed
 * but do not fail the check: nothing to do.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "report.h"

/* the report's degraded-rule notes, on stderr beside the loss warning */
static void degraded_note(const char *rule, const char *hooks, void *arg)
{
	fprintf(arg, "vgic-trace check: NOTE: rule %s lacks input (hooks missing: %s): it cannot report everything\n",
		rule, hooks);
}

static void check_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace check [--quiet] [--json] [--allow-truncated] [--masked-threshold DUR]\n"
		"                        [--storm-rate N] [--storm-still N] [--ack-wait DUR] FILE\n"
		"Exit 0 when the trace has no finding (INFO findings are printed and do not\n"
		"count), 1 when it has WARNING or ERROR findings (one line each on stdout),\n"
		"2 on error: unreadable, corrupted or foreign file, a trace with no data\n"
		"(only a header or metadata, nothing recorded), or a truncated trace\n"
		"(--allow-truncated checks what a truncated trace holds; its findings about\n"
		"the last moments may be false).\n"
		"Lost records are reported on stderr: findings may then be false; so are\n"
		"the rules that lack input because hooks are missing (e.g. --from kvm).\n"
		"--json prints the report's JSON (as 'report --json') instead of the lines;\n"
		"the exit status is the same.\n\n"
		"Examples:\n"
		"  vgic-trace check run.vgt && echo clean\n"
		"  vgic-trace check --masked-threshold 250ms run.vgt\n"
		"  vgic-trace check --allow-truncated crashed-host.vgt\n"
		"  vgic-trace check --json run.vgt > findings.json\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct vt_analyse_verb verb = {
		.flag = "quiet",
		.flag_short = 'q',
		.engine_opts = true,
		.usage = check_usage,
	};
	bool quiet, json = false, allow_trunc = false;
	const char *file = argc > 1 ? argv[argc - 1] : "";
	struct vt_engine *e;
	unsigned int i, n, nfail;
	int ret, j, k;

	/* our own flag, taken out before the shared command line */
	for (j = 1, k = 1; j < argc; j++) {
		if (!strcmp(argv[j], "--allow-truncated"))
			allow_trunc = true;
		else if (!strcmp(argv[j], "--json"))
			json = true;
		else
			argv[k++] = argv[j];
	}
	argc = k;
	argv[argc] = NULL;
	ret = vt_analyse_cmdline(argc, argv, &verb, &quiet, &e);
	if (ret || !e)
		return ret;
	if (!vt_engine_nr_data_records(e)) {
		fprintf(stderr, "vgic-trace check: %s: no trace data (%s): nothing was recorded (did the recorder's source fail to open?); a trace without records cannot be judged clean\n",
			file, vt_engine_truncated(e) ?
			"truncated before any intact record" :
			"no interrupt records, only the header or metadata");
		vt_engine_free(e);
		return VT_EXIT_ERROR;
	}
	if (vt_engine_truncated(e) && !allow_trunc) {
		fprintf(stderr, "vgic-trace check: %s is truncated: failing (pass --allow-truncated to check what it holds)\n",
			file);
		vt_engine_free(e);
		return VT_EXIT_ERROR;
	}
	n = vt_engine_nr_findings(e);
	nfail = vt_engine_nr_findings_at_least(e, VT_SEV_WARNING);
	if (json) {
		ret = vt_engine_report_json(e, stdout);
		if (ret) {
			vt_engine_free(e);
			return VT_EXIT_ERROR;
		}
		quiet = true;	/* the JSON holds the findings */
	}
	for (i = 0; i < n && !quiet; i++) {
		const struct vt_finding *f = vt_engine_finding(e, i);

		printf("%s%s vm %u intid %d: %s\n",
		       f->severity == VT_SEV_INFO ? "[INFO] " : "", f->rule,
		       f->vm_id, (int)f->intid, f->summary);
	}
	if (vt_engine_truncated(e))
		fprintf(stderr, "vgic-trace check: %s is truncated (allowed): findings about the last moments may be false\n",
			file);
	if (vt_engine_lost(e))
		fprintf(stderr, "vgic-trace check: %llu records lost: findings may be false\n",
			(unsigned long long)vt_engine_lost(e));
	vt_rules_degraded(e, degraded_note, stderr);
	if (vt_engine_nr_bugs(e))
		fprintf(stderr, "vgic-trace check: %u impossible states (BUG:) in the trace, see 'report'\n",
			vt_engine_nr_bugs(e));
	if (!quiet) {	/* not after --json: stdout stays one JSON document */
		printf("%u finding%s", nfail, nfail == 1 ? "" : "s");
		if (n > nfail)
			printf(" (and %u INFO)", n - nfail);
		printf("\n");
	}
	vt_engine_free(e);
	return nfail ? VT_EXIT_FINDINGS : VT_EXIT_OK;
}
