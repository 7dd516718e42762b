/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/kvm_irq_routing.h - (irqchip, pin) <-> GSI.
 *
 * kvm_irq_map_chip_pin() is not exported to modules; this reads the
 * same table (kvm->irq_routing->chip[][], SRCU protected by
 * kvm->irq_srcu) the same way. Valid on 6.1 and mainline.
 */
#ifndef _VT_WRAPPER_KVM_IRQ_ROUTING_H
#define _VT_WRAPPER_KVM_IRQ_ROUTING_H

#include <linux/kvm_host.h>
#include <linux/srcu.h>

#include "vgic_trace_abi.h"

static inline u32 vt_kvm_chip_pin_to_gsi(struct kvm *kvm, unsigned int chip,
					 unsigned int pin)
{
	struct kvm_irq_routing_table *rt;
	u32 gsi = VT_NO_GSI;
	int idx;

	if (!kvm || chip >= KVM_NR_IRQCHIPS || pin >= KVM_IRQCHIP_NUM_PINS)
		return VT_NO_GSI;
	idx = srcu_read_lock(&kvm->irq_srcu);
	rt = srcu_dereference(kvm->irq_routing, &kvm->irq_srcu);
	if (rt && rt->chip[chip][pin] >= 0)
		gsi = rt->chip[chip][pin];
	srcu_read_unlock(&kvm->irq_srcu, idx);
	return gsi;
}

/**
 * vt_kvm_gsi_to_pin - first irqchip route of a GSI
 * @kvm:	the VM
 * @gsi:	GSI
 * @chip:	out: irqchip
 * @pin:	out: pin
 *
 * Return: true when @gsi has an irqchip route.
 */
static inline bool vt_kvm_gsi_to_pin(struct kvm *kvm, u32 gsi, u32 *chip,
				     u32 *pin)
{
	struct kvm_kernel_irq_routing_entry *e;
	struct kvm_irq_routing_table *rt;
	bool found = false;
	int idx;

	if (!kvm)
		return false;
	idx = srcu_read_lock(&kvm->irq_srcu);
	rt = srcu_dereference(kvm->irq_routing, &kvm->irq_srcu);
	if (rt && gsi < rt->nr_rt_entries) {
		hlist_for_each_entry(e, &rt->map[gsi], link) {
			if (e->type == KVM_IRQ_ROUTING_IRQCHIP) {
				*chip = e->irqchip.irqchip;
				*pin = e->irqchip.pin;
				found = true;
				break;
			}
		}
	}
	srcu_read_unlock(&kvm->irq_srcu, idx);
	return found;
}

#endif /* _VT_WRAPPER_KVM_IRQ_ROUTING_H */
