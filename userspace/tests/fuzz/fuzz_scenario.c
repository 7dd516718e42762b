// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_scenario.c - libFuzzer: bytes as a scenario text -> importer ->
 * engine -> every report.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fuzz_common.h"
#include "vt_scenario.h"

#define FUZZ_MAX_RECORDS	20000	/* a long repeat is legal, just slow */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fctx {
	struct vt_engine *e;
	long n;
};

static int feed(const struct vt_hdr *rec, void *arg)
{
	struct fctx *c = arg;

	if (++c->n > FUZZ_MAX_RECORDS)
		return -E2BIG;
	vt_engine_feed(c->e, rec);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_engine_opts opts = { 0 };
	struct vt_host_facts facts;
	struct fctx c = { 0 };
	char err[240];
	FILE *in;

	if (!size)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	opts.facts = &facts;	/* filled by the importer before any record */
	opts.window_ns = VT_WINDOW_ALL;
	memset(&facts, 0, sizeof(facts));
	if (vt_engine_new(&opts, &c.e)) {
		fclose(in);
		return 0;
	}
	vt_scenario_import(in, "fuzz", &facts, feed, &c, err, sizeof(err));
	fclose(in);
	if (!vt_engine_finish(c.e))
		fuzz_reports(c.e);
	vt_engine_free(c.e);
	return 0;
}
