/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_tracefile_v2.h - record coding of trace file format 2.0 (internal
 * to the trace reader and writer; the layout is in tracefile_v2.c).
 */
#ifndef VT_TRACEFILE_V2_H
#define VT_TRACEFILE_V2_H

#include <stddef.h>
#include <stdint.h>
#include <vgic_trace_abi.h>

#define VT_V2_TYPES		16	/* types with a per-type (vm, vcpu) */
#define VT_V2_MAX_CODED		(VT_REC_MAX_SIZE + VT_REC_MAX_SIZE / 8 + 48)

/**
 * struct vt_v2_ctx - coding state of one chunk (reset at each chunk)
 * @ts:		previous record's ts_ns
 * @cpu:	previous record's cpu
 * @vm, @vcpu:	previous record of each type's ids
 * @used:	@used[n] set: @body[n] was used in this chunk (an unused one
 *		is all zero: it is cleared when first used, not at each reset)
 * @body:	last body coded in each of 256 contexts
 */
struct vt_v2_ctx {
	uint64_t ts;
	uint32_t cpu;
	uint32_t vm[VT_V2_TYPES];
	uint32_t vcpu[VT_V2_TYPES];
	uint8_t used[256];
	uint8_t body[256][VT_REC_MAX_SIZE - sizeof(struct vt_hdr)];
};

/**
 * vt_v2_reset() - start a chunk
 * @c:		state
 */
void vt_v2_reset(struct vt_v2_ctx *c);

/**
 * vt_v2_encode() - code one valid record
 * @c:		state
 * @rec:	record (checked by the caller)
 * @out:	at least VT_V2_MAX_CODED bytes
 *
 * Return: bytes written.
 */
size_t vt_v2_encode(struct vt_v2_ctx *c, const struct vt_hdr *rec, uint8_t *out);

/**
 * vt_v2_decode() - decode one record
 * @c:		state
 * @in:		coded bytes
 * @avail:	bytes available at @in
 * @rec:	output, VT_REC_MAX_SIZE bytes, 8-byte aligned
 * @used:	set to the bytes consumed
 *
 * Return: 0, or -EBADMSG for bytes that are no valid coding (the caller
 * still validates the record with vt_record_check()).
 */
int vt_v2_decode(struct vt_v2_ctx *c, const uint8_t *in, size_t avail,
		 struct vt_hdr *rec, size_t *used);

/**
 * vt_v2_decode_run() - decode records one after the other into a block
 * @c:		state
 * @in:		the chunk's coded bytes
 * @len:	their number
 * @pos:	offset of the next record in @in; advanced past the decoded ones
 * @out:	where the next record goes (VT_REC_MAX_SIZE bytes at each of
 *		the @max first positions); advanced past the decoded ones
 * @max:	the most records to decode
 * @err:	set to 0, or to 1 for bytes at *@pos that are no valid
 *		coding, or 2 for a record at *@out that vt_record_ok_room()
 *		rejects (neither one counted nor passed)
 *
 * vt_v2_decode() and vt_record_ok_room() of each, inline, as long as
 * fewer than @max are decoded and *@pos < @len (the reader's fast path).
 *
 * Return: the number of records decoded.
 */
uint32_t vt_v2_decode_run(struct vt_v2_ctx *c, const uint8_t *in, size_t len,
			  size_t *pos, uint8_t **out, uint32_t max, int *err);

/* tests: 0 makes vt_v2_decode_run() take its plain code (default 1) */
extern int vt_v2_use_shuf;

/**
 * vt_v2_decode_impl() - which code vt_v2_decode_run() runs
 *
 * Return: 1 for PSHUFB (x86-64 with SSSE3, vt_v2_use_shuf set), 0 for
 * the plain byte code.
 */
int vt_v2_decode_impl(void);

#endif /* VT_TRACEFILE_V2_H */
