// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_json.c - the report as one JSON object (same content as the
 * text report).
 */
#include <stdio.h>
#include "rule.h"
#include "report.h"

struct jdeg {
	FILE *f;
	int first;
};

static void jdeg_cb(const char *rule, const char *hooks, void *arg)
{
	struct jdeg *d = arg;

	fprintf(d->f, "%s{\"rule\":\"%s\",\"missing_hooks\":\"%s\"}",
		d->first ? "" : ",", rule, hooks);
	d->first = 0;
}

static void j_header(struct vt_engine *e, FILE *f)
{
	unsigned int t, h, first = 1;
	uint64_t cpu_lost;

	fprintf(f, "{\"format\":\"vgic-trace-report\",\"version\":1,\"host\":{\"kernel\":");
	vt_json_str(f, e->facts.kernel_release);
	fprintf(f, ",\"arch\":");
	vt_json_str(f, e->facts.arch);
	fprintf(f, ",\"gic\":%u,\"nr_lrs\":",
		e->facts.gic_version ? e->facts.gic_version : e->seen_gic);
	/* only a recorded count (VT_META_NR_LRS, file header): null if none */
	if (vt_rule_nr_lrs(e))
		fprintf(f, "%u", vt_rule_nr_lrs(e));
	else
		fprintf(f, "null");
	fprintf(f, ",\"backend\":\"%s\"}", vt_backend_name(e->facts.backend));
	if (e->have_rstat) {
		fprintf(f, ",\"input\":{\"end\":\"%s\",\"chunks\":%llu,\"message\":",
			vt_read_end_name(e->rstat.end),
			(unsigned long long)e->rstat.chunks);
		vt_json_str(f, e->rstat.msg);
		fprintf(f, "}");
	}
	fprintf(f, ",\"records\":{\"processed\":%llu,\"invalid\":%llu,\"reordered\":%llu,\"late\":%llu,\"by_type\":{",
		(unsigned long long)e->records, (unsigned long long)e->invalid,
		(unsigned long long)e->reordered, (unsigned long long)e->late);
	for (t = 1; t <= VT_REC_MAX; t++)
		fprintf(f, "%s\"%s\":%llu", t > 1 ? "," : "", vt_record_name(t),
			(unsigned long long)e->by_type[t]);
	fprintf(f, "}},\"lost\":%llu,\"findings_may_be_false\":%s",
		(unsigned long long)e->lost,
		e->lost || (e->have_rstat && e->rstat.end == VT_END_TRUNCATED) ?
		"true" : "false");
	/* of "lost": probe hits missed (hdr.cpu VT_LOST_CPU_PROBES) */
	for (t = 0, cpu_lost = 0; t < 64; t++)
		cpu_lost += e->lost_cpu[t];
	if (e->lost > cpu_lost)
		fprintf(f, ",\"lost_probe_hits\":%llu",
			(unsigned long long)(e->lost - cpu_lost));
	fprintf(f, ",\"truncated\":%s,\"hooks_missing\":[",
		e->have_rstat && e->rstat.end == VT_END_TRUNCATED ? "true" : "false");
	for (h = 1; h <= VT_HOOK_MAX; h++) {
		if (e->hooks[h] != VT_ATTACH_MISSING + 1 &&
		    e->hooks[h] != VT_ATTACH_DISABLED + 1)
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ",", vt_hook_name(h));
		first = 0;
	}
	fprintf(f, "],\"rules_degraded\":[");
	{
		struct jdeg d = { f, 1 };

		vt_rules_degraded(e, jdeg_cb, &d);
		if (!vt_rule_nr_lrs(e) && e->by_type[VT_REC_LR_FLUSH])
			fprintf(f, "%s{\"rule\":\"" VT_NR_LRS_RULE "\",\"missing\":\"" VT_NR_LRS_MISSING "\"}",
				d.first ? "" : ",");
	}
	fprintf(f, "],\"bugs\":[");
	for (t = 0; t < e->nr_bugs && t < 100; t++) {
		if (t)
			fputc(',', f);
		vt_json_str(f, e->bugs[t]);
	}
	fprintf(f, "]");
}

static void j_findings(struct vt_engine *e, FILE *f)
{
	unsigned int i, j;

	fprintf(f, ",\"findings\":[");
	for (i = 0; i < e->nr_findings; i++) {
		const struct vt_finding *fd = &e->findings[i];

		fprintf(f, "%s{\"rule\":\"%s\",\"severity\":\"%s\",\"vm\":%u,\"intid\":%d,\"vcpu\":%d,\"ts_ns\":%llu,\"summary\":",
			i ? "," : "", fd->rule, vt_severity_name(fd->severity),
			fd->vm_id, (int)fd->intid, (int)fd->vcpu_id,
			(unsigned long long)fd->ts_ns);
		vt_json_str(f, fd->summary);
		fprintf(f, ",\"evidence\":[");
		for (j = 0; j < fd->nr_evidence; j++) {
			if (j)
				fputc(',', f);
			vt_json_str(f, fd->evidence[j]);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]");
}

static void j_latency(struct vt_engine *e, FILE *f)
{
	uint64_t p50, p99, max;
	unsigned int st, b, sep, first = 1;
	uint32_t l2[64];
	size_t i;

	fprintf(f, ",\"latency_note\":\"" VT_LATENCY_NOTE "\",\"latency\":[");
	for (i = 0; i < e->nr_irqs; i++) {
		const struct vt_irq *q = e->irqs[i];

		for (st = 0; st < VT_ST_MAX; st++) {
			if (vt_lat_pct(&q->lat[st], &p50, &p99, &max))
				continue;
			fprintf(f, "%s{\"vm\":%u,\"intid\":%u,\"stage\":\"%s\",\"n\":%u,\"p50\":%llu,\"p99\":%llu,\"max\":%llu,\"log2_hist\":{",
				first ? "" : ",", q->vm_id, q->intid,
				vt_stage_name(st), q->lat[st].n,
				(unsigned long long)p50, (unsigned long long)p99,
				(unsigned long long)max);
			first = 0;
			vt_lat_log2(&q->lat[st], l2);
			for (b = 0, sep = 0; b < 64; b++) {
				if (!l2[b])
					continue;
				fprintf(f, "%s\"%u\":%u", sep ? "," : "", b,
					l2[b]);
				sep = 1;
			}
			fprintf(f, "}}");
		}
	}
	fprintf(f, "]");
}

int vt_engine_report_json(struct vt_engine *e, FILE *f)
{
	vt_irqs_sort(e);
	j_header(e, f);
	j_findings(e, f);
	j_latency(e, f);
	fprintf(f, "}\n");
	return ferror(f) ? -5 : 0;
}
