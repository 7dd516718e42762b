// SPDX-License-Identifier: GPL-2.0
/*
 * hooks_vfio.c - group "vfio": VFIO PCI INTx (module vfio_pci_core).
 *
 *  vfio_intx_handler(irq, dev_id)          kretprobe -> VT_VFIO_HANDLER
 *                                           (result = irqreturn_t; dev_id
 *                                           is the INTx ctx from 6.9, the
 *                                           device before)
 *  vfio_pci_intx_unmask_handler(vdev, _)   kretprobe -> VT_VFIO_UNMASK_HANDLER
 *                                           (result 1 = still asserted)
 *      when called through the resamplefd (virqfd), else VT_VFIO_UNMASK:
 *  vfio_pci_set_irqs_ioctl(), vfio_pci_intx_unmask()  kretprobes that
 *      only mark the calling task: an unmask handler run by a marked task
 *      comes from the VFIO_DEVICE_SET_IRQS ioctl (ACTION_UNMASK) or a
 *      config space write, not from the resamplefd. The ioctl path calls
 *      the handler through __vfio_pci_intx_unmask(), inlined in 6.1, so
 *      a probe on vfio_pci_intx_unmask() alone would miss it.
 *  __vfio_pci_intx_mask(vdev)              kretprobe -> VT_VFIO_MASK
 *                                           (result = masked changed)
 *  vfio_send_intx_eventfd(vdev, _)         kprobe    -> VT_VFIO_SEND_EVENTFD
 *                                           (only the out-of-line copy)
 *
 * These attach when vfio_pci_core loads and detach when it unloads
 * (hooks.c module notifier). The device and ctx fields are read
 * fault-safe through wrapper/vfio_pci_irq_ctx.h. __vfio_pci_intx_mask
 * has a fallback row (vfio_pci_intx_mask) for kernels that inline it.
 */
#include <linux/interrupt.h>
#include <linux/kvm_host.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "vt_internal.h"
#include "wrapper/kvm_vm_id.h"
#include "wrapper/vfio_pci_irq_ctx.h"

/*
 * One VFIO record. @vdev is the device argument of the probed function
 * (its type is this kernel's), @ctx the INTx ctx when the function got it
 * (vfio_intx_handler from 6.9), else NULL. Every field is read
 * fault-safe (wrapper/vfio_pci_irq_ctx.h): these run in hard-irq context.
 */
static void vt_vfio_record(struct vfio_pci_core_device *vdev, void *ctx,
			   u8 event, s32 result)
{
	struct vt_rec_vfio r = {};
	struct vt_vfio_info in;
	u32 vm;

	if (!vdev || vt_vfio_read(vdev, ctx, &in))
		return;
	vm = vt_vfio_vm_id(in.kvm);
	if (!vt_vm_ok(vm))
		return;
	vt_hdr_fill(&r.hdr, VT_REC_VFIO, sizeof(r), vm, VT_NO_VCPU);
	r.event = event;
	r.result = result;
	r.masked = in.masked;
	r.pci_2_3 = in.pci_2_3;
	r.host_irq = in.host_irq;
	memcpy(r.dev, in.dev, sizeof(r.dev));
	r.trigger_key = vt_key(in.trigger);
	r.unmask_key = vt_key(in.unmask);
	vt_emit_vfio(&r);
}

/* Entry handlers: keep the device for the return handler. */
static int vt_vfio_save_arg0(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	if (!vt_group_on(VT_GRP_VFIO))
		return 1;
	*(void **)ri->data = (void *)vt_arg(regs, 0);
	return 0;
}

static int vt_vfio_save_arg1(struct kretprobe_instance *ri,
			     struct pt_regs *regs)
{
	if (!vt_group_on(VT_GRP_VFIO))
		return 1;
	*(void **)ri->data = (void *)vt_arg(regs, 1);
	return 0;
}

static int vt_handler_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vfio_pci_core_device *vdev;
	void *ctx;

	/* dev_id: the ctx from 6.9, the device before */
	vdev = vt_vfio_dev_of_handler_arg(*(void **)ri->data, &ctx);
	vt_vfio_record(vdev, ctx, VT_VFIO_HANDLER, (s32)regs_return_value(regs));
	return 0;
}

/* Tasks inside the unmask ioctl or vfio_pci_intx_unmask() (may sleep). */
#define VT_MARK_SLOTS	8
static struct task_struct *vt_marked[VT_MARK_SLOTS];

static bool vt_task_marked(void)
{
	int i;

	for (i = 0; i < VT_MARK_SLOTS; i++)
		if (READ_ONCE(vt_marked[i]) == current)
			return true;
	return false;
}

static int vt_mark_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	int i;

	for (i = 0; i < VT_MARK_SLOTS; i++) {
		if (!cmpxchg(&vt_marked[i], NULL, current)) {
			*(int *)ri->data = i;
			return 0;
		}
	}
	return 1;	/* all slots busy: handler calls count as resamplefd */
}

static int vt_mark_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	WRITE_ONCE(vt_marked[*(int *)ri->data], NULL);
	return 0;
}

static int vt_unmask_handler_ret(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	if (vt_task_marked())
		vt_vfio_record(*(void **)ri->data, NULL, VT_VFIO_UNMASK, 0);
	else
		vt_vfio_record(*(void **)ri->data, NULL, VT_VFIO_UNMASK_HANDLER,
			       (s32)regs_return_value(regs));
	return 0;
}

static int vt_mask_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	vt_vfio_record(*(void **)ri->data, NULL, VT_VFIO_MASK,
		       (s32)(regs_return_value(regs) & 0xff));
	return 0;
}

static int vt_send_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (vt_group_on(VT_GRP_VFIO))
		vt_vfio_record((void *)vt_arg(regs, 0), NULL,
			       VT_VFIO_SEND_EVENTFD, 0);
	return 0;
}

/* The handlers of include/vt_hooks.def's group VFIO rows. */
const struct vt_handler vt_h_vfio_handler = {
	.entry = vt_vfio_save_arg1,
	.ret = vt_handler_ret,
	.data_size = sizeof(void *),
};
const struct vt_handler vt_h_vfio_unmask_handler = {
	.entry = vt_vfio_save_arg0,
	.ret = vt_unmask_handler_ret,
	.data_size = sizeof(void *),
};
const struct vt_handler vt_h_vfio_mark = {
	.entry = vt_mark_entry,
	.ret = vt_mark_ret,
	.data_size = sizeof(int),
};
const struct vt_handler vt_h_vfio_mask = {
	.entry = vt_vfio_save_arg0,
	.ret = vt_mask_ret,
	.data_size = sizeof(void *),
};
const struct vt_handler vt_h_vfio_send = { .pre = vt_send_pre };
