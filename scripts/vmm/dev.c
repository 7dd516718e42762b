// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - MMIO exits: the VMM-emulated level device (raise/ack lines, the
 * guest leaving, debug output) and the edu BAR0 window forwarded to VFIO.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm.h"

static uint32_t mmio_val(const uint8_t *data, int len)
{
	uint32_t v = 0;

	memcpy(&v, data, len < 4 ? (size_t)len : 4);
	return v;
}

static int dev_line(struct vm *vm, uint32_t val)
{
	if (val >= (uint32_t)vm->nr_lines) {
		fprintf(stderr, "vmm: guest used device line %u of %d\n", val, vm->nr_lines);
		return -EINVAL;
	}
	return (int)val;
}

static int dev_write(struct vcpu *v, uint64_t off, uint32_t val)
{
	struct vm *vm = v->vm;
	int line, ret = 0;

	switch (off) {
	case VT_DEV_RAISE:
	case VT_DEV_ACK:
		line = dev_line(vm, val);
		if (line < 0)
			return line;
		pthread_mutex_lock(&vm->lock);
		if (off == VT_DEV_RAISE) {
			vm->line[line].raise++;
			vm->line[line].asserted = 1;
			ret = line_trigger(vm, line);
		} else {
			vm->line[line].ack++;
			vm->line[line].asserted = 0;
		}
		pthread_mutex_unlock(&vm->lock);
		return ret;
	case VT_DEV_PUTC:
		fputc((int)(val & 0xff), stderr);
		return 0;
	case VT_DEV_ESR:
		vm->guest_esr = val;
		return 0;
	case VT_DEV_FAIL:
		vm->guest_fail = val;
		fprintf(stderr, "vmm: guest vCPU %d failed: status %u at %#x (esr %#x)\n",
			v->id, val, vm->sh->fail_line, vm->guest_esr);
		vm->stop = 1;
		vm_kick_all(vm);
		return 1;
	case VT_DEV_DONE:
		if (v->id == 0) {
			vm->stop = 1;
			vm_kick_all(vm);
		}
		return 1;
	default:
		fprintf(stderr, "vmm: guest wrote unknown device register %#llx\n",
			(unsigned long long)off);
		return -EINVAL;
	}
}

/**
 * dev_mmio() - handle one KVM_EXIT_MMIO.
 *
 * Return: 0 to continue, 1 when this vCPU leaves, negative errno on a
 * guest access the VMM does not implement.
 */
int dev_mmio(struct vcpu *v, uint64_t addr, uint8_t *data, int len, int is_write)
{
	struct vm *vm = v->vm;

	if (addr >= VT_DEV_BASE && addr < VT_DEV_BASE + VT_DEV_SIZE) {
		if (!is_write) {
			memset(data, 0, len);
			return 0;
		}
		return dev_write(v, addr - VT_DEV_BASE, mmio_val(data, len));
	}
	if (addr >= VT_EDU_BASE && addr < VT_EDU_BASE + VT_EDU_SIZE && vm->vfio)
		return vfio_mmio(vm, addr - VT_EDU_BASE, data, len, is_write);
	fprintf(stderr, "vmm: vCPU %d: %s of %d bytes at unmapped %#llx\n", v->id,
		is_write ? "write" : "read", len, (unsigned long long)addr);
	return -EFAULT;
}
