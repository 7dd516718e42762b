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

/* slot of (@vm, @gsi) in e->route_cache[] */
static inline struct vt_route_slot *route_slot(struct vt_engine *e,
					       uint32_t vm, uint32_t gsi)
{
	/* GSIs are small and VM IDs sequential: 8 GSIs of 8 VMs, distinct */
	return &e->route_cache[(gsi ^ vm << 3) & (VT_ROUTE_CACHE - 1)];
}

/* route_find()'s long way: the hash, then fill the cache slot @c */
static __attribute__((noinline)) struct vt_route *
route_find_slow(struct vt_engine *e, uint32_t vm, uint32_t gsi,
		struct vt_route_slot *c)
{
	uintptr_t i = (uintptr_t)vt_hash_get(e->route_hash,
					     ((uint64_t)vm << 32) | gsi);

	if (!i)
		return NULL;
	c->vm = vm;
	c->gsi = gsi;
	c->ref = (uint32_t)i;
	return &e->routes[i - 1];
}

/* vt_route_learn() of a route not in the cache */
static __attribute__((noinline)) void
route_learn_slow(struct vt_engine *e, uint32_t vm, uint32_t gsi,
		 uint32_t intid)
{
	uintptr_t j = (uintptr_t)vt_hash_get(e->route_hash,
					     ((uint64_t)vm << 32) | gsi);
	struct vt_route *n;

	if (j) {
		e->routes[j - 1].intid = intid;
		return;
	}
	if (e->nr_routes == e->cap_routes) {
		size_t cap = e->cap_routes ? e->cap_routes * 2 : 16;

		n = realloc(e->routes, cap * sizeof(*n));
		if (!n)
			return;
		e->routes = n;
		e->cap_routes = cap;
	}
	if (vt_hash_put(&e->route_hash, ((uint64_t)vm << 32) | gsi,
			(void *)(uintptr_t)(e->nr_routes + 1)))
		return;
	e->routes[e->nr_routes++] = (struct vt_route){ vm, gsi, intid };
}

void vt_route_learn(struct vt_engine *e, uint32_t vm, uint32_t gsi,
		    uint32_t intid)
{
	struct vt_route_slot *c = route_slot(e, vm, gsi);

	/* (an empty slot's VT_NO_GSI: routes without a GSI are not cached) */
	if (c->vm == vm && c->gsi == gsi && gsi != VT_NO_GSI)
		e->routes[c->ref - 1].intid = intid;
	else
		route_learn_slow(e, vm, gsi, intid);
}

/* vt_gsi_to_intid() of a route not in the cache slot @c */
static __attribute__((noinline)) uint32_t
gsi_to_intid_slow(struct vt_engine *e, uint32_t vm, uint32_t gsi,
		  struct vt_route_slot *c)
{
	const struct vt_route *r = route_find_slow(e, vm, gsi, c);

	if (r)
		return r->intid;
	/* arm64: identity gsi -> pin routing, SPI = pin + 32. x86: the GSI. */
	return vt_eng_arm64(e) ? gsi + VT_SPI_BASE : gsi;
}

uint32_t vt_gsi_to_intid(struct vt_engine *e, uint32_t vm, uint32_t gsi)
{
	struct vt_route_slot *c;

	if (gsi == VT_NO_GSI)
		return VT_NO_INTID;
	c = route_slot(e, vm, gsi);
	if (c->vm == vm && c->gsi == gsi)
		return e->routes[c->ref - 1].intid;
	return gsi_to_intid_slow(e, vm, gsi, c);
}

void vt_host_init(struct vt_engine *e)
{
	size_t i;

	/* an empty slot's GSI is one that is never looked up in the cache */
	for (i = 0; i < VT_ROUTE_CACHE; i++)
		e->route_cache[i].gsi = VT_NO_GSI;
}

void vt_host_free(struct vt_engine *e)
{
	free(e->routes);
	vt_hash_free(e->route_hash);
}
