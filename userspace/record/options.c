// SPDX-License-Identifier: GPL-2.0
/*
 * options.c - command line of vgic-traced.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "traced.h"
#include "vt_num.h"
#include "vt_record.h"

static const char usage[] =
"Usage: vgic-traced [OPTIONS]\n"
"Record vgic / irqfd resample / VFIO INTx events into a trace file and\n"
"run the anomaly detector live. Records come from the vgic_trace module's\n"
"device when it exists, else from the BPF backend. SIGINT/SIGTERM stop,\n"
"flush the file and print a summary. SIGHUP: when FILE was renamed away\n"
"(log rotation) the current file is closed and a new FILE started, else\n"
"the file is flushed and synced and recording goes on. SIGPIPE is ignored.\n"
"Numbers are decimal or 0x hex (a leading 0 is decimal).\n"
"A write error (disk full) stops the file, which keeps every complete\n"
"chunk and reads as truncated; live detection goes on, the exit status\n"
"is 1. Exit status: 0 ok, 1 runtime error, 2 bad usage.\n"
"\n"
"  -o, --output FILE       trace file to write (default vgic-trace.vgt)\n"
"  -f, --force             overwrite FILE if it exists\n"
"  -b, --backend NAME      auto (default), module or bpf\n"
"      --device PATH       module device (default " VT_DEVICE_PATH ")\n"
"  -d, --duration DUR      stop after DUR: seconds, or 250ms, 2s, 1m\n"
"                          (default: until SIGINT/SIGTERM)\n"
"      --drain-ms MS       drain the buffer every MS ms (default 10)\n"
"      --stop-drain-ms MS  module: at the stop, read what is still queued\n"
"                          until MS ms after the signal or the --duration\n"
"                          deadline (default 40; 0 or spent: one read);\n"
"                          the module's producers are stopped first and\n"
"                          what is left then is counted as lost\n"
"      --wakeup-bytes N    BPF: wake the reader once N bytes are queued\n"
"                          (default 64K; 0 = timed drain only)\n"
"      --rb-size BYTES     BPF ring buffer size, power of two (default 4M;\n"
"                          K, M, G suffixes are binary)\n"
"      --vm PID            only the VM whose VMM has this tgid\n"
"      --no-fentry         BPF: skip fentry/fexit, start with kprobes\n"
"      --tracepoints-only  BPF: upstream kvm:* tracepoints only (degraded)\n"
"      --disable HOOK      BPF: switch a hook off (repeatable; names as in\n"
"                          the summary, e.g. lr_flush, mmio_route)\n"
"  -q, --quiet             do not print findings as they happen\n"
"      --report FILE       write the text report to FILE at exit (an\n"
"                          existing FILE needs --force)\n"
"      --json-lines        findings as JSON, one object a line, on stdout\n"
"                          (flushed per line; the exit summary goes to stderr)\n"
"      --metrics-listen HOST:PORT\n"
"                          serve Prometheus/OpenMetrics text at\n"
"                          http://HOST:PORT/metrics (off by default; e.g.\n"
"                          127.0.0.1:9464, [::1]:9464)\n"
"      --metrics-file PATH write the same metrics to PATH atomically, for\n"
"                          node_exporter's textfile collector\n"
"      --metrics-interval DUR\n"
"                          how often to rewrite PATH (default 15s)\n"
"  -h, --help              this text\n"
"\n"
"Examples:\n"
"  vgic-traced -o run.vtr                 # until Ctrl-C\n"
"  vgic-traced -b bpf -d 10 -o bpf.vtr    # BPF backend for 10 s\n"
"  vgic-traced -d 250ms --rb-size 16M -o short.vtr\n"
"  vgic-traced --json-lines --metrics-listen 127.0.0.1:9464 -o run.vtr\n";

enum {
	OPT_DEVICE = 256,
	OPT_DRAIN,
	OPT_WAKEUP,
	OPT_RB,
	OPT_VM,
	OPT_NO_FENTRY,
	OPT_TP_ONLY,
	OPT_DISABLE,
	OPT_REPORT,
	OPT_JSON_LINES,
	OPT_METRICS_LISTEN,
	OPT_METRICS_FILE,
	OPT_METRICS_EVERY,
	OPT_STOP_DRAIN,
};

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "backend", required_argument, NULL, 'b' },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "duration", required_argument, NULL, 'd' },
	{ "drain-ms", required_argument, NULL, OPT_DRAIN },
	{ "stop-drain-ms", required_argument, NULL, OPT_STOP_DRAIN },
	{ "wakeup-bytes", required_argument, NULL, OPT_WAKEUP },
	{ "rb-size", required_argument, NULL, OPT_RB },
	{ "vm", required_argument, NULL, OPT_VM },
	{ "no-fentry", no_argument, NULL, OPT_NO_FENTRY },
	{ "tracepoints-only", no_argument, NULL, OPT_TP_ONLY },
	{ "disable", required_argument, NULL, OPT_DISABLE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "json-lines", no_argument, NULL, OPT_JSON_LINES },
	{ "metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN },
	{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
	{ "metrics-interval", required_argument, NULL, OPT_METRICS_EVERY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int bad_number(const char *opt, const char *s, int err,
		      uint64_t min, uint64_t max, const char *unit)
{
	if (err == -ERANGE)
		fprintf(stderr, "vgic-traced: %s: '%s' out of range [%llu, %llu]%s\n",
			opt, s, (unsigned long long)min, (unsigned long long)max, unit);
	else
		fprintf(stderr, "vgic-traced: %s: '%s' is not a number (decimal or 0x hex)\n",
			opt, s);
	return -EINVAL;
}

/* the shared strict parser (vt_num.h): decimal or 0x hex, full string */
static int parse_ulong(const char *opt, const char *s, unsigned long min,
		       unsigned long max, unsigned long *out)
{
	uint64_t v;
	int err = vt_num_range(s, min, max, &v);

	if (err)
		return bad_number(opt, s, err, min, max, "");
	*out = (unsigned long)v;
	return 0;
}

/* "4M", "64K", "65536", "0x10000" */
static int parse_size(const char *opt, const char *s, unsigned long min,
		      unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (vt_num_size(s, &v)) {
		fprintf(stderr, "vgic-traced: %s: '%s' is not a size (e.g. 65536, 64K, 4M)\n",
			opt, s);
		return -EINVAL;
	}
	if (v < min || v > max)
		return bad_number(opt, s, -ERANGE, min, max, " bytes");
	*out = (unsigned long)v;
	return 0;
}

/* "10" (seconds), "250ms", "2s", "1m" */
static int parse_duration(const char *opt, const char *s, uint64_t *out)
{
	uint64_t v;

	if (vt_num_duration(s, 1000000000ull, &v) || !v ||
	    v > VT_MAX_DURATION_NS) {
		fprintf(stderr, "vgic-traced: %s: '%s' is not a duration between 1ns and 365 days (e.g. 10, 250ms, 2s, 1m)\n",
			opt, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_hook(const char *s, uint32_t *mask)
{
	unsigned int h;

	for (h = 1; h <= VT_HOOK_MAX; h++) {
		if (!strcmp(s, vt_hook_name(h))) {
			*mask |= 1u << h;
			return 0;
		}
	}
	fprintf(stderr, "vgic-traced: --disable: unknown hook '%s'; hooks:", s);
	for (h = 1; h <= VT_HOOK_MAX; h++)
		fprintf(stderr, " %s", vt_hook_name(h));
	fputc('\n', stderr);
	return -EINVAL;
}

/**
 * vt_opts_parse() - parse the command line
 * @argc:	argument count
 * @argv:	arguments
 * @o:		settings, filled with defaults first
 *
 * Return: 0 to run, 1 after --help, -EINVAL on bad input.
 */
int vt_opts_parse(int argc, char **argv, struct vt_opts *o)
{
	unsigned long v;
	int c, err = 0;

	memset(o, 0, sizeof(*o));
	o->output = "vgic-trace.vgt";
	o->device = VT_DEVICE_PATH;
	o->drain_ms = 10;
	o->stop_drain_ms = 40;
	o->wakeup_bytes = 64 * 1024;
	o->rb_bytes = 4u << 20;
	o->metrics_every_ns = 15000000000ull;

	optind = 1;
	while (!err && (c = getopt_long(argc, argv, "o:fb:d:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'f':
			o->force = true;
			break;
		case 'b':
			if (!strcmp(optarg, "auto"))
				o->backend = VT_CHOOSE_AUTO;
			else if (!strcmp(optarg, "module"))
				o->backend = VT_CHOOSE_MODULE;
			else if (!strcmp(optarg, "bpf"))
				o->backend = VT_CHOOSE_BPF;
			else {
				fprintf(stderr, "vgic-traced: --backend: auto, module or bpf, not '%s'\n",
					optarg);
				err = -EINVAL;
			}
			break;
		case OPT_DEVICE:
			o->device = optarg;
			break;
		case 'd':
			err = parse_duration("--duration", optarg, &o->duration_ns);
			break;
		case OPT_DRAIN:
			err = parse_ulong("--drain-ms", optarg, 1, 10000, &o->drain_ms);
			break;
		case OPT_STOP_DRAIN:
			err = parse_ulong("--stop-drain-ms", optarg, 0, 10000, &o->stop_drain_ms);
			break;
		case OPT_WAKEUP:
			err = parse_size("--wakeup-bytes", optarg, 0, 1ul << 30, &o->wakeup_bytes);
			break;
		case OPT_RB:
			err = parse_size("--rb-size", optarg, 4096, 1ul << 30, &o->rb_bytes);
			if (!err && (o->rb_bytes & (o->rb_bytes - 1))) {
				fprintf(stderr, "vgic-traced: --rb-size: %lu is not a power of two\n",
					o->rb_bytes);
				err = -EINVAL;
			}
			break;
		case OPT_VM:
			err = parse_ulong("--vm", optarg, 1, 0x7fffffff, &v);
			o->vm_filter = v;
			break;
		case OPT_NO_FENTRY:
			o->no_fentry = true;
			break;
		case OPT_TP_ONLY:
			o->no_fentry = true;
			o->no_kprobe = true;
			break;
		case OPT_DISABLE:
			err = parse_hook(optarg, &o->disabled);
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_REPORT:
			o->report = optarg;
			break;
		case OPT_JSON_LINES:
			o->json_lines = true;
			break;
		case OPT_METRICS_LISTEN:
			o->metrics_listen = optarg;
			break;
		case OPT_METRICS_FILE:
			if (!*optarg) {
				fprintf(stderr, "vgic-traced: --metrics-file: empty path\n");
				err = -EINVAL;
			}
			o->metrics_file = optarg;
			break;
		case OPT_METRICS_EVERY:
			err = parse_duration("--metrics-interval", optarg, &o->metrics_every_ns);
			if (!err && o->metrics_every_ns < 100000000ull) {
				fprintf(stderr, "vgic-traced: --metrics-interval: '%s' is below 100ms\n",
					optarg);
				err = -EINVAL;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			fputs(usage, stderr);
			return -EINVAL;
		}
	}
	if (err)
		return err;
	if (optind < argc) {
		fprintf(stderr, "vgic-traced: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}
