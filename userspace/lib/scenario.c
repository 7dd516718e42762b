// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * scenario.c - human-readable scenario text -> ABI records, for replay
 * tests. Syntax: docs/engine.md "Scenario files". Example:
 *
 *   facts kernel=6.1.0-56-arm64 gic=3 nr_lrs=4
 *   default vm=100 vcpu=0 cpu=0
 *   @0     irqfd gsi=0 resample key=0x11 rkey=0x22
 *   @10us  flush lr=32:P:eoi
 *   @+5us  fold lr=32:A:eoi
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vt_lr.h"
#include "vt_record.h"
#include "vt_scenario.h"

#define MAX_TOK		40
#define MAX_REPEAT	64

struct scen {
	const char *name;
	unsigned int line;
	char *err;
	size_t errlen;
	struct vt_host_facts *facts;
	uint32_t vm, vcpu, cpu;
	uint64_t prev_ts;
	uint64_t base;		/* repeat iteration base */
	vt_scen_emit emit;
	void *arg;
	long count;
};

static int fail(struct scen *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct scen *s, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(s->err, s->errlen, "%s:%u: %s", s->name, s->line, msg);
	return -EINVAL;
}

static int num(const char *t, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!t || !isdigit((unsigned char)*t))
		return -EINVAL;
	errno = 0;
	v = strtoull(t, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int dur(const char *t, uint64_t *out)
{
	static const struct { const char *u; uint64_t m; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 }, { "", 1 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!isdigit((unsigned char)*t))
		return -EINVAL;
	errno = 0;
	v = strtoull(t, &end, 10);
	if (errno)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].u)) {
			if (v > UINT64_MAX / units[i].m)
				return -EINVAL;
			*out = v * units[i].m;
			return 0;
		}
	return -EINVAL;
}

/* Find "key=" among the tokens; returns the value, "" for a bare key. */
static const char *kv(char **tok, int n, const char *key)
{
	size_t kl = strlen(key);
	int i;

	for (i = 0; i < n; i++) {
		if (!strncmp(tok[i], key, kl) && tok[i][kl] == '=')
			return tok[i] + kl + 1;
		if (!strcmp(tok[i], key))
			return "";
	}
	return NULL;
}

static int getnum(struct scen *s, char **tok, int n, const char *key,
		  uint64_t def, uint64_t max, uint64_t *out)
{
	const char *v = kv(tok, n, key);

	if (!v) {
		*out = def;
		return 0;
	}
	if (num(v, out) || *out > max)
		return fail(s, "bad %s='%s' (number up to %llu)", key, v,
			    (unsigned long long)max);
	return 0;
}

static int check_keys(struct scen *s, char **tok, int n, const char *const *keys)
{
	int i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; keys[k]; k++) {
			size_t kl = strlen(keys[k]);

			if (!strncmp(tok[i], keys[k], kl) &&
			    (tok[i][kl] == '=' || !tok[i][kl]))
				break;
		}
		if (!keys[k])
			return fail(s, "unknown argument '%s'", tok[i]);
	}
	return 0;
}

static void hdr(struct scen *s, struct vt_hdr *h, unsigned int type,
		size_t size, uint64_t ts, uint32_t vm, uint32_t vcpu, uint32_t cpu)
{
	h->type = (uint16_t)type;
	h->size = (uint16_t)size;
	h->ts_ns = ts;
	h->vm_id = vm;
	h->vcpu_id = vcpu;
	h->cpu = cpu;
	(void)s;
}

static int lr_spec(struct scen *s, const char *spec, unsigned int gic, uint64_t *raw)
{
	char buf[64], *p, *save = NULL;
	struct vt_lr lr;
	uint64_t v;

	if (!strncmp(spec, "0x", 2)) {
		if (num(spec, raw))
			return fail(s, "bad LR value '%s'", spec);
		return 0;
	}
	memset(&lr, 0, sizeof(lr));
	lr.group = 1;
	lr.priority = 0xa0;
	snprintf(buf, sizeof(buf), "%s", spec);
	p = strtok_r(buf, ":", &save);
	if (!p || num(p, &v) || v > 0xffffffffull)
		return fail(s, "bad LR INTID in '%s'", spec);
	lr.vintid = (uint32_t)v;
	p = strtok_r(NULL, ":", &save);
	if (!p)
		return fail(s, "LR '%s' needs a state (inv, P, A, PA)", spec);
	if (!strcmp(p, "inv"))
		lr.state = VT_LR_INVALID;
	else if (!strcmp(p, "P"))
		lr.state = VT_LR_P;
	else if (!strcmp(p, "A"))
		lr.state = VT_LR_A;
	else if (!strcmp(p, "PA"))
		lr.state = VT_LR_PA;
	else
		return fail(s, "bad LR state '%s' (inv, P, A, PA)", p);
	while ((p = strtok_r(NULL, ":", &save))) {
		if (!strcmp(p, "eoi"))
			lr.eoi = true;
		else if (!strcmp(p, "g0"))
			lr.group = 0;
		else if (!strncmp(p, "hw=", 3) && !num(p + 3, &v) && v < 1024) {
			lr.hw = true;
			lr.pintid = (uint32_t)v;
		} else if (!strncmp(p, "prio=", 5) && !num(p + 5, &v) && v < 256)
			lr.priority = (uint8_t)v;
		else
			return fail(s, "bad LR flag '%s' (eoi, g0, hw=N, prio=N)", p);
	}
	if (vt_lr_encode(gic, &lr, raw))
		return fail(s, "LR '%s' does not fit GICv%u", spec, gic);
	return 0;
}

static int do_lr(struct scen *s, unsigned int type, char **tok, int n,
		 struct vt_rec_lr *r)
{
	static const char *const keys[] = { "lr", "used", "nr", "gic", "hcr", NULL };
	uint64_t v;
	int i, nlr = 0, ret;

	if ((ret = check_keys(s, tok, n, keys)))
		return ret;
	if ((ret = getnum(s, tok, n, "gic", s->facts->gic_version ?
			  s->facts->gic_version : 3, 3, &v)))
		return ret;
	if (v != 2 && v != 3)
		return fail(s, "gic must be 2 or 3");
	r->gic_version = (uint8_t)v;
	for (i = 0; i < n; i++) {
		if (strncmp(tok[i], "lr=", 3))
			continue;
		if (nlr >= VT_MAX_LR)
			return fail(s, "more than %u LRs", VT_MAX_LR);
		if ((ret = lr_spec(s, tok[i] + 3, r->gic_version, &v)))
			return ret;
		r->lr[nlr] = v;
		nlr++;
	}
	if ((ret = getnum(s, tok, n, "used", (uint64_t)nlr, VT_MAX_LR, &v)))
		return ret;
	r->used_lrs = (uint8_t)v;
	if ((ret = getnum(s, tok, n, "nr", s->facts->nr_lrs, VT_MAX_LR, &v)))
		return ret;
	r->nr_lrs = (uint8_t)v;
	if (kv(tok, n, "hcr")) {
		if ((ret = getnum(s, tok, n, "hcr", 0, 0xffffffffull, &v)))
			return ret;
		r->hcr = (uint32_t)v;
		r->flags |= VT_LR_F_HCR_VALID;
	}
	(void)type;
	return 0;
}

static int pick(struct scen *s, const char *v, const char *const *names,
		unsigned int nnames, unsigned int *out, const char *what)
{
	unsigned int i;

	for (i = 0; i < nnames; i++)
		if (names[i] && !strcasecmp(v, names[i])) {
			*out = i;
			return 0;
		}
	return fail(s, "unknown %s '%s'", what, v);
}

static const char *const src_names[] = { "unknown", "irqfd", "resampler", "user", "kernel" };
static const char *const vfio_names[] = { NULL, "handler", "mask", "unmask", "unmask_handler", "send_eventfd" };
static const char *const mmio_names[] = { NULL, "ISPENDR", "ICPENDR", "ISACTIVER", "ICACTIVER", "IROUTER", "ITARGETSR", "ISENABLER", "ICENABLER" };
static const char *const cause_names[] = { NULL, "inject", "mmio", "fold", "migrate" };
static const char *const attach_names[] = { "missing", "kprobe", "kretprobe", "fentry", "tracepoint", "disabled" };
static const char *const hook_names[] = { NULL, "lr_flush", "lr_fold_v2", "lr_fold_v3", "inject", "ack", "resample", "irqfd", "vfio_handler", "vfio_mask", "vfio_unmask", "vfio_unmask_handler", "mmio_pending", "mmio_active", "mmio_route" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int do_record(struct scen *s, const char *kind, char **tok, int n,
		     struct vt_hdr *h)
{
	uint64_t a, b, c, d;
	unsigned int u = 0;
	const char *v;
	int ret = 0;

	if (!strcmp(kind, "flush") || !strcmp(kind, "fold")) {
		struct vt_rec_lr *r = (void *)h;

		h->type = !strcmp(kind, "flush") ? VT_REC_LR_FLUSH : VT_REC_LR_FOLD;
		h->size = sizeof(*r);
		return do_lr(s, h->type, tok, n, r);
	}
	if (!strcmp(kind, "inject")) {
		static const char *const k[] = { "intid", "level", "src", "ret", NULL };
		struct vt_rec_inject *r = (void *)h;

		h->type = VT_REC_INJECT;
		h->size = sizeof(*r);
		if ((ret = check_keys(s, tok, n, k)) ||
		    (ret = getnum(s, tok, n, "intid", 0xffffffffull, 0xfffffffeull, &a)) ||
		    (ret = getnum(s, tok, n, "level", 1, 1, &b)))
			return ret;
		if (a == 0xffffffffull)
			return fail(s, "inject needs intid=");
		r->intid = (uint32_t)a;
		r->level = (uint8_t)b;
		if ((v = kv(tok, n, "src"))) {
			if ((ret = pick(s, v, src_names, N(src_names), &u, "source")))
				return ret;
			r->source = (uint8_t)u;
		}
		if ((v = kv(tok, n, "ret")))
			r->ret = -EINVAL;
		return 0;
	}
	if (!strcmp(kind, "state")) {
		static const char *const k[] = { "intid", "target", "ap", "line", "latch", "active", "enabled", "cfg", "hw", "cause", NULL };
		struct vt_rec_irq_state *r = (void *)h;

		h->type = VT_REC_IRQ_STATE;
		h->size = sizeof(*r);
		if ((ret = check_keys(s, tok, n, k)) ||
		    (ret = getnum(s, tok, n, "intid", 0, 0xfffffffeull, &a)) ||
		    (ret = getnum(s, tok, n, "target", VT_NO_VCPU, VT_NO_VCPU, &b)) ||
		    (ret = getnum(s, tok, n, "ap", VT_NO_VCPU, VT_NO_VCPU, &c)))
			return ret;
		r->intid = (uint32_t)a;
		r->target_vcpu = (uint32_t)b;
		r->ap_vcpu = (uint32_t)c;
		if ((ret = getnum(s, tok, n, "line", 0, 1, &a)))
			return ret;
		r->line_level = (uint8_t)a;
		if ((ret = getnum(s, tok, n, "latch", 0, 1, &a)))
			return ret;
		r->pending_latch = (uint8_t)a;
		if ((ret = getnum(s, tok, n, "active", 0, 1, &a)))
			return ret;
		r->active = (uint8_t)a;
		if ((ret = getnum(s, tok, n, "enabled", 1, 1, &a)))
			return ret;
		r->enabled = (uint8_t)a;
		if ((ret = getnum(s, tok, n, "hw", 0, 1, &a)))
			return ret;
		r->hw = (uint8_t)a;
		v = kv(tok, n, "cfg");
		r->config = v && !strcmp(v, "edge") ? VT_CFG_EDGE : VT_CFG_LEVEL;
		if (v && strcmp(v, "edge") && strcmp(v, "level"))
			return fail(s, "cfg must be level or edge");
		r->cause = VT_CAUSE_INJECT;
		if ((v = kv(tok, n, "cause"))) {
			if ((ret = pick(s, v, cause_names, N(cause_names), &u, "cause")))
				return ret;
			r->cause = (uint8_t)u;
		}
		return 0;
	}
	if (!strcmp(kind, "ack")) {
		static const char *const k[] = { "pin", "irqchip", "gsi", NULL };
		struct vt_rec_ack *r = (void *)h;

		h->type = VT_REC_ACK;
		h->size = sizeof(*r);
		if ((ret = check_keys(s, tok, n, k)) ||
		    (ret = getnum(s, tok, n, "pin", 0, 0xffffffffull, &a)) ||
		    (ret = getnum(s, tok, n, "irqchip", 0, 0xffffffffull, &b)) ||
		    (ret = getnum(s, tok, n, "gsi", VT_NO_GSI, VT_NO_GSI, &c)))
			return ret;
		r->pin = (uint32_t)a;
		r->irqchip = (uint32_t)b;
		r->gsi = (uint32_t)c;
		return 0;
	}
	if (!strcmp(kind, "resample")) {
		static const char *const k[] = { "gsi", "n", "key", NULL };
		struct vt_rec_resample *r = (void *)h;

		h->type = VT_REC_RESAMPLE;
		h->size = sizeof(*r);
		if ((ret = check_keys(s, tok, n, k)) ||
		    (ret = getnum(s, tok, n, "gsi", 0, 0xfffffffeull, &a)) ||
		    (ret = getnum(s, tok, n, "n", 1, 0xffffffffull, &b)) ||
		    (ret = getnum(s, tok, n, "key", 0, UINT64_MAX, &c)))
			return ret;
		r->gsi = (uint32_t)a;
		r->nr_irqfds = (uint32_t)b;
		r->resample_key = c;
		return 0;
	}
	if (!strcmp(kind, "irqfd")) {
		static const char *const k[] = { "gsi", "resample", "deassign", "fd", "rfd", "key", "rkey", "ret", NULL };
		struct vt_rec_irqfd *r = (void *)h;

		h->type = VT_REC_IRQFD;
		h->size = sizeof(*r);
		if ((ret = check_keys(s, tok, n, k)) ||
		    (ret = getnum(s, tok, n, "gsi", 0, 0xfffffffeull, &a)) ||
		    (ret = getnum(s, tok, n, "fd", 3, 0x7fffffff, &b)) ||
		    (ret = getnum(s, tok, n, "key", 0, UINT64_MAX, &c)) ||
		    (ret = getnum(s, tok, n, "rkey", 0, UINT64_MAX, &d)))
			return ret;
		r->gsi = (uint32_t)a;
		r->fd = (int32_t)b;
		r->eventfd_key = c;
		r->resample_key = d;
		r->resamplefd = -1;
		if (kv(tok, n, "resample")) {
			r->flags |= VT_IRQFD_F_RESAMPLE;
			if ((ret = getnum(s, tok, n, "rfd", 4, 0x7fffffff, &a)))
				return ret;
			r->resamplefd = (int32_t)a;
		}
		if (kv(tok, n, "deassign"))
			r->flags |= VT_IRQFD_F_DEASSIGN;
		if (kv(tok, n, "ret"))
			r->ret = -EINVAL;
		return 0;
	}
	if (!strcmp(kind, "vfio")) {
		static const char *const k[] = { "handler", "mask", "unmask", "unmask_handler", "send_eventfd", "dev", "irq", "masked", "result", "tkey", "ukey", "pci23", NULL };
		struct vt_rec_vfio *r = (void *)h;

		h->type = VT_REC_VFIO;
		h->size = sizeof(*r);
		if (n < 1)
			return fail(s, "vfio needs an event");
		if ((ret = pick(s, tok[0], vfio_names, N(vfio_names), &u, "vfio event")))
			return ret;
		r->event = (uint8_t)u;
		if ((ret = check_keys(s, tok + 1, n - 1, k)) ||
		    (ret = getnum(s, tok, n, "irq", 0, 0xffffffffull, &a)) ||
		    (ret = getnum(s, tok, n, "masked", 0xff, 0xff, &b)) ||
		    (ret = getnum(s, tok, n, "result", 0, 0x7fffffff, &c)))
			return ret;
		r->host_irq = (uint32_t)a;
		r->masked = (uint8_t)b;
		r->result = (int32_t)c;
		if ((ret = getnum(s, tok, n, "tkey", 0, UINT64_MAX, &a)) ||
		    (ret = getnum(s, tok, n, "ukey", 0, UINT64_MAX, &b)) ||
		    (ret = getnum(s, tok, n, "pci23", 1, 0xff, &c)))
			return ret;
		r->trigger_key = a;
		r->unmask_key = b;
		r->pci_2_3 = (uint8_t)c;
		v = kv(tok, n, "dev");
		snprintf(r->dev, sizeof(r->dev), "%s", v ? v : "0000:00:02.0");
		return 0;
	}
	if (!strcmp(kind, "mmio")) {
		static const char *const k[] = { "ISPENDR", "ICPENDR", "ISACTIVER", "ICACTIVER", "IROUTER", "ITARGETSR", "ISENABLER", "ICENABLER", "intid", "val", "len", "offset", NULL };
		struct vt_rec_mmio *r = (void *)h;

		h->type = VT_REC_MMIO;
		h->size = sizeof(*r);
		if (n < 1)
			return fail(s, "mmio needs a register");
		if ((ret = pick(s, tok[0], mmio_names, N(mmio_names), &u, "register")))
			return ret;
		r->reg = (uint8_t)u;
		if ((ret = check_keys(s, tok + 1, n - 1, k)) ||
		    (ret = getnum(s, tok, n, "intid", 0, 0xfffffffeull, &a)) ||
		    (ret = getnum(s, tok, n, "val", 1, UINT64_MAX, &b)) ||
		    (ret = getnum(s, tok, n, "len", 4, 8, &c)) ||
		    (ret = getnum(s, tok, n, "offset", 0, 0xffffffffull, &d)))
			return ret;
		r->first_intid = (uint32_t)a;
		r->val = b;
		r->len = (uint8_t)c;
		r->offset = (uint32_t)d;
		return 0;
	}
	if (!strcmp(kind, "lost")) {
		static const char *const k[] = { "n", "total", NULL };
		struct vt_rec_lost *r = (void *)h;

		h->type = VT_REC_LOST;
		h->size = sizeof(*r);
		if ((ret = check_keys(s, tok, n, k)) ||
		    (ret = getnum(s, tok, n, "n", 1, UINT64_MAX, &a)) ||
		    (ret = getnum(s, tok, n, "total", a, UINT64_MAX, &b)))
			return ret;
		r->lost = a;
		r->total = b;
		return 0;
	}
	if (!strcmp(kind, "meta")) {
		static const char *const k[] = { "hook", "attach", "kernel", "nr_lrs", "gic", "vm", "str", NULL };
		struct vt_rec_meta *r = (void *)h;

		h->type = VT_REC_META;
		h->size = sizeof(*r);
		if ((ret = check_keys(s, tok, n, k)))
			return ret;
		if ((v = kv(tok, n, "hook"))) {
			r->key = VT_META_HOOK;
			if ((ret = pick(s, v, hook_names, N(hook_names), &u, "hook")))
				return ret;
			r->id = (uint16_t)u;
			v = kv(tok, n, "attach");
			if (!v)
				return fail(s, "meta hook= needs attach=");
			if ((ret = pick(s, v, attach_names, N(attach_names), &u, "attach")))
				return ret;
			r->val = u;
		} else if ((v = kv(tok, n, "kernel"))) {
			r->key = VT_META_KERNEL;
			snprintf(r->str, sizeof(r->str), "%s", v);
		} else if (kv(tok, n, "nr_lrs")) {
			r->key = VT_META_NR_LRS;
			if ((ret = getnum(s, tok, n, "nr_lrs", 0, VT_MAX_LR, &a)))
				return ret;
			r->val = a;
		} else if (kv(tok, n, "gic")) {
			r->key = VT_META_GIC;
			if ((ret = getnum(s, tok, n, "gic", 3, 3, &a)))
				return ret;
			r->val = a;
		} else if (kv(tok, n, "vm")) {
			r->key = VT_META_VM;
			if ((ret = getnum(s, tok, n, "vm", 0, UINT64_MAX, &a)))
				return ret;
			r->val = a;
		} else {
			return fail(s, "meta needs hook=, kernel=, nr_lrs=, gic= or vm=");
		}
		return 0;
	}
	return fail(s, "unknown record kind '%s'", kind);
}

static int do_facts(struct scen *s, char **tok, int n)
{
	static const char *const k[] = { "kernel", "arch", "gic", "nr_lrs", "backend", NULL };
	uint64_t v;
	const char *t;
	int ret;

	if ((ret = check_keys(s, tok, n, k)))
		return ret;
	if ((t = kv(tok, n, "kernel")))
		snprintf(s->facts->kernel_release, sizeof(s->facts->kernel_release), "%s", t);
	if ((t = kv(tok, n, "arch")))
		snprintf(s->facts->arch, sizeof(s->facts->arch), "%s", t);
	if ((ret = getnum(s, tok, n, "gic", s->facts->gic_version, 3, &v)))
		return ret;
	s->facts->gic_version = (uint8_t)v;
	if ((ret = getnum(s, tok, n, "nr_lrs", s->facts->nr_lrs, VT_MAX_LR, &v)))
		return ret;
	s->facts->nr_lrs = (uint8_t)v;
	if ((t = kv(tok, n, "backend"))) {
		if (!strcmp(t, "module"))
			s->facts->backend = VT_BACKEND_MODULE;
		else if (!strcmp(t, "bpf"))
			s->facts->backend = VT_BACKEND_BPF;
		else if (!strcmp(t, "replay"))
			s->facts->backend = VT_BACKEND_REPLAY;
		else
			return fail(s, "unknown backend '%s'", t);
	}
	return 0;
}

static int do_default(struct scen *s, char **tok, int n)
{
	static const char *const k[] = { "vm", "vcpu", "cpu", NULL };
	uint64_t v;
	int ret;

	if ((ret = check_keys(s, tok, n, k)))
		return ret;
	if ((ret = getnum(s, tok, n, "vm", s->vm, 0xffffffffull, &v)))
		return ret;
	s->vm = (uint32_t)v;
	if ((ret = getnum(s, tok, n, "vcpu", s->vcpu, 0xffffffffull, &v)))
		return ret;
	s->vcpu = (uint32_t)v;
	if ((ret = getnum(s, tok, n, "cpu", s->cpu, 0xffffffffull, &v)))
		return ret;
	s->cpu = (uint32_t)v;
	return 0;
}

/* "@TIME [vm=] [vcpu=] [cpu=] KIND args..." */
static int do_line(struct scen *s, char **tok, int n)
{
	union {
		struct vt_hdr h;
		uint8_t b[VT_REC_MAX_SIZE];
		uint64_t align;
	} u;
	const char *t = tok[0] + 1;
	uint32_t vm = s->vm, vcpu = s->vcpu, cpu = s->cpu;
	uint64_t ts, v;
	char err[120];
	int i = 1, ret;

	if (*t == '+') {
		if (dur(t + 1, &v))
			return fail(s, "bad time '%s'", tok[0]);
		ts = s->prev_ts + v;
	} else {
		if (dur(t, &v))
			return fail(s, "bad time '%s'", tok[0]);
		ts = s->base + v;
	}
	for (; i < n; i++) {
		if (!strncmp(tok[i], "vm=", 3) && !num(tok[i] + 3, &v) && v <= 0xffffffffull)
			vm = (uint32_t)v;
		else if (!strncmp(tok[i], "vcpu=", 5) && !num(tok[i] + 5, &v) && v <= 0xffffffffull)
			vcpu = (uint32_t)v;
		else if (!strncmp(tok[i], "cpu=", 4) && !num(tok[i] + 4, &v) && v <= 0xffffffffull)
			cpu = (uint32_t)v;
		else
			break;
	}
	if (i >= n)
		return fail(s, "missing record kind after the time");
	memset(&u, 0, sizeof(u));
	ret = do_record(s, tok[i], tok + i + 1, n - i - 1, &u.h);
	if (ret)
		return ret;
	hdr(s, &u.h, u.h.type, u.h.size, ts, vm, vcpu, cpu);
	if (vt_record_check(&u.h, sizeof(u), err, sizeof(err)))
		return fail(s, "%s", err);
	s->prev_ts = ts;
	s->count++;
	return s->emit(&u.h, s->arg);
}

static int tokenize(char *line, char **tok)
{
	char *save = NULL, *p;
	int n = 0;

	p = strchr(line, '#');
	if (p)
		*p = 0;
	for (p = strtok_r(line, " \t\r\n", &save); p && n < MAX_TOK;
	     p = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = p;
	return n;
}

long vt_scenario_import(FILE *in, const char *name,
			struct vt_host_facts *facts, vt_scen_emit emit,
			void *arg, char *err, size_t errlen)
{
	struct scen s = {
		.name = name, .err = err, .errlen = errlen, .facts = facts,
		.emit = emit, .arg = arg, .vm = 1, .vcpu = 0,
	};
	char line[1024], *block[MAX_REPEAT], *tok[MAX_TOK];
	unsigned int block_line = 0, nblock = 0, in_block = 0, r, j;
	uint64_t every = 0, times = 0, start;
	int n, ret = 0;

	memset(facts, 0, sizeof(*facts));
	facts->gic_version = VT_GIC_V3;
	facts->backend = VT_BACKEND_REPLAY;
	snprintf(facts->arch, sizeof(facts->arch), "aarch64");
	while (fgets(line, sizeof(line), in)) {
		s.line++;
		if (in_block) {
			char copy[1024];

			snprintf(copy, sizeof(copy), "%s", line);
			n = tokenize(copy, tok);
			if (n == 1 && !strcmp(tok[0], "end")) {
				start = s.prev_ts;
				for (r = 0; r < times && !ret; r++) {
					s.base = start + r * every;
					for (j = 0; j < nblock && !ret; j++) {
						s.line = block_line + j + 1;
						snprintf(copy, sizeof(copy), "%s", block[j]);
						n = tokenize(copy, tok);
						ret = n ? do_line(&s, tok, n) : 0;
					}
				}
				for (j = 0; j < nblock; j++)
					free(block[j]);
				nblock = 0;
				in_block = 0;
				s.base = 0;
				if (ret)
					return ret;
				continue;
			}
			if (nblock >= MAX_REPEAT)
				return fail(&s, "repeat block longer than %u lines", MAX_REPEAT);
			block[nblock] = strdup(line);
			if (!block[nblock])
				return -ENOMEM;
			nblock++;
			continue;
		}
		n = tokenize(line, tok);
		if (!n)
			continue;
		if (!strcmp(tok[0], "facts"))
			ret = do_facts(&s, tok + 1, n - 1);
		else if (!strcmp(tok[0], "default"))
			ret = do_default(&s, tok + 1, n - 1);
		else if (!strcmp(tok[0], "repeat")) {
			if (n != 4 || strcmp(tok[2], "every") || num(tok[1], &times) ||
			    dur(tok[3], &every) || !times || times > 10000000)
				return fail(&s, "syntax: repeat N every DURATION ... end");
			in_block = 1;
			block_line = s.line;
		} else if (tok[0][0] == '@')
			ret = do_line(&s, tok, n);
		else
			ret = fail(&s, "unknown line '%s'", tok[0]);
		if (ret)
			return ret;
	}
	if (in_block) {
		for (j = 0; j < nblock; j++)
			free(block[j]);
		return fail(&s, "repeat without end");
	}
	return s.count;
}
