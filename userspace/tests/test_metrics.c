// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_metrics.c - Prometheus text of replayed scenarios: the counters
 * the scenario defines (its one finding, its lost records, its records
 * per type, its hooks), the exposition grammar, atomic textfile writes,
 * per-VM irqfd injections/acks/resamples, OpenMetrics (checked by
 * prometheus_client's strict parser), degraded rules, the daemon's own
 * counters; and `check --from kvm` printing the degraded-rule notes.
 * dist/test-metrics.sh also runs `promtool check metrics` on it.
 */
#include "helpers.h"
#include <regex.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "vt_metrics.h"
#include "vt_record.h"

struct both {
	struct vt_engine *e;
	struct vt_metrics *m;
	uint64_t per_type[VT_REC_MAX + 1];
	uint32_t vm;		/* the VM of the scenario's records */
	uint64_t irqfd1, acks, resamples;	/* counted here, from the input */
};

static int feed_both(const struct vt_hdr *rec, void *arg)
{
	struct both *b = arg;

	const struct vt_rec_inject *inj = (const void *)rec;

	vt_metrics_feed(b->m, rec);
	if (rec->type <= VT_REC_MAX)
		b->per_type[rec->type]++;
	if (rec->vm_id != VT_NO_VM)
		b->vm = rec->vm_id;
	if (rec->type == VT_REC_INJECT && inj->level == 1 && inj->source == VT_SRC_IRQFD &&
	    inj->intid >= 32)
		b->irqfd1++;
	b->acks += rec->type == VT_REC_ACK;
	b->resamples += rec->type == VT_REC_RESAMPLE;
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
	/*
	 * dist/test-metrics.sh hands this file to promtool check metrics and
	 * checks that the alerting rules name only metrics it holds: with the
	 * daemon's own counters, as vgic-traced writes it
	 */
	if (getenv("VT_METRICS_OUT")) {
		struct vt_metrics_daemon d = { .file_ok = true, .start_time = 1700000000 };

		vt_metrics_daemon(b.m, &d);
		assert_int_equal(vt_metrics_textfile(getenv("VT_METRICS_OUT"), b.m, b.e), 0);
	}
	free(disk);
	done(&b, txt);
}

/* per-VM irqfd injections, acks, resamples: what the scenario holds */
static void test_vm_counters(void **state)
{
	struct both b;
	char *txt, want[200];

	(void)state;
	txt = metrics_of("healthy", &b);
	assert_true(b.irqfd1 > 0 && b.acks > 0 && b.resamples > 0);
	snprintf(want, sizeof(want), "vgic_trace_vm_irqfd_injections_total{vm=\"%u\"} %llu\n",
		 b.vm, (unsigned long long)b.irqfd1);
	assert_non_null(strstr(txt, want));
	snprintf(want, sizeof(want), "vgic_trace_vm_acks_total{vm=\"%u\"} %llu\n",
		 b.vm, (unsigned long long)b.acks);
	assert_non_null(strstr(txt, want));
	snprintf(want, sizeof(want), "vgic_trace_vm_resamples_total{vm=\"%u\"} %llu\n",
		 b.vm, (unsigned long long)b.resamples);
	assert_non_null(strstr(txt, want));
	/* no daemon counters unless a daemon sets them; no rule degraded */
	assert_null(strstr(txt, "vgic_trace_recording "));
	assert_null(strstr(txt, "vgic_trace_rule_degraded{"));
	done(&b, txt);
}

/* OpenMetrics: counter families without _total, # EOF; a strict parser */
static void test_openmetrics(void **state)
{
	struct vt_metrics_daemon d = { .file_ok = false, .not_written = 7, .invalid = 2,
				       .missed = 3, .rotations = 1, .start_time = 1700000000 };
	const char *p = "/tmp/vt-test-metrics.om";
	char cmd[600];
	struct both b;
	char *txt, *om;
	size_t len;
	FILE *f;

	(void)state;
	txt = metrics_of("no-resample", &b);
	vt_metrics_daemon(b.m, &d);
	f = open_memstream(&om, &len);
	assert_int_equal(vt_metrics_write_fmt(f, b.m, b.e, true), 0);
	fclose(f);
	assert_true(len > 6 && !strcmp(om + len - 6, "# EOF\n"));
	assert_non_null(strstr(om, "# TYPE vgic_trace_records counter\n"));
	assert_null(strstr(om, "# TYPE vgic_trace_records_total"));
	assert_non_null(strstr(om, "\nvgic_trace_findings_total{vm=\"100\",rule=\"intx-masked-forever\",severity=\"error\"} 1\n"));
	assert_non_null(strstr(om, "\nvgic_trace_recording 0\n"));
	assert_non_null(strstr(om, "\nvgic_trace_unwritten_records_total 7\n"));
	assert_non_null(strstr(om, "\nvgic_trace_missed_events_total 3\n"));
	assert_non_null(strstr(om, "\nvgic_trace_start_time_seconds 1700000000\n"));
	write_all_file(p, om, len);
	/* Debian's python3-prometheus-client (scripts/deps.sh), strict parser */
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c 'import sys\n"
		 "from prometheus_client.openmetrics.parser import text_string_to_metric_families as p\n"
		 "f = {m.name: m for m in p(open(sys.argv[1]).read())}\n"
		 "assert f[\"vgic_trace_records\"].type == \"counter\", f\n"
		 "assert f[\"vgic_trace_recording\"].type == \"gauge\", f\n"
		 "' %s", p);
	assert_int_equal(system(cmd), 0);
	unlink(p);
	/* the Prometheus text of the same accumulator has the daemon lines too */
	free(txt);
	f = open_memstream(&txt, &len);
	assert_int_equal(vt_metrics_write(f, b.m, b.e), 0);
	fclose(f);
	grammar(txt);
	assert_non_null(strstr(txt, "# TYPE vgic_trace_unwritten_records_total counter\n"));
	assert_null(strstr(txt, "# EOF"));
	free(om);
	done(&b, txt);
}

/* a hook the rules need, reported missing: the rule is degraded */
static void test_rule_degraded(void **state)
{
	struct vt_engine_opts o = { .window_ns = VT_WINDOW_ALL };
	struct vt_rec_meta meta;
	struct vt_metrics *m;
	struct vt_engine *e;
	char *buf;
	size_t len;
	FILE *f;

	(void)state;
	assert_int_equal(vt_engine_new(&o, &e), 0);
	assert_int_equal(vt_metrics_new(&m), 0);
	memset(&meta, 0, sizeof(meta));
	meta.hdr.type = VT_REC_META;
	meta.hdr.size = sizeof(meta);
	meta.hdr.ts_ns = 1000;
	meta.hdr.vm_id = VT_NO_VM;
	meta.hdr.vcpu_id = VT_NO_VCPU;
	meta.key = VT_META_HOOK;
	meta.id = VT_HOOK_VFIO_HANDLER;
	meta.val = VT_ATTACH_MISSING;
	strcpy(meta.str, "vfio_intx_handler");
	vt_metrics_feed(m, &meta.hdr);
	assert_int_equal(vt_engine_feed(e, &meta.hdr), 0);
	assert_int_equal(vt_engine_finish(e), 0);
	f = open_memstream(&buf, &len);
	assert_int_equal(vt_metrics_write(f, m, e), 0);
	fclose(f);
	grammar(buf);
	assert_non_null(strstr(buf, "vgic_trace_rule_degraded{rule=\"intx-masked-forever\",hooks=\"vfio_handler\"} 1\n"));
	assert_non_null(strstr(buf, "vgic_trace_hook_attached{hook=\"vfio_handler\",mode=\"missing\",symbol=\"vfio_intx_handler\"} 0\n"));
	free(buf);
	vt_metrics_free(m);
	vt_engine_free(e);
}

/* `vgic-trace check --from kvm` says which rules are degraded, as report does */
static void test_check_degraded_notes(void **state)
{
	char cmd[1024], *txt;

	(void)state;
#ifndef VT_HAVE_TRACECMD
	fail_msg("built without libtracecmd (scripts/deps.sh)");
#endif
	snprintf(cmd, sizeof(cmd), "%s check --from kvm %s/tracecmd/x86-kvm-resample.dat > /tmp/vt-test-check.out 2>&1",
		 VT_CLI, VT_TEST_DIR);
	assert_int_equal(WEXITSTATUS(system(cmd)), 0);
	txt = read_all("/tmp/vt-test-check.out", NULL);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "vgic-trace check: NOTE: rule missed-resample lacks input (hooks missing: lr_flush,lr_fold)"));
	assert_non_null(strstr(txt, "vgic-trace check: NOTE: rule intx-masked-forever lacks input (hooks missing: vfio_handler)"));
	assert_non_null(strstr(txt, "\n0 findings\n"));
	free(txt);
	unlink("/tmp/vt-test-check.out");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_resample),
		cmocka_unit_test(test_lost_and_healthy),
		cmocka_unit_test(test_hooks_and_escaping),
		cmocka_unit_test(test_textfile),
		cmocka_unit_test(test_vm_counters),
		cmocka_unit_test(test_openmetrics),
		cmocka_unit_test(test_rule_degraded),
		cmocka_unit_test(test_check_degraded_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
