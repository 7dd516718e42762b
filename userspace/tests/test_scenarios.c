// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_scenarios.c - every rule on a replayed scenario: the expected
 * findings (and only those), and the report compared byte for byte with
 * its golden file. VT_UPDATE_GOLDEN=1 rewrites the golden files (then
 * review them: docs/engine.md "Golden reports").
 */
#include <unistd.h>
#include "helpers.h"
#include "cli.h"
#include "json_reader.h"

struct want {
	const char *rule;
	uint32_t intid;
	enum vt_severity sev;
};

struct scen_case {
	const char *name;
	struct want w[4];
	unsigned int n;
};

static const struct scen_case cases[] = {
	{ "healthy", { { 0 } }, 0 },
	{ "ctl-seq1-acked", { { 0 } }, 0 },
	{ "ctl-lr-overflow-asc", { { 0 } }, 0 },
	{ "ctl-lr-overflow-619", { { 0 } }, 0 },
	{ "seq1-2018", { { "missed-resample", 32, VT_SEV_ERROR } }, 1 },
	{ "seq2-2018", { { "missed-resample", 32, VT_SEV_ERROR } }, 1 },
	{ "v619-p-to-inv", { { "missed-resample", 32, VT_SEV_ERROR } }, 1 },
	{ "icactiver", { { "mmio-state-cleared", 32, VT_SEV_ERROR } }, 1 },
	{ "icpendr", { { "mmio-state-cleared", 32, VT_SEV_INFO } }, 1 },
	{ "icpendr-2014", { { "intx-masked-forever", 32, VT_SEV_ERROR },
			    { "mmio-state-cleared", 32, VT_SEV_ERROR } }, 2 },
	{ "masked-no-resampler", { { "intx-masked-forever", 32, VT_SEV_ERROR } }, 1 },
	{ "guest-no-eoi", { { "intx-masked-forever", 32, VT_SEV_ERROR } }, 1 },
	{ "no-resample", { { "intx-masked-forever", 32, VT_SEV_ERROR } }, 1 },
	{ "lr-overflow", { { "eoi-lost-lr-overflow", 36, VT_SEV_ERROR },
			   { "eoi-lost-lr-overflow", 37, VT_SEV_ERROR } }, 2 },
	{ "storm", { { "storm", 32, VT_SEV_WARNING } }, 1 },
	{ "storm-still", { { "storm", 32, VT_SEV_WARNING } }, 1 },
	{ "migration", { { "migration", 33, VT_SEV_ERROR },
			 { "migration", 34, VT_SEV_ERROR } }, 2 },
	{ "lost-records", { { "missed-resample", 32, VT_SEV_ERROR } }, 1 },
};

static void check_findings(const struct scen_case *c, struct vt_engine *e)
{
	unsigned int i, j, n = vt_engine_nr_findings(e);
	bool used[8] = { false };

	if (n != c->n) {
		for (i = 0; i < n; i++)
			print_message("  got: %s %u %s\n", vt_engine_finding(e, i)->rule,
				      vt_engine_finding(e, i)->intid,
				      vt_engine_finding(e, i)->summary);
		fail_msg("%s: %u findings, expected %u", c->name, n, c->n);
	}
	for (i = 0; i < c->n; i++) {
		for (j = 0; j < n; j++) {
			const struct vt_finding *f = vt_engine_finding(e, j);

			if (!used[j] && !strcmp(f->rule, c->w[i].rule) &&
			    f->intid == c->w[i].intid && f->severity == c->w[i].sev &&
			    f->nr_evidence > 0) {
				used[j] = true;
				break;
			}
		}
		if (j == n)
			fail_msg("%s: no %s finding for INTID %u with evidence",
				 c->name, c->w[i].rule, c->w[i].intid);
	}
}

/* In process: scenario -> engine, findings as expected. */
static void test_rules(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vt_engine *e = scen_engine(cases[i].name, NULL);

		check_findings(&cases[i], e);
		vt_engine_free(e);
	}
}

static void golden_compare(const char *name, const char *ext, char *got,
			   size_t len)
{
	char path[512];
	size_t glen = 0;
	char *want;

	snprintf(path, sizeof(path), "%s/golden/%s.%s", VT_TEST_DIR, name, ext);
	if (getenv("VT_UPDATE_GOLDEN")) {
		write_all_file(path, got, len);
		return;
	}
	want = read_all(path, &glen);
	if (!want)
		fail_msg("missing golden file %s (VT_UPDATE_GOLDEN=1 creates it)", path);
	if (glen != len || memcmp(want, got, len)) {
		char gpath[600];

		snprintf(gpath, sizeof(gpath), "/tmp/vt-golden-got-%s.%s", name, ext);
		write_all_file(gpath, got, len);
		free(want);
		fail_msg("%s differs from %s (diff -u %s %s)", path, gpath, path, gpath);
	}
	free(want);
}

/* Through the file: import -> trace file -> reader -> report, byte for byte. */
static void test_golden_reports(void **state)
{
	struct vt_engine_opts o;
	struct vt_engine *e;
	char file[256], *buf;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(file, sizeof(file), "/tmp/vt-test-%d-%s.vgt", (int)getpid(),
			 cases[i].name);
		scen_to_file(cases[i].name, file);
		memset(&o, 0, sizeof(o));
		assert_int_equal(vt_analyse_file(file, &o, &e), 0);
		check_findings(&cases[i], e);
		buf = render(e, vt_engine_report_text, &len);
		golden_compare(cases[i].name, "txt", buf, len);
		free(buf);
		/* every report and stats JSON parses; two have a JSON golden */
		buf = render(e, vt_engine_report_json, &len);
		if (!json_valid(buf))
			fail_msg("%s: report --json is not valid JSON", cases[i].name);
		if (!strcmp(cases[i].name, "seq1-2018") ||
		    !strcmp(cases[i].name, "healthy"))
			golden_compare(cases[i].name, "json", buf, len);
		free(buf);
		buf = render(e, vt_engine_stats_json, NULL);
		if (!json_valid(buf))
			fail_msg("%s: stats --json is not valid JSON", cases[i].name);
		free(buf);
		vt_engine_free(e);
		unlink(file);
	}
}

static void test_json_checker(void **state)
{
	(void)state;
	assert_true(json_valid("{\"a\":[1,-2.5e3,true,null,\"x\\u00e9\"]}"));
	assert_false(json_valid("{\"a\":[1,]}"));
	assert_false(json_valid("{\"a\":1}}"));
	assert_false(json_valid("{\"a\":01}"));
	assert_false(json_valid("[\"tab\there\"]"));
	assert_false(json_valid("{\"a\":1,\"b\":{\"c\":2,\"c\":3}}"));	/* duplicate key */
	assert_false(json_valid("[\"\\x\"]"));				/* bad escape */
	assert_false(json_valid("[1.]"));
	assert_false(json_valid("[] []"));
	assert_true(json_valid(" {\"a\":{\"a\":[\"\\n\\u0041\"]},\"b\":0.5} \n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_checker),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_golden_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
