// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_tracecmd.c - libFuzzer: bytes as a trace-cmd recording (.dat,
 * written to a memfd) -> libtracecmd -> import_tracecmd.c (--from
 * auto/vgic/kvm by input size) -> engine -> every report, HTML and
 * timeline (fuzz_file.h). Inputs without the trace-cmd magic are
 * rejected (fuzz_tracefile takes them). Slow (libtracecmd opens the file
 * three times per input: probe, pass 1, pass 2): fuzz-smoke gives it
 * two thirds of FUZZ_TIME.
 */
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_file(data, size, true);
}
