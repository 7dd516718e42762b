/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_metrics.h - Prometheus metrics of a recording, in the text
 * exposition format 0.0.4 (what node_exporter's textfile collector and a
 * /metrics endpoint serve) or OpenMetrics 1.0: records per type and per
 * VM, irqfd injections/acks/resamples per VM, lost records, hook status,
 * findings per VM/rule/severity, engine BUG count, and vgic-traced's own
 * counters (file state, unwritten/invalid records, missed runs).
 *
 * The accumulator is fed the same records as the engine (vgic-traced's
 * loop, or a trace file), so it depends only on the record ABI and the
 * engine's public findings API. Names: docs/interop.md ("Fleet metrics").
 */
#ifndef VT_METRICS_H
#define VT_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <vgic_trace_abi.h>
#include "vt_tracefile.h"

struct vt_engine;
struct vt_metrics;

/**
 * vt_metrics_new() - an empty accumulator
 * @out:	the accumulator
 *
 * Return: 0 or -ENOMEM.
 */
int vt_metrics_new(struct vt_metrics **out);

/**
 * vt_metrics_facts() - backend and kernel from a trace file's header
 * @m:		accumulator
 * @facts:	host facts (VT_META_BACKEND/KERNEL records override them)
 */
void vt_metrics_facts(struct vt_metrics *m, const struct vt_host_facts *facts);

/**
 * vt_metrics_feed() - count one record
 * @m:		accumulator
 * @rec:	record (already validated by the caller or not: an unknown
 *		type is counted as "unknown")
 */
void vt_metrics_feed(struct vt_metrics *m, const struct vt_hdr *rec);

/**
 * struct vt_metrics_daemon - what only a live recorder knows
 * @file_ok:	the trace file is being written (false after a write error)
 * @not_written: records not written to the file
 * @invalid:	records rejected by vt_record_check()
 * @missed:	producer runs the kernel skipped (no record, no loss count)
 * @rotations:	files started on SIGHUP
 * @start_time:	start of the recording, seconds since the epoch
 */
struct vt_metrics_daemon {
	bool file_ok;
	uint64_t not_written;
	uint64_t invalid;
	uint64_t missed;
	uint64_t rotations;
	uint64_t start_time;
};

/**
 * vt_metrics_daemon() - set the recorder's own counters (vgic-traced);
 * once set they are part of every exposition
 * @m:		accumulator
 * @d:		counters (copied)
 */
void vt_metrics_daemon(struct vt_metrics *m, const struct vt_metrics_daemon *d);

/**
 * vt_metrics_write_fmt() - the metrics as Prometheus text or OpenMetrics
 * @f:		output
 * @m:		accumulator
 * @e:		engine whose findings to count (may be NULL)
 * @openmetrics: OpenMetrics 1.0 text (counter families without _total,
 *		"# EOF" at the end) instead of Prometheus text 0.0.4
 *
 * Return: 0, -ENOMEM or -EIO.
 */
int vt_metrics_write_fmt(FILE *f, const struct vt_metrics *m,
			 const struct vt_engine *e, bool openmetrics);

/**
 * vt_metrics_write() - the metrics as exposition text
 * @f:		output
 * @m:		accumulator
 * @e:		engine whose findings to count (may be NULL)
 *
 * Return: 0 or -EIO.
 */
int vt_metrics_write(FILE *f, const struct vt_metrics *m,
		     const struct vt_engine *e);

/**
 * vt_metrics_textfile() - write the metrics to @path atomically
 * @path:	e.g. /var/lib/prometheus/node-exporter/vgic_trace.prom
 * @m:		accumulator
 * @e:		engine (may be NULL)
 *
 * Writes @path.tmp and renames it over @path, so a scraper never reads
 * a half-written file.
 *
 * Return: 0 or -errno.
 */
int vt_metrics_textfile(const char *path, const struct vt_metrics *m,
			const struct vt_engine *e);

/**
 * vt_metrics_free() - free an accumulator
 * @m:		accumulator (may be NULL)
 */
void vt_metrics_free(struct vt_metrics *m);

#endif /* VT_METRICS_H */
