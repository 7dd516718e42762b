// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_feed_fast.c - the reader's fast paths against its plain ones:
 *
 *  - vt_v2_decode_run() (decode_std() for a tag of a type's own size,
 *    PSHUFB for a word's changed bytes on x86-64 with SSSE3, and with
 *    vt_v2_use_shuf cleared) gives the records, lengths, errors and
 *    context of vt_v2_decode() one record at a time with
 *    vt_record_ok_room(), on chunks of records of every type (own and
 *    larger sizes, random changed bytes) and on those chunks with a byte
 *    changed;
 *  - a v1 chunk read in runs (valid_prefix()'s one-compare check) hands
 *    out the records vt_record_ok() accepts and stops at the same record
 *    with the same message as vt_reader_next().
 */
#include <unistd.h>
#include "helpers.h"
#include "vt_crc32.h"
#include "vt_record.h"
#include "vt_tracefile_v2.h"

#define NREC	2000
#define NV1	250	/* v1: one chunk (250 * VT_REC_MAX_SIZE < 64 KiB) */

static uint32_t seed = 12345;

static uint32_t rnd32(uint32_t n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

union rec {
	uint8_t b[VT_REC_MAX_SIZE];
	uint64_t align;
};

static union rec recs[NREC];

/* a valid record of a random type; @big: sometimes a larger size */
static void make_valid(union rec *r, uint64_t *ts, bool big)
{
	struct vt_hdr *h = (void *)r->b;
	const struct vt_rec_check_ent *t;
	unsigned int type, size, j;

	do {
		type = rnd32(VT_REC_END);
		t = &vt_rec_check_tab[type];
	} while (!t->size);
	size = t->size;
	if (big && !rnd32(8))
		size += 8 * rnd32((VT_REC_MAX_SIZE - size) / 8 + 1);
	memset(r->b, 0, sizeof(r->b));
	for (j = sizeof(*h); j < size; j++)	/* few bytes change */
		r->b[j] = rnd32(3) ? (uint8_t)(j * 3) : (uint8_t)rnd32(256);
	h->type = (uint16_t)type;
	h->size = (uint16_t)size;
	h->cpu = rnd32(4) ? 1 : rnd32(300);
	*ts += rnd32(5) ? rnd32(100) : rnd32(1u << 20);
	h->ts_ns = *ts;
	h->vm_id = rnd32(3) ? 7 : rnd32(1000);
	h->vcpu_id = rnd32(4) ? rnd32(2) : rnd32(70000) - 1;
	if (t->off) {
		r->b[t->off] = (uint8_t)(t->lo0 + rnd32(t->span0 + 1u));
		r->b[t->off + 1] = (uint8_t)rnd32(t->hi1 + 1u);
	}
}

/* vt_v2_decode_run() as the reader calls it, in pieces of @step records */
static struct vt_v2_ctx c_run, c_plain;

static uint32_t run(const uint8_t *in, size_t len, uint8_t *out, size_t *pos,
		    int *err, uint8_t **end)
{
	struct vt_v2_ctx *c = &c_run;
	uint32_t k, total = 0;

	vt_v2_reset(c);
	*pos = 0;
	*end = out;
	do {
		k = vt_v2_decode_run(c, in, len, pos, end, 1 + rnd32(40), err);
		total += k;
	} while (!*err && *pos < len && k);
	return total;
}

/* vt_v2_decode() and vt_record_ok_room(), one record at a time */
static uint32_t plain(const uint8_t *in, size_t len, uint8_t *out,
		      size_t *pos, int *err, uint8_t **end)
{
	struct vt_v2_ctx *c = &c_plain;
	struct vt_hdr *h;
	uint32_t k = 0;
	size_t used;

	vt_v2_reset(c);
	*pos = 0;
	*end = out;
	*err = 0;
	while (*pos < len) {
		h = (void *)*end;
		if (vt_v2_decode(c, in + *pos, len - *pos, h, &used)) {
			*err = 1;
			break;
		}
		if (!vt_record_ok_room(h)) {
			*err = 2;
			break;
		}
		*pos += used;
		*end += h->size;
		k++;
	}
	return k;
}

static void compare_runs(const uint8_t *in, size_t len)
{
	static uint8_t o1[NREC * VT_REC_MAX_SIZE], o2[NREC * VT_REC_MAX_SIZE];
	uint8_t *e1, *e2;
	size_t p1, p2;
	int err1, err2;
	uint32_t k1, k2;

	k1 = plain(in, len, o1, &p1, &err1, &e1);
	k2 = run(in, len, o2, &p2, &err2, &e2);
	assert_int_equal(k1, k2);
	assert_int_equal(err1, err2);
	assert_int_equal(p1, p2);
	assert_int_equal(e1 - o1, e2 - o2);
	assert_memory_equal(o1, o2, (size_t)(e1 - o1));
	/* (the same contexts used: the same bytes, unused bodies too) */
	assert_memory_equal(&c_plain, &c_run, sizeof(c_run));
}

static void test_v2_run(void **state)
{
	static uint8_t in[NREC * VT_V2_MAX_CODED], junk[NREC * VT_V2_MAX_CODED];
	static uint8_t out[NREC * VT_REC_MAX_SIZE];
	static struct vt_v2_ctx enc;
	uint64_t ts = 1000;
	unsigned int i, pass, shuf;
	size_t len = 0, pos, off;
	uint8_t *end;
	int err;

	(void)state;
#ifdef __x86_64__
	if (__builtin_cpu_supports("ssse3"))
		assert_int_equal(vt_v2_decode_impl(), 1);
#endif
	vt_v2_reset(&enc);
	for (i = 0; i < NREC; i++) {
		make_valid(&recs[i], &ts, true);
		len += vt_v2_encode(&enc, (const void *)recs[i].b, in + len);
	}
	for (shuf = 0; shuf < 2; shuf++) {
		vt_v2_use_shuf = (int)shuf;
		assert_int_equal(vt_v2_decode_impl() != 0, shuf &&
				 vt_v2_decode_impl());
		/* the records written */
		assert_int_equal(run(in, len, out, &pos, &err, &end), NREC);
		assert_int_equal(err, 0);
		assert_int_equal(pos, len);
		for (i = 0, off = 0; i < NREC; i++) {
			const struct vt_hdr *h = (const void *)recs[i].b;

			assert_memory_equal(out + off, recs[i].b, h->size);
			off += h->size;
		}
		compare_runs(in, len);
		/* a byte changed, a few bytes cut off, random bytes */
		for (pass = 0; pass < 300; pass++) {
			memcpy(junk, in, len);
			junk[rnd32((uint32_t)len)] ^= (uint8_t)(1u << rnd32(8));
			compare_runs(junk, len - rnd32(3));
		}
		for (pass = 0; pass < 100; pass++) {
			for (i = 0; i < 4096; i++)
				junk[i] = (uint8_t)rnd32(256);
			compare_runs(junk, 1 + rnd32(4096));
		}
	}
	vt_v2_use_shuf = 1;
}

/* v1: @n valid records, record @bad (if < @n) changed by @how */
static size_t v1_trace(const char *path, unsigned int n, unsigned int bad,
		       unsigned int how)
{
	struct vt_host_facts facts = { .gic_version = 3, .nr_lrs = 4,
				       .backend = VT_BACKEND_MODULE };
	struct vt_writer *w;
	const struct vt_rec_check_ent *t;
	struct vt_hdr *h;
	uint64_t ts = 1000;
	unsigned int i;
	size_t bytes = 0, at = 0;
	char *buf;

	unlink(path);
	assert_int_equal(vt_writer_open(path, &facts, true, &w), 0);
	assert_int_equal(vt_writer_set_format(w, 1, 0, &facts), 0);
	for (i = 0; i < n; i++) {
		make_valid(&recs[i], &ts, true);
		assert_int_equal(vt_writer_append(w, (void *)recs[i].b), 0);
		if (i == bad)
			at = bytes;
		bytes += ((struct vt_hdr *)recs[i].b)->size;
	}
	assert_int_equal(vt_writer_close(w), 0);
	if (bad >= n)
		return 0;
	/* change the record in the file, the chunk's CRC made right again */
	buf = read_all(path, &bytes);
	h = (void *)(buf + VT_FILE_HDR_SIZE + VT_CHUNK_HDR_SIZE + at);
	t = &vt_rec_check_tab[h->type];
	switch (how) {
	case 0:		/* a field out of range (or a size) */
		if (t->off)
			((uint8_t *)h)[t->off + 1] = (uint8_t)(t->hi1 + 1);
		else
			h->size += 4;
		break;
	case 1:		/* a hole's or an unknown type */
		h->type = rnd32(2) ? 0 : (uint16_t)(VT_REC_END + rnd32(300));
		break;
	case 2:		/* the type plus 1 << 8 (same low byte) */
		h->type = (uint16_t)(h->type + 256);
		break;
	case 3:		/* a hole's type, size 0 */
		h->type = 0;
		h->size = 0;
		break;
	default:	/* a smaller size than the type's */
		h->size = (uint16_t)(t->size - 8);
		break;
	}
	{
		struct vt_chunk_hdr ch;

		memcpy(&ch, buf + VT_FILE_HDR_SIZE, sizeof(ch));
		ch.crc = vt_crc32(0, buf + VT_FILE_HDR_SIZE + VT_CHUNK_HDR_SIZE,
				  ch.len);
		ch.hdr_crc = vt_crc32(0, &ch, offsetof(struct vt_chunk_hdr, hdr_crc));
		memcpy(buf + VT_FILE_HDR_SIZE, &ch, sizeof(ch));
	}
	write_all_file(path, buf, bytes);
	free(buf);
	return at;
}

/* read_each() check: record @n is the one written */
static void same_as_written(const struct vt_hdr *rec, unsigned int n,
			    void *arg)
{
	(void)arg;
	assert_memory_equal(rec, recs[n].b, rec->size);
}

static void test_v1_prefix(void **state)
{
	struct vt_read_status st[2];
	char path[256];
	unsigned int bad, how, n;
	int ret[2];

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_feed_fast.%d.vgt", (int)getpid());
	/* no bad record: all of them, both ways */
	v1_trace(path, NV1, NV1, 0);
	assert_int_equal(read_each(path, true, same_as_written, NULL, &ret[0],
				   NULL), NV1);
	assert_int_equal(ret[0], 0);
	for (how = 0; how < 5; how++) {
		for (n = 0; n < 6; n++) {
			bad = n < 2 ? n : rnd32(NV1);
			v1_trace(path, NV1, bad, how);
			assert_int_equal(read_each(path, false, same_as_written,
						   NULL, &ret[0], &st[0]), bad);
			assert_int_equal(read_each(path, true, same_as_written,
						   NULL, &ret[1], &st[1]), bad);
			assert_int_equal(ret[0], -EBADMSG);
			assert_int_equal(ret[1], ret[0]);
			assert_string_equal(st[1].msg, st[0].msg);
		}
	}
	unlink(path);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_run),
		cmocka_unit_test(test_v1_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
