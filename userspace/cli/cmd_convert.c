// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_convert.c - `vgic-trace convert --raw IN -o OUT`: a raw record
 * stream (concatenated records, as read from /dev/vgic_trace or dumped
 * from a BPF ring buffer) into a trace file. Every record is validated.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "vt_raw.h"
#include "vt_tracefile.h"

static void convert_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace convert --raw IN -o OUT [--force]\n"
		"        [--kernel REL] [--arch ARCH] [--gic 2|3] [--nr-lrs N]\n"
		"        [--backend module|bpf|replay]\n"
		"Convert a raw record stream into a trace file. IN '-' is stdin.\n"
		"Each record's type and size are checked; a bad record stops the\n"
		"conversion with its byte offset (the records before it are kept).\n\n"
		"Examples:\n"
		"  cat /dev/vgic_trace > dev.raw; vgic-trace convert --raw dev.raw -o run.vgt\n"
		"  vgic-trace convert --raw - -o run.vgt --gic 3 --nr-lrs 4 < dev.raw\n");
}

static int parse_backend(const char *s, uint8_t *out)
{
	if (!strcmp(s, "module"))
		*out = VT_BACKEND_MODULE;
	else if (!strcmp(s, "bpf"))
		*out = VT_BACKEND_BPF;
	else if (!strcmp(s, "replay"))
		*out = VT_BACKEND_REPLAY;
	else
		return -EINVAL;
	return 0;
}

static int convert_stream(int fd, struct vt_writer *w, const char *in)
{
	static struct vt_raw_parser p;
	const struct vt_hdr *rec;
	uint8_t buf[4096];
	char err[200];
	ssize_t n;
	size_t off, took;
	int ret;

	vt_raw_init(&p);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "vgic-trace convert: %s: %s\n", in,
				strerror(errno));
			return -errno;
		}
		if (n == 0)
			break;
		for (off = 0; off < (size_t)n; off += took) {
			took = vt_raw_push(&p, buf + off, (size_t)n - off);
			while ((ret = vt_raw_next(&p, &rec, err, sizeof(err))) > 0) {
				ret = vt_writer_append(w, rec);
				if (ret) {
					fprintf(stderr, "vgic-trace convert: write: %s\n",
						strerror(-ret));
					return ret;
				}
			}
			if (ret < 0) {
				fprintf(stderr, "vgic-trace convert: %s: %s\n", in, err);
				return ret;
			}
		}
	}
	if (vt_raw_leftover(&p)) {
		fprintf(stderr,
			"vgic-trace convert: %s: stream ends inside a record (%zu bytes after record %llu)\n",
			in, vt_raw_leftover(&p), (unsigned long long)p.records);
		return -EBADMSG;
	}
	return 0;
}

int cmd_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "gic", required_argument, NULL, 'g' },
		{ "nr-lrs", required_argument, NULL, 'n' },
		{ "backend", required_argument, NULL, 'b' },
		{ "arch", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vt_host_facts facts;
	const char *in = NULL, *out = NULL;
	struct vt_writer *w;
	bool force = false;
	uint64_t v;
	int c, fd, ret, ret2;

	memset(&facts, 0, sizeof(facts));
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'k':
			snprintf(facts.kernel_release, sizeof(facts.kernel_release),
				 "%s", optarg);
			break;
		case 'g':
			if (vt_parse_u64(optarg, &v) || (v != 2 && v != 3)) {
				fprintf(stderr, "vgic-trace convert: --gic must be 2 or 3\n");
				return VT_EXIT_ERROR;
			}
			facts.gic_version = (uint8_t)v;
			break;
		case 'n':
			if (vt_parse_u64(optarg, &v) || v > VT_MAX_LR) {
				fprintf(stderr, "vgic-trace convert: --nr-lrs must be 0..%u\n",
					VT_MAX_LR);
				return VT_EXIT_ERROR;
			}
			facts.nr_lrs = (uint8_t)v;
			break;
		case 'a':
			snprintf(facts.arch, sizeof(facts.arch), "%s", optarg);
			break;
		case 'b':
			if (parse_backend(optarg, &facts.backend)) {
				fprintf(stderr, "vgic-trace convert: unknown backend '%s'\n",
					optarg);
				return VT_EXIT_ERROR;
			}
			break;
		case 'h':
			convert_usage(stdout);
			return VT_EXIT_OK;
		default:
			convert_usage(stderr);
			return VT_EXIT_ERROR;
		}
	}
	if (!in || !out || optind != argc) {
		convert_usage(stderr);
		return VT_EXIT_ERROR;
	}
	fd = strcmp(in, "-") ? open(in, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0) {
		fprintf(stderr, "vgic-trace convert: %s: %s\n", in, strerror(errno));
		return VT_EXIT_ERROR;
	}
	ret = vt_writer_open(out, &facts, force, &w);
	if (ret) {
		fprintf(stderr, "vgic-trace convert: %s: %s%s\n", out, strerror(-ret),
			ret == -EEXIST ? " (use --force to overwrite)" : "");
		if (fd)
			close(fd);
		return VT_EXIT_ERROR;
	}
	ret = convert_stream(fd, w, in);
	if (fd)
		close(fd);
	fprintf(stderr, "vgic-trace convert: %llu records -> %s\n",
		(unsigned long long)vt_writer_records(w), out);
	ret2 = vt_writer_close(w);
	if (ret2)
		fprintf(stderr, "vgic-trace convert: %s: %s\n", out, strerror(-ret2));
	return ret || ret2 ? VT_EXIT_ERROR : VT_EXIT_OK;
}
