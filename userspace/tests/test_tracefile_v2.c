// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_tracefile_v2.c - trace file format 2.0: random records of every
 * type (LR records with changing LRs, larger minor-ABI sizes, sentinel
 * ids) read back byte for byte, with and without zstd; a cut at any
 * offset keeps exactly the records of the complete chunks; a flipped
 * byte is a CRC error; v1 files still read; the format is chosen before
 * the first record only.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "helpers.h"
#include "vt_record.h"

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

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_format_choice),
	};

	int ret;

	snprintf(path, sizeof(path), "/tmp/vt-test-v2-%d.vgt", (int)getpid());
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return ret;
}
