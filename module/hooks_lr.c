// SPDX-License-Identifier: GPL-2.0
/*
 * hooks_lr.c - arm64, group "lr": list registers at guest entry and exit.
 *
 *  kvm_vgic_flush_hwstate(vcpu)   kretprobe: at RETURN the LR cache holds
 *                                 what is loaded for the guest
 *                                 -> VT_REC_LR_FLUSH (only if used_lrs > 0);
 *                                 at entry (every guest entry, on the
 *                                 vCPU thread) VT_META_VCPU when the
 *                                 vCPU is new on this thread (meta.c)
 *  vgic_v3_fold_lr_state(vcpu)    kprobe at ENTRY: the LR cache holds the
 *  vgic_v2_fold_lr_state(vcpu)    state read back after the exit, and
 *                                 used_lrs is still set (fold clears it)
 *                                 -> VT_REC_LR_FOLD
 *
 *  6.19+ (rows of include/vt_hooks.def from 6.19):
 *  vgic_v3_deactivate / vgic_v2_deactivate   kprobe: guest DIR trapped
 *                                 -> VT_REC_DEACTIVATE (VT_DEACT_DIR)
 *  vgic_v3_fold_lr / vgic_v2_fold_lr         kprobe: one LR value folded;
 *                                 EOIcount replays -> VT_DEACT_EOICOUNT,
 *                                 the fold inside a DIR trap -> VT_DEACT_LR
 *
 * kvm_vgic_sync_hwstate() is not used for the LRs: on VHE/GICv2 its entry
 * sees the stale cache (the save happens inside); it is probed only to
 * read the hardware EOIcount (below). vgic_flush_lr_state() is
 * inlined in 6.1 (not in kallsyms).
 */
#include <linux/kvm_host.h>
#include <linux/percpu.h>
#include <asm/sysreg.h>

#include "vt_internal.h"
#include "wrapper/kvm_vgic_lr.h"
#include "wrapper/kvm_vm_id.h"

/*
 * EOIcount: on a VHE host with GICv3 the kernel runs at EL2 and the
 * hardware ICH_HCR_EL2 still holds the guest's EOIcount at the entry of
 * kvm_vgic_sync_hwstate() (vgic_save_state() inside it overwrites it).
 * It is read there, per CPU (IRQs stay off until the fold), and put in
 * the fold record with VT_LR_F_HCR_VALID. 6.1 ignores EOIcount: a
 * non-zero value is a deactivation that KVM will never see.
 */
static DEFINE_PER_CPU(struct kvm_vcpu *, vt_hcr_vcpu);
static DEFINE_PER_CPU(u32, vt_hcr_val);

static int vt_sync_pre(struct kprobe *kp, struct pt_regs *regs)
{
	/* ICH_HCR_EL2 is readable from the kernel only on VHE + GICv3 */
	if (!vt_group_on(VT_GRP_LR) || !vt_host_el2_gicv3() ||
	    vt_vcpu_ap_list_empty((struct kvm_vcpu *)vt_arg(regs, 0)))
		return 0;
	this_cpu_write(vt_hcr_val, (u32)read_sysreg_s(SYS_ICH_HCR_EL2));
	this_cpu_write(vt_hcr_vcpu, (struct kvm_vcpu *)vt_arg(regs, 0));
	return 0;
}

static void vt_lr_record(u16 type, struct kvm_vcpu *vcpu, u8 gic)
{
	struct vt_rec_lr r;
	unsigned int used, i, n;
	bool want = false;
	u32 vm, hcr;

	vm = vt_kvm_vm_id(vcpu->kvm);
	if (!vt_vm_ok(vm))
		return;
	memset(&r, 0, sizeof(r));
	used = vt_vcpu_read_lrs(vcpu, gic, r.lr, &hcr);
	if (!used)
		return;
	n = min_t(unsigned int, used, VT_MAX_LR);
	for (i = 0; i < n && !want; i++)
		want = vt_intid_ok(vt_lr_intid(vcpu, gic, r.lr[i]));
	if (!want)
		return;
	vt_hdr_fill(&r.hdr, type, sizeof(r), vm, vcpu->vcpu_id);
	r.gic_version = gic;
	r.used_lrs = min_t(unsigned int, used, 255);
	r.nr_lrs = vt_host_nr_lrs();
	if (used > VT_MAX_LR)
		r.flags |= VT_LR_F_TRUNCATED;
	/* the cached vgic_hcr is what KVM wrote, not EOIcount: not used */
	r.hcr = 0;
	if (type == VT_REC_LR_FOLD && gic == VT_GIC_V3 &&
	    this_cpu_read(vt_hcr_vcpu) == vcpu) {
		r.hcr = this_cpu_read(vt_hcr_val);
		r.flags |= VT_LR_F_HCR_VALID;
		this_cpu_write(vt_hcr_vcpu, NULL);
	}
	vt_emit_lr(&r);
}

static int vt_flush_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kvm_vcpu *vcpu = (struct kvm_vcpu *)vt_arg(regs, 0);

	/* every guest entry runs this on the vCPU's thread: VT_META_VCPU */
	vt_meta_vcpu_seen(vcpu);
	/*
	 * Empty ap_list: no LR will be loaded (used_lrs stays 0), so skip
	 * the return probe, which on most guest entries is pure cost.
	 */
	if (!vt_group_on(VT_GRP_LR) || vt_vcpu_ap_list_empty(vcpu))
		return 1;
	*(struct kvm_vcpu **)ri->data = vcpu;
	return 0;
}

static int vt_flush_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	vt_lr_record(VT_REC_LR_FLUSH, *(struct kvm_vcpu **)ri->data,
		     vt_host_gic());
	return 0;
}

/*
 * 6.19+: what the next vgic_v{2,3}_fold_lr() of this CPU is. Set at the
 * entry of a fold (the LR loop, then EOIcount replays) or of a DIR trap;
 * both run with IRQs off around their folds, on the task that entered.
 * The first used_lrs folds are the LRs of the LR_FOLD record (not
 * repeated); later folds of that fold are EOIcount replays
 * (VT_DEACT_EOICOUNT); a fold inside a DIR trap is VT_DEACT_LR. Same
 * rules as the BPF backend (bpf/hooks_lr.bpf.h), so both give the same
 * records.
 */
struct vt_fold_ctx {
	struct task_struct *task;
	struct kvm_vcpu *vcpu;
	u32 lrs_left;
	u16 eoicount;
	u8 how;
};
static DEFINE_PER_CPU(struct vt_fold_ctx, vt_fold_ctx);

static void vt_fold_ctx_set(struct kvm_vcpu *vcpu, u32 used, u32 hcr, u8 how)
{
	struct vt_fold_ctx *c = this_cpu_ptr(&vt_fold_ctx);

	c->task = current;
	c->vcpu = vcpu;
	c->lrs_left = used;
	c->eoicount = (hcr >> 27) & 0x1f;	/* EOIcount [31:27], v2 and v3 */
	c->how = how;
}

static void vt_fold_entry(struct kvm_vcpu *vcpu, u8 gic)
{
	u32 used, hcr;

	vt_host_gic_seen(gic);
	if (!vt_group_on(VT_GRP_LR))
		return;
	used = vt_vcpu_used_lrs(vcpu, gic, &hcr);
	vt_fold_ctx_set(vcpu, used, hcr, VT_DEACT_EOICOUNT);
	/* no record when no LR was in use (6.19+ folds at every exit) */
	vt_lr_record(VT_REC_LR_FOLD, vcpu, gic);
}

static int vt_fold_v3_pre(struct kprobe *kp, struct pt_regs *regs)
{
	vt_fold_entry((struct kvm_vcpu *)vt_arg(regs, 0), VT_GIC_V3);
	return 0;
}

static int vt_fold_v2_pre(struct kprobe *kp, struct pt_regs *regs)
{
	vt_fold_entry((struct kvm_vcpu *)vt_arg(regs, 0), VT_GIC_V2);
	return 0;
}

static void vt_emit_deact(struct kvm_vcpu *vcpu, u32 intid, u8 gic, u8 how,
			  u16 eoicount, u64 val)
{
	struct vt_rec_deactivate r = {};
	u32 vm = vt_kvm_vm_id(vcpu->kvm);

	if (!vt_vm_ok(vm) || !vt_intid_ok(intid))
		return;
	vt_hdr_fill(&r.hdr, VT_REC_DEACTIVATE, sizeof(r), vm, vcpu->vcpu_id);
	r.intid = intid;
	r.gic_version = gic;
	r.how = how;
	r.eoicount = eoicount;
	r.val = val;
	vt_emit_deactivate(&r);
}

/*
 * Tasks inside vgic_v{2,3}_deactivate(): for an IRQ still in an LR the
 * DIR trap calls vgic_mmio_write_cactive() itself ("big hammer"), which
 * is no guest GICD write; hooks_mmio.c asks vt_in_dir_trap() and records
 * nothing for it (the DIR record says what happened). A kretprobe, so
 * the mark ends with the function (it may be preempted after its
 * local_irq_restore()).
 */
#define VT_DIR_SLOTS	8
static struct task_struct *vt_dir_tasks[VT_DIR_SLOTS];

/**
 * vt_in_dir_trap - the current task is inside a DIR trap (6.19+)
 *
 * Return: true inside vgic_v{2,3}_deactivate().
 */
bool vt_in_dir_trap(void)
{
	int i;

	for (i = 0; i < VT_DIR_SLOTS; i++)
		if (READ_ONCE(vt_dir_tasks[i]) == current)
			return true;
	return false;
}

/* vgic_v{2,3}_deactivate(vcpu, val): the DIR write, CPUID in [12:10] */
static int vt_dir_entry(struct kretprobe_instance *ri, struct pt_regs *regs,
			u8 gic)
{
	struct kvm_vcpu *vcpu = (struct kvm_vcpu *)vt_arg(regs, 0);
	u64 val = vt_arg(regs, 1);
	int i;

	if (gic == VT_GIC_V2)
		val = (u32)val;
	*(int *)ri->data = -1;
	for (i = 0; i < VT_DIR_SLOTS; i++) {
		if (!cmpxchg(&vt_dir_tasks[i], NULL, current)) {
			*(int *)ri->data = i;
			break;
		}
	}
	if (vt_group_on(VT_GRP_LR)) {
		vt_fold_ctx_set(vcpu, 0, 0, VT_DEACT_LR);
		vt_emit_deact(vcpu, (u32)(val & ~(7ULL << 10)), gic,
			      VT_DEACT_DIR, 0, val);
	}
	return 0;
}

static int vt_dir_v3_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return vt_dir_entry(ri, regs, VT_GIC_V3);
}

static int vt_dir_v2_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return vt_dir_entry(ri, regs, VT_GIC_V2);
}

static int vt_dir_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	int i = *(int *)ri->data;

	if (i >= 0)
		WRITE_ONCE(vt_dir_tasks[i], NULL);
	return 0;
}

/* vgic_v{2,3}_fold_lr(vcpu, val): one LR value folded */
static void vt_fold_lr(struct kvm_vcpu *vcpu, u64 val, u8 gic)
{
	struct vt_fold_ctx *c = this_cpu_ptr(&vt_fold_ctx);
	u8 how = VT_DEACT_LR;
	u16 eoicount = 0;

	if (!vt_group_on(VT_GRP_LR))
		return;
	if (c->task == current && c->vcpu == vcpu) {
		if (c->how == VT_DEACT_EOICOUNT && c->lrs_left) {
			c->lrs_left--;
			return;		/* an LR of the LR_FOLD record */
		}
		how = c->how;
		eoicount = c->how == VT_DEACT_EOICOUNT ? c->eoicount : 0;
	}
	vt_emit_deact(vcpu, vt_lr_intid(vcpu, gic, val), gic, how, eoicount, val);
}

static int vt_fold_lr_v3_pre(struct kprobe *kp, struct pt_regs *regs)
{
	vt_fold_lr((struct kvm_vcpu *)vt_arg(regs, 0), vt_arg(regs, 1), VT_GIC_V3);
	return 0;
}

static int vt_fold_lr_v2_pre(struct kprobe *kp, struct pt_regs *regs)
{
	vt_fold_lr((struct kvm_vcpu *)vt_arg(regs, 0), (u32)vt_arg(regs, 1),
		   VT_GIC_V2);
	return 0;
}

/* The handlers of include/vt_hooks.def's group LR rows. */
const struct vt_handler vt_h_flush = {
	.entry = vt_flush_entry,
	.ret = vt_flush_ret,
	.data_size = sizeof(struct kvm_vcpu *),
};
/* reads ICH_HCR_EL2 (EOIcount) for the v3 fold record */
const struct vt_handler vt_h_sync = { .pre = vt_sync_pre };
const struct vt_handler vt_h_fold_v3 = { .pre = vt_fold_v3_pre };
const struct vt_handler vt_h_fold_v2 = { .pre = vt_fold_v2_pre };
/* kretprobes (the row says ENTRY: the record is made at entry; the
 * return only ends the DIR-trap mark) */
const struct vt_handler vt_h_dir_v3 = {
	.entry = vt_dir_v3_entry,
	.ret = vt_dir_ret,
	.data_size = sizeof(int),
};
const struct vt_handler vt_h_dir_v2 = {
	.entry = vt_dir_v2_entry,
	.ret = vt_dir_ret,
	.data_size = sizeof(int),
};
const struct vt_handler vt_h_fold_lr_v3 = { .pre = vt_fold_lr_v3_pre };
const struct vt_handler vt_h_fold_lr_v2 = { .pre = vt_fold_lr_v2_pre };
