/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/kvm_irqfd_list.h - the irqfd kvm_irqfd_assign() just added.
 *
 * 6.1, 6.12 and 7.2 (virt/kvm/eventfd.c) all add the new irqfd with
 * list_add_tail(&irqfd->list, &kvm->irqfds.items) under the spinlock
 * kvm->irqfds.lock, and take an irqfd off that list only under the same
 * lock (irqfd_deactivate: list_del_init, then the free runs later from
 * irqfd_cleanup_wq). An irqfd on the list while the lock is held is
 * therefore alive, and its eventfd/resamplefd references are held.
 * struct kvm_kernel_irqfd (include/linux/kvm_irqfd.h) has @gsi,
 * @eventfd and @resamplefd on all three; it is typed here through the
 * running kernel's headers. The lock is taken with spin_lock_irqsave
 * (irqfd_wakeup takes it with irqsave from wakeup context).
 *
 * On PREEMPT_RT spinlock_t sleeps: not allowed in a probe handler, so
 * there vt_kvm_irqfd_last() finds nothing and the caller keeps the
 * entry-time fd lookup.
 */
#ifndef _VT_WRAPPER_KVM_IRQFD_LIST_H
#define _VT_WRAPPER_KVM_IRQFD_LIST_H

#include <linux/kvm_host.h>
#include <linux/kvm_irqfd.h>
#include <linux/spinlock.h>

/**
 * vt_kvm_irqfd_last - eventfd and resamplefd of the last irqfd for @gsi
 * @kvm:	the VM (its fd is held by the ioctl that is returning)
 * @gsi:	the GSI of the assign
 * @eventfd:	out: that irqfd's eventfd context (identity only, not
 *		dereferenced, no reference taken)
 * @resamplefd:	out: that irqfd's resamplefd context or NULL
 *
 * Return: true if an irqfd for @gsi is on kvm->irqfds.items; false if
 * none is (already deactivated by an EPOLLHUP) or on PREEMPT_RT.
 */
static inline bool vt_kvm_irqfd_last(struct kvm *kvm, u32 gsi,
				     const void **eventfd,
				     const void **resamplefd)
{
#ifdef CONFIG_PREEMPT_RT
	return false;
#else
	struct kvm_kernel_irqfd *irqfd;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&kvm->irqfds.lock, flags);
	list_for_each_entry_reverse(irqfd, &kvm->irqfds.items, list) {
		if ((u32)irqfd->gsi != gsi)
			continue;
		*eventfd = irqfd->eventfd;
		*resamplefd = irqfd->resamplefd;
		found = true;
		break;
	}
	spin_unlock_irqrestore(&kvm->irqfds.lock, flags);
	return found;
#endif
}

#endif /* _VT_WRAPPER_KVM_IRQFD_LIST_H */
