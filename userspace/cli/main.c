// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * main.c - vgic-trace entry point.
 */
#include <string.h>
#include "cli.h"
#include "vt_version.h"

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--version"))
		return vt_print_version(stdout, "vgic-trace");
	return vt_cli_main(argc, argv);
}
