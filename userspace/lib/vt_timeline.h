/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_timeline.h - export records as a Chrome trace-event JSON timeline
 * (opens in ui.perfetto.dev or chrome://tracing).
 *
 * One process per VM. Per IRQ one track of instant events (inject, ack,
 * resample, VFIO, MMIO), and per (IRQ, vCPU) one track of LR residency
 * slices (entry -> exit, named "P -> A"): a vCPU runs one run at a time,
 * so slices on one track never overlap.
 */
#ifndef VT_TIMELINE_H
#define VT_TIMELINE_H

#include <stdio.h>
#include <vgic_trace_abi.h>

struct vt_timeline;

/**
 * vt_timeline_new() - start a timeline
 * @out:	output stream (the JSON is written at vt_timeline_finish())
 * @tl:		the new timeline
 *
 * Return: 0 or -ENOMEM.
 */
int vt_timeline_new(FILE *out, struct vt_timeline **tl);

/**
 * vt_timeline_add() - add one record (any order; sorted at the end)
 * @tl:		timeline
 * @rec:	record, validated by the caller
 *
 * Return: 0 or -ENOMEM.
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
 * Nothing is buffered. Do not mix with vt_timeline_add().
 *
 * Return: 0 or -EIO.
 */
int vt_timeline_add_irq(struct vt_timeline *tl, const struct vt_hdr *rec,
			uint32_t intid);

/**
 * vt_timeline_finish() - sort, write the JSON and free the timeline
 * @tl:		timeline
 * @events:	set to the number of trace events written (may be NULL)
 *
 * Return: 0, or -EIO when writing failed.
 */
int vt_timeline_finish(struct vt_timeline *tl, unsigned long *events);

#endif /* VT_TIMELINE_H */
