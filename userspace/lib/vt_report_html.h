/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_report_html.h - the report as one self-contained HTML page
 * (`vgic-trace report --html FILE`): inline CSS and SVG, no script, no
 * network. Host facts, lost records, findings with evidence and a state
 * timeline of the IRQ around each finding, latency histograms per stage,
 * the per-IRQ table.
 *
 * The report, latency and per-IRQ figures are read from the engine's
 * state as the text and JSON reports read it (report.h), so the page says
 * what `report` and `stats` say. The timelines come from a second pass
 * over the same records (vt_engine_opts.rec_cb): vt_html_tl_new() takes
 * the findings of the first pass, vt_html_tl_rec() keeps, per finding, the
 * records of its IRQ just before and after it (bounded: VT_HTML_BEFORE + VT_HTML_AFTER
 * records for each of at most VT_HTML_MAX_TL findings).
 */
#ifndef VT_REPORT_HTML_H
#define VT_REPORT_HTML_H

#include <stdint.h>
#include <stdio.h>
#include <vgic_trace_abi.h>

#define VT_HTML_BEFORE		48	/* records of the IRQ before a finding */
#define VT_HTML_AFTER		16	/* and after it */
#define VT_HTML_MAX_TL		200	/* findings that get a timeline */

struct vt_engine;
struct vt_html_tl;

/**
 * vt_html_tl_new() - per-finding timeline collector
 * @e:		finished engine (its findings are copied)
 * @out:	the collector
 *
 * Return: 0 or -ENOMEM.
 */
int vt_html_tl_new(const struct vt_engine *e, struct vt_html_tl **out);

/**
 * vt_html_tl_rec() - vt_engine_opts.rec_cb of the second pass
 * @rec:	record, in time order
 * @intid:	the INTID the engine attributed it to, or VT_NO_INTID
 * @arg:	the collector
 */
void vt_html_tl_rec(const struct vt_hdr *rec, uint32_t intid, void *arg);

/**
 * vt_html_tl_free() - free a collector
 * @tl:		collector (may be NULL)
 */
void vt_html_tl_free(struct vt_html_tl *tl);

/**
 * vt_report_html() - write the page
 * @e:		finished engine
 * @tl:		timelines of its findings (may be NULL: none drawn)
 * @title:	shown as the page title (the trace file name), escaped
 * @f:		output
 *
 * Return: 0 or -EIO.
 */
int vt_report_html(struct vt_engine *e, const struct vt_html_tl *tl,
		   const char *title, FILE *f);

#endif /* VT_REPORT_HTML_H */
