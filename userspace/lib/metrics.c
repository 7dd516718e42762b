// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * metrics.c - Prometheus text exposition of a recording (vt_metrics.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vt_engine.h"
#include "vt_metrics.h"
#include "vt_record.h"
#include "vt_version.h"

#define VT_METRICS_VMS	256	/* VMs with their own series; more: vm="other" */

struct vm_count {
	uint32_t vm;
	uint64_t records;
};

struct vt_metrics {
	uint64_t per_type[VT_REC_MAX + 2];	/* last slot: unknown */
	uint64_t lost;
	int16_t hook[VT_HOOK_MAX + 1];		/* VT_ATTACH_* + 1, 0 = not reported */
	char hook_sym[VT_HOOK_MAX + 1][64];
	struct vm_count vms[VT_METRICS_VMS];
	unsigned int nr_vms;
	uint64_t other_vm_records;
	uint32_t backend;
	char kernel[65];
};

int vt_metrics_new(struct vt_metrics **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void vt_metrics_free(struct vt_metrics *m)
{
	free(m);
}

void vt_metrics_facts(struct vt_metrics *m, const struct vt_host_facts *facts)
{
	if (!m->backend)
		m->backend = facts->backend;
	if (!m->kernel[0])
		memcpy(m->kernel, facts->kernel_release, sizeof(m->kernel) - 1);
}

static void count_vm(struct vt_metrics *m, uint32_t vm)
{
	unsigned int i;

	for (i = 0; i < m->nr_vms; i++)
		if (m->vms[i].vm == vm) {
			m->vms[i].records++;
			return;
		}
	if (m->nr_vms == VT_METRICS_VMS) {
		m->other_vm_records++;
		return;
	}
	m->vms[m->nr_vms].vm = vm;
	m->vms[m->nr_vms++].records = 1;
}

void vt_metrics_feed(struct vt_metrics *m, const struct vt_hdr *rec)
{
	const struct vt_rec_meta *meta = (const void *)rec;
	const struct vt_rec_lost *lost = (const void *)rec;

	if (rec->type == 0 || rec->type > VT_REC_MAX) {
		m->per_type[VT_REC_MAX + 1]++;
		return;
	}
	m->per_type[rec->type]++;
	switch (rec->type) {
	case VT_REC_LOST:
		if (rec->size >= sizeof(*lost))
			m->lost += lost->lost;
		return;
	case VT_REC_META:
		if (rec->size < sizeof(*meta))
			return;
		if (meta->key == VT_META_HOOK && meta->id >= 1 && meta->id <= VT_HOOK_MAX) {
			m->hook[meta->id] = (int16_t)(meta->val + 1);
			memcpy(m->hook_sym[meta->id], meta->str, sizeof(m->hook_sym[0]) - 1);
		} else if (meta->key == VT_META_BACKEND) {
			m->backend = (uint32_t)meta->val;
		} else if (meta->key == VT_META_KERNEL) {
			memcpy(m->kernel, meta->str, sizeof(m->kernel) - 1);
		}
		return;
	}
	if (rec->vm_id != VT_NO_VM)
		count_vm(m, rec->vm_id);
}

static const char *attach_name(int v)
{
	static const char *const n[] = {
		[VT_ATTACH_MISSING] = "missing", [VT_ATTACH_KPROBE] = "kprobe",
		[VT_ATTACH_KRETPROBE] = "kretprobe", [VT_ATTACH_FENTRY] = "fentry",
		[VT_ATTACH_TRACEPOINT] = "tracepoint", [VT_ATTACH_DISABLED] = "disabled",
	};

	return v >= 0 && v < (int)(sizeof(n) / sizeof(n[0])) && n[v] ? n[v] : "unknown";
}

static const char *sev_name(enum vt_severity s)
{
	return s == VT_SEV_ERROR ? "error" : s == VT_SEV_WARNING ? "warning" : "info";
}

/* a label value: \ " and newline escaped */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

struct fkey {
	uint32_t vm;
	const char *rule;
	enum vt_severity sev;
	uint64_t n;
};

static int write_findings(FILE *f, const struct vt_engine *e)
{
	unsigned int i, k, nk = 0, nf = e ? vt_engine_nr_findings(e) : 0;
	const struct vt_finding *fd;
	struct fkey *keys;

	fprintf(f, "# HELP vgic_trace_findings_total Findings of the anomaly rules, per VM (VMM pid), rule and severity.\n");
	fprintf(f, "# TYPE vgic_trace_findings_total counter\n");
	if (!nf)
		return 0;
	keys = calloc(nf, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < nf; i++) {
		fd = vt_engine_finding(e, i);
		if (!fd)
			continue;
		for (k = 0; k < nk; k++)
			if (keys[k].vm == fd->vm_id && keys[k].sev == fd->severity &&
			    !strcmp(keys[k].rule, fd->rule))
				break;
		if (k == nk)
			keys[nk++] = (struct fkey){ fd->vm_id, fd->rule, fd->severity, 0 };
		keys[k].n++;
	}
	for (k = 0; k < nk; k++) {
		fprintf(f, "vgic_trace_findings_total{vm=\"%u\",rule=\"", keys[k].vm);
		label(f, keys[k].rule);
		fprintf(f, "\",severity=\"%s\"} %llu\n", sev_name(keys[k].sev),
			(unsigned long long)keys[k].n);
	}
	free(keys);
	return 0;
}

int vt_metrics_write(FILE *f, const struct vt_metrics *m,
		     const struct vt_engine *e)
{
	unsigned int t, h, i;
	int ret;

	fprintf(f, "# HELP vgic_trace_info vgic-trace version, record backend and traced kernel.\n");
	fprintf(f, "# TYPE vgic_trace_info gauge\n");
	fprintf(f, "vgic_trace_info{version=\"%s\",backend=\"%s\",kernel=\"", VT_VERSION,
		m->backend == VT_BACKEND_MODULE ? "module" :
		m->backend == VT_BACKEND_BPF ? "bpf" :
		m->backend == VT_BACKEND_REPLAY ? "replay" : "unknown");
	label(f, m->kernel);
	fprintf(f, "\"} 1\n");

	fprintf(f, "# HELP vgic_trace_records_total Records received, per record type.\n");
	fprintf(f, "# TYPE vgic_trace_records_total counter\n");
	for (t = 1; t <= VT_REC_MAX; t++)
		fprintf(f, "vgic_trace_records_total{type=\"%s\"} %llu\n",
			vt_record_name(t), (unsigned long long)m->per_type[t]);
	if (m->per_type[VT_REC_MAX + 1])
		fprintf(f, "vgic_trace_records_total{type=\"unknown\"} %llu\n",
			(unsigned long long)m->per_type[VT_REC_MAX + 1]);

	fprintf(f, "# HELP vgic_trace_vm_records_total Records about each VM (VMM pid), metadata and losses excluded.\n");
	fprintf(f, "# TYPE vgic_trace_vm_records_total counter\n");
	for (i = 0; i < m->nr_vms; i++)
		fprintf(f, "vgic_trace_vm_records_total{vm=\"%u\"} %llu\n", m->vms[i].vm,
			(unsigned long long)m->vms[i].records);
	if (m->other_vm_records)
		fprintf(f, "vgic_trace_vm_records_total{vm=\"other\"} %llu\n",
			(unsigned long long)m->other_vm_records);

	fprintf(f, "# HELP vgic_trace_lost_records_total Records the producers could not deliver (findings may be false while this grows).\n");
	fprintf(f, "# TYPE vgic_trace_lost_records_total counter\n");
	fprintf(f, "vgic_trace_lost_records_total %llu\n", (unsigned long long)m->lost);

	fprintf(f, "# HELP vgic_trace_hook_attached 1 when the hook is attached, 0 when missing or disabled (rules that need it are degraded).\n");
	fprintf(f, "# TYPE vgic_trace_hook_attached gauge\n");
	for (h = 1; h <= VT_HOOK_MAX; h++) {
		if (!m->hook[h])
			continue;
		fprintf(f, "vgic_trace_hook_attached{hook=\"%s\",mode=\"%s\",symbol=\"",
			vt_hook_name(h), attach_name(m->hook[h] - 1));
		label(f, m->hook_sym[h]);
		fprintf(f, "\"} %d\n", m->hook[h] - 1 != VT_ATTACH_MISSING &&
				      m->hook[h] - 1 != VT_ATTACH_DISABLED);
	}

	ret = write_findings(f, e);
	if (ret)
		return ret;
	fprintf(f, "# HELP vgic_trace_engine_bugs_total Impossible states the engine met (a producer or engine bug).\n");
	fprintf(f, "# TYPE vgic_trace_engine_bugs_total counter\n");
	fprintf(f, "vgic_trace_engine_bugs_total %u\n", e ? vt_engine_nr_bugs(e) : 0);
	return ferror(f) ? -EIO : 0;
}

int vt_metrics_textfile(const char *path, const struct vt_metrics *m,
			const struct vt_engine *e)
{
	char tmp[4096];
	FILE *f;
	int ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	ret = vt_metrics_write(f, m, e);
	if (fflush(f) || fsync(fileno(f)))
		ret = ret ? ret : -errno;
	if (fclose(f))
		ret = ret ? ret : -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}
