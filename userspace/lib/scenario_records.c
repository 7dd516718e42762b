// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * scenario_records.c - one scenario line "KIND args..." -> one ABI record.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vt_lr.h"
#include "vt_record.h"
#include "scenario_internal.h"

static int lr_spec(struct scen *s, const char *spec, unsigned int gic, uint64_t *raw)
{
	char buf[64], *p, *save = NULL;
	struct vt_lr lr;
	uint64_t v;

	if (!strncmp(spec, "0x", 2)) {
		if (scen_num(spec, raw))
			return scen_fail(s, "bad LR value '%s'", spec);
		return 0;
	}
	memset(&lr, 0, sizeof(lr));
	lr.group = 1;
	lr.priority = 0xa0;
	snprintf(buf, sizeof(buf), "%s", spec);
	p = strtok_r(buf, ":", &save);
	if (!p || scen_num(p, &v) || v > 0xffffffffull)
		return scen_fail(s, "bad LR INTID in '%s'", spec);
	lr.vintid = (uint32_t)v;
	p = strtok_r(NULL, ":", &save);
	if (!p)
		return scen_fail(s, "LR '%s' needs a state (inv, P, A, PA)", spec);
	if (!strcmp(p, "inv"))
		lr.state = VT_LR_INVALID;
	else if (!strcmp(p, "P"))
		lr.state = VT_LR_P;
	else if (!strcmp(p, "A"))
		lr.state = VT_LR_A;
	else if (!strcmp(p, "PA"))
		lr.state = VT_LR_PA;
	else
		return scen_fail(s, "bad LR state '%s' (inv, P, A, PA)", p);
	while ((p = strtok_r(NULL, ":", &save))) {
		if (!strcmp(p, "eoi"))
			lr.eoi = true;
		else if (!strcmp(p, "g0"))
			lr.group = 0;
		else if (!strncmp(p, "hw=", 3) && !scen_num(p + 3, &v) && v < 1024) {
			lr.hw = true;
			lr.pintid = (uint32_t)v;
		} else if (!strncmp(p, "prio=", 5) && !scen_num(p + 5, &v) && v < 256)
			lr.priority = (uint8_t)v;
		else
			return scen_fail(s, "bad LR flag '%s' (eoi, g0, hw=N, prio=N)", p);
	}
	if (vt_lr_encode(gic, &lr, raw))
		return scen_fail(s, "LR '%s' does not fit GICv%u", spec, gic);
	return 0;
}

static int do_lr(struct scen *s, unsigned int type, char **tok, int n,
		 struct vt_rec_lr *r)
{
	static const char *const keys[] = { "lr", "used", "nr", "gic", "hcr", NULL };
	uint64_t v;
	int i, nlr = 0, ret;

	if ((ret = scen_check_keys(s, tok, n, keys)))
		return ret;
	if ((ret = scen_getnum(s, tok, n, "gic", s->facts->gic_version ?
			  s->facts->gic_version : 3, 3, &v)))
		return ret;
	if (v != 2 && v != 3)
		return scen_fail(s, "gic must be 2 or 3");
	r->gic_version = (uint8_t)v;
	for (i = 0; i < n; i++) {
		if (strncmp(tok[i], "lr=", 3))
			continue;
		if (nlr >= VT_MAX_LR)
			return scen_fail(s, "more than %u LRs", VT_MAX_LR);
		if ((ret = lr_spec(s, tok[i] + 3, r->gic_version, &v)))
			return ret;
		r->lr[nlr] = v;
		nlr++;
	}
	if ((ret = scen_getnum(s, tok, n, "used", (uint64_t)nlr, VT_MAX_LR, &v)))
		return ret;
	r->used_lrs = (uint8_t)v;
	if ((ret = scen_getnum(s, tok, n, "nr", s->facts->nr_lrs, VT_MAX_LR, &v)))
		return ret;
	r->nr_lrs = (uint8_t)v;
	if (scen_kv(tok, n, "hcr")) {
		if ((ret = scen_getnum(s, tok, n, "hcr", 0, 0xffffffffull, &v)))
			return ret;
		r->hcr = (uint32_t)v;
		r->flags |= VT_LR_F_HCR_VALID;
	}
	(void)type;
	return 0;
}

/* sources, VFIO events, registers, deactivations: include/vt_registry.def */
#define src_names	vt_src_names
#define vfio_names	vt_vfio_names
#define mmio_names	vt_mmio_names
#define deact_names	vt_deact_names
static const char *const cause_names[] = { NULL, "inject", "mmio", "fold", "migrate" };
static const char *const attach_names[] = { "missing", "kprobe", "kretprobe", "fentry", "tracepoint", "disabled" };
static const char *const hook_names[] = { NULL, "lr_flush", "lr_fold_v2", "lr_fold_v3", "inject", "ack", "resample", "irqfd", "vfio_handler", "vfio_mask", "vfio_unmask", "vfio_unmask_handler", "mmio_pending", "mmio_active", "mmio_route", "deactivate_v3", "deactivate_v2", "fold_lr" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

int scen_record(struct scen *s, const char *kind, char **tok, int n,
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
		if ((ret = scen_check_keys(s, tok, n, k)) ||
		    (ret = scen_getnum(s, tok, n, "intid", 0xffffffffull, 0xfffffffeull, &a)) ||
		    (ret = scen_getnum(s, tok, n, "level", 1, 1, &b)))
			return ret;
		if (a == 0xffffffffull)
			return scen_fail(s, "inject needs intid=");
		r->intid = (uint32_t)a;
		r->level = (uint8_t)b;
		if ((v = scen_kv(tok, n, "src"))) {
			if ((ret = scen_pick(s, v, src_names, N(src_names), &u, "source")))
				return ret;
			r->source = (uint8_t)u;
		}
		if ((v = scen_kv(tok, n, "ret")))
			r->ret = -EINVAL;
		return 0;
	}
	if (!strcmp(kind, "state")) {
		static const char *const k[] = { "intid", "target", "ap", "line", "latch", "active", "enabled", "cfg", "hw", "cause", NULL };
		struct vt_rec_irq_state *r = (void *)h;

		h->type = VT_REC_IRQ_STATE;
		h->size = sizeof(*r);
		if ((ret = scen_check_keys(s, tok, n, k)) ||
		    (ret = scen_getnum(s, tok, n, "intid", 0, 0xfffffffeull, &a)) ||
		    (ret = scen_getnum(s, tok, n, "target", VT_NO_VCPU, VT_NO_VCPU, &b)) ||
		    (ret = scen_getnum(s, tok, n, "ap", VT_NO_VCPU, VT_NO_VCPU, &c)))
			return ret;
		r->intid = (uint32_t)a;
		r->target_vcpu = (uint32_t)b;
		r->ap_vcpu = (uint32_t)c;
		if ((ret = scen_getnum(s, tok, n, "line", 0, 1, &a)))
			return ret;
		r->line_level = (uint8_t)a;
		if ((ret = scen_getnum(s, tok, n, "latch", 0, 1, &a)))
			return ret;
		r->pending_latch = (uint8_t)a;
		if ((ret = scen_getnum(s, tok, n, "active", 0, 1, &a)))
			return ret;
		r->active = (uint8_t)a;
		if ((ret = scen_getnum(s, tok, n, "enabled", 1, 1, &a)))
			return ret;
		r->enabled = (uint8_t)a;
		if ((ret = scen_getnum(s, tok, n, "hw", 0, 1, &a)))
			return ret;
		r->hw = (uint8_t)a;
		v = scen_kv(tok, n, "cfg");
		r->config = v && !strcmp(v, "edge") ? VT_CFG_EDGE : VT_CFG_LEVEL;
		if (v && strcmp(v, "edge") && strcmp(v, "level"))
			return scen_fail(s, "cfg must be level or edge");
		r->cause = VT_CAUSE_INJECT;
		if ((v = scen_kv(tok, n, "cause"))) {
			if ((ret = scen_pick(s, v, cause_names, N(cause_names), &u, "cause")))
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
		if ((ret = scen_check_keys(s, tok, n, k)) ||
		    (ret = scen_getnum(s, tok, n, "pin", 0, 0xffffffffull, &a)) ||
		    (ret = scen_getnum(s, tok, n, "irqchip", 0, 0xffffffffull, &b)) ||
		    (ret = scen_getnum(s, tok, n, "gsi", VT_NO_GSI, VT_NO_GSI, &c)))
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
		if ((ret = scen_check_keys(s, tok, n, k)) ||
		    (ret = scen_getnum(s, tok, n, "gsi", 0, 0xfffffffeull, &a)) ||
		    (ret = scen_getnum(s, tok, n, "n", 1, 0xffffffffull, &b)) ||
		    (ret = scen_getnum(s, tok, n, "key", 0, UINT64_MAX, &c)))
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
		if ((ret = scen_check_keys(s, tok, n, k)) ||
		    (ret = scen_getnum(s, tok, n, "gsi", 0, 0xfffffffeull, &a)) ||
		    (ret = scen_getnum(s, tok, n, "fd", 3, 0x7fffffff, &b)) ||
		    (ret = scen_getnum(s, tok, n, "key", 0, UINT64_MAX, &c)) ||
		    (ret = scen_getnum(s, tok, n, "rkey", 0, UINT64_MAX, &d)))
			return ret;
		r->gsi = (uint32_t)a;
		r->fd = (int32_t)b;
		r->eventfd_key = c;
		r->resample_key = d;
		r->resamplefd = -1;
		if (scen_kv(tok, n, "resample")) {
			r->flags |= VT_IRQFD_F_RESAMPLE;
			if ((ret = scen_getnum(s, tok, n, "rfd", 4, 0x7fffffff, &a)))
				return ret;
			r->resamplefd = (int32_t)a;
		}
		if (scen_kv(tok, n, "deassign"))
			r->flags |= VT_IRQFD_F_DEASSIGN;
		if (scen_kv(tok, n, "ret"))
			r->ret = -EINVAL;
		return 0;
	}
	if (!strcmp(kind, "vfio")) {
		static const char *const k[] = {
#define VT_REG_VFIO(N, v, n) #n,
#include "../../include/vt_registry.def"
			"dev", "irq", "masked", "result", "tkey", "ukey", "pci23", NULL };
		struct vt_rec_vfio *r = (void *)h;

		h->type = VT_REC_VFIO;
		h->size = sizeof(*r);
		if (n < 1)
			return scen_fail(s, "vfio needs an event");
		if ((ret = scen_pick(s, tok[0], vfio_names, N(vfio_names), &u, "vfio event")))
			return ret;
		r->event = (uint8_t)u;
		if ((ret = scen_check_keys(s, tok + 1, n - 1, k)) ||
		    (ret = scen_getnum(s, tok, n, "irq", 0, 0xffffffffull, &a)) ||
		    (ret = scen_getnum(s, tok, n, "masked", 0xff, 0xff, &b)) ||
		    (ret = scen_getnum(s, tok, n, "result", 0, 0x7fffffff, &c)))
			return ret;
		r->host_irq = (uint32_t)a;
		r->masked = (uint8_t)b;
		r->result = (int32_t)c;
		if ((ret = scen_getnum(s, tok, n, "tkey", 0, UINT64_MAX, &a)) ||
		    (ret = scen_getnum(s, tok, n, "ukey", 0, UINT64_MAX, &b)) ||
		    (ret = scen_getnum(s, tok, n, "pci23", 1, 0xff, &c)))
			return ret;
		r->trigger_key = a;
		r->unmask_key = b;
		r->pci_2_3 = (uint8_t)c;
		v = scen_kv(tok, n, "dev");
		snprintf(r->dev, sizeof(r->dev), "%s", v ? v : "0000:00:02.0");
		return 0;
	}
	if (!strcmp(kind, "mmio")) {
		static const char *const k[] = {
#define VT_REG_MMIO(N, v, n) #n,
#include "../../include/vt_registry.def"
			"intid", "val", "len", "offset", NULL };
		struct vt_rec_mmio *r = (void *)h;

		h->type = VT_REC_MMIO;
		h->size = sizeof(*r);
		if (n < 1)
			return scen_fail(s, "mmio needs a register");
		if ((ret = scen_pick(s, tok[0], mmio_names, N(mmio_names), &u, "register")))
			return ret;
		r->reg = (uint8_t)u;
		if ((ret = scen_check_keys(s, tok + 1, n - 1, k)) ||
		    (ret = scen_getnum(s, tok, n, "intid", 0, 0xfffffffeull, &a)) ||
		    (ret = scen_getnum(s, tok, n, "val", 1, UINT64_MAX, &b)) ||
		    (ret = scen_getnum(s, tok, n, "len", 4, 8, &c)) ||
		    (ret = scen_getnum(s, tok, n, "offset", 0, 0xffffffffull, &d)))
			return ret;
		r->first_intid = (uint32_t)a;
		r->val = b;
		r->len = (uint8_t)c;
		r->offset = (uint32_t)d;
		return 0;
	}
	if (!strcmp(kind, "deactivate")) {
		static const char *const k[] = { "intid", "how", "eoicount", "val", "lr", "gic", NULL };
		struct vt_rec_deactivate *r = (void *)h;

		h->type = VT_REC_DEACTIVATE;
		h->size = sizeof(*r);
		if ((ret = scen_check_keys(s, tok, n, k)) ||
		    (ret = scen_getnum(s, tok, n, "intid", 0xffffffffull, 0xfffffffeull, &a)) ||
		    (ret = scen_getnum(s, tok, n, "eoicount", 0, 31, &b)) ||
		    (ret = scen_getnum(s, tok, n, "gic", s->facts->gic_version ?
				       s->facts->gic_version : 3, 3, &c)) ||
		    (ret = scen_getnum(s, tok, n, "val", 0, UINT64_MAX, &d)))
			return ret;
		if (a == 0xffffffffull)
			return scen_fail(s, "deactivate needs intid=");
		if (c != 2 && c != 3)
			return scen_fail(s, "gic must be 2 or 3");
		v = scen_kv(tok, n, "how");
		if (!v)
			return scen_fail(s, "deactivate needs how=dir|eoicount|fold_lr");
		if ((ret = scen_pick(s, v, deact_names, N(deact_names), &u, "how")))
			return ret;
		r->intid = (uint32_t)a;
		r->how = (uint8_t)u;
		r->eoicount = (uint16_t)b;
		r->gic_version = (uint8_t)c;
		if ((v = scen_kv(tok, n, "lr")) &&
		    (ret = lr_spec(s, v, (unsigned int)c, &d)))
			return ret;
		r->val = d;
		return 0;
	}
	if (!strcmp(kind, "lost")) {
		static const char *const k[] = { "n", "total", NULL };
		struct vt_rec_lost *r = (void *)h;

		h->type = VT_REC_LOST;
		h->size = sizeof(*r);
		if ((ret = scen_check_keys(s, tok, n, k)) ||
		    (ret = scen_getnum(s, tok, n, "n", 1, UINT64_MAX, &a)) ||
		    (ret = scen_getnum(s, tok, n, "total", a, UINT64_MAX, &b)))
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
		if ((ret = scen_check_keys(s, tok, n, k)))
			return ret;
		if ((v = scen_kv(tok, n, "hook"))) {
			r->key = VT_META_HOOK;
			if ((ret = scen_pick(s, v, hook_names, N(hook_names), &u, "hook")))
				return ret;
			r->id = (uint16_t)u;
			v = scen_kv(tok, n, "attach");
			if (!v)
				return scen_fail(s, "meta hook= needs attach=");
			if ((ret = scen_pick(s, v, attach_names, N(attach_names), &u, "attach")))
				return ret;
			r->val = u;
		} else if ((v = scen_kv(tok, n, "kernel"))) {
			r->key = VT_META_KERNEL;
			snprintf(r->str, sizeof(r->str), "%s", v);
		} else if (scen_kv(tok, n, "nr_lrs")) {
			r->key = VT_META_NR_LRS;
			if ((ret = scen_getnum(s, tok, n, "nr_lrs", 0, VT_MAX_LR, &a)))
				return ret;
			r->val = a;
		} else if (scen_kv(tok, n, "gic")) {
			r->key = VT_META_GIC;
			if ((ret = scen_getnum(s, tok, n, "gic", 3, 3, &a)))
				return ret;
			r->val = a;
		} else if (scen_kv(tok, n, "vm")) {
			r->key = VT_META_VM;
			if ((ret = scen_getnum(s, tok, n, "vm", 0, UINT64_MAX, &a)))
				return ret;
			r->val = a;
		} else {
			return scen_fail(s, "meta needs hook=, kernel=, nr_lrs=, gic= or vm=");
		}
		return 0;
	}
	return scen_fail(s, "unknown record kind '%s'", kind);
}
