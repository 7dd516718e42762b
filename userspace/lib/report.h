/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report.h - helpers shared by the text and JSON reports.
 */
#ifndef VT_REPORT_H
#define VT_REPORT_H

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
