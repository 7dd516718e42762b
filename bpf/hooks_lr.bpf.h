/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks_lr.bpf.h - list registers at guest entry and exit (arm64).
 *   LR_FLUSH: return of kvm_vgic_flush_hwstate(vcpu) (fexit | kprobe+kretprobe),
 *             only when LRs are in use
 *   LR_FOLD:  entry of vgic_v{2,3}_fold_lr_state(vcpu) (fentry | kprobe);
 *             used_lrs is read at entry (fold zeroes it).
 */
#ifndef HOOKS_LR_BPF_H
#define HOOKS_LR_BPF_H

/* GIC of the last fold seen, when the loader could not tell. */
__u8 vt_seen_gic = 0;
/* LRs implemented, learnt from an underflow (see below); 0 unknown */
__u8 vt_nr_lrs_seen = 0;

/*
 * vgic_v{2,3}_set_underflow() is called by the flush exactly when every
 * LR got filled and more IRQs wait: the used_lrs of that flush IS the
 * number of implemented LRs (kvm_vgic_global_state is data, not in
 * Debian's kallsyms). Per CPU: the flush runs with IRQs disabled.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);	/* vcpu pointer of the underflowing flush */
} vt_underflow SEC(".maps");

static __always_inline int vt_mark_underflow(struct kvm_vcpu *vcpu)
{
	__u32 zero = 0;
	__u64 *u = bpf_map_lookup_elem(&vt_underflow, &zero);

	if (u)
		*u = (__u64)vcpu;
	return 0;
}

SEC("fentry/vgic_v3_set_underflow")
int BPF_PROG(fe_underflow_v3, struct kvm_vcpu *vcpu)
{
	return vt_mark_underflow(vcpu);
}

SEC("kprobe/vgic_v3_set_underflow")
int BPF_KPROBE(kp_underflow_v3, struct kvm_vcpu *vcpu)
{
	return vt_mark_underflow(vcpu);
}

SEC("fentry/vgic_v2_set_underflow")
int BPF_PROG(fe_underflow_v2, struct kvm_vcpu *vcpu)
{
	return vt_mark_underflow(vcpu);
}

SEC("kprobe/vgic_v2_set_underflow")
int BPF_KPROBE(kp_underflow_v2, struct kvm_vcpu *vcpu)
{
	return vt_mark_underflow(vcpu);
}

/*
 * implemented LRs: kvm_vgic_global_state.nr_lr when its address is
 * known (kernels with KALLSYMS_ALL), else what an underflow proved
 */
static __always_inline __u8 vt_nr_lrs(struct kvm_vcpu *vcpu, __u16 type,
				      __u32 used)
{
	struct vgic_global *g = (void *)(unsigned long)vt_vgic_global;
	__u32 zero = 0;
	__u64 *u;
	int nr;

	if (g) {
		nr = BPF_CORE_READ(g, nr_lr);
		if (nr > 0 && nr <= 64)
			return nr;
	}
	if (type == VT_REC_LR_FLUSH) {
		u = bpf_map_lookup_elem(&vt_underflow, &zero);
		if (u && *u == (__u64)vcpu) {
			*u = 0;
			if (used && used <= 64)
				vt_nr_lrs_seen = used;
		}
	}
	return vt_nr_lrs_seen;
}

static __always_inline int vt_emit_lr(struct kvm_vcpu *vcpu, __u16 type, __u8 ver)
{
	struct vt_rec_lr *r;
	__u32 vm = vt_vcpu_vm(vcpu);
	__u32 used;
	int i;

	if (!vt_want_vm(vm))
		return 0;
	if (ver == VT_GIC_V3)
		used = BPF_CORE_READ(vcpu, arch.vgic_cpu.vgic_v3.used_lrs);
	else
		used = BPF_CORE_READ(vcpu, arch.vgic_cpu.vgic_v2.used_lrs);
	/* an entry with empty LRs says nothing (as the module) */
	if (type == VT_REC_LR_FLUSH && !used)
		return 0;
	r = vt_reserve(sizeof(*r));
	if (!r)
		return 0;
	vt_fill_hdr(&r->hdr, type, sizeof(*r), vm, vt_vcpu_id(vcpu));
	r->gic_version = ver;
	r->flags = 0;
	if (used > VT_MAX_LR) {
		r->flags |= VT_LR_F_TRUNCATED;
		used = VT_MAX_LR;
	}
	r->used_lrs = used;
	r->nr_lrs = vt_nr_lrs(vcpu, type, used);
	if (ver == VT_GIC_V3) {
		r->hcr = BPF_CORE_READ(vcpu, arch.vgic_cpu.vgic_v3.vgic_hcr);
		bpf_probe_read_kernel(r->lr, sizeof(r->lr),
				      &vcpu->arch.vgic_cpu.vgic_v3.vgic_lr[0]);
	} else {
		__u32 v2[VT_MAX_LR];

		r->hcr = BPF_CORE_READ(vcpu, arch.vgic_cpu.vgic_v2.vgic_hcr);
		if (bpf_probe_read_kernel(v2, sizeof(v2),
					  &vcpu->arch.vgic_cpu.vgic_v2.vgic_lr[0]))
			__builtin_memset(v2, 0, sizeof(v2));
		for (i = 0; i < VT_MAX_LR; i++)
			r->lr[i] = v2[i];
	}
	for (i = 0; i < VT_MAX_LR; i++)
		if (i >= (int)used)
			r->lr[i] = 0;
	vt_submit(r);
	return 0;
}

static __always_inline __u8 vt_flush_gic(void)
{
	if (vt_host_gic)
		return vt_host_gic;
	return vt_seen_gic ? vt_seen_gic : VT_GIC_V3;
}

SEC("fexit/kvm_vgic_flush_hwstate")
int BPF_PROG(fx_flush, struct kvm_vcpu *vcpu)
{
	return vt_emit_lr(vcpu, VT_REC_LR_FLUSH, vt_flush_gic());
}

SEC("kprobe/kvm_vgic_flush_hwstate")
int BPF_KPROBE(kp_flush, struct kvm_vcpu *vcpu)
{
	vt_stash_put(VT_HOOK_LR_FLUSH, (__u64)vcpu, 0, 0, 0);
	return 0;
}

SEC("kretprobe/kvm_vgic_flush_hwstate")
int BPF_KRETPROBE(kr_flush)
{
	struct vt_stash_val v;

	if (!vt_stash_take(VT_HOOK_LR_FLUSH, &v))
		return 0;
	return vt_emit_lr((void *)v.arg[0], VT_REC_LR_FLUSH, vt_flush_gic());
}

SEC("fentry/vgic_v3_fold_lr_state")
int BPF_PROG(fe_fold_v3, struct kvm_vcpu *vcpu)
{
	vt_seen_gic = VT_GIC_V3;
	return vt_emit_lr(vcpu, VT_REC_LR_FOLD, VT_GIC_V3);
}

SEC("kprobe/vgic_v3_fold_lr_state")
int BPF_KPROBE(kp_fold_v3, struct kvm_vcpu *vcpu)
{
	vt_seen_gic = VT_GIC_V3;
	return vt_emit_lr(vcpu, VT_REC_LR_FOLD, VT_GIC_V3);
}

SEC("fentry/vgic_v2_fold_lr_state")
int BPF_PROG(fe_fold_v2, struct kvm_vcpu *vcpu)
{
	vt_seen_gic = VT_GIC_V2;
	return vt_emit_lr(vcpu, VT_REC_LR_FOLD, VT_GIC_V2);
}

SEC("kprobe/vgic_v2_fold_lr_state")
int BPF_KPROBE(kp_fold_v2, struct kvm_vcpu *vcpu)
{
	vt_seen_gic = VT_GIC_V2;
	return vt_emit_lr(vcpu, VT_REC_LR_FOLD, VT_GIC_V2);
}

#endif /* HOOKS_LR_BPF_H */
