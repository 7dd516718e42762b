// SPDX-License-Identifier: GPL-2.0
/*
 * test-decode.c - host unit test of bpf/vt_decode.h, the decoding the BPF
 * programs apply to kernel values (run by `make -C bpf`, stage bpf-build).
 */
#include <linux/types.h>
#include <stdio.h>
#include "../vt_decode.h"

static int failed;

static void expect(const char *what, __u32 got, __u32 want)
{
	if (got != want) {
		printf("not ok - %s: %u (0x%x), want %u (0x%x)\n", what, got,
		       got, want, want);
		failed++;
	} else {
		printf("ok - %s\n", what);
	}
}

int main(void)
{
	/* GICv3 guest: ICC_DIR_EL1 INTID [23:0], no CPUID field */
	expect("v3 SPI 37", vt_dir_intid(37, 0), 37);
	expect("v3 extended SPI 4096", vt_dir_intid(4096, 0), 4096);
	expect("v3 extended SPI 5119 (bits 12:10 set)", vt_dir_intid(5119, 0), 5119);
	expect("v3 INTID 0x1c20 keeps [12:10]", vt_dir_intid(0x1c20, 0), 0x1c20);
	expect("v3 RES0 bits above [23:0] dropped",
	       vt_dir_intid(0xff000000ull | 4100, 0), 4100);
	/* GICv2 layout: CPUID [12:10] of an SGI removed, as the kernel does */
	expect("v2 SPI 37", vt_dir_intid(37, 1), 37);
	expect("v2 SGI 3 from CPU 5", vt_dir_intid((5u << 10) | 3, 1), 3);
	expect("v2 SPI 100, CPUID 7", vt_dir_intid((7u << 10) | 100, 1), 100);
	if (failed)
		printf("%d failed\n", failed);
	return failed ? 1 : 0;
}
