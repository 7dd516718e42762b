/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vt_read.bpf.h - CO-RE readers for the kernel objects the hooks see.
 * Fields that differ between Debian 6.1, 6.12 and 7.2 are read through
 * "flavour" structs (suffix ___<shape>), checked with
 * bpf_core_field_exists(), and BPF_CORE_READ_BITFIELD_PROBED (vgic_irq's
 * bools became bitfields in 6.13). One object, built against any of the
 * three vmlinux.h, loads on all of them.
 */
#ifndef VT_READ_BPF_H
#define VT_READ_BPF_H

/* arm64: one irqchip; x86: PIC master, PIC slave, IOAPIC. */
#if defined(__TARGET_ARCH_arm64)
#define VT_NR_IRQCHIPS	1
#else
#define VT_NR_IRQCHIPS	3
#endif

static __always_inline __u32 vt_kvm_vm(struct kvm *kvm)
{
	return kvm ? (__u32)BPF_CORE_READ(kvm, userspace_pid) : VT_NO_VM;
}

static __always_inline __u32 vt_vcpu_vm(struct kvm_vcpu *vcpu)
{
	return vcpu ? (__u32)BPF_CORE_READ(vcpu, kvm, userspace_pid) : VT_NO_VM;
}

static __always_inline __u32 vt_vcpu_id(struct kvm_vcpu *vcpu)
{
	return vcpu ? (__u32)BPF_CORE_READ(vcpu, vcpu_id) : VT_NO_VCPU;
}

/*
 * kvm_irq_routing_table.chip is int chip[KVM_NR_IRQCHIPS][KVM_IRQCHIP_NUM_PINS];
 * pahole < 1.25 (Debian 6.1, 6.12) flattens it to int chip[N * PINS],
 * pahole 1.32 (7.2) keeps both dimensions. CO-RE does not match an int
 * array against an array of arrays, so each shape has its own flavour;
 * the relocation of the absent one sits in a branch the verifier drops.
 */
struct kvm_irq_routing_table___flat {
	int chip[1];
} __attribute__((preserve_access_index));

struct kvm_irq_routing_table___2d {
	int chip[1][1];
} __attribute__((preserve_access_index));

/* kvm_irq_map_chip_pin(): kvm->irq_routing->chip[irqchip][pin], or VT_NO_GSI */
static __always_inline __u32 vt_chip_pin_gsi(struct kvm *kvm, __u32 irqchip,
					     __u32 pin)
{
	struct kvm_irq_routing_table *rt;
	__u32 size, off, npins, idx;
	int gsi = -1;

	if (!kvm || irqchip >= VT_NR_IRQCHIPS)
		return VT_NO_GSI;
	if (bpf_core_field_exists(struct kvm_irq_routing_table___flat, chip)) {
		size = bpf_core_field_size(struct kvm_irq_routing_table___flat, chip);
		off = bpf_core_field_offset(struct kvm_irq_routing_table___flat, chip);
	} else if (bpf_core_field_exists(struct kvm_irq_routing_table___2d, chip)) {
		size = bpf_core_field_size(struct kvm_irq_routing_table___2d, chip);
		off = bpf_core_field_offset(struct kvm_irq_routing_table___2d, chip);
	} else {
		return VT_NO_GSI;
	}
	npins = size / sizeof(int) / VT_NR_IRQCHIPS;
	if (pin >= npins)
		return VT_NO_GSI;
	rt = BPF_CORE_READ(kvm, irq_routing);
	if (!rt)
		return VT_NO_GSI;
	idx = irqchip * npins + pin;
	if (bpf_probe_read_kernel(&gsi, sizeof(gsi),
				  (void *)rt + off + (__u64)idx * sizeof(int)))
		return VT_NO_GSI;
	return gsi < 0 ? VT_NO_GSI : (__u32)gsi;
}

/* keyed identity of the eventfd_ctx behind @fd of the current task */
static __always_inline __u64 vt_fd_key(int fd)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f = NULL;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return 0;
	return vt_key(BPF_CORE_READ(f, private_data));
}

#if defined(__TARGET_ARCH_arm64)
/*
 * VFIO INTx context: 6.1 has vdev->ctx, a pointer to an array of
 * struct vfio_pci_irq_ctx; 6.7+ an xarray of them, and (6.9+) the ctx
 * knows its device and is vfio_intx_handler's dev_id. The flavours match
 * one shape each (a pointer field never matches a struct field).
 */
struct vfio_pci_irq_ctx___v69 {
	struct vfio_pci_core_device *vdev;
} __attribute__((preserve_access_index));

struct vfio_pci_core_device___v61 {
	struct vfio_pci_irq_ctx *ctx;
} __attribute__((preserve_access_index));

struct vfio_pci_core_device___v67 {
	struct xarray ctx;
} __attribute__((preserve_access_index));

/* vgic_irq of an SPI: kvm->arch.vgic.spis[intid - 32] */
static __always_inline struct vgic_irq *vt_spi_irq(struct kvm *kvm, __u32 intid)
{
	struct vgic_irq *spis;
	int nr;

	if (intid < VT_SPI_BASE)
		return NULL;
	nr = BPF_CORE_READ(kvm, arch.vgic.nr_spis);
	if (intid - VT_SPI_BASE >= (__u32)nr)
		return NULL;
	spis = BPF_CORE_READ(kvm, arch.vgic.spis);
	if (!spis)
		return NULL;
	return (void *)spis + (__u64)(intid - VT_SPI_BASE) *
		bpf_core_type_size(struct vgic_irq);
}

/* Fill the state fields of @r from @irq (6.1 bools or mainline bits). */
static __always_inline void vt_read_irq(struct vgic_irq *irq,
					struct vt_rec_irq_state *r)
{
	struct kvm_vcpu *v;

	r->intid = BPF_CORE_READ(irq, intid);
	v = BPF_CORE_READ(irq, target_vcpu);
	r->target_vcpu = vt_vcpu_id(v);
	v = BPF_CORE_READ(irq, vcpu);
	r->ap_vcpu = vt_vcpu_id(v);
	r->line_level = BPF_CORE_READ_BITFIELD_PROBED(irq, line_level);
	r->pending_latch = BPF_CORE_READ_BITFIELD_PROBED(irq, pending_latch);
	r->active = BPF_CORE_READ_BITFIELD_PROBED(irq, active);
	r->enabled = BPF_CORE_READ_BITFIELD_PROBED(irq, enabled);
	r->hw = BPF_CORE_READ_BITFIELD_PROBED(irq, hw);
	r->config = BPF_CORE_READ_BITFIELD_PROBED(irq, config) ?
		VT_CFG_LEVEL : VT_CFG_EDGE;
}

/* INTx context of a VFIO device: ctx[0] (6.1) or xa_load(&ctx, 0) (6.7+). */
static __always_inline struct vfio_pci_irq_ctx *
vt_vfio_ctx(struct vfio_pci_core_device *vdev)
{
	if (!vdev)
		return NULL;
	if (bpf_core_field_exists(struct vfio_pci_core_device___v67, ctx)) {
		struct vfio_pci_core_device___v67 *nv = (void *)vdev;
		unsigned long head = (unsigned long)BPF_CORE_READ(nv, ctx.xa_head);

		/*
		 * INTx stores one entry, at index 0: the xarray keeps a lone
		 * index-0 entry in xa_head itself; internal entries (nodes,
		 * retry/zero markers) have bit 1 set, never a ctx pointer.
		 */
		if (head & 2)
			return NULL;
		return (void *)head;
	}
	if (bpf_core_field_exists(struct vfio_pci_core_device___v61, ctx))
		return BPF_CORE_READ((struct vfio_pci_core_device___v61 *)vdev, ctx);
	return NULL;
}

/* vfio_intx_handler's dev_id: the device (6.1) or the ctx (6.9+) */
static __always_inline struct vfio_pci_core_device *vt_vfio_dev_of(void *dev_id)
{
	if (bpf_core_field_exists(struct vfio_pci_irq_ctx___v69, vdev))
		return BPF_CORE_READ((struct vfio_pci_irq_ctx___v69 *)dev_id, vdev);
	return dev_id;
}

static __always_inline void vt_read_vfio(struct vfio_pci_core_device *vdev,
					 struct vt_rec_vfio *r)
{
	struct vfio_pci_irq_ctx *ctx = vt_vfio_ctx(vdev);
	struct pci_dev *pdev = BPF_CORE_READ(vdev, pdev);
	const char *name;

	r->masked = 0xff;
	r->trigger_key = 0;
	r->unmask_key = 0;
	r->pci_2_3 = BPF_CORE_READ_BITFIELD_PROBED(vdev, pci_2_3);
	r->host_irq = pdev ? BPF_CORE_READ(pdev, irq) : 0;
	r->dev[0] = 0;
	if (pdev) {
		name = BPF_CORE_READ(pdev, dev.kobj.name);
		if (name)
			bpf_probe_read_kernel_str(r->dev, sizeof(r->dev), name);
	}
	if (ctx) {
		r->masked = BPF_CORE_READ(ctx, masked);
		r->trigger_key = vt_key(BPF_CORE_READ(ctx, trigger));
		r->unmask_key = vt_key(BPF_CORE_READ(ctx, unmask, eventfd));
	}
}
#endif /* __TARGET_ARCH_arm64 */

#endif /* VT_READ_BPF_H */
