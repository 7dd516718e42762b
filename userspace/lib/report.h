/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report.h - helpers shared by the text, JSON and HTML reports.
 */
#ifndef VT_REPORT_H
#define VT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "vt_tracefile.h"

/**
 * vt_backend_name() - "module", "bpf", "replay" or "unknown"
 * @b:		VT_BACKEND_*
 *
 * Return: static string.
 */
const char *vt_backend_name(unsigned int b);

/**
 * vt_read_end_name() - "complete", "truncated", "corrupt" or "live"
 * @end:	how the reader stopped
 *
 * Return: static string.
 */
const char *vt_read_end_name(enum vt_read_end end);

/**
 * vt_json_str() - write @s as a JSON string literal
 * @f:		output
 * @s:		NUL-terminated text
 */
void vt_json_str(FILE *f, const char *s);

/* The JSON report's "latency_note", also the HTML page's. */
#define VT_LATENCY_NOTE \
	"ns since the previous stage of the same cycle; emulation-relative on TCG hosts"

/*
 * The degraded rule an unknown LR count leaves (no VT_META_NR_LRS, none in
 * the file header, but LR records): its name and what it misses.
 */
#define VT_NR_LRS_RULE		"eoi-lost-lr-overflow"
#define VT_NR_LRS_MISSING	"nr_lrs (no VT_META_NR_LRS, none in the file header)"

/**
 * struct vt_irq_count - one per-IRQ counter of `vgic-trace stats`
 * @name:	its name in the stats text and JSON (and the HTML page)
 * @off:	offset of its uint64_t in struct vt_counts
 */
struct vt_irq_count {
	const char *name;
	size_t off;
};

#define VT_NR_IRQ_COUNTS	9

/* The counters, in the order stats prints them (stats.c). */
extern const struct vt_irq_count vt_irq_counts[VT_NR_IRQ_COUNTS];

/**
 * vt_irq_count() - counter @k of an IRQ's struct vt_counts
 * @cnt:	the IRQ's counts
 * @k:		index < VT_NR_IRQ_COUNTS
 *
 * Return: its value.
 */
static inline uint64_t vt_irq_count(const void *cnt, unsigned int k)
{
	return *(const uint64_t *)((const char *)cnt + vt_irq_counts[k].off);
}

struct vt_engine;

/**
 * vt_rules_degraded() - rules whose input hooks were reported missing
 * @e:		engine
 * @cb:		called with the rule and a comma list of missing hooks
 * @arg:	argument of @cb
 *
 * Return: number of such rules.
 */
unsigned int vt_rules_degraded(const struct vt_engine *e,
			       void (*cb)(const char *rule, const char *hooks,
					  void *arg), void *arg);

#endif /* VT_REPORT_H */
