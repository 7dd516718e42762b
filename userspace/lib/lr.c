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

static void decode_v3(uint64_t v, struct vt_lr *o)
{
	o->state = (uint8_t)(((v & VT_ICH_LR_PENDING) ? VT_LR_P : 0) |
			     ((v & VT_ICH_LR_ACTIVE) ? VT_LR_A : 0));
	o->hw = !!(v & VT_ICH_LR_HW);
	o->group = !!(v & VT_ICH_LR_GROUP);
	o->priority = (uint8_t)((v & VT_ICH_LR_PRIO_MASK) >> VT_ICH_LR_PRIO_SHIFT);
	o->vintid = (uint32_t)(v & VT_ICH_LR_VINTID_MASK);
	if (o->hw) {
		o->pintid = (uint32_t)((v & VT_ICH_LR_PINTID_MASK) >>
				       VT_ICH_LR_PINTID_SHIFT);
		o->eoi = false;		/* bit 41 is pINTID[9] with HW */
	} else {
		o->eoi = !!(v & VT_ICH_LR_EOI);
	}
}

static void decode_v2(uint32_t v, struct vt_lr *o)
{
	o->state = (uint8_t)(((v & VT_GICH_LR_PENDING) ? VT_LR_P : 0) |
			     ((v & VT_GICH_LR_ACTIVE) ? VT_LR_A : 0));
	o->hw = !!(v & VT_GICH_LR_HW);
	o->group = !!(v & VT_GICH_LR_GROUP1);
	o->priority = (uint8_t)(((v & VT_GICH_LR_PRIO_MASK) >>
				 VT_GICH_LR_PRIO_SHIFT) << 3);
	o->vintid = v & VT_GICH_LR_VINTID_MASK;
	if (o->hw) {
		o->pintid = (v & VT_GICH_LR_PHYS_MASK) >> VT_GICH_LR_PHYS_SHIFT;
	} else {
		o->cpuid = (v & VT_GICH_LR_CPUID_MASK) >> VT_GICH_LR_PHYS_SHIFT;
		o->eoi = !!(v & VT_GICH_LR_EOI);
	}
}

int vt_lr_decode(unsigned int gic_version, uint64_t raw, struct vt_lr *out)
{
	memset(out, 0, sizeof(*out));
	switch (gic_version) {
	case VT_GIC_V3:
		decode_v3(raw, out);
		return 0;
	case VT_GIC_V2:
		decode_v2((uint32_t)raw, out);
		return 0;
	}
	return -EINVAL;
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

const char *vt_lr_state_name(unsigned int state)
{
	static const char *const names[] = { "inv", "P", "A", "P+A" };

	return state <= VT_LR_PA ? names[state] : "?";
}

bool vt_lr_signals_eoi(const struct vt_lr *lr)
{
	return lr->state == VT_LR_INVALID && lr->eoi && !lr->hw;
}

bool vt_lr_guest_eoied(const struct vt_lr *entry, const struct vt_lr *exit)
{
	bool a_in = entry->state & VT_LR_A, p_in = entry->state & VT_LR_P;
	bool a_out = exit->state & VT_LR_A, p_out = exit->state & VT_LR_P;

	if (a_in && !a_out)
		return true;		/* A -> P/inv, P+A -> P/inv */
	if (a_in && p_in && a_out && !p_out)
		return true;		/* P+A -> EOI -> P -> IAR -> A */
	if (!a_in && p_in && !a_out && !p_out)
		return true;		/* P -> IAR -> A -> EOI -> inv */
	return false;
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
