// SPDX-License-Identifier: GPL-2.0
/*
 * source_bpf.c - the BPF backend: probe the kernel, load the programs
 * one way per hook, attach, and drain the ring buffer on a timer.
 *
 * The attach points are the rows of include/vt_hooks.def (bpf_hooks.c).
 * Per point the order is fentry/fexit, then kprobe/kretprobe, then the
 * hook's kvm:* tracepoint fallback (degraded), else MISSING:
 *  - the row's kernel range must hold the running kernel, and its symbol
 *    must be in /proc/kallsyms (static/inlined ones may not be);
 *  - one program that fails to load (a CO-RE relocation this kernel
 *    cannot satisfy, the verifier) costs only its own point: libbpf names
 *    the program in its warning, that point steps down (fentry ->
 *    kprobe -> missing) and the object is loaded again without it;
 *  - where fentry cannot work at all (x86 lockdown: -EPERM; arm64 6.1
 *    without direct calls: -524 at attach) one probe program finds out
 *    before every fentry program is verified;
 *  - a failed kprobe leaves the hook to its tracepoint fallback.
 *
 * Program runs the kernel skips are delivered as VT_REC_LOST with
 * hdr.cpu = VT_LOST_CPU_PROBES, read every MISS_PERIOD_NS and at stop:
 *  - bpf_prog_info.recursion_misses of every program: fentry/fexit
 *    (trampoline recursion guard) and tp_btf on every kernel here,
 *    kprobe programs (trace_call_bpf finding another program running on
 *    the CPU) from 6.7;
 *  - the "missed" count of kprobe perf links (kprobe re-entry, kretprobe
 *    instances exhausted), 6.7+: found through vmlinux BTF, where struct
 *    bpf_link_info has perf_event.kprobe.missed.
 * On older kernels neither kprobe count exists: hooks attached as
 * kprobes say "(misses uncounted)" in their hook status.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "traced.h"
#include "bpf_hooks.h"
#include "vt_bpf.h"
#include "vgic_trace.skel.h"

#ifndef VT_KV
#define VT_KV(a, b)	(((a) << 16) + ((b) << 8))
#endif

#define MAX_AP		48
#define MAX_LINKS	96
#define MAX_TP		8
#define PROG_NAME	48
#define MISS_PERIOD_NS	1000000000ull	/* probe misses read every second */
#define LINK_INFO_MAX	512		/* bytes of struct bpf_link_info read */
#define LINK_PERF_EVENT	7		/* BPF_LINK_TYPE_PERF_EVENT */
#define PERF_KPROBE	3		/* BPF_PERF_EVENT_KPROBE */
#define PERF_KRETPROBE	4		/* BPF_PERF_EVENT_KRETPROBE */

enum ap_mode {
	AP_NONE,
	AP_FENTRY,
	AP_KPROBE,
};

/* why a point is not attached (for the MISSING hook's text) */
enum ap_why {
	WHY_NONE,
	WHY_NOPROG,	/* no program in this object (module-only, x86) */
	WHY_PRIMARY,	/* fallback row, its primary is present */
	WHY_RANGE,	/* outside the row's kernel range */
	WHY_ABSENT,	/* symbol not in kallsyms */
	WHY_DISABLED,	/* switched off by the user */
	WHY_LOAD,	/* its program failed to load */
	WHY_ATTACH,	/* attach failed */
};

struct bpf_ap {
	const struct vt_hook_row *row;
	char fentry[PROG_NAME];		/* "" none */
	char kprobe[PROG_NAME];
	char kretprobe[PROG_NAME];
	size_t fentry_insns;		/* size of the fentry program */
	bool present;			/* row in range, symbol in kallsyms */
	enum ap_mode mode;
	enum ap_why why;
	int err;			/* last load/attach error */
};

struct bpf_src {
	struct vgic_trace_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[MAX_LINKS];
	unsigned int nr_links;
	struct bpf_ap ap[MAX_AP];
	unsigned int nr_ap;
	bool tp_ok[MAX_TP];		/* fallback tracepoints exist and load */
	uint8_t hook[VT_HOOK_MAX + 1];	/* VT_ATTACH_* */
	char hook_sym[VT_HOOK_MAX + 1][64];
	uint32_t degraded;
	uint32_t kver;			/* VT_KV() of the running kernel */
	uint64_t key0, key1;
	uint8_t host_gic;
	bool inject_vcpu_arg;
	uint64_t vgic_global;		/* &kvm_vgic_global_state */
	bool nr_lrs_sent;		/* VT_META_NR_LRS written */
	uint64_t missed;		/* program runs skipped by the kernel */
	uint64_t miss_sent;		/* of those, delivered as VT_REC_LOST */
	uint64_t miss_next_ns;		/* next periodic read */
	/* struct bpf_link_info from vmlinux BTF: 0 size = no kprobe "missed" */
	uint32_t li_size, li_pe_type, li_kp_missed;
	bool selftest;			/* VGIC_TRACED_SELFTEST_MISSES: st_* */
	int ncpus;
};

static bool libbpf_verbose;
/* program named by libbpf's last warning ("prog 'NAME': ...") */
static char libbpf_failed_prog[PROG_NAME];

/*
 * Failed fentry/kprobe attempts are expected: libbpf speaks only on
 * request, but its warnings are read for the name of a failing program.
 */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];
	const char *p;
	size_t n;
	va_list aq;

	if (level == LIBBPF_DEBUG)
		return 0;
	va_copy(aq, ap);
	vsnprintf(buf, sizeof(buf), fmt, aq);
	va_end(aq);
	p = strstr(buf, "prog '");
	if (p) {
		p += 6;
		n = strcspn(p, "'");
		if (p[n] == '\'' && n < sizeof(libbpf_failed_prog)) {
			memcpy(libbpf_failed_prog, p, n);
			libbpf_failed_prog[n] = 0;
		}
	}
	if (!libbpf_verbose)
		return 0;
	return fputs(buf, stderr);
}

/* VT_KV(major, minor) of the running kernel, 0 if unknown */
static uint32_t kernel_kv(void)
{
	struct utsname u;
	unsigned int a, c;

	if (uname(&u) || sscanf(u.release, "%u.%u", &a, &c) != 2)
		return 0;
	return VT_KV(a, c);
}

/* CLOCK_MONOTONIC ns, the clock of bpf_ktime_get_ns() */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* true when the object has program @pfx_@handler; the name into @name */
static bool has_prog(struct bpf_object *obj, const char *pfx, const char *handler,
		     char *name, size_t size)
{
	snprintf(name, size, "%s_%s", pfx, handler);
	return bpf_object__find_program_by_name(obj, name) != NULL;
}

/* the rows of vt_hooks.def and the programs this object has for them */
static int init_points(struct bpf_src *b)
{
	struct vgic_trace_bpf *skel = vgic_trace_bpf__open();
	const struct vt_hook_row *r;
	struct bpf_ap *a;
	unsigned int i;

	if (!skel)
		return -errno ? -errno : -EINVAL;
	for (i = 0; i < vt_nr_hook_rows && b->nr_ap < MAX_AP; i++) {
		r = &vt_hook_rows[i];
		a = &b->ap[b->nr_ap++];
		memset(a, 0, sizeof(*a));
		a->row = r;
		if (r->attach != VT_ROW_MARK &&
		    !(r->attach == VT_ROW_EXIT &&
		      has_prog(skel->obj, "fx", r->handler, a->fentry, PROG_NAME)) &&
		    !has_prog(skel->obj, "fe", r->handler, a->fentry, PROG_NAME))
			a->fentry[0] = 0;
		if (a->fentry[0])
			a->fentry_insns = bpf_program__insn_cnt(
				bpf_object__find_program_by_name(skel->obj, a->fentry));
		if (!has_prog(skel->obj, "kp", r->handler, a->kprobe, PROG_NAME))
			a->kprobe[0] = 0;
		if (r->attach == VT_ROW_ENTRY ||
		    !has_prog(skel->obj, "kr", r->handler, a->kretprobe, PROG_NAME))
			a->kretprobe[0] = 0;
		/* a MARK row needs both ends; any other row its kprobe */
		if (!a->kprobe[0] || (r->attach == VT_ROW_MARK && !a->kretprobe[0]))
			a->why = WHY_NOPROG;
#if !defined(__aarch64__)
		if (r->arm64)
			a->why = WHY_NOPROG;
#endif
	}
	vgic_trace_bpf__destroy(skel);
	return 0;
}

/* true when @a's row is valid for the running kernel */
static bool in_range(const struct bpf_src *b, const struct bpf_ap *a)
{
	return !b->kver || (b->kver >= a->row->from && b->kver < a->row->until);
}

/* which points are present: kernel range and kallsyms; nr_lr's address */
static void probe_kallsyms(struct bpf_src *b)
{
	char line[512], name[256];
	unsigned long long addr;
	unsigned int i, j;
	FILE *f;

	f = fopen("/proc/kallsyms", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%llx %*s %255s", &addr, name) != 2)
				continue;
			if (!strcmp(name, "kvm_vgic_global_state"))
				b->vgic_global = addr;	/* 0 when addresses are hidden */
			for (i = 0; i < b->nr_ap; i++)
				if (!strcmp(name, b->ap[i].row->sym))
					b->ap[i].present = true;
		}
		fclose(f);
	}
	for (i = 0; i < b->nr_ap; i++) {
		if (b->ap[i].why == WHY_NOPROG) {
			b->ap[i].present = false;
		} else if (!in_range(b, &b->ap[i])) {
			b->ap[i].present = false;
			b->ap[i].why = WHY_RANGE;
		} else if (!b->ap[i].present) {
			b->ap[i].why = WHY_ABSENT;
		}
	}
	/* a fallback row only where its primary row is not present */
	for (i = 0; i < b->nr_ap; i++) {
		if (!strcmp(b->ap[i].row->fallback_of, "none") || !b->ap[i].present)
			continue;
		for (j = 0; j < b->nr_ap; j++) {
			if (strcmp(b->ap[j].row->name, b->ap[i].row->fallback_of) ||
			    !b->ap[j].present)
				continue;
			b->ap[i].present = false;
			b->ap[i].why = WHY_PRIMARY;
		}
	}
}

/*
 * Byte offset of member @name in struct/union @id, looking into anonymous
 * members too; its resolved type into @mid. -1 when there is none.
 */
static long btf_member_off(const struct btf *btf, int id, const char *name, int *mid)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;
	const char *n;
	unsigned int i;
	long off;
	int tid;

	if (!t || !btf_is_composite(t))
		return -1;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		n = btf__name_by_offset(btf, m->name_off);
		tid = btf__resolve_type(btf, m->type);
		if (tid < 0)
			continue;
		if (n && n[0]) {
			if (strcmp(n, name))
				continue;
			*mid = tid;
			return btf_member_bit_offset(t, i) / 8;
		}
		off = btf_member_off(btf, tid, name, mid);
		if (off >= 0)
			return btf_member_bit_offset(t, i) / 8 + off;
	}
	return -1;
}

/*
 * Where this kernel's struct bpf_link_info keeps a kprobe perf link's
 * missed count (6.7+); li_size stays 0 when it has none.
 */
static void probe_link_info(struct bpf_src *b, const struct btf *btf)
{
	long pe, type, kp, missed;
	int id, pe_id, kp_id, x;
	__s64 size;

	id = btf__find_by_name_kind(btf, "bpf_link_info", BTF_KIND_STRUCT);
	if (id < 0)
		return;
	size = btf__resolve_size(btf, id);
	pe = btf_member_off(btf, id, "perf_event", &pe_id);
	if (size <= 0 || size > LINK_INFO_MAX || pe < 0)
		return;
	type = btf_member_off(btf, pe_id, "type", &x);
	kp = btf_member_off(btf, pe_id, "kprobe", &kp_id);
	if (type < 0 || kp < 0)
		return;
	missed = btf_member_off(btf, kp_id, "missed", &x);
	if (missed < 0 || pe + kp + missed + 8 > size)
		return;
	b->li_size = size;
	b->li_pe_type = pe + type;
	b->li_kp_missed = pe + kp + missed;
}

/* kernel BTF facts: tracepoint typedefs, kvm_vgic_inject_irq's 2nd arg */
static void probe_btf(struct bpf_src *b)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_param *p;
	const struct btf_type *t;
	char tname[128];
	unsigned int i, j;
	int id;

	if (!btf)
		return;
	for (i = 0; i < vt_nr_tp_fallbacks && i < MAX_TP; i++) {
		b->tp_ok[i] = true;
		for (j = 0; j < 2 && vt_tp_fallbacks[i].tps[j]; j++) {
			snprintf(tname, sizeof(tname), "btf_trace_%s", vt_tp_fallbacks[i].tps[j]);
			if (btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF) < 0)
				b->tp_ok[i] = false;
		}
	}
	id = btf__find_by_name_kind(btf, "kvm_vgic_inject_irq", BTF_KIND_FUNC);
	if (id > 0) {
		t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
		if (t && btf_is_func_proto(t) && btf_vlen(t) >= 2) {
			p = btf_params(t);
			id = btf__resolve_type(btf, p[1].type);
			t = id > 0 ? btf__type_by_id(btf, id) : NULL;
			b->inject_vcpu_arg = t && btf_is_ptr(t);
		}
	}
	probe_link_info(b, btf);
	btf__free(btf);
}

static struct bpf_program *prog(struct bpf_src *b, const char *name)
{
	return name && name[0] ? bpf_object__find_program_by_name(b->skel->obj, name) : NULL;
}

static void drop_links(struct bpf_src *b)
{
	while (b->nr_links)
		bpf_link__destroy(b->links[--b->nr_links]);
}

static int keep_link(struct bpf_src *b, struct bpf_link *l)
{
	if (!l)
		return -errno ? -errno : -EINVAL;
	if (b->nr_links == MAX_LINKS) {
		bpf_link__destroy(l);
		return -E2BIG;
	}
	b->links[b->nr_links++] = l;
	return 0;
}

/* step point @a down one mode after @err (@why when nothing is left) */
static void step_down(struct bpf_ap *a, const struct vt_opts *o, int err,
		      enum ap_why why)
{
	a->err = err;
	if (a->mode == AP_FENTRY && !o->no_kprobe) {
		a->mode = AP_KPROBE;
		return;
	}
	a->mode = AP_NONE;
	a->why = why;
}

/* hooks_selftest.bpf.h: programs that force misses of their own */
static const char *const selftest_progs[] = { "st_kick", "st_tp", "st_kp" };

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* open + configure + load with the current per-point modes */
static int bpf_load(struct bpf_src *b, const struct vt_opts *o)
{
	struct bpf_program *p;
	struct bpf_ap *a;
	unsigned int i, j;
	int err;

	libbpf_failed_prog[0] = 0;
	b->skel = vgic_trace_bpf__open();
	if (!b->skel)
		return -errno ? -errno : -EINVAL;
	b->skel->rodata->vt_key0 = b->key0;
	b->skel->rodata->vt_key1 = b->key1;
	b->skel->rodata->vt_filter_vm = o->vm_filter;
	b->skel->rodata->vt_wakeup_bytes = o->wakeup_bytes;
	b->skel->rodata->vt_host_gic = b->host_gic;
	b->skel->rodata->vt_inject_vcpu_arg = b->inject_vcpu_arg;
	b->skel->rodata->vt_vgic_global = b->vgic_global;
	err = bpf_map__set_max_entries(b->skel->maps.vt_rb, o->rb_bytes);
	if (err)
		return err;
	bpf_object__for_each_program(p, b->skel->obj)
		bpf_program__set_autoload(p, false);
	for (i = 0; i < b->nr_ap; i++) {
		a = &b->ap[i];
		if (a->mode == AP_FENTRY && !a->fentry[0])
			a->mode = AP_KPROBE;
		if (a->mode == AP_FENTRY) {
			p = prog(b, a->fentry);
			bpf_program__set_autoload(p, true);
			err = bpf_program__set_attach_target(p, 0, a->row->sym);
			if (!err)
				continue;
			bpf_program__set_autoload(p, false);
			step_down(a, o, err, WHY_LOAD);
		}
		if (a->mode == AP_KPROBE) {
			bpf_program__set_autoload(prog(b, a->kprobe), true);
			if (a->kretprobe[0])
				bpf_program__set_autoload(prog(b, a->kretprobe), true);
		}
	}
	for (i = 0; i < vt_nr_tp_fallbacks && i < MAX_TP; i++) {
		if (!b->tp_ok[i])
			continue;
		for (j = 0; j < 2 && vt_tp_fallbacks[i].progs[j]; j++) {
			p = prog(b, vt_tp_fallbacks[i].progs[j]);
			if (p)
				bpf_program__set_autoload(p, true);
		}
	}
	for (i = 0; b->selftest && i < ARRAY_SIZE(selftest_progs); i++)
		bpf_program__set_autoload(prog(b, selftest_progs[i]), true);
	libbpf_failed_prog[0] = 0;
	return vgic_trace_bpf__load(b->skel);
}

static void bpf_unload(struct bpf_src *b)
{
	drop_links(b);
	vgic_trace_bpf__destroy(b->skel);
	b->skel = NULL;
}

/*
 * The object failed to load with @err: take the program libbpf named
 * out of it (its point steps down). false when none was named.
 */
static bool drop_failed_prog(struct bpf_src *b, const struct vt_opts *o, int err)
{
	const char *name = libbpf_failed_prog;
	struct bpf_ap *a;
	unsigned int i, j;
	bool found = false;

	if (!name[0])
		return false;
	for (i = 0; b->selftest && i < ARRAY_SIZE(selftest_progs); i++) {
		if (strcmp(selftest_progs[i], name))
			continue;
		fprintf(stderr, "vgic-traced: selftest program %s does not load (%s): no selftest\n",
			name, strerror(-err));
		b->selftest = false;
		return true;
	}
	for (i = 0; i < b->nr_ap; i++) {
		a = &b->ap[i];
		if ((a->mode == AP_FENTRY && !strcmp(a->fentry, name)) ||
		    (a->mode == AP_KPROBE && (!strcmp(a->kprobe, name) ||
					      !strcmp(a->kretprobe, name)))) {
			step_down(a, o, err, WHY_LOAD);
			found = true;
		}
	}
	for (i = 0; i < vt_nr_tp_fallbacks && i < MAX_TP; i++)
		for (j = 0; j < 2 && vt_tp_fallbacks[i].progs[j]; j++)
			if (b->tp_ok[i] && !strcmp(vt_tp_fallbacks[i].progs[j], name)) {
				b->tp_ok[i] = false;
				found = true;
			}
	if (found)
		fprintf(stderr, "vgic-traced: BPF program %s does not load on this kernel (%s): its hook steps down\n",
			name, strerror(-err));
	return found;
}

/* attach fentry/kprobe points; returns true if fentry must be retried */
static bool attach_points(struct bpf_src *b, const struct vt_opts *o)
{
	struct bpf_ap *a;
	unsigned int i, first;
	bool retry = false;
	int err;

	for (i = 0; i < b->nr_ap; i++) {
		a = &b->ap[i];
		if (a->mode == AP_FENTRY) {
			err = keep_link(b, bpf_program__attach(prog(b, a->fentry)));
			if (err) {
				step_down(a, o, err, WHY_ATTACH);
				retry = true;
			}
		} else if (a->mode == AP_KPROBE) {
			first = b->nr_links;
			err = keep_link(b, bpf_program__attach_kprobe(prog(b, a->kprobe),
								  false, a->row->sym));
			if (!err && a->kretprobe[0])
				err = keep_link(b, bpf_program__attach_kprobe(
						prog(b, a->kretprobe), true, a->row->sym));
			if (err) {
				while (b->nr_links > first)
					bpf_link__destroy(b->links[--b->nr_links]);
				step_down(a, o, err, WHY_ATTACH);
			}
		}
	}
	return retry;
}

/* attach the tracepoint fallbacks of hooks that got nothing better */
static void attach_fallbacks(struct bpf_src *b)
{
	const char *done[MAX_TP * 2] = { NULL };
	unsigned int i, j, k, nd = 0;
	struct bpf_program *p;
	unsigned int h;
	bool ok;

	for (i = 0; i < vt_nr_tp_fallbacks && i < MAX_TP; i++) {
		h = vt_tp_fallbacks[i].hook;
		if (b->hook[h] != VT_ATTACH_MISSING || !b->tp_ok[i])
			continue;
		ok = true;
		for (j = 0; ok && j < 2 && vt_tp_fallbacks[i].progs[j]; j++) {
			const char *name = vt_tp_fallbacks[i].progs[j];
			bool have = false;

			p = prog(b, name);
			if (!p) {
				ok = false;
				break;
			}
			for (k = 0; k < nd; k++)
				have |= !strcmp(done[k], name);
			if (have)
				continue;
			if (keep_link(b, bpf_program__attach(p)))
				ok = false;
			else if (nd < MAX_TP * 2)
				done[nd++] = name;
		}
		if (!ok)
			continue;
		b->degraded |= vt_tp_fallbacks[i].degraded;
		b->hook[h] = VT_ATTACH_TRACEPOINT;
		snprintf(b->hook_sym[h], sizeof(b->hook_sym[h]), "tp:kvm:%s%s%s",
			 vt_tp_fallbacks[i].tps[0], vt_tp_fallbacks[i].tps[1] ? "+" : "",
			 vt_tp_fallbacks[i].tps[1] ? vt_tp_fallbacks[i].tps[1] : "");
	}
}

/* the selftest programs, after every hook's (their misses are forced) */
static void attach_selftest(struct bpf_src *b)
{
	/* a traceable function of bpf_printk()'s path (kernel/trace is notrace) */
	static const char *const kp_sym[] = { "bpf_bprintf_prepare", "bstr_printf" };
	struct bpf_program *p;
	unsigned int i, j;
	int err;

	for (i = 0; b->selftest && i < ARRAY_SIZE(selftest_progs); i++) {
		p = prog(b, selftest_progs[i]);
		err = -ENOENT;
		if (bpf_program__type(p) != BPF_PROG_TYPE_KPROBE)
			err = keep_link(b, bpf_program__attach(p));
		for (j = 0; err && bpf_program__type(p) == BPF_PROG_TYPE_KPROBE &&
			    j < ARRAY_SIZE(kp_sym); j++)
			err = keep_link(b, bpf_program__attach_kprobe(p, false, kp_sym[j]));
		if (err)
			fprintf(stderr, "vgic-traced: selftest program %s: attach failed: %s\n",
				selftest_progs[i], strerror(-err));
	}
}

/* text of a MISSING hook: why its most telling point is not attached */
static void missing_text(struct bpf_src *b, unsigned int h)
{
	const struct bpf_ap *best = NULL, *a;
	unsigned int i;

	for (i = 0; i < b->nr_ap; i++) {
		a = &b->ap[i];
		if (a->row->hook != h || a->why == WHY_NOPROG || a->why == WHY_PRIMARY)
			continue;
		if (!best || a->why > best->why)
			best = a;
	}
	if (!best)
		return;
	switch (best->why) {
	case WHY_RANGE:
		snprintf(b->hook_sym[h], sizeof(b->hook_sym[h]), "(%s: not on this kernel)",
			 best->row->sym);
		break;
	case WHY_ABSENT:
		snprintf(b->hook_sym[h], sizeof(b->hook_sym[h]), "(%s: not in kallsyms)",
			 best->row->sym);
		break;
	case WHY_LOAD:
	case WHY_ATTACH:
		snprintf(b->hook_sym[h], sizeof(b->hook_sym[h]), "(%s: %s failed %d)",
			 best->row->sym, best->why == WHY_LOAD ? "load" : "attach",
			 best->err);
		break;
	default:
		break;
	}
}

static void hook_status(struct bpf_src *b, const struct vt_opts *o)
{
	const struct bpf_ap *a;
	unsigned int i, h;
	uint8_t st;

	for (h = 1; h <= VT_HOOK_MAX; h++) {
		b->hook[h] = (o->disabled & (1u << h)) ? VT_ATTACH_DISABLED :
			VT_ATTACH_MISSING;
		b->hook_sym[h][0] = 0;
	}
	for (i = 0; i < b->nr_ap; i++) {
		a = &b->ap[i];
		h = a->row->hook;
		if (a->mode == AP_NONE || b->hook[h] != VT_ATTACH_MISSING)
			continue;
		if (a->mode == AP_FENTRY)
			st = VT_ATTACH_FENTRY;
		else
			st = a->kretprobe[0] ? VT_ATTACH_KRETPROBE : VT_ATTACH_KPROBE;
		b->hook[h] = st;
		/* before 6.7 the kernel counts no kprobe miss (see top) */
		snprintf(b->hook_sym[h], sizeof(b->hook_sym[h]), "%s%s", a->row->sym,
			 st != VT_ATTACH_FENTRY && !b->li_size ? " (misses uncounted)" : "");
	}
	attach_fallbacks(b);
	for (h = 1; h <= VT_HOOK_MAX; h++)
		if (b->hook[h] == VT_ATTACH_MISSING)
			missing_text(b, h);
	b->skel->bss->vt_degraded = b->degraded;
}

/* initial mode per attach point */
static void choose_modes(struct bpf_src *b, const struct vt_opts *o)
{
	struct bpf_ap *a;
	unsigned int i;

	for (i = 0; i < b->nr_ap; i++) {
		a = &b->ap[i];
		a->mode = AP_NONE;
		if (!a->present)
			continue;
		if (o->disabled & (1u << a->row->hook)) {
			a->why = WHY_DISABLED;
			continue;
		}
		if (!o->no_fentry && a->fentry[0])
			a->mode = AP_FENTRY;
		else if (!o->no_kprobe)
			a->mode = AP_KPROBE;
	}
}

/*
 * One (small) fentry program alone first: where fentry cannot work at all (no
 * direct calls: -524 at attach; lockdown: -EPERM at load) this saves
 * verifying every fentry program before falling back. A probe program
 * that fails to load for its own reasons (libbpf names it) proves
 * nothing about the others.
 */
static void probe_fentry(struct bpf_src *b, const struct vt_opts *o)
{
	struct vt_opts one = *o;
	unsigned int i, first = b->nr_ap;
	enum ap_mode saved[MAX_AP];
	struct bpf_link *l;
	bool ok = false, named;
	int err;

	/* the smallest vmlinux fentry program: the cheapest to verify */
	for (i = 0; i < b->nr_ap; i++) {
		saved[i] = b->ap[i].mode;
		if (b->ap[i].mode == AP_FENTRY && !b->ap[i].row->module &&
		    (first == b->nr_ap || b->ap[i].fentry_insns < b->ap[first].fentry_insns))
			first = i;
	}
	if (first == b->nr_ap)
		return;
	for (i = 0; i < b->nr_ap; i++)
		b->ap[i].mode = i == first ? AP_FENTRY : AP_NONE;
	one.no_kprobe = true;
	err = bpf_load(b, &one);
	named = err && libbpf_failed_prog[0];
	if (!err && b->ap[first].mode == AP_FENTRY) {
		l = bpf_program__attach(prog(b, b->ap[first].fentry));
		ok = l != NULL;
		if (!l)
			err = -errno;
		bpf_link__destroy(l);
	}
	bpf_unload(b);
	for (i = 0; i < b->nr_ap; i++)
		b->ap[i].mode = saved[i];
	if (ok || (named && err != -EPERM))
		return;
	for (i = 0; i < b->nr_ap; i++)
		if (b->ap[i].mode == AP_FENTRY)
			step_down(&b->ap[i], o, err, WHY_ATTACH);
}

static int load_and_attach(struct bpf_src *b, const struct vt_opts *o)
{
	unsigned int i, n;
	bool fentry;
	int err = 0;

	probe_fentry(b, o);
	/* each failed round takes a program out or switches modes */
	for (n = 0; n < 2 * MAX_AP + 2; n++) {
		err = bpf_load(b, o);
		if (err) {
			if (drop_failed_prog(b, o, err)) {
				bpf_unload(b);
				continue;
			}
			fentry = false;
			for (i = 0; i < b->nr_ap; i++) {
				if (b->ap[i].mode == AP_FENTRY) {
					step_down(&b->ap[i], o, err, WHY_LOAD);
					fentry = true;
				}
			}
			bpf_unload(b);
			if (!fentry)
				return err;
			continue;
		}
		if (!attach_points(b, o))
			return 0;
		bpf_unload(b);
	}
	return err ? err : -ELOOP;
}

/*
 * The first LR record that knows the number of LRs (read from
 * kvm_vgic_global_state, or proven by an underflow on 6.1) is followed
 * by a VT_META_NR_LRS, as the module writes at start. Unknown: nothing.
 */
static int on_sample(void *ctx, void *data, size_t size)
{
	struct vt_source *s = ctx;
	struct bpf_src *b = s->priv;
	const struct vt_rec_lr *lr = data;

	vt_sink_put(s->sink, data, size);
	if (!b->nr_lrs_sent && size >= sizeof(*lr) &&
	    (lr->hdr.type == VT_REC_LR_FLUSH || lr->hdr.type == VT_REC_LR_FOLD) &&
	    lr->nr_lrs) {
		b->nr_lrs_sent = true;
		vt_sink_put_meta(s->sink, VT_META_NR_LRS, 0, lr->nr_lrs, NULL);
	}
	return 0;
}

/* one VT_REC_LOST of @cpu (or VT_LOST_CPU_PROBES) into the sink */
static void put_lost(struct vt_source *s, uint32_t cpu, uint64_t lost,
		     uint64_t total)
{
	struct vt_rec_lost r;

	memset(&r, 0, sizeof(r));
	r.hdr.type = VT_REC_LOST;
	r.hdr.size = sizeof(r);
	r.hdr.cpu = cpu;
	r.hdr.ts_ns = now_ns();
	r.hdr.vm_id = VT_NO_VM;
	r.hdr.vcpu_id = VT_NO_VCPU;
	r.lost = lost;
	r.total = total;
	vt_sink_put(s->sink, &r.hdr, sizeof(r));
}

/* deliver per-CPU losses not yet reported in-band */
static void report_lost(struct vt_source *s)
{
	struct bpf_src *b = s->priv;
	struct {	/* struct vt_lost_cnt of bpf/vt_core.bpf.h */
		uint64_t pending;
		uint64_t total;
		uint64_t busy;
	} *v;
	uint32_t zero = 0;
	int cpu;

	v = calloc(b->ncpus, sizeof(*v));
	if (!v)
		return;
	if (!bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.vt_lost), &zero, v)) {
		for (cpu = 0; cpu < b->ncpus; cpu++) {
			if (!v[cpu].pending)
				continue;
			put_lost(s, cpu, v[cpu].pending, v[cpu].total);
		}
	}
	free(v);
}

/* runs the kernel skipped (recursion guard): events with no record */
static uint64_t prog_misses(struct bpf_src *b)
{
	struct bpf_prog_info info;
	struct bpf_program *p;
	uint64_t sum = 0;
	__u32 len;

	bpf_object__for_each_program(p, b->skel->obj) {
		if (bpf_program__fd(p) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
			sum += info.recursion_misses;
	}
	return sum;
}

/* kprobe hits the kernel dropped on link @l (6.7+), 0 elsewhere */
static uint64_t link_missed(const struct bpf_src *b, struct bpf_link *l)
{
	uint64_t buf[LINK_INFO_MAX / 8];
	uint32_t type, pe_type;
	uint64_t missed;
	__u32 len = b->li_size;

	if (!b->li_size)
		return 0;
	memset(buf, 0, sizeof(buf));
	if (bpf_obj_get_info_by_fd(bpf_link__fd(l), buf, &len))
		return 0;
	memcpy(&type, buf, sizeof(type));
	memcpy(&pe_type, (char *)buf + b->li_pe_type, sizeof(pe_type));
	if (type != LINK_PERF_EVENT || (pe_type != PERF_KPROBE && pe_type != PERF_KRETPROBE))
		return 0;
	memcpy(&missed, (char *)buf + b->li_kp_missed, sizeof(missed));
	return missed;
}

/*
 * Deliver the probe misses counted since the last call as one VT_REC_LOST
 * (hdr.cpu VT_LOST_CPU_PROBES). @links_gone: the links' counts of the
 * links already destroyed, added once by the caller.
 */
static void report_misses(struct vt_source *s, uint64_t links_gone)
{
	struct bpf_src *b = s->priv;
	uint64_t total = prog_misses(b) + links_gone;
	unsigned int i;

	for (i = 0; i < b->nr_links; i++)
		total += link_missed(b, b->links[i]);
	/* counters only grow; a smaller sum is a link just gone */
	if (total <= b->miss_sent)
		return;
	put_lost(s, VT_LOST_CPU_PROBES, total - b->miss_sent, total);
	b->miss_sent = total;
	b->missed = total;
	s->missed = total;
}

static int bpf_poll(struct vt_source *s, int timeout_ms)
{
	struct bpf_src *b = s->priv;
	int n, m;

	/* records are submitted without wakeup: poll sleeps, consume drains */
	n = ring_buffer__poll(b->rb, timeout_ms);
	if (n < 0)
		return n;
	m = ring_buffer__consume(b->rb);
	if (m < 0)
		return m;
	if (now_ns() >= b->miss_next_ns) {
		report_misses(s, 0);
		b->miss_next_ns = now_ns() + MISS_PERIOD_NS;
	}
	return n + m;
}

static int bpf_finish(struct vt_source *s)
{
	struct bpf_src *b = s->priv;
	uint64_t gone = 0;
	int err;

	/* a link's count is read just before the link goes */
	while (b->nr_links) {
		gone += link_missed(b, b->links[b->nr_links - 1]);
		bpf_link__destroy(b->links[--b->nr_links]);
	}
	err = ring_buffer__consume(b->rb);
	report_lost(s);
	/* programs keep their counts after detach: these are final */
	report_misses(s, gone);
	return err < 0 ? err : 0;
}

static void bpf_close(struct vt_source *s)
{
	struct bpf_src *b = s->priv;

	if (!b)
		return;
	ring_buffer__free(b->rb);
	bpf_unload(b);
	free(b);
	s->priv = NULL;
}

static void emit_meta(struct vt_source *s)
{
	struct bpf_src *b = s->priv;
	struct utsname u;
	unsigned int h;
	char v[64];

	snprintf(v, sizeof(v), "vgic-traced bpf, libbpf %u.%u",
		 libbpf_major_version(), libbpf_minor_version());
	vt_sink_put_meta(s->sink, VT_META_BACKEND, 0, VT_BACKEND_BPF, v);
	if (!uname(&u))
		vt_sink_put_meta(s->sink, VT_META_KERNEL, 0, 0, u.release);
	if (b->host_gic)
		vt_sink_put_meta(s->sink, VT_META_GIC, 0, b->host_gic, NULL);
	for (h = 1; h <= VT_HOOK_MAX; h++)
		vt_sink_put_meta(s->sink, VT_META_HOOK, h, b->hook[h], b->hook_sym[h]);
}

/**
 * vt_source_bpf_open() - load and attach the BPF backend
 * @o:		settings
 * @sink:	where records go
 * @s:		the source to fill
 *
 * Hook status goes to the sink as VT_META_HOOK records (and from there
 * to the summary); a hook without any attach point is MISSING.
 *
 * Return: 0, or -errno when nothing could be loaded or attached.
 */
int vt_source_bpf_open(const struct vt_opts *o, struct vt_sink *sink,
		       struct vt_source *s)
{
	struct vt_host_facts facts;
	struct bpf_src *b;
	unsigned int h, nr = 0;
	int err;

	libbpf_verbose = getenv("VGIC_TRACED_DEBUG") != NULL;
	libbpf_set_print(print_libbpf);
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->selftest = getenv("VGIC_TRACED_SELFTEST_MISSES") != NULL;
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0) {
		free(b);
		return -ENODEV;
	}
	if (getrandom(&b->key0, sizeof(b->key0), 0) != sizeof(b->key0) ||
	    getrandom(&b->key1, sizeof(b->key1), 0) != sizeof(b->key1)) {
		free(b);
		return -EIO;
	}
	vt_host_facts_probe(&facts, VT_BACKEND_BPF);
	b->host_gic = facts.gic_version;
	b->kver = kernel_kv();
	err = init_points(b);
	if (err) {
		fprintf(stderr, "vgic-traced: BPF object cannot be opened: %s\n", strerror(-err));
		free(b);
		return err;
	}
	probe_kallsyms(b);
	probe_btf(b);
	choose_modes(b, o);
	err = load_and_attach(b, o);
	if (err) {
		fprintf(stderr, "vgic-traced: BPF load failed: %s (VGIC_TRACED_DEBUG=1 shows libbpf's log)\n",
			strerror(-err));
		free(b);
		return err;
	}
	attach_selftest(b);
	hook_status(b, o);
	for (h = 1; h <= VT_HOOK_MAX; h++)
		nr += b->hook[h] != VT_ATTACH_MISSING && b->hook[h] != VT_ATTACH_DISABLED;
	if (!nr) {
		fprintf(stderr, "vgic-traced: BPF: no hook could be attached\n");
		bpf_unload(b);
		free(b);
		return -ENOENT;
	}
	memset(s, 0, sizeof(*s));
	s->name = "bpf";
	s->backend = VT_BACKEND_BPF;
	s->poll = bpf_poll;
	s->finish = bpf_finish;
	s->close = bpf_close;
	s->sink = sink;
	s->priv = b;
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.vt_rb), on_sample, s, NULL);
	if (!b->rb) {
		err = -errno ? -errno : -ENOMEM;
		bpf_unload(b);
		free(b);
		s->priv = NULL;
		return err;
	}
	emit_meta(s);
	if (!b->li_size)
		fprintf(stderr, "vgic-traced: this kernel counts no missed kprobe hits (bpf_link_info has no kprobe 'missed', before 6.7): hooks attached as kprobes cannot report their misses\n");
	b->miss_next_ns = now_ns() + MISS_PERIOD_NS;
	return 0;
}
