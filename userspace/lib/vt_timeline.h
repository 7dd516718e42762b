/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_timeline.h - export records as a Chrome trace-event JSON timeline
 * (ui.perfetto.dev, Perfetto's trace processor, chrome://tracing).
 *
 * Timestamps are the records' own CLOCK_MONOTONIC times in microseconds
 * with nanosecond decimals ("ts":1234.567), not rebased: the timeline
 * lines up with trace-cmd (-C mono) and perf (-k CLOCK_MONOTONIC) data of
 * the same host.
 *
 * Processes and threads:
 *  - one process per VM, pid = hdr.vm_id (the VMM's tgid);
 *  - per vCPU its thread, tid from VT_META_VCPU (thread named after its
 *    comm), with one "guest run" slice per entry -> exit. Until a
 *    VT_META_VCPU names the thread (producers that predate it), the vCPU
 *    gets a synthetic tid, named "vCPU N (synthetic tid)" and listed in
 *    otherData.vcpu_threads with "synthetic":true;
 *  - per IRQ a track of instant events (assert/deassert with the source,
 *    ack, resample, MMIO, deactivate), per (IRQ, vCPU) a track of LR
 *    residency slices (entry state -> exit state): a vCPU runs one run at
 *    a time, so slices on one track never overlap;
 *  - VFIO events (hard IRQ context, no VM) and losses go to a "host"
 *    process, pid VT_TL_HOST_PID.
 *
 * Tracks that are not real threads get sequential tids from
 * VT_TL_SYNTH_TID up, from a map keyed by (VM, kind, INTID, vCPU): any
 * 24-bit INTID and any vCPU id, no collisions, and never a real tid
 * (Linux pids and tids are below PID_MAX_LIMIT, 2^22).
 *
 * Output is streamed through a fixed buffer as records come; memory is
 * bounded by the number of distinct tracks, not by the trace length.
 */
#ifndef VT_TIMELINE_H
#define VT_TIMELINE_H

#include <stdio.h>
#include <vgic_trace_abi.h>

/* pid of the host process (VFIO, losses): PID_MAX_LIMIT, never a real pid */
#define VT_TL_HOST_PID		4194304u
/* first synthetic tid (track that is not a thread, or a vCPU of no tid) */
#define VT_TL_SYNTH_TID		4194305u

struct vt_timeline;

/**
 * vt_timeline_new() - start a timeline
 * @out:	output stream; events are written as records are added
 * @tl:		the new timeline
 *
 * Return: 0 or -ENOMEM.
 */
int vt_timeline_new(FILE *out, struct vt_timeline **tl);

/**
 * vt_timeline_add() - write one record's events now, with no INTID
 * attribution (acks go to pin + 32, resamples to gsi + 32)
 * @tl:		timeline
 * @rec:	record, validated by the caller
 *
 * Records should come in time order per vCPU (LR entry -> exit pairs);
 * nothing is buffered or sorted (Perfetto sorts on load).
 *
 * Return: 0 or -EIO.
 */
int vt_timeline_add(struct vt_timeline *tl, const struct vt_hdr *rec);

/**
 * vt_timeline_add_irq() - write one record's events now (records in time
 * order, as the engine processes them: vt_engine_opts.rec_cb)
 * @tl:		timeline
 * @rec:	record
 * @intid:	the INTID the engine attributed @rec to, or VT_NO_INTID
 *		(acks, resamples and MMIO writes then go to that IRQ's track)
 *
 * Return: 0, -ENOMEM or -EIO.
 */
int vt_timeline_add_irq(struct vt_timeline *tl, const struct vt_hdr *rec,
			uint32_t intid);

/**
 * vt_timeline_rec_cb() - vt_timeline_add_irq() as a vt_engine_opts.rec_cb
 * (one call per record, no wrapper; a write error stays in the stream and
 * in the timeline: vt_timeline_finish() returns it)
 * @rec:	record
 * @intid:	the INTID the engine attributed @rec to, or VT_NO_INTID
 * @tl:		the struct vt_timeline
 */
void vt_timeline_rec_cb(const struct vt_hdr *rec, uint32_t intid, void *tl);

/**
 * vt_timeline_finish() - write the trailer (otherData: clock, vCPU
 * threads and whether their tids are real) and free the timeline
 * @tl:		timeline
 * @events:	set to the number of trace events written (may be NULL)
 *
 * Return: 0, or -EIO when writing failed.
 */
int vt_timeline_finish(struct vt_timeline *tl, unsigned long *events);

#endif /* VT_TIMELINE_H */
