// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_metrics.c - Prometheus text of replayed scenarios: the counters
 * the scenario defines (its one finding, its lost records, its records
 * per type, its hooks), the exposition grammar, atomic textfile writes.
 * dist/test-metrics.sh also runs `promtool check metrics` on it.
 */
#include "helpers.h"
#include <regex.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vt_metrics.h"
#include "vt_record.h"

struct both {
	struct vt_engine *e;
	struct vt_metrics *m;
	uint64_t per_type[VT_REC_MAX + 1];
};

static int feed_both(const struct vt_hdr *rec, void *arg)
{
	struct both *b = arg;

	vt_metrics_feed(b->m, rec);
	if (rec->type <= VT_REC_MAX)
		b->per_type[rec->type]++;
	assert_int_equal(vt_engine_feed(b->e, rec), 0);
	return 0;
}

static char *metrics_of(const char *scen, struct both *b)
{
	struct vt_host_facts facts;
	struct vt_engine_opts o;
	char path[512], err[256], *buf;
	size_t len;
	FILE *f, *m;

	memset(b, 0, sizeof(*b));
	snprintf(path, sizeof(path), "%s/scenarios/%s.txt", VT_TEST_DIR, scen);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(vt_scenario_import(f, path, &facts, noop_cb, NULL, err, sizeof(err)) >= 0);
	fclose(f);
	memset(&o, 0, sizeof(o));
	o.facts = &facts;
	o.window_ns = VT_WINDOW_ALL;
	assert_int_equal(vt_engine_new(&o, &b->e), 0);
	assert_int_equal(vt_metrics_new(&b->m), 0);
	vt_metrics_facts(b->m, &facts);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(vt_scenario_import(f, path, &facts, feed_both, b, err, sizeof(err)) >= 0);
	fclose(f);
	assert_int_equal(vt_engine_finish(b->e), 0);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	assert_int_equal(vt_metrics_write(m, b->m, b->e), 0);
	fclose(m);
	return buf;
}

static void done(struct both *b, char *txt)
{
	vt_engine_free(b->e);
	vt_metrics_free(b->m);
	free(txt);
}

/* every sample line is NAME{labels} VALUE, its NAME announced by # TYPE */
static void grammar(const char *txt)
{
	regex_t re;
	char *copy = strdup(txt), *line, *save = NULL, name[128];
	char types[4096] = " ";

	assert_non_null(copy);
	assert_int_equal(regcomp(&re, "^[a-z_]+(\\{([a-z_]+=\"([^\"\\\\]|\\\\.)*\",?)+\\})? [0-9]+$",
				 REG_EXTENDED | REG_NOSUB), 0);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "# TYPE %127s", name) == 1) {
			strncat(types, name, sizeof(types) - strlen(types) - 2);
			strcat(types, " ");
			continue;
		}
		if (line[0] == '#')
			continue;
		if (regexec(&re, line, 0, NULL, 0))
			fail_msg("bad sample line: %s", line);
		sscanf(line, "%127[a-z_]", name);
		strcat(name, " ");
		memmove(name + 1, name, strlen(name) + 1);
		name[0] = ' ';
		if (!strstr(types, name))
			fail_msg("sample without # TYPE: %s", line);
	}
	regfree(&re);
	free(copy);
}

static void test_no_resample(void **state)
{
	struct both b;
	char *txt, want[200];
	unsigned int t;

	(void)state;
	txt = metrics_of("no-resample", &b);
	grammar(txt);
	/* the scenario's one finding (golden/no-resample.txt) */
	assert_non_null(strstr(txt, "vgic_trace_findings_total{vm=\"100\",rule=\"intx-masked-forever\",severity=\"error\"} 1\n"));
	for (t = 1; t <= VT_REC_MAX; t++) {
		snprintf(want, sizeof(want), "vgic_trace_records_total{type=\"%s\"} %llu\n",
			 vt_record_name(t), (unsigned long long)b.per_type[t]);
		assert_non_null(strstr(txt, want));
	}
	assert_non_null(strstr(txt, "vgic_trace_lost_records_total 0\n"));
	assert_non_null(strstr(txt, "vgic_trace_engine_bugs_total 0\n"));
	assert_non_null(strstr(txt, "backend=\"replay\""));
	done(&b, txt);
}

static void test_lost_and_healthy(void **state)
{
	struct both b;
	char *txt;

	(void)state;
	txt = metrics_of("lost-records", &b);
	grammar(txt);
	assert_non_null(strstr(txt, "vgic_trace_lost_records_total 3\n"));	/* scenario: 3 lost on cpu1 */
	done(&b, txt);
	txt = metrics_of("healthy", &b);
	grammar(txt);
	assert_null(strstr(txt, "vgic_trace_findings_total{"));
	done(&b, txt);
}

static void test_hooks_and_escaping(void **state)
{
	struct vt_rec_meta meta;
	struct vt_metrics *m;
	char *buf;
	size_t len;
	FILE *f;

	(void)state;
	assert_int_equal(vt_metrics_new(&m), 0);
	memset(&meta, 0, sizeof(meta));
	meta.hdr.type = VT_REC_META;
	meta.hdr.size = sizeof(meta);
	meta.key = VT_META_HOOK;
	meta.id = VT_HOOK_ACK;
	meta.val = VT_ATTACH_KPROBE;
	strcpy(meta.str, "kvm_notify_acked_irq");
	vt_metrics_feed(m, &meta.hdr);
	meta.id = VT_HOOK_LR_FLUSH;
	meta.val = VT_ATTACH_MISSING;
	strcpy(meta.str, "odd\"sym\\bol");
	vt_metrics_feed(m, &meta.hdr);
	meta.key = VT_META_KERNEL;
	strcpy(meta.str, "6.1.0-57-arm64");
	vt_metrics_feed(m, &meta.hdr);
	f = open_memstream(&buf, &len);
	assert_int_equal(vt_metrics_write(f, m, NULL), 0);
	fclose(f);
	grammar(buf);
	assert_non_null(strstr(buf, "vgic_trace_hook_attached{hook=\"ack\",mode=\"kprobe\",symbol=\"kvm_notify_acked_irq\"} 1\n"));
	assert_non_null(strstr(buf, "vgic_trace_hook_attached{hook=\"lr_flush\",mode=\"missing\",symbol=\"odd\\\"sym\\\\bol\"} 0\n"));
	assert_non_null(strstr(buf, "kernel=\"6.1.0-57-arm64\""));
	free(buf);
	vt_metrics_free(m);
}

static void test_textfile(void **state)
{
	const char *p = "/tmp/vt-test-metrics.prom";
	struct both b;
	char *txt, *disk, tmp[64];
	struct stat st;

	(void)state;
	txt = metrics_of("no-resample", &b);
	unlink(p);
	assert_int_equal(vt_metrics_textfile(p, b.m, b.e), 0);
	disk = read_all(p, NULL);
	assert_non_null(disk);
	assert_string_equal(disk, txt);
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	assert_int_not_equal(stat(tmp, &st), 0);	/* renamed away */
	assert_int_equal(vt_metrics_textfile("/nonexistent-dir/x.prom", b.m, b.e), -ENOENT);
	unlink(p);
	/* dist/test-metrics.sh hands this file to promtool check metrics */
	if (getenv("VT_METRICS_OUT"))
		assert_int_equal(vt_metrics_textfile(getenv("VT_METRICS_OUT"), b.m, b.e), 0);
	free(disk);
	done(&b, txt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_resample),
		cmocka_unit_test(test_lost_and_healthy),
		cmocka_unit_test(test_hooks_and_escaping),
		cmocka_unit_test(test_textfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
