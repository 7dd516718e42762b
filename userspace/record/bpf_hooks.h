/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_hooks.h - the attach points of the BPF backend: the rows of
 * include/vt_hooks.def (the one hook table, shared with the module), and
 * the kvm:* tracepoint fallbacks of the degraded mode.
 */
#ifndef VT_BPF_HOOKS_H
#define VT_BPF_HOOKS_H

#include <stdbool.h>
#include <stdint.h>

/* attach column of vt_hooks.def */
enum vt_row_attach {
	VT_ROW_ENTRY,	/* arguments at entry: fe_<handler> | kp_<handler> */
	VT_ROW_EXIT,	/* and the return: fx_<handler> | kp_ + kr_<handler> */
	VT_ROW_MARK,	/* entry + return marks: kp_ + kr_<handler>, no fentry */
};

/**
 * struct vt_hook_row - one row of include/vt_hooks.def
 * @name:	unique row name
 * @hook:	VT_HOOK_* it feeds
 * @sym:	kernel symbol
 * @module:	module holding @sym, NULL for vmlinux
 * @from:	first kernel of the row, VT_KV(major, minor)
 * @until:	first kernel without it (VT_KV_MAX: still present)
 * @attach:	enum vt_row_attach
 * @arm64:	reads vgic structures: no programs in the x86_64 object
 * @handler:	program name suffix (fe_/fx_/kp_/kr_<handler>)
 * @fallback_of: row name this one stands in for when that row's symbol
 *		is absent, or "none"
 * @proto:	the prototype the programs read in [@from, @until)
 *
 * Which programs serve a row is decided at run time from the object
 * (bpf/): the fentry-type program is fx_<handler> for EXIT rows (else
 * fe_<handler>, when the return value is not needed) and fe_<handler>
 * for ENTRY rows; kprobe mode uses kp_<handler>, plus kr_<handler> for
 * EXIT and MARK rows when the object has it. A row without any program
 * in the object (a module-only hook) is not attached.
 */
struct vt_hook_row {
	const char *name;
	unsigned int hook;
	const char *sym;
	const char *module;
	uint32_t from, until;
	uint8_t attach;
	bool arm64;
	const char *handler;
	const char *fallback_of;
	const char *proto;
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

extern const struct vt_hook_row vt_hook_rows[];
extern const unsigned int vt_nr_hook_rows;
extern const struct vt_tp_fallback vt_tp_fallbacks[];
extern const unsigned int vt_nr_tp_fallbacks;

#endif /* VT_BPF_HOOKS_H */
