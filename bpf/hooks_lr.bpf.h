/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks_lr.bpf.h - list registers at guest entry and exit (arm64).
 *   LR_FLUSH: return of kvm_vgic_flush_hwstate(vcpu) (fexit | kprobe+kretprobe),
 *             only when LRs are in use
 *   LR_FOLD:  entry of vgic_v{2,3}_fold_lr_state(vcpu) (fentry | kprobe);
 *             used_lrs is read at entry (fold zeroes it); only when LRs
 *             are in use (6.19+ folds at every exit, 6.1 only with LRs)
 *   DEACTIVATE (6.19+, absent before):
 *             vgic_v{2,3}_deactivate(vcpu, val) entry: the guest's DIR
 *             trapped (EOImode=1) -> VT_DEACT_DIR;
 *             vgic_v{2,3}_fold_lr(vcpu, val) entry, per LR value folded:
 *             the first used_lrs calls of a fold are the LRs already in
 *             the LR_FOLD record (not repeated), further calls of that
 *             fold (at most EOIcount of them) are EOIcount replays ->
 *             VT_DEACT_EOICOUNT; a fold from a DIR trap (or any other
 *             caller) -> VT_DEACT_LR.
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
	/*
	 * Empty LRs say nothing (as the module): no entry with none loaded,
	 * no exit with none to fold (6.19+ calls the fold at every exit).
	 */
	if (!used)
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

/*
 * VT_META_VCPU: the thread each (VM, vCPU) runs on, sent the first time a
 * flush (every guest entry) is seen for it on a thread and again when the
 * thread changes. LRU: VMs come and go, a re-sent record is harmless.
 */
struct vt_vcpu_key {
	__u32 vm;
	__u32 vcpu;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct vt_vcpu_key);
	__type(value, __u32);	/* tid last announced */
} vt_vcpu_tid SEC(".maps");

static __always_inline void vt_note_vcpu(struct kvm_vcpu *vcpu)
{
	struct vt_vcpu_key k = {};
	struct vt_rec_meta *r;
	__u32 tid, *seen;

	if (!vcpu)
		return;
	k.vm = vt_vcpu_vm(vcpu);
	if (!vt_want_vm(k.vm))
		return;
	k.vcpu = vt_vcpu_id(vcpu);
	tid = (__u32)bpf_get_current_pid_tgid();
	seen = bpf_map_lookup_elem(&vt_vcpu_tid, &k);
	if (seen && *seen == tid)
		return;
	r = vt_reserve(sizeof(*r));
	if (!r)
		return;	/* counted as lost; announced again at the next entry */
	vt_fill_hdr(&r->hdr, VT_REC_META, sizeof(*r), k.vm, k.vcpu);
	r->key = VT_META_VCPU;
	r->id = 0;
	r->__pad = 0;
	r->val = tid;
	__builtin_memset(r->str, 0, sizeof(r->str));
	bpf_get_current_comm(r->str, sizeof(r->str));
	vt_submit(r);
	bpf_map_update_elem(&vt_vcpu_tid, &k, &tid, BPF_ANY);
}

SEC("fexit/kvm_vgic_flush_hwstate")
int BPF_PROG(fx_flush, struct kvm_vcpu *vcpu)
{
	vt_note_vcpu(vcpu);
	return vt_emit_lr(vcpu, VT_REC_LR_FLUSH, vt_flush_gic());
}

SEC("kprobe/kvm_vgic_flush_hwstate")
int BPF_KPROBE(kp_flush, struct kvm_vcpu *vcpu)
{
	vt_note_vcpu(vcpu);
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

/*
 * What the next vgic_v{2,3}_fold_lr() of this CPU is (6.19+): set at the
 * entry of a fold (the LR loop, then EOIcount replays) or of a DIR trap.
 * Both run with IRQs off around their folds, on the task that entered.
 */
struct vt_fold_ctx {
	__u64 pid_tgid;		/* task that entered the fold / the DIR trap */
	__u64 vcpu;
	__u32 lrs_left;		/* LR-loop calls still to come */
	__u16 eoicount;		/* ICH_HCR_EL2 / GICH_HCR EOIcount at entry */
	__u8 replays_left;	/* EOIcount replays the fold may still make */
	__u8 how;		/* VT_DEACT_EOICOUNT after the loop, or _LR */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vt_fold_ctx);
} vt_foldctx SEC(".maps");

static __always_inline void vt_fold_ctx_set(struct kvm_vcpu *vcpu, __u32 used,
					    __u32 hcr, __u8 how)
{
	__u32 zero = 0;
	struct vt_fold_ctx *c = bpf_map_lookup_elem(&vt_foldctx, &zero);

	if (!c)
		return;
	c->pid_tgid = bpf_get_current_pid_tgid();
	c->vcpu = (__u64)vcpu;
	c->lrs_left = used;
	c->eoicount = (hcr >> 27) & 0x1f;	/* EOIcount, bits [31:27] (v2 and v3) */
	c->replays_left = c->eoicount;	/* the fold replays at most EOIcount */
	c->how = how;
}

/* entry of vgic_v{2,3}_fold_lr_state: LR_FOLD record and fold context */
static __always_inline int vt_fold(struct kvm_vcpu *vcpu, __u8 ver)
{
	__u32 used, hcr;

	vt_seen_gic = ver;
	if (ver == VT_GIC_V3) {
		used = BPF_CORE_READ(vcpu, arch.vgic_cpu.vgic_v3.used_lrs);
		hcr = BPF_CORE_READ(vcpu, arch.vgic_cpu.vgic_v3.vgic_hcr);
	} else {
		used = BPF_CORE_READ(vcpu, arch.vgic_cpu.vgic_v2.used_lrs);
		hcr = BPF_CORE_READ(vcpu, arch.vgic_cpu.vgic_v2.vgic_hcr);
	}
	vt_fold_ctx_set(vcpu, used, hcr, VT_DEACT_EOICOUNT);
	return vt_emit_lr(vcpu, VT_REC_LR_FOLD, ver);
}

SEC("fentry/vgic_v3_fold_lr_state")
int BPF_PROG(fe_fold_v3, struct kvm_vcpu *vcpu)
{
	return vt_fold(vcpu, VT_GIC_V3);
}

SEC("kprobe/vgic_v3_fold_lr_state")
int BPF_KPROBE(kp_fold_v3, struct kvm_vcpu *vcpu)
{
	return vt_fold(vcpu, VT_GIC_V3);
}

SEC("fentry/vgic_v2_fold_lr_state")
int BPF_PROG(fe_fold_v2, struct kvm_vcpu *vcpu)
{
	return vt_fold(vcpu, VT_GIC_V2);
}

SEC("kprobe/vgic_v2_fold_lr_state")
int BPF_KPROBE(kp_fold_v2, struct kvm_vcpu *vcpu)
{
	return vt_fold(vcpu, VT_GIC_V2);
}

static __always_inline int vt_emit_deact(struct kvm_vcpu *vcpu, __u32 intid,
					 __u8 ver, __u8 how, __u16 eoicount,
					 __u64 val)
{
	struct vt_rec_deactivate *r;
	__u32 vm = vt_vcpu_vm(vcpu);

	if (!vt_want_vm(vm))
		return 0;
	r = vt_reserve(sizeof(*r));
	if (!r)
		return 0;
	vt_fill_hdr(&r->hdr, VT_REC_DEACTIVATE, sizeof(*r), vm, vt_vcpu_id(vcpu));
	r->intid = intid;
	r->gic_version = ver;
	r->how = how;
	r->eoicount = eoicount;
	r->val = val;
	vt_submit(r);
	return 0;
}

#define VT_KVM_DEV_TYPE_ARM_VGIC_V3	7	/* uapi linux/kvm.h */

/* true when @vcpu's guest uses the GICv3 interface (model vGICv3) */
static __always_inline bool vt_guest_v3(struct kvm_vcpu *vcpu, __u8 ver)
{
	return ver == VT_GIC_V3 &&
	       BPF_CORE_READ(vcpu, kvm, arch.vgic.vgic_model) ==
	       VT_KVM_DEV_TYPE_ARM_VGIC_V3;
}

/*
 * vgic_v{2,3}_deactivate(vcpu, val): val is the DIR write; the CPUID in
 * [12:10] exists only in the GICv2 layout (vt_dir_intid())
 */
static __always_inline int vt_dir(struct kvm_vcpu *vcpu, __u64 val, __u8 ver)
{
	vt_fold_ctx_set(vcpu, 0, 0, VT_DEACT_LR);
	return vt_emit_deact(vcpu, vt_dir_intid(val, !vt_guest_v3(vcpu, ver)),
			     ver, VT_DEACT_DIR, 0, val);
}

SEC("fentry/vgic_v3_deactivate")
int BPF_PROG(fe_dir_v3, struct kvm_vcpu *vcpu, __u64 val)
{
	return vt_dir(vcpu, val, VT_GIC_V3);
}

SEC("kprobe/vgic_v3_deactivate")
int BPF_KPROBE(kp_dir_v3, struct kvm_vcpu *vcpu, __u64 val)
{
	return vt_dir(vcpu, val, VT_GIC_V3);
}

SEC("fentry/vgic_v2_deactivate")
int BPF_PROG(fe_dir_v2, struct kvm_vcpu *vcpu, __u32 val)
{
	return vt_dir(vcpu, val, VT_GIC_V2);
}

SEC("kprobe/vgic_v2_deactivate")
int BPF_KPROBE(kp_dir_v2, struct kvm_vcpu *vcpu, __u32 val)
{
	return vt_dir(vcpu, val, VT_GIC_V2);
}

/*
 * vgic_v{2,3}_fold_lr(vcpu, val): one LR value folded. GICv3 LRs of a
 * vGICv2 guest hold the GICv2 layout (INTID in [9:0]), as the kernel's.
 */
static __always_inline int vt_fold_lr(struct kvm_vcpu *vcpu, __u64 val, __u8 ver)
{
	__u32 zero = 0, intid;
	struct vt_fold_ctx *c = bpf_map_lookup_elem(&vt_foldctx, &zero);
	__u16 eoicount = 0;
	__u8 how = VT_DEACT_LR;

	if (c && c->pid_tgid == bpf_get_current_pid_tgid() &&
	    c->vcpu == (__u64)vcpu) {
		if (c->how == VT_DEACT_EOICOUNT && c->lrs_left) {
			c->lrs_left--;
			return 0;	/* an LR of the LR_FOLD record */
		}
		/*
		 * Past the LRs the fold makes at most EOIcount replays; any
		 * later call (a DIR trap whose entry was not seen) is an LR.
		 */
		if (c->how == VT_DEACT_EOICOUNT && c->replays_left) {
			c->replays_left--;
			how = VT_DEACT_EOICOUNT;
			eoicount = c->eoicount;
		}
	}
	if (vt_guest_v3(vcpu, ver))
		intid = (__u32)val;		/* ICH_LR_VIRTUAL_ID_MASK */
	else
		intid = (__u32)val & 0x3ff;	/* GICH_LR_VIRTUALID */
	return vt_emit_deact(vcpu, intid, ver, how, eoicount, val);
}

SEC("fentry/vgic_v3_fold_lr")
int BPF_PROG(fe_fold_lr_v3, struct kvm_vcpu *vcpu, __u64 val)
{
	return vt_fold_lr(vcpu, val, VT_GIC_V3);
}

SEC("kprobe/vgic_v3_fold_lr")
int BPF_KPROBE(kp_fold_lr_v3, struct kvm_vcpu *vcpu, __u64 val)
{
	return vt_fold_lr(vcpu, val, VT_GIC_V3);
}

SEC("fentry/vgic_v2_fold_lr")
int BPF_PROG(fe_fold_lr_v2, struct kvm_vcpu *vcpu, __u32 val)
{
	return vt_fold_lr(vcpu, val, VT_GIC_V2);
}

SEC("kprobe/vgic_v2_fold_lr")
int BPF_KPROBE(kp_fold_lr_v2, struct kvm_vcpu *vcpu, __u32 val)
{
	return vt_fold_lr(vcpu, val, VT_GIC_V2);
}

#endif /* HOOKS_LR_BPF_H */
