// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stats.c - `vgic-trace stats`: plain counts per record type, per VM and
 * INTID (injects, acks, resamples, VFIO events, LR transitions, guest
 * EOIs, MMIO writes) and per VFIO device. The end-to-end tests compare
 * these with the ground truth counted by the VMM and the guest.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "engine_internal.h"
#include "report.h"
#include "vt_lbuf.h"

static const char *const st_names[4] = { "inv", "P", "A", "PA" };

/* The per-IRQ counters printed first, in this order, by text and JSON. */
const struct vt_irq_count vt_irq_counts[VT_NR_IRQ_COUNTS] = {
	{ "inject1", offsetof(struct vt_counts, inject[1]) },
	{ "inject0", offsetof(struct vt_counts, inject[0]) },
	{ "in_lr", offsetof(struct vt_counts, in_lr) },
	{ "guest_eoi", offsetof(struct vt_counts, guest_eoi) },
	{ "eoi_no_ack", offsetof(struct vt_counts, eoi_no_ack) },
	{ "acks", offsetof(struct vt_counts, acks) },
	{ "resamples", offsetof(struct vt_counts, resamples) },
	{ "out_of_active", offsetof(struct vt_counts, out_of_active) },
	{ "still_asserted", offsetof(struct vt_counts, still_asserted) },
};

/* vt_irq_counts[] as " name N" (text) or ",\"name\":N" (JSON) */
static void irq_counts_print(FILE *f, const struct vt_counts *c, bool json)
{
	unsigned int k;

	for (k = 0; k < VT_NR_IRQ_COUNTS; k++)
		fprintf(f, json ? ",\"%s\":%llu" : " %s %llu", vt_irq_counts[k].name,
			(unsigned long long)vt_irq_count(c, k));
}

/* " NAME N", or " PFX_NAME N" with @pfx */
static void lb_field(struct vt_lbuf *l, const char *pfx, const char *name,
		     uint64_t v)
{
	vt_lb_room(l);
	vt_lb_ch(l, ' ');
	if (pfx)
		vt_lb_str(l, pfx);
	vt_lb_str(l, name);
	vt_lb_ch(l, ' ');
	vt_lb_u64(l, v);
}

static void irq_line(struct vt_lbuf *l, const struct vt_irq *q)
{
	const struct vt_counts *c = &q->cnt;
	unsigned int k, ev, a, b;

	vt_lb_str(l, "irq vm ");
	vt_lb_u64(l, q->vm_id);
	vt_lb_str(l, " intid ");
	vt_lb_u64(l, q->intid);
	for (k = 0; k < VT_NR_IRQ_COUNTS; k++)
		lb_field(l, NULL, vt_irq_counts[k].name, vt_irq_count(c, k));
	for (ev = 1; ev < VT_VFIO_END; ev++)
		lb_field(l, "vfio_", vt_vfio_event_name(ev), c->vfio[ev]);
	for (ev = 1; ev < VT_MMIO_END; ev++)
		if (c->mmio[ev])
			lb_field(l, "mmio_", vt_mmio_reg_name(ev), c->mmio[ev]);
	for (a = 0; a < 4; a++)
		for (b = 0; b < 4; b++)
			if (c->lr_trans[a][b]) {
				vt_lb_room(l);
				vt_lb_str(l, " lr_");
				vt_lb_str(l, st_names[a]);
				vt_lb_str(l, "_to_");
				vt_lb_str(l, st_names[b]);
				vt_lb_ch(l, ' ');
				vt_lb_u64(l, c->lr_trans[a][b]);
			}
	vt_lb_ch(l, '\n');
	vt_lb_room(l);
}

int vt_engine_stats_text(struct vt_engine *e, FILE *f)
{
	struct vt_lbuf l;
	unsigned int t, ev;
	size_t i;

	vt_irqs_sort(e);
	fprintf(f, "records %llu invalid %llu lost %llu\n",
		(unsigned long long)e->records, (unsigned long long)e->invalid,
		(unsigned long long)e->lost);
	for (t = 1; t < VT_REC_END; t++)
		fprintf(f, "type %s %llu\n", vt_record_name(t),
			(unsigned long long)e->by_type[t]);
	vt_lb_init(&l, f);
	for (i = 0; i < e->nr_irqs; i++)
		irq_line(&l, e->irqs[i]);
	vt_lb_flush(&l);
	for (i = 0; i < e->nr_devs; i++) {
		const struct vt_dev *d = e->devs[i];

		fprintf(f, "dev %s vm %u gsi %d host_irq %u", d->name, d->vm_id,
			(int)d->gsi, d->host_irq);
		for (ev = 1; ev < VT_VFIO_END; ev++)
			fprintf(f, " %s %llu", vt_vfio_event_name(ev),
				(unsigned long long)d->vfio[ev]);
		fprintf(f, " still_asserted %llu masked %u\n",
			(unsigned long long)d->still_asserted, d->masked);
	}
	return ferror(f) ? -5 : 0;
}

int vt_engine_stats_json(struct vt_engine *e, FILE *f)
{
	unsigned int t, a, b, ev, first;
	size_t i;

	vt_irqs_sort(e);
	fprintf(f, "{\"records\":%llu,\"invalid\":%llu,\"lost\":%llu,\"by_type\":{",
		(unsigned long long)e->records, (unsigned long long)e->invalid,
		(unsigned long long)e->lost);
	for (t = 1; t < VT_REC_END; t++)
		fprintf(f, "%s\"%s\":%llu", t > 1 ? "," : "", vt_record_name(t),
			(unsigned long long)e->by_type[t]);
	fprintf(f, "},\"irqs\":[");
	for (i = 0; i < e->nr_irqs; i++) {
		const struct vt_irq *q = e->irqs[i];
		const struct vt_counts *c = &q->cnt;

		fprintf(f, "%s{\"vm\":%u,\"intid\":%u,\"gsi\":%d", i ? "," : "",
			q->vm_id, q->intid, (int)q->gsi);
		irq_counts_print(f, c, true);
		fprintf(f, ",\"vfio\":{");
		for (ev = 1; ev < VT_VFIO_END; ev++)
			fprintf(f, "%s\"%s\":%llu", ev > 1 ? "," : "",
				vt_vfio_event_name(ev),
				(unsigned long long)c->vfio[ev]);
		fprintf(f, "},\"mmio\":{");
		for (ev = 1, first = 1; ev < VT_MMIO_END; ev++) {
			if (!c->mmio[ev])
				continue;
			fprintf(f, "%s\"%s\":%llu", first ? "" : ",",
				vt_mmio_reg_name(ev),
				(unsigned long long)c->mmio[ev]);
			first = 0;
		}
		fprintf(f, "},\"lr_transitions\":{");
		for (a = 0, first = 1; a < 4; a++)
			for (b = 0; b < 4; b++) {
				if (!c->lr_trans[a][b])
					continue;
				fprintf(f, "%s\"%s->%s\":%llu", first ? "" : ",",
					st_names[a], st_names[b],
					(unsigned long long)c->lr_trans[a][b]);
				first = 0;
			}
		fprintf(f, "}}");
	}
	fprintf(f, "],\"devices\":[");
	for (i = 0; i < e->nr_devs; i++) {
		const struct vt_dev *d = e->devs[i];

		fprintf(f, "%s{\"dev\":", i ? "," : "");
		vt_json_str(f, d->name);
		fprintf(f, ",\"vm\":%u,\"gsi\":%d,\"host_irq\":%u", d->vm_id,
			(int)d->gsi, d->host_irq);
		for (ev = 1; ev < VT_VFIO_END; ev++)
			fprintf(f, ",\"%s\":%llu", vt_vfio_event_name(ev),
				(unsigned long long)d->vfio[ev]);
		fprintf(f, ",\"still_asserted\":%llu,\"masked\":%s}",
			(unsigned long long)d->still_asserted,
			d->masked ? "true" : "false");
	}
	fprintf(f, "]}\n");
	return ferror(f) ? -5 : 0;
}
