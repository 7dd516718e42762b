/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_scenario.h - import a human-readable scenario (text) as records.
 * The syntax is described in docs/engine.md ("Scenario files").
 */
#ifndef VT_SCENARIO_H
#define VT_SCENARIO_H

#include <stddef.h>
#include <stdio.h>
#include <vgic_trace_abi.h>
#include "vt_tracefile.h"

#define VT_SCEN_MAX_LINE	1023		/* bytes before a comment */
#define VT_SCEN_MAX_REPEAT	2000000u	/* records of one repeat block */

/**
 * typedef vt_scen_emit - receives each record of a scenario
 * @rec:	record
 * @arg:	caller's argument
 *
 * Return: 0 to go on, a negative errno to stop the import.
 */
typedef int (*vt_scen_emit)(const struct vt_hdr *rec, void *arg);

/**
 * vt_scenario_import() - parse a scenario text
 * @in:		input
 * @name:	input name for messages
 * @facts:	filled from the "facts" line (defaults: GICv3, replay)
 * @emit:	called for each record in file order
 * @arg:	argument of @emit
 * @err:	message buffer ("FILE:LINE: reason")
 * @errlen:	size of @err
 *
 * Lines may be VT_SCEN_MAX_LINE bytes long, comments ('#' to the end of
 * the line) any length. A "repeat N every T ... end" block is expanded
 * while it is read (nothing is held in memory but its lines); N times
 * its records may be at most VT_SCEN_MAX_REPEAT.
 *
 * Return: number of records, or -EINVAL for a syntax error or a limit,
 * -errno for a read error (a directory is not an empty scenario), or
 * the error returned by @emit; @err has the message for all but @emit's.
 */
long vt_scenario_import(FILE *in, const char *name,
			struct vt_host_facts *facts, vt_scen_emit emit,
			void *arg, char *err, size_t errlen);

#endif /* VT_SCENARIO_H */
