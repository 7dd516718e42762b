/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_engine.h - the vgic-trace analysis engine.
 *
 * Feed records (from a trace file, a live module/BPF stream or a
 * replayed scenario) with vt_engine_feed(), then vt_engine_finish().
 * The engine keeps per (VM, INTID) state along the chain
 *   host IRQ -> VFIO mask -> irqfd -> inject -> LR at entry ->
 *   LR at exit -> guest EOI -> ack -> resample -> VFIO unmask
 * runs the anomaly rules (userspace/lib/rules/) and measures per-stage
 * latency. Findings are delivered to an optional callback as they are
 * made (for a live daemon) and kept for the report.
 */
#ifndef VT_ENGINE_H
#define VT_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <vgic_trace_abi.h>
#include "vt_tracefile.h"

struct vt_engine;

/* Finding severities. */
enum vt_severity {
	VT_SEV_INFO,
	VT_SEV_WARNING,
	VT_SEV_ERROR,
};

#define VT_EVIDENCE_MAX		8
#define VT_EVIDENCE_LEN		112

/**
 * struct vt_finding - one anomaly
 * @rule:	rule name ("missed-resample", ...)
 * @severity:	enum vt_severity
 * @vm_id:	VM (VMM tgid), VT_NO_VM if not linked to a VM
 * @intid:	INTID, VT_NO_INTID if not linked to an INTID
 * @vcpu_id:	vCPU involved, VT_NO_VCPU if none
 * @ts_ns:	time of the record that proved the finding
 * @summary:	one line
 * @nr_evidence: entries used in @evidence
 * @evidence:	the last transitions of the IRQ, oldest first, each
 *		"<ts> <text>"
 */
struct vt_finding {
	const char *rule;
	enum vt_severity severity;
	uint32_t vm_id;
	uint32_t intid;
	uint32_t vcpu_id;
	uint64_t ts_ns;
	char summary[320];
	unsigned int nr_evidence;
	char evidence[VT_EVIDENCE_MAX][VT_EVIDENCE_LEN];
};

/**
 * typedef vt_finding_cb - called for each finding as it is made
 * @f:		the finding (valid during the call only)
 * @arg:	vt_engine_opts.cb_arg
 */
typedef void (*vt_finding_cb)(const struct vt_finding *f, void *arg);

/* Reorder window that sorts the whole input (file analysis). */
#define VT_WINDOW_ALL		UINT64_MAX

/* Defaults, documented in docs/engine.md. */
#define VT_DEF_WINDOW_NS	(10ull * 1000 * 1000)		/* 10 ms live */
#define VT_DEF_MASKED_NS	(1000ull * 1000 * 1000)	/* 1 s */
#define VT_DEF_STORM_PER_SEC	5000
#define VT_DEF_STORM_STILL	10
#define VT_DEF_ACK_WAIT_NS	(100ull * 1000 * 1000)	/* 100 ms */

/**
 * struct vt_engine_opts - engine settings (zero fields take defaults)
 * @facts:	host facts (GIC version, nr LRs); may be NULL
 * @window_ns:	reorder window: a record is processed once a record
 *		@window_ns newer has arrived; 0 means VT_DEF_WINDOW_NS.
 *		VT_WINDOW_ALL: file analysis (the whole input is known, rules
 *		may wait for the end of the trace); it streams through the
 *		same bounded window (VT_DEF_WINDOW_NS, at most 2^17 records
 *		waiting), never a whole-trace buffer
 * @masked_ns:	intx-masked-forever threshold (VT_DEF_MASKED_NS)
 * @storm_per_sec: storm threshold, re-asserts per second (VT_DEF_STORM_PER_SEC)
 * @ack_wait_ns: how long after a GICD ICACTIVER/ICPENDR write an ack may
 *		still come (VT_DEF_ACK_WAIT_NS)
 * @cb:		finding callback, may be NULL
 * @cb_arg:	argument of @cb
 * @storm_still: storm threshold, consecutive VFIO unmasks that find the
 *		line still asserted (VT_DEF_STORM_STILL)
 * @rec_cb:	called for each record as it is processed (time order), with
 *		the INTID the engine attributed it to (route-aware; one call
 *		per IRQ for an MMIO write naming several) or VT_NO_INTID;
 *		may be NULL. The one reader loop for outputs that are not the
 *		report (vgic-trace timeline).
 * @rec_arg:	argument of @rec_cb
 * @no_analysis: records only update the objects (IRQs, vCPUs, routes)
 *		and reach @rec_cb: no latency samples, no rules (no
 *		findings, no deadlines). For outputs that use only @rec_cb's
 *		attribution (vgic-trace timeline); the report, stats and
 *		findings of such an engine are not meaningful.
 */
struct vt_engine_opts {
	const struct vt_host_facts *facts;
	uint64_t window_ns;
	uint64_t masked_ns;
	uint32_t storm_per_sec;
	uint64_t ack_wait_ns;
	vt_finding_cb cb;
	void *cb_arg;
	uint32_t storm_still;
	void (*rec_cb)(const struct vt_hdr *rec, uint32_t intid, void *arg);
	void *rec_arg;
	bool no_analysis;
};

/**
 * vt_engine_new() - create an engine
 * @opts:	settings, may be NULL for defaults
 * @out:	the engine
 *
 * Return: 0 or -ENOMEM.
 */
int vt_engine_new(const struct vt_engine_opts *opts, struct vt_engine **out);

/**
 * vt_engine_feed() - give the engine one record
 * @e:		engine
 * @rec:	record (copied; the caller keeps ownership)
 *
 * The record is validated with vt_record_check(); an invalid record is
 * counted and rejected. Records may arrive out of timestamp order
 * across CPUs; they are reordered within the window.
 *
 * Return: 0, -EINVAL for an invalid record, -ENOMEM.
 */
int vt_engine_feed(struct vt_engine *e, const struct vt_hdr *rec);

/**
 * vt_engine_feed_checked() - vt_engine_feed() for a record that has
 * already passed vt_record_check() with VT_REC_MAX_SIZE bytes or fewer
 * (every record vt_reader_next() hands out does): not checked again
 * @e:		engine
 * @rec:	record (copied)
 *
 * Return: 0 or -ENOMEM.
 */
int vt_engine_feed_checked(struct vt_engine *e, const struct vt_hdr *rec);

/**
 * vt_engine_feed_ref() - vt_engine_feed_checked() without the copy: the
 * engine keeps a pointer to an in-order record while it waits in the
 * reorder window (a late record is still copied)
 * @e:		engine fed with this function only: not with
 *		vt_engine_feed() or vt_engine_feed_checked() too (the first
 *		use of the other FIFO fails with -EINVAL)
 * @rec:	record, checked as for vt_engine_feed_checked(); it must stay
 *		valid, unchanged, until vt_engine_oldest_ref() returns a
 *		record fed after it or NULL, or until vt_engine_finish()
 *		has returned
 *
 * Records are processed in the same order, with the same results, as
 * with vt_engine_feed_checked(). A file reader in keep mode
 * (vt_reader_keep()) hands out such records.
 *
 * Return: 0, -ENOMEM or -EINVAL (see @e).
 */
int vt_engine_feed_ref(struct vt_engine *e, const struct vt_hdr *rec);

/**
 * vt_engine_feed_ref_run() - vt_engine_feed_ref() for each record of a
 * run, as vt_reader_next_run() hands them out
 * @e:		engine, as for vt_engine_feed_ref()
 * @rec:	the first record, as for vt_engine_feed_ref()
 * @n:		number of records: each after the previous one's end
 *		(@rec->size bytes on)
 *
 * Records are processed in the same order, with the same results, as
 * with @n calls of vt_engine_feed_ref(); in-order records at the head of
 * the run are queued together and the window drained once for them.
 * Should a handler fail (no memory), the error is returned at once: the
 * block of in-order records whose drain failed has been queued, the
 * records after it have not (nor has a record that failed to queue).
 *
 * Return: 0, -ENOMEM or -EINVAL (see vt_engine_feed_ref()).
 */
int vt_engine_feed_ref_run(struct vt_engine *e, const struct vt_hdr *rec,
			   uint32_t n);

/**
 * vt_engine_oldest_ref() - the oldest record given by vt_engine_feed_ref()
 * that the engine still points to
 * @e:		engine
 *
 * Every record fed before it is no longer used and may be freed.
 *
 * Return: the record, NULL when the engine points to none.
 */
const void *vt_engine_oldest_ref(const struct vt_engine *e);

/**
 * vt_engine_tick() - tell a live engine that time has passed
 * @e:		engine
 * @now_ns:	current CLOCK_MONOTONIC time (same clock as the records)
 *
 * A live daemon calls this from its timer even when no records arrive,
 * so records older than the reorder window are processed and time
 * thresholds (masked forever, ack waits) fire on a quiet stream.
 *
 * Return: 0 or -errno.
 */
int vt_engine_tick(struct vt_engine *e, uint64_t now_ns);

/**
 * vt_engine_finish() - end of input: process what is buffered and run
 * the end-of-trace checks (masked forever, never delivered, ...)
 * @e:		engine
 *
 * Return: 0 or -errno.
 */
int vt_engine_finish(struct vt_engine *e);

/**
 * vt_engine_set_read_status() - tell the engine how the file ended, for
 * the report (a truncated trace is reported as such)
 * @e:		engine
 * @st:		reader status (copied)
 */
void vt_engine_set_read_status(struct vt_engine *e,
			       const struct vt_read_status *st);

/**
 * vt_engine_nr_findings() - findings made so far
 * @e:		engine
 *
 * Return: count.
 */
unsigned int vt_engine_nr_findings(const struct vt_engine *e);

/**
 * vt_engine_finding() - one finding
 * @e:		engine
 * @i:		index < vt_engine_nr_findings()
 *
 * Return: the finding, or NULL if @i is out of range.
 */
const struct vt_finding *vt_engine_finding(const struct vt_engine *e,
					   unsigned int i);

/**
 * vt_engine_lost() - records the producers reported lost
 * @e:		engine
 *
 * Return: sum of VT_REC_LOST.lost.
 */
uint64_t vt_engine_lost(const struct vt_engine *e);

/**
 * vt_engine_nr_bugs() - impossible states met ("BUG:" lines in the report)
 * @e:		engine
 *
 * Return: count.
 */
unsigned int vt_engine_nr_bugs(const struct vt_engine *e);

/**
 * vt_engine_nr_data_records() - processed records that describe the
 * traced interrupts: every type but VT_REC_META and VT_REC_LOST
 * @e:		engine
 * Return: count; 0 means the trace holds no data to judge.
 */
uint64_t vt_engine_nr_data_records(const struct vt_engine *e);

/**
 * vt_engine_truncated() - did the input end truncated (as told by
 * vt_engine_set_read_status())?
 * @e:		engine
 * Return: true if truncated.
 */
bool vt_engine_truncated(const struct vt_engine *e);

/**
 * vt_engine_nr_findings_at_least() - findings of severity @min or above
 * @e:		engine
 * @min:	lowest severity counted
 * Return: count.
 */
unsigned int vt_engine_nr_findings_at_least(const struct vt_engine *e,
					    enum vt_severity min);

/**
 * vt_engine_report_text() - human-readable report
 * @e:		engine (after vt_engine_finish())
 * @f:		output
 *
 * Return: 0 or -EIO.
 */
int vt_engine_report_text(struct vt_engine *e, FILE *f);

/**
 * vt_engine_report_json() - the same report as one JSON object
 * @e:		engine (after vt_engine_finish())
 * @f:		output
 *
 * Return: 0 or -EIO.
 */
int vt_engine_report_json(struct vt_engine *e, FILE *f);

/**
 * vt_engine_stats_text() - counts per record type, VFIO event and LR
 * transition, per VM and INTID
 * @e:		engine (after vt_engine_finish())
 * @f:		output
 *
 * Return: 0 or -EIO.
 */
int vt_engine_stats_text(struct vt_engine *e, FILE *f);

/**
 * vt_engine_stats_json() - the counts of vt_engine_stats_text() as JSON
 * @e:		engine (after vt_engine_finish())
 * @f:		output
 *
 * Return: 0 or -EIO.
 */
int vt_engine_stats_json(struct vt_engine *e, FILE *f);

/**
 * vt_engine_free() - free an engine
 * @e:		engine (may be NULL)
 */
void vt_engine_free(struct vt_engine *e);

#endif /* VT_ENGINE_H */
