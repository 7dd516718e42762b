// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * seed_v2.c - make-seeds.sh helper: rewrite a trace file in format 2
 * (coded records), optionally zstd-compressed: seed_v2 IN OUT [ZSTD].
 */
#include <stdio.h>
#include <stdlib.h>
#include "vt_tracefile.h"

int main(int argc, char **argv)
{
	const struct vt_hdr *rec;
	struct vt_reader *r;
	struct vt_writer *w;
	char err[200];
	int ret;

	if (argc < 3)
		return 2;
	if (vt_reader_open(argv[1], &r, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		return 1;
	}
	if (vt_writer_open(argv[2], vt_reader_facts(r), true, &w) ||
	    vt_writer_set_format(w, 2, argc > 3 ? atoi(argv[3]) : 0,
				 vt_reader_facts(r)))
		return 1;
	while ((ret = vt_reader_next(r, &rec)) > 0)
		if (vt_writer_append(w, rec))
			return 1;
	vt_reader_close(r);
	return vt_writer_close(w) || ret < 0;
}
