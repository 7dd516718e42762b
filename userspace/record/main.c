// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - vgic-traced entry point (the daemon is daemon.c; the BPF
 * backend is linked here only, so the rest is testable without libbpf).
 */
#include <string.h>
#include "traced.h"
#include "vt_version.h"

VT_ABI_STATIC_CHECKS();

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--version"))
		return vt_print_version(stdout, "vgic-traced");
	return vt_traced_main(argc, argv, vt_source_bpf_open);
}
