/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_lr.h - decode GICv2 GICH_LR and GICv3 ICH_LR_EL2 list registers.
 */
#ifndef VT_LR_H
#define VT_LR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <vgic_trace_abi.h>

/* LR state, as the two STATE bits: bit 0 pending, bit 1 active. */
#define VT_LR_INVALID	0
#define VT_LR_P		1
#define VT_LR_A		2
#define VT_LR_PA	3

/**
 * struct vt_lr - a decoded list register
 * @state:	VT_LR_INVALID / _P / _A / _PA
 * @hw:		HW bit: deactivation forwarded to @pintid
 * @eoi:	EOI maintenance requested (only meaningful when !@hw)
 * @group:	1 for group 1 (GICv3 GROUP / GICv2 GROUP1)
 * @priority:	priority as the guest sees it (GICv2: 5 bits << 3)
 * @cpuid:	GICv2 SGI source CPU when !@hw, else 0
 * @vintid:	virtual INTID
 * @pintid:	physical INTID when @hw, else 0
 *
 * 16 bytes (@cpuid, 3 bits, beside the other small fields): the LR
 * handlers copy one into each event, two 8-byte moves.
 */
struct vt_lr {
	uint8_t state;
	bool hw;
	bool eoi;
	uint8_t group;
	uint8_t priority;
	uint8_t cpuid;
	uint32_t vintid;
	uint32_t pintid;
};
_Static_assert(sizeof(struct vt_lr) == 16, "struct vt_lr: 16 bytes");

/**
 * vt_lr_decode() - decode a raw list register value
 * @gic_version: VT_GIC_V2 (low 32 bits used) or VT_GIC_V3
 * @raw:	raw value
 * @out:	decoded fields
 *
 * Return: 0, or -EINVAL for an unknown @gic_version.
 */
int vt_lr_decode(unsigned int gic_version, uint64_t raw, struct vt_lr *out);

/*
 * vt_lr_decode_fast()'s tables by the top 4 bits (GROUP, HW, PENDING,
 * ACTIVE) of an ICH_LR_EL2: vt_lr_v3lo[], bytes 0-7 of the struct vt_lr,
 * with bit 16 (eoi) set when HW is clear (EOI may then be set);
 * vt_lr_v3hi[], the bits of bytes 8-15 kept: vINTID, and pINTID when HW
 * is set (two tables of 8-byte entries: one scaled load each)
 */
extern const uint64_t vt_lr_v3lo[16], vt_lr_v3hi[16];

/**
 * vt_lr_decode_words() - vt_lr_decode_fast() as the two 8-byte words of
 * the struct vt_lr it writes (its bytes 0-7 and 8-15, in memory order),
 * for the handlers to keep the decoded LR in registers: its fields by
 * vt_lrw_state(), vt_lrw_eoi() and vt_lrw_vintid()
 * @gic_version: VT_GIC_V2 (low 32 bits used) or VT_GIC_V3
 * @raw:	raw value
 * @w:		the words; all zero for an unknown @gic_version
 *
 * Return: true if decoded, false for an unknown @gic_version.
 */
static inline bool vt_lr_decode_words(unsigned int gic_version, uint64_t raw,
				      uint64_t w[2])
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * Branch-free: the 16 bytes built as two words, bytes 0-7 (state,
	 * hw, eoi, group, priority, cpuid, two zero bytes of padding) and
	 * 8-15 (vintid, pintid). GICv3: a table by the top 4 bits gives
	 * state, hw and group, the EOI bit allowed (without HW) and the
	 * pINTID mask (with HW).
	 */
	uint64_t hw, nohw;
	uint32_t v = (uint32_t)raw;

	if (__builtin_expect(gic_version == VT_GIC_V3, 1)) {
		unsigned int t = (unsigned int)(raw >> 60);

		w[0] = (vt_lr_v3lo[t] & ((raw >> 25) | ~(1ull << 16))) |
		       (raw >> 16 & 0xffull << 32);
		w[1] = raw & vt_lr_v3hi[t];
	} else if (gic_version == VT_GIC_V2) {
		hw = v >> 31;
		nohw = hw - 1;
		w[0] = ((v >> 28) & 3) | hw << 8 | ((v >> 3) & nohw & 1 << 16) |
		       ((v >> 6) & 1 << 24) |
		       (uint64_t)((v & VT_GICH_LR_PRIO_MASK) >> 20) << 32 |
		       ((uint64_t)(v & VT_GICH_LR_CPUID_MASK) << 30 & nohw);
		w[1] = (v & VT_GICH_LR_VINTID_MASK) |
		       ((uint64_t)(v & VT_GICH_LR_PHYS_MASK) << 22 & ~nohw);
	} else {
		w[0] = w[1] = 0;
		return false;
	}
	return true;
#else
	struct vt_lr o = { 0 };
	uint32_t v = (uint32_t)raw;
	bool ok = true;

	if (gic_version == VT_GIC_V3) {
		o.state = (uint8_t)(raw >> 62);		/* P bit 62, A bit 63 */
		o.hw = (raw >> 61) & 1;
		o.group = (raw >> 60) & 1;
		o.priority = (uint8_t)(raw >> VT_ICH_LR_PRIO_SHIFT);
		o.vintid = v;
		if (o.hw)
			o.pintid = (uint32_t)((raw & VT_ICH_LR_PINTID_MASK) >>
					      VT_ICH_LR_PINTID_SHIFT);
		else
			o.eoi = (raw >> 41) & 1;	/* pINTID[9] with HW */
	} else if (gic_version == VT_GIC_V2) {
		o.state = (uint8_t)((v >> 28) & 3);	/* P bit 28, A bit 29 */
		o.hw = v >> 31;
		o.group = (v >> 30) & 1;
		o.priority = (uint8_t)(((v & VT_GICH_LR_PRIO_MASK) >>
					VT_GICH_LR_PRIO_SHIFT) << 3);
		o.vintid = v & VT_GICH_LR_VINTID_MASK;
		if (o.hw) {
			o.pintid = (v & VT_GICH_LR_PHYS_MASK) >>
				   VT_GICH_LR_PHYS_SHIFT;
		} else {
			o.cpuid = (uint8_t)((v & VT_GICH_LR_CPUID_MASK) >>
					    VT_GICH_LR_PHYS_SHIFT);
			o.eoi = (v >> 19) & 1;
		}
	} else {
		ok = false;
	}
	memcpy(w, &o, sizeof(o));
	return ok;
#endif
}

/* the fields of the words of vt_lr_decode_words(): w[0] state and eoi */
static inline unsigned int vt_lrw_state(uint64_t w0)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint8_t)w0;
#else
	return (uint8_t)(w0 >> 56);
#endif
}

static inline bool vt_lrw_eoi(uint64_t w0)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (w0 >> 16) & 1;
#else
	return (w0 >> 40) & 1;
#endif
}

/* w[1]: vintid */
static inline uint32_t vt_lrw_vintid(uint64_t w1)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint32_t)w1;
#else
	return (uint32_t)(w1 >> 32);
#endif
}

/**
 * vt_lr_decode_fast() - vt_lr_decode() inline, every field assigned (the
 * handlers decode each LR of each LR record: no memset, no call)
 * @gic_version: VT_GIC_V2 (low 32 bits used) or VT_GIC_V3
 * @raw:	raw value
 * @out:	decoded fields; all zero for an unknown @gic_version
 *
 * Return: true if decoded, false for an unknown @gic_version.
 */
static inline bool vt_lr_decode_fast(unsigned int gic_version, uint64_t raw,
				     struct vt_lr *out)
{
	uint64_t w[2];
	bool ok = vt_lr_decode_words(gic_version, raw, w);

	memcpy(out, w, sizeof(w));
	return ok;
}

_Static_assert(VT_ICH_LR_PENDING == 1ull << 62 && VT_ICH_LR_ACTIVE == 1ull << 63 &&
	       VT_ICH_LR_HW == 1ull << 61 && VT_ICH_LR_GROUP == 1ull << 60 &&
	       VT_ICH_LR_EOI == 1ull << 41 && VT_GICH_LR_PENDING == 1u << 28 &&
	       VT_GICH_LR_ACTIVE == 1u << 29 && VT_GICH_LR_HW == 1u << 31 &&
	       VT_GICH_LR_GROUP1 == 1u << 30 && VT_GICH_LR_EOI == 1u << 19 &&
	       VT_LR_P == 1 && VT_LR_A == 2 && VT_GICH_LR_PRIO_SHIFT == 23 &&
	       VT_GICH_LR_PHYS_SHIFT == 10 && VT_ICH_LR_PINTID_SHIFT == 32 &&
	       VT_ICH_LR_PRIO_SHIFT == 48, "vt_lr_decode_fast() bits");
_Static_assert(offsetof(struct vt_lr, hw) == 1 && offsetof(struct vt_lr, eoi) == 2 &&
	       offsetof(struct vt_lr, group) == 3 &&
	       offsetof(struct vt_lr, priority) == 4 &&
	       offsetof(struct vt_lr, cpuid) == 5 &&
	       offsetof(struct vt_lr, vintid) == 8 &&
	       offsetof(struct vt_lr, pintid) == 12, "vt_lr_decode_fast() layout");

/**
 * vt_lr_guest_eoied_st() - vt_lr_guest_eoied() of two states
 * @in:		state at entry (VT_LR_*)
 * @out:	state at exit
 *
 * Return: true if a deactivation happened between entry and exit.
 */
static inline bool vt_lr_guest_eoied_st(unsigned int in, unsigned int out)
{
	/* bit (in * 4 + out): A/P+A -> P/inv, P+A -> A, P -> inv */
	return (0x7310u >> ((in & 3) * 4 + (out & 3))) & 1;
}

/**
 * vt_lr_encode() - build a raw list register value (tests, importer)
 * @gic_version: VT_GIC_V2 or VT_GIC_V3
 * @lr:		fields to encode
 * @raw:	the value
 *
 * Return: 0, or -EINVAL for an unknown version or out-of-range field.
 */
int vt_lr_encode(unsigned int gic_version, const struct vt_lr *lr,
		 uint64_t *raw);

/**
 * vt_lr_state_name() - "inv", "P", "A" or "P+A"
 * @state:	VT_LR_*
 *
 * Return: static string.
 */
const char *vt_lr_state_name(unsigned int state);

/* vt_lr_state_name()'s table, indexed by a decoded state (0-3) directly */
extern const char *const vt_lr_state_names[4];

/**
 * vt_lr_signals_eoi() - what KVM's lr_signals_eoi_mi() computes
 * @lr:		decoded LR
 *
 * Return: true when the state is invalid, EOI is set and HW is clear.
 */
bool vt_lr_signals_eoi(const struct vt_lr *lr);

/**
 * vt_lr_guest_eoied() - did the guest EOI (deactivate) this IRQ in a run?
 * @entry:	LR as loaded at guest entry
 * @exit:	the same LR as read back at guest exit
 *
 * True for A -> P or invalid, P+A -> P, A or invalid (P+A -> A means the
 * old activation was deactivated and the pending one acknowledged) and
 * P -> invalid (acknowledged and deactivated within the run).
 *
 * Return: true if a deactivation happened between entry and exit.
 */
bool vt_lr_guest_eoied(const struct vt_lr *entry, const struct vt_lr *exit);

/**
 * vt_lr_format() - one-line text form, e.g. "v3 vINTID 32 A EOI G1 prio 0x80"
 * @gic_version: VT_GIC_V2 or VT_GIC_V3
 * @raw:	raw value
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf.
 */
char *vt_lr_format(unsigned int gic_version, uint64_t raw, char *buf,
		   size_t len);

#endif /* VT_LR_H */
