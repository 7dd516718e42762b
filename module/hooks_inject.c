// SPDX-License-Identifier: GPL-2.0
/*
 * hooks_inject.c - arm64, group "irqfd": kvm_vgic_inject_irq().
 *
 * kretprobe: arguments at entry, return value at return -> VT_REC_INJECT,
 * then VT_REC_IRQ_STATE (cause INJECT) of the SPI as the injection left it.
 * The source is VT_SRC_RESAMPLER inside irqfd_resampler_ack() (the
 * de-assert), VT_SRC_IRQFD inside kvm_arch_set_irq_inatomic() (irqfd
 * wakeup fast path), VT_SRC_KERNEL when an owner is given (timer, PMU),
 * else VT_SRC_UNKNOWN.
 */
#include <linux/kvm_host.h>
#include <linux/percpu.h>

#include "vt_internal.h"
#include "hooks_irqfd.h"
#include "wrapper/kvm_vgic_inject.h"
#include "wrapper/kvm_vm_id.h"

static DEFINE_PER_CPU(int, vt_irqfd_depth);

struct vt_inject_data {
	struct vt_rec_inject r;
	struct kvm *kvm;
};

static int vt_inject_entry(struct kretprobe_instance *ri,
			   struct pt_regs *regs)
{
	struct vt_inject_data *d = (struct vt_inject_data *)ri->data;
	struct kvm *kvm = (struct kvm *)vt_arg(regs, 0);
	u32 intid = vt_arg(regs, 2);
	u32 vm;

	if (!vt_group_on(VT_GRP_IRQFD) || !vt_intid_ok(intid))
		return 1;
	vm = vt_kvm_vm_id(kvm);
	if (!vt_vm_ok(vm))
		return 1;
	memset(&d->r, 0, sizeof(d->r));
	d->kvm = kvm;
	vt_hdr_fill(&d->r.hdr, VT_REC_INJECT, sizeof(d->r), vm,
		    vt_inject_vcpu(vt_arg(regs, 1), intid));
	d->r.intid = intid;
	d->r.level = !!(vt_arg(regs, 3) & 0xff);
	if (vt_in_resampler())
		d->r.source = VT_SRC_RESAMPLER;
	else if (this_cpu_read(vt_irqfd_depth) > 0)
		d->r.source = VT_SRC_IRQFD;
	else if (vt_arg(regs, 4))
		d->r.source = VT_SRC_KERNEL;
	else
		d->r.source = VT_SRC_UNKNOWN;
	return 0;
}

static int vt_inject_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vt_inject_data *d = (struct vt_inject_data *)ri->data;

	d->r.ret = (s32)regs_return_value(regs);
	vt_emit_inject(&d->r);
	vt_irq_state_emit(d->kvm, d->r.intid, VT_CAUSE_INJECT, VT_NO_VCPU);
	return 0;
}

static int vt_inatomic_entry(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	this_cpu_inc(vt_irqfd_depth);
	return 0;
}

static int vt_inatomic_ret(struct kretprobe_instance *ri,
			   struct pt_regs *regs)
{
	this_cpu_dec(vt_irqfd_depth);
	return 0;
}

/* The handlers of include/vt_hooks.def's inject rows (group IRQFD). */
const struct vt_handler vt_h_inject = {
	.entry = vt_inject_entry,
	.ret = vt_inject_ret,
	.data_size = sizeof(struct vt_inject_data),
};
/* only marks the irqfd source; no record of its own */
const struct vt_handler vt_h_inatomic = {
	.entry = vt_inatomic_entry,
	.ret = vt_inatomic_ret,
};
