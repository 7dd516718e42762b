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
#include "vt_record.h"

static const char usage[] =
"Usage: vgic-traced [OPTIONS]\n"
"Record vgic / irqfd resample / VFIO INTx events into a trace file and\n"
"run the anomaly detector live. Records come from the vgic_trace module's\n"
"device when it exists, else from the BPF backend. SIGINT/SIGTERM stop,\n"
"flush the file and print a summary.\n"
"\n"
"  -o, --output FILE       trace file to write (default vgic-trace.vtr)\n"
"  -f, --force             overwrite FILE if it exists\n"
"  -b, --backend NAME      auto (default), module or bpf\n"
"      --device PATH       module device (default " VT_DEVICE_PATH ")\n"
"  -d, --duration SEC      stop after SEC seconds (default: until a signal)\n"
"      --drain-ms MS       drain the buffer every MS ms (default 10)\n"
"      --wakeup-bytes N    BPF: wake the reader once N bytes are queued\n"
"                          (default 65536; 0 = timed drain only)\n"
"      --rb-size BYTES     BPF ring buffer size, power of two (default 4M)\n"
"      --vm PID            only the VM whose VMM has this tgid\n"
"      --no-fentry         BPF: skip fentry/fexit, start with kprobes\n"
"      --tracepoints-only  BPF: upstream kvm:* tracepoints only (degraded)\n"
"      --disable HOOK      BPF: switch a hook off (repeatable; names as in\n"
"                          the summary, e.g. lr_flush, mmio_route)\n"
"  -q, --quiet             do not print findings as they happen\n"
"      --report FILE       write the text report to FILE at exit\n"
"  -h, --help              this text\n"
"\n"
"Examples:\n"
"  vgic-traced -o run.vtr                 # until Ctrl-C\n"
"  vgic-traced -b bpf -d 10 -o bpf.vtr    # BPF backend for 10 s\n";

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
};

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "backend", required_argument, NULL, 'b' },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "duration", required_argument, NULL, 'd' },
	{ "drain-ms", required_argument, NULL, OPT_DRAIN },
	{ "wakeup-bytes", required_argument, NULL, OPT_WAKEUP },
	{ "rb-size", required_argument, NULL, OPT_RB },
	{ "vm", required_argument, NULL, OPT_VM },
	{ "no-fentry", no_argument, NULL, OPT_NO_FENTRY },
	{ "tracepoints-only", no_argument, NULL, OPT_TP_ONLY },
	{ "disable", required_argument, NULL, OPT_DISABLE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* strtoul with full-string, range and sign checks */
static int parse_ulong(const char *opt, const char *s, unsigned long min,
		       unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-') {
		fprintf(stderr, "vgic-traced: %s: '%s' is not a number\n", opt, s);
		return -EINVAL;
	}
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "vgic-traced: %s: '%s' is not a number\n", opt, s);
		return -EINVAL;
	}
	if (v < min || v > max) {
		fprintf(stderr, "vgic-traced: %s: %lu out of range [%lu, %lu]\n",
			opt, v, min, max);
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
	o->output = "vgic-trace.vtr";
	o->device = VT_DEVICE_PATH;
	o->drain_ms = 10;
	o->wakeup_bytes = 64 * 1024;
	o->rb_bytes = 4u << 20;

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
			err = parse_ulong("--duration", optarg, 1, 86400 * 365, &o->duration_s);
			break;
		case OPT_DRAIN:
			err = parse_ulong("--drain-ms", optarg, 1, 10000, &o->drain_ms);
			break;
		case OPT_WAKEUP:
			err = parse_ulong("--wakeup-bytes", optarg, 0, 1ul << 30, &o->wakeup_bytes);
			break;
		case OPT_RB:
			err = parse_ulong("--rb-size", optarg, 4096, 1ul << 30, &o->rb_bytes);
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
