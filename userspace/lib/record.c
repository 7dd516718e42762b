// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * record.c - ABI record sizes, names and validation, expanded from the
 * registry (include/vt_registry.def).
 */
#include <errno.h>
#include <stdio.h>
#include "vt_record.h"

VT_ABI_STATIC_CHECKS();

/* the registry's values are the ABI's */
#define VT_REG_REC(N, v, n, st) \
	_Static_assert(VT_REC_##N == (v), "registry: VT_REC_" #N);
#define VT_REG_VFIO(N, v, n) \
	_Static_assert(VT_VFIO_##N == (v), "registry: VT_VFIO_" #N);
#define VT_REG_MMIO(N, v, n) \
	_Static_assert(VT_MMIO_##N == (v), "registry: VT_MMIO_" #N);
#define VT_REG_SRC(N, v, n) \
	_Static_assert(VT_SRC_##N == (v), "registry: VT_SRC_" #N);
#define VT_REG_DEACT(N, v, n) \
	_Static_assert(VT_DEACT_##N == (v), "registry: VT_DEACT_" #N);
#define VT_REG_BACKEND(N, v, n) \
	_Static_assert(VT_BACKEND_##N == (v), "registry: VT_BACKEND_" #N);
#include "../../include/vt_registry.def"
_Static_assert(VT_REC_END == VT_REC_MAX + 1, "registry: record types");

static const struct {
	const char *name;
	size_t size;
} rec_types[VT_REC_END] = {
#define VT_REG_REC(N, v, n, st) [v] = { #n, sizeof(struct st) },
#include "../../include/vt_registry.def"
};

#define RCF(v) ((v) == VT_REC_LR_FLUSH || (v) == VT_REC_LR_FOLD ? VT_RCF_LR : \
		 (v) == VT_REC_VFIO ? VT_RCF_VFIO : \
		 (v) == VT_REC_MMIO ? VT_RCF_MMIO : VT_RCF_NONE)

/* vt_record_ok()'s byte ranges of each VT_RCF_* check */
#define RCF_OFF(f)	((f) == VT_RCF_NONE ? 0 : sizeof(struct vt_hdr))
#define RCF_LO0(f)	((f) == VT_RCF_LR ? VT_GIC_V2 : (f) == VT_RCF_NONE ? 0 : 1)
#define RCF_SPAN0(f)	((f) == VT_RCF_LR ? VT_GIC_V3 - VT_GIC_V2 : \
			 (f) == VT_RCF_VFIO ? VT_VFIO_END - 2 : \
			 (f) == VT_RCF_MMIO ? VT_MMIO_END - 2 : 255)
#define RCF_HI1(f)	((f) == VT_RCF_LR ? VT_MAX_LR : 255)
#define RCF_ENT(v, st)	{ sizeof(struct st), RCF(v), RCF_OFF(RCF(v)), \
			  RCF_LO0(RCF(v)), RCF_SPAN0(RCF(v)), RCF_HI1(RCF(v)), \
			  (VT_REC_MAX_SIZE - sizeof(struct st)) / 8, \
			  sizeof(struct st) }

/* (type 0, the one hole: no size is valid for vt_record_ok_room() either) */
const struct vt_rec_check_ent vt_rec_check_tab[VT_REC_END] = {
	[0] = { .base = 1u << 16 },
#define VT_REG_REC(N, v, n, st) [v] = RCF_ENT(v, st),
#include "../../include/vt_registry.def"
};

/* vt_record_ok_room(): sizes in 8-byte steps from the type's own */
#define VT_REG_REC(N, v, n, st) \
	_Static_assert(sizeof(struct st) % 8 == 0 && \
		       sizeof(struct st) <= VT_REC_MAX_SIZE, "size of " #st);
#include "../../include/vt_registry.def"
enum {
#define VT_REG_REC(N, v, n, st) RCF_COUNT_##N,
#include "../../include/vt_registry.def"
	RCF_NR_TYPES
};
_Static_assert(RCF_NR_TYPES == VT_REC_END - 1, "registry: record types 1..max");
_Static_assert((VT_REC_MAX_SIZE - sizeof(struct vt_hdr)) / 8 <= 255 &&
	       (1u << 16) - UINT16_MAX > 0 &&
	       ((0u - ((1u << 16) - UINT16_MAX)) >> 3) > 255,
	       "vt_record_ok_room() ranges");
_Static_assert(VT_GIC_V3 == VT_GIC_V2 + 1 && VT_VFIO_END >= 2 &&
	       VT_MMIO_END >= 2 && VT_MMIO_END - 2 <= 255 &&
	       VT_VFIO_END - 2 <= 255 && VT_MAX_LR <= 255,
	       "vt_record_ok() byte ranges");

/* the fast path's byte offsets are the ABI's */
_Static_assert(offsetof(struct vt_rec_lr, gic_version) == sizeof(struct vt_hdr) &&
	       offsetof(struct vt_rec_lr, used_lrs) == sizeof(struct vt_hdr) + 1 &&
	       offsetof(struct vt_rec_vfio, event) == sizeof(struct vt_hdr) &&
	       offsetof(struct vt_rec_mmio, reg) == sizeof(struct vt_hdr),
	       "vt_record_ok() field offsets");
_Static_assert(VT_REC_MAX_SIZE <= UINT16_MAX, "vt_rec_check_tab size");

const char *const vt_vfio_names[VT_VFIO_END] = {
#define VT_REG_VFIO(N, v, n) [v] = #n,
#include "../../include/vt_registry.def"
};

const char *const vt_mmio_names[VT_MMIO_END] = {
#define VT_REG_MMIO(N, v, n) [v] = #n,
#include "../../include/vt_registry.def"
};

const char *const vt_src_names[VT_SRC_END] = {
#define VT_REG_SRC(N, v, n) [v] = #n,
#include "../../include/vt_registry.def"
};

const char *const vt_deact_names[VT_DEACT_END] = {
#define VT_REG_DEACT(N, v, n) [v] = #n,
#include "../../include/vt_registry.def"
};

static const char *const backend_names[] = {
#define VT_REG_BACKEND(N, v, n) [v] = #n,
#include "../../include/vt_registry.def"
};

size_t vt_record_size(unsigned int type)
{
	if (type == 0 || type > VT_REC_MAX)
		return 0;
	return rec_types[type].size;
}

const char *vt_record_name(unsigned int type)
{
	if (type == 0 || type > VT_REC_MAX)
		return "unknown";
	return rec_types[type].name;
}

static int check_fields(const struct vt_hdr *rec, char *err, size_t errlen)
{
	const struct vt_rec_lr *lr;
	const struct vt_rec_vfio *vf;
	const struct vt_rec_mmio *mm;

	switch (rec->type) {
	case VT_REC_LR_FLUSH:
	case VT_REC_LR_FOLD:
		lr = (const void *)rec;
		if (lr->gic_version != VT_GIC_V2 && lr->gic_version != VT_GIC_V3) {
			snprintf(err, errlen, "%s: gic_version %u is not 2 or 3",
				 vt_record_name(rec->type), lr->gic_version);
			return -EINVAL;
		}
		if (lr->used_lrs > VT_MAX_LR) {
			snprintf(err, errlen, "%s: used_lrs %u > %u",
				 vt_record_name(rec->type), lr->used_lrs,
				 VT_MAX_LR);
			return -EINVAL;
		}
		break;
	case VT_REC_VFIO:
		vf = (const void *)rec;
		if (vf->event < 1 || vf->event >= VT_VFIO_END) {
			snprintf(err, errlen, "vfio: unknown event %u", vf->event);
			return -EINVAL;
		}
		break;
	case VT_REC_MMIO:
		mm = (const void *)rec;
		if (mm->reg < 1 || mm->reg >= VT_MMIO_END) {
			snprintf(err, errlen, "mmio: unknown register %u", mm->reg);
			return -EINVAL;
		}
		break;
	}
	return 0;
}

/* vt_record_check() without the fast path: the checks with messages */
int vt_record_check_full(const struct vt_hdr *rec, size_t avail,
			 char *err, size_t errlen)
{
	char dummy[4];
	size_t want;

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (avail < sizeof(*rec)) {
		snprintf(err, errlen, "%zu bytes, less than a record header",
			 avail);
		return -EINVAL;
	}
	want = vt_record_size(rec->type);
	if (!want) {
		snprintf(err, errlen, "unknown record type %u (size %u)",
			 rec->type, rec->size);
		return -EINVAL;
	}
	if (rec->size < want || rec->size > VT_REC_MAX_SIZE || rec->size % 8) {
		snprintf(err, errlen, "%s record with size %u, expected %zu",
			 vt_record_name(rec->type), rec->size, want);
		return -EINVAL;
	}
	if (rec->size > avail) {
		snprintf(err, errlen, "%s record of %u bytes, only %zu left",
			 vt_record_name(rec->type), rec->size, avail);
		return -EINVAL;
	}
	return check_fields(rec, err, errlen);
}

/* names[i] of a table indexed by value; "unknown" outside it or for a hole */
static const char *table_name(const char *const *names, size_t n,
			      unsigned int i)
{
	return i < n && names[i] ? names[i] : "unknown";
}

#define TABLE_NAME(names, i) \
	table_name(names, sizeof(names) / sizeof(names[0]), i)

const char *vt_vfio_event_name(unsigned int event)
{
	return TABLE_NAME(vt_vfio_names, event);
}

const char *vt_mmio_reg_name(unsigned int reg)
{
	return TABLE_NAME(vt_mmio_names, reg);
}

const char *vt_source_name(unsigned int src)
{
	return TABLE_NAME(vt_src_names, src);
}

const char *vt_deact_name(unsigned int how)
{
	return TABLE_NAME(vt_deact_names, how);
}

const char *vt_backend_name(unsigned int b)
{
	return TABLE_NAME(backend_names, b);
}

const char *vt_hook_name(unsigned int hook)
{
	static const char *const names[] = {
		[VT_HOOK_LR_FLUSH]		= "lr_flush",
		[VT_HOOK_LR_FOLD_V2]		= "lr_fold_v2",
		[VT_HOOK_LR_FOLD_V3]		= "lr_fold_v3",
		[VT_HOOK_INJECT]		= "inject",
		[VT_HOOK_ACK]			= "ack",
		[VT_HOOK_RESAMPLE]		= "resample",
		[VT_HOOK_IRQFD]			= "irqfd",
		[VT_HOOK_VFIO_HANDLER]		= "vfio_handler",
		[VT_HOOK_VFIO_MASK]		= "vfio_mask",
		[VT_HOOK_VFIO_UNMASK]		= "vfio_unmask",
		[VT_HOOK_VFIO_UNMASK_HANDLER]	= "vfio_unmask_handler",
		[VT_HOOK_MMIO_PENDING]		= "mmio_pending",
		[VT_HOOK_MMIO_ACTIVE]		= "mmio_active",
		[VT_HOOK_MMIO_ROUTE]		= "mmio_route",
		[VT_HOOK_DEACTIVATE_V3]		= "deactivate_v3",
		[VT_HOOK_DEACTIVATE_V2]		= "deactivate_v2",
		[VT_HOOK_FOLD_LR]		= "fold_lr",
	};

	return TABLE_NAME(names, hook);
}
