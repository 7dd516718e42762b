// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_text.c - the human-readable report: input, losses, findings
 * with evidence, per-IRQ table, latency.
 */
#include <stdio.h>
#include <string.h>
#include "rule.h"
#include "report.h"
#include "vt_lbuf.h"

static const char *gic_name(unsigned int v)
{
	return v == VT_GIC_V3 ? "GICv3" : v == VT_GIC_V2 ? "GICv2" : "no GIC";
}

const char *vt_read_end_name(enum vt_read_end end)
{
	switch (end) {
	case VT_END_COMPLETE:
		return "complete";
	case VT_END_TRUNCATED:
		return "truncated";
	case VT_END_CORRUPT:
		return "corrupt";
	default:
		return "live";
	}
}

static void degraded_cb(const char *rule, const char *hooks, void *arg)
{
	fprintf(arg, "NOTE: rule %s lacks input (hooks missing: %s): it cannot report everything\n",
		rule, hooks);
}

static void text_header(struct vt_engine *e, FILE *f)
{
	unsigned int t, h, nmiss = 0;
	uint64_t cpu_lost;

	fprintf(f, "vgic-trace report\n");
	fprintf(f, "host: kernel %s, arch %s, %s, ",
		e->facts.kernel_release[0] ? e->facts.kernel_release : "?",
		e->facts.arch[0] ? e->facts.arch : "?",
		gic_name(e->facts.gic_version ? e->facts.gic_version : e->seen_gic));
	if (vt_rule_nr_lrs(e))
		fprintf(f, "%u LRs", vt_rule_nr_lrs(e));
	else
		fprintf(f, "LR count unknown");
	fprintf(f, ", backend %s\n", vt_backend_name(e->facts.backend));
	if (e->have_rstat)
		fprintf(f, "input: %s\n", e->rstat.msg);
	fprintf(f, "records: %llu processed, %llu invalid, %llu out of order (reordered), %llu late\n",
		(unsigned long long)e->records, (unsigned long long)e->invalid,
		(unsigned long long)e->reordered, (unsigned long long)e->late);
	fprintf(f, " ");
	for (t = 1; t <= VT_REC_MAX; t++)
		fprintf(f, " %s %llu", vt_record_name(t),
			(unsigned long long)e->by_type[t]);
	fprintf(f, "\n");
	fprintf(f, "lost records: %llu", (unsigned long long)e->lost);
	for (t = 0, cpu_lost = 0; t < 64; t++) {
		cpu_lost += e->lost_cpu[t];
		if (e->lost_cpu[t])
			fprintf(f, " (cpu%u: %llu)", t,
				(unsigned long long)e->lost_cpu[t]);
	}
	fprintf(f, "\n");
	if (e->lost > cpu_lost)
		fprintf(f, "lost probe hits: %llu (the kernel did not run the probe handler or BPF program; each is at most the records of its hook; no CPU)\n",
			(unsigned long long)(e->lost - cpu_lost));
	if (e->lost)
		fprintf(f, "WARNING: %llu records were lost: findings may be false (a lost ack or exit looks like a missing one)\n",
			(unsigned long long)e->lost);
	if (e->have_rstat && e->rstat.end == VT_END_TRUNCATED)
		fprintf(f, "WARNING: the trace file is truncated (%s); findings about the last moments may be false\n",
			!strncmp(e->rstat.msg, "truncated: ", 11) ? e->rstat.msg + 11 :
			e->rstat.msg[0] ? e->rstat.msg : "no end marker");
	fprintf(f, "hooks:");
	for (h = 1; h <= VT_HOOK_MAX; h++) {
		if (e->hooks[h] == VT_ATTACH_MISSING + 1 ||
		    e->hooks[h] == VT_ATTACH_DISABLED + 1) {
			fprintf(f, " %s=%s", vt_hook_name(h),
				e->hooks[h] == VT_ATTACH_MISSING + 1 ?
				"MISSING" : "disabled");
			nmiss++;
		}
	}
	if (!nmiss)
		fprintf(f, " %s", e->hooks[VT_HOOK_ACK] || e->hooks[VT_HOOK_LR_FLUSH] ?
			"all reported hooks attached" : "no hook metadata in the trace");
	fprintf(f, "\n");
	if (e->hooks[VT_HOOK_ACK] == VT_ATTACH_MISSING + 1 ||
	    e->hooks[VT_HOOK_ACK] == VT_ATTACH_DISABLED + 1)
		fprintf(f, "NOTE: ack hook missing: missed-resample is not evaluated\n");
	vt_rules_degraded(e, degraded_cb, f);
	if (!vt_rule_nr_lrs(e) && e->by_type[VT_REC_LR_FLUSH])
		fprintf(f, "NOTE: number of LRs unknown (no VT_META_NR_LRS record, none in the file header): rule eoi-lost-lr-overflow is degraded, it takes the largest count the LR records suggest (%u) and may miss an overflow\n",
			e->rec_nr_lrs > e->max_used_lrs ? e->rec_nr_lrs : e->max_used_lrs);
	for (t = 0; t < e->nr_bugs && t < 100; t++)
		fprintf(f, "%s\n", e->bugs[t]);
}

static void text_findings(struct vt_engine *e, FILE *f)
{
	char ts[32];
	unsigned int i, j;

	fprintf(f, "\nfindings: %u\n", e->nr_findings);
	for (i = 0; i < e->nr_findings; i++) {
		const struct vt_finding *fd = &e->findings[i];

		vt_fmt_ts(fd->ts_ns, ts, sizeof(ts));
		fprintf(f, "[%s] %s vm %u", vt_severity_name(fd->severity),
			fd->rule, fd->vm_id);
		if (fd->intid != VT_NO_INTID)
			fprintf(f, " INTID %u", fd->intid);
		if (fd->vcpu_id != VT_NO_VCPU)
			fprintf(f, " vCPU%u", fd->vcpu_id);
		fprintf(f, " at %s\n  %s\n", ts, fd->summary);
		if (fd->nr_evidence)
			fprintf(f, "  evidence (last transitions of this IRQ):\n");
		for (j = 0; j < fd->nr_evidence; j++)
			fprintf(f, "    %s\n", fd->evidence[j]);
	}
}

/* " %*llu": one count column of the per-IRQ table */
static void lb_count(struct vt_lbuf *l, uint64_t v, unsigned int width)
{
	vt_lb_ch(l, ' ');
	vt_lb_u64w(l, v, width);
}

static void text_irqs(struct vt_engine *e, FILE *f)
{
	struct vt_lbuf l;
	size_t i;

	fprintf(f, "\nper-IRQ counts:\n");
	fprintf(f, "%8s %6s %5s %-12s %6s %6s %6s %6s %6s %6s %6s | %6s %6s %6s %7s %6s | %s\n",
		"VM", "INTID", "GSI", "device", "inj1", "inj0", "in_lr", "g_eoi",
		"no_ack", "acks", "resmp", "v_hdl", "v_mask", "v_unm", "v_unm_h",
		"still", "state");
	vt_lb_init(&l, f);
	for (i = 0; i < e->nr_irqs; i++) {
		const struct vt_irq *q = e->irqs[i];
		const struct vt_counts *c = &q->cnt;

		/* "%8u %6u %5s %-12s" then counts "%6llu" ("%7llu" v_unm_h) */
		vt_lb_u64w(&l, q->vm_id, 8);
		vt_lb_ch(&l, ' ');
		vt_lb_u64w(&l, q->intid, 6);
		vt_lb_ch(&l, ' ');
		if (q->gsi != VT_NO_GSI)
			vt_lb_u64w(&l, q->gsi, 5);
		else
			vt_lb_strw(&l, "-", 5);
		vt_lb_ch(&l, ' ');
		vt_lb_strw(&l, q->dev ? q->dev->name : "-", -12);
		vt_lb_room(&l);
		lb_count(&l, c->inject[1], 6);
		lb_count(&l, c->inject[0], 6);
		lb_count(&l, c->in_lr, 6);
		lb_count(&l, c->guest_eoi, 6);
		lb_count(&l, c->eoi_no_ack, 6);
		lb_count(&l, c->acks, 6);
		lb_count(&l, c->resamples, 6);
		vt_lb_str(&l, " |");
		vt_lb_room(&l);
		lb_count(&l, c->vfio[VT_VFIO_HANDLER], 6);
		lb_count(&l, c->vfio[VT_VFIO_MASK], 6);
		lb_count(&l, c->vfio[VT_VFIO_UNMASK], 6);
		lb_count(&l, c->vfio[VT_VFIO_UNMASK_HANDLER], 7);
		lb_count(&l, c->still_asserted, 6);
		vt_lb_str(&l, " | ");
		vt_lb_str(&l, q->active ? "active" : "inactive");
		if (q->level)
			vt_lb_str(&l, " level");
		if (q->dev && q->dev->masked)
			vt_lb_str(&l, " vfio-masked");
		vt_lb_ch(&l, '\n');
		vt_lb_room(&l);
	}
	vt_lb_flush(&l);
	fprintf(f, "(inj1/inj0: injects level 1/0; in_lr: loaded at entry; g_eoi: guest deactivations seen in LRs;\n"
		   " no_ack: of those without ack; resmp: resamples; v_*: VFIO handler, mask, unmask ioctl,\n"
		   " unmask handler, unmask found the line still asserted)\n");
	/* 6.19+ deactivations outside the LR runs (VT_REC_DEACTIVATE) */
	for (i = 0; i < e->nr_irqs; i++) {
		const struct vt_counts *c = &e->irqs[i]->cnt;

		if (c->deact[VT_DEACT_DIR] || c->deact[VT_DEACT_EOICOUNT] ||
		    c->deact[VT_DEACT_LR])
			fprintf(f, "  deactivate records vm %u INTID %u: dir %llu eoicount %llu fold_lr %llu\n",
				e->irqs[i]->vm_id, e->irqs[i]->intid,
				(unsigned long long)c->deact[VT_DEACT_DIR],
				(unsigned long long)c->deact[VT_DEACT_EOICOUNT],
				(unsigned long long)c->deact[VT_DEACT_LR]);
	}
	for (i = 0; i < e->nr_devs; i++)
		if (!e->devs[i]->irq)
			fprintf(f, "  unlinked VFIO device %s host irq %u: handler %llu unmask_handler %llu%s\n",
				e->devs[i]->name, e->devs[i]->host_irq,
				(unsigned long long)e->devs[i]->vfio[VT_VFIO_HANDLER],
				(unsigned long long)e->devs[i]->vfio[VT_VFIO_UNMASK_HANDLER],
				e->devs[i]->masked ? " masked" : "");
}

/* log2 histogram: "<2us 3 | <4us 10 ..." with the upper bound of each bucket */
static void text_hist(struct vt_lbuf *l, const struct vt_samples *smp)
{
	static const char *const unit[] = { "ns", "us", "ms", "s" };
	unsigned int b, u, sep = 0;
	uint32_t l2[64];
	uint64_t hi;

	vt_lat_log2(smp, l2);
	vt_lb_str(l, "      hist");
	for (b = 0; b < 64; b++) {
		if (!l2[b])
			continue;
		hi = b < 63 ? 2ull << b : UINT64_MAX;
		for (u = 0; u < 3 && hi >= 1000 * 10; u++)
			hi /= 1000;
		vt_lb_room(l);
		vt_lb_str(l, sep ? " | <" : " <");
		vt_lb_u64(l, hi);
		vt_lb_str(l, unit[u]);
		vt_lb_ch(l, ' ');
		vt_lb_u64(l, l2[b]);
		sep = 1;
	}
	vt_lb_ch(l, '\n');
}

static void text_latency(struct vt_engine *e, FILE *f)
{
	uint64_t p50, p99, max;
	struct vt_lbuf l;
	unsigned int st;
	size_t i;

	fprintf(f, "\nlatency per stage (ns since the previous stage of the same delivery cycle;\n"
		   "producer clock; on an emulated (TCG) host these are emulation-relative:\n"
		   "compare ratios, not absolute values; hist: log2 buckets, upper bound and count):\n");
	vt_lb_init(&l, f);
	for (i = 0; i < e->nr_irqs; i++) {
		const struct vt_irq *q = e->irqs[i];

		for (st = 0; st < VT_ST_MAX; st++) {
			if (vt_lat_pct(&q->lat[st], &p50, &p99, &max))
				continue;
			/* "  %u %u %-10s n %u p50 %llu p99 %llu max %llu" */
			vt_lb_str(&l, "  ");
			vt_lb_u64(&l, q->vm_id);
			vt_lb_ch(&l, ' ');
			vt_lb_u64(&l, q->intid);
			vt_lb_ch(&l, ' ');
			vt_lb_strw(&l, vt_stage_name(st), -10);
			vt_lb_room(&l);
			vt_lb_str(&l, " n ");
			vt_lb_u64(&l, q->lat[st].n);
			vt_lb_str(&l, " p50 ");
			vt_lb_u64(&l, p50);
			vt_lb_str(&l, " p99 ");
			vt_lb_u64(&l, p99);
			vt_lb_room(&l);
			vt_lb_str(&l, " max ");
			vt_lb_u64(&l, max);
			vt_lb_ch(&l, '\n');
			text_hist(&l, &q->lat[st]);
			vt_lb_room(&l);
		}
	}
	vt_lb_flush(&l);
}

int vt_engine_report_text(struct vt_engine *e, FILE *f)
{
	vt_irqs_sort(e);
	text_header(e, f);
	text_findings(e, f);
	text_irqs(e, f);
	text_latency(e, f);
	return ferror(f) ? -5 : 0;
}
