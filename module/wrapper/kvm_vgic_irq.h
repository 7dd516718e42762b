/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/kvm_vgic_irq.h - arm64 only: the software state of one SPI.
 *
 * 6.1: struct vgic_irq has bool fields and kvm->arch.vgic.spis[] is an
 * array of nr_spis entries (INTID 32 + index). Mainline 6.19 turned the
 * flags into bitfields and moved SPIs to an xarray-backed lookup; a port
 * changes only this header.
 */
#ifndef _VT_WRAPPER_KVM_VGIC_IRQ_H
#define _VT_WRAPPER_KVM_VGIC_IRQ_H

#include <linux/kvm_host.h>
#include <kvm/arm_vgic.h>

#include "vgic_trace_abi.h"

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
	r->line_level = READ_ONCE(irq->line_level);
	r->pending_latch = READ_ONCE(irq->pending_latch);
	r->active = READ_ONCE(irq->active);
	r->enabled = READ_ONCE(irq->enabled);
	r->config = irq->config == VGIC_CONFIG_LEVEL ? VT_CFG_LEVEL : VT_CFG_EDGE;
	r->hw = READ_ONCE(irq->hw);
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
