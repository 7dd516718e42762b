// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_import_tracecmd.c - trace-cmd recordings (real ones, made by
 * Debian's trace-cmd; see tests/tracecmd/README) into records.
 *
 *  - x86-kvm-resample.dat: `trace-cmd record -e kvm` of scripts/x86vmm on
 *    this machine's KVM; the rebuilt injects, acks and resamples must
 *    equal the VMM's own counts (x86-kvm-resample.truth);
 *  - arm64-S.dat: `trace-cmd record -e vgic_trace -e kvm` in the emulated
 *    arm64 host while the module's /dev/vgic_trace stream of the same run
 *    was kept (arm64-S.vtr): the records rebuilt from vgic_trace:* must
 *    be the stream's records, byte for byte; the kvm:* view must count
 *    the guest's EOIs (arm64-S.truth) as acks and name degraded rules;
 *    (6.1: healthy, no-resample; 7.2: icactiver);
 *  - damaged and foreign files get an error, never a crash;
 *  - the output is never the input and never left partial (vt_out_open).
 */
#include "helpers.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include "vt_import_tracecmd.h"
#include "vt_record.h"

#define TC_DIR VT_TEST_DIR "/tracecmd"

/*
 * LeakSanitizer (the tests-san build): libtracecmd 3.1.6 does not free
 * its tep handle (tracecmd_alloc_fd) nor strings of a half-parsed event
 * format when tracecmd_open() fails on a damaged file (test_damaged).
 * Those leaks are the libraries'; every allocation of ours is checked.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libtracecmd.so\nleak:libtraceevent.so\n";
}

struct recs {
	struct vt_hdr **r;
	size_t n, cap;
};

static int keep(const struct vt_hdr *rec, void *arg)
{
	struct recs *s = arg;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->r = realloc(s->r, s->cap * sizeof(*s->r));
		assert_non_null(s->r);
	}
	s->r[s->n] = malloc(rec->size);
	assert_non_null(s->r[s->n]);
	memcpy(s->r[s->n++], rec, rec->size);
	return 0;
}

static void recs_free(struct recs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->r[i]);
	free(s->r);
	memset(s, 0, sizeof(*s));
}

static int cmp_rec(const void *a, const void *b)
{
	const struct vt_hdr *x = *(const struct vt_hdr *const *)a;
	const struct vt_hdr *y = *(const struct vt_hdr *const *)b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return memcmp(x, y, x->size);
}

static size_t count_type(const struct recs *s, unsigned int type)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += s->r[i]->type == type;
	return n;
}

/* value of key= on the VT_GROUND_TRUTH line of @file; -1 if absent */
static long truth(const char *file, const char *key)
{
	char path[512], *buf, *p, pat[64];
	long v = -1;

	snprintf(path, sizeof(path), "%s/%s", TC_DIR, file);
	buf = read_all(path, NULL);
	assert_non_null(buf);
	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(buf, pat);
	if (p)
		v = strtol(p + strlen(pat), NULL, 10);
	free(buf);
	return v;
}

static void tc_load(const char *file, enum vt_tc_mode mode, struct recs *s,
		    struct vt_tc_summary *sum, struct vt_host_facts *facts)
{
	char path[512], err[300];
	struct vt_tc *t;

	snprintf(path, sizeof(path), "%s/%s", TC_DIR, file);
	assert_true(vt_tc_is_dat(path));
	if (vt_tc_open(path, mode, &t, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(vt_tc_run(t, keep, s), 0);
	if (sum)
		*sum = *vt_tc_summary(t);
	if (facts)
		*facts = *vt_tc_facts(t);
	vt_tc_close(t);
}

static struct vt_engine *engine_of(const struct recs *s,
				   const struct vt_host_facts *facts)
{
	struct vt_engine_opts o;
	struct vt_engine *e;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.facts = facts;
	o.window_ns = VT_WINDOW_ALL;
	assert_int_equal(vt_engine_new(&o, &e), 0);
	for (i = 0; i < s->n; i++)
		assert_int_equal(vt_engine_feed(e, s->r[i]), 0);
	assert_int_equal(vt_engine_finish(e), 0);
	return e;
}

static void test_magic(void **state)
{
	(void)state;
	assert_true(vt_tc_available());
	assert_true(vt_tc_is_dat(TC_DIR "/x86-kvm-resample.dat"));
	assert_false(vt_tc_is_dat(VT_TEST_DIR "/scenarios/healthy.txt"));
	assert_false(vt_tc_is_dat(TC_DIR "/does-not-exist.dat"));
}

/* x86 KVM, kvm:* only: counts against the x86 VMM's own */
static void test_x86_kvm(void **state)
{
	struct vt_tc_summary sum;
	struct vt_host_facts facts;
	struct recs s = { 0 };
	struct vt_engine *e;
	size_t i, inj1 = 0, src_irqfd = 0;
	char *txt;

	(void)state;
	tc_load("x86-kvm-resample.dat", VT_TC_AUTO, &s, &sum, &facts);
	assert_int_equal(sum.mode, VT_TC_KVM);
	assert_string_equal(sum.clock, "mono");
	assert_string_equal(facts.arch, "x86_64");
	assert_int_equal(count_type(&s, VT_REC_ACK), truth("x86-kvm-resample.truth", "guest_irqs"));
	assert_int_equal(count_type(&s, VT_REC_RESAMPLE), truth("x86-kvm-resample.truth", "resamples"));
	for (i = 0; i < s.n; i++) {
		const struct vt_rec_inject *r = (const void *)s.r[i];

		if (s.r[i]->type != VT_REC_INJECT || !r->level)
			continue;
		inj1++;
		src_irqfd += r->source == VT_SRC_IRQFD;
		assert_int_equal(r->intid, 5);	/* GSI 5 of the x86 VMM */
	}
	assert_int_equal(inj1, truth("x86-kvm-resample.truth", "triggers"));
	assert_int_equal(src_irqfd, inj1);
	/* every record is a valid ABI record */
	for (i = 0; i < s.n; i++)
		assert_int_equal(vt_record_check(s.r[i], s.r[i]->size, NULL, 0), 0);

	e = engine_of(&s, &facts);
	txt = render(e, vt_engine_report_text, NULL);
	assert_non_null(strstr(txt, "rule missed-resample lacks input"));
	assert_non_null(strstr(txt, "lr_flush=MISSING"));
	assert_null(strstr(txt, " inject=MISSING"));
	assert_null(strstr(txt, " ack=MISSING"));
	assert_null(strstr(txt, " resample=MISSING"));
	free(txt);
	vt_engine_free(e);
	recs_free(&s);
}

static void test_x86_vgic_forced(void **state)
{
	char err[300];
	struct vt_tc *t = NULL;

	(void)state;
	assert_int_equal(vt_tc_open(TC_DIR "/x86-kvm-resample.dat", VT_TC_VGIC,
				    &t, err, sizeof(err)), -ENOENT);
	assert_null(t);
	assert_non_null(strstr(err, "no vgic_trace:* events"));
}

/* import -> trace file -> reader gives the records the importer made */
static void test_import_file(void **state)
{
	const char *out = "/tmp/vt-test-tc-import.vtr";
	const struct vt_hdr *rec;
	struct recs s = { 0 };
	struct vt_reader *r;
	char err[200];
	size_t i = 0;

	(void)state;
	tc_load("x86-kvm-resample.dat", VT_TC_AUTO, &s, NULL, NULL);
	vt_tc_from = VT_TC_AUTO;
	assert_int_equal(vt_tc_import(TC_DIR "/x86-kvm-resample.dat", out, true), 0);
	assert_int_equal(vt_reader_open(out, &r, err, sizeof(err)), 0);
	assert_string_equal(vt_reader_facts(r)->arch, "x86_64");
	while (vt_reader_next(r, &rec) > 0) {
		assert_true(i < s.n);
		assert_int_equal(rec->size, s.r[i]->size);
		assert_memory_equal(rec, s.r[i], rec->size);
		i++;
	}
	assert_int_equal(i, s.n);
	assert_int_equal(vt_reader_status(r)->end, VT_END_COMPLETE);
	vt_reader_close(r);
	unlink(out);
	assert_int_equal(vt_tc_import(TC_DIR "/x86-kvm-resample.dat", out, true), 0);
	assert_int_equal(vt_tc_import(TC_DIR "/x86-kvm-resample.dat", out, false), -EEXIST);
	unlink(out);
	recs_free(&s);
}

/* the output goes through vt_out_open(): never the input, never partial */
static void test_import_safe_output(void **state)
{
	const char *dat = "/tmp/vt-test-tc-safe.dat", *lnk = "/tmp/vt-test-tc-safe.lnk";
	const char *out = "/tmp/vt-test-tc-safe.vtr";
	struct rlimit rl, old;
	size_t len0 = 0, len = 0;
	char *orig, *now;
	int ret;

	(void)state;
	vt_tc_from = VT_TC_AUTO;
	orig = read_all(TC_DIR "/x86-kvm-resample.dat", &len0);
	assert_non_null(orig);
	write_all_file(dat, orig, len0);
	/* OUT == IN, by name or through a link: refused, the input intact */
	assert_int_equal(vt_tc_import(dat, dat, true), -EINVAL);
	unlink(lnk);
	assert_int_equal(symlink(dat, lnk), 0);
	assert_int_equal(vt_tc_import(dat, lnk, true), -EINVAL);
	now = read_all(dat, &len);
	assert_int_equal(len, len0);
	assert_memory_equal(now, orig, len0);
	free(now);
	/* a write error (file size limit: EFBIG) leaves no file */
	unlink(out);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	rl = old;
	rl.rlim_cur = 200;	/* the header, not the first chunk */
	setrlimit(RLIMIT_FSIZE, &rl);
	ret = vt_tc_import(dat, out, true);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(ret, -EFBIG);
	assert_int_equal(access(out, F_OK), -1);
	/* ... and an existing OUT survives a failed --force import */
	write_all_file(out, "keep", 4);
	setrlimit(RLIMIT_FSIZE, &rl);
	ret = vt_tc_import(dat, out, true);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(ret, -EFBIG);
	now = read_all(out, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(now, "keep", 4);
	free(now);
	/* no temporary file left in the directory (".NAME.XXXXXX") */
	assert_int_equal(system("ls -a /tmp | grep -q '^\\.vt-test-tc-safe\\.vtr\\.'"), 256);
	unlink(out);
	unlink(lnk);
	unlink(dat);
	free(orig);
}

/* truncated, magic + junk, empty: a clear error, no crash */
static void test_damaged(void **state)
{
	const char *p = "/tmp/vt-test-tc-bad.dat";
	struct recs s = { 0 };
	char err[300], junk[8192];
	struct vt_tc *t;
	size_t len = 0, cut;
	char *buf;
	int ret;

	(void)state;
	buf = read_all(TC_DIR "/x86-kvm-resample.dat", &len);
	assert_non_null(buf);
	for (cut = 16; cut < len; cut = cut * 3 + 7) {
		write_all_file(p, buf, cut);
		t = NULL;
		ret = vt_tc_open(p, VT_TC_AUTO, &t, err, sizeof(err));
		if (ret) {
			assert_true(ret < 0);
			assert_true(err[0] != 0);
			assert_null(t);
			continue;
		}
		/* a cut in the data section: the records before it, or -EIO */
		ret = vt_tc_run(t, keep, &s);
		assert_true(ret == 0 || ret == -EIO);
		vt_tc_close(t);
		recs_free(&s);
	}
	memset(junk, 0x5a, sizeof(junk));
	memcpy(junk, VT_TC_MAGIC, VT_TC_MAGIC_LEN);
	write_all_file(p, junk, sizeof(junk));
	assert_true(vt_tc_is_dat(p));
	assert_int_equal(vt_tc_open(p, VT_TC_AUTO, &t, err, sizeof(err)), -EPROTO);
	write_all_file(p, "", 0);
	assert_false(vt_tc_is_dat(p));
	unlink(p);
	free(buf);
}

/* libtracecmd 3.1.6 segfaults opening this one (found by fuzz_tracecmd). */
static void test_damaged_libtracecmd_crash(void **state)
{
	char err[300];
	struct vt_tc *t = NULL;

	(void)state;
	err[0] = 0;
	assert_int_equal(vt_tc_open(VT_TEST_DIR "/fuzz/crashes/libtracecmd-open-segv.dat",
				    VT_TC_AUTO, &t, err, sizeof(err)), -EPROTO);
	assert_null(t);
	assert_non_null(strstr(err, "damaged trace-cmd file"));
}

static void test_take_from(void **state)
{
	char a0[] = "report", a1[] = "--from", a2[] = "kvm", a3[] = "x.dat",
	     a4[] = "--from=vgic", b2[] = "bogus";
	char *argv[] = { a0, a1, a2, a3, a4, NULL };
	char *bad[] = { a0, a1, b2, NULL };
	int argc = 5;

	(void)state;
	assert_int_equal(vt_tc_take_from(&argc, argv), 0);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[1], "x.dat");
	assert_int_equal(vt_tc_from, VT_TC_VGIC);
	argc = 3;
	assert_int_equal(vt_tc_take_from(&argc, bad), -EINVAL);
	vt_tc_from = VT_TC_AUTO;
}

/* arm64: vgic_trace:* events rebuild the module's own stream exactly */
static void arm64_lossless(const char *scen)
{
	char dat[128], vtr[128], path[512], err[200];
	struct vt_tc_summary sum;
	struct vt_host_facts facts;
	struct recs a = { 0 }, b = { 0 };
	const struct vt_hdr *rec;
	struct vt_reader *r;
	size_t i;

	snprintf(dat, sizeof(dat), "arm64-%s.dat", scen);
	snprintf(vtr, sizeof(vtr), "arm64-%s.vtr", scen);
	tc_load(dat, VT_TC_AUTO, &a, &sum, &facts);
	assert_int_equal(sum.mode, VT_TC_VGIC);
	assert_int_equal(sum.no_raw_lrs, 0);
	assert_int_equal(sum.stream_lost, 0);
	assert_int_equal(sum.missed + sum.missed_unknown, 0);
	assert_true(sum.meta_events > 0);
	assert_string_equal(facts.arch, "aarch64");
	assert_int_equal(facts.gic_version, VT_GIC_V3);
	snprintf(path, sizeof(path), "%s/%s", TC_DIR, vtr);
	assert_int_equal(vt_reader_open(path, &r, err, sizeof(err)), 0);
	while (vt_reader_next(r, &rec) > 0)
		keep(rec, &b);
	vt_reader_close(r);
	assert_true(count_type(&b, VT_REC_LR_FLUSH) > 0);
	assert_int_equal(a.n, b.n);
	qsort(a.r, a.n, sizeof(*a.r), cmp_rec);
	qsort(b.r, b.n, sizeof(*b.r), cmp_rec);
	for (i = 0; i < a.n; i++) {
		if (a.r[i]->size != b.r[i]->size ||
		    memcmp(a.r[i], b.r[i], a.r[i]->size))
			fail_msg("%s: record %zu (%s at %llu) differs from the module's stream",
				 scen, i, vt_record_name(a.r[i]->type),
				 (unsigned long long)a.r[i]->ts_ns);
	}
	recs_free(&a);
	recs_free(&b);
}

static void arm64_kvm(const char *scen, bool acks_are_eois)
{
	char dat[128], tru[128], *txt;
	struct vt_tc_summary sum;
	struct vt_host_facts facts;
	struct recs s = { 0 };
	struct vt_engine *e;
	long rs;

	snprintf(dat, sizeof(dat), "arm64-%s.dat", scen);
	snprintf(tru, sizeof(tru), "arm64-%s.truth", scen);
	tc_load(dat, VT_TC_KVM, &s, &sum, &facts);
	assert_int_equal(sum.mode, VT_TC_KVM);
	assert_true(count_type(&s, VT_REC_INJECT) > 0);
	if (acks_are_eois)
		assert_int_equal(count_type(&s, VT_REC_ACK), truth(tru, "eoi"));
	rs = truth(tru, "resample");
	if (rs >= 0)
		assert_int_equal(count_type(&s, VT_REC_RESAMPLE), rs);
	assert_int_equal(count_type(&s, VT_REC_LR_FLUSH), 0);
	e = engine_of(&s, &facts);
	txt = render(e, vt_engine_report_text, NULL);
	assert_non_null(strstr(txt, "rule missed-resample lacks input"));
	assert_non_null(strstr(txt, "rule intx-masked-forever lacks input"));
	free(txt);
	vt_engine_free(e);
	recs_free(&s);
}

static void test_arm64_healthy(void **state)
{
	(void)state;
	arm64_lossless("healthy");
	arm64_kvm("healthy", true);
}

static void test_arm64_no_resample(void **state)
{
	(void)state;
	arm64_lossless("no-resample");
	arm64_kvm("no-resample", true);
}

/* 7.2: the events as a 6.10+ kernel lays them out; an MMIO finding */
static void test_arm64_72_icactiver(void **state)
{
	(void)state;
	arm64_lossless("7.2-icactiver");
	arm64_kvm("7.2-icactiver", false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_magic),
		cmocka_unit_test(test_x86_kvm),
		cmocka_unit_test(test_x86_vgic_forced),
		cmocka_unit_test(test_import_file),
		cmocka_unit_test(test_import_safe_output),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_damaged_libtracecmd_crash),
		cmocka_unit_test(test_take_from),
		cmocka_unit_test(test_arm64_healthy),
		cmocka_unit_test(test_arm64_no_resample),
		cmocka_unit_test(test_arm64_72_icactiver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
