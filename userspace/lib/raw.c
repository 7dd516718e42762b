// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * raw.c - split a raw record stream (module read() / ring buffer dump)
 * into validated records.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vt_raw.h"
#include "vt_record.h"

void vt_raw_init(struct vt_raw_parser *p)
{
	memset(p, 0, sizeof(*p));
}

size_t vt_raw_push(struct vt_raw_parser *p, const void *data, size_t len)
{
	size_t room;

	if (p->pos) {
		memmove(p->buf, p->buf + p->pos, p->len - p->pos);
		p->len -= p->pos;
		p->offset += p->pos;
		p->pos = 0;
	}
	room = sizeof(p->buf) - p->len;
	if (len > room)
		len = room;
	memcpy(p->buf + p->len, data, len);
	p->len += len;
	return len;
}

int vt_raw_next(struct vt_raw_parser *p, const struct vt_hdr **rec,
		char *err, size_t errlen)
{
	const struct vt_hdr *h;
	size_t avail = p->len - p->pos;
	char msg[100];
	int ret;

	if (avail < sizeof(*h))
		return 0;
	h = (const void *)(p->buf + p->pos);
	if (h->size > avail && vt_record_size(h->type) &&
	    h->size <= VT_REC_MAX_SIZE)
		return 0;	/* plausible record, wait for the rest */
	ret = vt_record_check(h, avail, msg, sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "record %llu at byte offset %llu: %s",
			 (unsigned long long)p->records,
			 (unsigned long long)(p->offset + p->pos), msg);
		return ret;
	}
	p->pos += h->size;
	p->records++;
	*rec = h;
	return 1;
}

size_t vt_raw_leftover(const struct vt_raw_parser *p)
{
	return p->len - p->pos;
}
