// SPDX-License-Identifier: GPL-2.0
/*
 * hooks_lr.c - arm64, group "lr": list registers at guest entry and exit.
 *
 *  kvm_vgic_flush_hwstate(vcpu)   kretprobe: at RETURN the LR cache holds
 *                                 what is loaded for the guest
 *                                 -> VT_REC_LR_FLUSH (only if used_lrs > 0)
 *  vgic_v3_fold_lr_state(vcpu)    kprobe at ENTRY: the LR cache holds the
 *  vgic_v2_fold_lr_state(vcpu)    state read back after the exit, and
 *                                 used_lrs is still set (fold clears it)
 *                                 -> VT_REC_LR_FOLD
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
	/* nr_lrs is only known (ICH_VTR_EL2 readable) on VHE + GICv3 */
	if (!vt_group_on(VT_GRP_LR) || !vt_host_nr_lrs() ||
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

static int vt_fold_v3_pre(struct kprobe *kp, struct pt_regs *regs)
{
	vt_host_gic_seen(VT_GIC_V3);
	if (vt_group_on(VT_GRP_LR))
		vt_lr_record(VT_REC_LR_FOLD, (struct kvm_vcpu *)vt_arg(regs, 0),
			     VT_GIC_V3);
	return 0;
}

static int vt_fold_v2_pre(struct kprobe *kp, struct pt_regs *regs)
{
	vt_host_gic_seen(VT_GIC_V2);
	if (vt_group_on(VT_GRP_LR))
		vt_lr_record(VT_REC_LR_FOLD, (struct kvm_vcpu *)vt_arg(regs, 0),
			     VT_GIC_V2);
	return 0;
}

static struct vt_probe vt_lr_probes[] = {
	{
		.sym = "kvm_vgic_flush_hwstate",
		.hook_id = VT_HOOK_LR_FLUSH,
		.group = VT_GRP_LR,
		.entry = vt_flush_entry,
		.ret = vt_flush_ret,
		.data_size = sizeof(struct kvm_vcpu *),
	},
	{
		.sym = "vgic_v3_fold_lr_state",
		.hook_id = VT_HOOK_LR_FOLD_V3,
		.group = VT_GRP_LR,
		.pre = vt_fold_v3_pre,
	},
	{
		/* reads ICH_HCR_EL2 (EOIcount) for the v3 fold record */
		.sym = "kvm_vgic_sync_hwstate",
		.hook_id = VT_HOOK_LR_FOLD_V3,
		.group = VT_GRP_LR,
		.pre = vt_sync_pre,
	},
	{
		.sym = "vgic_v2_fold_lr_state",
		.hook_id = VT_HOOK_LR_FOLD_V2,
		.group = VT_GRP_LR,
		.pre = vt_fold_v2_pre,
	},
};

struct vt_probe_set vt_set_lr = {
	.name = "lr",
	.probes = vt_lr_probes,
	.nr = ARRAY_SIZE(vt_lr_probes),
};
