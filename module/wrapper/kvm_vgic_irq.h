/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/kvm_vgic_irq.h - arm64 only: the software state of one SPI.
 *
 * 6.1: struct vgic_irq has bool fields and kvm->arch.vgic.spis[] is an
 * array of nr_spis entries (INTID 32 + index). 6.19 (Debian 7.2) keeps
 * spis[] but turns the flags into bitfields (vt_irq_flag() below).
 */
#ifndef _VT_WRAPPER_KVM_VGIC_IRQ_H
#define _VT_WRAPPER_KVM_VGIC_IRQ_H

#include <linux/kvm_host.h>
#include <kvm/arm_vgic.h>

#include "vgic_trace_abi.h"

/*
 * One flag of struct vgic_irq, read without the irq_lock (a tracing
 * snapshot). A plain read works on both layouts: the 6.1-6.18 bool
 * fields and the 6.19+ bitfields (READ_ONCE() cannot take the address
 * of a bitfield); data_race() tells KCSAN the race is intended.
 */
#define vt_irq_flag(f)	data_race((unsigned int)(f))

/**
 * vt_spi_read_state - fill the state fields of an IRQ_STATE record
 * @kvm:	the VM
 * @intid:	SPI INTID
 * @r:		record to fill (intid .. hw)
 *
 * Reads without the irq_lock: a snapshot for tracing.
 *
 * Return: true when @intid is a valid SPI of @kvm.
 */
static inline bool vt_spi_read_state(struct kvm *kvm, u32 intid,
				     struct vt_rec_irq_state *r)
{
	struct vgic_dist *d = &kvm->arch.vgic;
	struct kvm_vcpu *v;
	struct vgic_irq *irq;

	if (intid < VT_SPI_BASE || !d->spis ||
	    intid - VT_SPI_BASE >= (u32)READ_ONCE(d->nr_spis))
		return false;
	irq = &d->spis[intid - VT_SPI_BASE];
	r->intid = intid;
	v = READ_ONCE(irq->target_vcpu);
	r->target_vcpu = v ? v->vcpu_id : VT_NO_VCPU;
	v = READ_ONCE(irq->vcpu);
	r->ap_vcpu = v ? v->vcpu_id : VT_NO_VCPU;
	r->line_level = vt_irq_flag(irq->line_level);
	r->pending_latch = vt_irq_flag(irq->pending_latch);
	r->active = vt_irq_flag(irq->active);
	r->enabled = vt_irq_flag(irq->enabled);
	r->config = vt_irq_flag(irq->config) == VGIC_CONFIG_LEVEL ? VT_CFG_LEVEL : VT_CFG_EDGE;
	r->hw = vt_irq_flag(irq->hw);
	return true;
}

/* Current target vCPU id of an SPI, VT_NO_VCPU if none/invalid. */
static inline u32 vt_spi_target(struct kvm *kvm, u32 intid)
{
	struct vt_rec_irq_state r;

	if (!vt_spi_read_state(kvm, intid, &r))
		return VT_NO_VCPU;
	return r.target_vcpu;
}

#endif /* _VT_WRAPPER_KVM_VGIC_IRQ_H */
