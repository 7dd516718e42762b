// SPDX-License-Identifier: GPL-2.0
/*
 * hooks_mmio.c - arm64, group "mmio": guest (and userspace restore)
 * writes to distributor/redistributor registers that change pending,
 * active or routing state of an IRQ without going through the LRs.
 *
 * All handlers have the signature (vcpu, gpa_t addr, unsigned int len,
 * unsigned long val) and are address-taken in the register tables, so
 * they exist in kallsyms even when static. @addr is the absolute guest
 * physical address; frames are 64 KiB aligned.
 *
 * kretprobes: VT_REC_MMIO at entry (the write as the guest made it), then
 * at return one VT_REC_IRQ_STATE per SPI the write touched (cause MMIO,
 * or MIGRATE when an IROUTER/ITARGETSR write changed the target vCPU).
 */
#include <linux/kvm_host.h>

#include "vt_internal.h"
#include "wrapper/kvm_vgic_irq.h"
#include "wrapper/kvm_vm_id.h"

#define VT_GIC_FRAME_MASK	0xffffu

/* INTID of bit 0 (bits = 1) or of the register (bits = 8, 64). */
static u32 vt_addr_to_intid(u64 addr, unsigned int bits)
{
	u64 mask = (bits * 1024 / 8) - 1;

	return ((addr & mask) * 8) >> ilog2(bits);
}

/* Kept from entry to return of a write handler. */
struct vt_mmio_data {
	struct kvm *kvm;
	u32 vcpu_id;
	u32 first;
	u32 old_target;
	u8 reg;
	u8 bits;
	u8 len;
	u64 val;
};

static int vt_mmio_entry(struct kretprobe_instance *ri, struct pt_regs *regs,
			 u8 reg, u8 bits)
{
	struct vt_mmio_data *d = (struct vt_mmio_data *)ri->data;
	struct kvm_vcpu *vcpu = (struct kvm_vcpu *)vt_arg(regs, 0);
	u64 addr = vt_arg(regs, 1);
	unsigned int len = vt_arg(regs, 2);
	struct vt_rec_mmio r = {};
	u32 vm, first;

	if (!vt_group_on(VT_GRP_MMIO) || !vcpu)
		return 1;
	/* 6.19+: the DIR trap's own ICACTIVER write, not the guest's */
	if (vt_in_dir_trap())
		return 1;
	vm = vt_kvm_vm_id(vcpu->kvm);
	if (!vt_vm_ok(vm))
		return 1;
	first = vt_addr_to_intid(addr, bits);
	/* a set/clear register covers len * 8 INTIDs from @first */
	if (bits == 1 && !vt_intid_ok(first) &&
	    !vt_intid_ok(first + len * 8 - 1))
		return 1;
	if (bits != 1 && !vt_intid_ok(first))
		return 1;
	vt_hdr_fill(&r.hdr, VT_REC_MMIO, sizeof(r), vm, vcpu->vcpu_id);
	r.reg = reg;
	r.len = len;
	r.offset = addr & VT_GIC_FRAME_MASK;
	r.first_intid = first;
	r.val = vt_arg(regs, 3);
	vt_emit_mmio(&r);

	d->kvm = vcpu->kvm;
	d->vcpu_id = vcpu->vcpu_id;
	d->first = first;
	d->reg = reg;
	d->bits = bits;
	d->len = len;
	d->val = r.val;
	d->old_target = bits == 1 ? VT_NO_VCPU : vt_spi_target(vcpu->kvm, first);
	return 0;
}

/* After the write: the state of every SPI it touched. */
static int vt_mmio_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vt_mmio_data *d = (struct vt_mmio_data *)ri->data;
	unsigned int i, nbits;
	u32 t;

	if (d->bits != 1) {
		t = vt_spi_target(d->kvm, d->first);
		vt_irq_state_emit(d->kvm, d->first,
				  t != d->old_target ? VT_CAUSE_MIGRATE :
				  VT_CAUSE_MMIO, d->vcpu_id);
		return 0;
	}
	nbits = min_t(unsigned int, d->len * 8, 64);
	for (i = 0; i < nbits; i++)
		if (d->val & BIT_ULL(i))
			vt_irq_state_emit(d->kvm, d->first + i, VT_CAUSE_MMIO,
					  d->vcpu_id);
	return 0;
}

#define VT_MMIO_ENTRY(name, reg, bits)					\
static int vt_##name##_entry(struct kretprobe_instance *ri,		\
			     struct pt_regs *regs)			\
{									\
	return vt_mmio_entry(ri, regs, reg, bits);			\
}

VT_MMIO_ENTRY(spending, VT_MMIO_ISPENDR, 1)
VT_MMIO_ENTRY(cpending, VT_MMIO_ICPENDR, 1)
VT_MMIO_ENTRY(sactive, VT_MMIO_ISACTIVER, 1)
VT_MMIO_ENTRY(cactive, VT_MMIO_ICACTIVER, 1)
VT_MMIO_ENTRY(irouter, VT_MMIO_IROUTER, 64)
VT_MMIO_ENTRY(target, VT_MMIO_ITARGETSR, 8)

/* The handlers of include/vt_hooks.def's group MMIO rows. */
#define VT_MMIO_HANDLER(name)						\
	const struct vt_handler vt_h_mmio_##name = {			\
		.entry = vt_##name##_entry, .ret = vt_mmio_ret,		\
		.data_size = sizeof(struct vt_mmio_data) }

VT_MMIO_HANDLER(spending);
VT_MMIO_HANDLER(cpending);
VT_MMIO_HANDLER(sactive);
VT_MMIO_HANDLER(cactive);
VT_MMIO_HANDLER(irouter);
VT_MMIO_HANDLER(target);
