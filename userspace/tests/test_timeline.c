// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_timeline.c - the Perfetto (Chrome trace-event JSON) timeline.
 *
 * No Perfetto trace processor is installable from the registries this
 * machine reaches (Debian, npm), so every timeline is checked here
 * against the Trace Event Format document instead, strictly: a JSON
 * parser that refuses duplicate keys, the fields each phase requires
 * (ph, name, pid, tid, ts, dur, s, args.name), int32 pids/tids, X slices
 * properly nested per thread, every pid/tid named by process_name and
 * thread_name metadata and no tid in two processes (Perfetto's tids are
 * global). Then what the timeline must say: absolute CLOCK_MONOTONIC
 * microseconds with nanosecond decimals, the VMM pid, vCPU threads from
 * VT_META_VCPU (synthetic tids otherwise, said in otherData), assert /
 * deassert with source names, no track collision for 24-bit INTIDs and
 * large vCPU ids, streaming, write errors, trace-cmd .dat input.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "helpers.h"
#include "json_reader.h"
#include "vt_lr.h"
#include "vt_timeline.h"

/* ---- JSON (json_reader.h: strict, duplicate keys refused) ----------- */

static struct json *jparse(const char *text)
{
	const char *err;
	struct json *v;
	size_t off;

	v = json_parse(text, &err, &off);
	if (!v)
		fail_msg("JSON: %s at offset %zu", err, off);
	return v;
}

/* An integer field (no fraction, no exponent) in [0, max]. */
static bool jint(const struct json *o, const char *key, uint64_t max,
		 uint64_t *out)
{
	const struct json *v = json_get(o, key);
	char *end;

	if (!v || v->t != JSON_NUM || strpbrk(v->str, ".eE-"))
		return false;
	errno = 0;
	*out = strtoull(v->str, &end, 10);
	return !errno && !*end && *out <= max;
}

/* A timestamp: microseconds, integer part and exactly 3 decimals (ns). */
static bool jts(const struct json *o, const char *key, uint64_t *ns)
{
	const struct json *v = json_get(o, key);
	const char *dot;
	char *end;

	if (!v || v->t != JSON_NUM || v->str[0] == '-' || strpbrk(v->str, "eE"))
		return false;
	dot = strchr(v->str, '.');
	if (!dot || strlen(dot) != 4)
		return false;
	*ns = strtoull(v->str, &end, 10) * 1000;
	if (end != dot)
		return false;
	*ns += strtoull(dot + 1, &end, 10);
	return !*end;
}

/* ---- the strict trace-event check ------------------------------------ */

#define MAXT	4096

struct tl_thread {
	uint64_t pid, tid;
	char name[128];
	bool named;
	/* X slices, to check nesting: sorted later */
	uint64_t *b, *e;
	size_t n, cap;
};

struct tl_check {
	struct json *root;
	const struct json *events;
	struct tl_thread th[MAXT];
	size_t nth;
	uint64_t pids[MAXT];
	char pname[MAXT][128];
	size_t npids;
	size_t nx, ni, nm;
};

static struct tl_thread *thread_of(struct tl_check *c, uint64_t pid,
				   uint64_t tid)
{
	size_t i;

	for (i = 0; i < c->nth; i++)
		if (c->th[i].tid == tid) {
			/* Perfetto's tids are global: one process per tid */
			if (c->th[i].pid != pid)
				fail_msg("tid %llu in pids %llu and %llu",
					 (unsigned long long)tid,
					 (unsigned long long)c->th[i].pid,
					 (unsigned long long)pid);
			return &c->th[i];
		}
	assert_true(c->nth < MAXT);
	memset(&c->th[c->nth], 0, sizeof(c->th[0]));
	c->th[c->nth].pid = pid;
	c->th[c->nth].tid = tid;
	return &c->th[c->nth++];
}

static int span_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] > y[1] ? -1 : x[1] < y[1];	/* longer first: parent */
}

/* X slices of one thread nest: each starts after the enclosing one and
 * ends before it ends, or after it ended. */
static void check_nesting(const struct tl_thread *t)
{
	uint64_t *sp = malloc((t->n + 1) * 2 * sizeof(*sp)), stack[64];
	size_t i, depth = 0;

	for (i = 0; i < t->n; i++) {
		sp[2 * i] = t->b[i];
		sp[2 * i + 1] = t->e[i];
	}
	qsort(sp, t->n, 2 * sizeof(*sp), span_cmp);
	for (i = 0; i < t->n; i++) {
		while (depth && stack[depth - 1] <= sp[2 * i])
			depth--;
		if (depth && sp[2 * i + 1] > stack[depth - 1])
			fail_msg("tid %llu: slice [%llu, %llu] overlaps its parent ending %llu",
				 (unsigned long long)t->tid,
				 (unsigned long long)sp[2 * i],
				 (unsigned long long)sp[2 * i + 1],
				 (unsigned long long)stack[depth - 1]);
		assert_true(depth < 64);
		stack[depth++] = sp[2 * i + 1];
	}
	free(sp);
}

static void check_event(struct tl_check *c, const struct json *ev)
{
	const char *ph = json_str(ev, "ph"), *name = json_str(ev, "name");
	const struct json *args = json_get(ev, "args");
	uint64_t pid, tid, ts, dur;
	struct tl_thread *t;
	size_t i;

	assert_int_equal(ev->t, JSON_OBJ);
	assert_non_null(ph);
	assert_non_null(name);
	assert_true(name[0]);
	for (i = 0; i < ev->n; i++)	/* fields of the format only */
		if (!strstr(",ph,name,cat,pid,tid,ts,dur,s,args,",
			    ev->keys[i]) || !ev->keys[i][0])
			fail_msg("unknown event field '%s'", ev->keys[i]);
	if (json_get(ev, "cat"))
		assert_non_null(json_str(ev, "cat"));
	if (args)
		assert_int_equal(args->t, JSON_OBJ);
	if (!jint(ev, "pid", INT32_MAX, &pid))
		fail_msg("event '%s': pid not an int32", name);
	if (!strcmp(ph, "M")) {
		const char *an = json_str(args, "name");

		c->nm++;
		assert_non_null(an);
		assert_null(json_get(ev, "ts"));
		if (!strcmp(name, "process_name")) {
			assert_null(json_get(ev, "tid"));
			for (i = 0; i < c->npids; i++)
				if (c->pids[i] == pid)
					fail_msg("pid %llu named twice",
						 (unsigned long long)pid);
			assert_true(c->npids < MAXT);
			snprintf(c->pname[c->npids], sizeof(c->pname[0]), "%s", an);
			c->pids[c->npids++] = pid;
			return;
		}
		if (strcmp(name, "thread_name"))
			fail_msg("unexpected metadata event '%s'", name);
		if (!jint(ev, "tid", INT32_MAX, &tid))
			fail_msg("thread_name: tid not an int32");
		t = thread_of(c, pid, tid);
		snprintf(t->name, sizeof(t->name), "%s", an);
		t->named = true;
		return;
	}
	if (!jint(ev, "tid", INT32_MAX, &tid))
		fail_msg("event '%s': tid not an int32", name);
	if (!jts(ev, "ts", &ts))
		fail_msg("event '%s': ts not us with 3 decimals", name);
	t = thread_of(c, pid, tid);
	if (!strcmp(ph, "X")) {
		if (!jts(ev, "dur", &dur))
			fail_msg("X '%s': dur not us with 3 decimals", name);
		assert_null(json_get(ev, "s"));
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 16;
			t->b = realloc(t->b, t->cap * sizeof(*t->b));
			t->e = realloc(t->e, t->cap * sizeof(*t->e));
		}
		t->b[t->n] = ts;
		t->e[t->n++] = ts + dur;
		c->nx++;
		return;
	}
	if (!strcmp(ph, "i")) {
		const char *s = json_str(ev, "s");

		assert_non_null(s);
		assert_true(!strcmp(s, "t") || !strcmp(s, "p") || !strcmp(s, "g"));
		assert_null(json_get(ev, "dur"));
		c->ni++;
		return;
	}
	fail_msg("unexpected phase '%s'", ph);
}

/* Parse and check @text; the result is kept in @c (tl_check_free()). */
static void tl_check(struct tl_check *c, const char *text)
{
	const char *unit;
	size_t i, j;

	memset(c, 0, sizeof(*c));
	c->root = jparse(text);
	assert_int_equal(c->root->t, JSON_OBJ);
	for (i = 0; i < c->root->n; i++)
		if (strcmp(c->root->keys[i], "traceEvents") &&
		    strcmp(c->root->keys[i], "displayTimeUnit") &&
		    strcmp(c->root->keys[i], "otherData"))
			fail_msg("unknown top-level key '%s'", c->root->keys[i]);
	unit = json_str(c->root, "displayTimeUnit");
	assert_true(unit && (!strcmp(unit, "ns") || !strcmp(unit, "ms")));
	c->events = json_get(c->root, "traceEvents");
	assert_non_null(c->events);
	assert_int_equal(c->events->t, JSON_ARR);
	assert_non_null(json_get(c->root, "otherData"));
	assert_int_equal(json_get(c->root, "otherData")->t, JSON_OBJ);
	for (i = 0; i < c->events->n; i++)
		check_event(c, c->events->items[i]);
	for (i = 0; i < c->nth; i++) {
		if (!c->th[i].named)
			fail_msg("tid %llu has no thread_name",
				 (unsigned long long)c->th[i].tid);
		for (j = 0; j < c->npids && c->pids[j] != c->th[i].pid; j++)
			;
		if (j == c->npids)
			fail_msg("pid %llu has no process_name",
				 (unsigned long long)c->th[i].pid);
		check_nesting(&c->th[i]);
	}
}

static void tl_check_free(struct tl_check *c)
{
	size_t i;

	for (i = 0; i < c->nth; i++) {
		free(c->th[i].b);
		free(c->th[i].e);
	}
	json_free(c->root);
}

static const struct tl_thread *thread_named(const struct tl_check *c,
					    const char *name)
{
	size_t i;

	for (i = 0; i < c->nth; i++)
		if (!strcmp(c->th[i].name, name))
			return &c->th[i];
	return NULL;
}

/* Events named @name on (pid, tid); tid UINT64_MAX: any. */
static unsigned int count_ev(const struct tl_check *c, const char *ph,
			     const char *name, uint64_t pid, uint64_t tid)
{
	unsigned int n = 0;
	uint64_t p, t;
	size_t i;

	for (i = 0; i < c->events->n; i++) {
		const struct json *ev = c->events->items[i];

		if (strcmp(json_str(ev, "ph"), ph) || strcmp(json_str(ev, "name"), name))
			continue;
		if (!jint(ev, "pid", INT32_MAX, &p) || p != pid)
			continue;
		if (tid != UINT64_MAX && (!jint(ev, "tid", INT32_MAX, &t) || t != tid))
			continue;
		n++;
	}
	return n;
}

/* ---- records ---------------------------------------------------------- */

static void hdr(struct vt_hdr *h, unsigned int type, size_t size, uint64_t ts,
		uint32_t vm, uint32_t vcpu)
{
	memset(h, 0, size);
	h->type = (uint16_t)type;
	h->size = (uint16_t)size;
	h->ts_ns = ts;
	h->vm_id = vm;
	h->vcpu_id = vcpu;
}

static void add_inject(struct vt_timeline *tl, uint64_t ts, uint32_t vm,
		       uint32_t intid, unsigned int level, unsigned int src)
{
	struct vt_rec_inject r;

	hdr(&r.hdr, VT_REC_INJECT, sizeof(r), ts, vm, VT_NO_VCPU);
	r.intid = intid;
	r.level = (uint8_t)level;
	r.source = (uint8_t)src;
	assert_int_equal(vt_timeline_add(tl, &r.hdr), 0);
}

static void add_lr(struct vt_timeline *tl, unsigned int type, uint64_t ts,
		   uint32_t vm, uint32_t vcpu, uint32_t intid,
		   unsigned int state)
{
	struct vt_rec_lr r;
	struct vt_lr lr = { .state = (uint8_t)state, .group = 1,
			    .priority = 0xa0, .vintid = intid };
	uint64_t raw;

	hdr(&r.hdr, type, sizeof(r), ts, vm, vcpu);
	r.gic_version = VT_GIC_V3;
	r.used_lrs = 1;
	assert_int_equal(vt_lr_encode(VT_GIC_V3, &lr, &raw), 0);
	r.lr[0] = raw;
	assert_int_equal(vt_timeline_add(tl, &r.hdr), 0);
}

static void add_run(struct vt_timeline *tl, uint64_t ts, uint32_t vm,
		    uint32_t vcpu, uint32_t intid)
{
	add_lr(tl, VT_REC_LR_FLUSH, ts, vm, vcpu, intid, VT_LR_P);
	add_lr(tl, VT_REC_LR_FOLD, ts + 1500, vm, vcpu, intid, VT_LR_A);
}

static void add_vcpu_meta(struct vt_timeline *tl, uint64_t ts, uint32_t vm,
			  uint32_t vcpu, uint64_t tid, const char *comm)
{
	struct vt_rec_meta m;

	hdr(&m.hdr, VT_REC_META, sizeof(m), ts, vm, vcpu);
	m.key = VT_META_VCPU;
	m.val = tid;
	snprintf(m.str, sizeof(m.str), "%s", comm);
	assert_int_equal(vt_timeline_add(tl, &m.hdr), 0);
}

static char *finish_mem(struct vt_timeline *tl, FILE *m, char **buf,
			unsigned long *events)
{
	assert_int_equal(vt_timeline_finish(tl, events), 0);
	fclose(m);
	return *buf;
}

/* ---- tests ------------------------------------------------------------ */

static unsigned int count_str_tl(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

/* The known base of the records below: CLOCK_MONOTONIC of a host up for
 * about 12 days, so a rebased or float-rounded time shows. */
#define T0	1034567890123456ull

static void test_absolute_ts_and_names(void **state)
{
	struct vt_timeline *tl;
	struct tl_check c;
	const struct tl_thread *irq;
	unsigned long events;
	char *buf;
	size_t len;
	FILE *m;

	(void)state;
	m = open_memstream(&buf, &len);
	assert_int_equal(vt_timeline_new(m, &tl), 0);
	add_inject(tl, T0 + 7, 4321, 40, 1, VT_SRC_IRQFD);
	add_inject(tl, T0 + 999, 4321, 40, 0, VT_SRC_RESAMPLER);
	add_inject(tl, T0 + 1000, 4321, 40, 1, VT_SRC_USER);
	finish_mem(tl, m, &buf, &events);
	tl_check(&c, buf);
	/* absolute, exact to the ns: 1034567890123.463 us */
	assert_non_null(strstr(buf, "\"ts\":1034567890123.463,"));
	assert_non_null(strstr(buf, "\"ts\":1034567890124.455,"));
	assert_non_null(strstr(buf, "\"ts\":1034567890124.456,"));
	/* the VMM's pid is the process; INTID 40 its track */
	assert_int_equal(c.npids, 1);
	assert_int_equal(c.pids[0], 4321);
	irq = thread_named(&c, "INTID 40");
	assert_non_null(irq);
	assert_int_equal(irq->pid, 4321);
	assert_true(irq->tid >= VT_TL_SYNTH_TID);
	assert_int_equal(count_ev(&c, "i", "assert", 4321, irq->tid), 2);
	assert_int_equal(count_ev(&c, "i", "deassert", 4321, irq->tid), 1);
	assert_null(strstr(buf, "inject"));
	assert_non_null(strstr(buf, "\"source\":\"irqfd\""));
	assert_non_null(strstr(buf, "\"source\":\"resampler\""));
	assert_non_null(strstr(buf, "\"source\":\"user\""));
	assert_non_null(strstr(buf, "\"clock\":\"CLOCK_MONOTONIC\""));
	assert_int_equal(events, c.events->n);
	tl_check_free(&c);
	free(buf);
}

/* vCPU threads: the real tid and comm from VT_META_VCPU; a vCPU with none
 * gets a synthetic tid, and otherData says which. */
static void test_vcpu_threads(void **state)
{
	const struct json *vt, *od;
	struct vt_timeline *tl;
	struct tl_check c;
	const struct tl_thread *t0, *t1;
	unsigned int i, seen = 0;
	uint64_t v;
	char *buf;
	size_t len;
	FILE *m;

	(void)state;
	m = open_memstream(&buf, &len);
	assert_int_equal(vt_timeline_new(m, &tl), 0);
	add_vcpu_meta(tl, T0, 4321, 0, 4330, "CPU 0/KVM");
	add_run(tl, T0 + 10000, 4321, 0, 27);
	add_run(tl, T0 + 20000, 4321, 0, 27);
	add_run(tl, T0 + 10000, 4321, 1, 27);	/* no meta for vCPU 1 */
	finish_mem(tl, m, &buf, NULL);
	tl_check(&c, buf);
	t0 = thread_named(&c, "CPU 0/KVM (vCPU 0)");
	assert_non_null(t0);
	assert_int_equal(t0->tid, 4330);
	assert_int_equal(t0->pid, 4321);
	assert_int_equal(count_ev(&c, "X", "guest run", 4321, 4330), 2);
	t1 = thread_named(&c, "vCPU 1 (synthetic tid)");
	assert_non_null(t1);
	assert_true(t1->tid >= VT_TL_SYNTH_TID);
	assert_int_equal(count_ev(&c, "X", "guest run", 4321, t1->tid), 1);
	/* the LR slices: P at entry, A at exit, 1.5 us */
	assert_int_equal(count_ev(&c, "X", "P -> A", 4321, UINT64_MAX), 3);
	assert_non_null(strstr(buf, "\"ts\":1034567890133.456,\"dur\":1.500,"));
	od = json_get(c.root, "otherData");
	vt = json_get(od, "vcpu_threads");
	assert_non_null(vt);
	assert_int_equal(vt->n, 2);
	for (i = 0; i < vt->n; i++) {
		const struct json *e = vt->items[i], *syn = json_get(e, "synthetic");

		assert_true(jint(e, "vcpu", 10, &v));
		assert_non_null(syn);
		assert_int_equal(syn->t, JSON_BOOL);
		assert_int_equal((int)syn->num, v == 1);
		if (v == 0) {
			assert_string_equal(json_str(e, "comm"), "CPU 0/KVM");
			assert_true(jint(e, "tid", INT32_MAX, &v));
			assert_int_equal(v, 4330);
		}
		seen++;
	}
	assert_int_equal(seen, 2);
	assert_true(jint(od, "vcpu_tids_synthetic", 10, &v));
	assert_int_equal(v, 1);
	tl_check_free(&c);
	free(buf);
}

/* A meta record that comes after the vCPU's first run: later runs go to
 * the real thread, the earlier one stays on its synthetic tid, a comm
 * with quotes is escaped. */
static void test_vcpu_meta_late(void **state)
{
	struct vt_timeline *tl;
	struct tl_check c;
	const struct tl_thread *syn, *real;
	char *buf;
	size_t len;
	FILE *m;

	(void)state;
	m = open_memstream(&buf, &len);
	assert_int_equal(vt_timeline_new(m, &tl), 0);
	add_run(tl, T0, 77, 3, 33);
	add_vcpu_meta(tl, T0 + 5000, 77, 3, 78, "v\"cpu\\3\n");
	add_run(tl, T0 + 10000, 77, 3, 33);
	finish_mem(tl, m, &buf, NULL);
	tl_check(&c, buf);
	syn = thread_named(&c, "vCPU 3 (synthetic tid)");
	real = thread_named(&c, "v\"cpu\\3\n (vCPU 3)");
	assert_non_null(syn);
	assert_non_null(real);
	assert_int_equal(real->tid, 78);
	assert_int_equal(count_ev(&c, "X", "guest run", 77, syn->tid), 1);
	assert_int_equal(count_ev(&c, "X", "guest run", 77, 78), 1);
	assert_non_null(strstr(buf, "\"synthetic_tid_before_meta\":"));
	tl_check_free(&c);
	free(buf);
}

/* 24-bit INTIDs and vCPU ids past 999: one track each, no collision. */
static void test_track_ids(void **state)
{
	static const uint32_t intids[] = { 32, 1032, 8192, 16777215, 16777214 };
	static const uint32_t vcpus[] = { 0, 1, 999, 1000, 4095 };
	struct vt_timeline *tl;
	struct tl_check c;
	char name[64], *buf;
	unsigned int i, j;
	uint64_t ts = T0;
	size_t len;
	FILE *m;

	(void)state;
	m = open_memstream(&buf, &len);
	assert_int_equal(vt_timeline_new(m, &tl), 0);
	for (i = 0; i < 5; i++) {
		add_inject(tl, ts++, 9, intids[i], 1, VT_SRC_KERNEL);
		for (j = 0; j < 5; j++) {
			add_run(tl, ts, 9, vcpus[j], intids[i]);
			ts += 2000;
		}
	}
	finish_mem(tl, m, &buf, NULL);
	tl_check(&c, buf);	/* distinct (pid, tid) per name checked below */
	/* 5 IRQ tracks + 25 LR tracks + 5 vCPU threads, all distinct */
	assert_int_equal(c.nth, 35);
	for (i = 0; i < 5; i++) {
		const struct tl_thread *t;

		snprintf(name, sizeof(name), "INTID %u", intids[i]);
		t = thread_named(&c, name);
		assert_non_null(t);
		assert_int_equal(count_ev(&c, "i", "assert", 9, t->tid), 1);
		for (j = 0; j < 5; j++) {
			snprintf(name, sizeof(name), "INTID %u LR on vCPU %u",
				 intids[i], vcpus[j]);
			t = thread_named(&c, name);
			assert_non_null(t);
			assert_int_equal(count_ev(&c, "X", "P -> A", 9, t->tid), 1);
		}
	}
	for (i = 0; i < c.nth; i++)
		for (j = i + 1; j < c.nth; j++)
			assert_int_not_equal(c.th[i].tid, c.th[j].tid);
	tl_check_free(&c);
	free(buf);
}

/* Output is written while records come, not at the end: after 10^5
 * records most of it is out, and memory does not hold the trace. */
static void test_streaming(void **state)
{
	struct vt_timeline *tl;
	char path[64], *buf;
	unsigned int i;
	long before;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/vt-tl-stream-%d.json", (int)getpid());
	f = fopen(path, "w+");
	assert_non_null(f);
	assert_int_equal(vt_timeline_new(f, &tl), 0);
	for (i = 0; i < 100000; i++)
		add_run(tl, T0 + i * 4000ull, 5, i % 4, 32 + i % 8);
	fflush(f);
	before = ftell(f);
	assert_int_equal(vt_timeline_finish(tl, NULL), 0);
	fflush(f);
	/* the buffer (256 KiB) is all that was not yet written */
	assert_true(before > 0);
	assert_true(ftell(f) - before <= 256 * 1024 + 4096);
	assert_true(ftell(f) > 20 * 1000 * 1000);
	fclose(f);
	buf = read_all(path, NULL);
	assert_non_null(buf);
	{
		struct tl_check c;

		tl_check(&c, buf);
		assert_int_equal(c.nx, 200000);
		tl_check_free(&c);
	}
	free(buf);
	unlink(path);
}

/* A failed write is an error, not a silently short file. */
static void test_write_error(void **state)
{
	struct vt_rec_inject r;
	struct vt_timeline *tl;
	unsigned int i;
	int ret = 0;
	FILE *f;

	(void)state;
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	assert_int_equal(vt_timeline_new(f, &tl), 0);
	hdr(&r.hdr, VT_REC_INJECT, sizeof(r), T0, 1, VT_NO_VCPU);
	r.intid = 32;
	/* the error is sticky: reported by the add that hit it, and on */
	for (i = 0; i < 30000 && !ret; i++)
		ret = vt_timeline_add(tl, &r.hdr);
	assert_int_equal(ret, -EIO);
	assert_true(i > 1000);	/* the first buffer fill */
	assert_int_equal(vt_timeline_add(tl, &r.hdr), -EIO);
	assert_int_equal(vt_timeline_finish(tl, NULL), -EIO);
	fclose(f);
}

static char *cli_timeline(const char *in, const char *extra)
{
	char cmd[1024], out[128], *buf;

	snprintf(out, sizeof(out), "/tmp/vt-tl-cli-%d.json", (int)getpid());
	snprintf(cmd, sizeof(cmd), "%s timeline %s %s -o %s --force 2>/dev/null",
		 VT_CLI, extra, in, out);
	assert_int_equal(system(cmd), 0);
	buf = read_all(out, NULL);
	assert_non_null(buf);
	unlink(out);
	return buf;
}

/* Every replayed scenario gives a timeline that passes the strict check;
 * the healthy one has the report's counts: 10 LR runs, 5 acks, 5
 * resamples, each EOI a "(deactivated)" slice. */
static void test_cli_scenarios(void **state)
{
	static const char *const scen[] = {
		"healthy", "no-resample", "icactiver", "lost-records",
		"migration", "storm", "lr-overflow", "masked-no-resampler",
		"v619-p-to-inv",
	};
	char vgt[128], *buf;
	struct tl_check c;
	unsigned int i;

	(void)state;
	snprintf(vgt, sizeof(vgt), "/tmp/vt-tl-cli-%d.vgt", (int)getpid());
	for (i = 0; i < sizeof(scen) / sizeof(scen[0]); i++) {
		scen_to_file(scen[i], vgt);
		buf = cli_timeline(vgt, "");
		tl_check(&c, buf);
		if (!strcmp(scen[i], "healthy")) {
			/* 10 runs, 5 of them with the IRQ pending, 5 active */
			assert_int_equal(count_str_tl(buf, "\"name\":\"guest run\""), 10);
			assert_int_equal(c.nx, 20);
			assert_int_equal(count_str_tl(buf, "\"name\":\"ack\""), 5);
			assert_int_equal(count_str_tl(buf, "\"name\":\"resample\""), 5);
			assert_int_equal(count_str_tl(buf, "\"name\":\"A -> inv (deactivated)\""), 5);
		}
		if (!strcmp(scen[i], "lost-records"))
			assert_non_null(strstr(buf, "\"name\":\"records lost\""));
		/* no pid 0: the host's events are in the host pseudo-process */
		assert_null(strstr(buf, "\"pid\":0,"));
		tl_check_free(&c);
		free(buf);
	}
	unlink(vgt);
}

/* A trace-cmd .dat gives the same timeline as the module's own stream of
 * the same run (the same reader entry as report/check). */
static void test_cli_dat(void **state)
{
	char dat[512], vtr[512], *a, *b;
	struct tl_check ca, cb;

	(void)state;
#ifndef VT_HAVE_TRACECMD
	skip();
#endif
	snprintf(dat, sizeof(dat), "%s/tracecmd/arm64-healthy.dat", VT_TEST_DIR);
	snprintf(vtr, sizeof(vtr), "%s/tracecmd/arm64-healthy.vtr", VT_TEST_DIR);
	a = cli_timeline(dat, "--from vgic");
	b = cli_timeline(vtr, "");
	tl_check(&ca, a);
	tl_check(&cb, b);
	assert_true(ca.nx > 400);
	assert_int_equal(ca.nx, cb.nx);
	assert_int_equal(ca.ni, cb.ni);
	assert_int_equal(count_str_tl(a, "\"name\":\"ack\""),
			 count_str_tl(b, "\"name\":\"ack\""));
	assert_int_equal(count_str_tl(a, "\"name\":\"ack\""), 200);
	tl_check_free(&ca);
	tl_check_free(&cb);
	free(a);
	free(b);
}

/* start of run i of test_formats(): 10^5 s apart, in other milliseconds */
#define RUN_TS(i)	(T0 + (i) * (100000000000000ull + 3000000))

/* 'X' of @ns as the timeline writes it: microseconds, 3 decimals */
static void us_str(char *s, size_t len, uint64_t ns)
{
	snprintf(s, len, "%llu.%03llu", (unsigned long long)(ns / 1000),
		 (unsigned long long)(ns % 1000));
}

/* One LR run with raw LR values @en -> @ex of GIC @gic, @dur ns long. */
static void add_raw_run(struct vt_timeline *tl, uint64_t ts, uint64_t dur,
			uint32_t vm, uint32_t vcpu, unsigned int gic,
			uint64_t en, uint64_t ex)
{
	struct vt_rec_lr r;

	hdr(&r.hdr, VT_REC_LR_FLUSH, sizeof(r), ts, vm, vcpu);
	r.gic_version = (uint8_t)gic;
	r.used_lrs = 1;
	r.lr[0] = en;
	assert_int_equal(vt_timeline_add(tl, &r.hdr), 0);
	r.hdr.type = VT_REC_LR_FOLD;
	r.hdr.ts_ns = ts + dur;
	r.lr[0] = ex;
	assert_int_equal(vt_timeline_add(tl, &r.hdr), 0);
}

/*
 * The hand-made number formats against printf(): timestamps below and
 * above 1 ms, milliseconds changing back and forth (the timeline keeps
 * the last ones formatted), durations of 1 ms and more, 0x hex of 0 to
 * 16 digits (LR and MMIO values), GICv2 LRs, an unknown GIC version;
 * LR tracks of one vCPU whose vINTIDs share a cache slot (32, 48), and
 * processes whose pids share one (16, 32).
 */
static void test_formats(void **state)
{
	static const uint64_t ts[] = {
		0, 1, 999, 1000, 1001, 999999, 1000000, 1000001, 1999999,
		1000000, 123456789, 1000000, T0, 18446744073709551615ull,
		18446744073709000000ull, 5,
	};
	static const uint64_t hex[] = {
		0, 1, 0xf, 0x10, 0xff, 0x100, 0xabcdef, 0x123456789ull,
		0x8000000000000000ull, 0x0fffffffffffffffull,
		0xffffffffffffffffull, 0x50a0020000000022ull,
	};
	static const uint64_t dur[] = { 0, 1, 999, 1000, 999999, 1000000,
					1234567890, 86400000000000ull };
	struct vt_rec_mmio mm;
	struct vt_timeline *tl;
	struct tl_check c;
	char want[256], a[48], b[48], *buf;
	const struct tl_thread *t32, *t48;
	unsigned int i, v;
	uint64_t v2en, v2ex;
	size_t len;
	FILE *m;

	(void)state;
	m = open_memstream(&buf, &len);
	assert_int_equal(vt_timeline_new(m, &tl), 0);
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++)
		add_inject(tl, ts[i], 7, 40, 1, VT_SRC_USER);
	for (i = 0; i < sizeof(hex) / sizeof(hex[0]); i++) {
		hdr(&mm.hdr, VT_REC_MMIO, sizeof(mm), T0 + i, 7, 0);
		mm.reg = 1;
		mm.first_intid = 41;
		mm.offset = (uint32_t)hex[i];
		mm.val = hex[i];
		assert_int_equal(vt_timeline_add(tl, &mm.hdr), 0);
	}
	/* runs with durations across 1 ms, starting in other milliseconds */
	for (i = 0; i < sizeof(dur) / sizeof(dur[0]); i++)
		add_raw_run(tl, RUN_TS(i), dur[i], 7, 1, VT_GIC_V3,
			    0x50a0020000000022ull, 0x90a0020000000022ull);
	/* GICv2: P -> A of vINTID 0x3ff (all 10 bits), 32-bit values */
	v2en = VT_GICH_LR_PENDING | (0x14u << VT_GICH_LR_PRIO_SHIFT) | 0x3ff;
	v2ex = VT_GICH_LR_ACTIVE | (0x14u << VT_GICH_LR_PRIO_SHIFT) | 0x3ff;
	add_raw_run(tl, T0 + 100000000, 2500, 7, 2, VT_GIC_V2, v2en, v2ex);
	/* an unknown GIC version: no LR slice */
	add_raw_run(tl, T0 + 101000000, 2500, 7, 3, 7, 0x50a0000000000077ull,
		    0x90a0000000000077ull);
	/* vINTIDs 32 and 48 in turn on vCPU 4, then on vCPU 5 */
	for (i = 0; i < 6; i++)
		add_raw_run(tl, T0 + 102000000 + i * 10000, 2000, 7, 4 + i / 3,
			    VT_GIC_V3, 0x50a0000000000020ull + (i & 1) * 16,
			    0x90a0000000000020ull + (i & 1) * 16);
	/* pids 16 and 32 in turn */
	for (i = 0; i < 4; i++)
		add_inject(tl, T0 + 103000000 + i, i & 1 ? 32 : 16, 33 + i, 1,
			   VT_SRC_USER);
	finish_mem(tl, m, &buf, NULL);
	tl_check(&c, buf);

	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		us_str(a, sizeof(a), ts[i]);
		snprintf(want, sizeof(want), "\"ts\":%s,\"ph\":\"i\"", a);
		assert_non_null(strstr(buf, want));
	}
	for (i = 0; i < sizeof(hex) / sizeof(hex[0]); i++) {
		snprintf(want, sizeof(want),
			 "\"args\":{\"val\":\"0x%llx\",\"offset\":\"0x%llx\"}}",
			 (unsigned long long)hex[i],
			 (unsigned long long)(uint32_t)hex[i]);
		assert_non_null(strstr(buf, want));
	}
	for (i = 0; i < sizeof(dur) / sizeof(dur[0]); i++) {
		us_str(a, sizeof(a), RUN_TS(i));
		us_str(b, sizeof(b), dur[i]);
		snprintf(want, sizeof(want),
			 "\"ts\":%s,\"dur\":%s,\"ph\":\"X\",\"cat\":\"lr\","
			 "\"name\":\"P -> A\",\"args\":{\"intid\":34,\"lr\":0,"
			 "\"entry\":\"0x50a0020000000022\","
			 "\"exit\":\"0x90a0020000000022\"}}", a, b);
		assert_non_null(strstr(buf, want));
		snprintf(want, sizeof(want), "\"ts\":%s,\"dur\":%s,\"ph\":\"X\","
			 "\"cat\":\"vcpu\"", a, b);
		assert_non_null(strstr(buf, want));
	}
	snprintf(want, sizeof(want),
		 "\"name\":\"P -> A\",\"args\":{\"intid\":1023,\"lr\":0,"
		 "\"entry\":\"0x%llx\",\"exit\":\"0x%llx\"}}",
		 (unsigned long long)v2en, (unsigned long long)v2ex);
	assert_non_null(strstr(buf, want));
	assert_null(strstr(buf, "0x50a0000000000077"));
	assert_null(thread_named(&c, "INTID 119 LR on vCPU 3"));
	/* 32 and 48 alternate on vCPU 4 (3 runs) and vCPU 5 (3 runs) */
	for (v = 4; v <= 5; v++) {
		snprintf(want, sizeof(want), "INTID 32 LR on vCPU %u", v);
		t32 = thread_named(&c, want);
		snprintf(want, sizeof(want), "INTID 48 LR on vCPU %u", v);
		t48 = thread_named(&c, want);
		assert_non_null(t32);
		assert_non_null(t48);
		assert_int_equal(count_ev(&c, "X", "P -> A", 7, t32->tid), v == 4 ? 2 : 1);
		assert_int_equal(count_ev(&c, "X", "P -> A", 7, t48->tid), v == 4 ? 1 : 2);
	}
	/* each process named once */
	assert_int_equal(count_str_tl(buf, "\"name\":\"VM 16 (VMM pid)\""), 1);
	assert_int_equal(count_str_tl(buf, "\"name\":\"VM 32 (VMM pid)\""), 1);
	assert_int_equal(count_str_tl(buf, "\"name\":\"VM 7 (VMM pid)\""), 1);
	tl_check_free(&c);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absolute_ts_and_names),
		cmocka_unit_test(test_vcpu_threads),
		cmocka_unit_test(test_vcpu_meta_late),
		cmocka_unit_test(test_track_ids),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_cli_scenarios),
		cmocka_unit_test(test_cli_dat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
