// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_report_html.c - `report --html` without a browser (the browser
 * test is tests/html/run.sh): the page of a replayed scenario has one
 * finding block and one timeline per finding, the finding's records in
 * its timeline, every text escaped, and the same numbers as the report
 * (run under ASan/UBSan by make check: the page and the collector see
 * every scenario).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "helpers.h"
#include "vt_report_html.h"

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

/* The page of @scen (a file under tests/ when @dir is set). */
static char *page_of(const char *scen, unsigned int *nfind)
{
	struct vt_engine_opts o;
	struct vt_html_tl *tl;
	struct vt_engine *e, *e2;
	char *buf;
	size_t len;
	FILE *m;

	e = scen_engine(scen, NULL);
	assert_int_equal(vt_html_tl_new(e, &tl), 0);
	memset(&o, 0, sizeof(o));
	o.rec_cb = vt_html_tl_rec;
	o.rec_arg = tl;
	e2 = scen_engine(scen, &o);
	vt_engine_free(e2);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	assert_int_equal(vt_report_html(e, tl, "a<b>&\"c'.vgt", m), 0);
	fclose(m);
	*nfind = vt_engine_nr_findings(e);
	vt_html_tl_free(tl);
	vt_engine_free(e);
	return buf;
}

static void test_scenarios(void **state)
{
	static const char *const scen[] = {
		"healthy", "no-resample", "icactiver", "lost-records",
		"migration", "storm", "storm-still", "lr-overflow",
		"masked-no-resampler", "guest-no-eoi", "icpendr",
		"v619-p-to-inv", "ctl-lr-overflow-619",
	};
	unsigned int i, n;
	char *p;

	(void)state;
	for (i = 0; i < sizeof(scen) / sizeof(scen[0]); i++) {
		p = page_of(scen[i], &n);
		assert_non_null(strstr(p, "<!DOCTYPE html>"));
		assert_non_null(strstr(p, "</body></html>\n"));
		assert_int_equal(count(p, "<div class=\"finding "), n);
		assert_int_equal(count(p, "<svg class=\"timeline\""), n);
		assert_int_equal(count(p, "<line class=\"finding-at\""), n);
		/* the title is escaped, nothing is loaded */
		assert_null(strstr(p, "a<b>"));
		assert_non_null(strstr(p, "a&lt;b&gt;&amp;&quot;c&#39;.vgt"));
		assert_null(strstr(p, "<script"));
		assert_null(strstr(p, "src="));
		assert_null(strstr(p, "href="));
		if (!strcmp(scen[i], "lost-records"))
			assert_non_null(strstr(p, "id=\"lost\" data-lost=\"3\""));
		if (!strcmp(scen[i], "no-resample")) {
			/* its one finding: the 10 records of INTID 32 (all
			 * but the last, empty, flush), its 3 LR runs */
			assert_non_null(strstr(p, "data-rule=\"intx-masked-forever\""));
			assert_non_null(strstr(p, "data-records=\"10\""));
			assert_int_equal(count(p, "<rect class=\"lr lr-"), 3);
		}
		if (!strcmp(scen[i], "healthy"))
			assert_non_null(strstr(p, "No findings."));
		free(p);
	}
}

/* No timelines (the collector is optional): the rest of the page stays. */
static void test_no_collector(void **state)
{
	struct vt_engine *e = scen_engine("no-resample", NULL);
	char *buf;
	size_t len;
	FILE *m;

	(void)state;
	m = open_memstream(&buf, &len);
	assert_int_equal(vt_report_html(e, NULL, "x", m), 0);
	fclose(m);
	assert_int_equal(count(buf, "<div class=\"finding "), 1);
	assert_int_equal(count(buf, "<svg class=\"timeline\""), 0);
	assert_non_null(strstr(buf, "<table id=\"irqs\">"));
	free(buf);
	vt_engine_free(e);
}

/* A write error is reported. */
static void test_write_error(void **state)
{
	struct vt_engine *e = scen_engine("storm", NULL);
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(vt_report_html(e, NULL, "x", f), -EIO);
	fclose(f);
	vt_engine_free(e);
}

/* The CLI: --html FILE writes the page and the text report as before;
 * stdin and a missing argument are refused. */
static void test_cli(void **state)
{
	char vgt[128], html[128], cmd[1024];
	char *p;

	(void)state;
	snprintf(vgt, sizeof(vgt), "/tmp/vt-html-%d.vgt", (int)getpid());
	snprintf(html, sizeof(html), "/tmp/vt-html-%d.html", (int)getpid());
	scen_to_file("migration", vgt);
	snprintf(cmd, sizeof(cmd), "%s report --html %s %s > /dev/null", VT_CLI, html, vgt);
	assert_int_equal(system(cmd), 0);
	p = read_all(html, NULL);
	assert_non_null(p);
	assert_int_equal(count(p, "<svg class=\"timeline\""), 2);
	free(p);
	snprintf(cmd, sizeof(cmd), "%s report --html=%s --json %s > /dev/null", VT_CLI, html, vgt);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s report --html %s - < %s > /dev/null 2>&1", VT_CLI, html, vgt);
	assert_int_not_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s report %s --html > /dev/null 2>&1", VT_CLI, vgt);
	assert_int_not_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s report --html %s %s > /dev/null 2>&1", VT_CLI, vgt, vgt);
	assert_int_not_equal(system(cmd), 0);	/* OUT may not be the input */
	unlink(vgt);
	unlink(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_no_collector),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
