// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tracefile_v2.c - record coding of trace file format 2.0 (see
 * vt_tracefile.h). Each chunk is coded on its own (the state is reset at
 * every chunk), so a truncated or corrupted file still yields every
 * intact chunk.
 *
 * One record:
 *   tag      byte: bits 0-3 type (15: a varint type follows),
 *            bit 4: size differs from the type's size (varint follows),
 *            bit 5: cpu as the previous record's,
 *            bit 6: vm_id/vcpu_id as the previous record of this type's
 *   ts       zigzag varint, delta to the previous record's ts_ns
 *   cpu      varint (unless bit 5)
 *   vm, vcpu varints, vcpu + 1 (VT_NO_VCPU -> 0) (unless bit 6)
 *   body     the bytes after struct vt_hdr as 64-bit words, each XORed
 *            with the same word of the last record coded with the same
 *            context (type, vm, vcpu hashed to one of 256 slots): a
 *            varint bitmask of the words that changed, then per changed
 *            word a byte mask of its changed bytes and those bytes.
 * An LR record of a vCPU thus carries only the LR words that changed
 * since that vCPU's previous entry/exit.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "vt_record.h"
#ifdef __x86_64__
#include <emmintrin.h>
#endif
#include "vt_tracefile_v2.h"

/* (the bodies are cleared as they are first used: see ctx_body()) */
void vt_v2_reset(struct vt_v2_ctx *c)
{
	memset(c, 0, offsetof(struct vt_v2_ctx, body));
}

/*
 * The body of context @slot, all zero at its first use in the chunk (a
 * chunk uses a few of the 256: clearing them all at each reset cost more
 * than the chunk's decoding saved).
 */
static inline __attribute__((always_inline)) uint8_t *
ctx_body(struct vt_v2_ctx *c, unsigned int slot)
{
	if (__builtin_expect(!c->used[slot], 0)) {
		c->used[slot] = 1;
		memset(c->body[slot], 0, sizeof(c->body[slot]));
	}
	return c->body[slot];
}

static unsigned int ctx_slot(unsigned int type, uint32_t vm, uint32_t vcpu)
{
	uint64_t k = ((uint64_t)type << 56) ^ ((uint64_t)vm << 24) ^ vcpu;

	k *= 0x9e3779b97f4a7c15ull;
	return (unsigned int)(k >> 56);
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static const uint8_t *get_varint(const uint8_t *p, const uint8_t *end,
				 uint64_t *v)
{
	unsigned int shift = 0;
	uint64_t r = 0;

	while (p < end && shift < 64) {
		r |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80)) {
			*v = r;
			return p;
		}
		shift += 7;
	}
	return NULL;
}

size_t vt_v2_encode(struct vt_v2_ctx *c, const struct vt_hdr *rec, uint8_t *out)
{
	unsigned int type = rec->type, nw, i, b, slot;
	uint8_t *p = out, *tag = out, *wm;
	uint64_t mask = 0, x, d;
	const uint8_t *body = (const uint8_t *)rec + sizeof(*rec);
	uint8_t *prev;
	int64_t dt;

	p++;
	*tag = type < 15 ? (uint8_t)type : 15;
	if (type >= 15)
		p = put_varint(p, type);
	if (rec->size != vt_record_size(type)) {
		*tag |= 0x10;
		p = put_varint(p, rec->size);
	}
	dt = (int64_t)(rec->ts_ns - c->ts);
	p = put_varint(p, ((uint64_t)dt << 1) ^ (uint64_t)(dt >> 63));
	c->ts = rec->ts_ns;
	if (rec->cpu == c->cpu)
		*tag |= 0x20;
	else
		p = put_varint(p, rec->cpu);
	c->cpu = rec->cpu;
	if (type < VT_V2_TYPES && c->vm[type] == rec->vm_id &&
	    c->vcpu[type] == rec->vcpu_id) {
		*tag |= 0x40;
	} else {
		p = put_varint(p, rec->vm_id);
		p = put_varint(p, (uint32_t)(rec->vcpu_id + 1));
	}
	if (type < VT_V2_TYPES) {
		c->vm[type] = rec->vm_id;
		c->vcpu[type] = rec->vcpu_id;
	}
	nw = (rec->size - (unsigned int)sizeof(*rec)) / 8;
	if (!nw)
		return (size_t)(p - out);
	slot = ctx_slot(type, rec->vm_id, rec->vcpu_id);
	prev = ctx_body(c, slot);
	/* the word mask goes first; reserve its room, fill it after */
	for (i = 0; i < nw && i < 64; i++) {
		memcpy(&x, body + 8 * i, 8);
		memcpy(&d, prev + 8 * i, 8);
		if (x != d)
			mask |= 1ull << i;
	}
	p = put_varint(p, mask);
	for (i = 0; i < nw && i < 64; i++) {
		if (!(mask & (1ull << i)))
			continue;
		memcpy(&x, body + 8 * i, 8);
		memcpy(&d, prev + 8 * i, 8);
		x ^= d;
		wm = p++;
		*wm = 0;
		for (b = 0; b < 8; b++, x >>= 8)
			if (x & 0xff) {
				*wm |= (uint8_t)(1u << b);
				*p++ = (uint8_t)x;
			}
	}
	memcpy(prev, body, nw * 8 < sizeof(c->body[0]) ? nw * 8 : sizeof(c->body[0]));
	return (size_t)(p - out);
}

/*
 * Copy @nw (>= 1) 64-bit words: the last word, then @nw / 2 16-byte moves
 * from the start, entered at the first one needed (no loop; the last word
 * twice for an even @nw); faster than a variable-length memcpy(), which
 * compiles to "rep movsq" here.
 */
static inline void copy_words(uint8_t *dst, const uint8_t *src, unsigned int nw)
{
	memcpy(dst + 8 * (nw - 1), src + 8 * (nw - 1), 8);
#define CW(k)	case k + 1: memcpy(dst + 16 * k, src + 16 * k, 16); \
		__attribute__((fallthrough))
	switch (nw / 2) {
	CW(14); CW(13); CW(12); CW(11); CW(10); CW(9); CW(8); CW(7);
	CW(6); CW(5); CW(4); CW(3); CW(2); CW(1); CW(0);
	default:
		break;
	}
#undef CW
}
_Static_assert((VT_REC_MAX_SIZE - sizeof(struct vt_hdr)) / 16 <= 15,
	       "copy_words() covers every body");

/* get_varint() with the one-byte case inline: NULL on a bad coding */
#define GET_VARINT(p, end, v) \
	((p) < (end) && !(*(p) & 0x80) ? ((v) = *(p), (p) + 1) : \
	 get_varint(p, end, &(v)))

/*
 * The most bytes one record's decoding can read, valid or not: the tag,
 * seven varints of at most 10 bytes (type, size, ts, cpu, vm, vcpu, word
 * mask) and per body word a byte mask and 8 bytes; plus 8 for the 8-byte
 * load of a word's changed bytes (get_word()).
 */
#define V2_MAX_READ	(1 + 7 * 10 + \
			 9 * ((VT_REC_MAX_SIZE - sizeof(struct vt_hdr)) / 8) + 8)

/* get_varint() for input that holds at least 10 more bytes */
static const uint8_t *get_varint_long(const uint8_t *p, uint64_t *v)
{
	unsigned int shift;
	uint64_t r = 0, b;

	for (shift = 0; shift < 64; shift += 7) {
		b = *p++;
		r |= (b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return p;
		}
	}
	return NULL;
}

/* the same, with the one- and two-byte codings (most fields) inline */
static inline __attribute__((always_inline)) const uint8_t *
get_varint_room(const uint8_t *p, uint64_t *v)
{
	if (!(p[0] & 0x80)) {
		*v = p[0];
		return p + 1;
	}
	if (!(p[1] & 0x80)) {
		*v = (p[0] & 0x7fu) | (uint64_t)p[1] << 7;
		return p + 2;
	}
	return get_varint_long(p, v);
}

/* the low @n bytes of a word, n = 0..8 */
static const uint64_t low_bytes[9] = {
	0, 0xff, 0xffff, 0xffffff, 0xffffffffull, 0xffffffffffull,
	0xffffffffffffull, 0xffffffffffffffull, ~0ull,
};

#ifdef __x86_64__
/*
 * Byte b of entry wm's control: for bit b of @wm set, the index of that byte among
 * the coded ones (the number of bits of @wm below b), else 0x80 (a zero
 * byte): a PSHUFB of the coded bytes by it gives the XOR word.
 */
struct v2_shuf {
	uint64_t ctl;		/* the PSHUFB control */
	uint64_t n;		/* the number of bits of the mask */
};
static struct v2_shuf shuf_tab[256];
/* 1: the CPU has SSSE3 (PSHUFB) */
static int have_shuf;

/* (at load time: nothing to test per call, no race between threads) */
static void __attribute__((constructor)) shuf_init(void)
{
	unsigned int wm, b, k;
	uint64_t t;

	for (wm = 0; wm < 256; wm++) {
		t = 0;
		for (b = 0, k = 0; b < 8; b++)
			t |= (uint64_t)((wm >> b) & 1 ? k++ : 0x80) << (8 * b);
		shuf_tab[wm].ctl = t;
		shuf_tab[wm].n = k;
	}
	__builtin_cpu_init();
	have_shuf = __builtin_cpu_supports("ssse3") ? 1 : 0;
}

/*
 * The XOR word of byte mask @wm from the 8 bytes at @p: PSHUFB by
 * shuf_tab[@wm] (in an asm: this file is built for base x86-64; the
 * caller runs it only when have_shuf says the CPU has it).
 */
static inline __attribute__((always_inline)) uint64_t
shuf_word(const uint8_t *p, unsigned int wm)
{
	__m128i v = _mm_loadl_epi64((const __m128i *)(const void *)p);
	__m128i m = _mm_loadl_epi64((const __m128i *)(const void *)&shuf_tab[wm].ctl);

	__asm__("pshufb %1, %0" : "+x"(v) : "x"(m));
	return le64toh((uint64_t)_mm_cvtsi128_si64(v));
}
#define VT_V2_SHUF	1
#else
#define VT_V2_SHUF	0
#endif

/*
 * The XOR word of byte mask @wm whose bytes start at *@pp: bit b of @wm
 * set means the next coded byte is byte b of the word. With @room (8
 * bytes readable at *@pp), a mask of adjacent bytes (the common case: a
 * counter's low bytes, an LR's state byte) is one load, and with @shuf
 * (x86-64 with SSSE3) any mask is one PSHUFB. *@pp advances.
 */
static inline __attribute__((always_inline)) int
get_word(const uint8_t **pp, const uint8_t *end, unsigned int wm, bool room,
	 bool shuf, uint64_t *out)
{
	const uint8_t *p = *pp;
	unsigned int b, k, t, n;
	uint64_t x = 0;

#if VT_V2_SHUF
	if (room && shuf) {
		*out = shuf_word(p, wm);
		*pp = p + shuf_tab[wm].n;
		return 0;
	}
#else
	(void)shuf;
#endif
	if (room && wm) {
		k = (unsigned int)__builtin_ctz(wm);
		t = wm >> k;
		if (!(t & (t + 1))) {	/* bytes k .. k + n - 1 */
			n = (unsigned int)__builtin_ctz(~t);
			memcpy(&x, p, 8);
			*out = (le64toh(x) & low_bytes[n]) << (8 * k);
			*pp = p + n;
			return 0;
		}
	}
	while (wm) {
		if (!room && p >= end)
			return -EBADMSG;
		b = (unsigned int)__builtin_ctz(wm);
		wm &= wm - 1;
		x |= (uint64_t)*p++ << (8 * b);
	}
	*out = x;
	*pp = p;
	return 0;
}

/* the size of each type a tag's low bits can name (0: none) */
static const uint16_t tag_size[16] = {
#define VT_REG_REC(N, v, n, st) [v] = sizeof(struct st),
#include "../../include/vt_registry.def"
};
_Static_assert(VT_REC_END <= 15, "tag_size[] holds every type");

/*
 * vt_v2_decode()'s body. With @room (@avail >= V2_MAX_READ) no record's
 * decoding can reach the end, so the bounds tests are left out; results
 * and errors are those of the tested path. @shuf: get_word() may use
 * PSHUFB.
 */
static inline __attribute__((always_inline)) int
decode(struct vt_v2_ctx *c, const uint8_t *in, size_t avail,
       struct vt_hdr *rec, size_t *used, bool room, bool shuf)
{

	const uint8_t *p = in, *end = in + avail;
	unsigned int type, size, nw, i, slot, wm;
	uint64_t v, mask, x, d;
	uint8_t *body = (uint8_t *)rec + sizeof(*rec), *prev, tag;

#define VARINT(v) (room ? get_varint_room(p, &(v)) : GET_VARINT(p, end, v))
	if (!room && p >= end)
		return -EBADMSG;
	tag = *p++;
	type = tag & 15;
	if (type == 15) {
		if (!(p = VARINT(v)) || v > 0xffff)
			return -EBADMSG;
		type = (unsigned int)v;
		size = type < VT_REC_END ? vt_rec_check_tab[type].size : 0;
	} else {
		size = tag_size[type];
	}
	if (tag & 0x10) {
		if (!(p = VARINT(v)) || v > VT_REC_MAX_SIZE)
			return -EBADMSG;
		size = (unsigned int)v;
	}
	if (size < sizeof(*rec) || size > VT_REC_MAX_SIZE || size % 8)
		return -EBADMSG;
	if (!(p = VARINT(v)))
		return -EBADMSG;
	c->ts += (uint64_t)((int64_t)(v >> 1) ^ -(int64_t)(v & 1));
	if (!(tag & 0x20)) {
		if (!(p = VARINT(v)))
			return -EBADMSG;
		c->cpu = (uint32_t)v;
	}
	rec->type = (uint16_t)type;
	rec->size = (uint16_t)size;
	rec->cpu = c->cpu;
	rec->ts_ns = c->ts;
	if (tag & 0x40) {
		if (type >= VT_V2_TYPES)
			return -EBADMSG;
		rec->vm_id = c->vm[type];
		rec->vcpu_id = c->vcpu[type];
	} else {
		if (!(p = VARINT(v)))
			return -EBADMSG;
		rec->vm_id = (uint32_t)v;
		if (!(p = VARINT(v)))
			return -EBADMSG;
		rec->vcpu_id = (uint32_t)v - 1;
	}
	if (type < VT_V2_TYPES) {
		c->vm[type] = rec->vm_id;
		c->vcpu[type] = rec->vcpu_id;
	}
	nw = (size - (unsigned int)sizeof(*rec)) / 8;
	if (nw) {
		slot = ctx_slot(type, rec->vm_id, rec->vcpu_id);
		prev = ctx_body(c, slot);
		if (!(p = VARINT(mask)))
			return -EBADMSG;
		/* (nw < 64: VT_REC_MAX_SIZE) */
		if (mask >> nw)
			return -EBADMSG;
		/*
		 * The context's words first (before any store to it: no
		 * store-forwarding stall), then each changed word XORed into
		 * both the record and the context.
		 */
		copy_words(body, prev, nw);
		while (mask) {
			i = (unsigned int)__builtin_ctzll(mask);
			mask &= mask - 1;
			if (!room && p >= end)
				return -EBADMSG;
			wm = *p++;
			if (get_word(&p, end, wm, room, shuf, &x))
				return -EBADMSG;
			memcpy(&d, prev + 8 * i, 8);
			d ^= x;
			memcpy(prev + 8 * i, &d, 8);
			memcpy(body + 8 * i, &d, 8);
		}
	}
#undef VARINT
	*used = (size_t)(p - in);
	return 0;
}

/*
 * Per tag byte, for decode_std(): a tag of a registry type below 15
 * without a size varint (@std), its record's first header word (type and
 * size), its number of body words and the type's field check (that of
 * vt_rec_check_tab[]).
 */
struct v2_tag {
	uint32_t ts;		/* type | size << 16 */
	uint8_t nw;
	uint8_t std;
	uint8_t off, lo0, span0, hi1;
};
_Static_assert((VT_REC_MAX_SIZE - sizeof(struct vt_hdr)) / 8 < 64,
	       "a body's word mask fits in 64 bits");
static struct v2_tag tag_tab[256];

/* (at load time, as shuf_init()) */
static void __attribute__((constructor)) tag_tab_init(void)
{
	const struct vt_rec_check_ent *t;
	unsigned int tag, type, size;
	uint16_t w[2];

	for (tag = 0; tag < 256; tag++) {
		type = tag & 15;
		size = type < 15 ? tag_size[type] : 0;
		if (type == 15 || (tag & 0x10) || !size)
			continue;	/* decode()'s way */
		t = &vt_rec_check_tab[type];	/* (a registry type) */
		w[0] = (uint16_t)type;
		w[1] = (uint16_t)size;
		memcpy(&tag_tab[tag].ts, w, 4);
		tag_tab[tag].nw = (uint8_t)((size - sizeof(struct vt_hdr)) / 8);
		tag_tab[tag].std = 1;
		tag_tab[tag].off = t->off;
		tag_tab[tag].lo0 = t->lo0;
		tag_tab[tag].span0 = t->span0;
		tag_tab[tag].hi1 = t->hi1;
	}
}

/*
 * decode() with room for a record whose tag byte is std in tag_tab[]:
 * the same record, context and length, with the tag's size tests and
 * the type's (vm, vcpu) bounds known in advance, the context's time and
 * cpu in *@ts and *@cpu (the caller's registers), and the type's field
 * check of vt_record_ok_room() (its size is the type's): 0 for a valid
 * record, 1 for bytes that are no valid coding, 2 for a record that fails
 * the field check.
 */
static inline __attribute__((always_inline)) int
decode_std(struct vt_v2_ctx *c, const struct v2_tag *te, uint64_t *ts,
	   uint32_t *cpu, const uint8_t **pp, struct vt_hdr *rec, bool shuf)
{
	const uint8_t *p = *pp, *f;
	unsigned int type, nw, i, slot, wm;
	uint64_t v, mask, x, d;
	uint8_t *body = (uint8_t *)rec + sizeof(*rec), *prev, tag;
	uint32_t vm, vcpu;

	tag = *p++;
	type = tag & 15;
	nw = te->nw;
	if (!(p = get_varint_room(p, &v)))
		return 1;
	*ts += (uint64_t)((int64_t)(v >> 1) ^ -(int64_t)(v & 1));
	if (!(tag & 0x20)) {
		if (!(p = get_varint_room(p, &v)))
			return 1;
		*cpu = (uint32_t)v;
	}
	memcpy(rec, &te->ts, 4);
	rec->cpu = *cpu;
	rec->ts_ns = *ts;
	if (tag & 0x40) {
		vm = c->vm[type];
		vcpu = c->vcpu[type];
	} else {
		if (!(p = get_varint_room(p, &v)))
			return 1;
		vm = (uint32_t)v;
		if (!(p = get_varint_room(p, &v)))
			return 1;
		vcpu = (uint32_t)v - 1;
		c->vm[type] = vm;
		c->vcpu[type] = vcpu;
	}
	rec->vm_id = vm;
	rec->vcpu_id = vcpu;
	if (nw) {
		slot = ctx_slot(type, vm, vcpu);
		prev = ctx_body(c, slot);
		if (!(p = get_varint_room(p, &mask)))
			return 1;
		if (mask >> nw)
			return 1;
		copy_words(body, prev, nw);
		while (mask) {
			i = (unsigned int)__builtin_ctzll(mask);
			mask &= mask - 1;
			wm = *p++;
			get_word(&p, NULL, wm, true, shuf, &x);
			memcpy(&d, prev + 8 * i, 8);
			d ^= x;
			memcpy(prev + 8 * i, &d, 8);
			memcpy(body + 8 * i, &d, 8);
		}
	}
	f = (const uint8_t *)rec + te->off;
	if (!(((uint8_t)(f[0] - te->lo0) <= te->span0) & (f[1] <= te->hi1)))
		return 2;
	*pp = p;
	return 0;
}

int vt_v2_decode(struct vt_v2_ctx *c, const uint8_t *in, size_t avail,
		 struct vt_hdr *rec, size_t *used)
{
	if (__builtin_expect(avail >= V2_MAX_READ, 1))
		return decode(c, in, avail, rec, used, true, false);
	return decode(c, in, avail, rec, used, false, false);
}

/*
 * vt_v2_decode_run(), with get_word()'s PSHUFB (@shuf) or without: the
 * records with room to decode (V2_MAX_READ bytes) by decode_std() or
 * decode(), then the chunk's last ones by decode() with its bounds tests.
 */
static inline __attribute__((always_inline)) uint32_t
decode_run(struct vt_v2_ctx *c, const uint8_t *in, size_t len, size_t *pos,
	   uint8_t **out, uint32_t max, int *err, bool shuf)
{
	const uint8_t *p = in + *pos, *end = in + len;
	/* a record that starts before @room has V2_MAX_READ bytes */
	const uint8_t *room = len >= V2_MAX_READ ? end - V2_MAX_READ + 1 : in;
	const struct v2_tag *te;
	uint8_t *o = *out;
	struct vt_hdr *h;
	uint64_t ts = c->ts;
	uint32_t cpu = c->cpu, left = max;
	size_t used;
	int ret;

	*err = 0;
	while (left && p < room) {
		h = (void *)o;
		te = &tag_tab[*p];
		if (__builtin_expect(te->std, 1)) {
			ret = decode_std(c, te, &ts, &cpu, &p, h, shuf);
			if (__builtin_expect(ret, 0)) {
				*err = ret;
				break;
			}
		} else {
			c->ts = ts;
			c->cpu = cpu;
			ret = decode(c, p, V2_MAX_READ, h, &used, true, shuf);
			ts = c->ts;
			cpu = c->cpu;
			if (__builtin_expect(ret < 0, 0)) {
				*err = 1;
				break;
			}
			if (__builtin_expect(!vt_record_ok_room(h), 0)) {
				*err = 2;
				break;
			}
			p += used;
		}
		o += h->size;
		left--;
	}
	c->ts = ts;
	c->cpu = cpu;
	/* the last records of the chunk */
	while (!*err && left && p < end) {
		h = (void *)o;
		ret = decode(c, p, (size_t)(end - p), h, &used, false, false);
		if (__builtin_expect(ret < 0, 0)) {
			*err = 1;
			break;
		}
		if (__builtin_expect(!vt_record_ok_room(h), 0)) {
			*err = 2;
			break;
		}
		p += used;
		o += h->size;
		left--;
	}
	*pos = (size_t)(p - in);
	*out = o;
	return max - left;
}

static __attribute__((noinline)) uint32_t
decode_run_plain(struct vt_v2_ctx *c, const uint8_t *in, size_t len,
		 size_t *pos, uint8_t **out, uint32_t max, int *err)
{
	return decode_run(c, in, len, pos, out, max, err, false);
}

#if VT_V2_SHUF
static __attribute__((noinline)) uint32_t
decode_run_shuf(struct vt_v2_ctx *c, const uint8_t *in, size_t len,
		size_t *pos, uint8_t **out, uint32_t max, int *err)
{
	return decode_run(c, in, len, pos, out, max, err, true);
}
#endif

/* test hook (vt_tracefile_v2.h): 1 PSHUFB when the CPU has it, 0 never */
int vt_v2_use_shuf = 1;

uint32_t vt_v2_decode_run(struct vt_v2_ctx *c, const uint8_t *in, size_t len,
			  size_t *pos, uint8_t **out, uint32_t max, int *err)
{
#if VT_V2_SHUF
	if (vt_v2_use_shuf && have_shuf)
		return decode_run_shuf(c, in, len, pos, out, max, err);
#endif
	return decode_run_plain(c, in, len, pos, out, max, err);
}

int vt_v2_decode_impl(void)
{
#if VT_V2_SHUF
	return vt_v2_use_shuf && have_shuf;
#else
	return 0;
#endif
}
