// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tracefile_read.c - read a vgic-trace file chunk by chunk, keeping
 * every intact chunk of a truncated file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vt_crc32.h"
#include "vt_record.h"
#include "vt_tracefile.h"
#include "vt_tracefile_v2.h"
#ifdef VT_HAVE_ZSTD
#include <zstd.h>
#endif

/* keep mode: decoded records go in blocks of this size (v2) */
#define VT_KEEP_BLOCK		(64u << 10)

/* keep mode: a buffer of records handed out (a v1 chunk, v2 decoded) */
struct vt_kblock {
	uint8_t *buf;
	size_t cap;
};

struct vt_reader {
	int fd;
	struct vt_host_facts facts;
	struct vt_read_status st;
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t pos;
	size_t ok_end;		/* v1: records before this offset are valid */
	uint32_t run_n;		/* v1: records from pos to ok_end */
	uint32_t left;		/* records left in the current chunk */
	uint64_t chunk_off;	/* offset of the current chunk header */
	int err;
	unsigned int major;	/* file format (1 or 2) */
	struct vt_v2_ctx *v2;	/* v2: decoding state of the chunk */
	uint8_t *zbuf;		/* v2 + zstd: the stored chunk */
	size_t zcap;
#ifdef VT_HAVE_ZSTD
	ZSTD_DCtx *dctx;	/* v2 + zstd: one context for every chunk */
#endif
	uint64_t rec[VT_REC_MAX_SIZE / 8];	/* v2: the decoded record */
	/* vt_reader_keep(): blocks in use, oldest first (a ring), and free */
	const void *(*oldest)(void *arg);
	void *oldest_arg;
	struct vt_kblock *live;
	uint32_t lcap, lhead, nr_live;	/* lcap: a power of two */
	struct vt_kblock *spare;
	uint32_t nr_spare, cap_spare;
	uint8_t *dcur, *dend;	/* v2: where the next record is decoded */
};

static void setmsg(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void setmsg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Read up to @len bytes; returns bytes read (short at EOF) or -errno. */
static ssize_t read_full(int fd, void *data, size_t len)
{
	uint8_t *p = data;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int check_header(const struct vt_file_hdr *h, ssize_t n,
			char *err, size_t errlen)
{
	if (n == 0) {
		setmsg(err, errlen, "empty file (0 bytes): not a vgic-trace file");
		return -ENODATA;
	}
	if (n < (ssize_t)sizeof(h->magic) ||
	    memcmp(h->magic, VT_FILE_MAGIC, sizeof(h->magic))) {
		setmsg(err, errlen, "not a vgic-trace file (bad magic)");
		return -EPROTO;
	}
	if (n < (ssize_t)sizeof(*h)) {
		setmsg(err, errlen, "file header truncated (%zd of %zu bytes)",
		       n, sizeof(*h));
		return -EBADMSG;
	}
	if (h->endian != VT_FILE_ENDIAN) {
		setmsg(err, errlen, "trace written with another byte order");
		return -EPROTONOSUPPORT;
	}
	if (h->major != VT_FILE_MAJOR_V1 && h->major != VT_FILE_MAJOR_V2) {
		setmsg(err, errlen, "file format version %u.%u not supported (this reader: %u.x and %u.x)",
		       h->major, h->minor, VT_FILE_MAJOR_V1, VT_FILE_MAJOR_V2);
		return -EPROTONOSUPPORT;
	}
	if (h->hdr_size != sizeof(*h) ||
	    h->hdr_crc != vt_crc32(0, h, offsetof(struct vt_file_hdr, hdr_crc))) {
		setmsg(err, errlen, "file header corrupted (CRC mismatch)");
		return -EBADMSG;
	}
	if (h->abi_major != VT_ABI_MAJOR) {
		setmsg(err, errlen, "record ABI %u.%u not supported (this reader: %u.x)",
		       h->abi_major, h->abi_minor, VT_ABI_MAJOR);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

int vt_reader_open(const char *path, struct vt_reader **out,
		   char *err, size_t errlen)
{
	struct vt_file_hdr h;
	struct vt_reader *r;
	ssize_t n;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	/* "-" is standard input (read only forward: a pipe is fine) */
	r->fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) :
				    fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
	if (r->fd < 0) {
		ret = -errno;
		setmsg(err, errlen, "%s", strerror(errno));
		free(r);
		return ret;
	}
	/* read once front to back: a larger readahead (a pipe says ESPIPE) */
	(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	memset(&h, 0, sizeof(h));
	n = read_full(r->fd, &h, sizeof(h));
	if (n < 0) {
		ret = (int)n;
		setmsg(err, errlen, "%s", strerror((int)-n));
		goto fail;
	}
	ret = check_header(&h, n, err, errlen);
	if (ret)
		goto fail;
	memcpy(r->facts.kernel_release, h.kernel_release,
	       sizeof(h.kernel_release) < sizeof(r->facts.kernel_release) ?
	       sizeof(h.kernel_release) : sizeof(r->facts.kernel_release) - 1);
	r->facts.kernel_release[sizeof(r->facts.kernel_release) - 1] = 0;
	memcpy(r->facts.arch, h.arch, sizeof(r->facts.arch) - 1);
	r->facts.gic_version = h.gic_version;
	r->facts.nr_lrs = h.nr_lrs;
	r->facts.backend = h.backend;
	r->facts.abi_major = h.abi_major;
	r->facts.abi_minor = h.abi_minor;
	r->st.offset = sizeof(h);
	r->major = h.major;
	if (r->major == VT_FILE_MAJOR_V2) {
		r->v2 = malloc(sizeof(*r->v2));
		if (!r->v2) {
			ret = -ENOMEM;
			setmsg(err, errlen, "out of memory");
			goto fail;
		}
	}
	*out = r;
	return 0;
fail:
	close(r->fd);
	free(r);
	return ret;
}

const struct vt_host_facts *vt_reader_facts(const struct vt_reader *r)
{
	return &r->facts;
}

static int stop(struct vt_reader *r, enum vt_read_end end, int ret,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int stop(struct vt_reader *r, enum vt_read_end end, int ret,
		const char *fmt, ...)
{
	va_list ap;

	r->st.end = end;
	va_start(ap, fmt);
	vsnprintf(r->st.msg, sizeof(r->st.msg), fmt, ap);
	va_end(ap);
	r->err = ret;
	return ret;
}

/* Decompress the zstd chunk in r->zbuf into r->buf (r->len set). */
static int unzstd(struct vt_reader *r, const struct vt_chunk_hdr *ch,
		  uint64_t off)
{
#ifdef VT_HAVE_ZSTD
	unsigned long long raw = ZSTD_getFrameContentSize(r->zbuf, ch->len);
	size_t n;

	if (raw == ZSTD_CONTENTSIZE_ERROR || raw == ZSTD_CONTENTSIZE_UNKNOWN ||
	    raw > VT_CHUNK_MAX)
		return stop(r, VT_END_CORRUPT, -EBADMSG,
			    "chunk %llu at offset %llu: bad zstd frame",
			    (unsigned long long)ch->seq, (unsigned long long)off);
	if (raw > r->cap) {
		uint8_t *nb = realloc(r->buf, raw);

		if (!nb)
			return stop(r, VT_END_CORRUPT, -ENOMEM, "out of memory");
		r->buf = nb;
		r->cap = raw;
	}
	if (!r->dctx) {
		r->dctx = ZSTD_createDCtx();
		if (!r->dctx)
			return stop(r, VT_END_CORRUPT, -ENOMEM, "out of memory");
	}
	n = ZSTD_decompressDCtx(r->dctx, r->buf, raw, r->zbuf, ch->len);
	if (ZSTD_isError(n) || n != raw)
		return stop(r, VT_END_CORRUPT, -EBADMSG,
			    "chunk %llu at offset %llu: zstd: %s",
			    (unsigned long long)ch->seq, (unsigned long long)off,
			    ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame");
	r->len = n;
	return 0;
#else
	return stop(r, VT_END_CORRUPT, -EOPNOTSUPP,
		    "chunk %llu at offset %llu is zstd-compressed: this build has no libzstd",
		    (unsigned long long)ch->seq, (unsigned long long)off);
#endif
}

/*
 * v1: the end of the run of valid records at the start of @buf (the
 * offset of the first invalid one, or @len, or of record @max: the
 * chunk's count), checked in one tight loop once the chunk's CRC
 * matched; *@n is their number. vt_reader_next() hands out the records
 * before it without looking at them again; the first invalid record (or
 * one more than counted) is reported by next_slow(), with its message,
 * as before.
 */
/*
 * valid_prefix()'s check of a record of its type's own size: per value
 * of the type's low byte, the first 4 header bytes of such a record
 * (type and size) and vt_rec_check_tab[]'s field check. One compare of
 * those bytes stands for the type and size tests of vt_record_ok_room();
 * any other record (a larger size, a type not below VT_REC_END: @word's
 * low byte is not the index, so nothing matches) takes vt_record_ok_room().
 */
struct vt_rec_word {
	uint32_t word;
	uint8_t off, lo0, span0, hi1;
};
static struct vt_rec_word rec_word[256];

/* (at load time: nothing to test per chunk, no race between threads) */
static void __attribute__((constructor)) rec_word_init(void)
{
	const struct vt_rec_check_ent *t;
	uint16_t ts[2];
	unsigned int i;

	for (i = 0; i < 256; i++) {
		t = i < VT_REC_END ? &vt_rec_check_tab[i] : NULL;
		if (!t || !t->size) {
			ts[0] = (uint16_t)(i ^ 0xff);	/* matches no record */
			ts[1] = 0;
			memcpy(&rec_word[i].word, ts, 4);
			continue;
		}
		ts[0] = (uint16_t)i;
		ts[1] = t->size;
		memcpy(&rec_word[i].word, ts, 4);
		rec_word[i].off = t->off;
		rec_word[i].lo0 = t->lo0;
		rec_word[i].span0 = t->span0;
		rec_word[i].hi1 = t->hi1;
	}
}

static size_t valid_prefix(const uint8_t *buf, size_t len, uint32_t max,
			   uint32_t *n)
{
	/* records that start before @fast have room for any size */
	const uint8_t *p = buf;
	const uint8_t *fast = len >= VT_REC_MAX_SIZE ?
			      buf + len - VT_REC_MAX_SIZE + 1 : buf;
	uint32_t i = 0, left = max;
	size_t pos;

	/* (a count down: no compare of a count with @max per record) */
	while (left && p < fast) {
		const struct vt_hdr *h = (const void *)p;
		const struct vt_rec_word *t = &rec_word[h->type & 0xff];
		uint32_t w;

		memcpy(&w, p, 4);
		if (__builtin_expect(w == t->word, 1)) {
			/* vt_record_ok_room()'s field check */
			if (!(((uint8_t)(p[t->off] - t->lo0) <= t->span0) &
			      (p[t->off + 1] <= t->hi1)))
				break;
		} else if (!vt_record_ok_room(h)) {
			break;
		}
		p += h->size;
		left--;
	}
	i = max - left;
	pos = (size_t)(p - buf);
	/* the last ones (or the first invalid one again) */
	while (i < max && pos < len &&
	       vt_record_ok((const void *)(buf + pos), len - pos)) {
		pos += ((const struct vt_hdr *)(buf + pos))->size;
		i++;
	}
	*n = i;
	return pos;
}

void vt_reader_keep(struct vt_reader *r, const void *(*oldest)(void *arg),
		    void *arg)
{
	r->oldest = oldest;
	r->oldest_arg = arg;
}

static bool in_block(const struct vt_kblock *b, const void *p)
{
	return (uintptr_t)p >= (uintptr_t)b->buf &&
	       (uintptr_t)p < (uintptr_t)b->buf + b->cap;
}

/*
 * Keep mode: a block of at least @size bytes for the next records, at
 * the end of the live ring, after moving the blocks before the one that
 * holds the caller's oldest record to the spares. NULL: out of memory.
 */
static struct vt_kblock *keep_block(struct vt_reader *r, size_t size)
{
	const void *old = r->oldest(r->oldest_arg);
	struct vt_kblock *b, nb = { NULL, 0 };
	uint32_t i;

	while (r->nr_live) {
		b = &r->live[r->lhead];
		if (old && in_block(b, old))
			break;
		if (r->nr_spare == r->cap_spare) {
			uint32_t n = r->cap_spare ? r->cap_spare * 2 : 8;
			struct vt_kblock *ns = realloc(r->spare, n * sizeof(*ns));

			if (!ns)
				return NULL;
			r->spare = ns;
			r->cap_spare = n;
		}
		r->spare[r->nr_spare++] = *b;
		r->lhead = (r->lhead + 1) & (r->lcap - 1);
		r->nr_live--;
	}
	if (r->nr_live == r->lcap) {
		uint32_t n = r->lcap ? r->lcap * 2 : 8;
		struct vt_kblock *nl = malloc(n * sizeof(*nl));

		if (!nl)
			return NULL;
		for (i = 0; i < r->nr_live; i++)
			nl[i] = r->live[(r->lhead + i) & (r->lcap - 1)];
		free(r->live);
		r->live = nl;
		r->lhead = 0;
		r->lcap = n;
	}
	if (size < VT_KEEP_BLOCK)
		size = VT_KEEP_BLOCK;
	if (r->nr_spare && r->spare[r->nr_spare - 1].cap >= size) {
		nb = r->spare[--r->nr_spare];
	} else {
		nb.buf = malloc(size);
		if (!nb.buf)
			return NULL;
		nb.cap = size;
	}
	b = &r->live[(r->lhead + r->nr_live++) & (r->lcap - 1)];
	*b = nb;
	return b;
}

/* Load the next chunk; 1 loaded, 0 end, <0 error. */
static int load_chunk(struct vt_reader *r)
{
	struct vt_chunk_hdr ch;
	uint64_t off = r->st.offset;
	ssize_t n;
	int ret;

	n = read_full(r->fd, &ch, sizeof(ch));
	if (n < 0)
		return stop(r, VT_END_CORRUPT, (int)n, "read error at offset %llu: %s",
			    (unsigned long long)off, strerror((int)-n));
	if (n == 0)
		return stop(r, VT_END_TRUNCATED, 0,
			    "truncated: no end marker after chunk %llu (offset %llu); %llu intact chunks kept",
			    (unsigned long long)r->st.chunks,
			    (unsigned long long)off,
			    (unsigned long long)r->st.chunks);
	if (n < (ssize_t)sizeof(ch))
		return stop(r, VT_END_TRUNCATED, 0,
			    "truncated: partial chunk header at offset %llu (%zd of %zu bytes); %llu intact chunks kept",
			    (unsigned long long)off, n, sizeof(ch),
			    (unsigned long long)r->st.chunks);
	if (ch.magic != VT_CHUNK_MAGIC ||
	    ch.hdr_crc != vt_crc32(0, &ch, offsetof(struct vt_chunk_hdr, hdr_crc)))
		return stop(r, VT_END_CORRUPT, -EBADMSG,
			    "corrupted chunk header at offset %llu (chunk %llu)",
			    (unsigned long long)off,
			    (unsigned long long)r->st.chunks);
	if (ch.seq != r->st.chunks)
		return stop(r, VT_END_CORRUPT, -EBADMSG,
			    "chunk at offset %llu has sequence %llu, expected %llu",
			    (unsigned long long)off, (unsigned long long)ch.seq,
			    (unsigned long long)r->st.chunks);
	if (ch.flags & VT_CHUNK_F_END)
		return stop(r, VT_END_COMPLETE, 0, "complete: %llu chunks, %llu records",
			    (unsigned long long)r->st.chunks,
			    (unsigned long long)r->st.records);
	if (ch.len > VT_CHUNK_MAX)
		return stop(r, VT_END_CORRUPT, -EBADMSG,
			    "chunk %llu at offset %llu claims %u bytes (limit %u)",
			    (unsigned long long)ch.seq, (unsigned long long)off,
			    ch.len, VT_CHUNK_MAX);
	if ((ch.flags & VT_CHUNK_F_ZSTD) && r->major != VT_FILE_MAJOR_V2)
		return stop(r, VT_END_CORRUPT, -EBADMSG,
			    "chunk %llu at offset %llu: compressed chunk in a version 1 file",
			    (unsigned long long)ch.seq, (unsigned long long)off);
	if (ch.flags & VT_CHUNK_F_ZSTD) {
		if (ch.len > r->zcap) {
			uint8_t *nb = realloc(r->zbuf, ch.len);

			if (!nb)
				return stop(r, VT_END_CORRUPT, -ENOMEM, "out of memory");
			r->zbuf = nb;
			r->zcap = ch.len;
		}
	} else if (r->oldest && !r->v2) {
		/* keep mode, v1: the records stay in the chunk's own block */
		struct vt_kblock *kb = keep_block(r, ch.len);

		if (!kb)
			return stop(r, VT_END_CORRUPT, -ENOMEM, "out of memory");
		r->buf = kb->buf;
		r->cap = kb->cap;
	} else if (ch.len > r->cap) {
		uint8_t *nb = realloc(r->buf, ch.len);

		if (!nb)
			return stop(r, VT_END_CORRUPT, -ENOMEM, "out of memory");
		r->buf = nb;
		r->cap = ch.len;
	}
	n = read_full(r->fd, ch.flags & VT_CHUNK_F_ZSTD ? r->zbuf : r->buf,
		      ch.len);
	if (n < 0)
		return stop(r, VT_END_CORRUPT, (int)n, "read error at offset %llu: %s",
			    (unsigned long long)off, strerror((int)-n));
	if ((size_t)n < ch.len)
		return stop(r, VT_END_TRUNCATED, 0,
			    "truncated: chunk %llu at offset %llu has %zd of %u bytes; %llu intact chunks kept",
			    (unsigned long long)ch.seq, (unsigned long long)off,
			    n, ch.len, (unsigned long long)r->st.chunks);
	if (vt_crc32(0, ch.flags & VT_CHUNK_F_ZSTD ? r->zbuf : r->buf,
		     ch.len) != ch.crc)
		return stop(r, VT_END_CORRUPT, -EBADMSG,
			    "chunk %llu at offset %llu: CRC mismatch, file corrupted",
			    (unsigned long long)ch.seq, (unsigned long long)off);
	r->len = ch.len;
	if (ch.flags & VT_CHUNK_F_ZSTD) {
		ret = unzstd(r, &ch, off);
		if (ret)
			return ret;
	}
	if (r->v2)
		vt_v2_reset(r->v2);
	r->run_n = 0;
	r->ok_end = r->v2 ? 0 : valid_prefix(r->buf, r->len, ch.nr_records,
					     &r->run_n);
	r->chunk_off = off;
	r->pos = 0;
	r->left = ch.nr_records;
	r->st.offset = off + sizeof(ch) + ch.len;
	r->st.chunks++;
	return 1;
}

/*
 * Stop on v2 record @h at r->pos: its bytes are no valid coding (@coding)
 * or it failed vt_record_check().
 */
static __attribute__((noinline, cold)) int
v2_fail(struct vt_reader *r, const struct vt_hdr *h, bool coding)
{
	char msg[100];

	if (!coding)
		vt_record_check_full(h, h->size, msg, sizeof(msg));
	return stop(r, VT_END_CORRUPT, -EBADMSG,
		    "chunk at offset %llu, byte %zu: %s",
		    (unsigned long long)r->chunk_off, r->pos,
		    coding ? "bad record coding" : msg);
}

/*
 * The next v2 record: decoded into r->rec, checked, handed out. Shared by
 * vt_reader_next()'s fast path and next_slow() (a failed decode has
 * already changed the context, so it cannot be retried there).
 */
static inline __attribute__((always_inline)) int
v2_next_t(struct vt_reader *r, const struct vt_hdr **rec)
{
	struct vt_hdr *h = (void *)r->rec;
	size_t used = 0;

	if (r->oldest) {	/* keep mode: decoded into a block */
		if (__builtin_expect((size_t)(r->dend - r->dcur) < VT_REC_MAX_SIZE, 0)) {
			struct vt_kblock *kb = keep_block(r, VT_KEEP_BLOCK);

			if (!kb)
				return stop(r, VT_END_CORRUPT, -ENOMEM, "out of memory");
			r->dcur = kb->buf;
			r->dend = kb->buf + kb->cap;
		}
		h = (void *)r->dcur;
	}
	if (__builtin_expect(!r->left, 0))
		return stop(r, VT_END_CORRUPT, -EBADMSG,
			    "chunk at offset %llu, byte %zu: %s",
			    (unsigned long long)r->chunk_off, r->pos,
			    "more records than counted");
	if (__builtin_expect(vt_v2_decode(r->v2, r->buf + r->pos,
					  r->len - r->pos, h, &used), 0))
		return v2_fail(r, h, true);
	/*
	 * vt_record_ok(h, h->size): the decoder gave a size of at least a
	 * header, a multiple of 8 up to VT_REC_MAX_SIZE, so only the type's
	 * size range is left, which vt_record_ok_room() checks in one compare
	 */
	if (__builtin_expect(!vt_record_ok_room(h), 0))
		return v2_fail(r, h, false);
	r->pos += used;
	r->left--;
	r->st.records++;
	if (r->oldest)
		r->dcur += h->size;	/* (a multiple of 8) */
	*rec = h;
	return 1;
}

static inline int v2_next(struct vt_reader *r, const struct vt_hdr **rec)
{
	return v2_next_t(r, rec);
}

/* vt_reader_next() past its fast path: chunk loads, v2, every error */
static __attribute__((noinline)) int next_slow(struct vt_reader *r,
					       const struct vt_hdr **rec)
{
	const struct vt_hdr *h;
	char msg[100];
	int ret;

	if (r->st.end != VT_END_NONE)
		return r->err;
	while (r->pos >= r->len) {
		if (r->left)
			return stop(r, VT_END_CORRUPT, -EBADMSG,
				    "chunk at offset %llu: %u records missing",
				    (unsigned long long)r->chunk_off, r->left);
		ret = load_chunk(r);
		if (ret <= 0)
			return ret;
	}
	if (r->v2)
		return v2_next(r, rec);
	h = (const void *)(r->buf + r->pos);
	ret = vt_record_check(h, r->len - r->pos, msg, sizeof(msg));
	if (ret || !r->left)
		return stop(r, VT_END_CORRUPT, -EBADMSG,
			    "chunk at offset %llu, byte %zu: %s",
			    (unsigned long long)r->chunk_off, r->pos,
			    ret ? msg : "more records than counted");
	if (r->pos < r->ok_end)
		r->run_n--;
	r->pos += h->size;
	r->left--;
	r->st.records++;
	*rec = h;
	return 1;
}

int vt_reader_next(struct vt_reader *r, const struct vt_hdr **rec)
{
	const struct vt_hdr *h;

	/*
	 * v1, inside the chunk's valid prefix (so no error stopped the
	 * reader: an error leaves pos at or past ok_end)
	 */
	if (__builtin_expect(r->pos < r->ok_end && r->left, 1)) {
		h = (const void *)(r->buf + r->pos);
		r->pos += h->size;
		r->left--;
		r->run_n--;
		r->st.records++;
		*rec = h;
		return 1;
	}
	if (r->v2 && __builtin_expect(r->pos < r->len && r->left &&
				      r->st.end == VT_END_NONE, 1))
		return v2_next(r, rec);
	return next_slow(r, rec);
}

int vt_reader_next_run(struct vt_reader *r, const struct vt_hdr **rec,
		       uint32_t *n)
{
	/* v1: the rest of the chunk's valid prefix in one go */
	if (r->run_n) {
		*rec = (const void *)(r->buf + r->pos);
		*n = r->run_n;
		r->pos = r->ok_end;
		r->left -= r->run_n;
		r->st.records += r->run_n;
		r->run_n = 0;
		return 1;
	}
	/*
	 * v2 in keep mode: the records of the chunk that fit in the block,
	 * decoded one after the other. A bad record ends the run; the reader
	 * has stopped (its message says where) and the next call returns the
	 * error, after the records before it, as vt_reader_next() would.
	 */
	if (r->v2 && r->oldest && __builtin_expect(r->st.end == VT_END_NONE, 1)) {
		struct vt_v2_ctx *c = r->v2;
		const uint8_t *buf = r->buf;
		size_t pos = r->pos, len = r->len;
		uint8_t *dcur = r->dcur, *first = dcur;
		uint32_t left = r->left, k, m;
		int bad = 0;

		/*
		 * v2_next_t() with room in the block, in vt_v2_decode_run():
		 * @m records at most, as many as have room for any size (so no
		 * test of the room per record), then the room again
		 */
		while ((m = (uint32_t)((size_t)(r->dend - dcur) / VT_REC_MAX_SIZE))) {
			if (m > left)
				m = left;
			if (!m)
				break;
			k = vt_v2_decode_run(c, buf, len, &pos, &dcur, m, &bad);
			left -= k;
			if (k < m)	/* error or end of chunk */
				break;
		}
		k = r->left - left;
		r->pos = pos;
		r->left = left;
		r->dcur = dcur;
		r->st.records += k;
		if (bad)	/* (dcur: the record that failed its check) */
			v2_fail(r, (const void *)dcur, bad == 1);
		if (k) {
			*rec = (const void *)first;
			*n = k;
			return 1;
		}
		if (r->st.end != VT_END_NONE)
			return r->err;
	}
	/* (no run: vt_reader_next() past its v1 fast path) */
	*n = 1;
	if (r->v2 && __builtin_expect(r->pos < r->len && r->left &&
				      r->st.end == VT_END_NONE, 1))
		return v2_next(r, rec);
	return next_slow(r, rec);
}

const struct vt_read_status *vt_reader_status(const struct vt_reader *r)
{
	return &r->st;
}

void vt_reader_close(struct vt_reader *r)
{
	uint32_t i;

	if (!r)
		return;
	close(r->fd);
	for (i = 0; i < r->nr_live; i++)
		free(r->live[(r->lhead + i) & (r->lcap - 1)].buf);
	for (i = 0; i < r->nr_spare; i++)
		free(r->spare[i].buf);
	free(r->live);
	free(r->spare);
	if (!r->oldest || r->v2)	/* (keep mode, v1: a live block) */
		free(r->buf);
	free(r->zbuf);
#ifdef VT_HAVE_ZSTD
	ZSTD_freeDCtx(r->dctx);
#endif
	free(r->v2);
	free(r);
}
