// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_tracefile_v2.c - trace file format 2.0: random records of every
 * type (LR records with changing LRs, larger minor-ABI sizes, sentinel
 * ids) read back byte for byte, with and without zstd; a cut at any
 * offset keeps exactly the records of the complete chunks; a flipped
 * byte is a CRC error; v1 files still read; the format is chosen before
 * the first record only; the decoder's fast path (input with room for
 * the longest coding) and its bounds-tested path agree on valid codings
 * and on random bytes.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "helpers.h"
#include "vt_record.h"
#include "vt_tracefile_v2.h"

#define NREC	5000
#define PER_CHUNK 700

static char path[256];
static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static union {
	uint8_t b[VT_REC_MAX_SIZE];
	uint64_t align;
} recs[NREC];

/* A valid record of a random type with random contents. */
static void make(unsigned int i, uint64_t *ts)
{
	static const unsigned int types[] = {
		VT_REC_LR_FLUSH, VT_REC_LR_FOLD, VT_REC_LR_FLUSH, VT_REC_LR_FOLD,
		VT_REC_INJECT, VT_REC_ACK, VT_REC_RESAMPLE, VT_REC_VFIO,
		VT_REC_IRQFD, VT_REC_MMIO, VT_REC_IRQ_STATE, VT_REC_LOST,
		VT_REC_META, VT_REC_DEACTIVATE,
	};
	struct vt_hdr *h = (void *)recs[i].b;
	unsigned int type = types[rnd(sizeof(types) / sizeof(types[0]))], k;
	size_t size = vt_record_size(type);
	char err[120];

	do {
		memset(recs[i].b, 0, sizeof(recs[i].b));
		h->type = (uint16_t)type;
		h->size = (uint16_t)(size + (rnd(10) == 0 ? 8 * rnd(3) : 0));
		for (k = sizeof(*h); k < h->size; k++)
			recs[i].b[k] = rnd(3) ? 0 : (uint8_t)rnd(256);
		*ts += rnd(5) == 0 ? 0 : rnd(100000);
		if (rnd(20) == 0)
			*ts -= rnd(1000);		/* out of order */
		h->ts_ns = *ts;
		h->cpu = rnd(4);
		h->vm_id = rnd(8) ? 1000 + rnd(3) : VT_NO_VM;
		h->vcpu_id = rnd(8) ? rnd(4) : VT_NO_VCPU;
		if (type == VT_REC_LR_FLUSH || type == VT_REC_LR_FOLD) {
			struct vt_rec_lr *r = (void *)h;

			r->gic_version = rnd(2) ? 3 : 2;
			r->used_lrs = (uint8_t)rnd(5);
			r->nr_lrs = 4;
			for (k = 0; k < VT_MAX_LR; k++)
				r->lr[k] = k < r->used_lrs ?
					   (32 + rnd(8)) | ((uint64_t)rnd(4) << 62) : 0;
		}
		if (type == VT_REC_VFIO)
			((struct vt_rec_vfio *)(void *)h)->event = 1 + rnd(5);
		if (type == VT_REC_MMIO)
			((struct vt_rec_mmio *)(void *)h)->reg = 1 + rnd(8);
		if (type == VT_REC_DEACTIVATE) {
			((struct vt_rec_deactivate *)(void *)h)->gic_version = 3;
			((struct vt_rec_deactivate *)(void *)h)->how = 1;
		}
		if (type == VT_REC_IRQ_STATE)
			((struct vt_rec_irq_state *)(void *)h)->config = 1;
	} while (vt_record_check(h, h->size, err, sizeof(err)));
}

static long write_file(unsigned int major, int zstd)
{
	struct vt_host_facts facts = { .gic_version = 3, .nr_lrs = 4 };
	struct vt_writer *w;
	uint64_t ts = 5000000;
	unsigned int i;
	struct stat st;

	rng = 88172645463325252ull;
	for (i = 0; i < NREC; i++)
		make(i, &ts);
	assert_int_equal(vt_writer_open(path, &facts, true, &w), 0);
	assert_int_equal(vt_writer_set_format(w, major, zstd, &facts), 0);
	for (i = 0; i < NREC; i++) {
		assert_int_equal(vt_writer_append(w, (void *)recs[i].b), 0);
		if ((i + 1) % PER_CHUNK == 0)
			assert_int_equal(vt_writer_flush(w), 0);
	}
	assert_int_equal(vt_writer_close(w), 0);
	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* Records read back, each compared byte for byte; *ret the last next(). */
static unsigned int read_back(enum vt_read_end *end, int *ret)
{
	const struct vt_hdr *rec;
	struct vt_reader *r;
	unsigned int n = 0;
	char err[200];

	assert_int_equal(vt_reader_open(path, &r, err, sizeof(err)), 0);
	assert_int_equal(vt_reader_facts(r)->nr_lrs, 4);
	while ((*ret = vt_reader_next(r, &rec)) > 0) {
		const struct vt_hdr *want = (const void *)recs[n].b;

		assert_true(n < NREC);
		assert_int_equal(rec->size, want->size);
		assert_memory_equal(rec, want, want->size);
		n++;
	}
	*end = vt_reader_status(r)->end;
	vt_reader_close(r);
	return n;
}

static void roundtrip(unsigned int major, int zstd, long max_size)
{
	enum vt_read_end end;
	long size;
	int ret;

	size = write_file(major, zstd);
	assert_int_equal(read_back(&end, &ret), NREC);
	assert_int_equal(ret, 0);
	assert_int_equal(end, VT_END_COMPLETE);
	if (size > max_size)
		fail_msg("v%u zstd %d: %ld bytes for %u records (limit %ld)",
			 major, zstd, size, NREC, max_size);
}

static void test_roundtrip(void **state)
{
	long v1;

	(void)state;
	v1 = write_file(1, 0);
	roundtrip(1, 0, v1);		/* v1 still written and read */
	roundtrip(2, 0, v1 / 2);	/* coded: well under half of v1 */
#ifdef VT_HAVE_ZSTD
	roundtrip(2, 3, v1 / 2);
#endif
}

/* Cut anywhere: the records of the complete chunks, then "truncated". */
static void test_truncated(void **state)
{
	long size, cut, offs[NREC / PER_CHUNK + 2], off;
	unsigned int nch = 0, k, want;
	struct vt_chunk_hdr ch;
	enum vt_read_end end;
	int fd, ret, z;

	(void)state;
	for (z = 0; z <= 3; z += 3) {
#ifndef VT_HAVE_ZSTD
		if (z)
			break;
#endif
		size = write_file(2, z);
		/* chunk boundaries, from the chunk headers */
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		nch = 0;
		for (off = VT_FILE_HDR_SIZE; off < size;
		     off += VT_CHUNK_HDR_SIZE + ch.len) {
			assert_int_equal(pread(fd, &ch, sizeof(ch), off), sizeof(ch));
			offs[nch++] = off;
			if (ch.flags & VT_CHUNK_F_END)
				break;
			if (z)
				assert_true(ch.flags & VT_CHUNK_F_ZSTD);
		}
		close(fd);
		for (cut = VT_FILE_HDR_SIZE; cut < size; cut += 97) {
			write_file(2, z);
			assert_int_equal(truncate(path, cut), 0);
			for (k = 0, want = 0; k + 1 < nch; k++)
				if (offs[k + 1] <= cut)
					want = (k + 1) * PER_CHUNK;
			if (want > NREC)
				want = NREC;
			if (read_back(&end, &ret) != want)
				fail_msg("zstd %d cut at %ld: expected %u records", z, cut, want);
			assert_int_equal(ret, 0);
			assert_int_equal(end, VT_END_TRUNCATED);
		}
	}
}

static void test_corrupted(void **state)
{
	enum vt_read_end end;
	unsigned int n;
	long size;
	size_t len;
	char *buf;
	int ret;

	(void)state;
	size = write_file(2, 0);
	buf = read_all(path, &len);
	assert_int_equal((long)len, size);
	buf[VT_FILE_HDR_SIZE + VT_CHUNK_HDR_SIZE + 20] ^= 0x10;
	write_all_file(path, buf, len);
	free(buf);
	n = read_back(&end, &ret);
	assert_int_equal(n, 0);
	assert_int_equal(ret, -EBADMSG);
	assert_int_equal(end, VT_END_CORRUPT);
}

static void test_format_choice(void **state)
{
	struct vt_rec_inject r;
	struct vt_writer *w;

	(void)state;
	assert_int_equal(vt_writer_open(path, NULL, true, &w), 0);
	assert_int_equal(vt_writer_set_format(w, 3, 0, NULL), -EINVAL);
	assert_int_equal(vt_writer_set_format(w, 1, 3, NULL), -EINVAL);
	memset(&r, 0, sizeof(r));
	r.hdr.type = VT_REC_INJECT;
	r.hdr.size = sizeof(r);
	assert_int_equal(vt_writer_append(w, &r.hdr), 0);
	assert_int_equal(vt_writer_set_format(w, 2, 0, NULL), -EINVAL);
	assert_int_equal(vt_writer_close(w), 0);
}

/*
 * Decode @n bytes at @in twice: as the last bytes of a chunk (the tested
 * path: fewer bytes than any coding can need) and followed by more bytes
 * (the fast path). Where the tested path decodes, the fast one must give
 * the same record, length and context; where it fails, the fast one
 * fails too or needs bytes past @n.
 */
static void both_paths(const struct vt_v2_ctx *c, const uint8_t *in, size_t n)
{
	static struct vt_v2_ctx c1, c2;
	static uint8_t room[1024];
	static union {
		uint8_t b[VT_REC_MAX_SIZE];
		uint64_t align;
	} r1, r2;
	size_t u1 = 0, u2 = 0;
	int e1, e2;

	assert_true(n <= 300);
	memcpy(room, in, n);
	memset(room + n, 0x80 | rnd(256), sizeof(room) - n);
	c1 = *c;
	c2 = *c;
	e1 = vt_v2_decode(&c1, in, n, (struct vt_hdr *)r1.b, &u1);
	e2 = vt_v2_decode(&c2, room, sizeof(room), (struct vt_hdr *)r2.b, &u2);
	if (e1) {
		assert_int_equal(e1, -EBADMSG);
		assert_true(e2 || u2 > n);
		return;
	}
	assert_int_equal(e2, 0);
	assert_int_equal(u1, u2);
	assert_true(u1 <= n);
	assert_memory_equal(r1.b, r2.b, ((struct vt_hdr *)r1.b)->size);
	assert_memory_equal(&c1, &c2, sizeof(c1));
}

static void test_decode_paths(void **state)
{
	static struct vt_v2_ctx enc, dec;
	static uint8_t buf[300], junk[300];
	uint64_t ts = 1000;
	unsigned int i, j;
	size_t n, used;

	(void)state;
	vt_v2_reset(&enc);
	vt_v2_reset(&dec);
	for (i = 0; i < NREC; i++) {
		make(i, &ts);
		n = vt_v2_encode(&enc, (const struct vt_hdr *)recs[i].b, buf);
		assert_true(n <= sizeof(buf));
		both_paths(&dec, buf, n);
		assert_int_equal(vt_v2_decode(&dec, buf, n,
					      (struct vt_hdr *)junk, &used), 0);
		assert_int_equal(used, n);
		assert_memory_equal(junk, recs[i].b,
				    ((struct vt_hdr *)recs[i].b)->size);
		/* random bytes, and the coding with bytes flipped */
		for (j = 0; j < sizeof(junk); j++)
			junk[j] = (uint8_t)rnd(256);
		both_paths(&dec, junk, 1 + rnd(sizeof(junk)));
		memcpy(junk, buf, n);
		junk[rnd((uint32_t)n)] ^= (uint8_t)(1u << rnd(8));
		both_paths(&dec, junk, n);
	}
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_format_choice),
		cmocka_unit_test(test_decode_paths),
	};

	int ret;

	snprintf(path, sizeof(path), "/tmp/vt-test-v2-%d.vgt", (int)getpid());
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return ret;
}
