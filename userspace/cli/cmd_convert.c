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
#include "vt_safe_file.h"
#include "vt_tracefile.h"

static void convert_usage(FILE *f)
{
	fprintf(f,
		"Usage: vgic-trace convert --raw IN -o OUT [--force]\n"
		"        [--kernel REL] [--arch ARCH] [--gic 2|3] [--nr-lrs N]\n"
		"        [--backend module|bpf|replay]\n"
		"Convert a raw record stream into a trace file. IN '-' is stdin.\n"
		"Each record's type and size are checked; a bad record stops the\n"
		"conversion with its byte offset (the records before it are kept, in a\n"
		"file that reads as truncated). OUT is written to a temporary file and\n"
		"renamed into place: a write error (disk full) leaves no file. OUT may\n"
		"not be IN (checked by device and inode).\n\n"
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

/*
 * Copy the records of @fd into @w. Return: 0; -errno of the input
 * (read error, bad or torn record: message printed); or, with *@werr
 * set, the writer's -errno (message left to the caller).
 */
static int convert_stream(int fd, struct vt_writer *w, const char *in,
			  int *werr)
{
	static struct vt_raw_parser p;
	const struct vt_hdr *rec;
	uint8_t buf[4096];
	char err[200];
	ssize_t n;
	size_t off, took;
	int ret;

	*werr = 0;
	vt_raw_init(&p);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			fprintf(stderr, "vgic-trace convert: %s: read: %s\n", in,
				strerror(errno));
			return ret;
		}
		if (n == 0)
			break;
		for (off = 0; off < (size_t)n; off += took) {
			took = vt_raw_push(&p, buf + off, (size_t)n - off);
			while ((ret = vt_raw_next(&p, &rec, err, sizeof(err))) > 0) {
				ret = vt_writer_append(w, rec);
				if (ret) {
					*werr = ret;
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
	const char *inputs[2] = { NULL, NULL };
	struct vt_writer *w;
	struct vt_out o;
	bool force = false;
	uint64_t v, written;
	char err[200];
	int c, fd, ret, werr;

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
	inputs[0] = in;
	fd = strcmp(in, "-") ? open(in, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0) {
		fprintf(stderr, "vgic-trace convert: %s: %s\n", in, strerror(errno));
		return VT_EXIT_ERROR;
	}
	/* refuses OUT == IN before anything is truncated */
	ret = vt_out_open(&o, out, force, inputs, err, sizeof(err));
	if (!ret) {
		ret = vt_writer_fdopen(o.fd, &facts, &w);
		if (ret) {
			snprintf(err, sizeof(err), "write: %s", strerror(-ret));
			vt_out_abort(&o);
		}
	}
	if (ret) {
		fprintf(stderr, "vgic-trace convert: %s: %s\n", out, err);
		if (fd)
			close(fd);
		return VT_EXIT_ERROR;
	}
	ret = convert_stream(fd, w, in, &werr);
	if (fd)
		close(fd);
	/*
	 * A bad input keeps the records before the error, in a file that
	 * reads as truncated; a write error keeps nothing.
	 */
	written = 0;
	if (!werr) {
		written = vt_writer_records(w);
		werr = ret ? vt_writer_close_truncated(w) : vt_writer_close(w);
	} else {
		vt_writer_close_truncated(w);
	}
	w = NULL;
	if (!werr)
		werr = vt_out_commit(&o);
	if (werr) {
		vt_out_abort(&o);
		fprintf(stderr, "vgic-trace convert: %s: write: %s; no trace written\n",
			out, strerror(-werr));
		return VT_EXIT_ERROR;
	}
	fprintf(stderr, "vgic-trace convert: %llu records -> %s%s\n",
		(unsigned long long)written, out,
		ret ? " (truncated: the input ended in an error)" : "");
	return ret ? VT_EXIT_ERROR : VT_EXIT_OK;
}
