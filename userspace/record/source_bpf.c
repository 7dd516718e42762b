// SPDX-License-Identifier: GPL-2.0
/*
 * source_bpf.c - the BPF backend: probe the kernel, load the programs
 * one way per hook, attach, and drain the ring buffer on a timer.
 *
 * Per attach point the order is fentry/fexit, then kprobe/kretprobe,
 * then the hook's kvm:* tracepoint fallback (degraded), else MISSING:
 *  - the symbol must be in /proc/kallsyms (static/inlined ones are not);
 *  - fentry programs that fail to load (x86 lockdown: -EPERM) or attach
 *    (arm64 6.1 without direct calls: -524) are switched off with
 *    bpf_program__set_autoload() and the object is loaded again with
 *    their kprobe twins;
 *  - a failed kprobe leaves the hook to its tracepoint fallback.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "traced.h"
#include "bpf_hooks.h"
#include "vt_bpf.h"
#include "vgic_trace.skel.h"

#define MAX_AP		32
#define MAX_LINKS	96
#define MAX_LOADS	3

enum ap_mode {
	AP_NONE,
	AP_FENTRY,
	AP_KPROBE,
};

struct bpf_src {
	struct vgic_trace_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[MAX_LINKS];
	unsigned int nr_links;
	const char *sym[MAX_AP];
	enum ap_mode mode[MAX_AP];
	int err[MAX_AP];		/* last attach error per point */
	bool tp_ok[8];			/* fallback tracepoints exist */
	uint8_t hook[VT_HOOK_MAX + 1];	/* VT_ATTACH_* */
	char hook_sym[VT_HOOK_MAX + 1][64];
	uint32_t degraded;
	uint64_t key0, key1;
	uint8_t host_gic;
	bool inject_vcpu_arg;
	uint64_t vgic_global;		/* &kvm_vgic_global_state */
	uint64_t missed;		/* program runs skipped by the kernel */
	int ncpus;
};

static bool libbpf_verbose;

/* failed fentry/kprobe attempts are expected: libbpf speaks only on request */
static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!libbpf_verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* mark which candidate symbols of every attach point are in kallsyms */
static void probe_kallsyms(struct bpf_src *b)
{
	bool seen[MAX_AP][3] = { { false } };
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
			for (i = 0; i < vt_nr_attach_points; i++)
				for (j = 0; j < 3 && vt_attach_points[i].syms[j]; j++)
					if (!strcmp(name, vt_attach_points[i].syms[j]))
						seen[i][j] = true;
		}
		fclose(f);
	}
	for (i = 0; i < vt_nr_attach_points; i++) {
		b->sym[i] = NULL;
		for (j = 0; j < 3 && vt_attach_points[i].syms[j]; j++) {
			if (seen[i][j]) {
				b->sym[i] = vt_attach_points[i].syms[j];
				break;
			}
		}
	}
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
	for (i = 0; i < vt_nr_tp_fallbacks && i < 8; i++) {
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
	btf__free(btf);
}

static struct bpf_program *prog(struct bpf_src *b, const char *name)
{
	return name ? bpf_object__find_program_by_name(b->skel->obj, name) : NULL;
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

/* open + configure + load with the current per-point modes */
static int bpf_load(struct bpf_src *b, const struct vt_opts *o)
{
	const struct vt_attach_point *ap;
	struct bpf_program *p;
	unsigned int i, j;
	int err;

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
	for (i = 0; i < vt_nr_attach_points; i++) {
		ap = &vt_attach_points[i];
		/* the x86 build has no vgic/VFIO/MMIO programs */
		if (!prog(b, ap->kprobe) || (ap->kretprobe && !prog(b, ap->kretprobe)))
			b->mode[i] = AP_NONE;
		if (b->mode[i] == AP_FENTRY && !prog(b, ap->fentry))
			b->mode[i] = AP_KPROBE;
		if (b->mode[i] == AP_FENTRY) {
			p = prog(b, ap->fentry);
			bpf_program__set_autoload(p, true);
			err = bpf_program__set_attach_target(p, 0, b->sym[i]);
			if (err)
				b->mode[i] = o->no_kprobe ? AP_NONE : AP_KPROBE;
			else
				continue;
		}
		if (b->mode[i] == AP_KPROBE) {
			bpf_program__set_autoload(prog(b, ap->kprobe), true);
			if (ap->kretprobe)
				bpf_program__set_autoload(prog(b, ap->kretprobe), true);
		}
	}
	for (i = 0; i < vt_nr_tp_fallbacks && i < 8; i++) {
		if (!b->tp_ok[i])
			continue;
		for (j = 0; j < 2 && vt_tp_fallbacks[i].progs[j]; j++) {
			p = prog(b, vt_tp_fallbacks[i].progs[j]);
			if (p)
				bpf_program__set_autoload(p, true);
		}
	}
	return vgic_trace_bpf__load(b->skel);
}

static void bpf_unload(struct bpf_src *b)
{
	drop_links(b);
	vgic_trace_bpf__destroy(b->skel);
	b->skel = NULL;
}

/* attach fentry/kprobe points; returns true if fentry must be retried */
static bool attach_points(struct bpf_src *b, const struct vt_opts *o)
{
	const struct vt_attach_point *ap;
	unsigned int i, first;
	bool retry = false;
	int err;

	for (i = 0; i < vt_nr_attach_points; i++) {
		ap = &vt_attach_points[i];
		b->err[i] = 0;
		if (b->mode[i] == AP_FENTRY) {
			err = keep_link(b, bpf_program__attach(prog(b, ap->fentry)));
			if (err) {
				b->err[i] = err;
				b->mode[i] = o->no_kprobe ? AP_NONE : AP_KPROBE;
				retry = true;
			}
		} else if (b->mode[i] == AP_KPROBE) {
			first = b->nr_links;
			err = keep_link(b, bpf_program__attach_kprobe(prog(b, ap->kprobe),
								  false, b->sym[i]));
			if (!err && ap->kretprobe)
				err = keep_link(b, bpf_program__attach_kprobe(
						prog(b, ap->kretprobe), true, b->sym[i]));
			if (err) {
				while (b->nr_links > first)
					bpf_link__destroy(b->links[--b->nr_links]);
				b->err[i] = err;
				b->mode[i] = AP_NONE;
			}
		}
	}
	return retry;
}

/* attach the tracepoint fallbacks of hooks that got nothing better */
static void attach_fallbacks(struct bpf_src *b)
{
	const char *done[8] = { NULL };
	unsigned int i, j, k, nd = 0;
	struct bpf_program *p;
	unsigned int h;
	bool ok;

	for (i = 0; i < vt_nr_tp_fallbacks && i < 8; i++) {
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
			else if (nd < 8)
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

static void hook_status(struct bpf_src *b, const struct vt_opts *o)
{
	const struct vt_attach_point *ap;
	unsigned int i, h;
	uint8_t st;

	for (h = 1; h <= VT_HOOK_MAX; h++) {
		b->hook[h] = (o->disabled & (1u << h)) ? VT_ATTACH_DISABLED :
			VT_ATTACH_MISSING;
		b->hook_sym[h][0] = 0;
	}
	for (i = 0; i < vt_nr_attach_points; i++) {
		ap = &vt_attach_points[i];
		h = ap->hook;
		if (b->mode[i] == AP_NONE || b->hook[h] != VT_ATTACH_MISSING)
			continue;
		if (b->mode[i] == AP_FENTRY)
			st = VT_ATTACH_FENTRY;
		else
			st = ap->kretprobe ? VT_ATTACH_KRETPROBE : VT_ATTACH_KPROBE;
		b->hook[h] = st;
		snprintf(b->hook_sym[h], sizeof(b->hook_sym[h]), "%s", b->sym[i]);
	}
	attach_fallbacks(b);
	b->skel->bss->vt_degraded = b->degraded;
}

/* initial mode per attach point */
static void choose_modes(struct bpf_src *b, const struct vt_opts *o)
{
	const struct vt_attach_point *ap;
	unsigned int i;

	for (i = 0; i < vt_nr_attach_points; i++) {
		ap = &vt_attach_points[i];
		b->mode[i] = AP_NONE;
		if (!b->sym[i] || (o->disabled & (1u << ap->hook)))
			continue;
		if (!o->no_fentry && ap->fentry)
			b->mode[i] = AP_FENTRY;
		else if (!o->no_kprobe)
			b->mode[i] = AP_KPROBE;
	}
}

/*
 * One fentry program alone first: where fentry cannot attach at all (no
 * direct calls: -524; lockdown: -EPERM) this saves verifying every
 * fentry program before falling back.
 */
static void probe_fentry(struct bpf_src *b, const struct vt_opts *o)
{
	struct vt_opts one = *o;
	unsigned int i, first = vt_nr_attach_points;
	enum ap_mode saved[MAX_AP];
	struct bpf_link *l;
	bool ok = false;
	int err;

	for (i = 0; i < vt_nr_attach_points; i++) {
		saved[i] = b->mode[i];
		if (b->mode[i] == AP_FENTRY && first == vt_nr_attach_points)
			first = i;
	}
	if (first == vt_nr_attach_points)
		return;
	for (i = 0; i < vt_nr_attach_points; i++)
		b->mode[i] = i == first ? AP_FENTRY : AP_NONE;
	one.no_kprobe = true;
	err = bpf_load(b, &one);
	if (!err && b->mode[first] == AP_FENTRY) {
		l = bpf_program__attach(prog(b, vt_attach_points[first].fentry));
		ok = l != NULL;
		if (!l)
			err = -errno;
		bpf_link__destroy(l);
	}
	bpf_unload(b);
	for (i = 0; i < vt_nr_attach_points; i++) {
		b->mode[i] = saved[i];
		if (!ok && b->mode[i] == AP_FENTRY) {
			b->mode[i] = o->no_kprobe ? AP_NONE : AP_KPROBE;
			b->err[i] = err;
		}
	}
}

static int load_and_attach(struct bpf_src *b, const struct vt_opts *o)
{
	unsigned int i, n;
	bool fentry;
	int err = 0;

	probe_fentry(b, o);
	for (n = 0; n < MAX_LOADS; n++) {
		err = bpf_load(b, o);
		if (err) {
			fentry = false;
			for (i = 0; i < vt_nr_attach_points; i++) {
				if (b->mode[i] == AP_FENTRY) {
					b->mode[i] = o->no_kprobe ? AP_NONE : AP_KPROBE;
					b->err[i] = err;
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

static int on_sample(void *ctx, void *data, size_t size)
{
	struct vt_source *s = ctx;

	vt_sink_put(s->sink, data, size);
	return 0;
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
	return n + m;
}

/* deliver per-CPU losses not yet reported in-band */
static void report_lost(struct vt_source *s)
{
	struct bpf_src *b = s->priv;
	struct vt_rec_lost r;
	struct {
		uint64_t pending;
		uint64_t total;
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
			memset(&r, 0, sizeof(r));
			r.hdr.type = VT_REC_LOST;
			r.hdr.size = sizeof(r);
			r.hdr.cpu = cpu;
			r.hdr.vm_id = VT_NO_VM;
			r.hdr.vcpu_id = VT_NO_VCPU;
			r.lost = v[cpu].pending;
			r.total = v[cpu].total;
			vt_sink_put(s->sink, &r.hdr, sizeof(r));
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

static int bpf_finish(struct vt_source *s)
{
	struct bpf_src *b = s->priv;
	int err;

	b->missed = prog_misses(b);
	s->missed = b->missed;
	drop_links(b);
	err = ring_buffer__consume(b->rb);
	report_lost(s);
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
	return 0;
}
