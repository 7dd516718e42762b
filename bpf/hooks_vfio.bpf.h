/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks_vfio.bpf.h - VFIO PCI INTx (module vfio-pci-core, arm64 build).
 *   HANDLER:        vfio_intx_handler(irq, dev_id) return, and
 *                   vfio_send_intx_eventfd(vdev, ...) entry
 *   MASK:           __vfio_pci_intx_mask (or vfio_pci_intx_mask) return
 *   UNMASK:         vfio_pci_intx_unmask return
 *   UNMASK_HANDLER: vfio_pci_intx_unmask_handler return (1 = re-injected)
 * Each as fentry/fexit or kprobe/kretprobe; the loader picks the symbol.
 */
#ifndef HOOKS_VFIO_BPF_H
#define HOOKS_VFIO_BPF_H

static __always_inline int vt_vfio(struct vfio_pci_core_device *vdev,
				   __u8 event, __s32 result)
{
	struct vt_rec_vfio *r;
	__u32 vm = vt_current_vm();

	if (!vdev)
		return 0;
	/* hard irq context: current is whoever was interrupted */
	if (event == VT_VFIO_HANDLER || event == VT_VFIO_SEND_EVENTFD)
		vm = VT_NO_VM;
	if (vm != VT_NO_VM && !vt_want_vm(vm))
		return 0;
	r = vt_reserve(sizeof(*r));
	if (!r)
		return 0;
	vt_fill_hdr(&r->hdr, VT_REC_VFIO, sizeof(*r), vm, VT_NO_VCPU);
	r->event = event;
	r->result = result;
	r->__pad = 0;
	r->__pad2 = 0;
	vt_read_vfio(vdev, r);
	vt_submit(r);
	return 0;
}

SEC("fexit/vfio_intx_handler")
int BPF_PROG(fx_vfio_handler, int irq, void *dev_id, int ret)
{
	return vt_vfio(vt_vfio_dev_of(dev_id), VT_VFIO_HANDLER, ret);
}

SEC("kprobe/vfio_intx_handler")
int BPF_KPROBE(kp_vfio_handler, int irq, void *dev_id)
{
	vt_stash_put(VT_HOOK_VFIO_HANDLER, (__u64)dev_id, 0, 0, 0);
	return 0;
}

SEC("kretprobe/vfio_intx_handler")
int BPF_KRETPROBE(kr_vfio_handler, int ret)
{
	struct vt_stash_val v;

	if (!vt_stash_take(VT_HOOK_VFIO_HANDLER, &v))
		return 0;
	return vt_vfio(vt_vfio_dev_of((void *)v.arg[0]), VT_VFIO_HANDLER, ret);
}

SEC("fentry/vfio_send_intx_eventfd")
int BPF_PROG(fe_vfio_send, void *opaque)
{
	return vt_vfio(opaque, VT_VFIO_SEND_EVENTFD, 0);
}

SEC("kprobe/vfio_send_intx_eventfd")
int BPF_KPROBE(kp_vfio_send, void *opaque)
{
	return vt_vfio(opaque, VT_VFIO_SEND_EVENTFD, 0);
}

/* exit hooks of void/bool functions taking the device first */
#define VT_VFIO_DEV_EXIT(name, hook, event, sym)			\
SEC("fexit/" sym)							\
int BPF_PROG(fx_##name, struct vfio_pci_core_device *vdev)		\
{									\
	return vt_vfio(vdev, event, 0);					\
}									\
SEC("kprobe/" sym)							\
int BPF_KPROBE(kp_##name, struct vfio_pci_core_device *vdev)		\
{									\
	vt_stash_put(hook, (__u64)vdev, 0, 0, 0);			\
	return 0;							\
}									\
SEC("kretprobe/" sym)							\
int BPF_KRETPROBE(kr_##name)						\
{									\
	struct vt_stash_val v;						\
									\
	if (!vt_stash_take(hook, &v))					\
		return 0;						\
	return vt_vfio((void *)v.arg[0], event, 0);			\
}

VT_VFIO_DEV_EXIT(vfio_mask, VT_HOOK_VFIO_MASK, VT_VFIO_MASK, "__vfio_pci_intx_mask")
VT_VFIO_DEV_EXIT(vfio_unmask, VT_HOOK_VFIO_UNMASK, VT_VFIO_UNMASK, "vfio_pci_intx_unmask")

/* int vfio_pci_intx_unmask_handler(void *opaque = vdev, void *data) */
SEC("fexit/vfio_pci_intx_unmask_handler")
int BPF_PROG(fx_vfio_unmask_handler, void *opaque, void *data, int ret)
{
	return vt_vfio(opaque, VT_VFIO_UNMASK_HANDLER, ret);
}

SEC("kprobe/vfio_pci_intx_unmask_handler")
int BPF_KPROBE(kp_vfio_unmask_handler, void *opaque)
{
	vt_stash_put(VT_HOOK_VFIO_UNMASK_HANDLER, (__u64)opaque, 0, 0, 0);
	return 0;
}

SEC("kretprobe/vfio_pci_intx_unmask_handler")
int BPF_KRETPROBE(kr_vfio_unmask_handler, int ret)
{
	struct vt_stash_val v;

	if (!vt_stash_take(VT_HOOK_VFIO_UNMASK_HANDLER, &v))
		return 0;
	return vt_vfio((void *)v.arg[0], VT_VFIO_UNMASK_HANDLER, ret);
}

#endif /* HOOKS_VFIO_BPF_H */
