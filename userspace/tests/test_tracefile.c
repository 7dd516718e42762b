// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_tracefile.c - the trace file writer and reader: round trip,
 * overwrite refusal, truncated, corrupted, empty and foreign files (each
 * in format 1 and in format 2, the default); the default format and its
 * VGIC_TRACE_FORMAT override; the raw stream parser; record validation.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "helpers.h"
#include "vt_raw.h"
#include "vt_crc32.h"
#include "vt_record.h"

#define NREC	300
#define PER_CHUNK 100

static char path[256];
static unsigned int fmt;	/* format written: 0 = the writer's default */
static bool use_run;		/* read_file(): vt_reader_next_run(), keep mode */

static void make_inject(struct vt_rec_inject *r, unsigned int i)
{
	memset(r, 0, sizeof(*r));
	r->hdr.type = VT_REC_INJECT;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_ns = 1000 + i;
	r->hdr.vm_id = 7;
	r->intid = 32 + (i % 4);
	r->level = i & 1;
}

/* NREC records in NREC / PER_CHUNK chunks; returns the file size. */
static long write_file(bool close_it)
{
	struct vt_host_facts facts = { .gic_version = 3, .nr_lrs = 4,
				       .backend = VT_BACKEND_MODULE };
	struct vt_rec_inject r;
	struct vt_writer *w;
	unsigned int i;
	struct stat st;

	snprintf(facts.kernel_release, sizeof(facts.kernel_release), "6.1.0-56-arm64");
	snprintf(facts.arch, sizeof(facts.arch), "aarch64");
	assert_int_equal(vt_writer_open(path, &facts, true, &w), 0);
	if (fmt)
		assert_int_equal(vt_writer_set_format(w, fmt, 0, &facts), 0);
	for (i = 0; i < NREC; i++) {
		make_inject(&r, i);
		assert_int_equal(vt_writer_append(w, &r.hdr), 0);
		if ((i + 1) % PER_CHUNK == 0)
			assert_int_equal(vt_writer_flush(w), 0);
	}
	if (close_it)
		assert_int_equal(vt_writer_close(w), 0);
	else
		vt_writer_close(w);
	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* read_each() check: record @n is write_file()'s inject @n */
static void is_inject_n(const struct vt_hdr *rec, unsigned int n, void *arg)
{
	const struct vt_rec_inject *in = (const void *)rec;

	(void)arg;
	assert_int_equal(rec->type, VT_REC_INJECT);
	assert_int_equal(rec->ts_ns, 1000 + n);
	assert_int_equal(in->intid, 32 + (n % 4));
}

/*
 * Read everything; returns records, sets *ret to the last next() value
 * (with use_run: vt_reader_next_run() in keep mode, each run's records
 * one after the other).
 */
static unsigned int read_file(enum vt_read_end *end, int *ret, char *msg)
{
	struct vt_read_status st;
	struct vt_reader *r;
	unsigned int n;
	char err[200];

	assert_int_equal(vt_reader_open(path, &r, err, sizeof(err)), 0);
	assert_string_equal(vt_reader_facts(r)->kernel_release, "6.1.0-56-arm64");
	assert_int_equal(vt_reader_facts(r)->nr_lrs, 4);
	vt_reader_close(r);
	n = read_each(path, use_run, is_inject_n, NULL, ret, &st);
	*end = st.end;
	if (msg)
		snprintf(msg, 160, "%s", st.msg);
	return n;
}

static void test_roundtrip(void **state)
{
	enum vt_read_end end;
	int ret;

	(void)state;
	write_file(true);
	assert_int_equal(read_file(&end, &ret, NULL), NREC);
	assert_int_equal(ret, 0);
	assert_int_equal(end, VT_END_COMPLETE);
}

static void test_no_overwrite(void **state)
{
	struct vt_writer *w;

	(void)state;
	write_file(true);
	assert_int_equal(vt_writer_open(path, NULL, false, &w), -EEXIST);
	assert_int_equal(vt_writer_open(path, NULL, true, &w), 0);
	assert_int_equal(vt_writer_close(w), 0);
}

static void test_invalid_record_refused(void **state)
{
	struct vt_rec_inject r;
	struct vt_writer *w;

	(void)state;
	assert_int_equal(vt_writer_open(path, NULL, true, &w), 0);
	make_inject(&r, 0);
	r.hdr.size = 24;
	assert_int_equal(vt_writer_append(w, &r.hdr), -EINVAL);
	r.hdr.size = sizeof(r);
	r.hdr.type = 99;
	assert_int_equal(vt_writer_append(w, &r.hdr), -EINVAL);
	assert_int_equal(vt_writer_records(w), 0);
	vt_writer_close(w);
}

/*
 * Offsets where the chunks of the file end (walking the chunk headers;
 * the size of a format 2 chunk depends on its coding); returns how many.
 */
static unsigned int chunk_ends(long *ends, unsigned int max)
{
	struct vt_chunk_hdr ch;
	unsigned int n = 0;
	size_t len = 0;
	char *buf = read_all(path, &len);
	long off = VT_FILE_HDR_SIZE;

	while (n < max && off + VT_CHUNK_HDR_SIZE <= (long)len) {
		memcpy(&ch, buf + off, sizeof(ch));
		assert_int_equal(ch.magic, VT_CHUNK_MAGIC);
		off += VT_CHUNK_HDR_SIZE + ch.len;
		ends[n++] = off;
	}
	free(buf);
	return n;
}

/* Truncate at many offsets: every intact chunk is kept. */
static void test_truncated(void **state)
{
	long size = write_file(true), cut, ends[8];
	unsigned int nch = chunk_ends(ends, 8), c;
	enum vt_read_end end;
	char msg[160];
	int ret;

	(void)state;
	/* NREC / PER_CHUNK data chunks and the end marker */
	assert_int_equal(nch, NREC / PER_CHUNK + 1);
	if (fmt == 1)
		assert_int_equal(ends[0], VT_FILE_HDR_SIZE + VT_CHUNK_HDR_SIZE +
				 PER_CHUNK * (long)sizeof(struct vt_rec_inject));
	for (cut = VT_FILE_HDR_SIZE; cut < size; cut += 37) {
		unsigned int want = 0;

		for (c = 0; c < nch - 1; c++)
			if (ends[c] <= cut)
				want += PER_CHUNK;
		write_file(true);
		assert_int_equal(truncate(path, cut), 0);
		if (read_file(&end, &ret, msg) != want)
			fail_msg("format %u, cut at %ld: expected %u records (%s)",
				 fmt, cut, want, msg);
		assert_int_equal(ret, 0);
		assert_int_equal(end, VT_END_TRUNCATED);
		assert_non_null(strstr(msg, "truncated"));
	}
}

static void test_corrupted_chunk(void **state)
{
	enum vt_read_end end;
	long ends[8];
	size_t len = 0;
	char *buf, msg[160];
	int ret;

	(void)state;
	write_file(true);
	assert_true(chunk_ends(ends, 8) >= 2);
	buf = read_all(path, &len);
	/* flip one byte inside the second chunk's payload */
	buf[ends[0] + VT_CHUNK_HDR_SIZE + 50] ^= 0x40;
	write_all_file(path, buf, len);
	free(buf);
	assert_int_equal(read_file(&end, &ret, msg), PER_CHUNK);
	assert_int_equal(ret, -EBADMSG);
	assert_int_equal(end, VT_END_CORRUPT);
	assert_non_null(strstr(msg, "CRC mismatch"));
}

/*
 * Format 1: a chunk whose CRC matches but whose content is wrong. The
 * reader checks a chunk's records once, at load (valid_prefix()): the
 * records before the fault are handed out, then the same error as a
 * record-by-record check gives.
 */
static void patch_v1_chunk(unsigned int bad_rec, int nr_records)
{
	struct vt_chunk_hdr ch;
	long ends[8];
	size_t len = 0;
	char *buf;
	long off;

	write_file(true);
	assert_true(chunk_ends(ends, 8) >= 3);
	buf = read_all(path, &len);
	off = ends[0];		/* the second chunk */
	memcpy(&ch, buf + off, sizeof(ch));
	if (bad_rec < PER_CHUNK)
		((struct vt_hdr *)(buf + off + VT_CHUNK_HDR_SIZE +
			bad_rec * sizeof(struct vt_rec_inject)))->type = 99;
	if (nr_records >= 0)
		ch.nr_records = (uint32_t)nr_records;
	ch.crc = vt_crc32(0, buf + off + VT_CHUNK_HDR_SIZE, ch.len);
	ch.hdr_crc = vt_crc32(0, &ch, offsetof(struct vt_chunk_hdr, hdr_crc));
	memcpy(buf + off, &ch, sizeof(ch));
	write_all_file(path, buf, len);
	free(buf);
}

static void test_v1_bad_content(void **state)
{
	enum vt_read_end end;
	char msg[160], want[80];
	int ret;

	(void)state;
	/* an invalid record, the 51st of the second chunk */
	patch_v1_chunk(50, -1);
	assert_int_equal(read_file(&end, &ret, msg), PER_CHUNK + 50);
	assert_int_equal(ret, -EBADMSG);
	assert_int_equal(end, VT_END_CORRUPT);
	snprintf(want, sizeof(want), ", byte %zu: ",
		 50 * sizeof(struct vt_rec_inject));
	if (!strstr(msg, want))
		fail_msg("message \"%s\" lacks \"%s\"", msg, want);
	/* the first record of a chunk invalid */
	patch_v1_chunk(0, -1);
	assert_int_equal(read_file(&end, &ret, msg), PER_CHUNK);
	assert_int_equal(ret, -EBADMSG);
	assert_non_null(strstr(msg, ", byte 0: "));
	/* fewer records counted than the chunk holds */
	patch_v1_chunk(PER_CHUNK, 40);
	assert_int_equal(read_file(&end, &ret, msg), PER_CHUNK + 40);
	assert_int_equal(ret, -EBADMSG);
	assert_int_equal(end, VT_END_CORRUPT);
	assert_non_null(strstr(msg, "more records than counted"));
	/* more */
	patch_v1_chunk(PER_CHUNK, PER_CHUNK + 7);
	assert_int_equal(read_file(&end, &ret, msg), 2 * PER_CHUNK);
	assert_int_equal(ret, -EBADMSG);
	assert_non_null(strstr(msg, "7 records missing"));
	/* both: the count ends first */
	patch_v1_chunk(60, 30);
	assert_int_equal(read_file(&end, &ret, msg), PER_CHUNK + 30);
	assert_non_null(strstr(msg, "more records than counted"));
}

/*
 * v2: the second chunk cut by @cut bytes (a record that does not decode,
 * after good ones) and/or given another record count; read with and
 * without runs: the same records, end and message.
 */
static void v2_bad_runs(unsigned int cut, int nr_records)
{
	struct vt_chunk_hdr ch;
	enum vt_read_end end[2];
	char msg[2][160];
	unsigned int n[2];
	long ends[8];
	size_t len = 0;
	int ret[2], i;
	char *buf;
	long off;

	write_file(true);
	assert_true(chunk_ends(ends, 8) >= 3);
	buf = read_all(path, &len);
	off = ends[0];		/* the second chunk */
	memcpy(&ch, buf + off, sizeof(ch));
	assert_true(ch.len > cut);
	ch.len -= cut;
	if (nr_records >= 0)
		ch.nr_records = (uint32_t)nr_records;
	ch.crc = vt_crc32(0, buf + off + VT_CHUNK_HDR_SIZE, ch.len);
	ch.hdr_crc = vt_crc32(0, &ch, offsetof(struct vt_chunk_hdr, hdr_crc));
	memcpy(buf + off, &ch, sizeof(ch));
	write_all_file(path, buf, len);
	free(buf);
	for (i = 0; i < 2; i++) {
		use_run = i;
		n[i] = read_file(&end[i], &ret[i], msg[i]);
	}
	assert_int_equal(ret[0], -EBADMSG);
	assert_true(n[0] >= PER_CHUNK && n[0] <= 2 * PER_CHUNK);
	assert_int_equal(n[1], n[0]);
	assert_int_equal(ret[1], ret[0]);
	assert_int_equal(end[1], end[0]);
	assert_string_equal(msg[1], msg[0]);
}

/*
 * vt_reader_next_run() in keep mode: the records, ends and messages of
 * vt_reader_next() (a run stops at a bad record and at the chunk's count)
 */
static void test_runs(void **state)
{
	use_run = true;
	test_roundtrip(state);
	test_truncated(state);
	test_corrupted_chunk(state);
	if (fmt == 1) {
		test_v1_bad_content(state);
	} else {
		v2_bad_runs(3, -1);
		v2_bad_runs(0, 40);
		v2_bad_runs(0, PER_CHUNK + 7);
		v2_bad_runs(1, 30);
		v2_bad_runs(2, PER_CHUNK + 1);
	}
	use_run = false;
}

/* format 2 by default, 1 or 2 (+zstd) from VGIC_TRACE_FORMAT, bad values refused */
static void test_default_format(void **state)
{
	static const struct { const char *env; int ret; unsigned int major; } t[] = {
		{ NULL, 0, 2 }, { "", 0, 2 }, { "1", 0, 1 }, { "2", 0, 2 },
#ifdef VT_HAVE_ZSTD
		{ "2+zstd", 0, 2 }, { "2+zstd=19", 0, 2 },
#endif
		{ "3", -EINVAL, 0 }, { "v1", -EINVAL, 0 }, { "2+zstd=0", -EINVAL, 0 },
		{ "2+zstd=20", -EINVAL, 0 }, { "1+zstd", -EINVAL, 0 }, { "2+zstdx", -EINVAL, 0 },
	};
	struct vt_file_hdr h;
	struct vt_writer *w;
	unsigned int i;
	enum vt_read_end end;
	size_t len = 0;
	char *buf;
	int ret;

	(void)state;
	assert_int_equal(VT_FILE_MAJOR, 2);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].env)
			setenv(VT_FILE_FORMAT_ENV, t[i].env, 1);
		else
			unsetenv(VT_FILE_FORMAT_ENV);
		unlink(path);
		if (t[i].ret) {
			assert_int_equal(vt_writer_open(path, NULL, true, &w), t[i].ret);
			continue;
		}
		write_file(true);
		buf = read_all(path, &len);
		memcpy(&h, buf, sizeof(h));
		free(buf);
		if (h.major != t[i].major)
			fail_msg("%s=%s: format %u, want %u", VT_FILE_FORMAT_ENV,
				 t[i].env ? t[i].env : "(unset)", h.major, t[i].major);
		assert_int_equal(read_file(&end, &ret, NULL), NREC);
		assert_int_equal(end, VT_END_COMPLETE);
	}
	unsetenv(VT_FILE_FORMAT_ENV);
	/* the library call overrides the environment */
	setenv(VT_FILE_FORMAT_ENV, "1", 1);
	fmt = 2;
	write_file(true);
	fmt = 0;
	unsetenv(VT_FILE_FORMAT_ENV);
	buf = read_all(path, &len);
	memcpy(&h, buf, sizeof(h));
	free(buf);
	assert_int_equal(h.major, 2);
	assert_int_equal(read_file(&end, &ret, NULL), NREC);
}

static void test_bad_files(void **state)
{
	struct vt_file_hdr h;
	struct vt_reader *r;
	char err[200];
	size_t len;
	char *buf;

	(void)state;
	write_all_file(path, "", 0);
	assert_int_equal(vt_reader_open(path, &r, err, sizeof(err)), -ENODATA);
	assert_non_null(strstr(err, "empty"));

	write_all_file(path, "#!/bin/sh\necho this is not a trace\n", 35);
	assert_int_equal(vt_reader_open(path, &r, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "not a vgic-trace file"));

	write_all_file(path, "VGICTRC1", 8);
	assert_int_equal(vt_reader_open(path, &r, err, sizeof(err)), -EBADMSG);

	write_file(true);
	buf = read_all(path, &len);
	memcpy(&h, buf, sizeof(h));
	h.major = 9;
	memcpy(buf, &h, sizeof(h));
	write_all_file(path, buf, len);
	assert_int_equal(vt_reader_open(path, &r, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "version 9"));

	h.major = fmt ? fmt : VT_FILE_MAJOR;
	h.kernel_release[0] ^= 1;		/* header CRC no longer matches */
	memcpy(buf, &h, sizeof(h));
	write_all_file(path, buf, len);
	assert_int_equal(vt_reader_open(path, &r, err, sizeof(err)), -EBADMSG);
	free(buf);

	assert_int_equal(vt_reader_open("/nonexistent/x.vgt", &r, err, sizeof(err)), -ENOENT);
}

/* A record whose size lies inside a CRC-valid chunk is still rejected. */
static void test_record_check(void **state)
{
	struct vt_rec_lr lr;
	struct vt_rec_vfio vf;
	char err[120];

	(void)state;
	memset(&lr, 0, sizeof(lr));
	lr.hdr.type = VT_REC_LR_FOLD;
	lr.hdr.size = sizeof(lr);
	lr.gic_version = 3;
	lr.used_lrs = 4;
	assert_int_equal(vt_record_check(&lr.hdr, sizeof(lr), err, sizeof(err)), 0);
	lr.used_lrs = 17;
	assert_int_equal(vt_record_check(&lr.hdr, sizeof(lr), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "used_lrs"));
	lr.used_lrs = 1;
	lr.gic_version = 4;
	assert_int_equal(vt_record_check(&lr.hdr, sizeof(lr), err, sizeof(err)), -EINVAL);
	lr.gic_version = 2;
	assert_int_equal(vt_record_check(&lr.hdr, 100, err, sizeof(err)), -EINVAL);
	memset(&vf, 0, sizeof(vf));
	vf.hdr.type = VT_REC_VFIO;
	vf.hdr.size = sizeof(vf);
	vf.event = 9;
	assert_int_equal(vt_record_check(&vf.hdr, sizeof(vf), err, sizeof(err)), -EINVAL);
	vf.hdr.size = sizeof(vf) + 8;	/* newer minor ABI: larger is fine */
	vf.event = VT_VFIO_MASK;
	assert_int_equal(vt_record_check(&vf.hdr, sizeof(vf) + 8, err, sizeof(err)), 0);
	vf.hdr.size = sizeof(vf) + 4;	/* not 8-byte aligned */
	assert_int_equal(vt_record_check(&vf.hdr, sizeof(vf) + 8, err, sizeof(err)), -EINVAL);
}

static void test_raw_stream(void **state)
{
	static struct vt_raw_parser p;
	struct vt_rec_inject r[50];
	const struct vt_hdr *rec;
	const uint8_t *bytes = (const void *)r;
	char err[200];
	size_t off, step, n = 0;
	unsigned int i;
	int ret;

	(void)state;
	for (i = 0; i < 50; i++)
		make_inject(&r[i], i);
	/* feed in odd-sized pieces: records split across pushes */
	vt_raw_init(&p);
	for (off = 0; off < sizeof(r); off += step) {
		step = sizeof(r) - off < 13 ? sizeof(r) - off : 13;
		assert_int_equal(vt_raw_push(&p, bytes + off, step), step);
		while ((ret = vt_raw_next(&p, &rec, err, sizeof(err))) > 0) {
			assert_int_equal(rec->ts_ns, 1000 + n);
			n++;
		}
		assert_int_equal(ret, 0);
	}
	assert_int_equal(n, 50);
	assert_int_equal(vt_raw_leftover(&p), 0);

	/* a bad type stops the stream with its offset */
	r[3].hdr.type = 77;
	vt_raw_init(&p);
	vt_raw_push(&p, r, sizeof(r));
	for (n = 0; (ret = vt_raw_next(&p, &rec, err, sizeof(err))) > 0; n++)
		;
	assert_int_equal(ret, -EINVAL);
	assert_int_equal(n, 3);
	assert_non_null(strstr(err, "offset 120"));

	/* a partial last record is left over */
	vt_raw_init(&p);
	vt_raw_push(&p, r, sizeof(r[0]) + 10);
	assert_int_equal(vt_raw_next(&p, &rec, err, sizeof(err)), 1);
	assert_int_equal(vt_raw_next(&p, &rec, err, sizeof(err)), 0);
	assert_int_equal(vt_raw_leftover(&p), 10);
}

static int setup(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "/tmp/vt-test-tracefile-%d.vgt", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static int setup_v1(void **state)
{
	(void)state;
	fmt = 1;
	use_run = false;
	return 0;
}

static int setup_v2(void **state)
{
	(void)state;
	fmt = 0;	/* the default, format 2 */
	use_run = false;
	return 0;
}

#define BOTH(t) cmocka_unit_test_setup(t, setup_v1), cmocka_unit_test_setup(t, setup_v2)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_roundtrip),
		BOTH(test_no_overwrite),
		BOTH(test_invalid_record_refused),
		BOTH(test_truncated),
		BOTH(test_corrupted_chunk),
		BOTH(test_bad_files),
		BOTH(test_runs),
		cmocka_unit_test_setup(test_v1_bad_content, setup_v1),
		cmocka_unit_test_setup(test_default_format, setup_v2),
		cmocka_unit_test(test_record_check),
		cmocka_unit_test(test_raw_stream),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
