// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * lr.c - GICv2 GICH_LR / GICv3 ICH_LR_EL2 decoding and the "did the
 * guest EOI in this run" test used by the rules.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <vgic_trace_abi.h>
#include "vt_lr.h"

/* the HW bit (61) of top bits @t (60-63) */
#define VT_V3HW(t)	((t) >> 1 & 1)
#define VT_V3LO(t)	((t) >> 2 | (uint64_t)VT_V3HW(t) << 8 |		\
			 (VT_V3HW(t) ? 0 : 1ull << 16) | ((t) & 1ull) << 24)
#define VT_V3HI(t)	(VT_ICH_LR_VINTID_MASK |			\
			 (VT_V3HW(t) ? VT_ICH_LR_PINTID_MASK : 0))
#define VT_V3_4(f, t)	f(t), f((t) + 1), f((t) + 2), f((t) + 3)
const uint64_t vt_lr_v3lo[16] = {
	VT_V3_4(VT_V3LO, 0), VT_V3_4(VT_V3LO, 4),
	VT_V3_4(VT_V3LO, 8), VT_V3_4(VT_V3LO, 12),
};
const uint64_t vt_lr_v3hi[16] = {
	VT_V3_4(VT_V3HI, 0), VT_V3_4(VT_V3HI, 4),
	VT_V3_4(VT_V3HI, 8), VT_V3_4(VT_V3HI, 12),
};

int vt_lr_decode(unsigned int gic_version, uint64_t raw, struct vt_lr *out)
{
	struct vt_lr t;
	bool ok = vt_lr_decode_fast(gic_version, raw, &t);

	memset(out, 0, sizeof(*out));	/* (the padding too: field by field) */
	out->state = t.state;
	out->hw = t.hw;
	out->eoi = t.eoi;
	out->group = t.group;
	out->priority = t.priority;
	out->vintid = t.vintid;
	out->pintid = t.pintid;
	out->cpuid = t.cpuid;
	return ok ? 0 : -EINVAL;
}

int vt_lr_encode(unsigned int gic_version, const struct vt_lr *lr,
		 uint64_t *raw)
{
	uint64_t v = 0;

	if (lr->state > VT_LR_PA)
		return -EINVAL;
	if (gic_version == VT_GIC_V3) {
		if (lr->hw && lr->pintid > 0x3ff)
			return -EINVAL;
		v = lr->vintid;
		v |= (uint64_t)lr->priority << VT_ICH_LR_PRIO_SHIFT;
		if (lr->group)
			v |= VT_ICH_LR_GROUP;
		if (lr->state & VT_LR_P)
			v |= VT_ICH_LR_PENDING;
		if (lr->state & VT_LR_A)
			v |= VT_ICH_LR_ACTIVE;
		if (lr->hw)
			v |= VT_ICH_LR_HW |
			     ((uint64_t)lr->pintid << VT_ICH_LR_PINTID_SHIFT);
		else if (lr->eoi)
			v |= VT_ICH_LR_EOI;
	} else if (gic_version == VT_GIC_V2) {
		if (lr->vintid > 0x3ff || lr->pintid > 0x3ff || lr->cpuid > 7)
			return -EINVAL;
		v = lr->vintid;
		v |= (uint64_t)(lr->priority >> 3) << VT_GICH_LR_PRIO_SHIFT;
		if (lr->group)
			v |= VT_GICH_LR_GROUP1;
		if (lr->state & VT_LR_P)
			v |= VT_GICH_LR_PENDING;
		if (lr->state & VT_LR_A)
			v |= VT_GICH_LR_ACTIVE;
		if (lr->hw) {
			v |= VT_GICH_LR_HW |
			     ((uint64_t)lr->pintid << VT_GICH_LR_PHYS_SHIFT);
		} else {
			v |= (uint64_t)lr->cpuid << VT_GICH_LR_PHYS_SHIFT;
			if (lr->eoi)
				v |= VT_GICH_LR_EOI;
		}
	} else {
		return -EINVAL;
	}
	*raw = v;
	return 0;
}

const char *const vt_lr_state_names[4] = { "inv", "P", "A", "P+A" };

const char *vt_lr_state_name(unsigned int state)
{
	return state <= VT_LR_PA ? vt_lr_state_names[state] : "?";
}

bool vt_lr_signals_eoi(const struct vt_lr *lr)
{
	return lr->state == VT_LR_INVALID && lr->eoi && !lr->hw;
}

bool vt_lr_guest_eoied(const struct vt_lr *entry, const struct vt_lr *exit)
{
	return vt_lr_guest_eoied_st(entry->state, exit->state);
}

char *vt_lr_format(unsigned int gic_version, uint64_t raw, char *buf,
		   size_t len)
{
	struct vt_lr lr;
	int n;

	if (vt_lr_decode(gic_version, raw, &lr)) {
		snprintf(buf, len, "gic%u? 0x%llx", gic_version,
			 (unsigned long long)raw);
		return buf;
	}
	n = snprintf(buf, len, "vINTID %u %s%s G%u prio 0x%02x", lr.vintid,
		     vt_lr_state_name(lr.state), lr.eoi ? " EOI" : "",
		     lr.group, lr.priority);
	if (lr.hw && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " HW pINTID %u", lr.pintid);
	return buf;
}
