/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks_tp.bpf.h - degraded mode: the upstream kvm:* tracepoints (tp_btf),
 * for kernels where neither fentry nor kprobes attach. vt_degraded (set by
 * the loader) says which records each tracepoint stands in for.
 *   kvm_ack_irq(irqchip, pin)            -> ACK (gsi unknown)
 *   kvm_set_irq(gsi, level, source_id)   -> RESAMPLE: level 0 from the
 *       resample source right after an ack by the same task (a teardown
 *       de-assert comes from a kworker with no ack and is not counted);
 *       x86: -> INJECT with intid = gsi
 *   vgic_update_irq_pending(vcpu, intid, level) -> INJECT (arm64)
 */
#ifndef HOOKS_TP_BPF_H
#define HOOKS_TP_BPF_H

SEC("tp_btf/kvm_ack_irq")
int BPF_PROG(tp_ack, unsigned int irqchip, unsigned int pin)
{
	if (vt_degraded & VT_DEG_ACK)
		return vt_emit_ack(vt_current_vm(), irqchip, pin, VT_NO_GSI);
	vt_mark_ack(VT_NO_GSI);
	return 0;
}

SEC("tp_btf/kvm_set_irq")
int BPF_PROG(tp_set_irq, unsigned int gsi, int level, int source)
{
	__u32 zero = 0;
	struct vt_ack_mark *m;
	__u8 src;

	if ((vt_degraded & VT_DEG_RESAMPLE) && !level &&
	    source == VT_RESAMPLE_SOURCE_ID) {
		m = bpf_map_lookup_elem(&vt_ackmark, &zero);
		if (m && m->pid_tgid == bpf_get_current_pid_tgid()) {
			m->pid_tgid = 0;
			vt_emit_resample(vt_current_vm(), gsi, 0, 0);
		}
	}
	if (vt_degraded & VT_DEG_INJECT_SET_IRQ) {
		if (source == VT_RESAMPLE_SOURCE_ID)
			src = level ? VT_SRC_IRQFD : VT_SRC_RESAMPLER;
		else
			src = VT_SRC_UNKNOWN;
		vt_emit_inject(vt_current_vm(), VT_NO_VCPU, gsi, level ? 1 : 0,
			       src, 0);
	}
	return 0;
}

#if defined(__TARGET_ARCH_arm64)
SEC("tp_btf/vgic_update_irq_pending")
int BPF_PROG(tp_irq_pending, unsigned long vcpu_id, __u32 intid, bool level)
{
	if (!(vt_degraded & VT_DEG_INJECT_PENDING))
		return 0;
	return vt_emit_inject(vt_current_vm(),
			      intid < VT_SPI_BASE ? (__u32)vcpu_id : VT_NO_VCPU,
			      intid, level, VT_SRC_UNKNOWN, 0);
}
#endif

#endif /* HOOKS_TP_BPF_H */
