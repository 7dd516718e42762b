// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_lr.c - `vgic-trace lr [--gic 2|3] VALUE...`: decode LR values.
 */
#include <getopt.h>
#include <stdio.h>
#include "cli.h"
#include "vt_lr.h"

static void lr_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace lr [--gic 2|3] VALUE...\n"
		"Decode list register values (GICv3 ICH_LR_EL2 by default).\n"
		"VALUE is hex with 0x, else decimal (a leading 0 is decimal, not octal).\n\n"
		"Examples:\n"
		"  vgic-trace lr 0x1080020000000020\n"
		"  vgic-trace lr --gic 2 0x10080020\n");
}

int cmd_lr(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gic", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int gic = 3;
	char buf[100];
	uint64_t v;
	int c, i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (vt_parse_u64(optarg, &v) || (v != 2 && v != 3)) {
				fprintf(stderr, "vgic-trace lr: --gic must be 2 or 3\n");
				return VT_EXIT_ERROR;
			}
			gic = (unsigned int)v;
			break;
		case 'h':
			lr_usage(stdout);
			return VT_EXIT_OK;
		default:
			lr_usage(stderr);
			return VT_EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		lr_usage(stderr);
		return VT_EXIT_ERROR;
	}
	for (i = optind; i < argc; i++) {
		if (vt_parse_u64(argv[i], &v) || (gic == 2 && v > 0xffffffffull)) {
			fprintf(stderr, "vgic-trace lr: invalid value '%s'\n", argv[i]);
			return VT_EXIT_ERROR;
		}
		printf("0x%016llx GICv%u %s\n", (unsigned long long)v, gic,
		       vt_lr_format(gic, v, buf, sizeof(buf)));
	}
	return VT_EXIT_OK;
}
