/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/kvm_vgic_inject.h - arm64 only: arguments of
 * kvm_vgic_inject_irq().
 *
 * 6.1:   (struct kvm *kvm, int cpuid, unsigned int intid, bool level,
 *         void *owner)
 * 6.8+:  (struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int intid,
 *         bool level, void *owner)
 */
#ifndef _VT_WRAPPER_KVM_VGIC_INJECT_H
#define _VT_WRAPPER_KVM_VGIC_INJECT_H

#include <linux/kvm_host.h>
#include <linux/version.h>

#include "vgic_trace_abi.h"

/* Target vCPU id of a private IRQ from argument 1, VT_NO_VCPU for SPIs. */
static inline u32 vt_inject_vcpu(unsigned long arg1, u32 intid)
{
	if (intid >= VT_SPI_BASE)
		return VT_NO_VCPU;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	return arg1 ? ((struct kvm_vcpu *)arg1)->vcpu_id : VT_NO_VCPU;
#else
	return (u32)(int)arg1;
#endif
}

#endif /* _VT_WRAPPER_KVM_VGIC_INJECT_H */
