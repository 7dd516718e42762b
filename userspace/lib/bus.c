// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bus.c - the rule bus: the rule table (rules/rules.def), the layout of
 * the rules' per-IRQ and per-device state, the event dispatch (compiled
 * from the subscriptions in rules.def), and the one deadline facility the
 * rules share (arm, cancel, fire from time in live mode or at a vCPU's
 * next entry).
 *
 * Deadlines cost what is armed, never what exists: each rule keeps a
 * list of the IRQs it armed (swap-removed on cancel), a tick walks only
 * those, and a deadline "until the vCPU's next entry" sits on that
 * vCPU's list, which its next FLUSH empties.
 */
#include <stdlib.h>
#include <string.h>
#include "dispatch.h"	/* (the rules' event hooks, vt_bus_kind_irq()) */

static const struct vt_rule *const rules[] = {
#define VT_RULE(sym, ...) &vt_rule_##sym,
#include "rules/rules.def"
#undef VT_RULE
};

_Static_assert(sizeof(rules) / sizeof(rules[0]) == VT_NR_RULES,
	       "rules.def and the rule table disagree");
_Static_assert(VT_NR_RULES <= 32, "vt_irq.reported has 32 bits");
#define VT_EV_ONE(kind) + 1
_Static_assert(0 VT_EV_KINDS(VT_EV_ONE) == VT_EV_MAX,
	       "VT_EV_KINDS() and enum vt_ev_kind disagree");
#undef VT_EV_ONE

const struct vt_rule *const *vt_rules_table(unsigned int *n)
{
	*n = VT_NR_RULES;
	return rules;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

void vt_bus_init(struct vt_engine *e)
{
	unsigned int i;

	e->irq_priv = e->dev_priv = 0;
	for (i = 0; i < VT_NR_RULES; i++) {
		e->irq_off[i] = e->irq_priv;
		e->irq_priv += align8(rules[i]->irq_state);
		e->dev_off[i] = e->dev_priv;
		e->dev_priv += align8(rules[i]->dev_state);
	}
}

/* Double @a's room (at least 16). */
__attribute__((noinline, cold)) bool vt_armed_grow(struct vt_armed *a)
{
	size_t cap = a->cap ? a->cap * 2 : 16;
	struct vt_irq **nv = realloc(a->v, cap * sizeof(*nv));

	if (!nv)
		return false;
	a->v = nv;
	a->cap = cap;
	return true;
}

/* Double @v's wait list (at least 4). */
__attribute__((noinline, cold)) bool vt_wait_grow(struct vt_vcpu *v)
{
	uint32_t cap = v->cap_wait ? v->cap_wait * 2 : 4;
	struct vt_vwait *nw = realloc(v->wait, cap * sizeof(*nw));

	if (!nw)
		return false;
	v->wait = nw;
	v->cap_wait = cap;
	return true;
}

static int irq_ptr_cmp(const void *a, const void *b)
{
	return vt_irq_cmp(a, b);
}

struct vt_irq **vt_deadline_list(struct vt_engine *e,
				 const struct vt_rule *rule, size_t *n)
{
	struct vt_armed *a = &e->armed[rule->index];
	struct vt_irq **v;

	*n = 0;
	if (!a->n)
		return NULL;
	v = malloc(a->n * sizeof(*v));
	if (!v)
		return NULL;
	memcpy(v, a->v, a->n * sizeof(*v));
	if (a->n > 1)
		qsort(v, a->n, sizeof(*v), irq_ptr_cmp);
	*n = a->n;
	return v;
}

/* fire @irq's deadline of rule @ri, cancel it when the rule is done */
static void fire(struct vt_engine *e, unsigned int ri, struct vt_irq *irq,
		 enum vt_expire why)
{
	const struct vt_rule *r = rules[ri];

	if (r->expire(e, irq, vt_rule_irq(e, r, irq), why))
		vt_armed_del(e, ri, irq);
}

static int vwait_cmp(const void *a, const void *b)
{
	const struct vt_vwait *x = a, *y = b;
	int c = vt_irq_cmp(&x->irq, &y->irq);

	return c ? c : (int)x->rule - (int)y->rule;
}

/* @v entered: fire the deadlines armed until its next entry */
static __attribute__((noinline)) void fire_entry(struct vt_engine *e,
						 struct vt_vcpu *v)
{
	struct vt_vwait one, *w = v->wait;
	uint32_t n = v->nr_wait, i, k = 0;

	if (!n)
		return;
	/* keep the live ones: armed, for this vCPU, by this very arm */
	for (i = 0; i < n; i++) {
		struct vt_watch *wt = &w[i].irq->watch[w[i].rule];

		if (wt->pos && wt->vcpu == v->idx && wt->seq == w[i].seq)
			w[k++] = w[i];
	}
	v->nr_wait = 0;
	if (k == 1) {
		one = w[0];
		fire(e, one.rule, one.irq, VT_EXP_ENTRY);
		return;
	}
	if (!k)
		return;
	/* (VM, INTID) order, as a walk of the IRQ table gives; the rules
	 * may arm again on this vCPU while firing: work on a copy */
	w = malloc(k * sizeof(*w));
	if (!w)
		return;
	memcpy(w, v->wait, k * sizeof(*w));
	qsort(w, k, sizeof(*w), vwait_cmp);
	for (i = 0; i < k; i++) {
		struct vt_watch *wt = &w[i].irq->watch[w[i].rule];

		if (wt->pos && wt->seq == w[i].seq)
			fire(e, w[i].rule, w[i].irq, VT_EXP_ENTRY);
	}
	free(w);
}

/*
 * @v entered and has deadlines waiting for it: fire_entry(), but for the
 * common one entry left by a deadline since cancelled (an ack came: its
 * IRQ's watching bit is clear, the cold watch is not read) inline
 */
static inline void entry_waits(struct vt_engine *e, struct vt_vcpu *v)
{
	const struct vt_vwait *w = v->wait;

	if (v->nr_wait == 1 && !(w->irq->watching & (1u << w->rule))) {
		v->nr_wait = 0;		/* (not armed: fire_entry() keeps none) */
		return;
	}
	fire_entry(e, v);
}

/* live: fire rule @ri's deadlines older than its wait at @now */
static void fire_time(struct vt_engine *e, unsigned int ri, uint64_t now)
{
	const struct vt_rule *r = rules[ri];
	struct vt_armed *a = &e->armed[ri];
	uint64_t base, wait = 0;
	struct vt_irq **v;
	size_t i, n, k;

	if (!a->n || r->wait == VT_WAIT_NONE)
		return;
	base = r->wait == VT_WAIT_ACK ? e->opts.ack_wait_ns : e->opts.masked_ns;
	for (i = 0, k = 0; i < a->n; i++)
		if (now - a->v[i]->watch[ri].ts > base)
			k++;
	if (!k)
		return;
	wait = vt_rule_wait(e, base, NULL);
	v = vt_deadline_list(e, r, &n);
	for (i = 0; i < n; i++)
		if (v[i]->watch[ri].pos && now - v[i]->watch[ri].ts > wait)
			fire(e, ri, v[i], VT_EXP_TIME);
	free(v);
}

/* per rule: its TICK event, then its deadlines */
static __attribute__((noinline)) void tick(struct vt_engine *e,
					   const struct vt_ev *ev)
{
	const struct vt_rule *r;
	unsigned int ri;

	for (ri = 0; ri < VT_NR_RULES; ri++) {
		r = rules[ri];
		if (r->event && (r->events & VT_EVM(TICK)))
			r->event(e, ev, NULL);
		if (!vt_rule_file_mode(e))
			fire_time(e, ri, ev->ts);
	}
}

/*
 * The dispatch of one kind @k, compiled from rules/rules.def: for each
 * rule in table order whose events have @k, its event hook vt_on_<sym>()
 * (rules/<file>.h, inline with @k a constant: only that kind's tests
 * remain, the slow paths are calls), skipped per its armed mask (kinds
 * with an IRQ: no deadline of the rule armed on it) or its any mask
 * (kinds without: none armed at all). Inlined where @k is a constant, no
 * walk of a list, no mask loaded. @probe: no call, the mask of the rules
 * that would be called instead (vt_bus_probe()).
 */
/* (vt_bus_kind_irq(), dispatch.h: the kinds with an IRQ, the same code
 * that the handlers inline) */
static __attribute__((always_inline)) inline uint32_t
kind_irq(struct vt_engine *e, const struct vt_ev *ev, struct vt_irq *irq,
	 const unsigned int k, const bool probe)
{
	return vt_bus_kind_irq(e, ev, irq, k, probe);
}

static __attribute__((always_inline)) inline uint32_t
kind_noirq(struct vt_engine *e, const struct vt_ev *ev, const unsigned int k,
	   const bool probe)
{
	uint32_t m = 0;

#define VT_RULE(sym, ...)						\
	if ((VT_EVENTS_##sym & (1u << k)) &&				\
	    (!(VT_ANY_##sym & (1u << k)) ||				\
	     e->armed[VT_RULE_##sym].n)) {				\
		if (probe)						\
			m |= 1u << VT_RULE_##sym;			\
		else							\
			vt_on_##sym(e, ev, NULL, k);			\
	}
#include "rules/rules.def"
#undef VT_RULE
	return m;
}

/* an event of a kind with an IRQ but none: every subscriber, no state */
static __attribute__((noinline)) uint32_t no_irq(struct vt_engine *e,
						 const struct vt_ev *ev,
						 bool probe)
{
	uint32_t m = 0;
	unsigned int ri;

	for (ri = 0; ri < VT_NR_RULES; ri++) {
		if (!rules[ri]->event || !(rules[ri]->events & (1u << ev->kind)))
			continue;
		if (probe)
			m |= 1u << ri;
		else
			rules[ri]->event(e, ev, NULL);
	}
	return m;
}

/* the dispatch of kind @k (a constant where inlined) */
static __attribute__((always_inline)) inline uint32_t
kind_one(struct vt_engine *e, const struct vt_ev *ev, const unsigned int k,
	 const bool probe)
{
	uint32_t m = 0;
	unsigned int ri;

	switch (k) {
	case VT_EV_FLUSH:
		/* (the rare path out of line) */
		if (!probe && ev->vcpu->nr_wait)
			entry_waits(e, ev->vcpu);
		return kind_noirq(e, ev, VT_EV_FLUSH, probe);
	case VT_EV_FOLD:
		return kind_noirq(e, ev, VT_EV_FOLD, probe);
	case VT_EV_TICK:
		if (!probe) {
			tick(e, ev);
			return 0;
		}
		for (ri = 0; ri < VT_NR_RULES; ri++)	/* (as tick() calls) */
			if (rules[ri]->event &&
			    (rules[ri]->events & VT_EVM(TICK)))
				m |= 1u << ri;
		return m;
	default:	/* the kinds with an IRQ */
		if (__builtin_expect(!ev->irq, 0))
			return no_irq(e, ev, probe);
		return kind_irq(e, ev, ev->irq, k, probe);
	}
}

static __attribute__((always_inline)) inline uint32_t
dispatch(struct vt_engine *e, const struct vt_ev *ev, const bool probe)
{
	switch (ev->kind) {
#define VT_EV_CASE(kind)						\
	case VT_EV_##kind:						\
		return kind_one(e, ev, VT_EV_##kind, probe);
	VT_EV_KINDS(VT_EV_CASE)
#undef VT_EV_CASE
	default:
		return 0;
	}
}

/* (vt_bus_emit() where the kind is not known at compile time) */
void vt_bus_emit_any(struct vt_engine *e, const struct vt_ev *ev)
{
	if (e->opts.no_analysis)
		return;
	dispatch(e, ev, false);
}

#define VT_EV_FN(kind)							\
void vt_bus_emit_##kind(struct vt_engine *e, const struct vt_ev *ev)	\
{									\
	if (!e->opts.no_analysis)					\
		kind_one(e, ev, VT_EV_##kind, false);			\
}
VT_EV_KINDS(VT_EV_FN)
#undef VT_EV_FN

uint32_t vt_bus_probe(struct vt_engine *e, const struct vt_ev *ev)
{
	return dispatch(e, ev, true);
}

void vt_bus_finish(struct vt_engine *e)
{
	unsigned int i;

	if (e->opts.no_analysis)
		return;
	for (i = 0; i < VT_NR_RULES; i++)
		if (rules[i]->finish)
			rules[i]->finish(e);
}

void vt_bus_free_irq(struct vt_engine *e, struct vt_irq *irq)
{
	unsigned int i;

	for (i = 0; i < VT_NR_RULES; i++)
		if (rules[i]->irq_free)
			rules[i]->irq_free(vt_rule_irq(e, rules[i], irq));
}

void vt_bus_free(struct vt_engine *e)
{
	unsigned int i;

	for (i = 0; i < VT_NR_RULES; i++)
		free(e->armed[i].v);
}
