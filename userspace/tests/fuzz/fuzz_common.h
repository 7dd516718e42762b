/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fuzz_common.h - shared by the libFuzzer harnesses: run a finished
 * engine through every report (text, JSON, stats, the HTML page) and an
 * input's records through the timeline, into /dev/null.
 */
#ifndef VT_FUZZ_COMMON_H
#define VT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include "vt_engine.h"
#include "vt_report_html.h"
#include "vt_timeline.h"

static FILE *fuzz_null(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

/* @tl: per-finding timelines of a second pass, or NULL (none drawn) */
static void fuzz_reports_tl(struct vt_engine *e, const struct vt_html_tl *tl,
			    const char *title)
{
	FILE *f = fuzz_null();

	vt_engine_report_text(e, f);
	vt_engine_report_json(e, f);
	vt_engine_stats_text(e, f);
	vt_engine_stats_json(e, f);
	vt_report_html(e, tl, title, f);
}

static inline void fuzz_reports(struct vt_engine *e)
{
	fuzz_reports_tl(e, NULL, "fuzz <&\"'>");
}

#endif /* VT_FUZZ_COMMON_H */
