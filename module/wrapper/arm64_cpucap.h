/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/arm64_cpucap.h - the cpucap "GICv3 system register CPU
 * interface usable", renamed twice:
 *   6.1:  ARM64_HAS_SYSREG_GIC_CPUIF
 *   6.3:  ARM64_HAS_GIC_CPUIF_SYSREGS
 *   7.x:  ARM64_HAS_GICV3_CPUIF (next to ARM64_HAS_GICV5_CPUIF)
 * The cpucaps are #defines (asm/cpucap-defs.h, generated), so the name
 * the headers provide is selected with #ifdef.
 */
#ifndef _VT_WRAPPER_ARM64_CPUCAP_H
#define _VT_WRAPPER_ARM64_CPUCAP_H

#include <asm/cpufeature.h>

#if defined(ARM64_HAS_GICV3_CPUIF)
#define VT_CPUCAP_GICV3_CPUIF	ARM64_HAS_GICV3_CPUIF
#elif defined(ARM64_HAS_GIC_CPUIF_SYSREGS)
#define VT_CPUCAP_GICV3_CPUIF	ARM64_HAS_GIC_CPUIF_SYSREGS
#elif defined(ARM64_HAS_SYSREG_GIC_CPUIF)
#define VT_CPUCAP_GICV3_CPUIF	ARM64_HAS_SYSREG_GIC_CPUIF
#else
#error "vgic_trace: no GICv3 CPU interface cpucap in these headers"
#endif

#endif /* _VT_WRAPPER_ARM64_CPUCAP_H */
