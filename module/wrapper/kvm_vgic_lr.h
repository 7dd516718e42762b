/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/kvm_vgic_lr.h - arm64 only: the vgic list register cache.
 *
 * 6.1 .. 7.2: vcpu->arch.vgic_cpu.vgic_v2 / vgic_v3 (a union) hold
 * vgic_lr[] and used_lrs. Which member is live depends on the HOST GIC
 * (a GICv2 guest on a GICv3 host uses vgic_v3 with GICH-style fields),
 * so the caller passes the host version.
 */
#ifndef _VT_WRAPPER_KVM_VGIC_LR_H
#define _VT_WRAPPER_KVM_VGIC_LR_H

#include <linux/kvm_host.h>
#include <kvm/arm_vgic.h>

#include "vgic_trace_abi.h"

/**
 * vt_vcpu_read_lrs - copy the cached LRs of a vCPU
 * @vcpu:	the vCPU
 * @gic:	host GIC version (VT_GIC_V2 or VT_GIC_V3)
 * @lr:		out: VT_MAX_LR values
 * @hcr:	out: cached HCR (what KVM last wrote, not the hardware)
 *
 * Return: cpuif->used_lrs (may exceed VT_MAX_LR; extra LRs not copied).
 */
static inline unsigned int vt_vcpu_read_lrs(struct kvm_vcpu *vcpu, u8 gic,
					    u64 *lr, u32 *hcr)
{
	unsigned int used, i;

	if (gic == VT_GIC_V2) {
		struct vgic_v2_cpu_if *c = &vcpu->arch.vgic_cpu.vgic_v2;

		used = READ_ONCE(c->used_lrs);
		for (i = 0; i < min_t(unsigned int, used, VT_MAX_LR); i++)
			lr[i] = c->vgic_lr[i];
		*hcr = c->vgic_hcr;
	} else {
		struct vgic_v3_cpu_if *c = &vcpu->arch.vgic_cpu.vgic_v3;

		used = READ_ONCE(c->used_lrs);
		used = min_t(unsigned int, used, VGIC_V3_MAX_LRS);
		for (i = 0; i < min_t(unsigned int, used, VT_MAX_LR); i++)
			lr[i] = c->vgic_lr[i];
		*hcr = c->vgic_hcr;
	}
	return used;
}

/**
 * vt_vcpu_used_lrs - LRs in use and cached HCR of a vCPU, without copying
 * @vcpu:	the vCPU
 * @gic:	host GIC version
 * @hcr:	out: cached vgic_hcr (6.19+: holds the EOIcount at the fold)
 *
 * Return: cpuif->used_lrs.
 */
static inline unsigned int vt_vcpu_used_lrs(struct kvm_vcpu *vcpu, u8 gic,
					    u32 *hcr)
{
	if (gic == VT_GIC_V2) {
		*hcr = READ_ONCE(vcpu->arch.vgic_cpu.vgic_v2.vgic_hcr);
		return READ_ONCE(vcpu->arch.vgic_cpu.vgic_v2.used_lrs);
	}
	*hcr = READ_ONCE(vcpu->arch.vgic_cpu.vgic_v3.vgic_hcr);
	return READ_ONCE(vcpu->arch.vgic_cpu.vgic_v3.used_lrs);
}

/* Nothing on the vCPU's ap_list: flush/sync return at once, no LR used. */
static inline bool vt_vcpu_ap_list_empty(struct kvm_vcpu *vcpu)
{
	return list_empty_careful(&vcpu->arch.vgic_cpu.ap_list_head);
}

/* INTID in an LR value: GICv2-model guests use the 10-bit field. */
static inline u32 vt_lr_intid(struct kvm_vcpu *vcpu, u8 gic, u64 val)
{
	if (gic == VT_GIC_V2 ||
	    vcpu->kvm->arch.vgic.vgic_model == KVM_DEV_TYPE_ARM_VGIC_V2)
		return val & VT_GICH_LR_VINTID_MASK;
	return val & VT_ICH_LR_VINTID_MASK;
}

#endif /* _VT_WRAPPER_KVM_VGIC_LR_H */
