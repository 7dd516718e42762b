/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_raw.h - a raw record stream (what read() on /dev/vgic_trace or a
 * BPF ring buffer consumer gives: records concatenated, no framing).
 */
#ifndef VT_RAW_H
#define VT_RAW_H

#include <stddef.h>
#include <stdint.h>
#include <vgic_trace_abi.h>

/**
 * struct vt_raw_parser - splits a byte stream into records
 * @buf:	bytes not yet returned (one partial record at most)
 * @len:	bytes in @buf
 * @offset:	stream offset of @buf[0]
 * @records:	records returned
 *
 * Feed bytes with vt_raw_push(), take records with vt_raw_next().
 */
struct vt_raw_parser {
	uint8_t buf[VT_REC_MAX_SIZE * 64];
	size_t len;
	size_t pos;
	uint64_t offset;
	uint64_t records;
};

/**
 * vt_raw_init() - reset a parser
 * @p:		parser
 */
void vt_raw_init(struct vt_raw_parser *p);

/**
 * vt_raw_push() - add bytes
 * @p:		parser
 * @data:	bytes
 * @len:	number of bytes
 *
 * Return: bytes taken (may be less than @len when the buffer is full:
 * take records with vt_raw_next() and push the rest again).
 */
size_t vt_raw_push(struct vt_raw_parser *p, const void *data, size_t len);

/**
 * vt_raw_next() - next complete record
 * @p:		parser
 * @rec:	set to the record, valid until the next push
 * @err:	message buffer for -EINVAL
 * @errlen:	size of @err
 *
 * Return: 1 with *@rec, 0 when more bytes are needed, -EINVAL for an
 * invalid record (bad type or size; the stream cannot be resynchronised
 * and @err names the offset).
 */
int vt_raw_next(struct vt_raw_parser *p, const struct vt_hdr **rec,
		char *err, size_t errlen);

/**
 * vt_raw_leftover() - bytes of an incomplete record at end of stream
 * @p:		parser
 *
 * Return: bytes pending (non-zero at EOF means a truncated last record).
 */
size_t vt_raw_leftover(const struct vt_raw_parser *p);

#endif /* VT_RAW_H */
