// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * host.c - facts about the traced host: architecture, LR count, kernel
 * version, and the GSI -> INTID routes learnt from ack records (a hash
 * on (VM, GSI)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"

bool vt_eng_arm64_slow(const struct vt_engine *e)
{
	if (e->facts.gic_version || e->seen_gic)
		return true;
	if (!strncmp(e->facts.arch, "aarch64", 7) ||
	    !strncmp(e->facts.arch, "arm64", 5))
		return true;
	/* x86 hosts say so; an unknown host is taken as arm64. */
	return !(e->facts.arch[0] && (strstr(e->facts.arch, "86")));
}

unsigned int vt_eng_nr_lrs(const struct vt_engine *e, const struct vt_rec_lr *r)
{
	if (r && r->nr_lrs)
		return r->nr_lrs;
	if (e->seen_nr_lrs)
		return e->seen_nr_lrs;
	return e->facts.nr_lrs;
}

unsigned int vt_eng_nr_lrs_inferred(const struct vt_engine *e,
				    const struct vt_rec_lr *r, bool *inferred)
{
	unsigned int nr = vt_eng_nr_lrs(e, r);

	*inferred = !nr && e->max_used_lrs >= 2;
	return nr ? nr : (*inferred ? e->max_used_lrs : 0);
}

bool vt_eng_kernel_at_least(const struct vt_engine *e, int major, int minor)
{
	int ma = 0, mi = 0;

	if (sscanf(e->facts.kernel_release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * A direct-mapped cache of the hash, by (VM, GSI): ROUTE_CACHE entries
 * kept after the cap_routes routes in e->routes' block (moved with it when
 * it grows). An entry is a struct vt_route whose intid field holds the
 * index of the route in e->routes; routes are never removed and an index
 * never changes, so an entry whose (VM, GSI) matches is that route. Empty
 * entries have gsi VT_NO_GSI, which is never looked up.
 */
#define ROUTE_CACHE	64

static inline struct vt_route *route_slot(const struct vt_engine *e,
					  uint32_t vm, uint32_t gsi)
{
	/* GSIs are small and VM IDs sequential: 8 GSIs of 8 VMs, distinct */
	return &e->routes[e->cap_routes +
			  ((gsi ^ vm << 3) & (ROUTE_CACHE - 1))];
}

/* route_find()'s long way: the hash, then fill the cache entry @c */
static __attribute__((noinline)) struct vt_route *
route_find_slow(const struct vt_engine *e, uint32_t vm, uint32_t gsi,
		struct vt_route *c)
{
	uintptr_t i = (uintptr_t)vt_hash_get(e->route_hash,
					     ((uint64_t)vm << 32) | gsi);

	if (!i)
		return NULL;
	c->vm = vm;
	c->gsi = gsi;
	c->intid = (uint32_t)(i - 1);
	return &e->routes[i - 1];
}

/* The route of (@vm, @gsi != VT_NO_GSI), or NULL */
static inline struct vt_route *route_find(const struct vt_engine *e,
					  uint32_t vm, uint32_t gsi)
{
	struct vt_route *c;

	if (!e->routes)
		return NULL;
	c = route_slot(e, vm, gsi);
	if (c->vm == vm && c->gsi == gsi)
		return &e->routes[c->intid];
	return route_find_slow(e, vm, gsi, c);
}

/* vt_route_learn() of a route not in the cache */
static __attribute__((noinline)) void
route_learn_slow(struct vt_engine *e, uint32_t vm, uint32_t gsi,
		 uint32_t intid)
{
	struct vt_route *n = NULL, *c;
	size_t i;

	if (gsi == VT_NO_GSI) {	/* never cached: the hash only */
		uintptr_t j = (uintptr_t)vt_hash_get(e->route_hash,
						     ((uint64_t)vm << 32) | gsi);

		if (j)
			n = &e->routes[j - 1];
	} else {
		n = route_find(e, vm, gsi);
	}
	if (n) {
		n->intid = intid;
		return;
	}
	if (e->nr_routes == e->cap_routes) {
		size_t old = e->cap_routes;
		size_t cap = old ? old * 2 : 16;

		n = realloc(e->routes, (cap + ROUTE_CACHE) * sizeof(*n));
		if (!n)
			return;
		if (old)	/* the cache follows the routes */
			memmove(&n[cap], &n[old], ROUTE_CACHE * sizeof(*n));
		else
			for (i = 0; i < ROUTE_CACHE; i++)
				n[cap + i] = (struct vt_route){ 0, VT_NO_GSI, 0 };
		e->routes = n;
		e->cap_routes = cap;
	}
	if (vt_hash_put(&e->route_hash, ((uint64_t)vm << 32) | gsi,
			(void *)(uintptr_t)(e->nr_routes + 1)))
		return;
	e->routes[e->nr_routes].vm = vm;
	e->routes[e->nr_routes].gsi = gsi;
	e->routes[e->nr_routes].intid = intid;
	if (gsi != VT_NO_GSI) {
		c = route_slot(e, vm, gsi);
		c->vm = vm;
		c->gsi = gsi;
		c->intid = (uint32_t)e->nr_routes;
	}
	e->nr_routes++;
}

void vt_route_learn(struct vt_engine *e, uint32_t vm, uint32_t gsi,
		    uint32_t intid)
{
	struct vt_route *c;

	if (e->routes) {
		c = route_slot(e, vm, gsi);
		if (c->vm == vm && c->gsi == gsi && gsi != VT_NO_GSI) {
			e->routes[c->intid].intid = intid;
			return;
		}
	}
	route_learn_slow(e, vm, gsi, intid);
}

/* vt_gsi_to_intid() of a route not in the cache */
static __attribute__((noinline)) uint32_t
gsi_to_intid_slow(const struct vt_engine *e, uint32_t vm, uint32_t gsi,
		  struct vt_route *c)
{
	const struct vt_route *r = c ? route_find_slow(e, vm, gsi, c) : NULL;

	if (r)
		return r->intid;
	/* arm64: identity gsi -> pin routing, SPI = pin + 32. x86: the GSI. */
	return vt_eng_arm64(e) ? gsi + VT_SPI_BASE : gsi;
}

uint32_t vt_gsi_to_intid(const struct vt_engine *e, uint32_t vm, uint32_t gsi)
{
	struct vt_route *c = NULL;

	if (gsi == VT_NO_GSI)
		return VT_NO_INTID;
	if (e->routes) {
		c = route_slot(e, vm, gsi);
		if (c->vm == vm && c->gsi == gsi)
			return e->routes[c->intid].intid;
	}
	return gsi_to_intid_slow(e, vm, gsi, c);
}

void vt_host_free(struct vt_engine *e)
{
	free(e->routes);
	vt_hash_free(e->route_hash);
}
