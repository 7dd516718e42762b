// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * findings.c - record a finding with the IRQ's last transitions as
 * evidence and hand it to the live callback; impossible states (BUG).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rule.h"

const char *vt_severity_name(enum vt_severity s)
{
	switch (s) {
	case VT_SEV_ERROR:
		return "ERROR";
	case VT_SEV_WARNING:
		return "WARNING";
	default:
		return "INFO";
	}
}

void vt_fmt_ts(uint64_t ts, char *buf, size_t len)
{
	snprintf(buf, len, "%llu.%09llu", (unsigned long long)(ts / 1000000000ull),
		 (unsigned long long)(ts % 1000000000ull));
}

void vt_finding_add(struct vt_engine *e, const struct vt_rule *rule,
		    enum vt_severity sev, struct vt_irq *irq, uint32_t vcpu,
		    uint64_t ts, const char *fmt, ...)
{
	struct vt_finding *f;
	unsigned int i, n, first;
	char tsb[32];
	va_list ap;
	size_t o;

	if (e->nr_findings == e->cap_findings) {
		unsigned int cap = e->cap_findings ? e->cap_findings * 2 : 16;
		void *nf = realloc(e->findings, cap * sizeof(*f));

		if (!nf)
			return;
		e->findings = nf;
		e->cap_findings = cap;
	}
	f = &e->findings[e->nr_findings++];
	memset(f, 0, sizeof(*f));
	f->rule = rule->name;
	f->severity = sev;
	f->vm_id = irq ? irq->vm_id : VT_NO_VM;
	f->intid = irq ? irq->intid : VT_NO_INTID;
	f->vcpu_id = vcpu;
	f->ts_ns = ts;
	va_start(ap, fmt);
	vsnprintf(f->summary, sizeof(f->summary), fmt, ap);
	va_end(ap);
	if (irq) {
		irq->reported |= 1u << rule->index;
		n = irq->hist_n < VT_EVIDENCE_MAX ? irq->hist_n : VT_EVIDENCE_MAX;
		first = irq->hist_n - n;
		for (i = 0; i < n; i++) {
			unsigned int k = (first + i) % VT_HIST_LEN;

			vt_fmt_ts(irq->hist[k].ts, tsb, sizeof(tsb));
			/* "<ts> <text>", the text as kept (VT_HIST_TEXT - 1) */
			o = (size_t)snprintf(f->evidence[i], VT_EVIDENCE_LEN,
					     "%s ", tsb);
			if (o < VT_EVIDENCE_LEN - 1)
				vt_hist_format(e, irq, k, f->evidence[i] + o,
					       VT_EVIDENCE_LEN - o < VT_HIST_TEXT ?
					       VT_EVIDENCE_LEN - o : VT_HIST_TEXT);
		}
		f->nr_evidence = n;
	}
	if (e->opts.cb)
		e->opts.cb(f, e->opts.cb_arg);
}

void vt_eng_bug(struct vt_engine *e, const char *fmt, ...)
{
	char buf[200], **nb;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (e->nr_bugs >= 100) {
		e->nr_bugs++;
		return;
	}
	nb = realloc(e->bugs, (e->nr_bugs + 1) * sizeof(*nb));
	if (!nb)
		return;
	e->bugs = nb;
	e->bugs[e->nr_bugs] = strdup(buf);
	if (e->bugs[e->nr_bugs])
		e->nr_bugs++;
}
