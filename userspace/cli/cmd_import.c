// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_import.c - `vgic-trace import SCEN.txt -o FILE`: a human-readable
 * scenario into a trace file (replay tests, docs/engine.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "vt_import_tracecmd.h"
#include "vt_safe_file.h"
#include "vt_scenario.h"
#include "vt_tracefile.h"

static void import_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace import SCENARIO.txt -o FILE [--force]\n"
		"Turn a scenario text (one record per line, see docs/engine.md) into a\n"
		"trace file that report/check/stats read like a recorded one.\n"
		"Lines may be 1023 bytes long (comments any length); a repeat block\n"
		"may make up to 2000000 records. FILE is written to a temporary file\n"
		"and renamed into place: an error leaves no file.\n\n"
		"Examples:\n"
		"  vgic-trace import userspace/tests/scenarios/seq1-2018.txt -o seq1.vgt\n"
		"  vgic-trace import - -o x.vgt --force < scenario.txt\n");
}

struct import_ctx {
	struct vt_out o;
	struct vt_writer *w;	/* created at the first record */
	struct vt_host_facts *facts;
	struct vt_host_facts written;	/* facts in the header as written */
	int werr;		/* writer error (ENOSPC, EFBIG) */
};

static int start_writer(struct import_ctx *c)
{
	int ret;

	c->written = *c->facts;
	ret = vt_writer_fdopen(c->o.fd, &c->written, &c->w);
	if (ret)
		c->werr = ret;
	return ret;
}

/* records stream into the file: a long repeat needs no memory */
static int put(const struct vt_hdr *rec, void *arg)
{
	struct import_ctx *c = arg;
	int ret;

	if (!c->w && (ret = start_writer(c)))
		return ret;
	ret = vt_writer_append(c->w, rec);
	if (ret)
		c->werr = ret;
	return ret;
}

/* the end marker, and the header again when a late facts line changed it */
static int finish_writer(struct import_ctx *c)
{
	int ret = 0;

	if (!c->w && (ret = start_writer(c)))
		return ret;
	if (memcmp(&c->written, c->facts, sizeof(c->written))) {
		ret = vt_writer_set_facts(c->w, c->facts);
		if (ret == -ESPIPE)
			fprintf(stderr, "vgic-trace import: %s: a facts line after the first record needs a regular output file\n",
				c->o.path);
	}
	if (ret) {
		vt_writer_close_truncated(c->w);
		return ret;
	}
	return vt_writer_close(c->w);
}

int cmd_import(int argc, char **argv)
{
	struct vt_host_facts facts;
	struct import_ctx c;
	const char *path, *out, *inputs[2] = { NULL, NULL };
	char err[240];
	struct stat st;
	bool force;
	FILE *in;
	long n;
	int ret;

	memset(&c, 0, sizeof(c));
	c.facts = &facts;
	if (vt_tc_take_from(&argc, argv))
		return VT_EXIT_ERROR;
	ret = vt_in_out_cmdline(argc, argv, import_usage, &path, &out, &force);
	if (ret || !path)
		return ret;
	if (strcmp(path, "-") && vt_tc_is_dat(path))	/* trace-cmd recording */
		return vt_tc_import(path, out, force) ? VT_EXIT_ERROR : VT_EXIT_OK;
	in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!in || (!fstat(fileno(in), &st) && S_ISDIR(st.st_mode))) {
		fprintf(stderr, "vgic-trace import: %s: %s\n", path,
			strerror(in ? EISDIR : errno));
		if (in && in != stdin)
			fclose(in);
		return VT_EXIT_ERROR;
	}
	inputs[0] = path;
	ret = vt_out_open(&c.o, out, force, inputs, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vgic-trace import: %s: %s\n", out, err);
		if (in != stdin)
			fclose(in);
		return VT_EXIT_ERROR;
	}
	n = vt_scenario_import(in, path, &facts, put, &c, err, sizeof(err));
	if (in != stdin)
		fclose(in);
	if (n >= 0) {
		ret = finish_writer(&c);
		if (ret)
			c.werr = ret;
		else
			ret = vt_out_commit(&c.o);
		if (ret)
			c.werr = ret;
	} else if (c.w) {
		vt_writer_close_truncated(c.w);
	}
	if (n < 0 || c.werr) {
		vt_out_abort(&c.o);
		if (c.werr)
			fprintf(stderr, "vgic-trace import: %s: write: %s; no trace written\n",
				out, strerror(-c.werr));
		else
			fprintf(stderr, "vgic-trace import: %s; no trace written\n",
				err[0] ? err : strerror((int)-n));
		return VT_EXIT_ERROR;
	}
	fprintf(stderr, "vgic-trace import: %ld records -> %s\n", n, out);
	return VT_EXIT_OK;
}
