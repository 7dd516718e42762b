/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/kvm_vm_id.h - VM identity without kernel pointers.
 *
 * struct kvm has carried userspace_pid (task_pid_nr of the creator, the
 * VMM) since 5.14; every kernel this module builds for has it.
 */
#ifndef _VT_WRAPPER_KVM_VM_ID_H
#define _VT_WRAPPER_KVM_VM_ID_H

#include <linux/kvm_host.h>

#include "vgic_trace_abi.h"

static inline u32 vt_kvm_vm_id(const struct kvm *kvm)
{
	if (!kvm)
		return VT_NO_VM;
	return (u32)READ_ONCE(kvm->userspace_pid);
}

#endif /* _VT_WRAPPER_KVM_VM_ID_H */
