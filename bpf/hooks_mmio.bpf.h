/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks_mmio.bpf.h - guest writes to distributor registers (arm64):
 * vgic_mmio_write_{s,c}{pending,active}, _irouter, _target, all
 * (vcpu, gpa_t addr, unsigned int len, unsigned long val).
 *   entry (kprobe):  VT_REC_MMIO, and the old target of a route write
 *   return (kretprobe): VT_REC_IRQ_STATE of every SPI the write touched
 *                    (cause MMIO, or MIGRATE when the target changed)
 *   fexit: both at return (the old target is not known: cause MMIO)
 */
#ifndef HOOKS_MMIO_BPF_H
#define HOOKS_MMIO_BPF_H

/* VGIC_ADDR_TO_INTID(addr, bits) of vgic-mmio.h */
static __always_inline __u32 vt_addr_to_intid(__u64 addr, __u32 bits)
{
	__u64 mask = (1024ull * bits / 8) - 1;

	return (__u32)(((addr & mask) * 8) / bits);
}

static __always_inline __u32 vt_spi_target(struct kvm *kvm, __u32 intid)
{
	struct vgic_irq *irq = vt_spi_irq(kvm, intid);

	return irq ? vt_vcpu_id(BPF_CORE_READ(irq, target_vcpu)) : VT_NO_VCPU;
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

static __always_inline void vt_state_one(struct kvm *kvm, __u32 vm, __u32 vcpu,
					 __u32 intid, __u8 cause)
{
	struct vt_rec_irq_state *s;
	struct vgic_irq *irq = vt_spi_irq(kvm, intid);

	if (!irq)
		return;
	s = vt_reserve(sizeof(*s));
	if (!s)
		return;
	vt_fill_hdr(&s->hdr, VT_REC_IRQ_STATE, sizeof(*s), vm, vcpu);
	vt_read_irq(irq, s);
	s->cause = cause;
	s->__pad = 0;
	s->__pad2 = 0;
	vt_submit(s);
}

/* after the write: the SPIs it touched */
static __always_inline int vt_mmio_states(struct kvm_vcpu *vcpu, __u64 addr,
					  __u32 len, __u64 val, __u32 bits,
					  __u32 old_target)
{
	struct kvm *kvm = BPF_CORE_READ(vcpu, kvm);
	__u32 vm = vt_kvm_vm(kvm), id = vt_vcpu_id(vcpu);
	__u32 first = vt_addr_to_intid(addr, bits), nbits, i;
	__u8 cause = VT_CAUSE_MMIO;

	if (!vt_want_vm(vm))
		return 0;
	if (bits != 1) {
		if (old_target != VT_NO_VCPU &&
		    vt_spi_target(kvm, first) != old_target)
			cause = VT_CAUSE_MIGRATE;
		vt_state_one(kvm, vm, id, first, cause);
		return 0;
	}
	nbits = len * 8 > 32 ? 32 : len * 8;
	for (i = 0; i < 32; i++) {
		if (i >= nbits)
			break;
		if (val & (1ull << i))
			vt_state_one(kvm, vm, id, first + i, cause);
	}
	return 0;
}

#define VT_MMIO_HOOK(name, hook, reg, bits)				\
SEC("fexit/vgic_mmio_write_" #name)					\
int BPF_PROG(fx_mmio_##name, struct kvm_vcpu *vcpu, __u64 addr,	\
	     unsigned int len, unsigned long val)			\
{									\
	vt_mmio(vcpu, addr, len, val, reg, bits);			\
	return vt_mmio_states(vcpu, addr, len, val, bits, VT_NO_VCPU);	\
}									\
SEC("kprobe/vgic_mmio_write_" #name)					\
int BPF_KPROBE(kp_mmio_##name, struct kvm_vcpu *vcpu, __u64 addr,	\
	       unsigned int len, unsigned long val)			\
{									\
	__u32 old = VT_NO_VCPU;						\
									\
	vt_mmio(vcpu, addr, len, val, reg, bits);			\
	if (bits != 1)							\
		old = vt_spi_target(BPF_CORE_READ(vcpu, kvm),		\
				    vt_addr_to_intid(addr, bits));	\
	vt_stash_put(hook, (__u64)vcpu, addr, val,			\
		     (__u64)len | ((__u64)old << 32));			\
	return 0;							\
}									\
SEC("kretprobe/vgic_mmio_write_" #name)					\
int BPF_KRETPROBE(kr_mmio_##name)					\
{									\
	struct vt_stash_val v;						\
									\
	if (!vt_stash_take(hook, &v))					\
		return 0;						\
	return vt_mmio_states((void *)v.arg[0], v.arg[1],		\
			      (__u32)v.arg[3], v.arg[2], bits,		\
			      (__u32)(v.arg[3] >> 32));			\
}

VT_MMIO_HOOK(spending, VT_HOOK_MMIO_PENDING, VT_MMIO_ISPENDR, 1)
VT_MMIO_HOOK(cpending, VT_HOOK_MMIO_PENDING, VT_MMIO_ICPENDR, 1)
VT_MMIO_HOOK(sactive, VT_HOOK_MMIO_ACTIVE, VT_MMIO_ISACTIVER, 1)
VT_MMIO_HOOK(cactive, VT_HOOK_MMIO_ACTIVE, VT_MMIO_ICACTIVER, 1)
VT_MMIO_HOOK(irouter, VT_HOOK_MMIO_ROUTE, VT_MMIO_IROUTER, 64)
VT_MMIO_HOOK(target, VT_HOOK_MMIO_ROUTE, VT_MMIO_ITARGETSR, 8)

#endif /* HOOKS_MMIO_BPF_H */
