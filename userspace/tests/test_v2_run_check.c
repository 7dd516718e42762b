// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_v2_run_check.c - a format 2 chunk whose bytes decode to a record
 * that fails vt_record_check() (a VFIO record with event 0): read one by
 * one and in keep-mode runs (vt_reader_next_run(), whose records go
 * through vt_v2_decode_run()), the reader hands out the same records
 * before it and stops there with the same message; and a chunk of records
 * of every body length decodes to the records written, both ways.
 */
#include <unistd.h>
#include "helpers.h"
#include "vt_crc32.h"
#include "vt_record.h"
#include "vt_tracefile_v2.h"

#define PER_CHUNK	100
#define BAD_AT		50

static char path[256];

static void make_rec(uint8_t *b, unsigned int i, bool bad)
{
	struct vt_hdr *h = (void *)b;
	unsigned int j;

	memset(b, 0, VT_REC_MAX_SIZE);
	if (bad) {
		h->type = VT_REC_VFIO;
		h->size = sizeof(struct vt_rec_vfio);
		((struct vt_rec_vfio *)b)->event = 0;	/* below every event */
	} else {
		h->type = VT_REC_INJECT;
		/* sizes of a newer minor ABI too: every body length */
		h->size = (uint16_t)(sizeof(struct vt_rec_inject) +
				     8 * (i % ((VT_REC_MAX_SIZE -
						sizeof(struct vt_rec_inject)) / 8 + 1)));
		((struct vt_rec_inject *)b)->intid = 32 + i % 4;
		for (j = sizeof(struct vt_rec_inject); j < h->size; j++)
			b[j] = (uint8_t)(i * 7 + j * (i & 3));
	}
	h->ts_ns = 1000 + i;
	h->vm_id = 7;
	h->vcpu_id = i % 3;
}

/*
 * Three chunks of PER_CHUNK records, the second one coded again here with
 * record BAD_AT invalid if @bad
 */
static void write_trace(bool bad)
{
	static uint8_t out[PER_CHUNK * 300];
	static struct vt_v2_ctx c;
	union {
		uint8_t b[VT_REC_MAX_SIZE];
		uint64_t align;
	} r;
	struct vt_host_facts facts = { .gic_version = 3, .nr_lrs = 4,
				       .backend = VT_BACKEND_MODULE };
	struct vt_chunk_hdr ch;
	struct vt_writer *w;
	size_t len = 0, n = 0, off = VT_FILE_HDR_SIZE, next;
	unsigned int i;
	char *buf, *nb;

	unlink(path);
	assert_int_equal(vt_writer_open(path, &facts, true, &w), 0);
	assert_int_equal(vt_writer_set_format(w, 2, 0, &facts), 0);
	for (i = 0; i < 3 * PER_CHUNK; i++) {
		make_rec(r.b, i, false);
		assert_int_equal(vt_writer_append(w, (void *)r.b), 0);
		if ((i + 1) % PER_CHUNK == 0)
			assert_int_equal(vt_writer_flush(w), 0);
	}
	assert_int_equal(vt_writer_close(w), 0);
	if (!bad)
		return;
	buf = read_all(path, &len);
	memcpy(&ch, buf + off, sizeof(ch));
	off += VT_CHUNK_HDR_SIZE + ch.len;	/* the second chunk */
	memcpy(&ch, buf + off, sizeof(ch));
	next = off + VT_CHUNK_HDR_SIZE + ch.len;
	vt_v2_reset(&c);
	for (i = PER_CHUNK; i < 2 * PER_CHUNK; i++) {
		make_rec(r.b, i, i == PER_CHUNK + BAD_AT);
		n += vt_v2_encode(&c, (void *)r.b, out + n);
	}
	ch.len = (uint32_t)n;
	ch.crc = vt_crc32(0, out, n);
	ch.hdr_crc = vt_crc32(0, &ch, offsetof(struct vt_chunk_hdr, hdr_crc));
	nb = malloc(len + n);
	assert_non_null(nb);
	memcpy(nb, buf, off);
	memcpy(nb + off, &ch, sizeof(ch));
	memcpy(nb + off + VT_CHUNK_HDR_SIZE, out, n);
	memcpy(nb + off + VT_CHUNK_HDR_SIZE + n, buf + next, len - next);
	write_all_file(path, nb, off + VT_CHUNK_HDR_SIZE + n + len - next);
	free(nb);
	free(buf);
}

/* read_each() check: record @n is the one written */
static void same_as_made(const struct vt_hdr *rec, unsigned int n, void *arg)
{
	union {
		uint8_t b[VT_REC_MAX_SIZE];
		uint64_t align;
	} want;

	(void)arg;
	make_rec(want.b, n, false);
	assert_int_equal(rec->size, ((struct vt_hdr *)want.b)->size);
	assert_memory_equal(rec, want.b, rec->size);
}

static void test_bad_record(void **state)
{
	struct vt_read_status st[2];
	int ret[2];

	(void)state;
	write_trace(true);
	/* each record against the one written, one at a time, then by runs */
	assert_int_equal(read_each(path, false, same_as_made, NULL, &ret[0],
				   &st[0]), PER_CHUNK + BAD_AT);
	assert_int_equal(ret[0], -EBADMSG);
	assert_non_null(strstr(st[0].msg, "vfio"));
	assert_int_equal(read_each(path, true, same_as_made, NULL, &ret[1],
				   &st[1]), PER_CHUNK + BAD_AT);
	assert_int_equal(ret[1], -EBADMSG);
	assert_string_equal(st[1].msg, st[0].msg);
}

static void test_good(void **state)
{
	int ret;

	(void)state;
	write_trace(false);
	assert_int_equal(read_each(path, false, same_as_made, NULL, &ret, NULL),
			 3 * PER_CHUNK);
	assert_int_equal(ret, 0);
	assert_int_equal(read_each(path, true, same_as_made, NULL, &ret, NULL),
			 3 * PER_CHUNK);
	assert_int_equal(ret, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_record),
		cmocka_unit_test(test_good),
	};
	int ret;

	snprintf(path, sizeof(path), "/tmp/vt-test-v2-run-check-%d.vgt",
		 (int)getpid());
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return ret;
}
