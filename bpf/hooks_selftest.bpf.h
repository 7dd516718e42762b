/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hooks_selftest.bpf.h - test-only programs that make the kernel skip
 * runs of this object's own programs, so the tests can check that every
 * miss the kernel counts is delivered as VT_REC_LOST (VT_LOST_CPU_PROBES).
 * The loader enables them only with VGIC_TRACED_SELFTEST_MISSES=1.
 *
 * Per rename of a task to "vtmiss*" (echo vtmiss > /proc/self/comm; other
 * renames, as of new kworkers, are ignored) st_kick prints once:
 *  - st_tp runs on the bpf_trace_printk event and prints again; that
 *    nested event finds st_tp running on this CPU, the kernel skips it
 *    and counts one recursion miss of st_tp (every kernel: raw
 *    tracepoint programs count them);
 *  - st_kp, a kprobe on bpf_bprintf_prepare (which bpf_printk() calls;
 *    kernel/trace itself is notrace, no kprobe event there), prints again
 *    from its kprobe handler; that nested hit of the same kprobe is
 *    skipped and counted as the kprobe's nmissed (the perf link's
 *    "missed" on 6.7+).
 */
#ifndef HOOKS_SELFTEST_BPF_H
#define HOOKS_SELFTEST_BPF_H

SEC("tp_btf/task_rename")
int BPF_PROG(st_kick, struct task_struct *task, const char *comm)
{
	char c[8] = {};

	bpf_probe_read_kernel_str(c, sizeof(c), comm);
	if (c[0] != 'v' || c[1] != 't' || c[2] != 'm' || c[3] != 'i' ||
	    c[4] != 's' || c[5] != 's')
		return 0;
	bpf_printk("vgic-trace selftest");
	return 0;
}

SEC("tp_btf/bpf_trace_printk")
int BPF_PROG(st_tp)
{
	bpf_printk("vgic-trace selftest: nested");
	return 0;
}

SEC("kprobe/bpf_bprintf_prepare")
int BPF_KPROBE(st_kp)
{
	bpf_printk("vgic-trace selftest: kprobe");
	return 0;
}

#endif /* HOOKS_SELFTEST_BPF_H */
