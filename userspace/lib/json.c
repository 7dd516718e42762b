// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * json.c - JSON string escaping for the reports.
 */
#include <stdio.h>
#include "report.h"

void vt_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}
