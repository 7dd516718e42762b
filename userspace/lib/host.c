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

bool vt_eng_arm64(const struct vt_engine *e)
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

static struct vt_route *route_find(const struct vt_engine *e, uint32_t vm,
				   uint32_t gsi)
{
	uintptr_t i = (uintptr_t)vt_hash_get(e->route_hash,
					     ((uint64_t)vm << 32) | gsi);

	return i ? &e->routes[i - 1] : NULL;
}

void vt_route_learn(struct vt_engine *e, uint32_t vm, uint32_t gsi,
		    uint32_t intid)
{
	struct vt_route *n = route_find(e, vm, gsi);

	if (n) {
		n->intid = intid;
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
	e->routes[e->nr_routes].vm = vm;
	e->routes[e->nr_routes].gsi = gsi;
	e->routes[e->nr_routes].intid = intid;
	e->nr_routes++;
}

uint32_t vt_gsi_to_intid(const struct vt_engine *e, uint32_t vm, uint32_t gsi)
{
	const struct vt_route *r;

	if (gsi == VT_NO_GSI)
		return VT_NO_INTID;
	r = route_find(e, vm, gsi);
	if (r)
		return r->intid;
	/* arm64: identity gsi -> pin routing, SPI = pin + 32. x86: the GSI. */
	return vt_eng_arm64(e) ? gsi + VT_SPI_BASE : gsi;
}

void vt_host_free(struct vt_engine *e)
{
	free(e->routes);
	vt_hash_free(e->route_hash);
}
