/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks_vfio.bpf.h - VFIO PCI INTx (module vfio-pci-core, arm64 build).
 *   HANDLER:        vfio_intx_handler(irq, dev_id) return, and
 *                   vfio_send_intx_eventfd(vdev, ...) entry
 *   MASK:           __vfio_pci_intx_mask (or vfio_pci_intx_mask) return
 *   UNMASK_HANDLER: vfio_pci_intx_unmask_handler return (1 = re-injected)
 *                   when run from the resamplefd (virqfd); run by a task
 *                   inside vfio_pci_set_irqs_ioctl or vfio_pci_intx_unmask
 *                   (kprobe/kretprobe markers = hook UNMASK) it is the
 *                   ioctl/config unmask and recorded as VT_VFIO_UNMASK
 *                   (the ioctl path's __vfio_pci_intx_unmask is inlined).
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

/* bool __vfio_pci_intx_mask(vdev): result = masked changed */
SEC("fexit/__vfio_pci_intx_mask")
int BPF_PROG(fx_vfio_mask, struct vfio_pci_core_device *vdev, bool ret)
{
	return vt_vfio(vdev, VT_VFIO_MASK, ret);
}

SEC("kprobe/__vfio_pci_intx_mask")
int BPF_KPROBE(kp_vfio_mask, struct vfio_pci_core_device *vdev)
{
	vt_stash_put(VT_HOOK_VFIO_MASK, (__u64)vdev, 0, 0, 0);
	return 0;
}

SEC("kretprobe/__vfio_pci_intx_mask")
int BPF_KRETPROBE(kr_vfio_mask, long ret)
{
	struct vt_stash_val v;

	if (!vt_stash_take(VT_HOOK_VFIO_MASK, &v))
		return 0;
	return vt_vfio((void *)v.arg[0], VT_VFIO_MASK, ret & 0xff);
}

/* tasks inside an unmask ioctl / vfio_pci_intx_unmask: tid -> depth */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} vt_unmask_mark SEC(".maps");

SEC("kprobe/vfio_pci_set_irqs_ioctl")
int BPF_KPROBE(kp_vfio_mark)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), one = 1;
	__u32 *d = bpf_map_lookup_elem(&vt_unmask_mark, &tid);

	if (d)
		(*d)++;	/* per-thread key: no concurrent writer */
	else
		bpf_map_update_elem(&vt_unmask_mark, &tid, &one, BPF_ANY);
	return 0;
}

SEC("kretprobe/vfio_pci_set_irqs_ioctl")
int BPF_KRETPROBE(kr_vfio_mark)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 *d = bpf_map_lookup_elem(&vt_unmask_mark, &tid);

	if (d && *d > 1)
		(*d)--;
	else if (d)
		bpf_map_delete_elem(&vt_unmask_mark, &tid);
	return 0;
}

static __always_inline int vt_unmask_handler(void *vdev, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (bpf_map_lookup_elem(&vt_unmask_mark, &tid))
		return vt_vfio(vdev, VT_VFIO_UNMASK, 0);
	return vt_vfio(vdev, VT_VFIO_UNMASK_HANDLER, ret);
}

/* int vfio_pci_intx_unmask_handler(void *opaque = vdev, void *data) */
SEC("fexit/vfio_pci_intx_unmask_handler")
int BPF_PROG(fx_vfio_unmask_handler, void *opaque, void *data, int ret)
{
	return vt_unmask_handler(opaque, ret);
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
	return vt_unmask_handler((void *)v.arg[0], ret);
}

#endif /* HOOKS_VFIO_BPF_H */
