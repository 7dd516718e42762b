// SPDX-License-Identifier: GPL-2.0
/*
 * hooks_vfio.c - group "vfio": VFIO PCI INTx (module vfio_pci_core).
 *
 *  vfio_intx_handler(irq, vdev)            kretprobe -> VT_VFIO_HANDLER
 *                                           (result = irqreturn_t)
 *  vfio_pci_intx_unmask_handler(vdev, _)   kretprobe -> VT_VFIO_UNMASK_HANDLER
 *                                           (result 1 = still asserted)
 *  vfio_pci_intx_unmask(vdev)              kprobe    -> VT_VFIO_UNMASK
 *  __vfio_pci_intx_mask(vdev)              kretprobe -> VT_VFIO_MASK
 *                                           (result = masked changed)
 *  vfio_send_intx_eventfd(vdev, _)         kprobe    -> VT_VFIO_SEND_EVENTFD
 *                                           (only the out-of-line copy)
 *
 * These attach when vfio_pci_core loads and detach when it unloads
 * (hooks.c module notifier). The device fields come from the mirror in
 * wrapper/vfio_pci_irq_ctx.h.
 */
#include <linux/interrupt.h>
#include <linux/kvm_host.h>
#include <linux/pci.h>
#include <linux/string.h>

#include "vt_internal.h"
#include "wrapper/kvm_vm_id.h"
#include "wrapper/vfio_pci_irq_ctx.h"

#define VT_VFIO_MOD	"vfio_pci_core"

static void vt_vfio_record(struct vfio_pci_core_device *vdev, u8 event,
			   s32 result)
{
	struct vt_rec_vfio r = {};
	u32 vm;

	if (!vdev)
		return;
	vm = vt_kvm_vm_id(vt_vfio_kvm(vdev));
	if (!vt_vm_ok(vm))
		return;
	vt_hdr_fill(&r.hdr, VT_REC_VFIO, sizeof(r), vm, VT_NO_VCPU);
	r.event = event;
	r.result = result;
	r.masked = 0xff;
	r.pci_2_3 = vdev->pci_2_3;
	if (vdev->pdev) {
		r.host_irq = vdev->pdev->irq;
		strscpy(r.dev, pci_name(vdev->pdev), sizeof(r.dev));
	}
#if VT_HAVE_VFIO_CTX
	{
		struct vt_vfio_pci_irq_ctx_61 *ctx = vt_vfio_intx_ctx(vdev);

		if (ctx) {
			r.masked = READ_ONCE(ctx->masked);
			r.trigger_key = vt_key(READ_ONCE(ctx->trigger));
			r.unmask_key = vt_key(vt_vfio_intx_unmask_eventfd(ctx));
		}
	}
#endif
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
	vt_vfio_record(*(void **)ri->data, VT_VFIO_HANDLER,
		       (s32)regs_return_value(regs));
	return 0;
}

static int vt_unmask_handler_ret(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	vt_vfio_record(*(void **)ri->data, VT_VFIO_UNMASK_HANDLER,
		       (s32)regs_return_value(regs));
	return 0;
}

static int vt_mask_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	vt_vfio_record(*(void **)ri->data, VT_VFIO_MASK,
		       (s32)(regs_return_value(regs) & 0xff));
	return 0;
}

static int vt_unmask_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (vt_group_on(VT_GRP_VFIO))
		vt_vfio_record((void *)vt_arg(regs, 0), VT_VFIO_UNMASK, 0);
	return 0;
}

static int vt_send_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (vt_group_on(VT_GRP_VFIO))
		vt_vfio_record((void *)vt_arg(regs, 0), VT_VFIO_SEND_EVENTFD, 0);
	return 0;
}

static struct vt_probe vt_vfio_probes[] = {
	{
		.sym = "vfio_intx_handler",
		.modname = VT_VFIO_MOD,
		.hook_id = VT_HOOK_VFIO_HANDLER,
		.group = VT_GRP_VFIO,
		.entry = vt_vfio_save_arg1,
		.ret = vt_handler_ret,
		.data_size = sizeof(void *),
	},
	{
		.sym = "vfio_pci_intx_unmask_handler",
		.modname = VT_VFIO_MOD,
		.hook_id = VT_HOOK_VFIO_UNMASK_HANDLER,
		.group = VT_GRP_VFIO,
		.entry = vt_vfio_save_arg0,
		.ret = vt_unmask_handler_ret,
		.data_size = sizeof(void *),
	},
	{
		.sym = "vfio_pci_intx_unmask",
		.modname = VT_VFIO_MOD,
		.hook_id = VT_HOOK_VFIO_UNMASK,
		.group = VT_GRP_VFIO,
		.pre = vt_unmask_pre,
	},
	{
		.sym = "__vfio_pci_intx_mask",
		.modname = VT_VFIO_MOD,
		.hook_id = VT_HOOK_VFIO_MASK,
		.group = VT_GRP_VFIO,
		.entry = vt_vfio_save_arg0,
		.ret = vt_mask_ret,
		.data_size = sizeof(void *),
	},
	{
		.sym = "vfio_send_intx_eventfd",
		.modname = VT_VFIO_MOD,
		.hook_id = VT_HOOK_VFIO_HANDLER,
		.group = VT_GRP_VFIO,
		.pre = vt_send_pre,
	},
};

struct vt_probe_set vt_set_vfio = {
	.name = "vfio",
	.probes = vt_vfio_probes,
	.nr = ARRAY_SIZE(vt_vfio_probes),
};
