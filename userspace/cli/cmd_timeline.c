// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_timeline.c - `vgic-trace timeline FILE -o OUT.json`: Chrome
 * trace-event JSON for ui.perfetto.dev / chrome://tracing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "vt_timeline.h"
#include "vt_tracefile.h"

static void timeline_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace timeline FILE -o OUT.json [--force]\n"
		"Write the trace as Chrome trace-event JSON: one process per VM, per IRQ a\n"
		"track of inject/ack/resample/MMIO events and per IRQ and vCPU a track of\n"
		"LR residency slices (entry state -> exit state); VFIO events per host IRQ.\n"
		"Open OUT.json in https://ui.perfetto.dev or chrome://tracing.\n\n"
		"Examples:\n"
		"  vgic-trace timeline run.vgt -o run.json\n"
		"  vgic-trace timeline run.vgt -o - | gzip > run.json.gz\n");
}

static int fill(const char *path, struct vt_timeline *tl)
{
	const struct vt_read_status *st;
	const struct vt_hdr *rec;
	struct vt_reader *r;
	char err[200];
	int ret;

	ret = vt_reader_open(path, &r, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vgic-trace timeline: %s: %s\n", path, err);
		return ret;
	}
	while ((ret = vt_reader_next(r, &rec)) > 0)
		if ((ret = vt_timeline_add(tl, rec)))
			break;
	st = vt_reader_status(r);
	if (ret < 0)
		fprintf(stderr, "vgic-trace timeline: %s: %s\n", path,
			st->msg[0] ? st->msg : strerror(-ret));
	else if (st->end == VT_END_TRUNCATED)
		fprintf(stderr, "vgic-trace timeline: %s: %s\n", path, st->msg);
	vt_reader_close(r);
	return ret < 0 ? ret : 0;
}

int cmd_timeline(int argc, char **argv)
{
	const char *in, *out;
	struct vt_timeline *tl;
	unsigned long events;
	bool force;
	FILE *f;
	int fd, ret;

	ret = vt_in_out_cmdline(argc, argv, timeline_usage, &in, &out, &force);
	if (ret || !in)
		return ret;
	if (!strcmp(out, "-")) {
		f = stdout;
	} else {
		fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC |
			  (force ? O_TRUNC : O_EXCL), 0644);
		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			fprintf(stderr, "vgic-trace timeline: %s: %s%s\n", out,
				strerror(errno),
				errno == EEXIST ? " (use --force to overwrite)" : "");
			if (fd >= 0)
				close(fd);
			return VT_EXIT_ERROR;
		}
	}
	if (vt_timeline_new(f, &tl)) {
		if (f != stdout)
			fclose(f);
		return VT_EXIT_ERROR;
	}
	ret = fill(in, tl);
	if (vt_timeline_finish(tl, &events) && !ret)
		ret = -EIO;
	if (f != stdout && fclose(f) && !ret)
		ret = -EIO;
	if (ret) {
		fprintf(stderr, "vgic-trace timeline: failed (%s)\n", strerror(-ret));
		return VT_EXIT_ERROR;
	}
	fprintf(stderr, "vgic-trace timeline: %lu events -> %s\n", events, out);
	return VT_EXIT_OK;
}
