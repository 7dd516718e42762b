// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * parse.c - strict number and duration parsing for the CLI, and the
 * "IN -o OUT [--force]" command line of import and timeline.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int vt_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int vt_parse_duration(const char *s, uint64_t *out)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 }, { "", 1 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (v > UINT64_MAX / units[i].mult)
			return -EINVAL;
		*out = v * units[i].mult;
		return 0;
	}
	return -EINVAL;
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
