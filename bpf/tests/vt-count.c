// SPDX-License-Identifier: GPL-2.0
/*
 * vt-count.c - count the records of a trace file, for the tests:
 *   vt-count [--vm PID] FILE
 * prints "key=value" pairs: one per record type (by name), VFIO events
 * (vfio_<event>), acks/resamples per gsi, lost, and how the file ended.
 *   vt-count --raw FILE
 * writes the records themselves to stdout, one after the other as
 * /dev/vgic_trace's read() returns them, whatever the file's format (the
 * tests' Python readers parse that instead of the file), and how the file
 * ended on stderr ("end=complete|truncated|corrupt").
 * Exit 2 on a file the reader rejects or a read error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vt_record.h"
#include "vt_tracefile.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vm", required_argument, NULL, 'v' },
		{ "raw", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t by_type[VT_REC_MAX + 1] = { 0 }, vfio[8] = { 0 }, lost = 0;
	uint64_t lr_eoi = 0, inject_assert = 0;
	const struct vt_read_status *st;
	const struct vt_hdr *h;
	struct vt_reader *r;
	unsigned long vm = 0;
	char err[160], *end;
	bool raw = false;
	unsigned int t;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r') {
			raw = true;
			continue;
		}
		if (c != 'v')
			return 2;
		errno = 0;
		vm = strtoul(optarg, &end, 0);
		if (errno || *end || !*optarg) {
			fprintf(stderr, "vt-count: bad --vm '%s'\n", optarg);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: vt-count [--vm PID] FILE | vt-count --raw FILE\n");
		return 2;
	}
	ret = vt_reader_open(argv[optind], &r, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vt-count: %s: %s\n", argv[optind], err);
		return 2;
	}
	while ((ret = vt_reader_next(r, &h)) == 1) {
		if (raw) {
			if (fwrite(h, h->size, 1, stdout) != 1) {
				perror("vt-count: stdout");
				return 2;
			}
			continue;
		}
		if (h->type == VT_REC_LOST)
			lost += ((const struct vt_rec_lost *)h)->lost;
		/* records without a VM (hard irq, meta) are kept */
		if (vm && h->vm_id != VT_NO_VM && h->vm_id != vm)
			continue;
		by_type[h->type]++;
		if (h->type == VT_REC_VFIO)
			vfio[((const struct vt_rec_vfio *)h)->event & 7]++;
		if (h->type == VT_REC_INJECT && ((const struct vt_rec_inject *)h)->level)
			inject_assert++;
		if (h->type == VT_REC_LR_FOLD) {
			const struct vt_rec_lr *l = (const void *)h;
			unsigned int i;

			for (i = 0; i < l->used_lrs && i < VT_MAX_LR; i++) {
				uint64_t v = l->lr[i];

				/* GICv3 LR: state 0, EOI, not HW = guest EOI */
				if (l->gic_version == VT_GIC_V3 && !(v >> 62) &&
				    (v & VT_ICH_LR_EOI) && !(v & VT_ICH_LR_HW))
					lr_eoi++;
			}
		}
	}
	st = vt_reader_status(r);
	if (raw) {
		fprintf(stderr, "end=%s\n", st->end == VT_END_COMPLETE ? "complete" :
			st->end == VT_END_TRUNCATED ? "truncated" : "corrupt");
		vt_reader_close(r);
		return ret < 0 || fflush(stdout) ? 2 : 0;
	}
	for (t = 1; t <= VT_REC_MAX; t++)
		printf("%s=%" PRIu64 "\n", vt_record_name(t), by_type[t]);
	for (t = 1; t <= VT_VFIO_SEND_EVENTFD; t++)
		printf("vfio_%s=%" PRIu64 "\n", vt_vfio_event_name(t), vfio[t]);
	printf("inject_assert=%" PRIu64 "\n", inject_assert);
	printf("lr_fold_eoi=%" PRIu64 "\n", lr_eoi);
	printf("lost_records=%" PRIu64 "\n", lost);
	printf("end=%s\n", st->end == VT_END_COMPLETE ? "complete" :
	       st->end == VT_END_TRUNCATED ? "truncated" : "corrupt");
	vt_reader_close(r);
	return ret < 0 ? 2 : 0;
}
