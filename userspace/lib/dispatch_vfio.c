// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dispatch_vfio.c - irqfd, resample and VFIO INTx handlers, and the
 * linking of a VFIO device to its irqfd, GSI and SPI.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "dispatch.h"

static void link_dev_irq(struct vt_dev *d, struct vt_irq *irq)
{
	d->vm_id = irq->vm_id;
	d->gsi = irq->gsi;
	d->irq = irq;
	irq->dev = d;
}

static void link_dev(struct vt_engine *e, struct vt_dev *d)
{
	struct vt_irqfd *f;
	struct vt_irq *irq;

	if (d->irq)
		return;
	f = vt_irqfd_by_key(e, d->trigger_key, false);
	if (!f)
		f = vt_irqfd_by_key(e, d->unmask_key, true);
	if (!f)
		return;
	irq = vt_irq_get(e, f->vm_id, vt_gsi_to_intid(e, f->vm_id, f->gsi));
	if (!irq)
		return;
	d->vm_id = f->vm_id;
	d->gsi = f->gsi;
	d->irq = irq;
	irq->dev = d;
	irq->gsi = f->gsi;
	if (f->resample)
		irq->resampled = true;
}

int h_resample(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_resample *r = (const void *)rec;
	struct vt_irq *irq;
	struct vt_ev ev;

	irq = vt_irq_get(e, rec->vm_id, vt_gsi_to_intid(e, rec->vm_id, r->gsi));
	if (!irq)
		return -ENOMEM;
	irq->cnt.resamples++;
	irq->resampled = true;
	irq->gsi = r->gsi;
	irq->last_resample_ts = rec->ts_ns;
	e->last_rs_irq = irq;
	e->last_rs_ts = rec->ts_ns;
	e->last_rs_cpu = rec->cpu;
	if (r->resample_key && !irq->dev) {
		size_t i;

		for (i = 0; i < e->nr_devs; i++)
			if (!e->devs[i]->irq &&
			    e->devs[i]->unmask_key == r->resample_key) {
				link_dev_irq(e->devs[i], irq);
				break;
			}
	}
	vt_irq_hist(e, irq, rec->ts_ns, "resample gsi %u (%u irqfds)", r->gsi,
		    r->nr_irqfds);
	vt_lat_stage(e, irq, VT_ST_RESAMPLE, rec->ts_ns);
	vt_ev_init(&ev, VT_EV_RESAMPLE, rec, irq);
	ev.resample.gsi = r->gsi;
	vt_emit_irq(e, rec, &ev);
	return 0;
}

int h_irqfd(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_irqfd *r = (const void *)rec;
	struct vt_irqfd *f;
	struct vt_irq *irq;
	struct vt_ev ev;
	size_t i;

	irq = vt_irq_get(e, rec->vm_id, vt_gsi_to_intid(e, rec->vm_id, r->gsi));
	if (!irq)
		return -ENOMEM;
	irq->gsi = r->gsi;
	vt_ev_init(&ev, VT_EV_IRQFD, rec, irq);
	ev.irqfd.gsi = r->gsi;
	ev.irqfd.deassign = r->flags & VT_IRQFD_F_DEASSIGN;
	ev.irqfd.failed = r->ret != 0;
	ev.irqfd.resample = r->flags & VT_IRQFD_F_RESAMPLE;
	if (r->flags & VT_IRQFD_F_DEASSIGN) {
		f = vt_irqfd_by_gsi(e, rec->vm_id, r->gsi);
		if (f)
			f->deassigned = true;
		vt_irq_hist(e, irq, rec->ts_ns, "irqfd gsi %u deassigned", r->gsi);
		vt_emit_irq(e, rec, &ev);
		return 0;
	}
	if (r->ret) {
		vt_irq_hist(e, irq, rec->ts_ns, "irqfd gsi %u failed (%d)", r->gsi,
			    r->ret);
		vt_emit_irq(e, rec, &ev);
		return 0;
	}
	f = vt_irqfd_add(e);
	if (!f)
		return -ENOMEM;
	f->vm_id = rec->vm_id;
	f->gsi = r->gsi;
	f->resample = r->flags & VT_IRQFD_F_RESAMPLE;
	f->eventfd_key = r->eventfd_key;
	f->resample_key = r->resample_key;
	if (f->resample)
		irq->resampled = true;
	vt_irq_hist(e, irq, rec->ts_ns, "irqfd gsi %u%s", r->gsi,
		    f->resample ? " with resamplefd" : " (no resample)");
	for (i = 0; i < e->nr_devs; i++)
		link_dev(e, e->devs[i]);
	vt_emit_irq(e, rec, &ev);
	return 0;
}

/*
 * A device with no IRQ yet: link it through its irqfd keys, or (no keys)
 * the resamplefd unmask handler runs synchronously on the vCPU thread
 * right after irqfd_resampler_ack(), so an unlinked UNMASK_HANDLER on
 * the same CPU within 1 ms belongs to that IRQ. Out of line: once a
 * device is linked, h_vfio() never calls it.
 */
static __attribute__((noinline)) void
link_new(struct vt_engine *e, struct vt_dev *d, const struct vt_hdr *rec)
{
	const struct vt_rec_vfio *r = (const void *)rec;

	link_dev(e, d);
	if (!d->irq && r->event == VT_VFIO_UNMASK_HANDLER && e->last_rs_irq &&
	    !e->last_rs_irq->dev && e->last_rs_cpu == rec->cpu &&
	    rec->ts_ns >= e->last_rs_ts && rec->ts_ns - e->last_rs_ts < 1000000)
		link_dev_irq(d, e->last_rs_irq);
}

/* vt_vfio_event_name() inline: the same table (and text) */
static inline const char *vfio_event_name(unsigned int event)
{
	return event < VT_VFIO_END && vt_vfio_names[event] ?
	       vt_vfio_names[event] : "unknown";
}

int h_vfio(struct vt_engine *e, const struct vt_hdr *rec)
{
	const struct vt_rec_vfio *r = (const void *)rec;
	unsigned int event = r->event;
	uint64_t ts = rec->ts_ns;
	bool was, masked, still;
	struct vt_irq *irq;
	struct vt_dev *d;
	struct vt_ev ev;

	d = vt_dev_get_raw(e, r->dev);
	if (!d)
		return -ENOMEM;
	d->host_irq = r->host_irq;
	if (r->trigger_key)
		d->trigger_key = r->trigger_key;
	if (r->unmask_key)
		d->unmask_key = r->unmask_key;
	if (__builtin_expect(!d->irq, 0))
		link_new(e, d, rec);
	irq = d->irq;
	d->vfio[event]++;
	if (irq)
		irq->cnt.vfio[event]++;
	was = d->masked;
	still = event == VT_VFIO_UNMASK_HANDLER && r->result == 1;
	switch (event) {
	case VT_VFIO_HANDLER:
		masked = r->masked != 0xff ? r->masked : r->result == 1;
		break;
	case VT_VFIO_MASK:
		masked = r->masked != 0xff ? r->masked : true;
		break;
	case VT_VFIO_UNMASK:
		masked = r->masked != 0xff ? r->masked : false;
		break;
	case VT_VFIO_UNMASK_HANDLER:
		if (still) {
			d->still_asserted++;
			if (irq)
				irq->cnt.still_asserted++;
		}
		masked = r->masked != 0xff ? r->masked : still;
		break;
	default:
		masked = was;
		break;
	}
	d->masked = masked;
	if (masked && !was)
		d->mask_ts = ts;
	if (irq) {
		vt_irq_hist(e, irq, ts, "vfio %s %s%s%s", d->name,
			    vfio_event_name(event),
			    masked ? " masked" : " unmasked",
			    still ? " (still asserted)" : "");
		if (event == VT_VFIO_HANDLER)
			vt_lat_stage(e, irq, VT_ST_HOSTIRQ, ts);
		if (masked && !was)
			vt_lat_stage(e, irq, VT_ST_MASK, ts);
		if (!masked && was) {
			vt_lat_stage(e, irq, VT_ST_UNMASK, ts);
			irq->last_unmask_ts = ts;
		}
	}
	vt_ev_init(&ev, VT_EV_VFIO, rec, irq);
	ev.vfio.event = (uint8_t)event;
	ev.vfio.result = (uint8_t)r->result;
	ev.vfio.masked = masked;
	vt_emit_irq(e, rec, &ev);
	return 0;
}
