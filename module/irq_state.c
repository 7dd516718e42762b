// SPDX-License-Identifier: GPL-2.0
/*
 * irq_state.c - arm64: VT_REC_IRQ_STATE records, the vgic software state
 * of an SPI after an event changed it (injection, GICD write, target
 * change). Used by hooks_inject.c and hooks_mmio.c.
 */
#include <linux/kvm_host.h>

#include "vt_internal.h"
#include "wrapper/kvm_vgic_irq.h"
#include "wrapper/kvm_vm_id.h"

/**
 * vt_irq_state_emit - emit the state of one SPI
 * @kvm:	the VM
 * @intid:	INTID (only SPIs are reported)
 * @cause:	VT_CAUSE_*
 * @vcpu_id:	vCPU that caused it, or VT_NO_VCPU
 */
void vt_irq_state_emit(struct kvm *kvm, u32 intid, u8 cause, u32 vcpu_id)
{
	struct vt_rec_irq_state r = {};
	u32 vm = vt_kvm_vm_id(kvm);

	if (!vt_vm_ok(vm) || !vt_intid_ok(intid))
		return;
	if (!vt_spi_read_state(kvm, intid, &r))
		return;
	vt_hdr_fill(&r.hdr, VT_REC_IRQ_STATE, sizeof(r), vm, vcpu_id);
	r.cause = cause;
	vt_emit_irq_state(&r);
}
