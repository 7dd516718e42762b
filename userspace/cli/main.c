// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * main.c - vgic-trace entry point.
 */
#include "cli.h"

int main(int argc, char **argv)
{
	return vt_cli_main(argc, argv);
}
