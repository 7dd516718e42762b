// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_engine.c - engine behaviour beyond single rules: counts (stats),
 * reordering across CPUs, live callback, impossible states, lost
 * records, missing hooks, CLI exit codes and strict parsing, convert,
 * the engine without analysis (no_analysis).
 */
#include <unistd.h>
#include "helpers.h"
#include "cli.h"
#include "vt_record.h"
#include "json_reader.h"

#define MAXREC 256

struct recbuf {
	union {
		uint8_t b[VT_REC_MAX_SIZE];
		uint64_t align;
	} r[MAXREC];
	unsigned int n;
};

static int collect(const struct vt_hdr *rec, void *arg)
{
	struct recbuf *rb = arg;

	assert_true(rb->n < MAXREC);
	memcpy(rb->r[rb->n++].b, rec, rec->size);
	return 0;
}

/* Scenario text in @f (named @name in errors) -> @rb; closes @f. */
static void load_stream(FILE *f, const char *name, struct recbuf *rb,
			struct vt_host_facts *facts)
{
	char err[200];
	long n;

	assert_non_null(f);
	rb->n = 0;
	n = vt_scenario_import(f, name, facts, collect, rb, err, sizeof(err));
	fclose(f);
	if (n < 0)
		fail_msg("%s", err);
}

static void load_text(const char *text, struct recbuf *rb,
		      struct vt_host_facts *facts)
{
	load_stream(fmemopen((void *)text, strlen(text), "r"), "inline", rb,
		    facts);
}

static void load_scen(const char *name, struct recbuf *rb,
		      struct vt_host_facts *facts)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/scenarios/%s.txt", VT_TEST_DIR, name);
	load_stream(fopen(path, "r"), path, rb, facts);
}

static unsigned int cb_calls;

static void count_cb(const struct vt_finding *f, void *arg)
{
	(void)f;
	(void)arg;
	cb_calls++;
}

static struct vt_engine *run(struct recbuf *rb, struct vt_host_facts *facts,
			     uint64_t window, const unsigned int *order)
{
	struct vt_engine_opts o = { .facts = facts, .window_ns = window,
				    .cb = count_cb };
	struct vt_engine *e;
	unsigned int i;

	assert_int_equal(vt_engine_new(&o, &e), 0);
	for (i = 0; i < rb->n; i++)
		assert_int_equal(vt_engine_feed(e, (const void *)
				 rb->r[order ? order[i] : i].b), 0);
	assert_int_equal(vt_engine_finish(e), 0);
	return e;
}

/* The records of a scenario text, or of a scenario file, whole-file sorted */
static struct vt_engine *run_text(const char *text)
{
	static struct recbuf rb;
	static struct vt_host_facts facts;

	load_text(text, &rb, &facts);
	return run(&rb, &facts, VT_WINDOW_ALL, NULL);
}

static struct vt_engine *run_scen(const char *name)
{
	static struct recbuf rb;
	static struct vt_host_facts facts;

	load_scen(name, &rb, &facts);
	return run(&rb, &facts, VT_WINDOW_ALL, NULL);
}

/* @fn's output of @e contains each of the NULL-terminated strings. */
static void expect_output(struct vt_engine *e,
			  int (*fn)(struct vt_engine *, FILE *), ...)
{
	const char *want;
	va_list ap;
	char *s = render(e, fn, NULL);

	va_start(ap, fn);
	while ((want = va_arg(ap, const char *)))
		if (!strstr(s, want))
			fail_msg("output lacks \"%s\"", want);
	va_end(ap);
	free(s);
}

/* Stats of the healthy scenario equal what the scenario contains. */
static void test_stats_counts(void **state)
{
	struct vt_engine *e;

	(void)state;
	e = run_scen("healthy");
	expect_output(e, vt_engine_stats_text,
		      "irq vm 100 intid 32 inject1 5 inject0 5 in_lr 10 guest_eoi 5 eoi_no_ack 0 acks 5 resamples 5 out_of_active 5 still_asserted 0",
		      "vfio_handler 5 vfio_mask 0 vfio_unmask 0 vfio_unmask_handler 5",
		      "lr_P_to_A 5 lr_A_to_inv 5",
		      "type ack 5\n",
		      "dev 0000:00:02.0 vm 100 gsi 0 host_irq 45 handler 5", NULL);
	expect_output(e, vt_engine_stats_json,
		      "\"acks\":5,\"resamples\":5",
		      "\"P->A\":5,\"A->inv\":5", NULL);
	vt_engine_free(e);
}

static void finding_sig(struct vt_engine *e, char *buf, size_t len)
{
	unsigned int i;
	size_t off = 0;

	buf[0] = 0;
	for (i = 0; i < vt_engine_nr_findings(e); i++) {
		const struct vt_finding *f = vt_engine_finding(e, i);

		off += (size_t)snprintf(buf + off, len - off, "%s/%u/%llu;", f->rule,
					f->intid, (unsigned long long)f->ts_ns);
	}
}

/* Records from two CPUs arriving out of order give the same findings. */
static void test_reorder(void **state)
{
	static struct recbuf rb;
	static const char *const names[] = { "seq1-2018", "seq2-2018",
		"icactiver", "lr-overflow", "migration", "healthy" };
	struct vt_host_facts facts;
	unsigned int order[MAXREC], i, k;
	char want[512], got[512];
	struct vt_engine *e;

	(void)state;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		load_scen(names[k], &rb, &facts);
		cb_calls = 0;
		e = run(&rb, &facts, VT_WINDOW_ALL, NULL);
		finding_sig(e, want, sizeof(want));
		assert_int_equal(cb_calls, vt_engine_nr_findings(e));
		vt_engine_free(e);
		/* swap neighbours: every other record arrives early */
		for (i = 0; i < rb.n; i++)
			order[i] = i;
		for (i = 0; i + 1 < rb.n; i += 2) {
			order[i] = i + 1;
			order[i + 1] = i;
		}
		e = run(&rb, &facts, VT_WINDOW_ALL, order);
		finding_sig(e, got, sizeof(got));
		assert_string_equal(got, want);
		vt_engine_free(e);
		/* live: 1 ms reorder window */
		e = run(&rb, &facts, 1000000, order);
		finding_sig(e, got, sizeof(got));
		assert_string_equal(got, want);
		vt_engine_free(e);
	}
}

/*
 * The reorder window over a FIFO that wraps many times: records of many
 * sizes (a trailing tag holds the arrival number), mostly in order, some
 * late by less than the window, many on equal times. They must be processed
 * in (ts, arrival) order, each once.
 */
#define WRAP_N		40000
#define WRAP_WIN	64

struct wrap_rec {
	uint64_t ts;
	unsigned int tpl, size, arrival;
};

static struct wrap_rec wrap_in[WRAP_N];
static unsigned int wrap_seen[WRAP_N], wrap_nseen, wrap_tagged;

static void wrap_cb(const struct vt_hdr *rec, uint32_t intid, void *arg)
{
	uint32_t tag;

	(void)intid;
	(void)arg;
	memcpy(&tag, (const uint8_t *)rec + rec->size - 4, 4);
	if ((tag >> 24) != 0xa5)
		return;		/* a record of the engine's own, not ours */
	tag &= 0xffffff;
	assert_true(tag < WRAP_N);
	assert_true(wrap_nseen < WRAP_N);
	wrap_seen[wrap_nseen++] = tag;
	wrap_tagged++;
}

static int wrap_cmp(const void *a, const void *b)
{
	const struct wrap_rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->arrival < y->arrival ? -1 : x->arrival > y->arrival;
}

static struct recbuf wrap_rb;
static struct wrap_rec wrap_want[WRAP_N];

/*
 * wrap_in[] (and wrap_want[], sorted) from the healthy scenario's
 * records, late ones by less than @win
 */
static void wrap_make(struct vt_host_facts *facts, uint64_t win)
{
	const struct vt_hdr *t;
	unsigned int i, seed = 12345;
	uint64_t ts = 1000;

	load_scen("healthy", &wrap_rb, facts);
	assert_true(wrap_rb.n > 0);
	for (i = 0; i < WRAP_N; i++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 4)
			ts += (seed >> 20) % 3;		/* 0: equal times */
		wrap_in[i].ts = ts;
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 16 == 0 && ts > win)	/* late, in window */
			wrap_in[i].ts = ts - 1 - (seed >> 20) % (win / 2);
		wrap_in[i].tpl = i % wrap_rb.n;
		t = (const void *)wrap_rb.r[wrap_in[i].tpl].b;
		seed = seed * 1103515245u + 12345u;
		wrap_in[i].size = t->size + 8 + 8 * ((seed >> 16) % 16);
		if (wrap_in[i].size > VT_REC_MAX_SIZE)
			wrap_in[i].size = VT_REC_MAX_SIZE;
		if (wrap_in[i].size < t->size + 8u)
			wrap_in[i].size = t->size + 8;
		wrap_in[i].arrival = i;
	}
	/* a late record stays later than records processed before it */
	memcpy(wrap_want, wrap_in, sizeof(wrap_want));
	qsort(wrap_want, WRAP_N, sizeof(wrap_want[0]), wrap_cmp);
	wrap_nseen = wrap_tagged = 0;
}

/* record @i of wrap_in[] into @b (VT_REC_MAX_SIZE bytes, 8-byte aligned) */
static void wrap_rec_at(unsigned int i, uint8_t *b)
{
	const struct vt_hdr *t = (const void *)wrap_rb.r[wrap_in[i].tpl].b;
	uint32_t tag = 0xa5000000u | i;

	memset(b, 0, VT_REC_MAX_SIZE);
	memcpy(b, t, t->size);
	((struct vt_hdr *)b)->ts_ns = wrap_in[i].ts;
	((struct vt_hdr *)b)->size = wrap_in[i].size;
	memcpy(b + wrap_in[i].size - 4, &tag, 4);
}

static void wrap_check(void)
{
	unsigned int i;

	assert_int_equal(wrap_nseen, WRAP_N);
	for (i = 0; i < WRAP_N; i++)
		if (wrap_seen[i] != wrap_want[i].arrival)
			fail_msg("record %u: arrival %u processed, %u expected",
				 i, wrap_seen[i], wrap_want[i].arrival);
}

static void test_reorder_wrap(void **state)
{
	static union {
		uint8_t b[VT_REC_MAX_SIZE];
		uint64_t align;
	} buf;
	struct vt_engine_opts o = { .window_ns = WRAP_WIN, .rec_cb = wrap_cb };
	struct vt_host_facts facts;
	struct vt_engine *e;
	unsigned int i;

	(void)state;
	wrap_make(&facts, WRAP_WIN);
	o.facts = &facts;
	assert_int_equal(vt_engine_new(&o, &e), 0);
	for (i = 0; i < WRAP_N; i++) {
		wrap_rec_at(i, buf.b);
		vt_engine_feed(e, (const void *)buf.b);
	}
	vt_engine_finish(e);
	vt_engine_free(e);
	wrap_check();
}

static const void *ref_oldest(void *e)
{
	return vt_engine_oldest_ref(e);
}

/*
 * The file path without copies: the same records written to a file in
 * chunks of 37 records (v1, v2, v2 + zstd), read in keep mode (one by
 * one, then in runs) and fed by reference, with a window of about 2,700 records: it spans many chunk
 * (v1) or decode block (v2: 64 KiB, some 500 records) boundaries, with
 * late records across each block release. The order
 * must be the (ts, arrival) sort's; a block reused too early shows as
 * wrong records (and to ASan as a use after free).
 */
static void test_reorder_ref_file(void **state)
{
	static const struct { unsigned int major; int zstd; } fmt[] = {
		{ 1, 0 }, { 2, 0 }, { 2, 3 }, { 1, 0 }, { 2, 0 }, { 2, 3 },
	};
	static union {
		uint8_t b[VT_REC_MAX_SIZE];
		uint64_t align;
	} buf;
	struct vt_engine_opts o = { .window_ns = 32 * WRAP_WIN,
				    .rec_cb = wrap_cb };
	const struct vt_hdr *rec;
	struct vt_host_facts facts;
	struct vt_writer *w;
	struct vt_reader *r;
	struct vt_engine *e;
	unsigned int i, f;
	char path[64], err[200];
	uint32_t n;
	int ret;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/vt-test-engine-ref-%d.vgt",
		 (int)getpid());
	for (f = 0; f < sizeof(fmt) / sizeof(fmt[0]); f++) {
		wrap_make(&facts, o.window_ns);
		o.facts = &facts;
		assert_int_equal(vt_writer_open(path, &facts, true, &w), 0);
		ret = vt_writer_set_format(w, fmt[f].major, fmt[f].zstd, &facts);
		if (ret == -EOPNOTSUPP) {	/* no libzstd */
			vt_writer_close(w);
			continue;
		}
		assert_int_equal(ret, 0);
		for (i = 0; i < WRAP_N; i++) {
			wrap_rec_at(i, buf.b);
			assert_int_equal(vt_writer_append(w, (const void *)buf.b), 0);
			if (i % 37 == 36)
				assert_int_equal(vt_writer_flush(w), 0);
		}
		assert_int_equal(vt_writer_close(w), 0);

		assert_int_equal(vt_reader_open(path, &r, err, sizeof(err)), 0);
		assert_int_equal(vt_engine_new(&o, &e), 0);
		vt_reader_keep(r, ref_oldest, e);
		/* as vt_analyse_file(): in runs (the first formats: one by one) */
		while ((ret = f < 3 ? (n = 1, vt_reader_next(r, &rec)) :
				      vt_reader_next_run(r, &rec, &n)) > 0) {
			for (;;) {
				assert_int_equal(vt_engine_feed_ref(e, rec), 0);
				if (!--n)
					break;
				rec = (const void *)((const uint8_t *)rec +
						     rec->size);
			}
		}
		assert_int_equal(ret, 0);
		assert_int_equal(vt_reader_status(r)->end, VT_END_COMPLETE);
		assert_true(vt_reader_status(r)->chunks > WRAP_N / 37);
		/* one FIFO per engine: no copies into a ref engine */
		((struct vt_hdr *)buf.b)->ts_ns = UINT64_MAX;
		assert_int_equal(vt_engine_feed_checked(e, (const void *)buf.b),
				 -EINVAL);
		vt_engine_finish(e);
		vt_engine_free(e);
		vt_reader_close(r);
		wrap_check();
	}
	unlink(path);
}

/* An LR that changes vINTID between entry and exit is a BUG, not a crash. */
static void test_impossible_state(void **state)
{
	struct vt_engine *e;

	(void)state;
	e = run_text("@0 flush lr=32:P:eoi\n@10us fold lr=40:A:eoi\n@20us flush lr=40:A:eoi\n");
	assert_int_equal(vt_engine_nr_bugs(e), 1);
	expect_output(e, vt_engine_report_text,
		      "BUG: vm 1 vCPU 0 LR0 holds vINTID 40 at exit but 32 at entry",
		      NULL);
	vt_engine_free(e);
	e = run_text("@0 flush lr=32:P:eoi lr=33:P:eoi lr=34:P:eoi nr=2\n");
	assert_int_equal(vt_engine_nr_bugs(e), 1);
	expect_output(e, vt_engine_report_text,
		      "BUG: vm 1 vCPU 0 entered at 0 with 3 LRs in use but only 2 implemented",
		      NULL);
	vt_engine_free(e);
}

static void test_invalid_feed(void **state)
{
	struct vt_rec_inject r;
	struct vt_engine *e;

	(void)state;
	assert_int_equal(vt_engine_new(NULL, &e), 0);
	memset(&r, 0, sizeof(r));
	r.hdr.type = VT_REC_INJECT;
	r.hdr.size = 16;
	assert_int_equal(vt_engine_feed(e, &r.hdr), -EINVAL);
	r.hdr.type = 0;
	r.hdr.size = sizeof(r);
	assert_int_equal(vt_engine_feed(e, &r.hdr), -EINVAL);
	assert_int_equal(vt_engine_finish(e), 0);
	expect_output(e, vt_engine_report_text, "0 processed, 2 invalid", NULL);
	vt_engine_free(e);
}

static void test_lost_json(void **state)
{
	struct vt_engine *e;

	(void)state;
	e = run_scen("lost-records");
	assert_int_equal(vt_engine_lost(e), 3);
	expect_output(e, vt_engine_report_json,
		      "\"lost\":3,\"findings_may_be_false\":true", NULL);
	vt_engine_free(e);
	e = run_scen("healthy");
	expect_output(e, vt_engine_report_json,
		      "\"lost\":0,\"findings_may_be_false\":false", NULL);
	vt_engine_free(e);
}

/* With the ack hook reported missing, missed-resample stays silent. */
/* 2018 sequence 1 on a resampled IRQ, without ack */
#define MR_RECS "@0 irqfd gsi=0 resample key=1 rkey=2\n" \
	"@1ms flush lr=32:PA:eoi\n@+10us fold lr=32:P:eoi\n@+10us flush lr=32:P:eoi\n"

static void test_missing_hook(void **state)
{
	struct vt_engine *e;

	(void)state;
	e = run_text("@0 meta hook=ack attach=missing\n" MR_RECS);
	assert_int_equal(vt_engine_nr_findings(e), 0);
	expect_output(e, vt_engine_report_text, "ack=MISSING",
		      "missed-resample is not evaluated", NULL);
	vt_engine_free(e);
	/* the same records with the hook attached: found */
	e = run_text("@0 meta hook=ack attach=kprobe\n" MR_RECS);
	assert_int_equal(vt_engine_nr_findings(e), 1);
	vt_engine_free(e);
}

/* gsi -> INTID learnt from acks; VFIO linked without keys by adjacency. */
static void test_linking(void **state)
{
	struct vt_engine *e;

	(void)state;
	e = run_text("@0 irqfd gsi=7 resample\n"
		     "@1ms vfio handler dev=0000:00:05.0 irq=50 masked=1 result=1\n"
		     "@+10us ack pin=5 gsi=7\n"
		     "@+1us resample gsi=7\n"
		     "@+1us vfio unmask_handler dev=0000:00:05.0 irq=50 masked=0\n");
	/* resample of gsi 7 lands on INTID 37 (pin 5 + 32), not 39 */
	expect_output(e, vt_engine_stats_text,
		      "irq vm 1 intid 37 inject1 0 inject0 0 in_lr 0 guest_eoi 0 eoi_no_ack 0 acks 1 resamples 1",
		      "vfio_unmask_handler 1",
		      "dev 0000:00:05.0 vm 1 gsi 7 host_irq 50", NULL);
	vt_engine_free(e);
}

/* An EOI without ack only matters for a resampled IRQ. */
static void test_unresampled_eoi(void **state)
{
	static const struct {
		const char *irqfd;	/* the VM's irqfd registrations */
		unsigned int findings;
		enum vt_severity sev;
	} t[] = {
		/* VM set up in the trace: gsi 1 (INTID 33) has no irqfd: no finding */
		{ "@0 irqfd gsi=0 resample key=1 rkey=2\n", 0, 0 },
		/* registrations not in the trace: cannot tell, WARNING */
		{ "", 1, VT_SEV_WARNING },
		/* resampled through gsi 1: ERROR */
		{ "@0 irqfd gsi=1 resample key=1 rkey=2\n", 1, VT_SEV_ERROR },
	};
	struct vt_engine *e;
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "facts kernel=6.19.0\n%s%s", t[i].irqfd,
			 "@1ms flush lr=33:P:eoi\n@+10us fold lr=33:inv:eoi\n@+10us flush used=0\n");
		e = run_text(text);
		assert_int_equal(vt_engine_nr_findings(e), t[i].findings);
		if (t[i].findings)
			assert_int_equal(vt_engine_finding(e, 0)->severity, t[i].sev);
		vt_engine_free(e);
	}
}

/* A deassigned irqfd (VM going away) does not leave a masked finding. */
/* a VFIO INTx line masked, injected and loaded, then never unmasked */
#define MASKED "@0 irqfd gsi=0 resample key=0x11 rkey=0x22\n" \
	"@1ms vfio handler irq=45 masked=1 result=1 tkey=0x11 ukey=0x22\n" \
	"@+2us inject intid=32 level=1 src=irqfd\n" \
	"@+10us flush lr=32:P:eoi\n"

static void test_deassign_stops_wait(void **state)
{
	struct vt_engine *e;

	(void)state;
	e = run_text(MASKED "@+10ms irqfd gsi=0 deassign\n@2s flush used=0\n");
	assert_int_equal(vt_engine_nr_findings(e), 0);
	vt_engine_free(e);
	/* the same without the deassign: found */
	e = run_text(MASKED "@2s flush used=0\n");
	assert_int_equal(vt_engine_nr_findings(e), 1);
	assert_string_equal(vt_engine_finding(e, 0)->rule, "intx-masked-forever");
	vt_engine_free(e);
}

/* A scenario as a BPF trace gives it: no nr_lrs in the facts or LR records. */
static struct vt_engine *run_scen_without_nr_lrs(const char *name)
{
	static struct recbuf rb;
	struct vt_host_facts facts;
	unsigned int i;

	load_scen(name, &rb, &facts);
	facts.nr_lrs = 0;
	for (i = 0; i < rb.n; i++) {
		struct vt_rec_lr *r = (void *)rb.r[i].b;

		if (r->hdr.type == VT_REC_LR_FLUSH || r->hdr.type == VT_REC_LR_FOLD)
			r->nr_lrs = 0;
	}
	return run(&rb, &facts, VT_WINDOW_ALL, NULL);
}

/* Without any nr_lrs (BPF traces), LR overflow is still found. */
static void test_nr_lrs_inferred(void **state)
{
	struct vt_engine *e;

	(void)state;
	e = run_scen_without_nr_lrs("lr-overflow");
	assert_int_equal(vt_engine_nr_findings(e), 2);
	assert_string_equal(vt_engine_finding(e, 0)->rule, "eoi-lost-lr-overflow");
	assert_int_equal(vt_engine_finding(e, 0)->intid, 36);
	assert_int_equal(vt_engine_finding(e, 1)->intid, 37);
	expect_output(e, vt_engine_report_text,
		      "LR count unknown,", "eoi-lost-lr-overflow is degraded",
		      "suggest (4)", NULL);
	expect_output(e, vt_engine_report_json, "\"nr_lrs\":null",
		      "\"missing\":\"nr_lrs", NULL);
	assert_non_null(strstr(vt_engine_finding(e, 0)->summary, "rule degraded"));
	vt_engine_free(e);
	/* the ascending control stays clean */
	e = run_scen_without_nr_lrs("ctl-lr-overflow-asc");
	assert_int_equal(vt_engine_nr_findings(e), 0);
	vt_engine_free(e);
}

/* A quiet live stream: the masked-forever finding comes from ticks. */
static void test_live_tick(void **state)
{
	static struct recbuf rb;
	struct vt_host_facts facts;
	struct vt_engine_opts o;
	struct vt_engine *e;
	unsigned int i;

	(void)state;
	load_text("@0 irqfd gsi=0 key=0x11\n"
		  "@1ms vfio handler dev=0000:00:02.0 irq=45 masked=1 result=1 tkey=0x11\n",
		  &rb, &facts);
	memset(&o, 0, sizeof(o));
	o.facts = &facts;
	o.cb = count_cb;
	cb_calls = 0;
	assert_int_equal(vt_engine_new(&o, &e), 0);
	for (i = 0; i < rb.n; i++)
		assert_int_equal(vt_engine_feed(e, (const void *)rb.r[i].b), 0);
	assert_int_equal(vt_engine_tick(e, 500000000ull), 0);
	assert_int_equal(cb_calls, 0);
	assert_int_equal(vt_engine_tick(e, 1200000000ull), 0);
	assert_int_equal(cb_calls, 1);
	assert_string_equal(vt_engine_finding(e, 0)->rule, "intx-masked-forever");
	vt_engine_free(e);
}

/*
 * Live, the masked-forever deadline fires while the line is still high
 * and says only what is true then ("so far"); a resample later in the
 * same stream makes no second finding. A file analysis of the same
 * records sees the resample and makes none.
 */
static void test_live_masked_so_far(void **state)
{
	static const char text[] =
		"@0 irqfd gsi=0 resample key=0x1001 rkey=0x2001\n"
		"@1ms inject intid=32 level=1 src=irqfd\n"
		"@+10us flush lr=32:P:eoi\n"
		"@+40us fold lr=32:A:eoi\n"
		"@1500ms resample gsi=0 key=0x2001\n";
	static struct recbuf rb;
	struct vt_host_facts facts;
	struct vt_engine_opts o;
	const struct vt_finding *f;
	struct vt_engine *e;
	unsigned int i;

	(void)state;
	load_text(text, &rb, &facts);
	memset(&o, 0, sizeof(o));
	o.facts = &facts;
	o.cb = count_cb;
	cb_calls = 0;
	assert_int_equal(vt_engine_new(&o, &e), 0);
	for (i = 0; i + 1 < rb.n; i++)
		assert_int_equal(vt_engine_feed(e, (const void *)rb.r[i].b), 0);
	assert_int_equal(vt_engine_tick(e, 1200000000ull), 0);
	assert_int_equal(cb_calls, 1);
	f = vt_engine_finding(e, 0);
	assert_string_equal(f->rule, "intx-masked-forever");
	assert_non_null(strstr(f->summary, "masked for 1199 ms so far, no de-assert or resample seen"));
	assert_null(strstr(f->summary, "stays masked"));
	/* the resample comes: no second finding, the first stays */
	assert_int_equal(vt_engine_feed(e, (const void *)rb.r[rb.n - 1].b), 0);
	assert_int_equal(vt_engine_finish(e), 0);
	assert_int_equal(vt_engine_nr_findings(e), 1);
	vt_engine_free(e);

	e = run(&rb, &facts, VT_WINDOW_ALL, NULL);
	assert_int_equal(vt_engine_nr_findings(e), 0);
	vt_engine_free(e);
}

static int cli(const char *a0, const char *a1, const char *a2, const char *a3,
	       const char *a4)
{
	char *argv[7] = { (char *)"vgic-trace", (char *)a0, (char *)a1,
			  (char *)a2, (char *)a3, (char *)a4, NULL };
	int argc = 1;

	while (argc < 6 && argv[argc])
		argc++;
	fflush(stdout);
	return vt_cli_main(argc, argv);
}

static void test_cli_exit_codes(void **state)
{
	char ok[256], bad[256], corrupt[256];
	size_t len = 0;
	char *buf;

	(void)state;
	snprintf(ok, sizeof(ok), "/tmp/vt-cli-%d-ok.vgt", (int)getpid());
	snprintf(bad, sizeof(bad), "/tmp/vt-cli-%d-bad.vgt", (int)getpid());
	snprintf(corrupt, sizeof(corrupt), "/tmp/vt-cli-%d-corrupt.vgt", (int)getpid());
	scen_to_file("healthy", ok);
	scen_to_file("seq1-2018", bad);
	assert_int_equal(cli("check", "-q", ok, NULL, NULL), 0);
	assert_int_equal(cli("check", "-q", bad, NULL, NULL), 1);
	buf = read_all(bad, &len);
	buf[len - 40] ^= 0x11;			/* inside the last data chunk */
	write_all_file(corrupt, buf, len);
	free(buf);
	assert_int_equal(cli("check", "-q", corrupt, NULL, NULL), 2);
	assert_int_equal(cli("check", "/nonexistent.vgt", NULL, NULL, NULL), 2);
	assert_int_equal(cli("check", NULL, NULL, NULL, NULL), 2);
	assert_int_equal(cli("check", "--storm-rate", "12x", ok, NULL), 2);
	assert_int_equal(cli("check", "--storm-rate", "-5", ok, NULL), 2);
	assert_int_equal(cli("check", "--storm-still", "0", ok, NULL), 2);
	assert_int_equal(cli("check", "--storm-still", "3x", ok, NULL), 2);
	assert_int_equal(cli("check", "-q", "--storm-still", "5", ok), 0);
	assert_int_equal(cli("check", "--masked-threshold", "5parsecs", ok, NULL), 2);
	assert_int_equal(cli("check", "--ack-wait", "", ok, NULL), 2);
	assert_int_equal(cli("check", "-q", "--masked-threshold", "250ms", ok), 0);
	assert_int_equal(cli("frobnicate", NULL, NULL, NULL, NULL), 2);
	assert_int_equal(cli("lr", "0x1080020000000020", NULL, NULL, NULL), 0);
	assert_int_equal(cli("lr", "0x1080020000000020z", NULL, NULL, NULL), 2);
	assert_int_equal(cli("lr", "--gic", "2", "0x1ffffffff", NULL), 2);
	assert_int_equal(cli("report", "--json", ok, NULL, NULL), 0);
	assert_int_equal(cli("stats", ok, NULL, NULL, NULL), 0);
	unlink(ok);
	unlink(bad);
	unlink(corrupt);
}

/* convert --raw: raw stream -> file, counts preserved; bad stream fails. */
static void test_convert(void **state)
{
	static struct recbuf rb;
	struct vt_host_facts facts;
	char raw[256], out[256];
	struct vt_engine_opts o;
	struct vt_engine *e;
	unsigned int i;
	FILE *f;

	(void)state;
	snprintf(raw, sizeof(raw), "/tmp/vt-conv-%d.raw", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/vt-conv-%d.vgt", (int)getpid());
	load_scen("healthy", &rb, &facts);
	f = fopen(raw, "wb");
	for (i = 0; i < rb.n; i++)
		fwrite(rb.r[i].b, 1, ((struct vt_hdr *)(void *)rb.r[i].b)->size, f);
	fclose(f);
	unlink(out);
	assert_int_equal(cli("convert", "--raw", raw, "-o", out), 0);
	assert_int_equal(cli("convert", "--raw", raw, "-o", out), 2);	/* exists */
	memset(&o, 0, sizeof(o));
	assert_int_equal(vt_analyse_file(out, &o, &e), 0);
	expect_output(e, vt_engine_stats_text, "records 52 invalid 0 lost 0",
		      "acks 5 resamples 5", NULL);
	vt_engine_free(e);
	/* a stream cut inside a record, and one with a bad size */
	assert_int_equal(truncate(raw, 100), 0);
	unlink(out);
	assert_int_equal(cli("convert", "--raw", raw, "-o", out), 2);
	f = fopen(raw, "wb");
	((struct vt_hdr *)(void *)rb.r[0].b)->size = 12;
	fwrite(rb.r[0].b, 1, 64, f);
	fclose(f);
	unlink(out);
	assert_int_equal(cli("convert", "--raw", raw, "-o", out), 2);
	unlink(raw);
	unlink(out);
}

static unsigned int count_str(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

/* timeline: valid JSON, one slice per LR run, one instant per ack
 * (test_timeline.c checks the timeline in depth). */
/* the INTIDs rec_cb was given, in order */
struct intids {
	uint32_t v[MAXREC];
	unsigned int n;
};

static void intid_cb(const struct vt_hdr *rec, uint32_t intid, void *arg)
{
	struct intids *t = arg;

	(void)rec;
	assert_true(t->n < MAXREC);
	t->v[t->n++] = intid;
}

/*
 * vt_engine_opts.no_analysis: every record of @rb still reaches rec_cb
 * with the INTID the objects give (a learnt gsi -> SPI route, a linked
 * device), but no rule runs and no latency is measured, where the full
 * engine makes findings and measures. @intid: one rec_cb must see.
 */
static void no_analysis_cmp(const struct recbuf *rb,
			    const struct vt_host_facts *facts, uint32_t intid)
{
	struct intids full = { 0 }, bare = { 0 };
	struct vt_engine_opts o;
	struct vt_engine *e;
	unsigned int i, pass;
	char *s;

	for (pass = 0; pass < 2; pass++) {
		memset(&o, 0, sizeof(o));
		o.facts = facts;
		o.window_ns = VT_WINDOW_ALL;
		o.cb = count_cb;
		o.rec_cb = intid_cb;
		o.rec_arg = pass ? &bare : &full;
		o.no_analysis = pass;
		cb_calls = 0;
		assert_int_equal(vt_engine_new(&o, &e), 0);
		for (i = 0; i < rb->n; i++)
			assert_int_equal(vt_engine_feed(e, (const void *)rb->r[i].b), 0);
		assert_int_equal(vt_engine_finish(e), 0);
		assert_int_equal(vt_engine_nr_findings(e), cb_calls);
		if (pass ? cb_calls != 0 : cb_calls == 0)
			fail_msg("%u findings with no_analysis %u", cb_calls, pass);
		s = render(e, vt_engine_report_text, NULL);
		if ((strstr(s, " p50 ") != NULL) == (pass != 0))
			fail_msg("latencies with no_analysis %u: %s", pass,
				 pass ? "some" : "none");
		free(s);
		vt_engine_free(e);
	}
	assert_int_equal(bare.n, full.n);
	for (i = 0; i < full.n; i++)
		assert_int_equal(bare.v[i], full.v[i]);
	for (i = 0; i < full.n && full.v[i] != intid; i++)
		;
	assert_true(i < full.n);
}

static void test_no_analysis(void **state)
{
	static struct recbuf rb;
	struct vt_host_facts facts;

	(void)state;
	/* findings through the LR events and latencies; the resample of
	 * gsi 7 on INTID 37, pin 5 + 32 (learnt at the ack) */
	load_text("facts kernel=6.19.0\n"
		  "@0 irqfd gsi=7 resample\n"
		  "@0 irqfd gsi=1 resample key=1 rkey=2\n"
		  "@1ms vfio handler dev=0000:00:05.0 irq=50 masked=1 result=1\n"
		  "@+10us ack pin=5 gsi=7\n"
		  "@+1us resample gsi=7\n"
		  "@+1us vfio unmask_handler dev=0000:00:05.0 irq=50 masked=0\n"
		  /* an EOI without ack of resampled gsi 1: an ERROR */
		  "@2ms flush lr=33:P:eoi\n@+10us fold lr=33:inv:eoi\n"
		  "@+10us flush used=0\n", &rb, &facts);
	no_analysis_cmp(&rb, &facts, 37);
	/* a finding through the VFIO events (storm) */
	load_scen("storm-still", &rb, &facts);
	no_analysis_cmp(&rb, &facts, 32);
}

static void test_timeline(void **state)
{
	char vgt[256], json[256];
	char *buf;

	(void)state;
	snprintf(vgt, sizeof(vgt), "/tmp/vt-tl-%d.vgt", (int)getpid());
	snprintf(json, sizeof(json), "/tmp/vt-tl-%d.json", (int)getpid());
	scen_to_file("healthy", vgt);
	unlink(json);
	assert_int_equal(cli("timeline", vgt, "-o", json, NULL), 0);
	assert_int_equal(cli("timeline", vgt, "-o", json, NULL), 2);	/* exists */
	buf = read_all(json, NULL);
	assert_non_null(buf);
	assert_true(json_valid(buf));
	/* 10 LR slices + 10 "guest run" slices on the vCPU thread */
	assert_int_equal(count_str(buf, "\"ph\":\"X\""), 20);
	assert_int_equal(count_str(buf, "\"name\":\"ack\""), 5);
	assert_int_equal(count_str(buf, "\"name\":\"resample\""), 5);
	assert_int_equal(count_str(buf, "\"name\":\"A -> inv (deactivated)\""), 5);
	/* INTID 32, its LR track, vCPU 0, host IRQ 45 */
	assert_int_equal(count_str(buf, "\"name\":\"thread_name\""), 4);
	free(buf);
	unlink(vgt);
	unlink(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_counts),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_reorder_wrap),
		cmocka_unit_test(test_reorder_ref_file),
		cmocka_unit_test(test_impossible_state),
		cmocka_unit_test(test_invalid_feed),
		cmocka_unit_test(test_lost_json),
		cmocka_unit_test(test_missing_hook),
		cmocka_unit_test(test_linking),
		cmocka_unit_test(test_live_tick),
		cmocka_unit_test(test_live_masked_so_far),
		cmocka_unit_test(test_nr_lrs_inferred),
		cmocka_unit_test(test_deassign_stops_wait),
		cmocka_unit_test(test_unresampled_eoi),
		cmocka_unit_test(test_cli_exit_codes),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_no_analysis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
