// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_report.c - `vgic-trace report FILE [--json]`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "vt_report_html.h"
#include "vt_safe_file.h"

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace report [--json] [--html OUT.html] [--masked-threshold DUR]\n"
		"                         [--storm-rate N] [--storm-still N] [--ack-wait DUR] FILE\n"
		"Analyse a trace file: host facts, lost records, findings with evidence,\n"
		"per-IRQ counts and per-stage latency (p50/p99/max).\n"
		"  --masked-threshold DUR  intx-masked-forever threshold (default 1s)\n"
		"  --storm-rate N          storm: re-asserts per second (default 5000)\n"
		"  --storm-still N         storm: consecutive VFIO unmasks that find the\n"
		"                          line still asserted (default 10)\n"
		"  --ack-wait DUR          how long an ack may lag (default 100ms)\n"
		"  --html OUT.html         also write the report as one self-contained HTML\n"
		"                          page (inline SVG, no network): a state timeline\n"
		"                          of the IRQ around each finding, latency\n"
		"                          histograms per stage, the per-IRQ table; OUT is\n"
		"                          replaced; FILE is read twice, so not stdin\n"
		"DUR takes ns, us, ms or s (e.g. 250ms).\n\n"
		"Examples:\n"
		"  vgic-trace report run.vgt\n"
		"  vgic-trace report --json run.vgt | jq '.findings[].rule'\n"
		"  vgic-trace report --html run.html run.vgt\n");
}

/* Take "--html OUT" / "--html=OUT" out of argv; *@out NULL if absent. */
static int take_html(int *argc, char **argv, const char **out)
{
	int i, j;

	*out = NULL;
	for (i = 1; i < *argc; i++) {
		int skip = 0;

		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--html")) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "vgic-trace report: --html needs a file\n");
				return -EINVAL;
			}
			*out = argv[i + 1];
			skip = 2;
		} else if (!strncmp(argv[i], "--html=", 7)) {
			*out = argv[i] + 7;
			skip = 1;
		}
		if (!skip)
			continue;
		if (!**out) {
			fprintf(stderr, "vgic-trace report: --html needs a file\n");
			return -EINVAL;
		}
		for (j = i; j + skip <= *argc; j++)
			argv[j] = argv[j + skip];
		*argc -= skip;
		i--;
	}
	return 0;
}

/*
 * The HTML page: the engine of the first pass gives the report, a second
 * pass over the same file gives each finding's records.
 */
static int write_html(struct vt_engine *e, const char *in, const char *out)
{
	const char *inputs[2] = { in, NULL };
	struct vt_html_tl *tl = NULL;
	struct vt_out o;
	const char *base;
	char err[200];
	int ret;

	if (!strcmp(in, "-")) {
		fprintf(stderr, "vgic-trace report: --html reads FILE twice, not stdin\n");
		return -EINVAL;
	}
	ret = vt_html_tl_new(e, &tl);
	if (ret)
		goto fail;
	if (vt_engine_nr_findings(e)) {
		ret = vt_analyse_each(in, vt_html_tl_rec, tl);
		if (ret)
			goto fail;
	}
	ret = vt_out_open(&o, out, true, inputs, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vgic-trace report: %s: %s\n", out, err);
		vt_html_tl_free(tl);
		return ret;
	}
	if (!vt_out_file(&o)) {
		vt_out_abort(&o);
		ret = -ENOMEM;
		goto fail;
	}
	base = strrchr(in, '/');
	ret = vt_report_html(e, tl, base ? base + 1 : in, vt_out_file(&o));
	vt_html_tl_free(tl);
	tl = NULL;
	if (ret) {
		vt_out_abort(&o);
		goto fail;
	}
	ret = vt_out_commit(&o);
	if (ret) {
		fprintf(stderr, "vgic-trace report: %s: write: %s; no output written\n",
			out, strerror(-ret));
		return ret;
	}
	return 0;
fail:
	vt_html_tl_free(tl);
	fprintf(stderr, "vgic-trace report: --html: %s; no output written\n",
		strerror(-ret));
	return ret;
}

int cmd_report(int argc, char **argv)
{
	static const struct vt_analyse_verb verb = {
		.flag = "json",
		.flag_short = 'j',
		.engine_opts = true,
		.usage = report_usage,
	};
	const char *html, *in;
	struct vt_engine *e;
	bool json;
	int ret;

	if (take_html(&argc, argv, &html))
		return VT_EXIT_ERROR;
	ret = vt_analyse_cmdline(argc, argv, &verb, &json, &e);
	if (ret || !e)
		return ret;
	/* getopt_long put FILE, the one operand, at optind */
	in = argv[optind];
	if (html && write_html(e, in, html)) {
		vt_engine_free(e);
		return VT_EXIT_ERROR;
	}
	ret = json ? vt_engine_report_json(e, stdout) :
		     vt_engine_report_text(e, stdout);
	vt_engine_free(e);
	return ret ? VT_EXIT_ERROR : VT_EXIT_OK;
}
