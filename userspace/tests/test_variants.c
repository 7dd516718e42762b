// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_variants.c - every rule on variants of its cases that the main
 * scenarios do not have (tests/scenarios/variants/: other VMs, vCPUs,
 * INTIDs, GICv2 encodings, interleavings, two VMs with the same INTID,
 * the 6.19+/7.2 kernels and the controls one step away from each
 * anomaly). Each variant lists exactly the findings it must give; any
 * other finding is a false one. Prints a recall / false-finding table
 * per rule. Also: traces without data and truncated traces fail `check`.
 */
#include <fcntl.h>
#include <unistd.h>
#include "helpers.h"
#include "cli.h"

struct vwant {
	const char *rule;
	uint32_t vm;			/* 0: any */
	uint32_t intid;
	enum vt_severity sev;
	const char *text;		/* must appear in the summary, or NULL */
};

struct vcase {
	const char *name;
	struct vwant w[3];
	unsigned int n;
};

#define E	VT_SEV_ERROR
#define W	VT_SEV_WARNING
#define I	VT_SEV_INFO

static const struct vcase cases[] = {
	/* missed-resample */
	{ "mr-72-v3-vm500-vcpu2", { { "missed-resample", 500, 40, E, "7.2.13+deb14-arm64" } }, 1 },
	{ "mr-72-v2-control", { { 0 } }, 0 },
	{ "mr-72-two-vms", { { "missed-resample", 200, 32, E, "P -> inv" } }, 1 },
	{ "mr-72-other-vcpu", { { "missed-resample", 600, 33, E, "vCPU1" } }, 1 },
	{ "ctl-mr-72-other-vcpu-acked", { { 0 } }, 0 },
	{ "mr-72-dir-noack", { { "missed-resample", 700, 34, E, "DIR" } }, 1 },
	{ "ctl-mr-72-dir-acked", { { 0 } }, 0 },
	{ "mr-72-eoicount-noack", { { "missed-resample", 800, 35, E, "EOIcount" } }, 1 },
	{ "ctl-mr-72-eoicount-acked", { { 0 } }, 0 },
	{ "ctl-mr-61-pinv-acked", { { 0 } }, 0 },
	{ "mr-seq1-v2-vm9", { { "missed-resample", 9, 50, E, "P+A -> P" } }, 1 },
	{ "ctl-mr-fold-lr-records", { { 0 } }, 0 },
	/* mmio-state-cleared */
	{ "mc-icpendr-vfio-line-high", { { "mmio-state-cleared", 400, 36, I, "phantom" } }, 1 },
	{ "mc-icpendr-2014-v2-vmm", { { "mmio-state-cleared", 300, 45, W, "lost" } }, 1 },
	{ "ctl-mc-icpendr-2014-unmasked", { { 0 } }, 0 },
	{ "mc-icpendr-line-high-lost", { { "mmio-state-cleared", 100, 32, E, "then it was lost" },
					 { "intx-masked-forever", 100, 32, E, NULL } }, 2 },
	{ "ctl-mc-icpendr-disabled", { { "mmio-state-cleared", 100, 32, I, "still pending" } }, 1 },
	{ "mc-icactiver-recovered", { { "mmio-state-cleared", 100, 32, W, "VFIO unmasked at" } }, 1 },
	{ "mc-icactiver-stuck-vmm", { { "mmio-state-cleared", 250, 37, E, "no ack notification or resample" } }, 1 },
	{ "mc-icactiver-two-vms", { { "mmio-state-cleared", 100, 33, W, "acked only" },
				    { "mmio-state-cleared", 200, 33, E, "no ack notification" } }, 2 },
	{ "ctl-mc-icactiver-inactive", { { 0 } }, 0 },
	/* migration */
	{ "mg-itargetsr-byte", { { "migration", 300, 33, E, "from vCPU0 to vCPU1" } }, 1 },
	{ "mg-itargetsr-word", { { "migration", 300, 33, E, "from vCPU0 to vCPU2" } }, 1 },
	{ "mg-irouter-halves", { { "migration", 300, 34, E, "from vCPU0 to vCPU2" } }, 1 },
	{ "mg-irouter-64", { { "migration", 42, 35, E, "IROUTER" } }, 1 },
	{ "mg-irouter-aff1", { { "migration", 77, 40, E, "from vCPU0 to vCPU17" } }, 1 },
	{ "mg-state-only", { { "migration", 300, 36, E, "from vCPU1 to vCPU0" } }, 1 },
	{ "mg-two-vms", { { "migration", 200, 33, E, NULL } }, 1 },
	{ "mg-unknown-old-in-lr", { { "migration", 300, 38, E, "from vCPU1 to vCPU3" } }, 1 },
	{ "ctl-mg-delivered-late", { { 0 } }, 0 },
	{ "ctl-mg-high-word-only", { { 0 } }, 0 },
	{ "ctl-mg-retarget-inactive", { { 0 } }, 0 },
	/* eoi-lost-lr-overflow */
	{ "eo-v2-vm7-vcpu1", { { "eoi-lost-lr-overflow", 7, 44, E, "EOIcount 1" } }, 1 },
	{ "ctl-eo-lrs-free", { { 0 } }, 0 },
	{ "eo-72-active-at-end", { { "eoi-lost-lr-overflow", 7, 44, E, "end of the trace" } }, 1 },
	/* storm */
	{ "storm-v2-vm3", { { "storm", 3, 44, W, NULL } }, 1 },
	{ "ctl-storm-below-rate", { { 0 } }, 0 },
	/* migration: in flight on two vCPUs */
	{ "mg-in-two-v2", { { "migration", 300, 39, E, "two vCPUs" } }, 1 },
	{ "ctl-mg-sequential", { { 0 } }, 0 },
	/* intx-masked-forever, thresholds */
	{ "mf-no-resampler-vm11", { { "intx-masked-forever", 11, 41, E, "no resampler" } }, 1 },
	{ "ctl-mf-slow-host", { { 0 } }, 0 },
	{ "mf-masked-at-end", { { "intx-masked-forever", 100, 32, E, NULL } }, 1 },
	/* intx-masked-forever: a de-assert at VM teardown (6.1 guest-no-eoi) */
	{ "mf-teardown-v3-vm120", { { "intx-masked-forever", 120, 40, E, "then de-asserted at 1.511000000 by a non-guest source" } }, 1 },
	{ "mf-teardown-v2-vm13", { { "intx-masked-forever", 13, 35, E, "for 1800 ms with no ack or resample" } }, 1 },
	{ "ctl-mf-teardown-early", { { 0 } }, 0 },
	{ "ctl-mf-teardown-acked", { { 0 } }, 0 },
	{ "ctl-mf-guest-deassert", { { 0 } }, 0 },
};

/* controls whose line or mask stays up past the threshold and then ends:
 * live, at the deadline, "masked so far" is true and is said */
static bool live_differs(const char *name)
{
	return !strcmp(name, "ctl-mf-slow-host") ||
	       !strcmp(name, "ctl-mf-teardown-acked") ||
	       !strcmp(name, "ctl-mf-guest-deassert");
}

static const char *const rules[] = {
	"missed-resample", "intx-masked-forever", "mmio-state-cleared",
	"eoi-lost-lr-overflow", "storm", "migration",
};
#define NR_RULES (sizeof(rules) / sizeof(rules[0]))

struct tally {
	unsigned int want, hit, false_f;
};

static int rule_idx(const char *r)
{
	unsigned int i;

	for (i = 0; i < NR_RULES; i++)
		if (!strcmp(rules[i], r))
			return (int)i;
	return -1;
}

static bool matches(const struct vwant *w, const struct vt_finding *f)
{
	return !strcmp(f->rule, w->rule) && (!w->vm || f->vm_id == w->vm) &&
	       f->intid == w->intid && f->severity == w->sev &&
	       f->nr_evidence > 0 && (!w->text || strstr(f->summary, w->text));
}

/* One variant: returns the number of misses + false findings. */
static unsigned int run_case(const struct vcase *c, struct tally *t,
			     unsigned int *controls_clean)
{
	char name[160];
	struct vt_engine *e;
	unsigned int i, j, n, bad = 0;
	bool used[16] = { false };
	int r;

	snprintf(name, sizeof(name), "variants/%s", c->name);
	e = scen_engine(name, NULL);
	n = vt_engine_nr_findings(e);
	for (i = 0; i < c->n; i++) {
		r = rule_idx(c->w[i].rule);
		assert_true(r >= 0);
		t[r].want++;
		for (j = 0; j < n && j < 16; j++) {
			if (!used[j] && matches(&c->w[i], vt_engine_finding(e, j))) {
				used[j] = true;
				t[r].hit++;
				break;
			}
		}
		if (j == n || j == 16) {
			print_message("  MISS %s: %s vm %u INTID %u\n", c->name,
				      c->w[i].rule, c->w[i].vm, c->w[i].intid);
			bad++;
		}
	}
	for (j = 0; j < n; j++) {
		const struct vt_finding *f = vt_engine_finding(e, j);

		if (j < 16 && used[j])
			continue;
		r = rule_idx(f->rule);
		if (r >= 0)
			t[r].false_f++;
		print_message("  FALSE %s: [%s] %s vm %u INTID %u: %s\n", c->name,
			      f->severity == E ? "ERROR" : f->severity == W ?
			      "WARNING" : "INFO", f->rule, f->vm_id,
			      f->intid, f->summary);
		bad++;
	}
	if (!c->n && !n)
		(*controls_clean)++;
	vt_engine_free(e);
	return bad;
}

static void test_variants(void **state)
{
	struct tally t[NR_RULES];
	unsigned int i, bad = 0, controls = 0, clean = 0;

	(void)state;
	memset(t, 0, sizeof(t));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!cases[i].n)
			controls++;
		bad += run_case(&cases[i], t, &clean);
	}
	print_message("variants: %u (%u with expected findings, %u clean controls, %u clean)\n",
		      (unsigned int)(sizeof(cases) / sizeof(cases[0])),
		      (unsigned int)(sizeof(cases) / sizeof(cases[0])) - controls,
		      controls, clean);
	print_message("%-22s %8s %8s %8s\n", "rule", "expected", "found", "false");
	for (i = 0; i < NR_RULES; i++)
		print_message("%-22s %8u %8u %8u\n", rules[i], t[i].want, t[i].hit,
			      t[i].false_f);
	assert_int_equal(bad, 0);
}

/*
 * The same variants fed live (1 ms reorder window, no end-of-trace
 * knowledge at the ticks): the anomalies are still found. Controls that
 * need the rest of the trace (a 1.25 s mask that ends) may differ live.
 */
static void test_variants_live(void **state)
{
	struct vt_engine_opts o;
	unsigned int i, j, k;
	char name[160];

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vt_engine *e;

		if (live_differs(cases[i].name))
			continue;
		memset(&o, 0, sizeof(o));
		o.window_ns = 1000000;
		snprintf(name, sizeof(name), "variants/%s", cases[i].name);
		e = scen_engine(name, &o);
		for (k = 0; k < cases[i].n; k++) {
			for (j = 0; j < vt_engine_nr_findings(e); j++)
				if (!strcmp(vt_engine_finding(e, j)->rule, cases[i].w[k].rule) &&
				    vt_engine_finding(e, j)->intid == cases[i].w[k].intid &&
				    vt_engine_finding(e, j)->severity >= VT_SEV_WARNING - (cases[i].w[k].sev == VT_SEV_INFO))
					break;
			if (j == vt_engine_nr_findings(e))
				fail_msg("live %s: no %s INTID %u", cases[i].name,
					 cases[i].w[k].rule, cases[i].w[k].intid);
		}
		if (!cases[i].n &&
		    vt_engine_nr_findings_at_least(e, VT_SEV_WARNING))
			fail_msg("live %s: %s", cases[i].name,
				 vt_engine_finding(e, 0)->summary);
		vt_engine_free(e);
	}
}

static int cli(const char *a0, const char *a1, const char *a2, const char *a3)
{
	char *argv[6] = { (char *)"vgic-trace", (char *)a0, (char *)a1,
			  (char *)a2, (char *)a3, NULL };
	int argc = 1;

	while (argc < 5 && argv[argc])
		argc++;
	fflush(stdout);
	return vt_cli_main(argc, argv);
}

static void tmp(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "/tmp/vt-var-%d-%s", (int)getpid(), what);
}

/* Traces without data are errors (exit 2), never "0 findings". */
static void test_no_data(void **state)
{
	char hdr[256], cut[256], raw[256], conv[256], meta[256], scen[256];
	struct vt_writer *w;
	size_t len = 0;
	char *buf;
	FILE *f;
	int i;

	(void)state;
	tmp(hdr, sizeof(hdr), "hdr.vgt");
	tmp(cut, sizeof(cut), "cut.vgt");
	tmp(raw, sizeof(raw), "garbage.raw");
	tmp(conv, sizeof(conv), "conv.vgt");
	tmp(meta, sizeof(meta), "meta.vgt");
	tmp(scen, sizeof(scen), "meta.txt");
	/* a complete file with no records at all */
	assert_int_equal(vt_writer_open(hdr, NULL, true, &w), 0);
	assert_int_equal(vt_writer_close(w), 0);
	assert_int_equal(cli("check", "-q", hdr, NULL), 2);
	/* only the 128-byte header (a recorder whose source failed to open) */
	buf = read_all(hdr, &len);
	assert_true(len > 128);
	write_all_file(cut, buf, 128);
	free(buf);
	assert_int_equal(cli("check", "-q", cut, NULL), 2);
	assert_int_equal(cli("check", "-q", "--allow-truncated", cut), 2);
	/* a real trace cut inside its first chunk */
	scen_to_file("healthy", hdr);
	buf = read_all(hdr, &len);
	write_all_file(cut, buf, 128 + 32 + 40);
	free(buf);
	assert_int_equal(cli("check", "-q", "--allow-truncated", cut), 2);
	/* convert's output of garbage */
	f = fopen(raw, "wb");
	assert_non_null(f);
	for (i = 0; i < 4096; i++)
		fputc((i * 131 + 7) & 0xff, f);
	fclose(f);
	unlink(conv);
	if (cli("convert", "--raw", raw, "-o") == 0)
		fail_msg("convert of garbage without output name succeeded");
	{
		char *argv[] = { (char *)"vgic-trace", (char *)"convert",
				 (char *)"--raw", raw, (char *)"-o", conv, NULL };
		int rc = vt_cli_main(6, argv);

		if (rc == 0 || access(conv, F_OK) == 0)
			assert_int_equal(cli("check", "-q", conv, NULL), 2);
	}
	/* only metadata: hooks attached, then nothing */
	f = fopen(scen, "w");
	assert_non_null(f);
	fprintf(f, "facts kernel=7.2.13+deb14-arm64 gic=3 backend=bpf\n"
		   "@0 meta hook=lr_flush attach=fentry\n"
		   "@0 meta hook=ack attach=fentry\n");
	fclose(f);
	{
		char *argv[] = { (char *)"vgic-trace", (char *)"import", scen,
				 (char *)"-o", meta, (char *)"--force", NULL };

		assert_int_equal(vt_cli_main(6, argv), 0);
	}
	assert_int_equal(cli("check", "-q", meta, NULL), 2);
	unlink(hdr);
	unlink(cut);
	unlink(raw);
	unlink(conv);
	unlink(meta);
	unlink(scen);
}

/* A truncated trace with data fails check unless --allow-truncated. */
static void test_truncated(void **state)
{
	char ok[256], cut[256];
	size_t len = 0;
	char *buf, *out;
	struct vt_engine_opts o;
	struct vt_engine *e;

	(void)state;
	tmp(ok, sizeof(ok), "ok.vgt");
	tmp(cut, sizeof(cut), "trunc.vgt");
	scen_to_file("seq1-2018", ok);
	buf = read_all(ok, &len);
	write_all_file(cut, buf, len - 32);	/* the END chunk is gone */
	free(buf);
	assert_int_equal(cli("check", "-q", ok, NULL), 1);
	assert_int_equal(cli("check", "-q", cut, NULL), 2);
	assert_int_equal(cli("check", "-q", "--allow-truncated", cut), 1);
	scen_to_file("healthy", ok);
	buf = read_all(ok, &len);
	write_all_file(cut, buf, len - 32);
	free(buf);
	assert_int_equal(cli("check", "-q", cut, NULL), 2);
	assert_int_equal(cli("check", "-q", "--allow-truncated", cut), 0);
	/* every output says so */
	memset(&o, 0, sizeof(o));
	assert_int_equal(vt_analyse_file(cut, &o, &e), 0);
	assert_true(vt_engine_truncated(e));
	out = render(e, vt_engine_report_text, NULL);
	assert_non_null(strstr(out, "WARNING: the trace file is truncated"));
	free(out);
	out = render(e, vt_engine_report_json, NULL);
	assert_non_null(strstr(out, "\"truncated\":true"));
	assert_non_null(strstr(out, "\"findings_may_be_false\":true"));
	free(out);
	vt_engine_free(e);
	unlink(ok);
	unlink(cut);
}

/* INFO findings are printed but do not fail check (icpendr on 6.1). */
static void test_info_exit(void **state)
{
	char f[256];

	(void)state;
	tmp(f, sizeof(f), "icpendr.vgt");
	scen_to_file("icpendr", f);
	assert_int_equal(cli("check", "-q", f, NULL), 0);
	scen_to_file("icpendr-2014", f);
	assert_int_equal(cli("check", "-q", f, NULL), 1);
	unlink(f);
}

/* DEACTIVATE records are counted per IRQ and how. */
static void test_deactivate_counts(void **state)
{
	struct vt_engine *e;
	char *out;

	(void)state;
	e = scen_engine("variants/ctl-mr-72-dir-acked", NULL);
	out = render(e, vt_engine_report_text, NULL);
	assert_non_null(strstr(out, "deactivate records vm 700 INTID 34: dir 1 eoicount 0 fold_lr 1"));
	assert_non_null(strstr(out, " deactivate 2\n"));
	free(out);
	vt_engine_free(e);
}

/* The LR count: recorded or "unknown", never inferred from used_lrs. */
static void test_lr_count(void **state)
{
	struct vt_engine *e;
	char *out;

	(void)state;
	e = scen_engine("variants/mr-72-v3-vm500-vcpu2", NULL);
	out = render(e, vt_engine_report_text, NULL);
	assert_non_null(strstr(out, "GICv3, 4 LRs"));
	free(out);
	vt_engine_free(e);
	e = scen_engine("variants/lr-count-unknown", NULL);
	out = render(e, vt_engine_report_text, NULL);
	assert_non_null(strstr(out, "LR count unknown"));
	assert_null(strstr(out, " 1 LRs"));
	free(out);
	out = render(e, vt_engine_report_json, NULL);
	assert_non_null(strstr(out, "\"nr_lrs\":null"));
	free(out);
	vt_engine_free(e);
	e = scen_engine("variants/lr-count-meta", NULL);
	out = render(e, vt_engine_report_text, NULL);
	assert_non_null(strstr(out, "GICv3, 4 LRs"));
	assert_null(strstr(out, "degraded"));
	free(out);
	vt_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_variants_live),
		cmocka_unit_test(test_no_data),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_info_exit),
		cmocka_unit_test(test_lr_count),
		cmocka_unit_test(test_deactivate_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
