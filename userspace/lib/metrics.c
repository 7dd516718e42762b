// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * metrics.c - Prometheus text exposition of a recording (vt_metrics.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "report.h"
#include "vt_engine.h"
#include "vt_metrics.h"
#include "vt_record.h"
#include "vt_version.h"

#define VT_METRICS_VMS	256	/* VMs with their own series; more: vm="other" */

/* per VM: every record, and the three steps the VMM counts itself */
struct vm_count {
	uint32_t vm;
	uint64_t records;
	uint64_t irqfd_injections;	/* SPI asserted from the irqfd fast path */
	uint64_t acks;			/* kvm_notify_acked_irq() */
	uint64_t resamples;		/* irqfd_resampler_ack() */
};

struct vt_metrics {
	uint64_t per_type[VT_REC_MAX + 2];	/* last slot: unknown */
	uint64_t lost;
	int16_t hook[VT_HOOK_MAX + 1];		/* VT_ATTACH_* + 1, 0 = not reported */
	char hook_sym[VT_HOOK_MAX + 1][64];
	struct vm_count vms[VT_METRICS_VMS];
	unsigned int nr_vms;
	struct vm_count other;			/* VMs beyond VT_METRICS_VMS */
	unsigned int last;			/* index of the last VM counted */
	uint32_t backend;
	char kernel[65];
	bool have_daemon;
	struct vt_metrics_daemon d;
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

void vt_metrics_daemon(struct vt_metrics *m, const struct vt_metrics_daemon *d)
{
	m->have_daemon = true;
	m->d = *d;
}

static struct vm_count *vm_of(struct vt_metrics *m, uint32_t vm)
{
	unsigned int i;

	if (m->last < m->nr_vms && m->vms[m->last].vm == vm)
		return &m->vms[m->last];
	for (i = 0; i < m->nr_vms; i++)
		if (m->vms[i].vm == vm) {
			m->last = i;
			return &m->vms[i];
		}
	if (m->nr_vms == VT_METRICS_VMS)
		return &m->other;
	memset(&m->vms[m->nr_vms], 0, sizeof(m->vms[0]));
	m->vms[m->nr_vms].vm = vm;
	m->last = m->nr_vms;
	return &m->vms[m->nr_vms++];
}

static void count_vm(struct vt_metrics *m, const struct vt_hdr *rec)
{
	const struct vt_rec_inject *inj = (const void *)rec;
	struct vm_count *c = vm_of(m, rec->vm_id);

	c->records++;
	switch (rec->type) {
	case VT_REC_INJECT:
		if (rec->size >= sizeof(*inj) && inj->level == 1 &&
		    inj->source == VT_SRC_IRQFD && inj->intid >= 32)
			c->irqfd_injections++;
		break;
	case VT_REC_ACK:
		c->acks++;
		break;
	case VT_REC_RESAMPLE:
		c->resamples++;
		break;
	}
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
		count_vm(m, rec);
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

/*
 * # HELP and # TYPE of a metric family. OpenMetrics names a counter's
 * family without the _total its samples carry.
 */
static void family(FILE *f, bool om, const char *name, const char *type,
		   const char *help)
{
	size_t n = strlen(name);

	if (om && !strcmp(type, "counter") && n > 6 && !strcmp(name + n - 6, "_total"))
		n -= 6;
	fprintf(f, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)n, name, help, (int)n, name, type);
}

struct fkey {
	uint32_t vm;
	const char *rule;
	enum vt_severity sev;
	uint64_t n;
};

static int write_findings(FILE *f, bool om, const struct vt_engine *e)
{
	unsigned int i, k, nk = 0, nf = e ? vt_engine_nr_findings(e) : 0;
	const struct vt_finding *fd;
	struct fkey *keys;

	family(f, om, "vgic_trace_findings_total", "counter",
	       "Findings of the anomaly rules, per VM (VMM pid), rule and severity.");
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

static void degraded_cb(const char *rule, const char *hooks, void *arg)
{
	FILE *f = arg;

	fprintf(f, "vgic_trace_rule_degraded{rule=\"");
	label(f, rule);
	fprintf(f, "\",hooks=\"");
	label(f, hooks);
	fprintf(f, "\"} 1\n");
}

static void vm_label(FILE *f, const char *name, const struct vm_count *c, bool other,
		     uint64_t v)
{
	if (other)
		fprintf(f, "%s{vm=\"other\"} %llu\n", name, (unsigned long long)v);
	else
		fprintf(f, "%s{vm=\"%u\"} %llu\n", name, c->vm, (unsigned long long)v);
}

/* one per-VM family: every VM with its own series, then "other" */
static void write_vm_family(FILE *f, bool om, const struct vt_metrics *m,
			    const char *name, const char *help, size_t field)
{
	unsigned int i;

	family(f, om, name, "counter", help);
	for (i = 0; i < m->nr_vms; i++)
		vm_label(f, name, &m->vms[i], false,
			 *(const uint64_t *)((const char *)&m->vms[i] + field));
	if (m->other.records)
		vm_label(f, name, &m->other, true,
			 *(const uint64_t *)((const char *)&m->other + field));
}

static void write_daemon(FILE *f, bool om, const struct vt_metrics_daemon *d)
{
	family(f, om, "vgic_trace_recording", "gauge",
	       "1 while vgic-traced writes its trace file, 0 once a write error (disk full) stopped it (live detection goes on).");
	fprintf(f, "vgic_trace_recording %d\n", d->file_ok ? 1 : 0);
	family(f, om, "vgic_trace_unwritten_records_total", "counter",
	       "Records vgic-traced could not write to its trace file (they were still analysed live).");
	fprintf(f, "vgic_trace_unwritten_records_total %llu\n", (unsigned long long)d->not_written);
	family(f, om, "vgic_trace_invalid_records_total", "counter",
	       "Records rejected by the record check (a producer bug).");
	fprintf(f, "vgic_trace_invalid_records_total %llu\n", (unsigned long long)d->invalid);
	family(f, om, "vgic_trace_missed_events_total", "counter",
	       "Producer runs the kernel skipped (BPF recursion guard): events without a record or a loss count.");
	fprintf(f, "vgic_trace_missed_events_total %llu\n", (unsigned long long)d->missed);
	family(f, om, "vgic_trace_file_rotations_total", "counter",
	       "Trace files started on SIGHUP after a rotation.");
	fprintf(f, "vgic_trace_file_rotations_total %llu\n", (unsigned long long)d->rotations);
	family(f, om, "vgic_trace_start_time_seconds", "gauge",
	       "When vgic-traced started recording, seconds since the epoch.");
	fprintf(f, "vgic_trace_start_time_seconds %llu\n", (unsigned long long)d->start_time);
}

int vt_metrics_write_fmt(FILE *f, const struct vt_metrics *m,
			 const struct vt_engine *e, bool om)
{
	unsigned int t, h;
	int ret;

	family(f, om, "vgic_trace_info", "gauge",
	       "vgic-trace version, record backend and traced kernel.");
	fprintf(f, "vgic_trace_info{version=\"%s\",backend=\"%s\",kernel=\"", VT_VERSION,
		m->backend == VT_BACKEND_MODULE ? "module" :
		m->backend == VT_BACKEND_BPF ? "bpf" :
		m->backend == VT_BACKEND_REPLAY ? "replay" : "unknown");
	label(f, m->kernel);
	fprintf(f, "\"} 1\n");

	family(f, om, "vgic_trace_records_total", "counter", "Records received, per record type.");
	for (t = 1; t <= VT_REC_MAX; t++)
		fprintf(f, "vgic_trace_records_total{type=\"%s\"} %llu\n",
			vt_record_name(t), (unsigned long long)m->per_type[t]);
	if (m->per_type[VT_REC_MAX + 1])
		fprintf(f, "vgic_trace_records_total{type=\"unknown\"} %llu\n",
			(unsigned long long)m->per_type[VT_REC_MAX + 1]);

	write_vm_family(f, om, m, "vgic_trace_vm_records_total",
			"Records about each VM (VMM pid), metadata and losses excluded.",
			offsetof(struct vm_count, records));
	write_vm_family(f, om, m, "vgic_trace_vm_irqfd_injections_total",
			"SPIs asserted through an irqfd (kvm_vgic_inject_irq level 1 from the irqfd path), per VM.",
			offsetof(struct vm_count, irqfd_injections));
	write_vm_family(f, om, m, "vgic_trace_vm_acks_total",
			"Guest EOIs of level interrupts KVM passed to the ack notifiers (kvm_notify_acked_irq), per VM.",
			offsetof(struct vm_count, acks));
	write_vm_family(f, om, m, "vgic_trace_vm_resamples_total",
			"irqfd resamples (irqfd_resampler_ack: resamplefd signalled, line de-asserted), per VM.",
			offsetof(struct vm_count, resamples));

	family(f, om, "vgic_trace_lost_records_total", "counter",
	       "Records the producers could not deliver (findings may be false while this grows).");
	fprintf(f, "vgic_trace_lost_records_total %llu\n", (unsigned long long)m->lost);

	family(f, om, "vgic_trace_hook_attached", "gauge",
	       "1 when the hook is attached, 0 when missing or disabled (rules that need it are degraded).");
	for (h = 1; h <= VT_HOOK_MAX; h++) {
		if (!m->hook[h])
			continue;
		fprintf(f, "vgic_trace_hook_attached{hook=\"%s\",mode=\"%s\",symbol=\"",
			vt_hook_name(h), attach_name(m->hook[h] - 1));
		label(f, m->hook_sym[h]);
		fprintf(f, "\"} %d\n", m->hook[h] - 1 != VT_ATTACH_MISSING &&
				      m->hook[h] - 1 != VT_ATTACH_DISABLED);
	}

	family(f, om, "vgic_trace_rule_degraded", "gauge",
	       "1 for a rule that lacks input on this host: hooks it needs are missing (listed), so it cannot report everything.");
	if (e)
		vt_rules_degraded(e, degraded_cb, f);

	ret = write_findings(f, om, e);
	if (ret)
		return ret;
	family(f, om, "vgic_trace_engine_bugs_total", "counter",
	       "Impossible states the engine met (a producer or engine bug).");
	fprintf(f, "vgic_trace_engine_bugs_total %u\n", e ? vt_engine_nr_bugs(e) : 0);
	if (m->have_daemon)
		write_daemon(f, om, &m->d);
	if (om)
		fprintf(f, "# EOF\n");
	return ferror(f) ? -EIO : 0;
}

int vt_metrics_write(FILE *f, const struct vt_metrics *m,
		     const struct vt_engine *e)
{
	return vt_metrics_write_fmt(f, m, e, false);
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
