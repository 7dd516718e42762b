// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_numbers.c - libFuzzer: the shared number parser (numbers,
 * durations, sizes, CLI wrappers) on the input as text, and the LR
 * decoder/encoder/formatter on its first 8 bytes as a GICv2/v3 value.
 * Checks: a parsed number prints back to itself (decimal or 0x), an LR
 * that decodes re-encodes to a value that decodes the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "vt_lr.h"
#include "vt_num.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lr(unsigned int gic, uint64_t raw)
{
	struct vt_lr a, b;
	uint64_t again;
	char buf[100];

	vt_lr_format(gic, raw, buf, sizeof(buf));
	if (vt_lr_decode(gic, raw, &a))
		return;
	vt_lr_state_name(a.state);
	vt_lr_signals_eoi(&a);
	if (vt_lr_encode(gic, &a, &again))
		return;
	if (vt_lr_decode(gic, again, &b) || memcmp(&a, &b, sizeof(a)))
		abort();	/* decode(encode(decode(x))) != decode(x) */
	vt_lr_guest_eoied(&a, &b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64];
	uint64_t v, raw = 0;

	memcpy(&raw, data, size < 8 ? size : 8);
	lr(3, raw);
	lr(2, raw & 0xffffffffu);
	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (!vt_num_u64(text, &v)) {
		/* what was accepted is exactly a decimal or 0x hex number */
		if (strtoull(text, NULL, text[1] == 'x' || text[1] == 'X' ? 16 : 10) != v)
			abort();
		if (vt_parse_u64(text, &v))
			abort();	/* the CLI must agree */
	}
	vt_num_range(text, 1, 1000, &v);
	vt_num_duration(text, 1, &v);
	vt_num_duration(text, 1000000000ull, &v);
	vt_num_size(text, &v);
	vt_parse_duration(text, &v);
	return 0;
}
