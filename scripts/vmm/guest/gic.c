// SPDX-License-Identifier: GPL-2.0
/*
 * gic.c - distributor and CPU interface programming for GICv2 and GICv3.
 *
 * SPIs reset to edge-triggered in KVM: gic_dist_setup() writes GICD_ICFGR
 * to make them level-sensitive, without which there is no EOI maintenance,
 * no ack notification and no resample.
 */
#include "gic.h"
#include "lib.h"

/* GICv3 CPU interface registers by encoding (no assembler support needed) */
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_DIR_EL1	S3_0_C12_C11_1
#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_BPR1_EL1	S3_0_C12_C12_3
#define ICC_CTLR_EL1	S3_0_C12_C12_4
#define ICC_SRE_EL1	S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1	S3_0_C12_C12_7
#define __w(v, r)	write_sysreg(v, r)
#define __r(r)		read_sysreg(r)
#define wsys(v, r)	__w(v, r)
#define rsys(r)		__r(r)

/* GICv2 CPU interface registers */
#define GICC_CTLR	0x0000
#define GICC_PMR	0x0004
#define GICC_BPR	0x0008
#define GICC_IAR	0x000c
#define GICC_EOIR	0x0010
#define GICC_DIR	0x1000

static int is_v3(void)
{
	return sh->gic == 3;
}

void gicd_w32(vt_u32 off, vt_u32 val)
{
	mmio_w32(VT_GICD_BASE + off, val);
}

vt_u32 gicd_r32(vt_u32 off)
{
	return mmio_r32(VT_GICD_BASE + off);
}

/**
 * gic_dist_setup() - SPIs 32..32+@nr_lines-1: group 1 (v3), priority
 * GIC_PRIO, level-sensitive, routed to vCPU 0, enabled; distributor on.
 */
void gic_dist_setup(vt_u32 nr_lines)
{
	vt_u32 i, mask = (nr_lines >= 32) ? ~0u : ((1u << nr_lines) - 1);

	gicd_w32(GICD_CTLR, 0);
	if (is_v3())
		gicd_w32(GICD_IGROUPR + 4, ~0u);
	for (i = 0; i < 32; i += 4)
		gicd_w32(GICD_IPRIORITYR + 32 + i, 0x01010101u * GIC_PRIO);
	gicd_w32(GICD_ICFGR + 8, 0);	/* SPIs 32..47 level */
	gicd_w32(GICD_ICFGR + 12, 0);	/* SPIs 48..63 level */
	for (i = 0; i < nr_lines; i++)
		gic_route(32 + i, 0);
	gicd_w32(GICD_ISENABLER + 4, mask);
	/* v3: EnableGrp1 (DS=1 view) | ARE; v2: Enable */
	gicd_w32(GICD_CTLR, is_v3() ? 0x12 : 0x1);
}

/** gic_cpu_setup() - enable this vCPU's CPU interface, EOImode 0 or 1. */
void gic_cpu_setup(int eoimode)
{
	if (is_v3()) {
		wsys(rsys(ICC_SRE_EL1) | 1, ICC_SRE_EL1);
		isb();
		wsys(0xf0, ICC_PMR_EL1);
		wsys(0, ICC_BPR1_EL1);
		wsys(eoimode ? 0x2 : 0x0, ICC_CTLR_EL1);
		wsys(1, ICC_IGRPEN1_EL1);
		isb();
	} else {
		mmio_w32(VT_GICC_BASE + GICC_PMR, 0xf0);
		mmio_w32(VT_GICC_BASE + GICC_BPR, 0);
		mmio_w32(VT_GICC_BASE + GICC_CTLR, 0x1 | (eoimode ? 0x200 : 0));
	}
}

/** gic_iar() - acknowledge the highest-priority pending interrupt. */
vt_u32 gic_iar(void)
{
	vt_u32 v;

	if (is_v3()) {
		v = (vt_u32)rsys(ICC_IAR1_EL1) & 0xffffff;
		asm volatile("dsb sy" : : : "memory");
		return v;
	}
	return mmio_r32(VT_GICC_BASE + GICC_IAR) & 0x3ff;
}

/** gic_eoi() - EOIR: priority drop (and deactivation when EOImode is 0). */
void gic_eoi(vt_u32 intid)
{
	if (is_v3()) {
		wsys(intid, ICC_EOIR1_EL1);
		isb();
	} else {
		mmio_w32(VT_GICC_BASE + GICC_EOIR, intid);
	}
}

/** gic_dir() - deactivate @intid (EOImode 1). */
void gic_dir(vt_u32 intid)
{
	if (is_v3()) {
		wsys(intid, ICC_DIR_EL1);
		isb();
	} else {
		mmio_w32(VT_GICC_BASE + GICC_DIR, intid);
	}
}

/** gic_route() - send SPI @intid to vCPU @cpu (IROUTER or ITARGETSR). */
void gic_route(vt_u32 intid, vt_u32 cpu)
{
	if (is_v3()) {
		mmio_w64(VT_GICD_BASE + GICD_IROUTER + 8 * intid, cpu);
	} else {
		vt_u32 off = GICD_ITARGETSR + (intid & ~3u);
		vt_u32 sh8 = (intid & 3) * 8;
		vt_u32 v = gicd_r32(off);

		v &= ~(0xffu << sh8);
		v |= (1u << cpu) << sh8;
		gicd_w32(off, v);
	}
}

/** gic_disable() - GICD_ICENABLER for SPI @intid. */
void gic_disable(vt_u32 intid)
{
	gicd_w32(GICD_ICENABLER + 4 * (intid / 32), 1u << (intid % 32));
}
