// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_tracefile.c - libFuzzer: bytes as a trace file -> reader ->
 * engine -> every report, and the same records -> timeline.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz_common.h"
#include "vt_tracefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_engine_opts opts = { 0 };
	static char path[64];
	static int fd = -1;
	const struct vt_hdr *rec;
	struct vt_timeline *tl;
	struct vt_reader *r;
	struct vt_engine *e;
	char err[200];
	int ret;

	if (fd < 0) {
		fd = memfd_create("vt-fuzz", 0);
		if (fd < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	if (vt_reader_open(path, &r, err, sizeof(err)))
		return 0;
	opts.facts = vt_reader_facts(r);
	opts.window_ns = (size & 1) ? VT_WINDOW_ALL : 1000000;
	if (vt_engine_new(&opts, &e)) {
		vt_reader_close(r);
		return 0;
	}
	if (vt_timeline_new(fuzz_null(), &tl))
		tl = NULL;
	while ((ret = vt_reader_next(r, &rec)) > 0) {
		vt_engine_feed(e, rec);
		if (tl)
			vt_timeline_add(tl, rec);
	}
	vt_engine_set_read_status(e, vt_reader_status(r));
	vt_reader_close(r);
	if (tl)
		vt_timeline_finish(tl, NULL);
	if (!vt_engine_finish(e))
		fuzz_reports(e);
	vt_engine_free(e);
	return 0;
}
