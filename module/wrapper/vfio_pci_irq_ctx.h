/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/vfio_pci_irq_ctx.h - the INTx context of a VFIO PCI device.
 *
 * struct vfio_pci_irq_ctx is PRIVATE to drivers/vfio/pci/vfio_pci_intrs.c.
 * This is a mirror of its 6.1 layout (Debian 6.1.192, verified against
 * linux-source-6.1):
 *
 *	struct vfio_pci_irq_ctx {
 *		struct eventfd_ctx	*trigger;
 *		struct virqfd		*unmask;
 *		struct virqfd		*mask;
 *		char			*name;
 *		bool			masked;
 *		struct irq_bypass_producer	producer;
 *	};
 *
 * and vdev->ctx is an array whose entry 0 is INTx. From 6.7 vdev->ctx is
 * an xarray and the struct gained fields; those kernels are not mirrored
 * here yet, so VT_HAVE_VFIO_CTX is 0 and the VFIO hooks report the
 * device fields as unknown (0xff / 0) instead of reading a wrong layout.
 * Only the fields up to @masked are read.
 */
#ifndef _VT_WRAPPER_VFIO_PCI_IRQ_CTX_H
#define _VT_WRAPPER_VFIO_PCI_IRQ_CTX_H

#include <linux/eventfd.h>
#include <linux/irqbypass.h>
#include <linux/pci.h>
#include <linux/version.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
#define VT_HAVE_VFIO_CTX 1

struct vt_vfio_pci_irq_ctx_61 {
	struct eventfd_ctx	*trigger;
	struct virqfd		*unmask;
	struct virqfd		*mask;
	char			*name;
	bool			masked;
	struct irq_bypass_producer	producer;
};

/* INTx context of @vdev, NULL if none is set up. */
static inline struct vt_vfio_pci_irq_ctx_61 *
vt_vfio_intx_ctx(struct vfio_pci_core_device *vdev)
{
	if (vdev->irq_type != VFIO_PCI_INTX_IRQ_INDEX || !vdev->ctx)
		return NULL;
	return (struct vt_vfio_pci_irq_ctx_61 *)vdev->ctx;
}

static inline struct eventfd_ctx *
vt_vfio_intx_unmask_eventfd(struct vt_vfio_pci_irq_ctx_61 *ctx)
{
	struct virqfd *v = READ_ONCE(ctx->unmask);

	return v ? v->eventfd : NULL;
}
#else
#define VT_HAVE_VFIO_CTX 0
#endif

/* The KVM VM a VFIO device is bound to (vfio_device.kvm, 6.0+). */
static inline struct kvm *vt_vfio_kvm(struct vfio_pci_core_device *vdev)
{
	return READ_ONCE(vdev->vdev.kvm);
}

#endif /* _VT_WRAPPER_VFIO_PCI_IRQ_CTX_H */
