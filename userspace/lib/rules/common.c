// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * common.c - helpers shared by the rules: whether the whole trace is
 * known, waits scaled to the latencies the trace itself shows, the
 * kernel name and the LR count a producer really recorded.
 */
#include <stdio.h>
#include "rule.h"

bool vt_rule_file_mode(const struct vt_engine *e)
{
	return e->opts.window_ns == VT_WINDOW_ALL;
}

uint64_t vt_rule_longest_step(const struct vt_engine *e,
			      const struct vt_irq *skip)
{
	static const enum vt_stage st[] = {
		VT_ST_LR_P, VT_ST_ACTIVE, VT_ST_EOI, VT_ST_ACK,
	};
	uint64_t best = 0, hi;
	unsigned int k;
	size_t i;
	int b;

	/* all IRQs: kept as the trace is read */
	if (!skip) {
		if (!e->step_bit)
			return 0;
		b = e->step_bit - 1;
		return b >= 62 ? UINT64_MAX / 8 : 2ull << b;
	}
	for (i = 0; i < e->nr_irqs; i++) {
		if (e->irqs[i] == skip)
			continue;
		for (k = 0; k < sizeof(st) / sizeof(st[0]); k++) {
			const struct vt_samples *s = &e->irqs[i]->lat[st[k]];

			if (!s->n)
				continue;
			/* the highest log2 bucket: the one of the exact max */
			b = s->max ? 63 - __builtin_clzll(s->max) : 0;
			hi = b >= 62 ? UINT64_MAX / 8 : 2ull << b;
			if (hi > best)
				best = hi;
		}
	}
	return best;
}

uint64_t vt_rule_wait(const struct vt_engine *e, uint64_t base,
		      const struct vt_irq *skip)
{
	uint64_t step = vt_rule_longest_step(e, skip);

	return step > base / 4 ? 4 * step : base;
}

const char *vt_rule_kernel(const struct vt_engine *e)
{
	return e->facts.kernel_release[0] ? e->facts.kernel_release :
					    "unknown kernel";
}

const char *vt_rule_fmt_ms(uint64_t ns, char *buf, size_t len)
{
	snprintf(buf, len, "%llu.%03llu ms", (unsigned long long)(ns / 1000000),
		 (unsigned long long)(ns / 1000 % 1000));
	return buf;
}

unsigned int vt_rule_nr_lrs(const struct vt_engine *e)
{
	return e->seen_nr_lrs ? e->seen_nr_lrs : e->facts.nr_lrs;
}

unsigned int vt_rule_lr_order(const struct vt_ev_lrs *lrs, unsigned int *idx)
{
	unsigned int i, j, n = 0, t;

	for (i = 0; i < lrs->used; i++) {
		if (!lrs->irq[i])
			continue;
		for (j = 0; j < n && lrs->irq[idx[j]] != lrs->irq[i]; j++)
			;
		if (j == n)
			idx[n++] = i;
	}
	/* insertion sort by (VM, INTID): at most VT_MAX_LR entries */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && vt_irq_cmp(&lrs->irq[idx[j - 1]],
						&lrs->irq[idx[j]]) > 0; j--) {
			t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	return n;
}
