/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vt_core.bpf.h - maps, settings and record helpers shared by every hook.
 *
 * Records go to one BPF ring buffer, submitted with BPF_RB_NO_WAKEUP; the
 * consumer is woken only when vt_wakeup_bytes are waiting and otherwise
 * drains on a timer (a wakeup per event cost 2.8-9.7 us on the test host).
 * A failed reserve is counted per CPU and delivered as VT_REC_LOST before
 * the next record that CPU manages to reserve.
 */
#ifndef VT_CORE_BPF_H
#define VT_CORE_BPF_H

/* Settings, written by the loader before load. */
const volatile __u64 vt_key0 = 0;	/* eventfd key mix, random */
const volatile __u64 vt_key1 = 0;
const volatile __u32 vt_filter_vm = 0;	/* only this VMM tgid, 0 = all */
const volatile __u32 vt_wakeup_bytes = 0; /* 0: never wake, timer only */
const volatile __u8 vt_host_gic = 0;	/* VT_GIC_V2/V3, 0 unknown */
const volatile __u8 vt_inject_vcpu_arg = 0; /* mainline: arg 2 is a vcpu */
const volatile __u64 vt_vgic_global = 0; /* &kvm_vgic_global_state, 0 unknown */

/* Switched by the loader after attach (which fallbacks are live). */
volatile __u32 vt_degraded = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VT_BPF_RB_SIZE);
} vt_rb SEC(".maps");

/*
 * Per-CPU loss counters. A program on this CPU can be interrupted by
 * another one (an IRQ-context hook inside a task-context one): nesting
 * is strictly last-in first-out, never parallel. So the counts are only
 * ever changed by atomic adds (an interrupted read-modify-write would
 * lose the inner program's increment), and @busy keeps an inner program
 * from flushing while the outer one is between reading @pending and
 * taking it back.
 */
struct vt_lost_cnt {
	__u64 pending;	/* lost since the last VT_REC_LOST of this CPU */
	__u64 total;	/* lost on this CPU since load */
	__u64 busy;	/* a flush of this CPU is running */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vt_lost_cnt);
} vt_lost SEC(".maps");

/* Entry arguments kept for the matching kretprobe. */
struct vt_stash_key {
	__u32 tid;
	__u16 hook;
	__u16 irqctx;	/* hard/soft irq nesting bits: no clash when nested */
};

struct vt_stash_val {
	__u64 arg[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct vt_stash_key);
	__type(value, struct vt_stash_val);
} vt_stash SEC(".maps");

/* Last kvm_notify_acked_irq of this CPU (degraded resample detection). */
struct vt_ack_mark {
	__u64 pid_tgid;
	__u32 gsi;
	__u32 __pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vt_ack_mark);
} vt_ackmark SEC(".maps");

/* Keyed, one-way mix of a kernel pointer: equal in, equal out, no leak. */
static __always_inline __u64 vt_key(const void *ptr)
{
	__u64 x = (__u64)(unsigned long)ptr;

	if (!x)
		return 0;
	x ^= vt_key0;
	x *= 0x9e3779b97f4a7c15ull;
	x ^= x >> 31;
	x += vt_key1;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 32;
	return x ? x : 1;
}

static __always_inline void vt_submit(void *rec)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (vt_wakeup_bytes &&
	    bpf_ringbuf_query(&vt_rb, BPF_RB_AVAIL_DATA) >= vt_wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(rec, flags);
}

static __always_inline void vt_fill_hdr(struct vt_hdr *h, __u16 type,
					__u16 size, __u32 vm, __u32 vcpu)
{
	h->type = type;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = bpf_ktime_get_ns();
	h->vm_id = vm;
	h->vcpu_id = vcpu;
}

/* Count one lost record on this CPU. */
static __always_inline void vt_count_lost(struct vt_lost_cnt *l)
{
	__sync_fetch_and_add(&l->pending, 1);
	__sync_fetch_and_add(&l->total, 1);
}

/* Deliver this CPU's pending loss count, if any. */
static __always_inline void vt_flush_lost(struct vt_lost_cnt *l)
{
	struct vt_rec_lost *r;
	__u64 n;

	if (l->busy)
		return;		/* we interrupted a flush: it delivers */
	l->busy = 1;
	r = bpf_ringbuf_reserve(&vt_rb, sizeof(*r), 0);
	if (!r) {
		vt_count_lost(l);	/* the loss record itself is lost */
		l->busy = 0;
		return;
	}
	n = l->pending;
	vt_fill_hdr(&r->hdr, VT_REC_LOST, sizeof(*r), VT_NO_VM, VT_NO_VCPU);
	r->lost = n;
	r->total = l->total;
	/* take back what this record carries, not what arrived since */
	__sync_fetch_and_add(&l->pending, -n);
	l->busy = 0;
	vt_submit(r);
}

/* true when @vm passes the VM filter */
static __always_inline bool vt_want_vm(__u32 vm)
{
	return !vt_filter_vm || vm == vt_filter_vm;
}

/*
 * Reserve @size bytes; on failure count the loss. A VT_REC_LOST for
 * earlier losses of this CPU is emitted first.
 */
static __always_inline void *vt_reserve(__u32 size)
{
	__u32 zero = 0;
	struct vt_lost_cnt *l = bpf_map_lookup_elem(&vt_lost, &zero);
	void *rec;

	if (l && l->pending)
		vt_flush_lost(l);
	rec = bpf_ringbuf_reserve(&vt_rb, size, 0);
	if (!rec && l)
		vt_count_lost(l);
	return rec;
}

/* irq nesting level bits of preempt_count (0 in task context) */
static __always_inline __u16 vt_irqctx(void)
{
#if defined(__TARGET_ARCH_arm64)
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 pc = BPF_CORE_READ(t, thread_info.preempt_count);

	return (pc >> 8) & 0xffff;	/* SOFTIRQ | HARDIRQ | NMI */
#else
	return 0;
#endif
}

static __always_inline void vt_stash_put(__u16 hook, __u64 a0, __u64 a1,
					 __u64 a2, __u64 a3)
{
	struct vt_stash_key k = {
		.tid = (__u32)bpf_get_current_pid_tgid(),
		.hook = hook,
		.irqctx = vt_irqctx(),
	};
	struct vt_stash_val v = { .arg = { a0, a1, a2, a3 } };

	bpf_map_update_elem(&vt_stash, &k, &v, BPF_ANY);
}

/* Take (and remove) the arguments stashed at entry; false if none. */
static __always_inline bool vt_stash_take(__u16 hook, struct vt_stash_val *v)
{
	struct vt_stash_key k = {
		.tid = (__u32)bpf_get_current_pid_tgid(),
		.hook = hook,
		.irqctx = vt_irqctx(),
	};
	struct vt_stash_val *p = bpf_map_lookup_elem(&vt_stash, &k);

	if (!p)
		return false;
	*v = *p;
	bpf_map_delete_elem(&vt_stash, &k);
	return true;
}

/* VM identity when no struct kvm is at hand: the current VMM's tgid. */
static __always_inline __u32 vt_current_vm(void)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	if (BPF_CORE_READ(t, flags) & 0x00200000)	/* PF_KTHREAD */
		return VT_NO_VM;
	return bpf_get_current_pid_tgid() >> 32;
}

#endif /* VT_CORE_BPF_H */
