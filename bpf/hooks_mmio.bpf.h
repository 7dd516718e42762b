/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks_mmio.bpf.h - guest writes to distributor registers (arm64):
 * vgic_mmio_write_{s,c}{pending,active}, _irouter, _target, all
 * (vcpu, gpa_t addr, unsigned int len, unsigned long val), at entry.
 */
#ifndef HOOKS_MMIO_BPF_H
#define HOOKS_MMIO_BPF_H

/* VGIC_ADDR_TO_INTID(addr, bits) of vgic-mmio.h */
static __always_inline __u32 vt_addr_to_intid(__u64 addr, __u32 bits)
{
	__u64 mask = (1024ull * bits / 8) - 1;

	return (__u32)(((addr & mask) * 8) / bits);
}

static __always_inline int vt_mmio(struct kvm_vcpu *vcpu, __u64 addr,
				   __u32 len, __u64 val, __u8 reg, __u32 bits)
{
	struct vt_rec_mmio *r;
	__u32 vm = vt_vcpu_vm(vcpu);
	__u64 base;

	if (!vt_want_vm(vm))
		return 0;
	r = vt_reserve(sizeof(*r));
	if (!r)
		return 0;
	vt_fill_hdr(&r->hdr, VT_REC_MMIO, sizeof(*r), vm, vt_vcpu_id(vcpu));
	base = BPF_CORE_READ(vcpu, kvm, arch.vgic.vgic_dist_base);
	r->reg = reg;
	r->len = len;
	r->__pad = 0;
	/* the same handlers serve the redistributor's private IRQ frame */
	r->offset = (addr >= base && addr - base < 0x10000) ?
		(__u32)(addr - base) : (__u32)(addr & 0xffff);
	r->first_intid = vt_addr_to_intid(addr, bits);
	r->__pad2 = 0;
	r->val = val;
	vt_submit(r);
	return 0;
}

#define VT_MMIO_HOOK(name, reg, bits)					\
SEC("fentry/vgic_mmio_write_" #name)					\
int BPF_PROG(fe_mmio_##name, struct kvm_vcpu *vcpu, __u64 addr,	\
	     unsigned int len, unsigned long val)			\
{									\
	return vt_mmio(vcpu, addr, len, val, reg, bits);		\
}									\
SEC("kprobe/vgic_mmio_write_" #name)					\
int BPF_KPROBE(kp_mmio_##name, struct kvm_vcpu *vcpu, __u64 addr,	\
	       unsigned int len, unsigned long val)			\
{									\
	return vt_mmio(vcpu, addr, len, val, reg, bits);		\
}

VT_MMIO_HOOK(spending, VT_MMIO_ISPENDR, 1)
VT_MMIO_HOOK(cpending, VT_MMIO_ICPENDR, 1)
VT_MMIO_HOOK(sactive, VT_MMIO_ISACTIVER, 1)
VT_MMIO_HOOK(cactive, VT_MMIO_ICACTIVER, 1)
VT_MMIO_HOOK(irouter, VT_MMIO_IROUTER, 64)
VT_MMIO_HOOK(target, VT_MMIO_ITARGETSR, 8)

#endif /* HOOKS_MMIO_BPF_H */
