/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_lbuf.h - text output built in a buffer and written with one fwrite()
 * a line or less: stats and report print 10^5 IRQs as 10^5 lines of ~20
 * fields, where a printf() per line cost more than the whole analysis.
 * Each vt_lb_*() appends at most VT_LB_FIELD bytes (a string field is cut
 * there); call vt_lb_room() before each field of a line that may be long.
 */
#ifndef VT_LBUF_H
#define VT_LBUF_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* the longest single field */
#define VT_LB_FIELD		64

/**
 * struct vt_lbuf - a line buffer in front of a stdio stream
 * @f: where it is written
 * @n: bytes buffered
 * @b: the bytes
 */
struct vt_lbuf {
	FILE *f;
	size_t n;
	char b[4096];
};

/**
 * vt_lb_init() - start an empty buffer in front of @f
 * @l: the buffer
 * @f: the stream it writes to
 */
static inline void vt_lb_init(struct vt_lbuf *l, FILE *f)
{
	l->f = f;
	l->n = 0;
}

/**
 * vt_lb_flush() - write out what is buffered
 * @l: the buffer
 */
static inline void vt_lb_flush(struct vt_lbuf *l)
{
	if (l->n)
		fwrite(l->b, 1, l->n, l->f);
	l->n = 0;
}

/**
 * vt_lb_room() - flush @l unless a few more fields fit
 * @l: the buffer
 */
static inline void vt_lb_room(struct vt_lbuf *l)
{
	if (l->n > sizeof(l->b) - 4 * VT_LB_FIELD)
		vt_lb_flush(l);
}

/**
 * vt_lb_ch() - append one character
 * @l: the buffer
 * @c: the character
 */
static inline void vt_lb_ch(struct vt_lbuf *l, char c)
{
	l->b[l->n++] = c;
}

/**
 * vt_lb_strw() - append @s padded with blanks to @width (printf "%*s")
 * @l: the buffer
 * @s: the string (NUL-terminated); at most VT_LB_FIELD - 1 bytes of it
 * @width: the field's width, negative: left-aligned ("%-*s")
 */
static inline void vt_lb_strw(struct vt_lbuf *l, const char *s, int width)
{
	size_t k = strlen(s);
	size_t w = (size_t)(width < 0 ? -width : width);
	size_t pad = w > k ? w - k : 0;

	if (k > VT_LB_FIELD - 1)
		k = VT_LB_FIELD - 1;
	if (pad > VT_LB_FIELD)
		pad = VT_LB_FIELD;
	if (width > 0) {
		memset(l->b + l->n, ' ', pad);
		l->n += pad;
	}
	memcpy(l->b + l->n, s, k);
	l->n += k;
	if (width < 0) {
		memset(l->b + l->n, ' ', pad);
		l->n += pad;
	}
}

/**
 * vt_lb_str() - append @s (at most VT_LB_FIELD - 1 bytes of it)
 * @l: the buffer
 * @s: the string
 */
static inline void vt_lb_str(struct vt_lbuf *l, const char *s)
{
	vt_lb_strw(l, s, 0);
}

/**
 * vt_lb_u64w() - append @v in decimal, right-aligned in @width ("%*llu")
 * @l: the buffer
 * @v: the number
 * @width: the field's minimum width (0: none; at most 24)
 */
static inline void vt_lb_u64w(struct vt_lbuf *l, uint64_t v, unsigned int width)
{
	char t[24];
	unsigned int i = 0;

	do {
		t[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (width > i && width <= sizeof(t)) {
		l->b[l->n++] = ' ';
		width--;
	}
	while (i)
		l->b[l->n++] = t[--i];
}

/**
 * vt_lb_u64() - append @v in decimal ("%llu")
 * @l: the buffer
 * @v: the number
 */
static inline void vt_lb_u64(struct vt_lbuf *l, uint64_t v)
{
	vt_lb_u64w(l, v, 0);
}

#endif /* VT_LBUF_H */
