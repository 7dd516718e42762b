// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_import.c - `vgic-trace import SCEN.txt -o FILE`: a human-readable
 * scenario into a trace file (replay tests, docs/engine.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "vt_scenario.h"
#include "vt_tracefile.h"

static void import_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace import SCENARIO.txt -o FILE [--force]\n"
		"Turn a scenario text (one record per line, see docs/engine.md) into a\n"
		"trace file that report/check/stats read like a recorded one.\n\n"
		"Examples:\n"
		"  vgic-trace import userspace/tests/scenarios/seq1-2018.txt -o seq1.vgt\n"
		"  vgic-trace import - -o x.vgt --force < scenario.txt\n");
}

struct import_ctx {
	const char *out;
	bool force;
	struct vt_writer *w;
	struct vt_host_facts facts;
	/* records are held until the facts line is known: write lazily */
	struct vt_hdr **recs;
	size_t n, cap;
};

static int keep(const struct vt_hdr *rec, void *arg)
{
	struct import_ctx *c = arg;
	struct vt_hdr *copy;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		void *nr = realloc(c->recs, cap * sizeof(*c->recs));

		if (!nr)
			return -ENOMEM;
		c->recs = nr;
		c->cap = cap;
	}
	copy = malloc(rec->size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, rec, rec->size);
	c->recs[c->n++] = copy;
	return 0;
}

static int write_out(struct import_ctx *c)
{
	size_t i;
	int ret;

	ret = vt_writer_open(c->out, &c->facts, c->force, &c->w);
	if (ret) {
		fprintf(stderr, "vgic-trace import: %s: %s%s\n", c->out,
			strerror(-ret),
			ret == -EEXIST ? " (use --force to overwrite)" : "");
		return ret;
	}
	for (i = 0; i < c->n && !ret; i++)
		ret = vt_writer_append(c->w, c->recs[i]);
	if (ret)
		fprintf(stderr, "vgic-trace import: %s: %s\n", c->out, strerror(-ret));
	i = vt_writer_close(c->w) || ret;
	return i ? -EIO : 0;
}

int cmd_import(int argc, char **argv)
{
	struct import_ctx c;
	const char *path;
	char err[240];
	FILE *in;
	long n;
	size_t i;
	int ret;

	memset(&c, 0, sizeof(c));
	ret = vt_in_out_cmdline(argc, argv, import_usage, &path, &c.out,
				&c.force);
	if (ret || !path)
		return ret;
	in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!in) {
		fprintf(stderr, "vgic-trace import: %s: %s\n", path,
			strerror(errno));
		return VT_EXIT_ERROR;
	}
	n = vt_scenario_import(in, path, &c.facts, keep, &c, err,
			       sizeof(err));
	if (in != stdin)
		fclose(in);
	ret = 0;
	if (n < 0) {
		fprintf(stderr, "vgic-trace import: %s\n",
			n == -EINVAL ? err : strerror((int)-n));
		ret = -1;
	} else {
		ret = write_out(&c);
		if (!ret)
			fprintf(stderr, "vgic-trace import: %ld records -> %s\n", n,
				c.out);
	}
	for (i = 0; i < c.n; i++)
		free(c.recs[i]);
	free(c.recs);
	return ret ? VT_EXIT_ERROR : VT_EXIT_OK;
}
