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
 */
#include <linux/kvm_host.h>

#include "vt_internal.h"
#include "wrapper/kvm_vm_id.h"

#define VT_GIC_FRAME_MASK	0xffffu

/* INTID of bit 0 (bits = 1) or of the register (bits = 8, 64). */
static u32 vt_addr_to_intid(u64 addr, unsigned int bits)
{
	u64 mask = (bits * 1024 / 8) - 1;

	return ((addr & mask) * 8) >> ilog2(bits);
}

static void vt_mmio_record(struct pt_regs *regs, u8 reg, unsigned int bits)
{
	struct kvm_vcpu *vcpu = (struct kvm_vcpu *)vt_arg(regs, 0);
	u64 addr = vt_arg(regs, 1);
	unsigned int len = vt_arg(regs, 2);
	struct vt_rec_mmio r = {};
	u32 vm, first;

	if (!vt_group_on(VT_GRP_MMIO) || !vcpu)
		return;
	vm = vt_kvm_vm_id(vcpu->kvm);
	if (!vt_vm_ok(vm))
		return;
	first = vt_addr_to_intid(addr, bits);
	/* a set/clear register covers len * 8 INTIDs from @first */
	if (bits == 1 && !vt_intid_ok(first) &&
	    !vt_intid_ok(first + len * 8 - 1))
		return;
	if (bits != 1 && !vt_intid_ok(first))
		return;
	vt_hdr_fill(&r.hdr, VT_REC_MMIO, sizeof(r), vm, vcpu->vcpu_id);
	r.reg = reg;
	r.len = len;
	r.offset = addr & VT_GIC_FRAME_MASK;
	r.first_intid = first;
	r.val = vt_arg(regs, 3);
	vt_emit_mmio(&r);
}

#define VT_MMIO_PRE(name, reg, bits)					\
static int vt_##name##_pre(struct kprobe *kp, struct pt_regs *regs)	\
{									\
	vt_mmio_record(regs, reg, bits);				\
	return 0;							\
}

VT_MMIO_PRE(spending, VT_MMIO_ISPENDR, 1)
VT_MMIO_PRE(cpending, VT_MMIO_ICPENDR, 1)
VT_MMIO_PRE(sactive, VT_MMIO_ISACTIVER, 1)
VT_MMIO_PRE(cactive, VT_MMIO_ICACTIVER, 1)
VT_MMIO_PRE(irouter, VT_MMIO_IROUTER, 64)
VT_MMIO_PRE(target, VT_MMIO_ITARGETSR, 8)

#define VT_MMIO_PROBE(s, id, name)					\
	{ .sym = s, .hook_id = id, .group = VT_GRP_MMIO,		\
	  .pre = vt_##name##_pre }

static struct vt_probe vt_mmio_probes[] = {
	VT_MMIO_PROBE("vgic_mmio_write_spending", VT_HOOK_MMIO_PENDING, spending),
	VT_MMIO_PROBE("vgic_mmio_write_cpending", VT_HOOK_MMIO_PENDING, cpending),
	VT_MMIO_PROBE("vgic_mmio_write_sactive", VT_HOOK_MMIO_ACTIVE, sactive),
	VT_MMIO_PROBE("vgic_mmio_write_cactive", VT_HOOK_MMIO_ACTIVE, cactive),
	VT_MMIO_PROBE("vgic_mmio_write_irouter", VT_HOOK_MMIO_ROUTE, irouter),
	VT_MMIO_PROBE("vgic_mmio_write_target", VT_HOOK_MMIO_ROUTE, target),
};

struct vt_probe_set vt_set_mmio = {
	.name = "mmio",
	.probes = vt_mmio_probes,
	.nr = ARRAY_SIZE(vt_mmio_probes),
};
