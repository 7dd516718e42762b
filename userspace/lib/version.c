// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * version.c - --version of vgic-trace and vgic-traced.
 */
#include <string.h>
#include "vt_tracefile.h"
#include "vt_version.h"

int vt_print_version(FILE *f, const char *tool)
{
	fprintf(f, "%s %s\n", tool, VT_VERSION);
	fprintf(f, "record ABI %u.%u, trace file format %u.%u\n", VT_ABI_MAJOR,
		VT_ABI_MINOR, VT_FILE_MAJOR, VT_FILE_MINOR);
	if (!strcmp(tool, "vgic-trace"))
#ifdef VT_HAVE_TRACECMD
		fprintf(f, "trace-cmd .dat import: yes (libtracecmd, libtraceevent)\n");
#else
		fprintf(f, "trace-cmd .dat import: no (built without libtracecmd)\n");
#endif
	return 0;
}
