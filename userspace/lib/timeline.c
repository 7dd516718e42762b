// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * timeline.c - Chrome trace-event JSON export (see vt_timeline.h).
 *
 * Every event is formatted by hand into a fixed buffer that is written
 * out when it fills: no printf per field, no whole-trace buffer.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "vt_lr.h"
#include "vt_record.h"
#include "vt_timeline.h"
#include "vt_version.h"

#define TL_BUF		(256 * 1024)
#define TL_EVENT_MAX	1024	/* one event, escaped comm included */
#define TL_HEAD		"{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
/* where the first event's separator is written: over TL_HEAD's "[\n" */
#define TL_HEAD_SEP	(sizeof(TL_HEAD) - 3)

/* Track kinds of the track map. */
enum {
	TK_PROC = 1,	/* a process was named: (pid) */
	TK_IRQ,		/* instants of one IRQ: (pid, intid) */
	TK_LR,		/* LR slices of one IRQ on one vCPU: (pid, intid, vcpu) */
	TK_HOSTIRQ,	/* VFIO events of one host IRQ: (host pid, irq) */
	TK_LOSS,	/* losses: (host pid) */
};

/* Names as fixed arrays with their lengths, for W_FIX(). */
struct tl_name {
	char s[24];
	uint8_t len;
} __attribute__((aligned(32)));	/* 32 bytes: an index is a shift */

#define TL_NCACHE	16	/* VFIO events, MMIO registers with a cached name */
#define TL_NDEV		256	/* VFIO dev strings cached, by host IRQ */
#define TL_NVC		128	/* vCPUs cached by id, for LR records */
#define TL_NIRQC	1024	/* TK_IRQ tracks cached, by INTID */
#define TL_NLASTPRE	16	/* pids whose last track head is remembered */
/* room for '","args":{"dev":' 16, an escaped dev[] 2 + 6 * 16, ',"host_irq":'
 * 12 and 10 digits, ',"masked":' 10 */
#define TL_DEV_ARGS	160
/* what w_dev_args() copies when the args fit (most: "0000:01:06.0") */
#define TL_DEV_ARGS_SHORT	64
/* room for an LR slice's name chunk (29 + 24 + 18 bytes at most), and
 * what lr_slices() copies when it fits (all but "P+A -> inv (deactivated)") */
#define TL_LRNAME	80
#define TL_LRNAME_SHORT	64

struct tl_track {
	uint32_t pid, a, b, tid;
	uint8_t kind;
};

struct tl_vcpu {
	uint32_t vm, vcpu;
	uint32_t tid;		/* current tid; 0: none yet */
	uint32_t synth_tid;	/* synthetic tid given before a real one, or 0 */
	bool real;		/* @tid came from VT_META_VCPU */
	bool in_run;		/* @entry holds the LRs of the current run */
	uint8_t head_len;	/* of @head */
	/* ',\n{"pid":VM,"tid":TID,"ts":' of its thread (@tid set) */
	char head[48];
	char comm[65];
	struct vt_rec_lr entry;
	/* TK_LR tracks of this vCPU used last, by vINTID % 16: the
	 * vINTID, the tid (0: none) */
	struct tl_lrt { uint32_t intid, tid; } lrt[16];
};

struct vt_timeline {
	FILE *f;
	char *buf;
	size_t n;
	int err;			/* sticky -ENOMEM / -EIO */
	unsigned long events;
	uint32_t next_tid;

	struct tl_track *tracks;	/* open addressing, kind 0 = empty */
	size_t ntracks, captracks;	/* captracks a power of two */

	struct tl_vcpu *vcpus;		/* array, indexed by @vidx */
	size_t nvcpus, capvcpus;
	uint32_t *vidx;			/* open addressing: index + 1, 0 = empty */
	size_t capvidx;
	/* the vCPU of the last LR record in each slot of vc_slot(), NULL:
	 * none; cleared when @vcpus moves */
	struct tl_vcpu *vc[TL_NVC];
	/* the TK_IRQ track of (vm, intid) used last, by (intid + 37 vm) % TL_NIRQC
	 * (a track's tid never changes); tid 0: none */
	struct tl_irqc { uint32_t vm, intid, tid; } irqc[TL_NIRQC];

	/* ',\n{"pid":P,"tid":T,"ts":' (the separator before the event
	 * included) of synthetic tid VT_TL_SYNTH_TID + i, for every i below
	 * @cappre (@pre_full: out of memory, no more room) */
	struct tl_pre {
		char s[48];
		uint8_t len;
		uint8_t pidlen;	/* of its ',\n{"pid":P,"tid":' */
		uint32_t pid;
	} __attribute__((aligned(64))) *pre;	/* an index is a shift */
	/* index + 1 of the last head of a pid, by pid % TL_NLASTPRE; 0: none */
	uint32_t lastpre[TL_NLASTPRE];
	/* @tid_s_tid in decimal (@tid_s_len digits; 0: none): new tids
	 * come in order, each one the last one's string plus one */
	char tid_s[16];
	uint8_t tid_s_len;
	uint32_t tid_s_tid;
	size_t cappre;
	bool pre_full;
	bool flushed;			/* the buffer was written out once */
	uint64_t procs[16];		/* pid + 1 of named processes, by pid % 16 */

	/*
	 * ',"ph":"X","cat":"lr","name":"NAME","args":{"intid":' of an LR
	 * slice by [entry][exit] state, NAME e.g. "P -> A" or "P -> inv
	 * (deactivated)" (vt_lr_guest_eoied() uses only the two states)
	 */
	struct tl_lrname {
		char s[TL_LRNAME];
		uint8_t len;
	} __attribute__((aligned(128))) lrnames[4][4];

	/* the milliseconds of the last timestamp of 1 ms or more written
	 * with w_us(), in decimal, and as ns (@ms_ns, 0: none yet):
	 * consecutive events share them */
	uint64_t ms_ns;
	char ms_s[24];
	uint8_t ms_len;

	/* "vfio EVENT", "guest REG write" of values below TL_NCACHE */
	struct tl_name vfio_names[TL_NCACHE], mmio_names[TL_NCACHE];

	/* VFIO dev[] and host IRQ of the last record per host IRQ % TL_NDEV,
	 * with its args up to the mask state, '","args":{"dev":"DEV",
	 * "host_irq":N,"masked":' (DEV escaped; @args_irq the host IRQ);
	 * and the track of the host IRQ seen last in that slot */
	struct tl_dev {
		char raw[16];
		char args[TL_DEV_ARGS];
		uint8_t len;		/* of @args; 0: none yet */
		uint32_t args_irq;	/* host IRQ of @args */
		uint32_t irq;		/* host IRQ of @tid */
		uint32_t tid;		/* its TK_HOSTIRQ track; 0: none yet */
	} devs[TL_NDEV];
};

/* ---- output ------------------------------------------------------- */

/*
 * An event is written through a local cursor @p into tl->buf and stored
 * back into tl->n once (ev_end()): a char store may alias tl->n, so
 * writing through tl->buf + tl->n reloaded both after every byte. The
 * w_*() helpers return the cursor after what they wrote.
 */

static void flush_buf(struct vt_timeline *tl)
{
	/*
	 * Every event starts with its separator ",\n", the first one too: it
	 * is written over the "[\n" that ends TL_HEAD (ev_begin() starts at
	 * TL_HEAD_SEP), and the '[' is put back here, before the header is
	 * written out (the first flush starts with it). With no events the
	 * '[' is still there.
	 */
	if (!tl->flushed) {
		tl->buf[TL_HEAD_SEP] = '[';
		tl->flushed = true;
	}
	if (tl->n && fwrite(tl->buf, 1, tl->n, tl->f) != tl->n && !tl->err)
		tl->err = -EIO;
	tl->n = 0;
}

static inline __attribute__((always_inline)) char *
w_mem(char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	return p + len;
}

#define W(p, lit)	((p) = w_mem((p), lit, sizeof(lit) - 1))

/* @len bytes of @s, copied as a whole @cap-byte array (@len <= @cap): a
 * fixed-size copy, no call; room is there (TL_EVENT_MAX). @len is read
 * first: the copy's char stores could alias it (a reload after). */
#define W_FIX(p, s, len)	({					\
	size_t wfix_len_ = (len);					\
	memcpy((p), (s), sizeof(s));					\
	(p) += wfix_len_;						\
})

static inline char *w_cstr(char *p, const char *s)
{
	return w_mem(p, s, strlen(s));
}

/* "00".."99" */
static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* decimal digits of @v (1 for 0): from its bit length, then one compare */
static inline unsigned int ndigits(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
		10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
		100000000000ull, 1000000000000ull, 10000000000000ull,
		100000000000000ull, 1000000000000000ull,
		10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull,
	};
	/* floor(bits * log10(2)) is the digit count or one less */
	unsigned int n = ((64 - (unsigned int)__builtin_clzll(v | 1)) * 1233) >> 12;

	return n + ((v | 1) >= pow10[n]);
}

/* @v in decimal, written backwards two digits at a time; most values
 * (vCPU, LR, CPU, flags) are below 100 */
static inline __attribute__((always_inline)) char *w_u64(char *p, uint64_t v)
{
	unsigned int n;
	char *e;

	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	if (v < 100) {
		memcpy(p, digits2 + 2 * v, 2);
		return p + 2;
	}
	n = ndigits(v);
	e = p + n;

	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100);

		v /= 100;
		e -= 2;
		memcpy(e, digits2 + 2 * r, 2);
	}
	if (v >= 10) {
		e -= 2;
		memcpy(e, digits2 + 2 * v, 2);
	} else {
		*--e = (char)('0' + v);
	}
	return p + n;
}

static inline __attribute__((always_inline)) char *w_s64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return w_u64(p, -(uint64_t)v);
	}
	return w_u64(p, (uint64_t)v);
}

/* "000." .. "999.": three digits and a dot, as one 4-byte copy */
static const char dig3dot[1000][4] = {
#define D3(a)	{ '0' + (a) / 100, '0' + (a) / 10 % 10, '0' + (a) % 10, '.' }
#define D3_10(a)	D3(a), D3(a + 1), D3(a + 2), D3(a + 3), D3(a + 4), \
			D3(a + 5), D3(a + 6), D3(a + 7), D3(a + 8), D3(a + 9)
#define D3_100(a)	D3_10(a), D3_10(a + 10), D3_10(a + 20), D3_10(a + 30), \
			D3_10(a + 40), D3_10(a + 50), D3_10(a + 60), \
			D3_10(a + 70), D3_10(a + 80), D3_10(a + 90)
	D3_100(0), D3_100(100), D3_100(200), D3_100(300), D3_100(400),
	D3_100(500), D3_100(600), D3_100(700), D3_100(800), D3_100(900),
#undef D3_100
#undef D3_10
#undef D3
};

/* tl->ms_s of @ns (1 ms or more), when a timestamp's milliseconds
 * change. Return: @ns - tl->ms_ns, below 1 ms. */
static __attribute__((noinline)) uint32_t ms_set(struct vt_timeline *tl,
						 uint64_t ns)
{
	uint64_t ms = ns / 1000000;

	tl->ms_ns = ms * 1000000;
	tl->ms_len = (uint8_t)(w_u64(tl->ms_s, ms) - tl->ms_s);
	return (uint32_t)(ns - tl->ms_ns);
}

/*
 * ns as microseconds with exactly three decimals: 1234567 -> 1234.567.
 * The milliseconds (1 above) come from tl->ms_s, formatted once per
 * millisecond; the rest are two three-digit groups. Writes up to one
 * byte past the returned cursor (room is there: TL_EVENT_MAX).
 */
static inline __attribute__((always_inline)) char *
w_us(struct vt_timeline *tl, char *p, uint64_t ns)
{
	uint32_t sub, u, r;

	if (ns < 1000000) {
		/* below 1 ms (most durations): no leading zeros */
		sub = (uint32_t)ns;
		u = sub / 1000;
		r = sub - u * 1000;
		if (u >= 100) {
			memcpy(p, dig3dot[u], 4);
			p += 4;
		} else {
			p = w_u64(p, u);
			*p++ = '.';
		}
	} else {
		/* in the millisecond of the last one (@ms_ns 0: never, as
		 * @ns is 1 ms or more), or a new one */
		sub = ns - tl->ms_ns < 1000000 ? (uint32_t)(ns - tl->ms_ns) :
						 ms_set(tl, ns);
		u = sub / 1000;
		r = sub - u * 1000;
		W_FIX(p, tl->ms_s, tl->ms_len);
		memcpy(p, dig3dot[u], 4);
		p += 4;
	}
	memcpy(p, dig3dot[r], 4);	/* the '.' is overwritten next */
	return p + 3;
}

#ifdef __SSE2__
/* the 16 nibbles of @x as 16 lower-case hex digits at @d, the most
 * significant first: a byte's two nibbles side by side, then '0' + d
 * and 'a' - '0' - 10 more for d > 9, all 16 at once */
static inline void hex16(char *d, uint64_t x)
{
	__m128i v = _mm_cvtsi64_si128((long long)__builtin_bswap64(x));
	__m128i m = _mm_set1_epi8(0x0f);
	__m128i n = _mm_unpacklo_epi8(_mm_and_si128(_mm_srli_epi16(v, 4), m),
				      _mm_and_si128(v, m));
	__m128i gt = _mm_cmpgt_epi8(n, _mm_set1_epi8(9));

	n = _mm_add_epi8(n, _mm_add_epi8(_mm_set1_epi8('0'),
					 _mm_and_si128(gt, _mm_set1_epi8(39))));
	_mm_storeu_si128((__m128i *)(void *)d, n);
}
#else
/* the 8 nibbles of @x as 8 lower-case hex digits, the first (most
 * significant) one in the first byte in memory */
static inline uint64_t hex8(uint32_t x)
{
	uint64_t y = x;

	/* nibble i to byte i */
	y = (y | y << 16) & 0x0000ffff0000ffffull;
	y = (y | y << 8) & 0x00ff00ff00ff00ffull;
	y = (y | y << 4) & 0x0f0f0f0f0f0f0f0full;
	/* '0' + d, and 'a' - '0' - 10 more for d > 9 */
	y += 0x3030303030303030ull +
	     (((y + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull) * 39;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	y = __builtin_bswap64(y);
#endif
	return y;
}

/* the 16 nibbles of @x as 16 lower-case hex digits at @d */
static inline void hex16(char *d, uint64_t x)
{
	uint64_t hi = hex8((uint32_t)(x >> 32)), lo = hex8((uint32_t)x);

	memcpy(d, &hi, 8);
	memcpy(d + 8, &lo, 8);
}
#endif

/*
 * "0x..." in lower case, no leading zeros: the value shifted up to drop
 * them, written as 16 digits of which the first @n are kept (the rest
 * is overwritten next: room is there, TL_EVENT_MAX).
 */
static inline __attribute__((always_inline)) char *w_hex(char *p, uint64_t v)
{
	/* digits: 1 for 0 */
	unsigned int n = (67 - (unsigned int)__builtin_clzll(v | 1)) / 4;

	memcpy(p, "\"0x", 3);
	hex16(p + 3, v << (64 - 4 * n));
	p[3 + n] = '"';
	return p + 4 + n;
}

/* "00".."ff" */
static const char hex2[513] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/*
 * '"0xEN","exit":"0xEX"' of an LR's entry and exit values. They mostly
 * differ in the state bits only (bits 62-63: the top byte), with a
 * nonzero top nibble (16 digits): the exit's digits are then the entry's
 * with the first two replaced.
 */
static inline __attribute__((always_inline)) char *
w_hex_pair(char *p, uint64_t en, uint64_t ex)
{
	if ((en >> 60) && (ex >> 60) && !((en ^ ex) << 8)) {
		memcpy(p, "\"0x", 3);
		hex16(p + 3, en);
		memcpy(p + 19, "\",\"exit\":\"0x", 12);
		memcpy(p + 31, p + 3, 16);
		memcpy(p + 31, hex2 + 2 * (ex >> 56), 2);
		p[47] = '"';
		return p + 48;
	}
	p = w_hex(p, en);
	W(p, ",\"exit\":");
	return w_hex(p, ex);
}

/* A JSON string of at most @max bytes of @s: quotes, backslashes, control
 * and non-ASCII bytes escaped (the output is ASCII, hence valid UTF-8). */
static char *w_jstr(char *p, const char *s, size_t max)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *c = (const unsigned char *)s;
	size_t i;

	*p++ = '"';
	for (i = 0; i < max && c[i]; i++) {
		if (c[i] == '"' || c[i] == '\\') {
			*p++ = '\\';
			*p++ = (char)c[i];
		} else if (c[i] < 0x20 || c[i] >= 0x7f) {
			memcpy(p, "\\u00", 4);
			p[4] = hx[c[i] >> 4];
			p[5] = hx[c[i] & 15];
			p += 6;
		} else {
			*p++ = (char)c[i];
		}
	}
	*p++ = '"';
	return p;
}

/* Room for one event: the cursor, where the event writes its separator
 * ",\n" and then itself (see flush_buf() for the first one). */
static inline __attribute__((always_inline)) char *
ev_begin(struct vt_timeline *tl)
{
	if (tl->n + TL_EVENT_MAX > TL_BUF)
		flush_buf(tl);
	tl->events++;
	return tl->buf + tl->n;
}

/* Room for @room bytes of events (written by hand, counted by the
 * caller): the cursor. */
static inline __attribute__((always_inline)) char *
ev_reserve(struct vt_timeline *tl, size_t room)
{
	if (tl->n + room > TL_BUF)
		flush_buf(tl);
	return tl->buf + tl->n;
}

static inline __attribute__((always_inline)) void
ev_end(struct vt_timeline *tl, char *p)
{
	tl->n = (size_t)(p - tl->buf);
}

static void ev_meta(struct vt_timeline *tl, const char *what, uint32_t pid,
		    const uint32_t *tid, const char *name, size_t max)
{
	char *p = ev_begin(tl);

	W(p, ",\n{\"ph\":\"M\",\"name\":\"");
	p = w_cstr(p, what);
	W(p, "\",\"pid\":");
	p = w_u64(p, pid);
	if (tid) {
		W(p, ",\"tid\":");
		p = w_u64(p, *tid);
	}
	W(p, ",\"args\":{\"name\":");
	p = w_jstr(p, name, max);
	W(p, "}}");
	ev_end(tl, p);
}

/* ',\n{"pid":P,"tid":T,"ts":' (separator included), precomputed for
 * synthetic tids */
static inline __attribute__((always_inline)) char *
w_head(const struct vt_timeline *tl, char *p, uint32_t pid, uint32_t tid)
{
	uint32_t i = tid - VT_TL_SYNTH_TID;	/* wraps below the base */

	if (i < tl->cappre) {
		/* the length first: the copy's char stores may alias @pre */
		const struct tl_pre *e = &tl->pre[i];
		size_t len = e->len;

		memcpy(p, e->s, sizeof(e->s));
		return p + len;
	}
	W(p, ",\n{\"pid\":");
	p = w_u64(p, pid);
	W(p, ",\"tid\":");
	p = w_u64(p, tid);
	W(p, ",\"ts\":");
	return p;
}

/* tl->tid_s of the tid after tl->tid_s_tid: plus one in decimal, with
 * the carry; none (formatted next time) when the digits were all 9. */
static inline void tid_s_next(struct vt_timeline *tl)
{
	unsigned int k = tl->tid_s_len;

	while (k && tl->tid_s[k - 1] == '9')
		tl->tid_s[--k] = '0';
	if (k)
		tl->tid_s[k - 1]++;
	else
		tl->tid_s_len = 0;	/* one digit more */
	tl->tid_s_tid++;
}

/* A new synthetic tid: its head (out of memory: formatted each time, by
 * w_head()). */
static uint32_t new_tid(struct vt_timeline *tl, uint32_t pid)
{
	uint32_t tid = tl->next_tid++;
	size_t i = tid - VT_TL_SYNTH_TID;
	struct tl_pre *e;
	uint32_t j;
	char *p;

	if (i >= tl->cappre) {
		size_t cap = tl->cappre ? tl->cappre * 2 : 256;
		struct tl_pre *np;

		if (tl->pre_full)
			return tid;
		np = realloc(tl->pre, cap * sizeof(*np));
		if (!np) {
			/* tids come in order: no gap below @cappre */
			tl->pre_full = true;
			return tid;
		}
		tl->pre = np;
		tl->cappre = cap;
	}
	/*
	 * By hand, not snprintf(): a trace of many IRQs makes many tracks.
	 * The pid part is the one of the pid's last head, the tid comes
	 * from tid_s (see tid_s_next()).
	 */
	e = &tl->pre[i];
	j = tl->lastpre[pid % TL_NLASTPRE];
	if (j && tl->pre[j - 1].pid == pid) {
		const struct tl_pre *o = &tl->pre[j - 1];

		memcpy(e->s, o->s, sizeof(o->s));
		p = e->s + o->pidlen;
	} else {
		p = e->s;
		W(p, ",\n{\"pid\":");
		p = w_u64(p, pid);
		W(p, ",\"tid\":");
	}
	e->pidlen = (uint8_t)(p - e->s);
	if (!tl->tid_s_len || tl->tid_s_tid != tid) {
		tl->tid_s_len = (uint8_t)(w_u64(tl->tid_s, tid) - tl->tid_s);
		tl->tid_s_tid = tid;
	}
	memcpy(p, tl->tid_s, sizeof(tl->tid_s));
	p += tl->tid_s_len;
	tid_s_next(tl);
	W(p, ",\"ts\":");
	_Static_assert(sizeof(",\n{\"pid\":4294967295,\"tid\":") - 1 +
		       sizeof(tl->tid_s) <= sizeof(tl->pre[i].s), "head size");
	e->len = (uint8_t)(p - e->s);
	e->pid = pid;
	tl->lastpre[pid % TL_NLASTPRE] = (uint32_t)i + 1;
	return tid;
}

/*
 * {"pid":P,"tid":T,"ts":X,"ph":"i","s":"t","cat":CAT,"name":" up to the
 * name, which the caller writes; CAT is a literal.
 */
#define EV_INSTANT(tl, p, cat, pid, tid, ts) do {			\
	(p) = ev_begin(tl);						\
	(p) = w_head((tl), (p), (pid), (tid));				\
	(p) = w_us((tl), (p), (ts));						\
	W((p), ",\"ph\":\"i\",\"s\":\"t\",\"cat\":\"" cat "\",\"name\":\""); \
} while (0)

/* bytes of a slice's 'X,"dur":D' that lr_slices() copies (it is at most
 * 20 + 1 + 3 + 7 + 20 + 1 + 3: room is there, TL_EVENT_MAX) */
#define TL_TSDUR	64

/* ---- the track map -------------------------------------------------- */

static inline size_t track_hash(uint8_t kind, uint32_t pid, uint32_t a,
				uint32_t b)
{
	uint64_t k = ((uint64_t)pid << 32 | a) * 0x9e3779b97f4a7c15ull;

	k ^= ((uint64_t)b << 8 | kind) * 0xc2b2ae3d27d4eb4full;
	return (size_t)(k ^ (k >> 31));
}

static inline struct tl_track *track_slot(struct tl_track *t, size_t cap,
				   uint8_t kind, uint32_t pid, uint32_t a,
				   uint32_t b)
{
	size_t i = track_hash(kind, pid, a, b) & (cap - 1);

	while (t[i].kind && (t[i].kind != kind || t[i].pid != pid ||
			     t[i].a != a || t[i].b != b))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/*
 * The entry of (kind, pid, a, b); a new one is added with @tid 0.
 * @free_slot: NULL, or the empty slot where track_slot() found the key
 * absent (the probe is not done again).
 * Return: the entry, or NULL (out of memory, tl->err set).
 */
static struct tl_track *track_get(struct vt_timeline *tl, uint8_t kind,
				  uint32_t pid, uint32_t a, uint32_t b,
				  struct tl_track *free_slot, bool *added)
{
	struct tl_track *s = free_slot;
	size_t i;

	*added = false;
	if (!s && tl->captracks) {
		s = track_slot(tl->tracks, tl->captracks, kind, pid, a, b);
		if (s->kind)
			return s;
	}
	if ((tl->ntracks + 1) * 2 > tl->captracks) {
		size_t cap = tl->captracks ? tl->captracks * 2 : 256;
		struct tl_track *nt = calloc(cap, sizeof(*nt));

		if (!nt) {
			tl->err = -ENOMEM;
			return NULL;
		}
		/* keys all distinct: the first empty slot, no compare */
		for (i = 0; i < tl->captracks; i++) {
			const struct tl_track *o = &tl->tracks[i];
			size_t j;

			if (!o->kind)
				continue;
			j = track_hash(o->kind, o->pid, o->a, o->b) & (cap - 1);
			while (nt[j].kind)
				j = (j + 1) & (cap - 1);
			nt[j] = *o;
		}
		free(tl->tracks);
		tl->tracks = nt;
		tl->captracks = cap;
		s = track_slot(nt, cap, kind, pid, a, b);
	}
	*s = (struct tl_track){ .pid = pid, .a = a, .b = b, .kind = kind };
	tl->ntracks++;
	*added = true;
	return s;
}

/* Name process @pid the first time it is used. */
static void name_process(struct vt_timeline *tl, uint32_t pid)
{
	struct tl_track *s;
	char name[48];
	bool added;

	if (tl->procs[pid % 16] == (uint64_t)pid + 1)
		return;		/* named already */
	s = track_get(tl, TK_PROC, pid, 0, 0, NULL, &added);
	if (s)
		tl->procs[pid % 16] = (uint64_t)pid + 1;
	if (!s || !added)
		return;
	if (pid == VT_TL_HOST_PID)
		snprintf(name, sizeof(name), "host (VFIO, losses)");
	else
		snprintf(name, sizeof(name), "VM %u (VMM pid)", pid);
	ev_meta(tl, "process_name", pid, NULL, name, sizeof(name));
}

/* track_tid() of a track not in the map yet, or out of memory. */
static __attribute__((noinline)) uint32_t
track_tid_slow(struct vt_timeline *tl, uint8_t kind, uint32_t pid, uint32_t a,
	       uint32_t b, struct tl_track *free_slot)
{
	struct tl_track *s;
	uint32_t tid, i;
	bool added;
	char *p;

	s = track_get(tl, kind, pid, a, b, free_slot, &added);
	if (!s)
		return 0;
	if (!added)
		return s->tid;
	tid = s->tid = new_tid(tl, pid);
	name_process(tl, pid);
	/*
	 * ev_meta("thread_name") of a name that needs no escaping, formatted
	 * by hand: a trace of 10^5 IRQs names this many tracks
	 */
	p = ev_begin(tl);
	W(p, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",");
	i = tid - VT_TL_SYNTH_TID;
	if (i < tl->cappre) {
		/* '"pid":P,"tid":T' of its head ',\n{"pid":P,"tid":T,"ts":' */
		memcpy(p, tl->pre[i].s + 3, sizeof(tl->pre[i].s) - 3);
		p += tl->pre[i].len - sizeof(",\n{,\"ts\":") + 1;
	} else {
		W(p, "\"pid\":");
		p = w_u64(p, pid);
		W(p, ",\"tid\":");
		p = w_u64(p, tid);
	}
	W(p, ",\"args\":{\"name\":\"");
	switch (kind) {
	case TK_IRQ:
		W(p, "INTID ");
		p = w_u64(p, a);
		break;
	case TK_LR:
		W(p, "INTID ");
		p = w_u64(p, a);
		W(p, " LR on vCPU ");
		p = w_u64(p, b);
		break;
	case TK_HOSTIRQ:
		W(p, "host IRQ ");
		p = w_u64(p, a);
		break;
	default:
		W(p, "lost records");
		break;
	}
	W(p, "\"}}");
	ev_end(tl, p);
	return tid;
}

/* The synthetic tid of a track, named the first time it is used; 0 when
 * out of memory. */
static inline __attribute__((always_inline)) uint32_t
track_tid(struct vt_timeline *tl, uint8_t kind, uint32_t pid, uint32_t a,
	  uint32_t b)
{
	struct tl_track *s = NULL;

	if (tl->captracks) {
		s = track_slot(tl->tracks, tl->captracks, kind, pid, a, b);
		if (s->kind)
			return s->tid;
	}
	return track_tid_slow(tl, kind, pid, a, b, s);
}

/* track_tid() out of line: for callers that cache tids, so that their
 * fast paths save fewer registers. */
static __attribute__((noinline)) uint32_t
track_tid_ool(struct vt_timeline *tl, uint8_t kind, uint32_t pid, uint32_t a,
	      uint32_t b)
{
	return track_tid(tl, kind, pid, a, b);
}

/* ---- vCPUs ---------------------------------------------------------- */

static inline size_t vcpu_hash(uint32_t vm, uint32_t vcpu)
{
	uint64_t k = ((uint64_t)vm << 32 | vcpu) * 0x9e3779b97f4a7c15ull;

	return (size_t)(k ^ (k >> 29));
}

static inline uint32_t *vidx_slot(const struct vt_timeline *tl, uint32_t *t,
			   size_t cap, uint32_t vm, uint32_t vcpu)
{
	size_t i = vcpu_hash(vm, vcpu) & (cap - 1);

	while (t[i] && (tl->vcpus[t[i] - 1].vm != vm ||
			tl->vcpus[t[i] - 1].vcpu != vcpu))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* vcpu_get() of a vCPU not seen yet. */
static __attribute__((noinline)) struct tl_vcpu *
vcpu_add(struct vt_timeline *tl, uint32_t vm, uint32_t vcpu)
{
	struct tl_vcpu *v;
	uint32_t *slot;
	size_t i;

	if (tl->capvidx) {
		slot = vidx_slot(tl, tl->vidx, tl->capvidx, vm, vcpu);
		if (*slot)
			return &tl->vcpus[*slot - 1];
	}
	if (tl->nvcpus == tl->capvcpus) {
		size_t cap = tl->capvcpus ? tl->capvcpus * 2 : 16;
		void *nv = realloc(tl->vcpus, cap * sizeof(*tl->vcpus));

		if (!nv)
			goto nomem;
		tl->vcpus = nv;
		tl->capvcpus = cap;
		memset(tl->vc, 0, sizeof(tl->vc));	/* moved */
	}
	if ((tl->nvcpus + 1) * 2 > tl->capvidx) {
		size_t cap = tl->capvidx ? tl->capvidx * 2 : 64;
		uint32_t *ni = calloc(cap, sizeof(*ni));

		if (!ni)
			goto nomem;
		for (i = 0; i < tl->capvidx; i++)
			if (tl->vidx[i]) {
				const struct tl_vcpu *o = &tl->vcpus[tl->vidx[i] - 1];

				*vidx_slot(tl, ni, cap, o->vm, o->vcpu) = tl->vidx[i];
			}
		free(tl->vidx);
		tl->vidx = ni;
		tl->capvidx = cap;
	}
	v = &tl->vcpus[tl->nvcpus];
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->vcpu = vcpu;
	tl->nvcpus++;
	*vidx_slot(tl, tl->vidx, tl->capvidx, vm, vcpu) = (uint32_t)tl->nvcpus;
	return v;
nomem:
	tl->err = -ENOMEM;
	return NULL;
}

/* The vCPU (vm, vcpu), added if new; NULL when out of memory. */
static inline __attribute__((always_inline)) struct tl_vcpu *
vcpu_get(struct vt_timeline *tl, uint32_t vm, uint32_t vcpu)
{
	const uint32_t *slot;

	if (tl->capvidx) {
		slot = vidx_slot(tl, tl->vidx, tl->capvidx, vm, vcpu);
		if (*slot)
			return &tl->vcpus[*slot - 1];
	}
	return vcpu_add(tl, vm, vcpu);
}

/* A vCPU's thread got its tid @v->tid: its name, and its head. */
static void name_vcpu_thread(struct vt_timeline *tl, struct tl_vcpu *v)
{
	char name[96], *p = v->head;

	/* (formatted once: a real tid has no precomputed head) */
	W(p, ",\n{\"pid\":");
	p = w_u64(p, v->vm);
	W(p, ",\"tid\":");
	p = w_u64(p, v->tid);
	W(p, ",\"ts\":");
	_Static_assert(sizeof(",\n{\"pid\":4294967295,\"tid\":4294967295,\"ts\":") - 1 <=
		       sizeof(v->head), "vCPU head size");
	v->head_len = (uint8_t)(p - v->head);
	name_process(tl, v->vm);
	if (!v->real)
		snprintf(name, sizeof(name), "vCPU %u (synthetic tid)", v->vcpu);
	else if (v->comm[0])
		snprintf(name, sizeof(name), "%s (vCPU %u)", v->comm, v->vcpu);
	else
		snprintf(name, sizeof(name), "vCPU %u", v->vcpu);
	ev_meta(tl, "thread_name", v->vm, &v->tid, name, sizeof(name));
}

/* The vCPU's thread: its real tid, or a synthetic one until it is known. */
static uint32_t vcpu_tid(struct vt_timeline *tl, struct tl_vcpu *v)
{
	if (!v->tid) {
		v->tid = v->synth_tid = new_tid(tl, v->vm);
		name_vcpu_thread(tl, v);
	}
	return v->tid;
}

/* VT_META_VCPU: vCPU @hdr.vcpu_id runs on thread @val, comm @str. */
static void meta_vcpu(struct vt_timeline *tl, const struct vt_rec_meta *m)
{
	struct tl_vcpu *v;
	char comm[65];

	if (!m->val || m->val >= VT_TL_HOST_PID || m->hdr.vm_id == VT_NO_VM ||
	    m->hdr.vcpu_id == VT_NO_VCPU)
		return;
	v = vcpu_get(tl, m->hdr.vm_id, m->hdr.vcpu_id);
	if (!v)
		return;
	memcpy(comm, m->str, 64);
	comm[64] = '\0';
	if (v->real && v->tid == m->val && !strcmp(v->comm, comm))
		return;
	v->tid = (uint32_t)m->val;
	v->real = true;
	memcpy(v->comm, comm, sizeof(comm));
	name_vcpu_thread(tl, v);
}

/* ---- records -------------------------------------------------------- */

/*
 * The slot of vCPU @vcpu of VM @vm in tl->vc: the vCPUs of a VM side by
 * side, VMs (pids, or small ids in a row) spread by a multiplicative
 * hash. Not by CPU: a CPU's next run is often another vCPU's.
 */
static inline size_t vc_slot(uint32_t vm, uint32_t vcpu)
{
	return (((vm * 0x9e3779b1u) >> 24) + vcpu) % TL_NVC;
}

/* vcpu_get() of an LR record, through the vCPU its slot saw last. */
static inline __attribute__((always_inline)) struct tl_vcpu *
lr_vcpu(struct vt_timeline *tl, const struct vt_hdr *h)
{
	struct tl_vcpu **c = &tl->vc[vc_slot(h->vm_id, h->vcpu_id)], *v = *c;

	if (v && v->vm == h->vm_id && v->vcpu == h->vcpu_id)
		return v;
	v = vcpu_get(tl, h->vm_id, h->vcpu_id);
	*c = v;
	return v;
}

/*
 * The state and vINTID of LR value @raw, as vt_lr_decode() gives them (the
 * only fields the timeline uses), without the rest of struct vt_lr; -1
 * for a GIC version vt_lr_decode() refuses.
 */
static inline int lr_state_vintid(unsigned int gic_version, uint64_t raw,
				  unsigned int *state, uint32_t *vintid)
{
	switch (gic_version) {
	case VT_GIC_V3:
		*state = ((raw & VT_ICH_LR_PENDING) ? VT_LR_P : 0) |
			 ((raw & VT_ICH_LR_ACTIVE) ? VT_LR_A : 0);
		*vintid = (uint32_t)(raw & VT_ICH_LR_VINTID_MASK);
		return 0;
	case VT_GIC_V2:
		*state = (((uint32_t)raw & VT_GICH_LR_PENDING) ? VT_LR_P : 0) |
			 (((uint32_t)raw & VT_GICH_LR_ACTIVE) ? VT_LR_A : 0);
		*vintid = (uint32_t)raw & VT_GICH_LR_VINTID_MASK;
		return 0;
	}
	return -1;
}

#define TL_ENTRY_LRS	4

/* Entry: the LRs of the run, kept until its exit. */
static __attribute__((noinline)) void
lr_entry(struct vt_timeline *tl, const struct vt_rec_lr *r)
{
	struct tl_vcpu *v = lr_vcpu(tl, &r->hdr);

	if (!v)
		return;
	/* the exit reads the first used_lrs LRs only: of at most 4 (most
	 * runs), a fixed-size copy of the header and those 4 */
	if (r->hdr.size >= sizeof(*r) && r->used_lrs <= TL_ENTRY_LRS)
		memcpy(&v->entry, r, offsetof(struct vt_rec_lr, lr[TL_ENTRY_LRS]));
	else if (r->hdr.size >= sizeof(*r))
		v->entry = *r;	/* a fixed-size copy, no call */
	else
		memcpy(&v->entry, r, r->hdr.size);
	v->in_run = true;
}

/* Exit: the run's slice on the vCPU thread and one slice per LR. */
static __attribute__((noinline)) void
lr_slices(struct vt_timeline *tl, const struct vt_rec_lr *r)
{
	struct tl_vcpu *v = lr_vcpu(tl, &r->hdr);
	const struct vt_rec_lr *en;
	unsigned int i, n, in_state, out_state, gv_en, gv_ex;
	uint32_t in_vintid, out_vintid;
	struct tl_lrt *lrt;
	uint32_t tid;
	char *p, tsd_copy[TL_TSDUR];
	const char *tsd;
	size_t tsdlen, headlen;
	const struct tl_lrname *nm;
	size_t nmlen;

	if (!v)
		return;
	if (!v->in_run)
		return;		/* exit without an entry (trace start) */
	v->in_run = false;
	en = &v->entry;
	n = en->used_lrs < VT_MAX_LR ? en->used_lrs : VT_MAX_LR;
	vcpu_tid(tl, v);
	if (r->used_lrs < n)
		n = r->used_lrs;
	/*
	 * Room for the run and all its slices at once: they are written
	 * through one cursor, and the slices copy the run's 'X,"dur":D'
	 * from the buffer (TL_TSDUR bytes from @tsd, ahead of where each
	 * slice writes it). A new LR track writes its name through
	 * ev_begin(), which may flush (it cannot while events are
	 * far below TL_EVENT_MAX, but nothing here counts on that): @tsd
	 * is copied out first.
	 */
	p = ev_reserve(tl, (n + 1) * TL_EVENT_MAX);
	tl->events++;
	headlen = v->head_len;	/* (before the copy's char stores) */
	memcpy(p, v->head, sizeof(v->head));
	p += headlen;
	tsd = p;
	p = w_us(tl, p, en->hdr.ts_ns);
	W(p, ",\"dur\":");
	p = w_us(tl, p, r->hdr.ts_ns > en->hdr.ts_ns ?
			r->hdr.ts_ns - en->hdr.ts_ns : 0);
	tsdlen = (size_t)(p - tsd);
	W(p, ",\"ph\":\"X\",\"cat\":\"vcpu\",\"name\":\"guest run\",\"args\":{\"vcpu\":");
	p = w_u64(p, r->hdr.vcpu_id);
	W(p, ",\"lrs_used\":");
	p = w_u64(p, en->used_lrs);
	W(p, ",\"cpu\":");
	p = w_u64(p, r->hdr.cpu);
	W(p, "}}");
	/* in locals: the buffer's char stores would reload them */
	gv_en = en->gic_version;
	gv_ex = r->gic_version;
	for (i = 0; i < n; i++) {
		if (lr_state_vintid(gv_en, en->lr[i], &in_state, &in_vintid) ||
		    lr_state_vintid(gv_ex, r->lr[i], &out_state, &out_vintid))
			continue;
		if (in_vintid != out_vintid || in_state == VT_LR_INVALID)
			continue;
		lrt = &v->lrt[in_vintid % (sizeof(v->lrt) / sizeof(v->lrt[0]))];
		if (lrt->tid && lrt->intid == in_vintid) {
			tid = lrt->tid;	/* the track named before */
		} else {
			/* the cursor back in tl->n, @tsd out of the buffer */
			if (tsd != tsd_copy) {
				memcpy(tsd_copy, tsd, TL_TSDUR);
				tsd = tsd_copy;
			}
			ev_end(tl, p);
			tid = track_tid_ool(tl, TK_LR, r->hdr.vm_id, in_vintid,
					    r->hdr.vcpu_id);
			p = ev_reserve(tl, (n - i) * TL_EVENT_MAX);
			if (!tid)
				break;
			lrt->intid = in_vintid;
			lrt->tid = tid;
		}
		nm = &tl->lrnames[in_state][out_state];
		tl->events++;
		p = w_head(tl, p, r->hdr.vm_id, tid);
		memcpy(p, tsd, TL_TSDUR);
		p += tsdlen;
		nmlen = nm->len;
		if (nmlen <= TL_LRNAME_SHORT)
			memcpy(p, nm->s, TL_LRNAME_SHORT);
		else
			memcpy(p, nm->s, sizeof(nm->s));
		p += nmlen;
		p = w_u64(p, in_vintid);
		W(p, ",\"lr\":");
		p = w_u64(p, i);
		W(p, ",\"entry\":");
		p = w_hex_pair(p, en->lr[i], r->lr[i]);
		W(p, "}}");
	}
	ev_end(tl, p);
}

#define TL_NAME(lit)	{ lit, sizeof(lit) - 1 }

static const struct tl_name src_names[] = {
	TL_NAME("unknown"), TL_NAME("irqfd"), TL_NAME("resampler"),
	TL_NAME("user"), TL_NAME("kernel"),
};

static const struct tl_name cause_names[] = {
	TL_NAME("irq state"), TL_NAME("irq state (inject)"),
	TL_NAME("irq state (mmio)"), TL_NAME("irq state (fold)"),
	TL_NAME("irq state (migrate)"),
};

static const struct tl_name deact_names[] = {
	TL_NAME("deactivate"), TL_NAME("deactivate (DIR)"),
	TL_NAME("deactivate (EOIcount)"), TL_NAME("deactivate (LR)"),
};

#define NAME_OR_0(tab, i)	(&(tab)[(i) < sizeof(tab) / sizeof((tab)[0]) ? (i) : 0])

/* irq_tid() of a track not in its cache slot @c: out of line, so that
 * the events' fast paths save fewer registers. */
static __attribute__((noinline)) uint32_t
irq_tid_miss(struct vt_timeline *tl, struct tl_irqc *c, uint32_t vm,
	     uint32_t intid)
{
	uint32_t tid = track_tid(tl, TK_IRQ, vm, intid, 0);

	if (tid)
		*c = (struct tl_irqc){ .vm = vm, .intid = intid, .tid = tid };
	return tid;
}

/* The instant track of IRQ @intid of VM @vm; 0 when out of memory. */
static inline __attribute__((always_inline)) uint32_t
irq_tid(struct vt_timeline *tl, uint32_t vm, uint32_t intid)
{
	struct tl_irqc *c = &tl->irqc[(intid + vm * 37) % TL_NIRQC];

	if (c->tid && c->intid == intid && c->vm == vm)
		return c->tid;
	return irq_tid_miss(tl, c, vm, intid);
}

/*
 * An instant of @h on the track of IRQ @intid of @h's VM, written up to
 * the opening quote of its name; NULL when out of memory (no track).
 */
static inline __attribute__((always_inline)) char *
irq_instant(struct vt_timeline *tl, const struct vt_hdr *h, uint32_t intid)
{
	uint32_t tid = irq_tid(tl, h->vm_id, intid);
	char *p;

	if (!tid)
		return NULL;
	EV_INSTANT(tl, p, "irq", h->vm_id, tid, h->ts_ns);
	return p;
}

/* name @i of table @tab (NAME_OR_0), closed, then the args' first key */
#define W_NAME_ARGS(p, tab, i, key) do {				\
	const struct tl_name *nm_ = NAME_OR_0(tab, i);			\
	W_FIX((p), nm_->s, nm_->len);					\
	W((p), "\",\"args\":{\"" key "\":");				\
} while (0)

/* ',"vcpu":N' when @h names a vCPU */
static inline char *w_vcpu_arg(char *p, const struct vt_hdr *h)
{
	if (h->vcpu_id != VT_NO_VCPU) {
		W(p, ",\"vcpu\":");
		p = w_u64(p, h->vcpu_id);
	}
	return p;
}

/* tl_dev.args of @dev and @host_irq. */
static __attribute__((noinline)) void
dev_args_set(struct tl_dev *d, const char *dev, uint32_t host_irq)
{
	char *e = d->args;

	W(e, "\",\"args\":{\"dev\":");
	e = w_jstr(e, dev, sizeof(d->raw));
	W(e, ",\"host_irq\":");
	e = w_u64(e, host_irq);
	W(e, ",\"masked\":");
	_Static_assert(16 + 2 + 6 * 16 + 12 + 10 + 10 <= TL_DEV_ARGS,
		       "dev args size");
	memcpy(d->raw, dev, sizeof(d->raw));
	d->args_irq = host_irq;
	d->len = (uint8_t)(e - d->args);
}

/*
 * '","args":{"dev":"DEV","host_irq":N,"masked":' of a VFIO record's @dev
 * and @host_irq: formatted once per host IRQ and device (kept while the
 * same one comes back), copied as TL_DEV_ARGS_SHORT bytes when it fits.
 */
static inline char *w_dev_args(struct vt_timeline *tl, char *p,
			       const char *dev, uint32_t host_irq)
{
	struct tl_dev *d = &tl->devs[host_irq % TL_NDEV];
	size_t len;

	_Static_assert(sizeof(((struct vt_rec_vfio *)0)->dev) == sizeof(d->raw),
		       "dev[] size");
	if (!d->len || d->args_irq != host_irq ||
	    memcmp(dev, d->raw, sizeof(d->raw)))
		dev_args_set(d, dev, host_irq);
	len = d->len;
	if (len <= TL_DEV_ARGS_SHORT)
		memcpy(p, d->args, TL_DEV_ARGS_SHORT);
	else
		memcpy(p, d->args, sizeof(d->args));
	return p + len;
}

/* tl_name.len of snprintf()'s result: UINT8_MAX (>= sizeof(s), not
 * used) when it did not fit */
static inline uint8_t name_len(int n)
{
	return n >= 0 && n < (int)sizeof(((struct tl_name *)0)->s) ?
		(uint8_t)n : UINT8_MAX;
}

/* "vfio EVENT" and "guest REG write", one per value (strlen once). */
static inline char *w_vfio_name(struct vt_timeline *tl, char *p,
				unsigned int ev)
{
	struct tl_name *nm;

	if (ev >= TL_NCACHE) {
		W(p, "vfio ");
		return w_cstr(p, vt_vfio_event_name(ev));
	}
	nm = &tl->vfio_names[ev];
	if (!nm->len)
		nm->len = name_len(snprintf(nm->s, sizeof(nm->s), "vfio %s",
					    vt_vfio_event_name(ev)));
	if (nm->len >= sizeof(nm->s)) {	/* did not fit */
		W(p, "vfio ");
		return w_cstr(p, vt_vfio_event_name(ev));
	}
	return W_FIX(p, nm->s, nm->len);
}

static inline char *w_mmio_name(struct vt_timeline *tl, char *p,
				unsigned int reg)
{
	struct tl_name *nm;

	if (reg >= TL_NCACHE) {
		W(p, "guest ");
		p = w_cstr(p, vt_mmio_reg_name(reg));
		W(p, " write");
		return p;
	}
	nm = &tl->mmio_names[reg];
	if (!nm->len)
		nm->len = name_len(snprintf(nm->s, sizeof(nm->s), "guest %s write",
					    vt_mmio_reg_name(reg)));
	if (nm->len >= sizeof(nm->s)) {
		W(p, "guest ");
		p = w_cstr(p, vt_mmio_reg_name(reg));
		W(p, " write");
		return p;
	}
	return W_FIX(p, nm->s, nm->len);
}

/* ---- one record kind each ------------------------------------------ */

static __attribute__((noinline)) void
ev_inject(struct vt_timeline *tl, const struct vt_hdr *h)
{
	const struct vt_rec_inject *r = (const void *)h;
	const struct tl_name *nm;
	char *p = irq_instant(tl, h, r->intid);

	if (!p)
		return;
	if (r->level)
		W(p, "assert\",\"args\":{\"intid\":");
	else
		W(p, "deassert\",\"args\":{\"intid\":");
	p = w_u64(p, r->intid);
	W(p, ",\"source\":\"");
	nm = NAME_OR_0(src_names, r->source);
	W_FIX(p, nm->s, nm->len);
	W(p, "\"");
	p = w_vcpu_arg(p, h);
	if (r->ret) {
		W(p, ",\"ret\":");
		p = w_s64(p, r->ret);
	}
	W(p, "}}");
	ev_end(tl, p);
}

static __attribute__((noinline)) void
ev_irq_state(struct vt_timeline *tl, const struct vt_hdr *h)
{
	const struct vt_rec_irq_state *r = (const void *)h;
	char *p = irq_instant(tl, h, r->intid);

	if (!p)
		return;
	W_NAME_ARGS(p, cause_names, r->cause, "line_level");
	p = w_u64(p, r->line_level);
	W(p, ",\"pending_latch\":");
	p = w_u64(p, r->pending_latch);
	W(p, ",\"active\":");
	p = w_u64(p, r->active);
	W(p, ",\"enabled\":");
	p = w_u64(p, r->enabled);
	W(p, ",\"target_vcpu\":");
	p = w_u64(p, r->target_vcpu);
	W(p, "}}");
	ev_end(tl, p);
}

static __attribute__((noinline)) void
ev_ack(struct vt_timeline *tl, const struct vt_hdr *h, uint32_t irq_intid)
{
	const struct vt_rec_ack *r = (const void *)h;
	char *p = irq_instant(tl, h, irq_intid != VT_NO_INTID ? irq_intid :
			      r->irqchip == 0 ? r->pin + VT_SPI_BASE : r->pin);

	if (!p)
		return;
	W(p, "ack\",\"args\":{\"irqchip\":");
	p = w_u64(p, r->irqchip);
	W(p, ",\"pin\":");
	p = w_u64(p, r->pin);
	W(p, "}}");
	ev_end(tl, p);
}

static __attribute__((noinline)) void
ev_resample(struct vt_timeline *tl, const struct vt_hdr *h, uint32_t irq_intid)
{
	const struct vt_rec_resample *r = (const void *)h;
	char *p = irq_instant(tl, h, irq_intid != VT_NO_INTID ? irq_intid :
			      r->gsi + VT_SPI_BASE);

	if (!p)
		return;
	W(p, "resample\",\"args\":{\"gsi\":");
	p = w_u64(p, r->gsi);
	W(p, "}}");
	ev_end(tl, p);
}

static __attribute__((noinline)) void
ev_irqfd(struct vt_timeline *tl, const struct vt_hdr *h, uint32_t irq_intid)
{
	const struct vt_rec_irqfd *r = (const void *)h;
	char *p = irq_instant(tl, h, irq_intid != VT_NO_INTID ? irq_intid :
			      r->gsi + VT_SPI_BASE);

	if (!p)
		return;
	if (r->flags & VT_IRQFD_F_DEASSIGN)
		W(p, "irqfd deassign\",\"args\":{\"gsi\":");
	else
		W(p, "irqfd assign\",\"args\":{\"gsi\":");
	p = w_u64(p, r->gsi);
	W(p, ",\"resample\":");
	p = w_u64(p, !!(r->flags & VT_IRQFD_F_RESAMPLE));
	W(p, ",\"ret\":");
	p = w_s64(p, r->ret);
	W(p, "}}");
	ev_end(tl, p);
}

static __attribute__((noinline)) void
ev_vfio(struct vt_timeline *tl, const struct vt_hdr *h, uint32_t irq_intid)
{
	const struct vt_rec_vfio *r = (const void *)h;
	struct tl_dev *d = &tl->devs[r->host_irq % TL_NDEV];
	uint32_t tid;
	char *p;

	/* hard IRQ context: no VM; one track per host IRQ, remembered in
	 * its dev slot (a track's tid never changes) */
	if (d->tid && d->irq == r->host_irq) {
		tid = d->tid;
	} else {
		tid = track_tid_ool(tl, TK_HOSTIRQ, VT_TL_HOST_PID, r->host_irq,
				    0);
		if (!tid)
			return;
		d->irq = r->host_irq;
		d->tid = tid;
	}
	EV_INSTANT(tl, p, "vfio", VT_TL_HOST_PID, tid, h->ts_ns);
	p = w_vfio_name(tl, p, r->event);
	p = w_dev_args(tl, p, r->dev, r->host_irq);
	p = w_u64(p, r->masked);
	W(p, ",\"result\":");
	p = w_s64(p, r->result);
	if (irq_intid != VT_NO_INTID) {
		W(p, ",\"intid\":");
		p = w_u64(p, irq_intid);
	}
	W(p, "}}");
	ev_end(tl, p);
}

static __attribute__((noinline)) void
ev_mmio(struct vt_timeline *tl, const struct vt_hdr *h, uint32_t irq_intid)
{
	const struct vt_rec_mmio *r = (const void *)h;
	uint32_t tid, vm = h->vm_id;
	char *p;

	tid = irq_tid(tl, vm, irq_intid != VT_NO_INTID ? irq_intid :
		      r->first_intid);
	if (!tid)
		return;
	EV_INSTANT(tl, p, "mmio", vm, tid, h->ts_ns);
	p = w_mmio_name(tl, p, r->reg);
	W(p, "\",\"args\":{\"val\":");
	p = w_hex(p, r->val);
	W(p, ",\"offset\":");
	p = w_hex(p, r->offset);
	W(p, "}}");
	ev_end(tl, p);
}

static __attribute__((noinline)) void
ev_deactivate(struct vt_timeline *tl, const struct vt_hdr *h)
{
	const struct vt_rec_deactivate *r = (const void *)h;
	char *p = irq_instant(tl, h, r->intid);

	if (!p)
		return;
	W_NAME_ARGS(p, deact_names, r->how, "eoicount");
	p = w_u64(p, r->eoicount);
	p = w_vcpu_arg(p, h);
	W(p, "}}");
	ev_end(tl, p);
}

static __attribute__((noinline)) void
ev_lost(struct vt_timeline *tl, const struct vt_hdr *h)
{
	const struct vt_rec_lost *r = (const void *)h;
	uint32_t tid;
	char *p;

	tid = track_tid(tl, TK_LOSS, VT_TL_HOST_PID, 0, 0);
	if (!tid)
		return;
	p = ev_begin(tl);
	p = w_head(tl, p, VT_TL_HOST_PID, tid);
	p = w_us(tl, p, h->ts_ns);
	W(p, ",\"ph\":\"i\",\"s\":\"g\",\"cat\":\"lost\",\"name\":\"records lost\",\"args\":{\"cpu\":");
	p = w_u64(p, h->cpu);
	W(p, ",\"lost\":");
	p = w_u64(p, r->lost);
	W(p, "}}");
	ev_end(tl, p);
}

static __attribute__((noinline)) void
ev_meta_rec(struct vt_timeline *tl, const struct vt_hdr *h)
{
	const struct vt_rec_meta *m = (const void *)h;

	if (m->key == VT_META_VCPU)
		meta_vcpu(tl, m);
}

/*
 * One record's events. @irq_intid: the INTID the engine attributed the
 * record to (route-aware: learnt gsi -> SPI, x86 GSIs), VT_NO_INTID to
 * fall back to pin + 32 / gsi + 32. A dispatch of tail calls: each kind
 * saves only the registers it needs.
 */
static inline __attribute__((always_inline)) void
one(struct vt_timeline *tl, const struct vt_hdr *h, uint32_t irq_intid)
{
	switch (h->type) {
	case VT_REC_LR_FLUSH:
		lr_entry(tl, (const void *)h);
		return;
	case VT_REC_LR_FOLD:
		lr_slices(tl, (const void *)h);
		return;
	case VT_REC_INJECT:
		ev_inject(tl, h);
		return;
	case VT_REC_IRQ_STATE:
		ev_irq_state(tl, h);
		return;
	case VT_REC_ACK:
		ev_ack(tl, h, irq_intid);
		return;
	case VT_REC_RESAMPLE:
		ev_resample(tl, h, irq_intid);
		return;
	case VT_REC_IRQFD:
		ev_irqfd(tl, h, irq_intid);
		return;
	case VT_REC_VFIO:
		ev_vfio(tl, h, irq_intid);
		return;
	case VT_REC_MMIO:
		ev_mmio(tl, h, irq_intid);
		return;
	case VT_REC_DEACTIVATE:
		ev_deactivate(tl, h);
		return;
	case VT_REC_LOST:
		ev_lost(tl, h);
		return;
	case VT_REC_META:
		ev_meta_rec(tl, h);
		return;
	default:
		return;
	}
}

/* ---- API ------------------------------------------------------------ */

int vt_timeline_new(FILE *out, struct vt_timeline **tlp)
{
	struct vt_timeline *tl;
	unsigned int a, b;
	int len;

	tl = calloc(1, sizeof(*tl));
	if (!tl)
		return -ENOMEM;
	tl->buf = malloc(TL_BUF);
	if (!tl->buf) {
		free(tl);
		return -ENOMEM;
	}
	tl->f = out;
	tl->next_tid = VT_TL_SYNTH_TID;
	for (a = 0; a < 4; a++)
		for (b = 0; b < 4; b++) {
			struct tl_lrname *nm = &tl->lrnames[a][b];
			bool eoied = vt_lr_guest_eoied(
				&(struct vt_lr){ .state = (uint8_t)a },
				&(struct vt_lr){ .state = (uint8_t)b });

			len = snprintf(nm->s, sizeof(nm->s),
				       ",\"ph\":\"X\",\"cat\":\"lr\",\"name\":\""
				       "%s -> %s%s\",\"args\":{\"intid\":",
				       vt_lr_state_name(a), vt_lr_state_name(b),
				       eoied ? " (deactivated)" : "");
			if (len < 0 || len >= (int)sizeof(nm->s)) {
				/* cannot happen: the state names are short */
				free(tl->buf);
				free(tl);
				return -ENOMEM;
			}
			nm->len = (uint8_t)len;
		}
	memcpy(tl->buf, TL_HEAD, sizeof(TL_HEAD) - 1);
	tl->n = TL_HEAD_SEP;	/* the first event's ",\n" goes over "[\n" */
	*tlp = tl;
	return 0;
}

void vt_timeline_rec_cb(const struct vt_hdr *rec, uint32_t intid, void *tl)
{
	one(tl, rec, intid);
}

int vt_timeline_add_irq(struct vt_timeline *tl, const struct vt_hdr *rec,
			uint32_t intid)
{
	one(tl, rec, intid);
	return tl->err;
}

int vt_timeline_add(struct vt_timeline *tl, const struct vt_hdr *rec)
{
	return vt_timeline_add_irq(tl, rec, VT_NO_INTID);
}

/* otherData: how to read the timestamps and which vCPU tids are real. */
static void trailer(struct vt_timeline *tl)
{
	unsigned int synthetic = 0;
	size_t i;
	char *p;

	if (!tl->events)
		tl->n = sizeof(TL_HEAD) - 1;	/* "[\n" was not written over */
	if (tl->n + TL_EVENT_MAX > TL_BUF)
		flush_buf(tl);
	p = tl->buf + tl->n;
	W(p, "\n],\"otherData\":{\"generator\":\"vgic-trace " VT_VERSION "\","
	     "\"clock\":\"CLOCK_MONOTONIC\",\"ts\":\"microseconds of the records' "
	     "CLOCK_MONOTONIC time, not rebased\",\"host_pid\":");
	p = w_u64(p, VT_TL_HOST_PID);
	W(p, ",\"synthetic_tid_base\":");
	p = w_u64(p, VT_TL_SYNTH_TID);
	W(p, ",\"vcpu_threads\":[");
	ev_end(tl, p);
	for (i = 0; i < tl->nvcpus; i++) {
		const struct tl_vcpu *v = &tl->vcpus[i];

		if (!v->tid)
			continue;	/* named by a meta record, never used */
		if (tl->n + TL_EVENT_MAX > TL_BUF)
			flush_buf(tl);
		p = tl->buf + tl->n;
		W(p, "{\"vm\":");
		p = w_u64(p, v->vm);
		W(p, ",\"vcpu\":");
		p = w_u64(p, v->vcpu);
		W(p, ",\"tid\":");
		p = w_u64(p, v->tid);
		W(p, ",\"synthetic\":");
		if (v->real) {
			W(p, "false,\"comm\":");
			p = w_jstr(p, v->comm, sizeof(v->comm));
		} else {
			W(p, "true");
			synthetic++;
		}
		if (v->real && v->synth_tid) {
			W(p, ",\"synthetic_tid_before_meta\":");
			p = w_u64(p, v->synth_tid);
		}
		W(p, "},");
		ev_end(tl, p);
	}
	if (tl->buf[tl->n - 1] == ',')
		tl->n--;
	p = tl->buf + tl->n;
	W(p, "],\"vcpu_tids_synthetic\":");
	p = w_u64(p, synthetic);
	if (synthetic)
		W(p, ",\"note\":\"no VT_META_VCPU for some vCPUs (producer "
		     "predates it): their threads have synthetic tids\"");
	W(p, "}}\n");
	ev_end(tl, p);
}

int vt_timeline_finish(struct vt_timeline *tl, unsigned long *events)
{
	int ret;

	trailer(tl);
	flush_buf(tl);
	if (fflush(tl->f) && !tl->err)
		tl->err = -EIO;
	ret = tl->err ?: (ferror(tl->f) ? -EIO : 0);
	if (events)
		*events = tl->events;
	free(tl->buf);
	free(tl->tracks);
	free(tl->vcpus);
	free(tl->vidx);
	free(tl->pre);
	free(tl);
	return ret;
}
