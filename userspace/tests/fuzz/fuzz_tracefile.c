// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_tracefile.c - libFuzzer: bytes as a vgic-trace file -> reader ->
 * engine -> every report (text, JSON, stats, HTML with per-finding
 * timelines from a second pass) and the Perfetto timeline, both ways the
 * CLI builds it (fuzz_file.h). trace-cmd recordings: fuzz_tracecmd.
 */
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_file(data, size, false);
}
