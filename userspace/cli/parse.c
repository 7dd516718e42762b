// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * parse.c - strict number and duration parsing for the CLI, and the
 * "IN -o OUT [--force]" command line of import and timeline.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "vt_num.h"

int vt_parse_u64(const char *s, uint64_t *out)
{
	return vt_num_u64(s, out);
}

int vt_parse_duration(const char *s, uint64_t *out)
{
	return vt_num_duration(s, 1, out);
}

int vt_in_out_cmdline(int argc, char **argv, void (*usage)(FILE *f),
		      const char **in, const char **out, bool *force)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*in = NULL;
	*out = NULL;
	*force = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			*out = optarg;
			break;
		case 'f':
			*force = true;
			break;
		case 'h':
			usage(stdout);
			return VT_EXIT_OK;
		default:
			usage(stderr);
			return VT_EXIT_ERROR;
		}
	}
	if (!*out || optind != argc - 1) {
		usage(stderr);
		return VT_EXIT_ERROR;
	}
	*in = argv[optind];
	return VT_EXIT_OK;
}
