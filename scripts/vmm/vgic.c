// SPDX-License-Identifier: GPL-2.0
/*
 * vgic.c - the in-kernel interrupt controller: vgic-v3 (distributor and
 * redistributors) or vgic-v2 (distributor and CPU interface), created after
 * the vCPUs and initialised before the first KVM_RUN.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm.h"

static int vgic_set_attr(struct vm *vm, uint32_t group, uint64_t attr, void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uint64_t)(uintptr_t)val,
	};

	if (ioctl(vm->vgic_fd, KVM_SET_DEVICE_ATTR, &a) < 0)
		return -errno;
	return 0;
}

/**
 * vgic_create() - create the vgic model matching vm->gic with @nr_spis SPIs.
 *
 * Return: 0 or a negative errno (message on stderr; on a GICv2 host a
 * vgic-v3 cannot be created and the reverse).
 */
int vgic_create(struct vm *vm, int nr_spis)
{
	struct kvm_create_device cd = { 0 };
	uint64_t dist = VT_GICD_BASE, cpu = VT_GICC_BASE, redist = VT_GICR_BASE;
	uint32_t nr_irqs = 32 + ((nr_spis + 31) / 32) * 32;
	int ret;

	cd.type = vm->gic == 3 ? KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2;
	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0) {
		ret = -errno;
		fprintf(stderr, "vmm: cannot create vgic-v%d: %s\n", vm->gic, strerror(errno));
		return ret;
	}
	vm->vgic_fd = cd.fd;
	ret = vgic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
	if (ret)
		goto err;
	if (vm->gic == 3) {
		ret = vgic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
				    KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
		if (!ret)
			ret = vgic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
					    KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	} else {
		ret = vgic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
				    KVM_VGIC_V2_ADDR_TYPE_DIST, &dist);
		if (!ret)
			ret = vgic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
					    KVM_VGIC_V2_ADDR_TYPE_CPU, &cpu);
	}
	if (ret)
		goto err;
	return 0;
err:
	fprintf(stderr, "vmm: vgic-v%d setup: %s\n", vm->gic, strerror(-ret));
	return ret;
}

/** vgic_init() - KVM_DEV_ARM_VGIC_CTRL_INIT, after all vCPUs exist. */
int vgic_init(struct vm *vm)
{
	int ret = vgic_set_attr(vm, KVM_DEV_ARM_VGIC_GRP_CTRL,
				KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);

	if (ret)
		fprintf(stderr, "vmm: vgic init: %s\n", strerror(-ret));
	return ret;
}
