// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * commands.c - the verb table and top-level help.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const struct vt_cmd commands[] = {
	{ "report",  "per-IRQ table, findings with evidence, latency, lost records", cmd_report },
	{ "check",   "exit 0 when clean, 1 on findings, 2 on error (for CI)", cmd_check },
	{ "stats",   "counts per record type, VFIO event and LR transition", cmd_stats },
	{ "convert", "raw record stream (/dev/vgic_trace, ring buffer dump) -> trace file", cmd_convert },
	{ "import",  "human-readable scenario text -> trace file (replay tests)", cmd_import },
	{ "timeline", "Chrome/Perfetto trace-event JSON: per-IRQ and per-vCPU LR tracks", cmd_timeline },
	{ "lr",      "decode list register values", cmd_lr },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: vgic-trace COMMAND [OPTIONS] ...\n"
		"Trace and diagnose virtual interrupt delivery on KVM/arm64.\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\nExamples:\n"
		"  vgic-trace convert --raw dev.raw -o run.vgt\n"
		"  vgic-trace report run.vgt\n"
		"  vgic-trace check run.vgt || echo anomalies\n"
		"  vgic-trace stats --json run.vgt\n"
		"  vgic-trace import scenario.txt -o scenario.vgt\n"
		"  vgic-trace timeline run.vgt -o run.json   # open in ui.perfetto.dev\n"
		"  vgic-trace lr --gic 3 0x1080020000000020\n"
		"\n'vgic-trace COMMAND --help' describes a command.\n");
}

int vt_cli_main(int argc, char **argv)
{
	static char verb[32];
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return VT_EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return VT_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			/* getopt's messages then say "vgic-trace report: ..." */
			snprintf(verb, sizeof(verb), "vgic-trace %s", argv[1]);
			argv[1] = verb;
			return commands[i].run(argc - 1, argv + 1);
		}
	fprintf(stderr, "vgic-trace: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return VT_EXIT_ERROR;
}
