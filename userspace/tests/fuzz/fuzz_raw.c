// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_raw.c - libFuzzer: bytes as a raw record stream (as read from
 * /dev/vgic_trace), pushed in pieces whose sizes come from the input,
 * into the raw splitter and every record it accepts into the engine.
 */
#include <stdint.h>
#include <stdio.h>
#include "fuzz_common.h"
#include "vt_raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vt_raw_parser p;
	struct vt_engine_opts opts = { 0 };
	const struct vt_hdr *rec;
	struct vt_engine *e;
	size_t off, took, piece;
	char err[200];
	int ret = 0;

	if (size < 1)
		return 0;
	piece = 1 + data[0] % 64;	/* the first byte: the read size */
	data++;
	size--;
	opts.window_ns = VT_WINDOW_ALL;
	if (vt_engine_new(&opts, &e))
		return 0;
	vt_raw_init(&p);
	for (off = 0; off < size && ret >= 0; off += took) {
		took = vt_raw_push(&p, data + off,
				   size - off < piece ? size - off : piece);
		while ((ret = vt_raw_next(&p, &rec, err, sizeof(err))) > 0)
			vt_engine_feed(e, rec);
		if (!took && ret >= 0)
			break;
	}
	vt_raw_leftover(&p);
	if (!vt_engine_finish(e))
		fuzz_reports(e);
	vt_engine_free(e);
	return 0;
}
