/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_record.h - checks and names for ABI records. The names and value
 * ranges come from include/vt_registry.def.
 */
#ifndef VT_RECORD_H
#define VT_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <vgic_trace_abi.h>

/* one past the last value of each registry list (values are contiguous) */
enum {
#define VT_REG_REC(N, v, n, st) VT_REC_END_AFTER_##N = (v),
#include "../../include/vt_registry.def"
	VT_REC_END
};
enum {
#define VT_REG_VFIO(N, v, n) VT_VFIO_END_AFTER_##N = (v),
#include "../../include/vt_registry.def"
	VT_VFIO_END
};
enum {
#define VT_REG_MMIO(N, v, n) VT_MMIO_END_AFTER_##N = (v),
#include "../../include/vt_registry.def"
	VT_MMIO_END
};
enum {
#define VT_REG_SRC(N, v, n) VT_SRC_END_AFTER_##N = (v),
#include "../../include/vt_registry.def"
	VT_SRC_END
};
enum {
#define VT_REG_DEACT(N, v, n) VT_DEACT_END_AFTER_##N = (v),
#include "../../include/vt_registry.def"
	VT_DEACT_END
};

/*
 * Name tables indexed by value (NULL for a value without a name), for
 * parsers: vt_vfio_names[VT_VFIO_END] etc.
 */
extern const char *const vt_vfio_names[VT_VFIO_END];
extern const char *const vt_mmio_names[VT_MMIO_END];
extern const char *const vt_src_names[VT_SRC_END];
extern const char *const vt_deact_names[VT_DEACT_END];

/**
 * vt_record_size() - expected size of a record type
 * @type:	VT_REC_*
 *
 * Return: size in bytes, 0 for an unknown type.
 */
size_t vt_record_size(unsigned int type);

/**
 * vt_record_name() - short name of a record type ("lr_flush", ...)
 * @type:	VT_REC_*
 *
 * Return: static string, "unknown" for an unknown type.
 */
const char *vt_record_name(unsigned int type);

/**
 * vt_record_check() - validate one record
 * @rec:	record
 * @avail:	bytes available at @rec
 * @err:	message buffer (may be NULL)
 * @errlen:	size of @err
 *
 * Checks that the header fits, the type is known, the size is the
 * type's size (a larger, 8-byte aligned size up to VT_REC_MAX_SIZE is
 * accepted as a newer minor ABI) and fits in @avail, and that the
 * type's own fields are in range (e.g. used_lrs <= VT_MAX_LR).
 *
 * Return: 0 or -EINVAL with @err set.
 */
int vt_record_check_full(const struct vt_hdr *rec, size_t avail,
			 char *err, size_t errlen);

/* field checks of vt_rec_check_tab[].fields */
enum { VT_RCF_NONE, VT_RCF_LR, VT_RCF_VFIO, VT_RCF_MMIO };

/*
 * Per record type, from the registry: @size the type's size (0 for a
 * hole), @fields which VT_RCF_* check its own fields need, and that check
 * as two byte ranges at byte offset @off of the record: b[off] - @lo0 <=
 * @span0 and b[off + 1] <= @hi1 (@off 0 and full ranges for a type
 * without a field check: the header's own bytes, always true).
 */
struct vt_rec_check_ent {
	uint16_t size;
	uint8_t fields;
	uint8_t off;
	uint8_t lo0;
	uint8_t span0;
	uint8_t hi1;
	uint8_t span8;		/* (VT_REC_MAX_SIZE - @size) / 8 */
	uint32_t base;		/* @size; above any size for a hole */
};
extern const struct vt_rec_check_ent vt_rec_check_tab[VT_REC_END];

/*
 * The table-driven fast path of vt_record_check(): 1 when @rec is valid.
 * Any failure goes to vt_record_check_full() for the message. The field
 * check has no branch on the type (the record mix is unpredictable).
 */
static inline int vt_record_ok(const struct vt_hdr *rec, size_t avail)
{
	const struct vt_rec_check_ent *t;
	const uint8_t *b = (const uint8_t *)rec;
	unsigned int sz;

	if (avail < sizeof(*rec) || rec->type >= VT_REC_END)
		return 0;
	t = &vt_rec_check_tab[rec->type];
	sz = rec->size;
	if (!t->size || sz < t->size || sz > VT_REC_MAX_SIZE || (sz & 7) ||
	    sz > avail)
		return 0;
	b += t->off;
	return ((uint8_t)(b[0] - t->lo0) <= t->span0) & (b[1] <= t->hi1);
}

/*
 * vt_record_ok() for a record with at least VT_REC_MAX_SIZE bytes
 * available (a v1 chunk's records but its last few): the size checks in
 * one compare. A size of the type's size plus a multiple of 8 up to
 * VT_REC_MAX_SIZE is @base + 8 * k, k <= @span8 (the registry's sizes are
 * multiples of 8): rotated right by 3 bits, size - @base is k, and any
 * other size (smaller: it wraps; not a multiple of 8: its low bits go on
 * top; larger; a hole's) is above @span8.
 */
static inline int vt_record_ok_room(const struct vt_hdr *rec)
{
	const struct vt_rec_check_ent *t;
	const uint8_t *b = (const uint8_t *)rec;
	uint32_t d;

	if (rec->type >= VT_REC_END)
		return 0;
	t = &vt_rec_check_tab[rec->type];
	d = (uint32_t)rec->size - t->base;
	d = (d >> 3) | (d << 29);
	b += t->off;
	return (d <= t->span8) & ((uint8_t)(b[0] - t->lo0) <= t->span0) &
	       (b[1] <= t->hi1);
}

static inline int vt_record_check(const struct vt_hdr *rec, size_t avail,
				  char *err, size_t errlen)
{
	if (__builtin_expect(vt_record_ok(rec, avail), 1))
		return 0;
	return vt_record_check_full(rec, avail, err, errlen);
}

/**
 * vt_vfio_event_name() - name of a VT_VFIO_* event
 * @event:	VT_VFIO_*
 *
 * Return: static string.
 */
const char *vt_vfio_event_name(unsigned int event);

/**
 * vt_mmio_reg_name() - name of a VT_MMIO_* register ("ICACTIVER", ...)
 * @reg:	VT_MMIO_*
 *
 * Return: static string.
 */
const char *vt_mmio_reg_name(unsigned int reg);

/**
 * vt_hook_name() - name of a VT_HOOK_* hook
 * @hook:	VT_HOOK_*
 *
 * Return: static string.
 */
const char *vt_hook_name(unsigned int hook);

/**
 * vt_source_name() - name of a VT_SRC_* inject source ("irqfd", ...)
 * @src:	VT_SRC_*
 *
 * Return: static string, "unknown" outside the registry.
 */
const char *vt_source_name(unsigned int src);

/**
 * vt_deact_name() - name of a VT_DEACT_* deactivation ("dir", ...)
 * @how:	VT_DEACT_*
 *
 * Return: static string.
 */
const char *vt_deact_name(unsigned int how);

/**
 * vt_backend_name() - "module", "bpf", "replay" or "unknown"
 * @b:		VT_BACKEND_*
 *
 * Return: static string.
 */
const char *vt_backend_name(unsigned int b);

#endif /* VT_RECORD_H */
