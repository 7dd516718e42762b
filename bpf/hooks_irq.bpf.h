/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks_irq.bpf.h - injection, ack, irqfd resample, irqfd assignment.
 *   INJECT:   kvm_vgic_inject_irq (arm64; fexit | kprobe+kretprobe),
 *             plus the SPI's vgic_irq state after it (VT_REC_IRQ_STATE);
 *             source from marks set by irqfd_resampler_ack and
 *             kvm_arch_set_irq_inatomic (kprobe+kretprobe)
 *   ACK:      kvm_notify_acked_irq (fentry | kprobe)
 *   RESAMPLE: irqfd_resampler_ack (fentry | kprobe)
 *   IRQFD:    kvm_irqfd (fexit with its result | kprobe: ret 0, not known)
 */
#ifndef HOOKS_IRQ_BPF_H
#define HOOKS_IRQ_BPF_H

/* set the per-CPU "ack seen" mark used by the degraded resample path */
static __always_inline void vt_mark_ack(__u32 gsi)
{
	__u32 zero = 0;
	struct vt_ack_mark *m = bpf_map_lookup_elem(&vt_ackmark, &zero);

	if (m) {
		m->pid_tgid = bpf_get_current_pid_tgid();
		m->gsi = gsi;
	}
}

static __always_inline int vt_emit_ack(__u32 vm, __u32 irqchip, __u32 pin,
				       __u32 gsi)
{
	struct vt_rec_ack *r;

	vt_mark_ack(gsi);
	if (!vt_want_vm(vm))
		return 0;
	r = vt_reserve(sizeof(*r));
	if (!r)
		return 0;
	vt_fill_hdr(&r->hdr, VT_REC_ACK, sizeof(*r), vm, VT_NO_VCPU);
	r->irqchip = irqchip;
	r->pin = pin;
	r->gsi = gsi;
	r->__pad = 0;
	vt_submit(r);
	return 0;
}

#ifdef VT_TEST_UNLOADABLE_ACK
/*
 * Test build only (bpf/tests/Makefile unloadable): a field no kernel has,
 * so that the ack programs cannot load anywhere, as 6.1's chip[] shape
 * could not on 7.2; the loader must lose that hook alone.
 */
struct kvm___vt_test {
	int vt_no_such_field;
} __attribute__((preserve_access_index));
#define VT_TEST_BREAK(kvm) BPF_CORE_READ((struct kvm___vt_test *)(kvm), vt_no_such_field)
#else
#define VT_TEST_BREAK(kvm) 0
#endif

static __always_inline int vt_ack(struct kvm *kvm, __u32 irqchip, __u32 pin)
{
	return vt_emit_ack(vt_kvm_vm(kvm), irqchip, pin,
			   vt_chip_pin_gsi(kvm, irqchip, pin) + VT_TEST_BREAK(kvm));
}

SEC("fentry/kvm_notify_acked_irq")
int BPF_PROG(fe_ack, struct kvm *kvm, unsigned int irqchip, unsigned int pin)
{
	return vt_ack(kvm, irqchip, pin);
}

SEC("kprobe/kvm_notify_acked_irq")
int BPF_KPROBE(kp_ack, struct kvm *kvm, unsigned int irqchip, unsigned int pin)
{
	return vt_ack(kvm, irqchip, pin);
}

static __always_inline int vt_emit_resample(__u32 vm, __u32 gsi, __u32 nr,
					    __u64 key)
{
	struct vt_rec_resample *r;

	if (!vt_want_vm(vm))
		return 0;
	r = vt_reserve(sizeof(*r));
	if (!r)
		return 0;
	vt_fill_hdr(&r->hdr, VT_REC_RESAMPLE, sizeof(*r), vm, VT_NO_VCPU);
	r->gsi = gsi;
	r->nr_irqfds = nr;
	r->resample_key = key;
	vt_submit(r);
	return 0;
}

/*
 * Injection sources (arm64): the de-assert irqfd_resampler_ack() issues
 * is the first level-0 injection by the same task after it started;
 * irqfd_wakeup's fast path runs inside kvm_arch_set_irq_inatomic().
 */
struct vt_src_mark {
	__u64 resampler;	/* pid_tgid inside irqfd_resampler_ack */
	__u32 inatomic;		/* kvm_arch_set_irq_inatomic depth */
	__u32 __pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vt_src_mark);
} vt_srcmark SEC(".maps");

static __always_inline struct vt_src_mark *vt_srcmark_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vt_srcmark, &zero);
}

/* irqfd_resampler_ack(kian): kian is &resampler->notifier */
static __always_inline int vt_resample(struct kvm_irq_ack_notifier *kian)
{
	struct vt_src_mark *sm = vt_srcmark_get();
	struct kvm_kernel_irqfd_resampler *rs;
	struct kvm_kernel_irqfd *irqfd;
	struct list_head *head, *pos;
	__u64 key = 0;
	__u32 nr = 0;
	int i;

	if (sm)
		sm->resampler = bpf_get_current_pid_tgid();
	rs = (void *)kian - bpf_core_field_offset(struct kvm_kernel_irqfd_resampler,
						  notifier);
	head = &rs->list;
	pos = BPF_CORE_READ(rs, list.next);
	for (i = 0; i < 8 && pos && pos != head; i++) {
		irqfd = (void *)pos - bpf_core_field_offset(struct kvm_kernel_irqfd,
							    resampler_link);
		if (!nr)
			key = vt_key(BPF_CORE_READ(irqfd, resamplefd));
		nr++;
		pos = BPF_CORE_READ(pos, next);
	}
	return vt_emit_resample(vt_kvm_vm(BPF_CORE_READ(rs, kvm)),
				BPF_CORE_READ(kian, gsi), nr, key);
}

SEC("fentry/irqfd_resampler_ack")
int BPF_PROG(fe_resample, struct kvm_irq_ack_notifier *kian)
{
	return vt_resample(kian);
}

SEC("kprobe/irqfd_resampler_ack")
int BPF_KPROBE(kp_resample, struct kvm_irq_ack_notifier *kian)
{
	return vt_resample(kian);
}

static __always_inline int vt_irqfd(struct kvm *kvm, struct kvm_irqfd *args,
				    __s32 ret)
{
	struct vt_rec_irqfd *r;
	__u32 vm = vt_kvm_vm(kvm);
	__u32 flags;

	if (!vt_want_vm(vm))
		return 0;
	r = vt_reserve(sizeof(*r));
	if (!r)
		return 0;
	vt_fill_hdr(&r->hdr, VT_REC_IRQFD, sizeof(*r), vm, VT_NO_VCPU);
	flags = BPF_CORE_READ(args, flags);
	r->gsi = BPF_CORE_READ(args, gsi);
	r->flags = flags;
	r->fd = BPF_CORE_READ(args, fd);
	r->resamplefd = (flags & VT_IRQFD_F_RESAMPLE) ?
		(__s32)BPF_CORE_READ(args, resamplefd) : -1;
	r->ret = ret;
	r->__pad = 0;
	r->eventfd_key = vt_fd_key(r->fd);
	r->resample_key = r->resamplefd >= 0 ? vt_fd_key(r->resamplefd) : 0;
	vt_submit(r);
	return 0;
}

/* fexit: *args is the ioctl's copy on the caller's stack, still there */
SEC("fexit/kvm_irqfd")
int BPF_PROG(fx_irqfd, struct kvm *kvm, struct kvm_irqfd *args, int ret)
{
	return vt_irqfd(kvm, args, ret);
}

/* kprobe: at entry, the result is not known (ret 0) */
SEC("kprobe/kvm_irqfd")
int BPF_KPROBE(kp_irqfd, struct kvm *kvm, struct kvm_irqfd *args)
{
	return vt_irqfd(kvm, args, 0);
}

static __always_inline int vt_emit_inject(__u32 vm, __u32 vcpu, __u32 intid,
					  __u8 level, __u8 source, __s32 ret)
{
	struct vt_rec_inject *r;

	if (!vt_want_vm(vm))
		return 0;
	r = vt_reserve(sizeof(*r));
	if (!r)
		return 0;
	vt_fill_hdr(&r->hdr, VT_REC_INJECT, sizeof(*r), vm, vcpu);
	r->intid = intid;
	r->level = level;
	r->source = source;
	r->__pad = 0;
	r->ret = ret;
	r->__pad2 = 0;
	vt_submit(r);
	return 0;
}

#if defined(__TARGET_ARCH_arm64)
/* source of an injection starting now (see struct vt_src_mark) */
static __always_inline __u8 vt_inject_source(bool level, void *owner)
{
	struct vt_src_mark *sm = vt_srcmark_get();

	if (sm && !level && sm->resampler == bpf_get_current_pid_tgid()) {
		sm->resampler = 0;
		return VT_SRC_RESAMPLER;
	}
	if (sm && sm->inatomic)
		return VT_SRC_IRQFD;
	return owner ? VT_SRC_KERNEL : VT_SRC_UNKNOWN;
}

SEC("kprobe/kvm_arch_set_irq_inatomic")
int BPF_KPROBE(kp_inatomic)
{
	struct vt_src_mark *sm = vt_srcmark_get();

	if (sm)
		sm->inatomic++;
	return 0;
}

SEC("kretprobe/kvm_arch_set_irq_inatomic")
int BPF_KRETPROBE(kr_inatomic)
{
	struct vt_src_mark *sm = vt_srcmark_get();

	if (sm && sm->inatomic)
		sm->inatomic--;
	return 0;
}

/*
 * kvm_vgic_inject_irq(kvm, cpuid | vcpu, intid, level, owner) returned
 * @ret: the injection, then the SPI's state.
 */
static __always_inline int vt_inject(struct kvm *kvm, __u64 cpu_arg,
				     __u32 intid, bool level, __u8 source,
				     __s32 ret)
{
	struct vt_rec_irq_state *s;
	struct vgic_irq *irq;
	__u32 vm = vt_kvm_vm(kvm);
	__u32 vcpu = VT_NO_VCPU;

	if (intid < VT_SPI_BASE)
		vcpu = vt_inject_vcpu_arg ? vt_vcpu_id((void *)cpu_arg) :
			(__u32)cpu_arg;
	vt_emit_inject(vm, vcpu, intid, level, source, ret);
	if (!vt_want_vm(vm))
		return 0;
	irq = vt_spi_irq(kvm, intid);
	if (!irq)
		return 0;
	s = vt_reserve(sizeof(*s));
	if (!s)
		return 0;
	vt_fill_hdr(&s->hdr, VT_REC_IRQ_STATE, sizeof(*s), vm, VT_NO_VCPU);
	vt_read_irq(irq, s);
	s->cause = VT_CAUSE_INJECT;
	s->__pad = 0;
	s->__pad2 = 0;
	vt_submit(s);
	return 0;
}

/* fexit: the resampler mark is consumed after the fact, same result */
SEC("fexit/kvm_vgic_inject_irq")
int BPF_PROG(fx_inject, struct kvm *kvm, __u64 cpu_arg, unsigned int intid,
	     bool level, void *owner, int ret)
{
	return vt_inject(kvm, cpu_arg, intid, level,
			 vt_inject_source(level, owner), ret);
}

SEC("kprobe/kvm_vgic_inject_irq")
int BPF_KPROBE(kp_inject, struct kvm *kvm, __u64 cpu_arg, unsigned int intid,
	       bool level, void *owner)
{
	__u8 src = vt_inject_source(level, owner);

	vt_stash_put(VT_HOOK_INJECT, (__u64)kvm, cpu_arg, intid,
		     (level ? 1 : 0) | ((__u64)src << 8));
	return 0;
}

SEC("kretprobe/kvm_vgic_inject_irq")
int BPF_KRETPROBE(kr_inject, int ret)
{
	struct vt_stash_val v;

	if (!vt_stash_take(VT_HOOK_INJECT, &v))
		return 0;
	return vt_inject((void *)v.arg[0], v.arg[1], v.arg[2], v.arg[3] & 1,
			 (v.arg[3] >> 8) & 0xff, ret);
}
#endif /* __TARGET_ARCH_arm64 */

#endif /* HOOKS_IRQ_BPF_H */
