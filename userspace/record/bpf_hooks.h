/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_hooks.h - the attach points of the BPF backend, per hook.
 */
#ifndef VT_BPF_HOOKS_H
#define VT_BPF_HOOKS_H

#include <stdint.h>

/**
 * struct vt_attach_point - one kernel function and its programs
 * @hook:	VT_HOOK_* it feeds
 * @syms:	candidate symbols, the first present in kallsyms is used
 * @fentry:	fentry/fexit program (NULL: none)
 * @kprobe:	kprobe program at entry
 * @kretprobe:	kretprobe program (NULL: entry-only hook)
 */
struct vt_attach_point {
	unsigned int hook;
	const char *syms[3];
	const char *fentry;
	const char *kprobe;
	const char *kretprobe;
};

/**
 * struct vt_tp_fallback - degraded mode of a hook
 * @hook:	VT_HOOK_*
 * @progs:	tracepoint programs that must be attached
 * @tps:	their tracepoints (btf_trace_<tp> must exist)
 * @degraded:	VT_DEG_* bits to set in the program's vt_degraded
 */
struct vt_tp_fallback {
	unsigned int hook;
	const char *progs[2];
	const char *tps[2];
	uint32_t degraded;
};

extern const struct vt_attach_point vt_attach_points[];
extern const unsigned int vt_nr_attach_points;
extern const struct vt_tp_fallback vt_tp_fallbacks[];
extern const unsigned int vt_nr_tp_fallbacks;

#endif /* VT_BPF_HOOKS_H */
