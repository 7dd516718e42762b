/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gic.h - the guest's view of the (virtual) GIC, v2 (MMIO CPU interface)
 * or v3 (system-register CPU interface), chosen at run time.
 */
#ifndef VT_GUEST_GIC_H
#define VT_GUEST_GIC_H

#include "shared.h"

/* Distributor register offsets (same on v2 and v3 for these) */
#define GICD_CTLR		0x000
#define GICD_IGROUPR		0x080
#define GICD_ISENABLER		0x100
#define GICD_ICENABLER		0x180
#define GICD_ISPENDR		0x200
#define GICD_ICPENDR		0x280
#define GICD_ISACTIVER		0x300
#define GICD_ICACTIVER		0x380
#define GICD_IPRIORITYR		0x400
#define GICD_ITARGETSR		0x800	/* v2 */
#define GICD_ICFGR		0xc00
#define GICD_IROUTER		0x6000	/* v3, 64-bit per INTID */

#define GIC_SPURIOUS		1020
#define GIC_PRIO		0xa0

void gicd_w32(vt_u32 off, vt_u32 val);
vt_u32 gicd_r32(vt_u32 off);
void gic_dist_setup(vt_u32 nr_lines);
void gic_cpu_setup(int eoimode);
vt_u32 gic_iar(void);
void gic_eoi(vt_u32 intid);
void gic_dir(vt_u32 intid);
void gic_route(vt_u32 intid, vt_u32 cpu);
void gic_disable(vt_u32 intid);

/* bit of SPI @intid in the second word of a 1-bit-per-INTID register */
#define SPI_BIT(intid)		(1u << ((intid) - 32))

#endif /* VT_GUEST_GIC_H */
