// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * engine.c - engine life cycle, record reordering and helpers shared
 * by the handlers and rules.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_internal.h"

static const struct vt_rule *const rules[] = {
	&vt_rule_missed_resample,
	&vt_rule_masked_forever,
	&vt_rule_mmio_cleared,
	&vt_rule_eoi_lost,
	&vt_rule_storm,
	&vt_rule_migration,
};

struct vt_slot {
	uint64_t ts;
	uint64_t seq;
	struct vt_hdr *rec;
};

int vt_engine_new(const struct vt_engine_opts *opts, struct vt_engine **out)
{
	struct vt_engine *e;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (opts)
		e->opts = *opts;
	if (!e->opts.window_ns)
		e->opts.window_ns = VT_DEF_WINDOW_NS;
	if (!e->opts.masked_ns)
		e->opts.masked_ns = VT_DEF_MASKED_NS;
	if (!e->opts.storm_per_sec)
		e->opts.storm_per_sec = VT_DEF_STORM_PER_SEC;
	if (!e->opts.storm_still)
		e->opts.storm_still = VT_DEF_STORM_STILL;
	if (!e->opts.ack_wait_ns)
		e->opts.ack_wait_ns = VT_DEF_ACK_WAIT_NS;
	if (e->opts.facts) {
		e->facts = *e->opts.facts;
		e->have_facts = true;
	}
	e->opts.facts = NULL;
	*out = e;
	return 0;
}

void vt_engine_set_read_status(struct vt_engine *e,
			       const struct vt_read_status *st)
{
	e->rstat = *st;
	e->have_rstat = true;
}

void vt_eng_emit(struct vt_engine *e, const struct vt_ev *ev)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i]->event)
			rules[i]->event(e, ev);
}

static int process(struct vt_engine *e, const struct vt_hdr *rec)
{
	struct vt_ev ev;

	if (!e->started) {
		e->started = true;
		e->first_ts = rec->ts_ns;
		e->next_tick = rec->ts_ns;
	}
	if (rec->ts_ns < e->now)
		e->late++;
	else
		e->now = rec->ts_ns;
	e->records++;
	e->by_type[rec->type]++;
	if (e->now >= e->next_tick) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = VT_EV_TICK;
		ev.ts = e->now;
		vt_eng_emit(e, &ev);
		e->next_tick = e->now + 1000000;
	}
	return vt_eng_dispatch(e, rec);
}

static struct vt_slot *slots(struct vt_engine *e)
{
	return (struct vt_slot *)e->buf;
}

static int slot_cmp(const void *a, const void *b)
{
	const struct vt_slot *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Process buffered records older than @limit (all if @all). */
static int drain(struct vt_engine *e, uint64_t limit, bool all)
{
	struct vt_slot *s = slots(e);
	int ret = 0, r;

	while (e->buf_head < e->buf_len &&
	       (all || s[e->buf_head].ts < limit)) {
		r = process(e, s[e->buf_head].rec);
		if (r && !ret)
			ret = r;
		free(s[e->buf_head].rec);
		e->buf_head++;
	}
	if (e->buf_head == e->buf_len) {
		e->buf_head = 0;
		e->buf_len = 0;
	} else if (e->buf_head > 1024 && e->buf_head * 2 > e->buf_len) {
		memmove(s, s + e->buf_head,
			(e->buf_len - e->buf_head) * sizeof(*s));
		e->buf_len -= e->buf_head;
		e->buf_head = 0;
	}
	return ret;
}

int vt_engine_feed(struct vt_engine *e, const struct vt_hdr *rec)
{
	struct vt_slot *s;
	char err[120];
	size_t i;
	int ret;

	ret = vt_record_check(rec, VT_REC_MAX_SIZE, err, sizeof(err));
	if (ret) {
		e->invalid++;
		if (e->invalid <= 5)
			vt_eng_bug(e, "invalid record rejected: %s", err);
		return ret;
	}
	if (e->buf_len == e->buf_cap) {
		size_t cap = e->buf_cap ? e->buf_cap * 2 : 1024;
		void *nb = realloc(e->buf, cap * sizeof(struct vt_slot));

		if (!nb)
			return -ENOMEM;
		e->buf = nb;
		e->buf_cap = cap;
	}
	s = slots(e);
	i = e->buf_len;
	s[i].rec = malloc(rec->size);
	if (!s[i].rec)
		return -ENOMEM;
	memcpy(s[i].rec, rec, rec->size);
	s[i].ts = rec->ts_ns;
	s[i].seq = e->seq++;
	e->buf_len++;
	if (rec->ts_ns < e->max_ts)
		e->reordered++;
	else
		e->max_ts = rec->ts_ns;
	if (e->opts.window_ns == VT_WINDOW_ALL)
		return 0;		/* sorted at finish */
	/* Live: keep the window sorted (stable) by insertion. */
	while (i > e->buf_head && s[i - 1].ts > s[i].ts) {
		struct vt_slot t = s[i - 1];

		s[i - 1] = s[i];
		s[i] = t;
		i--;
	}
	if (e->max_ts < e->opts.window_ns)
		return 0;
	return drain(e, e->max_ts - e->opts.window_ns, false);
}

int vt_engine_tick(struct vt_engine *e, uint64_t now_ns)
{
	struct vt_ev ev;
	int ret = 0;

	if (e->opts.window_ns != VT_WINDOW_ALL && now_ns > e->opts.window_ns)
		ret = drain(e, now_ns - e->opts.window_ns, false);
	if (!e->started || e->buf_len > e->buf_head || now_ns <= e->now)
		return ret;
	/* Everything buffered is processed: the engine's clock may move on. */
	e->now = now_ns;
	memset(&ev, 0, sizeof(ev));
	ev.kind = VT_EV_TICK;
	ev.ts = now_ns;
	vt_eng_emit(e, &ev);
	e->next_tick = now_ns + 1000000;
	return ret;
}

int vt_engine_finish(struct vt_engine *e)
{
	size_t i;
	int ret;

	if (e->opts.window_ns == VT_WINDOW_ALL && e->buf_len > e->buf_head)
		qsort(slots(e) + e->buf_head, e->buf_len - e->buf_head,
		      sizeof(struct vt_slot), slot_cmp);
	ret = drain(e, 0, true);
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i]->finish)
			rules[i]->finish(e);
	return ret;
}

bool vt_eng_arm64(const struct vt_engine *e)
{
	if (e->facts.gic_version || e->seen_gic)
		return true;
	if (!strncmp(e->facts.arch, "aarch64", 7) ||
	    !strncmp(e->facts.arch, "arm64", 5))
		return true;
	/* x86 hosts say so; an unknown host is taken as arm64. */
	return !(e->facts.arch[0] && (strstr(e->facts.arch, "86")));
}

unsigned int vt_eng_nr_lrs(const struct vt_engine *e, const struct vt_rec_lr *r)
{
	if (r && r->nr_lrs)
		return r->nr_lrs;
	if (e->seen_nr_lrs)
		return e->seen_nr_lrs;
	return e->facts.nr_lrs;
}

unsigned int vt_eng_nr_lrs_inferred(const struct vt_engine *e,
				    const struct vt_rec_lr *r, bool *inferred)
{
	unsigned int nr = vt_eng_nr_lrs(e, r);

	*inferred = !nr && e->max_used_lrs >= 2;
	return nr ? nr : (*inferred ? e->max_used_lrs : 0);
}

bool vt_eng_kernel_at_least(const struct vt_engine *e, int major, int minor)
{
	int ma = 0, mi = 0;

	if (sscanf(e->facts.kernel_release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
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

unsigned int vt_engine_nr_findings(const struct vt_engine *e)
{
	return e->nr_findings;
}

const struct vt_finding *vt_engine_finding(const struct vt_engine *e,
					   unsigned int i)
{
	return i < e->nr_findings ? &e->findings[i] : NULL;
}

uint64_t vt_engine_lost(const struct vt_engine *e)
{
	return e->lost;
}

unsigned int vt_engine_nr_bugs(const struct vt_engine *e)
{
	return e->nr_bugs;
}

void vt_engine_free(struct vt_engine *e)
{
	size_t i;

	if (!e)
		return;
	for (i = e->buf_head; i < e->buf_len; i++)
		free(slots(e)[i].rec);
	free(e->buf);
	vt_objects_free(e);
	for (i = 0; i < e->nr_bugs && i < 100; i++)
		free(e->bugs[i]);
	free(e->bugs);
	free(e->findings);
	free(e);
}
