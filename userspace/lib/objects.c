// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * objects.c - lookup tables of the engine: IRQs per (VM, INTID), vCPUs,
 * VFIO devices, irqfds; the per-IRQ transition history.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 16;
	np = realloc(p, ncap * size);
	if (!np)
		return NULL;
	memset((char *)np + *cap * size, 0, (ncap - *cap) * size);
	*cap = ncap;
	return np;
}

struct vt_irq *vt_irq_find(struct vt_engine *e, uint32_t vm, uint32_t intid)
{
	size_t i;

	for (i = 0; i < e->nr_irqs; i++)
		if (e->irqs[i]->vm_id == vm && e->irqs[i]->intid == intid)
			return e->irqs[i];
	return NULL;
}

static int irq_cmp(const void *a, const void *b)
{
	const struct vt_irq *x = *(const struct vt_irq *const *)a;
	const struct vt_irq *y = *(const struct vt_irq *const *)b;

	if (x->vm_id != y->vm_id)
		return x->vm_id < y->vm_id ? -1 : 1;
	return x->intid < y->intid ? -1 : x->intid > y->intid;
}

struct vt_irq *vt_irq_get(struct vt_engine *e, uint32_t vm, uint32_t intid)
{
	struct vt_irq *irq = vt_irq_find(e, vm, intid), **n;

	if (irq)
		return irq;
	n = grow(e->irqs, &e->cap_irqs, e->nr_irqs, sizeof(*n));
	if (!n)
		return NULL;
	e->irqs = n;
	irq = calloc(1, sizeof(*irq));
	if (!irq)
		return NULL;
	irq->vm_id = vm;
	irq->intid = intid;
	irq->gsi = VT_NO_GSI;
	irq->active_vcpu = VT_NO_VCPU;
	irq->lr_vcpu = VT_NO_VCPU;
	irq->target_vcpu = VT_NO_VCPU;
	irq->cyc_last = -1;
	e->irqs[e->nr_irqs++] = irq;
	/* Keep the table sorted so reports are in (VM, INTID) order. */
	qsort(e->irqs, e->nr_irqs, sizeof(*e->irqs), irq_cmp);
	return irq;
}

struct vt_vcpu *vt_vcpu_get(struct vt_engine *e, uint32_t vm, uint32_t vcpu)
{
	struct vt_vcpu **n, *v;
	size_t i;

	for (i = 0; i < e->nr_vcpus; i++)
		if (e->vcpus[i]->vm_id == vm && e->vcpus[i]->vcpu_id == vcpu)
			return e->vcpus[i];
	n = grow(e->vcpus, &e->cap_vcpus, e->nr_vcpus, sizeof(*n));
	if (!n)
		return NULL;
	e->vcpus = n;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->vm_id = vm;
	v->vcpu_id = vcpu;
	e->vcpus[e->nr_vcpus++] = v;
	return v;
}

struct vt_dev *vt_dev_get(struct vt_engine *e, const char *name)
{
	struct vt_dev **n, *d;
	size_t i;

	for (i = 0; i < e->nr_devs; i++)
		if (!strncmp(e->devs[i]->name, name, 16))
			return e->devs[i];
	n = grow(e->devs, &e->cap_devs, e->nr_devs, sizeof(*n));
	if (!n)
		return NULL;
	e->devs = n;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	memcpy(d->name, name, strnlen(name, 16));
	d->vm_id = VT_NO_VM;
	d->gsi = VT_NO_GSI;
	e->devs[e->nr_devs++] = d;
	return d;
}

struct vt_irqfd *vt_irqfd_add(struct vt_engine *e)
{
	struct vt_irqfd *n;

	n = grow(e->irqfds, &e->cap_irqfds, e->nr_irqfds, sizeof(*n));
	if (!n)
		return NULL;
	e->irqfds = n;
	return &e->irqfds[e->nr_irqfds++];
}

struct vt_irqfd *vt_irqfd_by_key(struct vt_engine *e, uint64_t key,
				 bool resample)
{
	size_t i;

	if (!key)
		return NULL;
	for (i = e->nr_irqfds; i-- > 0;) {
		struct vt_irqfd *f = &e->irqfds[i];

		if ((resample ? f->resample_key : f->eventfd_key) == key)
			return f;
	}
	return NULL;
}

struct vt_irqfd *vt_irqfd_by_gsi(struct vt_engine *e, uint32_t vm, uint32_t gsi)
{
	size_t i;

	for (i = e->nr_irqfds; i-- > 0;)
		if (e->irqfds[i].vm_id == vm && e->irqfds[i].gsi == gsi &&
		    !e->irqfds[i].deassigned)
			return &e->irqfds[i];
	return NULL;
}

void vt_route_learn(struct vt_engine *e, uint32_t vm, uint32_t gsi,
		    uint32_t intid)
{
	struct vt_route *n;
	size_t i;

	for (i = 0; i < e->nr_routes; i++)
		if (e->routes[i].vm == vm && e->routes[i].gsi == gsi) {
			e->routes[i].intid = intid;
			return;
		}
	n = grow(e->routes, &e->cap_routes, e->nr_routes, sizeof(*n));
	if (!n)
		return;
	e->routes = n;
	n[e->nr_routes].vm = vm;
	n[e->nr_routes].gsi = gsi;
	n[e->nr_routes].intid = intid;
	e->nr_routes++;
}

uint32_t vt_gsi_to_intid(const struct vt_engine *e, uint32_t vm, uint32_t gsi)
{
	size_t i;

	if (gsi == VT_NO_GSI)
		return VT_NO_INTID;
	for (i = 0; i < e->nr_routes; i++)
		if (e->routes[i].vm == vm && e->routes[i].gsi == gsi)
			return e->routes[i].intid;
	/* arm64: identity gsi -> pin routing, SPI = pin + 32. x86: the GSI. */
	return vt_eng_arm64(e) ? gsi + VT_SPI_BASE : gsi;
}

void vt_irq_hist(struct vt_irq *irq, uint64_t ts, const char *fmt, ...)
{
	struct vt_hist *h = &irq->hist[irq->hist_n % VT_HIST_LEN];
	va_list ap;

	h->ts = ts;
	va_start(ap, fmt);
	vsnprintf(h->text, sizeof(h->text), fmt, ap);
	va_end(ap);
	irq->hist_n++;
}

void vt_objects_free(struct vt_engine *e)
{
	size_t i;

	for (i = 0; i < e->nr_irqs; i++) {
		vt_lat_free(e->irqs[i]);
		free(e->irqs[i]->st_ring);
		free(e->irqs[i]);
	}
	free(e->irqs);
	for (i = 0; i < e->nr_devs; i++)
		free(e->devs[i]);
	free(e->devs);
	free(e->irqfds);
	free(e->routes);
	for (i = 0; i < e->nr_vcpus; i++)
		free(e->vcpus[i]);
	free(e->vcpus);
}
