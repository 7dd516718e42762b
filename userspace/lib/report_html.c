// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_html.c - the report as one self-contained HTML page (see
 * vt_report_html.h). Its figures come from the engine's state, read as
 * report_text.c and report_json.c read it. Every text that comes from
 * the trace or the engine goes through html_esc().
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "rule.h"
#include "report.h"
#include "vt_lr.h"
#include "vt_record.h"
#include "vt_report_html.h"
#include "vt_version.h"

/* ---- escaping --------------------------------------------------------- */

static void html_esc(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fputc('?', f);
			else
				fputc(*p, f);
		}
	}
}

/* ---- the per-finding timeline collector ------------------------------ */

struct tl_rec {
	uint32_t intid;			/* engine's attribution */
	union {
		struct vt_hdr h;
		uint8_t raw[VT_REC_MAX_SIZE];
	} r;
};

struct tl_find {
	uint32_t vm, intid, vcpu;
	uint64_t ts;
	const char *rule;		/* static: the rules' names */
	struct tl_rec before[VT_HTML_BEFORE];	/* ring */
	unsigned int nb;		/* total pushed */
	struct tl_rec after[VT_HTML_AFTER];
	unsigned int na;
	bool passed;
};

struct vt_html_tl {
	struct tl_find *f;
	unsigned int n;
	unsigned int total;		/* findings of the engine */
};

int vt_html_tl_new(const struct vt_engine *e, struct vt_html_tl **out)
{
	struct vt_html_tl *tl;
	unsigned int i;

	tl = calloc(1, sizeof(*tl));
	if (!tl)
		return -ENOMEM;
	tl->total = vt_engine_nr_findings(e);
	tl->n = tl->total < VT_HTML_MAX_TL ? tl->total : VT_HTML_MAX_TL;
	tl->f = tl->n ? calloc(tl->n, sizeof(*tl->f)) : NULL;
	if (tl->n && !tl->f) {
		free(tl);
		return -ENOMEM;
	}
	for (i = 0; i < tl->n; i++) {
		const struct vt_finding *fd = vt_engine_finding(e, i);

		tl->f[i].vm = fd->vm_id;
		tl->f[i].intid = fd->intid;
		tl->f[i].vcpu = fd->vcpu_id;
		tl->f[i].ts = fd->ts_ns;
		tl->f[i].rule = fd->rule;
	}
	*out = tl;
	return 0;
}

void vt_html_tl_free(struct vt_html_tl *tl)
{
	if (!tl)
		return;
	free(tl->f);
	free(tl);
}

/* Does @rec concern IRQ @intid (VT_NO_INTID: any)? */
static bool rec_has_intid(const struct vt_hdr *h, uint32_t attr,
			  uint32_t intid)
{
	const struct vt_rec_lr *lr = (const void *)h;
	struct vt_lr d;
	unsigned int i;

	if (intid == VT_NO_INTID || attr == intid)
		return true;
	switch (h->type) {
	case VT_REC_LR_FLUSH:
	case VT_REC_LR_FOLD:
		for (i = 0; i < lr->used_lrs && i < VT_MAX_LR; i++)
			if (!vt_lr_decode(lr->gic_version, lr->lr[i], &d) &&
			    d.vintid == intid)
				return true;
		return false;
	case VT_REC_INJECT:
		return ((const struct vt_rec_inject *)h)->intid == intid;
	case VT_REC_IRQ_STATE:
		return ((const struct vt_rec_irq_state *)h)->intid == intid;
	case VT_REC_DEACTIVATE:
		return ((const struct vt_rec_deactivate *)h)->intid == intid;
	default:
		return false;
	}
}

static void keep(struct tl_rec *slot, const struct vt_hdr *rec, uint32_t intid)
{
	size_t n = rec->size < sizeof(slot->r) ? rec->size : sizeof(slot->r);

	memset(&slot->r, 0, sizeof(slot->r));
	memcpy(&slot->r, rec, n);
	slot->intid = intid;
}

void vt_html_tl_rec(const struct vt_hdr *rec, uint32_t intid, void *arg)
{
	struct vt_html_tl *tl = arg;
	unsigned int i;

	if (rec->type == VT_REC_META)
		return;
	for (i = 0; i < tl->n; i++) {
		struct tl_find *f = &tl->f[i];

		if (f->passed && f->na == VT_HTML_AFTER)
			continue;
		if (f->vm != VT_NO_VM && rec->vm_id != VT_NO_VM &&
		    rec->vm_id != f->vm)
			continue;
		if (rec->vm_id == VT_NO_VM && intid == VT_NO_INTID &&
		    f->intid != VT_NO_INTID)
			continue;	/* a VFIO event of no known IRQ */
		/* the IRQ's records, and the runs of the finding's vCPU */
		if (!rec_has_intid(rec, intid, f->intid) &&
		    !(f->vcpu != VT_NO_VCPU && rec->vcpu_id == f->vcpu &&
		      (rec->type == VT_REC_LR_FLUSH || rec->type == VT_REC_LR_FOLD)))
			continue;
		if (!f->passed && rec->ts_ns > f->ts)
			f->passed = true;
		if (!f->passed)
			keep(&f->before[f->nb++ % VT_HTML_BEFORE], rec, intid);
		else
			keep(&f->after[f->na++], rec, intid);
	}
}

/* ---- drawing ---------------------------------------------------------- */

#define TL_W		960	/* svg width */
#define TL_LABEL	150	/* lane label column */
#define TL_LANE		26
#define TL_TOP		24

#define TL_NT		(VT_HTML_BEFORE + VT_HTML_AFTER + 1)
#define TL_X0		(TL_LABEL + 10)
#define TL_X1		(TL_W - 60)

/*
 * The time axis: the distinct times of the records and the finding,
 * with every gap longer than 3x the median gap drawn as 3x the median
 * (marked as a break), so a registration long before the finding does
 * not squeeze the delivery that matters into a few pixels.
 */
struct draw {
	FILE *f;
	uint64_t tf;		/* the finding */
	uint64_t t[TL_NT];	/* distinct times, ascending */
	double x[TL_NT];	/* their positions */
	uint64_t cap;		/* longest gap drawn to scale */
	unsigned int nt;
};

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void axis_build(struct draw *d, const uint64_t *ts, unsigned int n)
{
	uint64_t gaps[TL_NT], sum = 0;
	unsigned int i, ng = 0;

	memcpy(d->t, ts, n * sizeof(*ts));
	qsort(d->t, n, sizeof(*d->t), u64_cmp);
	for (i = 0, d->nt = 0; i < n; i++)
		if (!d->nt || d->t[d->nt - 1] != d->t[i])
			d->t[d->nt++] = d->t[i];
	for (i = 0; i + 1 < d->nt; i++)
		gaps[ng++] = d->t[i + 1] - d->t[i];
	qsort(gaps, ng, sizeof(*gaps), u64_cmp);
	d->cap = ng ? gaps[ng / 2] * 3 : 1;
	if (!d->cap)
		d->cap = 1;
	for (i = 0; i + 1 < d->nt; i++) {
		uint64_t g = d->t[i + 1] - d->t[i];

		sum += g < d->cap ? g : d->cap;
	}
	d->x[0] = sum ? TL_X0 : (TL_X0 + TL_X1) / 2.0;
	for (i = 1, ng = 0; i < d->nt; i++) {
		uint64_t g = d->t[i] - d->t[i - 1];

		d->x[i] = d->x[i - 1] + (double)(g < d->cap ? g : d->cap) /
			  (double)sum * (TL_X1 - TL_X0);
	}
}

static double xpos(const struct draw *d, uint64_t ts)
{
	unsigned int lo = 0, hi = d->nt - 1, mid;

	if (ts <= d->t[0])
		return d->x[0];
	if (ts >= d->t[hi])
		return d->x[hi];
	while (hi - lo > 1) {		/* t[lo] <= ts < t[hi] */
		mid = (lo + hi) / 2;
		if (d->t[mid] <= ts)
			lo = mid;
		else
			hi = mid;
	}
	return d->x[lo] + (double)(ts - d->t[lo]) /
	       (double)(d->t[hi] - d->t[lo]) * (d->x[hi] - d->x[lo]);
}

/* Signed time relative to the finding, "+12.345 us". */
static void rel_us(char *buf, size_t len, uint64_t ts, uint64_t tf)
{
	if (ts >= tf)
		snprintf(buf, len, "+%.3f us", (double)(ts - tf) / 1000.0);
	else
		snprintf(buf, len, "-%.3f us", (double)(tf - ts) / 1000.0);
}

static void lane_label(const struct draw *d, int y, const char *text)
{
	fprintf(d->f, "<text class=\"lane\" x=\"4\" y=\"%d\">", y + 16);
	html_esc(d->f, text);
	fprintf(d->f, "</text><line class=\"lanesep\" x1=\"0\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>\n",
		TL_W, y + TL_LANE, y + TL_LANE);
}

static const char *ev_class(unsigned int type)
{
	switch (type) {
	case VT_REC_ACK:
		return "ack";
	case VT_REC_RESAMPLE:
		return "resample";
	case VT_REC_VFIO:
		return "vfio";
	case VT_REC_MMIO:
		return "mmio";
	case VT_REC_DEACTIVATE:
		return "deact";
	case VT_REC_IRQFD:
		return "irqfd";
	case VT_REC_IRQ_STATE:
		return "state";
	case VT_REC_LOST:
		return "lost";
	default:
		return "other";
	}
}

/* The text of one event marker (its tooltip). */
static void ev_text(const struct tl_rec *t, char *buf, size_t len)
{
	const struct vt_hdr *h = &t->r.h;

	switch (h->type) {
	case VT_REC_ACK: {
		const struct vt_rec_ack *r = (const void *)h;

		snprintf(buf, len, "ack irqchip %u pin %u", r->irqchip, r->pin);
		break;
	}
	case VT_REC_RESAMPLE:
		snprintf(buf, len, "resample gsi %u",
			 ((const struct vt_rec_resample *)h)->gsi);
		break;
	case VT_REC_VFIO: {
		const struct vt_rec_vfio *r = (const void *)h;
		char dev[17];

		memcpy(dev, r->dev, 16);
		dev[16] = '\0';
		snprintf(buf, len, "vfio %s %s host IRQ %u masked %u result %d",
			 vt_vfio_event_name(r->event), dev, r->host_irq,
			 r->masked, r->result);
		break;
	}
	case VT_REC_MMIO: {
		const struct vt_rec_mmio *r = (const void *)h;

		snprintf(buf, len, "guest %s write 0x%llx",
			 vt_mmio_reg_name(r->reg), (unsigned long long)r->val);
		break;
	}
	case VT_REC_DEACTIVATE: {
		const struct vt_rec_deactivate *r = (const void *)h;

		snprintf(buf, len, "deactivate how %u eoicount %u", r->how,
			 r->eoicount);
		break;
	}
	case VT_REC_IRQFD: {
		const struct vt_rec_irqfd *r = (const void *)h;

		snprintf(buf, len, "irqfd %s gsi %u%s",
			 r->flags & VT_IRQFD_F_DEASSIGN ? "deassign" : "assign",
			 r->gsi, r->flags & VT_IRQFD_F_RESAMPLE ? " resample" : "");
		break;
	}
	case VT_REC_IRQ_STATE: {
		const struct vt_rec_irq_state *r = (const void *)h;

		snprintf(buf, len, "irq state line %u pending %u active %u enabled %u target vCPU %u",
			 r->line_level, r->pending_latch, r->active, r->enabled,
			 r->target_vcpu);
		break;
	}
	default:
		snprintf(buf, len, "%s", vt_record_name(h->type));
	}
}

/* The records of one finding, oldest first, in @out (size BEFORE+AFTER). */
static unsigned int finding_recs(const struct tl_find *f,
				 const struct tl_rec **out)
{
	unsigned int i, n = 0, nb = f->nb < VT_HTML_BEFORE ? f->nb : VT_HTML_BEFORE;

	for (i = 0; i < nb; i++)
		out[n++] = &f->before[(f->nb - nb + i) % VT_HTML_BEFORE];
	for (i = 0; i < f->na; i++)
		out[n++] = &f->after[i];
	return n;
}

/* The LR of @intid in @lr, its index, or -1. */
static int lr_index(const struct vt_rec_lr *lr, uint32_t intid,
		    struct vt_lr *d)
{
	unsigned int i;

	for (i = 0; i < lr->used_lrs && i < VT_MAX_LR; i++)
		if (!vt_lr_decode(lr->gic_version, lr->lr[i], d) &&
		    d->vintid == intid)
			return (int)i;
	return -1;
}

#define MAX_VCPU_LANES	8

static void draw_timeline(FILE *f, const struct tl_find *fd, unsigned int idx)
{
	const struct tl_rec *recs[VT_HTML_BEFORE + VT_HTML_AFTER];
	uint32_t vcpus[MAX_VCPU_LANES];
	unsigned int n, i, j, nv = 0, lanes;
	uint64_t times[VT_HTML_BEFORE + VT_HTML_AFTER + 1];
	struct draw d = { .f = f, .tf = fd->ts };
	double lx[TL_NT];
	unsigned int k, nl = 0;
	char txt[160], rel[32];
	bool line = false;
	double x0 = 0;
	int y;

	n = finding_recs(fd, recs);
	for (i = 0; i < n; i++)
		times[i] = recs[i]->r.h.ts_ns;
	times[n] = fd->ts;
	axis_build(&d, times, n + 1);
	/* the vCPU lanes: the finding's vCPU, vCPUs whose LRs held the IRQ */
	if (fd->vcpu != VT_NO_VCPU)
		vcpus[nv++] = fd->vcpu;
	for (i = 0; i < n; i++) {
		const struct vt_hdr *h = &recs[i]->r.h;
		struct vt_lr lr;

		if (h->type != VT_REC_LR_FLUSH ||
		    lr_index((const void *)h, fd->intid, &lr) < 0)
			continue;
		for (j = 0; j < nv && vcpus[j] != h->vcpu_id; j++)
			;
		if (j == nv && nv < MAX_VCPU_LANES)
			vcpus[nv++] = h->vcpu_id;
	}
	lanes = 2 + nv;
	fprintf(f, "<svg class=\"timeline\" data-finding=\"%u\" data-records=\"%u\" data-lr-lanes=\"%u\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"state timeline of finding %u\">\n",
		idx, n, nv, TL_W, TL_TOP + TL_LANE * lanes + 22, TL_W,
		TL_TOP + TL_LANE * lanes + 22, idx);
	/* breaks: gaps drawn shorter than they are */
	for (i = 0; i + 1 < d.nt; i++) {
		double xm = (d.x[i] + d.x[i + 1]) / 2;

		if (d.t[i + 1] - d.t[i] <= d.cap)
			continue;
		fprintf(f, "<rect class=\"break\" x=\"%.1f\" y=\"%d\" width=\"6\" height=\"%d\"><title>%.3f us not to scale</title></rect>\n",
			xm - 3, TL_TOP - 4, TL_LANE * lanes + 4,
			(double)(d.t[i + 1] - d.t[i]) / 1000.0);
	}
	/* ticks at record times, relative to the finding, 75 px apart:
	 * the finding first, then the ends, then what fits */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < d.nt; i++) {
			double x = d.x[i];

			if (k == 0 && d.t[i] != d.tf)
				continue;
			if (k == 1 && i && i + 1 != d.nt)
				continue;
			for (j = 0; j < nl && (x - lx[j] >= 75 || lx[j] - x >= 75); j++)
				;
			if (j < nl || nl == TL_NT)
				continue;
			lx[nl++] = x;
			rel_us(rel, sizeof(rel), d.t[i], d.tf);
			fprintf(f, "<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
				"<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
				x, x, TL_TOP - 4, TL_TOP + TL_LANE * lanes, x,
				TL_TOP + TL_LANE * lanes + 16, rel);
		}
	}
	/* lane 0: the line level as the injects set it */
	y = TL_TOP;
	lane_label(&d, y, "line (inject)");
	for (i = 0; i < n; i++) {
		const struct vt_hdr *h = &recs[i]->r.h;
		bool lv;

		if (h->type != VT_REC_INJECT)
			continue;
		lv = ((const struct vt_rec_inject *)h)->level;
		rel_us(rel, sizeof(rel), h->ts_ns, d.tf);
		fprintf(f, "<circle class=\"inject\" cx=\"%.1f\" cy=\"%d\" r=\"4\"><title>%s inject level %u (%s)</title></circle>\n",
			xpos(&d, h->ts_ns), y + 13, rel, lv,
			((const struct vt_rec_inject *)h)->source == VT_SRC_IRQFD ? "irqfd" :
			((const struct vt_rec_inject *)h)->source == VT_SRC_RESAMPLER ? "resampler" :
			((const struct vt_rec_inject *)h)->source == VT_SRC_USER ? "user" :
			((const struct vt_rec_inject *)h)->source == VT_SRC_KERNEL ? "kernel" : "unknown");
		if (lv && !line) {
			line = true;
			x0 = xpos(&d, h->ts_ns);
		} else if (!lv && line) {
			line = false;
			fprintf(f, "<rect class=\"line-high\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"10\"/>\n",
				x0, y + 8, xpos(&d, h->ts_ns) - x0);
		}
	}
	if (line)
		fprintf(f, "<rect class=\"line-high\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"10\"/>\n",
			x0, y + 8, d.x[d.nt - 1] + 8 - x0);
	/* one lane per vCPU: LR residency from entry to exit */
	for (j = 0; j < nv; j++) {
		const struct vt_rec_lr *en = NULL;

		y = TL_TOP + TL_LANE * (1 + (int)j);
		snprintf(txt, sizeof(txt), "LR vCPU %u", vcpus[j]);
		lane_label(&d, y, txt);
		for (i = 0; i < n; i++) {
			const struct vt_hdr *h = &recs[i]->r.h;
			struct vt_lr in, out;
			int li;

			if (h->vcpu_id != vcpus[j] || (h->type != VT_REC_LR_FLUSH &&
						      h->type != VT_REC_LR_FOLD))
				continue;
			if (h->type == VT_REC_LR_FLUSH) {
				en = (const void *)h;
				continue;
			}
			if (!en)
				continue;
			li = lr_index(en, fd->intid, &in);
			if (li >= 0) {
				const struct vt_rec_lr *ex = (const void *)h;
				bool match = (unsigned int)li < ex->used_lrs &&
					!vt_lr_decode(ex->gic_version, ex->lr[li], &out) &&
					out.vintid == in.vintid;

				rel_us(rel, sizeof(rel), en->hdr.ts_ns, d.tf);
				snprintf(txt, sizeof(txt), "%s vCPU %u LR%d %s -> %s%s", rel,
					 vcpus[j], li, vt_lr_state_name(in.state),
					 match ? vt_lr_state_name(out.state) : "?",
					 match && vt_lr_guest_eoied(&in, &out) ?
					 " (guest deactivated)" : "");
				fprintf(f, "<rect class=\"lr lr-%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\"><title>",
					in.state == VT_LR_P ? "p" : in.state == VT_LR_A ? "a" :
					in.state == VT_LR_PA ? "pa" : "inv",
					xpos(&d, en->hdr.ts_ns), y + 5,
					xpos(&d, h->ts_ns) - xpos(&d, en->hdr.ts_ns) + 1);
				html_esc(f, txt);
				fprintf(f, "</title></rect>\n");
			} else {
				rel_us(rel, sizeof(rel), en->hdr.ts_ns, d.tf);
				fprintf(f, "<rect class=\"run\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"6\"><title>%s vCPU %u run, INTID %u in none of its %u LRs</title></rect>\n",
					xpos(&d, en->hdr.ts_ns), y + 10,
					xpos(&d, h->ts_ns) - xpos(&d, en->hdr.ts_ns) + 1,
					rel, vcpus[j], fd->intid, en->used_lrs);
			}
			en = NULL;
		}
	}
	/* the last lane: everything else, as markers */
	y = TL_TOP + TL_LANE * (1 + (int)nv);
	lane_label(&d, y, "events");
	for (i = 0; i < n; i++) {
		const struct vt_hdr *h = &recs[i]->r.h;

		if (h->type == VT_REC_INJECT || h->type == VT_REC_LR_FLUSH ||
		    h->type == VT_REC_LR_FOLD)
			continue;
		ev_text(recs[i], txt, sizeof(txt));
		rel_us(rel, sizeof(rel), h->ts_ns, d.tf);
		fprintf(f, "<rect class=\"ev ev-%s\" x=\"%.1f\" y=\"%d\" width=\"5\" height=\"16\"><title>%s ",
			ev_class(h->type), xpos(&d, h->ts_ns) - 2.5, y + 5, rel);
		html_esc(f, txt);
		fprintf(f, "</title></rect>\n");
	}
	/* the finding */
	fprintf(f, "<line class=\"finding-at\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
		"<text class=\"finding-at\" x=\"%.1f\" y=\"14\" text-anchor=\"middle\">",
		xpos(&d, d.tf), xpos(&d, d.tf), TL_TOP - 6, TL_TOP + TL_LANE * lanes,
		xpos(&d, d.tf));
	html_esc(f, fd->rule);
	fprintf(f, "</text>\n</svg>\n");
}

/* ---- the page ---------------------------------------------------------- */

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;font:12px ui-monospace,monospace}"
	"td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f3f3f3}"
	"td.l,th.l{text-align:left}"
	".finding{border:1px solid #ccc;border-left:6px solid #888;padding:8px 12px;margin:12px 0}"
	".sev-ERROR{border-left-color:#c62828}.sev-WARNING{border-left-color:#ef8f00}.sev-INFO{border-left-color:#1565c0}"
	".sev{font-weight:bold}.rule{font-family:ui-monospace,monospace;font-weight:bold}"
	"pre.evidence{font-size:12px;background:#fafafa;padding:6px;overflow-x:auto}"
	".warn{background:#fff3e0;border:1px solid #ef8f00;padding:6px 10px}"
	".ok{color:#2e7d32}.bad{color:#c62828;font-weight:bold}"
	"svg{background:#fff;border:1px solid #eee;display:block;margin:6px 0}"
	"text{font:11px sans-serif;fill:#333}text.lane{font-weight:bold}text.tick{fill:#777}"
	"line.tick{stroke:#eee}line.lanesep{stroke:#f0f0f0}"
	"line.finding-at{stroke:#c62828;stroke-width:2;stroke-dasharray:4 2}text.finding-at{fill:#c62828;font-weight:bold}"
	"rect.line-high{fill:#90caf9}circle.inject{fill:#1565c0}"
	"rect.lr{stroke:#555;stroke-width:.5}.lr-p{fill:#fdd835}.lr-a{fill:#fb8c00}.lr-pa{fill:#e53935}.lr-inv{fill:#bbb}"
	".ev-ack{fill:#2e7d32}.ev-resample{fill:#00838f}.ev-vfio{fill:#6a1b9a}.ev-mmio{fill:#c62828}"
	".ev-deact{fill:#5d4037}.ev-irqfd{fill:#37474f}.ev-state{fill:#9e9e9e}.ev-lost{fill:#000}.ev-other{fill:#777}"
	".legend span{display:inline-block;margin-right:12px}.sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:4px}"
	"rect.run{fill:#cfd8dc}"
	"rect.break{fill:#fff;stroke:#999;stroke-dasharray:2 2}"
	"rect.bar{fill:#5c6bc0}.hist{display:inline-block;margin:0 16px 12px 0;vertical-align:top}";

static void legend(FILE *f)
{
	static const struct { const char *c, *t; } l[] = {
		{ "#90caf9", "line asserted" }, { "#1565c0", "inject" },
		{ "#fdd835", "LR pending at entry" }, { "#fb8c00", "LR active" },
		{ "#e53935", "LR pending+active" }, { "#2e7d32", "ack" },
		{ "#00838f", "resample" }, { "#6a1b9a", "VFIO" },
		{ "#c62828", "guest GICD write / finding" },
		{ "#cfd8dc", "vCPU run, IRQ in no LR" }, { "#9e9e9e", "irq state" },
	};
	unsigned int i;

	fprintf(f, "<p class=\"legend\">");
	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		fprintf(f, "<span><i class=\"sw\" style=\"background:%s\"></i>%s</span>",
			l[i].c, l[i].t);
	fprintf(f, "</p>\n");
}

static void degraded_cb(const char *rule, const char *hooks, void *arg)
{
	FILE *f = arg;

	fprintf(f, "<p class=\"warn degraded\">rule <span class=\"rule\">");
	html_esc(f, rule);
	fprintf(f, "</span> is degraded: missing ");
	html_esc(f, hooks);
	fprintf(f, "</p>\n");
}

static bool hook_missing(const struct vt_engine *e, unsigned int h)
{
	return e->hooks[h] == VT_ATTACH_MISSING + 1 ||
	       e->hooks[h] == VT_ATTACH_DISABLED + 1;
}

static void section_header(FILE *f, struct vt_engine *e)
{
	unsigned long long lost = vt_engine_lost(e);
	unsigned int t, h, nmiss = 0;

	fprintf(f, "<h2>Trace</h2>\n<table id=\"facts\">\n<tr><th class=\"l\">kernel</th><td class=\"l\">");
	html_esc(f, e->facts.kernel_release);
	fprintf(f, "</td></tr>\n<tr><th class=\"l\">arch</th><td class=\"l\">");
	html_esc(f, e->facts.arch);
	fprintf(f, "</td></tr>\n<tr><th class=\"l\">GIC</th><td class=\"l\">v%u</td></tr>\n",
		e->facts.gic_version ? e->facts.gic_version : e->seen_gic);
	/* only a recorded count (VT_META_NR_LRS, file header) */
	if (vt_rule_nr_lrs(e))
		fprintf(f, "<tr><th class=\"l\">LRs</th><td class=\"l\">%u</td></tr>\n",
			vt_rule_nr_lrs(e));
	fprintf(f, "<tr><th class=\"l\">backend</th><td class=\"l\">");
	html_esc(f, vt_backend_name(e->facts.backend));
	fprintf(f, "</td></tr>\n");
	if (e->have_rstat) {
		fprintf(f, "<tr><th class=\"l\">input</th><td class=\"l\">");
		html_esc(f, e->rstat.msg);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "<tr><th class=\"l\">records</th><td class=\"l\" id=\"records\" data-processed=\"%llu\">%llu processed, %llu invalid, %llu reordered, %llu late</td></tr>\n",
		(unsigned long long)e->records, (unsigned long long)e->records,
		(unsigned long long)e->invalid, (unsigned long long)e->reordered,
		(unsigned long long)e->late);
	fprintf(f, "<tr><th class=\"l\">lost records</th><td class=\"l %s\" id=\"lost\" data-lost=\"%llu\">%llu</td></tr>\n",
		lost ? "bad" : "ok", lost, lost);
	fprintf(f, "</table>\n");
	fprintf(f, "<p>records by type:</p>\n<table id=\"by-type\"><tr>");
	for (t = 1; t <= VT_REC_MAX; t++) {
		fprintf(f, "<th>");
		html_esc(f, vt_record_name(t));
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n<tr>");
	for (t = 1; t <= VT_REC_MAX; t++)
		fprintf(f, "<td>%llu</td>", (unsigned long long)e->by_type[t]);
	fprintf(f, "</tr></table>\n");
	if (lost || vt_engine_truncated(e))
		fprintf(f, "<p class=\"warn\" id=\"may-be-false\">%s: findings may be false (records are missing).</p>\n",
			lost ? "Records were lost" : "The trace is truncated");
	for (h = 1; h <= VT_HOOK_MAX; h++) {
		if (!hook_missing(e, h))
			continue;
		if (!nmiss++)
			fprintf(f, "<p class=\"warn\" id=\"hooks-missing\">hooks missing:");
		fputc(' ', f);
		html_esc(f, vt_hook_name(h));
	}
	if (nmiss)
		fprintf(f, "</p>\n");
	vt_rules_degraded(e, degraded_cb, f);
	if (!vt_rule_nr_lrs(e) && e->by_type[VT_REC_LR_FLUSH])
		degraded_cb(VT_NR_LRS_RULE, VT_NR_LRS_MISSING, f);
	for (t = 0; t < vt_engine_nr_bugs(e) && t < 100; t++) {
		fprintf(f, "<p class=\"warn bug\">BUG: ");
		html_esc(f, e->bugs[t]);
		fprintf(f, "</p>\n");
	}
}

static void section_findings(FILE *f, const struct vt_engine *e,
			     const struct vt_html_tl *tl)
{
	unsigned int i, j, n = vt_engine_nr_findings(e);

	fprintf(f, "<h2>Findings: <span id=\"nr-findings\">%u</span></h2>\n", n);
	if (!n)
		fprintf(f, "<p class=\"ok\">No findings.</p>\n");
	else
		legend(f);
	for (i = 0; i < n; i++) {
		const struct vt_finding *fd = vt_engine_finding(e, i);
		const char *sev = vt_severity_name(fd->severity);
		unsigned long long ts = fd->ts_ns;

		fprintf(f, "<div class=\"finding sev-");
		html_esc(f, sev);
		fprintf(f, "\" id=\"finding-%u\" data-rule=\"", i);
		html_esc(f, fd->rule);
		fprintf(f, "\" data-severity=\"");
		html_esc(f, sev);
		/* data-intid -1: no INTID, as in the JSON report */
		fprintf(f, "\" data-vm=\"%u\" data-intid=\"%d\" data-ts-ns=\"%llu\">\n<p><span class=\"sev\">",
			fd->vm_id, (int)fd->intid, ts);
		html_esc(f, sev);
		fprintf(f, "</span> <span class=\"rule\">");
		html_esc(f, fd->rule);
		fprintf(f, "</span> VM %u", fd->vm_id);
		if (fd->intid != VT_NO_INTID)
			fprintf(f, " INTID %u", fd->intid);
		if (fd->vcpu_id != VT_NO_VCPU)
			fprintf(f, " vCPU %u", fd->vcpu_id);
		fprintf(f, " at %llu.%09llu s</p>\n<p class=\"summary\">",
			ts / 1000000000ull, ts % 1000000000ull);
		html_esc(f, fd->summary);
		fprintf(f, "</p>\n");
		if (tl && i < tl->n)
			draw_timeline(f, &tl->f[i], i);
		else if (tl)
			fprintf(f, "<p class=\"no-timeline\">(timeline drawn for the first %u findings only)</p>\n",
				VT_HTML_MAX_TL);
		fprintf(f, "<pre class=\"evidence\">");
		for (j = 0; j < fd->nr_evidence; j++) {
			html_esc(f, fd->evidence[j]);
			fputc('\n', f);
		}
		fprintf(f, "</pre>\n</div>\n");
	}
}

/* The bucket's upper bound as the text report writes it: "<16us". */
static void bucket_label(char *buf, size_t len, unsigned int b)
{
	static const char *const unit[] = { "ns", "us", "ms", "s" };
	unsigned long long hi = b < 63 ? 2ull << b : ~0ull;
	unsigned int u;

	for (u = 0; u < 3 && hi >= 1000 * 10; u++)
		hi /= 1000;
	snprintf(buf, len, "%llu%s", hi, unit[u]);
}

#define MAX_LAT_ROWS	5000

/* One histogram of all IRQs' samples of a stage: an SVG bar chart. */
static void stage_hist(FILE *f, unsigned int st, const unsigned long long *hist,
		       unsigned long long tot)
{
	unsigned long long top;
	unsigned int b, lo, hi, w;

	for (lo = 0; !hist[lo]; lo++)
		;
	for (hi = 63; !hist[hi]; hi--)
		;
	for (top = 0, b = lo; b <= hi; b++)
		if (hist[b] > top)
			top = hist[b];
	fprintf(f, "<div class=\"hist\" data-stage=\"");
	html_esc(f, vt_stage_name(st));
	fprintf(f, "\" data-n=\"%llu\"><b>", tot);
	html_esc(f, vt_stage_name(st));
	w = (hi - lo + 1) * 44 + 10;
	fprintf(f, "</b> n=%llu<br>\n<svg width=\"%u\" height=\"130\" viewBox=\"0 0 %u 130\">\n",
		tot, w, w);
	for (b = lo; b <= hi; b++) {
		double hgt = (double)hist[b] / (double)top * 90;
		unsigned int x = 5 + (b - lo) * 44 + 9;
		char ub[24];

		bucket_label(ub, sizeof(ub), b);
		fprintf(f, "<rect class=\"bar\" x=\"%u\" y=\"%.1f\" width=\"18\" height=\"%.1f\"><title>&lt;%s: %llu</title></rect>"
			"<text x=\"%u\" y=\"114\" text-anchor=\"middle\" font-size=\"9\">&lt;%s</text>"
			"<text x=\"%u\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"9\">%llu</text>\n",
			x, 100 - hgt, hgt > 0.5 ? hgt : 0.5, ub, hist[b],
			x + 9, ub, x + 9, 97 - hgt, hist[b]);
	}
	fprintf(f, "</svg></div>\n");
}

/* Histograms per stage (chain order), then the rows of the text report. */
static void section_latency(FILE *f, const struct vt_engine *e)
{
	unsigned long long hist[VT_ST_MAX][64], tot[VT_ST_MAX];
	uint64_t p50, p99, max;
	unsigned int st, b;
	uint32_t l2[64];
	size_t i, rows = 0;

	memset(hist, 0, sizeof(hist));
	memset(tot, 0, sizeof(tot));
	for (i = 0; i < e->nr_irqs; i++)
		for (st = 0; st < VT_ST_MAX; st++) {
			if (vt_lat_pct(&e->irqs[i]->lat[st], &p50, &p99, &max))
				continue;
			rows++;
			vt_lat_log2(&e->irqs[i]->lat[st], l2);
			for (b = 0; b < 64; b++) {
				hist[st][b] += l2[b];
				tot[st] += l2[b];
			}
		}
	fprintf(f, "<h2>Latency per stage</h2>\n<p>" VT_LATENCY_NOTE
		". Histograms: all IRQs, log2 buckets (upper bound, count).</p>\n");
	if (!rows) {
		fprintf(f, "<p>No complete delivery stages in this trace.</p>\n");
		return;
	}
	for (st = 0; st < VT_ST_MAX; st++)
		if (tot[st])
			stage_hist(f, st, hist[st], tot[st]);
	fprintf(f, "<table id=\"latency\">\n<tr><th>VM</th><th>INTID</th><th class=\"l\">stage</th><th>n</th><th>p50 ns</th><th>p99 ns</th><th>max ns</th></tr>\n");
	for (i = 0, rows = 0; i < e->nr_irqs; i++) {
		const struct vt_irq *q = e->irqs[i];

		for (st = 0; st < VT_ST_MAX; st++) {
			if (vt_lat_pct(&q->lat[st], &p50, &p99, &max))
				continue;
			if (rows++ >= MAX_LAT_ROWS)
				continue;
			fprintf(f, "<tr class=\"lat\" data-vm=\"%u\" data-intid=\"%u\" data-stage=\"%s\"><td>%u</td><td>%u</td><td class=\"l\">%s</td>",
				q->vm_id, q->intid, vt_stage_name(st), q->vm_id,
				q->intid, vt_stage_name(st));
			fprintf(f, "<td>%u</td><td class=\"p50\">%llu</td><td class=\"p99\">%llu</td><td class=\"max\">%llu</td></tr>\n",
				q->lat[st].n, (unsigned long long)p50,
				(unsigned long long)p99, (unsigned long long)max);
		}
	}
	fprintf(f, "</table>\n");
	if (rows > MAX_LAT_ROWS)
		fprintf(f, "<p>(first %u of %zu rows)</p>\n", MAX_LAT_ROWS, rows);
}

#define MAX_IRQ_ROWS	5000

/* The page shows every per-IRQ counter of `stats` but out_of_active. */
static bool count_on_page(unsigned int k)
{
	return vt_irq_counts[k].off != offsetof(struct vt_counts, out_of_active);
}

/* The counts of `vgic-trace stats` per IRQ. */
static void section_irqs(FILE *f, const struct vt_engine *e)
{
	static const char *const lr_st[4] = { "inv", "P", "A", "PA" };
	unsigned int a, b, k, sep;
	size_t i, n = e->nr_irqs;

	fprintf(f, "<h2>Per-IRQ counts: <span id=\"nr-irqs\">%zu</span> IRQs</h2>\n", n);
	if (!n)
		return;
	fprintf(f, "<table id=\"irqs\">\n<tr><th>VM</th><th>INTID</th><th>gsi</th>");
	for (k = 0; k < VT_NR_IRQ_COUNTS; k++)
		if (count_on_page(k))
			fprintf(f, "<th>%s</th>", vt_irq_counts[k].name);
	fprintf(f, "<th>vfio h/m/u/uh</th><th class=\"l\">LR transitions</th></tr>\n");
	for (i = 0; i < n && i < MAX_IRQ_ROWS; i++) {
		const struct vt_irq *q = e->irqs[i];
		const struct vt_counts *c = &q->cnt;

		fprintf(f, "<tr class=\"irq\" data-vm=\"%u\" data-intid=\"%u\"><td>%u</td><td>%u</td>",
			q->vm_id, q->intid, q->vm_id, q->intid);
		if (q->gsi == VT_NO_GSI)
			fprintf(f, "<td class=\"gsi\">-</td>");
		else
			fprintf(f, "<td class=\"gsi\">%u</td>", q->gsi);
		for (k = 0; k < VT_NR_IRQ_COUNTS; k++)
			if (count_on_page(k))
				fprintf(f, "<td class=\"%s\">%llu</td>",
					vt_irq_counts[k].name,
					(unsigned long long)vt_irq_count(c, k));
		fprintf(f, "<td>%llu/%llu/%llu/%llu</td><td class=\"l\">",
			(unsigned long long)c->vfio[VT_VFIO_HANDLER],
			(unsigned long long)c->vfio[VT_VFIO_MASK],
			(unsigned long long)c->vfio[VT_VFIO_UNMASK],
			(unsigned long long)c->vfio[VT_VFIO_UNMASK_HANDLER]);
		for (a = 0, sep = 0; a < 4; a++)
			for (b = 0; b < 4; b++) {
				if (!c->lr_trans[a][b])
					continue;
				fprintf(f, "%s%s-&gt;%s %llu", sep++ ? ", " : "",
					lr_st[a], lr_st[b],
					(unsigned long long)c->lr_trans[a][b]);
			}
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n");
	if (n > MAX_IRQ_ROWS)
		fprintf(f, "<p>(first %u of %zu IRQs; `vgic-trace stats` lists all)</p>\n",
			MAX_IRQ_ROWS, n);
}

int vt_report_html(struct vt_engine *e, const struct vt_html_tl *tl,
		   const char *title, FILE *f)
{
	vt_irqs_sort(e);	/* the IRQ order of the text and JSON reports */
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
		"<title>vgic-trace report: ");
	html_esc(f, title);
	fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<h1>vgic-trace report</h1>\n<p>",
		css);
	html_esc(f, title);
	fprintf(f, " &middot; vgic-trace " VT_VERSION "</p>\n");
	section_header(f, e);
	section_findings(f, e, tl);
	section_latency(f, e);
	section_irqs(f, e);
	fprintf(f, "</body></html>\n");
	return ferror(f) ? -EIO : 0;
}
