/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_decode.h - register decoding shared by the BPF programs and their
 * host unit test (bpf/tests/test-decode.c). Needs __u32/__u64 only.
 */
#ifndef VT_DECODE_H
#define VT_DECODE_H

/**
 * vt_dir_intid() - INTID of a guest DIR write trapped by KVM (6.19+)
 * @val:	the value written (vgic_v{2,3}_deactivate()'s argument)
 * @v2_layout:	non-zero when the guest's interface is GICv2 (GICC_DIR, or a
 *		vGICv2 guest on a GICv3 host): INTID in [9:0], the source
 *		CPUID of an SGI in [12:10]
 *
 * A GICv3 guest's ICC_DIR_EL1 holds a 24-bit INTID in [23:0] with no CPUID
 * field: extended SPIs (4096..5119) have bits [12:10] set and must keep
 * them, so the CPUID mask applies to the GICv2 layout only.
 *
 * Return: the INTID.
 */
static inline __u32 vt_dir_intid(__u64 val, int v2_layout)
{
	if (v2_layout)
		return (__u32)val & ~(7u << 10);
	return (__u32)val & 0xffffff;
}

#endif /* VT_DECODE_H */
