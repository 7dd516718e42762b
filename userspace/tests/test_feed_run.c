// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_feed_run.c - vt_engine_feed_ref_run() against vt_engine_feed_checked():
 * the same records (templates of the healthy scenario, of many sizes, a
 * trailing tag with the arrival number) fed one by one with copies and in
 * runs by reference must be processed in the same order with the same
 * report, for in-order stretches, late records, equal times, a window
 * that fills up (records forced out early) and runs of any length; and
 * vt_record_ok_room() against vt_record_ok().
 */
#include "helpers.h"
#include "vt_record.h"

#define TAG_MAGIC	0xa5u

struct tpl {
	union {
		uint8_t b[VT_REC_MAX_SIZE];
		uint64_t align;
	} r[256];
	unsigned int n;
};

struct seen {
	uint32_t *v;
	size_t n, cap;
};

static int collect(const struct vt_hdr *rec, void *arg)
{
	struct tpl *t = arg;

	if (t->n < 256)
		memcpy(t->r[t->n++].b, rec, rec->size);
	return 0;
}

static void seen_cb(const struct vt_hdr *rec, uint32_t intid, void *arg)
{
	struct seen *s = arg;
	uint32_t tag;

	memcpy(&tag, (const uint8_t *)rec + rec->size - 4, 4);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		assert_non_null(s->v);
	}
	/* (the IRQ too: an MMIO write gives one call per IRQ) */
	s->v[s->n++] = (tag >> 24) == TAG_MAGIC ? (tag & 0xffffff) ^ intid :
						  UINT32_MAX;
}

static void load_tpl(struct tpl *t, struct vt_host_facts *facts)
{
	char path[512], err[200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/scenarios/healthy.txt", VT_TEST_DIR);
	f = fopen(path, "r");
	assert_non_null(f);
	t->n = 0;
	if (vt_scenario_import(f, path, facts, collect, t, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	fclose(f);
	assert_true(t->n > 4);
}

/*
 * @n records, one after the other in a buffer (8-byte aligned); @late:
 * one in @late arrives late by up to @lag ns (0: none); @step: the
 * largest time step; every record's time the same if @step is 0
 */
static uint8_t *make_stream(const struct tpl *t, unsigned int n,
			    unsigned int late, uint64_t lag, unsigned int step,
			    size_t *len)
{
	unsigned int i, seed = 4242, sz;
	uint64_t ts = 1000000000ull;
	uint8_t *buf = aligned_alloc(8, (size_t)n * VT_REC_MAX_SIZE), *p = buf;
	const struct vt_hdr *h;
	struct vt_hdr *o;
	uint32_t tag;

	assert_non_null(buf);
	for (i = 0; i < n; i++) {
		/* skip the scenario's meta record (its own handler's state) */
		h = (const void *)t->r[i % t->n].b;
		seed = seed * 1103515245u + 12345u;
		sz = h->size + 8 + 8 * ((seed >> 16) % 8);
		if (sz > VT_REC_MAX_SIZE)
			sz = VT_REC_MAX_SIZE;
		memset(p, 0, sz);
		memcpy(p, h, h->size);
		o = (void *)p;
		o->size = sz;
		seed = seed * 1103515245u + 12345u;
		if (step && (seed >> 16) % 3)
			ts += (seed >> 18) % step;	/* else equal times */
		o->ts_ns = ts;
		seed = seed * 1103515245u + 12345u;
		if (late && (seed >> 16) % late == 0)
			o->ts_ns = ts - 1 - (seed >> 8) % lag;
		tag = TAG_MAGIC << 24 | i;
		memcpy(p + sz - 4, &tag, 4);
		assert_true(vt_record_ok(o, sz));
		p += sz;
	}
	*len = (size_t)(p - buf);
	return buf;
}

/*
 * Feed @buf (@n records) with copies, one by one, and by reference in
 * runs of pseudo-random lengths up to @maxrun; compare.
 */
static void compare_feeds(const struct vt_host_facts *facts, const uint8_t *buf,
			  unsigned int n, uint64_t win, unsigned int maxrun)
{
	struct seen sa = { 0 }, sb = { 0 };
	struct vt_engine_opts o = { .facts = facts, .window_ns = win,
				    .rec_cb = seen_cb };
	struct vt_engine *a, *b;
	const struct vt_hdr *rec;
	unsigned int i, k, seed = 99;
	char *ra, *rb;
	size_t j;

	o.rec_arg = &sa;
	assert_int_equal(vt_engine_new(&o, &a), 0);
	o.rec_arg = &sb;
	assert_int_equal(vt_engine_new(&o, &b), 0);
	rec = (const void *)buf;
	for (i = 0; i < n; i++) {
		assert_int_equal(vt_engine_feed_checked(a, rec), 0);
		rec = (const void *)((const uint8_t *)rec + rec->size);
	}
	rec = (const void *)buf;
	seed = 99;
	for (i = 0; i < n; i += k) {
		unsigned int m;

		seed = seed * 1103515245u + 12345u;
		k = 1 + (seed >> 16) % maxrun;
		if (k > n - i)
			k = n - i;
		assert_int_equal(vt_engine_feed_ref_run(b, rec, k), 0);
		for (m = 0; m < k; m++)
			rec = (const void *)((const uint8_t *)rec + rec->size);
		/* the oldest record the window points to is before the next */
		assert_true(!vt_engine_oldest_ref(b) ||
			    (uintptr_t)vt_engine_oldest_ref(b) < (uintptr_t)rec);
	}
	assert_int_equal(vt_engine_finish(a), 0);
	assert_int_equal(vt_engine_finish(b), 0);
	assert_true(sa.n >= n);
	assert_int_equal(sa.n, sb.n);
	for (j = 0; j < sa.n; j++)
		if (sa.v[j] != sb.v[j])
			fail_msg("call %zu: %u processed, %u expected", j,
				 sb.v[j], sa.v[j]);
	ra = render(a, vt_engine_report_json, NULL);
	rb = render(b, vt_engine_report_json, NULL);
	assert_string_equal(rb, ra);
	free(ra);
	free(rb);
	ra = render(a, vt_engine_stats_json, NULL);
	rb = render(b, vt_engine_stats_json, NULL);
	assert_string_equal(rb, ra);
	free(ra);
	free(rb);
	vt_engine_free(a);
	vt_engine_free(b);
	free(sa.v);
	free(sb.v);
}

/* Mostly in order with late records, small windows, runs of any length. */
static void test_feed_run_late(void **state)
{
	static const struct {
		uint64_t win, lag;
		unsigned int late, maxrun;
	} c[] = {
		{ 64, 33, 16, 1 }, { 64, 64, 16, 3 }, { 64, 64, 16, 37 },
		{ 64, 64, 16, 3000 }, { 64, 200, 8, 400 }, { 1000, 1000, 5, 50 },
		{ 1000, 3000, 200, 500 }, { 100000, 1, 0, 700 },
		{ VT_WINDOW_ALL, 20000000, 40, 2000 },
	};
	struct vt_host_facts facts;
	struct tpl t;
	unsigned int i, n = 30000;
	uint8_t *buf;
	size_t len;

	(void)state;
	load_tpl(&t, &facts);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		/* (late by up to @lag: some beyond the window) */
		buf = make_stream(&t, n, c[i].late, c[i].lag,
				  c[i].win == VT_WINDOW_ALL ? 2000 : 20, &len);
		compare_feeds(&facts, buf, n, c[i].win, c[i].maxrun);
		free(buf);
	}
}

/*
 * A window that fills: more than 2^17 records on close times (all within
 * the file window), so the oldest are forced out early, in order and late.
 */
static void test_feed_run_full(void **state)
{
	struct vt_host_facts facts;
	struct tpl t;
	unsigned int n = (1u << 17) + 20000;
	uint8_t *buf;
	size_t len;

	(void)state;
	load_tpl(&t, &facts);
	buf = make_stream(&t, n, 0, 1, 0, &len);	/* equal times */
	compare_feeds(&facts, buf, n, VT_WINDOW_ALL, 5000);
	free(buf);
	buf = make_stream(&t, n, 50, 3000, 1, &len);
	compare_feeds(&facts, buf, n, VT_WINDOW_ALL, 9000);
	free(buf);
}

/*
 * vt_record_ok_room() (the v1 reader's check of a chunk's records) says
 * what vt_record_ok() says with room for any size: every type, size and
 * a range of field values.
 */
static void test_record_ok_room(void **state)
{
	static const uint8_t vals[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17,
					31, 32, 33, 64, 127, 128, 200, 253,
					254, 255 };
	union {
		uint8_t b[VT_REC_MAX_SIZE];
		uint64_t align;
	} r;
	struct vt_hdr *h = (void *)r.b;
	unsigned int type, size, i, j, nok = 0;
	size_t nv = sizeof(vals);

	(void)state;
	memset(&r, 0, sizeof(r));
	for (type = 0; type < VT_REC_END + 3; type++) {
		for (size = 0; size <= UINT16_MAX; size++) {
			if (size > VT_REC_MAX_SIZE + 64 && size < UINT16_MAX - 64 &&
			    size % 4096)
				continue;
			h->type = (uint16_t)type;
			h->size = (uint16_t)size;
			for (i = 0; i < nv; i++) {
				for (j = 0; j < nv; j++) {
					r.b[sizeof(*h)] = vals[i];
					r.b[sizeof(*h) + 1] = vals[j];
					if (vt_record_ok_room(h) !=
					    vt_record_ok(h, VT_REC_MAX_SIZE))
						fail_msg("type %u size %u fields %u %u: %d",
							 type, size, vals[i], vals[j],
							 vt_record_ok_room(h));
					nok += vt_record_ok(h, VT_REC_MAX_SIZE);
				}
			}
		}
	}
	assert_true(nok > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_run_late),
		cmocka_unit_test(test_feed_run_full),
		cmocka_unit_test(test_record_ok_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
