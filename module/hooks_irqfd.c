// SPDX-License-Identifier: GPL-2.0
/*
 * hooks_irqfd.c - group "irqfd": ack notification, irqfd resample and
 * irqfd registration (virt/kvm/eventfd.c; arm64 and x86).
 *
 *  kvm_notify_acked_irq(kvm, irqchip, pin)  kprobe   -> VT_REC_ACK
 *  irqfd_resampler_ack(kian)                kretprobe -> VT_REC_RESAMPLE
 *      (entry emits; while it runs, kvm_vgic_inject_irq on this CPU is a
 *       de-assert by the resampler, see vt_in_resampler())
 *  kvm_irqfd(kvm, args)                     kretprobe -> VT_REC_IRQFD
 *      (assign: keys of the irqfd KVM added, read at return from
 *       kvm->irqfds.items; deassign: keys of args->fd at entry)
 */
#include <linux/eventfd.h>
#include <linux/kvm_host.h>
#include <linux/kvm_irqfd.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/sched.h>

#include "vt_internal.h"
#include "hooks_irqfd.h"
#include "wrapper/kvm_irqfd_list.h"
#include "wrapper/kvm_irq_routing.h"
#include "wrapper/kvm_vm_id.h"

static DEFINE_PER_CPU(int, vt_resampler_depth);

/**
 * vt_in_resampler - is irqfd_resampler_ack() running on this CPU
 *
 * Return: true inside irqfd_resampler_ack() (the de-assert it does
 * through kvm_set_irq -> kvm_vgic_inject_irq comes from the resampler).
 */
bool vt_in_resampler(void)
{
	return this_cpu_read(vt_resampler_depth) > 0;
}

static int vt_ack_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct kvm *kvm = (struct kvm *)vt_arg(regs, 0);
	unsigned int chip = vt_arg(regs, 1), pin = vt_arg(regs, 2);
	struct vt_rec_ack r = {};
	u32 vm = vt_kvm_vm_id(kvm);

	if (!vt_group_on(VT_GRP_IRQFD) || !vt_vm_ok(vm))
		return 0;
#ifdef CONFIG_ARM64
	if (!vt_intid_ok(pin + VT_SPI_BASE))
		return 0;
#endif
	vt_hdr_fill(&r.hdr, VT_REC_ACK, sizeof(r), vm, VT_NO_VCPU);
	r.irqchip = chip;
	r.pin = pin;
	r.gsi = vt_kvm_chip_pin_to_gsi(kvm, chip, pin);
	vt_emit_ack(&r);
	return 0;
}

static int vt_resample_entry(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	struct kvm_irq_ack_notifier *kian;
	struct kvm_kernel_irqfd_resampler *rs;
	struct kvm_kernel_irqfd *irqfd;
	struct vt_rec_resample r = {};
	u32 vm, n = 0;
	int idx;

	this_cpu_inc(vt_resampler_depth);
	kian = (struct kvm_irq_ack_notifier *)vt_arg(regs, 0);
	rs = container_of(kian, struct kvm_kernel_irqfd_resampler, notifier);
	vm = vt_kvm_vm_id(rs->kvm);
	if (!vt_group_on(VT_GRP_IRQFD) || !vt_vm_ok(vm))
		return 0;
#ifdef CONFIG_ARM64
	{
		u32 chip, pin;

		/* arm64: irqchip 0 pin N is SPI N + 32 */
		if (vt_kvm_gsi_to_pin(rs->kvm, kian->gsi, &chip, &pin) &&
		    chip == 0 && !vt_intid_ok(pin + VT_SPI_BASE))
			return 0;
	}
#endif
	vt_hdr_fill(&r.hdr, VT_REC_RESAMPLE, sizeof(r), vm, VT_NO_VCPU);
	r.gsi = kian->gsi;
	idx = srcu_read_lock(&rs->kvm->irq_srcu);
	list_for_each_entry_rcu(irqfd, &rs->list, resampler_link) {
		if (!n)
			r.resample_key = vt_key(irqfd->resamplefd);
		n++;
	}
	srcu_read_unlock(&rs->kvm->irq_srcu, idx);
	r.nr_irqfds = n;
	vt_emit_resample(&r);
	return 0;
}

static int vt_resample_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	this_cpu_dec(vt_resampler_depth);
	return 0;
}

/* Instance data of the kvm_irqfd kretprobe. */
struct vt_irqfd_data {
	struct kvm *kvm;
	u32 gsi;
	u32 flags;
	s32 fd;
	s32 resamplefd;
	u64 eventfd_key;
	u64 resample_key;
};

static u64 vt_fd_key(int fd)
{
	struct eventfd_ctx *ctx;
	u64 key;

	if (fd < 0)
		return 0;
	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return 0;
	key = vt_key(ctx);
	eventfd_ctx_put(ctx);
	return key;
}

static int vt_irqfd_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vt_irqfd_data *d = (struct vt_irqfd_data *)ri->data;
	struct kvm_irqfd args;

	if (!vt_group_on(VT_GRP_IRQFD))
		return 1;	/* no return handler for this call */
	d->kvm = (struct kvm *)vt_arg(regs, 0);
	if (!vt_vm_ok(vt_kvm_vm_id(d->kvm)))
		return 1;
	/* args points to the kernel copy made by kvm_vm_ioctl */
	args = *(struct kvm_irqfd *)vt_arg(regs, 1);
	d->gsi = args.gsi;
	d->flags = args.flags;
	d->fd = args.fd;
	d->resamplefd = (args.flags & KVM_IRQFD_FLAG_RESAMPLE) ?
			(s32)args.resamplefd : -1;
	/*
	 * Deassign: kvm_irqfd_deassign() resolves args->fd itself with
	 * eventfd_ctx_fdget(), so this lookup has the same semantics as
	 * KVM's (a dup2/close racing the ioctl changes both alike).
	 * Assign: only a fallback; another VMM thread can dup2/close the
	 * fd between this lookup and KVM's, so vt_irqfd_ret() takes the
	 * keys of the irqfd KVM actually added when it can.
	 */
	d->eventfd_key = vt_fd_key(args.fd);
	d->resample_key = vt_fd_key(d->resamplefd);
	return 0;
}

static int vt_irqfd_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vt_irqfd_data *d = (struct vt_irqfd_data *)ri->data;
	struct vt_rec_irqfd r = {};

	vt_hdr_fill(&r.hdr, VT_REC_IRQFD, sizeof(r), vt_kvm_vm_id(d->kvm),
		    VT_NO_VCPU);
	r.gsi = d->gsi;
	r.flags = d->flags;
	r.fd = d->fd;
	r.resamplefd = d->resamplefd;
	r.ret = (s32)regs_return_value(regs);
	r.eventfd_key = d->eventfd_key;
	r.resample_key = d->resample_key;
	if (!r.ret && !(d->flags & KVM_IRQFD_FLAG_DEASSIGN)) {
		const void *ev = NULL, *rs = NULL;

		/*
		 * kvm_irqfd_assign() list_add_tail()s the new irqfd: the
		 * last one for this gsi is it, unless an EPOLLHUP took it
		 * off again before the return (then an older irqfd of the
		 * gsi, or none and the entry-time keys stay).
		 */
		if (vt_kvm_irqfd_last(d->kvm, d->gsi, &ev, &rs)) {
			r.eventfd_key = vt_key(ev);
			r.resample_key = vt_key(rs);
		}
	}
	vt_emit_irqfd(&r);
	return 0;
}

/* The handlers of include/vt_hooks.def's group IRQFD rows. */
const struct vt_handler vt_h_ack = { .pre = vt_ack_pre };
const struct vt_handler vt_h_resample = {
	.entry = vt_resample_entry,
	.ret = vt_resample_ret,
};
const struct vt_handler vt_h_irqfd = {
	.entry = vt_irqfd_entry,
	.ret = vt_irqfd_ret,
	.data_size = sizeof(struct vt_irqfd_data),
};
