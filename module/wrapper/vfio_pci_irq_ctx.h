/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/vfio_pci_irq_ctx.h - the INTx state of a VFIO PCI device.
 *
 * struct vfio_pci_irq_ctx is PRIVATE to drivers/vfio/pci/vfio_pci_intrs.c.
 * Mirrors of its layouts, verified in Debian's sources:
 *
 *   6.1.192:            { trigger, unmask, mask, name, masked, producer }
 *   6.12.117, 7.2.13:   { vdev, trigger, unmask, mask, name, masked, producer }
 *
 * (->vdev came with "vfio/pci: Pass eventfd context to IRQ handler",
 * 6.9, which also made the ctx, not the device, request_irq()'s dev_id:
 * the dev_id of vfio_intx_handler() is a struct vfio_pci_irq_ctx * from
 * 6.9, as the two rows of include/vt_hooks.def say.)
 *
 * Where the INTx ctx lives: vdev->ctx is an array (entry 0 = INTx) until
 * the xarray conversion, then xa_load(&vdev->ctx, 0). That is read from
 * the headers (module/Kbuild defines VT_VFIO_CTX_XARRAY when
 * include/linux/vfio_pci_core.h declares "struct xarray ctx").
 *
 * Everything behind a pointer whose type is not certain (the ctx, and
 * the device it names; pdev; the device name; the KVM) is read with
 * copy_from_kernel_nofault(), so a wrong guess gives a wrong record,
 * never an oops (these run in hard-irq context).
 */
#ifndef _VT_WRAPPER_VFIO_PCI_IRQ_CTX_H
#define _VT_WRAPPER_VFIO_PCI_IRQ_CTX_H

#include <linux/eventfd.h>
#include <linux/kvm_host.h>
#include <linux/pci.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include <linux/xarray.h>

#include "vgic_trace_abi.h"

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
#define VT_VFIO_CTX_HAS_VDEV	1
#else
#define VT_VFIO_CTX_HAS_VDEV	0
#endif

/* The leading fields of struct vfio_pci_irq_ctx (up to @masked). */
struct vt_vfio_irq_ctx {
#if VT_VFIO_CTX_HAS_VDEV
	struct vfio_pci_core_device	*vdev;
#endif
	struct eventfd_ctx		*trigger;
	struct virqfd			*unmask;
	struct virqfd			*mask;
	char				*name;
	bool				masked;
};

/**
 * struct vt_vfio_info - what a VFIO record says about the device
 * @kvm:	the VM the device is bound to (NULL if none)
 * @host_irq:	pdev->irq
 * @pci_2_3:	vdev->pci_2_3
 * @masked:	INTx ctx->masked, 0xff if unknown
 * @trigger:	INTx trigger eventfd (for the key), NULL if unknown
 * @unmask:	INTx unmask (resample) eventfd, NULL if none
 * @dev:	PCI name of the device, "" if unknown
 */
struct vt_vfio_info {
	struct kvm *kvm;
	u32 host_irq;
	u8 pci_2_3;
	u8 masked;
	struct eventfd_ctx *trigger;
	struct eventfd_ctx *unmask;
	char dev[16];
};

#define vt_nf_read(dst, src)	copy_from_kernel_nofault(&(dst), &(src), sizeof(dst))

/*
 * Copy a kernel string fault-safe, byte by byte (strncpy_from_kernel_nofault
 * is not exported); "" when unreadable, always terminated.
 */
static inline void vt_nf_strcpy(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (copy_from_kernel_nofault(&dst[i], src + i, 1)) {
			i = 0;
			break;
		}
		if (!dst[i])
			return;
	}
	dst[i] = '\0';
}

/* Address of the INTx ctx of @vdev, NULL if none (or not INTx). */
static inline void *vt_vfio_intx_ctx(struct vfio_pci_core_device *vdev)
{
	int irq_type;

	if (vt_nf_read(irq_type, vdev->irq_type) ||
	    irq_type != VFIO_PCI_INTX_IRQ_INDEX)
		return NULL;
#ifdef VT_VFIO_CTX_XARRAY
	/* RCU-safe in any context; vdev is this kernel's type (argument) */
	return xa_load(&vdev->ctx, 0);
#else
	{
		void *ctx;

		if (vt_nf_read(ctx, vdev->ctx))
			return NULL;
		return ctx;	/* entry 0 of the array is INTx */
	}
#endif
}

/**
 * vt_vfio_dev_of_handler_arg - the device of vfio_intx_handler's dev_id
 * @dev_id:	request_irq()'s dev_id: the ctx from 6.9, the device before
 * @ctx:	out: the ctx when @dev_id is one, else NULL
 *
 * Return: the device, NULL if it cannot be read.
 */
static inline struct vfio_pci_core_device *
vt_vfio_dev_of_handler_arg(void *dev_id, void **ctx)
{
#if VT_VFIO_CTX_HAS_VDEV
	struct vfio_pci_core_device *vdev;
	struct vt_vfio_irq_ctx *c = dev_id;

	*ctx = dev_id;
	if (!dev_id || vt_nf_read(vdev, c->vdev))
		return NULL;
	return vdev;
#else
	*ctx = NULL;
	return dev_id;
#endif
}

/**
 * vt_vfio_read - read a device's INTx state fault-safe
 * @vdev:	the device
 * @ctx:	its INTx ctx if known, NULL to look it up
 * @out:	filled; fields that cannot be read stay unknown
 *
 * Return: 0, or -EFAULT when the device itself cannot be read.
 */
static inline int vt_vfio_read(struct vfio_pci_core_device *vdev, void *ctx,
			       struct vt_vfio_info *out)
{
	struct vt_vfio_irq_ctx c;
	struct pci_dev *pdev;
	struct eventfd_ctx *efd;
	const char *name;

	memset(out, 0, sizeof(*out));
	out->masked = 0xff;
	if (!vdev || vt_nf_read(pdev, vdev->pdev))
		return -EFAULT;
	/*
	 * pci_2_3 is a bitfield (no address to copy from): read plainly,
	 * once vdev->pdev of the same structure was readable.
	 */
	out->pci_2_3 = data_race((u8)vdev->pci_2_3);
	if (vt_nf_read(out->kvm, vdev->vdev.kvm))
		out->kvm = NULL;
	if (pdev) {
		if (vt_nf_read(out->host_irq, pdev->irq))
			out->host_irq = 0;
		/* pci_name() = dev_name(): kobject name */
		if (!vt_nf_read(name, pdev->dev.kobj.name) && name)
			vt_nf_strcpy(out->dev, name, sizeof(out->dev));
	}
	if (!ctx)
		ctx = vt_vfio_intx_ctx(vdev);
	if (!ctx || copy_from_kernel_nofault(&c, ctx, sizeof(c)))
		return 0;
	out->masked = c.masked;
	out->trigger = c.trigger;
	if (c.unmask && !vt_nf_read(efd, c.unmask->eventfd))
		out->unmask = efd;
	return 0;
}

/* VM identity of @kvm read fault-safe (kvm->userspace_pid, VMM tgid). */
static inline u32 vt_vfio_vm_id(struct kvm *kvm)
{
	pid_t pid;

	if (!kvm || vt_nf_read(pid, kvm->userspace_pid))
		return VT_NO_VM;
	return (u32)pid;
}

#endif /* _VT_WRAPPER_VFIO_PCI_IRQ_CTX_H */
