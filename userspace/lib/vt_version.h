/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_version.h - the one version of vgic-trace: both tools' --version,
 * the DKMS package (dist/dkms/dkms.conf gets it from dist/install.mk)
 * and the man pages read VT_VERSION from this line.
 */
#ifndef VT_VERSION_H
#define VT_VERSION_H

#include <stdio.h>

#define VT_VERSION "0.1.0"

/**
 * vt_print_version() - the --version text of a tool
 * @f:		output
 * @tool:	"vgic-trace" or "vgic-traced"
 *
 * Prints the version, the record ABI and trace file format versions and,
 * for vgic-trace, whether trace-cmd .dat import was built in.
 *
 * Return: 0 (the exit status of --version).
 */
int vt_print_version(FILE *f, const char *tool);

#endif /* VT_VERSION_H */
