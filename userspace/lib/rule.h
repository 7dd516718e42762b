/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rule.h - what a rule (userspace/lib/rules/) sees of the engine: the
 * typed events the handlers derive from records, the rule descriptor,
 * its private state, deadlines and the helpers shared by the rules.
 *
 * A rule is one file defining `const struct vt_rule vt_rule_<sym>` plus
 * one entry VT_RULE(<sym>, events...) in rules/rules.def, which declares
 * the events it wants (its descriptor takes them with VT_RULE_SUBS()).
 * The descriptor gives the hooks it needs and the size of its per-IRQ
 * (and per device) state, which the engine allocates zeroed with each
 * object and passes to the rule; it never casts a raw record.
 */
#ifndef VT_RULE_H
#define VT_RULE_H

#include "engine_internal.h"

/* A derived event given to the rules. */
enum vt_ev_kind {
	VT_EV_INJECT,		/* kvm_vgic_inject_irq: @inject */
	VT_EV_STATE,		/* vgic state snapshot: @state */
	VT_EV_ACK,		/* kvm_notify_acked_irq for @irq */
	VT_EV_RESAMPLE,		/* irqfd_resampler_ack: @resample */
	VT_EV_IRQFD,		/* irqfd (de)assign: @irqfd */
	VT_EV_VFIO,		/* VFIO INTx event of @irq's device: @vfio */
	VT_EV_MMIO,		/* guest distributor write, per INTID: @mmio */
	VT_EV_DEACT,		/* @irq deactivated outside an LR run (DIR
				 * trap, EOIcount replay, per-LR fold): @deact */
	VT_EV_LR_RUN,		/* one LR matched entry -> exit: @run */
	VT_EV_FLUSH,		/* a vCPU entered: @lr (before the IRQs'
				 * state is updated with the new LRs) */
	VT_EV_FOLD,		/* a vCPU exited: @lr (after its LR_RUNs) */
	VT_EV_TICK,		/* time passed (every 1 ms of trace time) */
	VT_EV_MAX,
};

#define VT_EVM(kind)		(1u << VT_EV_##kind)

/* every kind: X(kind) for each (bus.c compiles one dispatch per kind) */
#define VT_EV_KINDS(X)							\
	X(INJECT) X(STATE) X(ACK) X(RESAMPLE) X(IRQFD) X(VFIO) X(MMIO)	\
	X(DEACT) X(LR_RUN) X(FLUSH) X(FOLD) X(TICK)

/* the LRs of one entry or exit, decoded once */
struct vt_ev_lrs {
	unsigned int used;		/* used_lrs (at most VT_MAX_LR) */
	unsigned int nr_lrs;		/* the record's LR count, 0 unknown */
	bool hcr_valid;
	unsigned int eoicount;		/* ICH_HCR EOIcount (if @hcr_valid) */
	struct vt_lr lr[VT_MAX_LR];	/* decoded; state INVALID if undecodable */
	struct vt_irq *irq[VT_MAX_LR];	/* FLUSH: IRQ of each valid LR, else NULL */
};

/**
 * struct vt_ev - a typed event
 * @kind:	VT_EV_*
 * @ts:		time of the record it comes from
 * @irq:	the IRQ it concerns (never NULL except FLUSH, FOLD, TICK)
 * @vcpu:	the vCPU (LR events, DEACT), else NULL
 */
struct vt_ev {
	enum vt_ev_kind kind;
	uint64_t ts;
	struct vt_irq *irq;
	struct vt_vcpu *vcpu;
	union {
		struct {
			bool level;
			uint8_t source;		/* VT_SRC_* */
			bool failed;
			uint32_t vcpu_id;	/* record's vCPU, VT_NO_VCPU none */
		} inject;
		struct {
			bool retarget;		/* the target changed */
			uint32_t new_target;
			uint32_t ap_vcpu;	/* vCPU it was active on */
		} state;
		struct {
			uint32_t gsi;
		} resample;
		struct {
			uint32_t gsi;
			bool deassign;
			bool failed;
			bool resample;		/* with a resamplefd */
		} irqfd;
		struct {
			uint8_t event;		/* VT_VFIO_* */
			uint8_t result;
			bool masked;		/* the line's mask after it */
		} vfio;
		struct {
			uint8_t reg;		/* VT_MMIO_* */
			bool retarget;		/* IROUTER/ITARGETSR moved it */
			uint32_t new_target;
		} mmio;
		struct {
			unsigned int how;	/* VT_DEACT_* */
		} deact;
		struct {
			int index;		/* LR index */
			bool have_in;		/* the entry's LR is known */
			struct vt_lr in, out;
			bool eoied;		/* the guest deactivated it */
		} run;
		const struct vt_ev_lrs *lr;	/* FLUSH, FOLD */
	};
};

/* why a deadline fired */
enum vt_expire {
	VT_EXP_TIME,		/* live: older than the rule's wait */
	VT_EXP_ENTRY,		/* the vCPU it names entered again */
};

/* the configured wait a rule's deadlines use in live mode */
enum vt_wait {
	VT_WAIT_NONE,		/* a watch only: never fires from time */
	VT_WAIT_ACK,		/* opts.ack_wait_ns, scaled (vt_rule_wait()) */
	VT_WAIT_MASKED,		/* opts.masked_ns, scaled */
};

/**
 * struct vt_rule - one anomaly rule (userspace/lib/rules/)
 * @name:	rule name as printed
 * @index:	VT_RULE_<sym>, from rules/rules.def
 * @events:	mask of VT_EVM() kinds given to @event
 * @armed_events: of @events, the kinds given to @event only for an IRQ
 *		on which the rule has a deadline armed (events it would
 *		ignore otherwise: the bus skips the call)
 * @armed_any_events: of @events without an IRQ, the kinds given to
 *		@event only while the rule has a deadline armed on some IRQ
 *		(the three masks come from rules/rules.def: VT_RULE_SUBS())
 * @hooks:	VT_HOOK_* it needs (all of them; 0 ends)
 * @needs_fold:	it also needs one of the LR fold hooks
 * @irq_state:	bytes of per-IRQ state (zeroed, 8-byte aligned)
 * @dev_state:	bytes of per-device state
 * @wait:	what its deadlines wait for in live mode
 * @event:	called for each event of @events; @st is the rule's state of
 *		ev->irq (NULL when the event has no IRQ)
 * @expire:	a deadline armed on @irq fired; return true when done (the
 *		engine cancels it), false to keep it armed (checked again at
 *		the next tick)
 * @finish:	called once at the end of input
 * @irq_free:	frees what the rule allocated in an IRQ's state, or NULL
 */
struct vt_rule {
	const char *name;
	unsigned int index;
	uint32_t events;
	uint32_t armed_events;
	uint32_t armed_any_events;
	uint16_t hooks[4];
	bool needs_fold;
	size_t irq_state;
	size_t dev_state;
	enum vt_wait wait;
	void (*event)(struct vt_engine *e, const struct vt_ev *ev, void *st);
	bool (*expire)(struct vt_engine *e, struct vt_irq *irq, void *st,
		       enum vt_expire why);
	void (*finish)(struct vt_engine *e);
	void (*irq_free)(void *st);
};

#define VT_RULE(sym, ...) extern const struct vt_rule vt_rule_##sym;
#include "rules/rules.def"
#undef VT_RULE

/* each rule's subscription (rules/rules.def), as compile-time constants */
#define VT_RULE(sym, ev, armed, any)					\
	enum { VT_EVENTS_##sym = (ev), VT_ARMED_##sym = (armed),	\
	       VT_ANY_##sym = (any) };
#include "rules/rules.def"
#undef VT_RULE

/* a rule descriptor's @events, @armed_events, @armed_any_events */
#define VT_RULE_SUBS(sym)						\
	.events = VT_EVENTS_##sym, .armed_events = VT_ARMED_##sym,	\
	.armed_any_events = VT_ANY_##sym

/* bus.c: the rule table, events, state, deadlines */

/**
 * vt_rules_table() - the rules in table order
 * @n:		set to the number of rules
 *
 * Return: array of @n rules.
 */
const struct vt_rule *const *vt_rules_table(unsigned int *n);

/**
 * vt_bus_init() - lay out the rules' state
 * @e:		engine
 */
void vt_bus_init(struct vt_engine *e);

/**
 * vt_bus_emit() - hand @ev to the rules that asked for its kind. A FLUSH
 * first fires the deadlines armed until that vCPU's entry; a TICK (live
 * mode) then fires each rule's deadlines older than its wait.
 * @e:		engine
 * @ev:		event
 */
static inline void vt_bus_emit(struct vt_engine *e, const struct vt_ev *ev);

/* vt_bus_emit() of an event of any kind, and of each kind */
void vt_bus_emit_any(struct vt_engine *e, const struct vt_ev *ev);
#define VT_EV_DECL(kind)						\
	void vt_bus_emit_##kind(struct vt_engine *e, const struct vt_ev *ev);
VT_EV_KINDS(VT_EV_DECL)
#undef VT_EV_DECL

static inline void vt_bus_emit(struct vt_engine *e, const struct vt_ev *ev)
{
	/* a kind known where this is inlined: its dispatch, no switch */
	if (__builtin_constant_p(ev->kind)) {
		switch (ev->kind) {
#define VT_EV_CASE(kind)						\
		case VT_EV_##kind:					\
			vt_bus_emit_##kind(e, ev);			\
			return;
		VT_EV_KINDS(VT_EV_CASE)
#undef VT_EV_CASE
		default:
			break;
		}
	}
	vt_bus_emit_any(e, ev);
}

/**
 * vt_bus_probe() - which rules vt_bus_emit() would give @ev to, without
 * calling them or firing deadlines (for the unit tests: the very same
 * dispatch code, its calls replaced by a mask)
 * @e:		engine (its armed lists are read)
 * @ev:		event (its kind, and its IRQ's armed deadlines, are read)
 *
 * Return: bit VT_RULE_<sym> set for each rule called.
 */
uint32_t vt_bus_probe(struct vt_engine *e, const struct vt_ev *ev);

/**
 * vt_bus_finish() - call every rule's finish, in table order
 * @e:		engine
 */
void vt_bus_finish(struct vt_engine *e);

/**
 * vt_bus_free_irq() - free what the rules allocated in @irq's state
 * @e:		engine
 * @irq:	IRQ
 */
void vt_bus_free_irq(struct vt_engine *e, struct vt_irq *irq);
void vt_bus_free(struct vt_engine *e);

/**
 * vt_rule_irq() - @rule's state of @irq
 * @e:		engine
 * @rule:	rule
 * @irq:	IRQ
 *
 * Return: its @rule->irq_state bytes.
 */
static inline void *vt_rule_irq(const struct vt_engine *e,
				const struct vt_rule *rule, struct vt_irq *irq)
{
	return irq->priv + e->irq_off[rule->index];
}

static inline void *vt_rule_dev(const struct vt_engine *e,
				const struct vt_rule *rule, struct vt_dev *d)
{
	return d->priv + e->dev_off[rule->index];
}

/**
 * vt_reported() - has @rule already reported @irq?
 * @irq:	IRQ (NULL: false)
 * @rule:	rule
 *
 * Return: true after a vt_finding_add() of @rule for @irq.
 */
static inline bool vt_reported(const struct vt_irq *irq,
			       const struct vt_rule *rule)
{
	return irq && (irq->reported & (1u << rule->index));
}

/**
 * vt_deadline_arm() - arm (or re-arm) @rule's deadline on @irq: in live
 * mode it fires (@rule->expire) once older than the rule's wait; with
 * @until_entry it fires at that vCPU's next entry too
 * @e:		engine
 * @rule:	rule
 * @irq:	IRQ
 * @ts:		time it starts (the wait counts from it)
 * @until_entry: vCPU whose next entry fires it, or NULL
 */
static inline void vt_deadline_arm(struct vt_engine *e,
				   const struct vt_rule *rule,
				   struct vt_irq *irq, uint64_t ts,
				   struct vt_vcpu *until_entry);

/**
 * vt_deadline_cancel() - cancel @rule's deadline on @irq (an ack came,
 * the chain went on); nothing if none is armed
 * @e:		engine
 * @rule:	rule
 * @irq:	IRQ
 */
static inline void vt_deadline_cancel(struct vt_engine *e,
				      const struct vt_rule *rule,
				      struct vt_irq *irq);

/*
 * bus.c: the room of a rule's armed list and of a vCPU's wait list,
 * doubled (out of line: vt_deadline_arm() inline saves no register);
 * false when out of memory
 */
bool vt_armed_grow(struct vt_armed *a);
bool vt_wait_grow(struct vt_vcpu *v);

/* (inline: called per delivery cycle; the growth out of line) */
static inline void vt_deadline_arm(struct vt_engine *e,
				   const struct vt_rule *rule,
				   struct vt_irq *irq, uint64_t ts,
				   struct vt_vcpu *until_entry)
{
	unsigned int ri = rule->index;
	struct vt_armed *a = &e->armed[ri];
	struct vt_watch *w = &irq->watch[ri];

	if (!w->pos) {
		if (__builtin_expect(a->n == a->cap, 0) && !vt_armed_grow(a))
			return;
		a->v[a->n++] = irq;
		w->pos = (uint32_t)a->n;
	}
	w->ts = ts ? ts : 1;
	irq->watching |= 1u << ri;
	w->seq++;
	w->vcpu = VT_NO_VCPU;
	if (until_entry) {
		struct vt_vcpu *v = until_entry;

		if (__builtin_expect(v->nr_wait == v->cap_wait, 0) &&
		    !vt_wait_grow(v))
			return;
		v->wait[v->nr_wait].irq = irq;
		v->wait[v->nr_wait].rule = ri;
		v->wait[v->nr_wait].seq = w->seq;
		v->nr_wait++;
		w->vcpu = v->idx;
	}
}

/* rule @ri's deadline on @irq off its list (inline: per ack) */
static inline void vt_armed_del(struct vt_engine *e, unsigned int ri,
				struct vt_irq *irq)
{
	struct vt_armed *a = &e->armed[ri];
	struct vt_watch *w = &irq->watch[ri];
	struct vt_irq *last;

	if (!(irq->watching & (1u << ri)))
		return;		/* (the bit: no read of the cold @watch) */
	last = a->v[--a->n];
	a->v[w->pos - 1] = last;
	last->watch[ri].pos = w->pos;
	w->pos = 0;
	w->ts = 0;
	w->vcpu = VT_NO_VCPU;
	irq->watching &= ~(1u << ri);
}

static inline void vt_deadline_cancel(struct vt_engine *e,
				      const struct vt_rule *rule,
				      struct vt_irq *irq)
{
	vt_armed_del(e, rule->index, irq);
}

/**
 * vt_deadline_armed() - time @rule's deadline on @irq was armed at
 * @irq:	IRQ
 * @rule:	rule
 *
 * Return: its start time, 0 when not armed.
 */
static inline uint64_t vt_deadline_armed(const struct vt_irq *irq,
					 const struct vt_rule *rule)
{
	/* (the bit first: most IRQs have no deadline armed) */
	if (!(irq->watching & (1u << rule->index)))
		return 0;
	return irq->watch[rule->index].ts;
}

/**
 * vt_deadline_list() - the IRQs with @rule's deadline armed, sorted by
 * (VM, INTID): a copy, so the caller may arm and cancel while walking it
 * @e:		engine
 * @rule:	rule
 * @n:		set to the number of IRQs
 *
 * Return: malloc'd array for free(), NULL when @n is 0 (or no memory).
 */
struct vt_irq **vt_deadline_list(struct vt_engine *e,
				 const struct vt_rule *rule, size_t *n);

/* findings.c */

/**
 * vt_finding_add() - record a finding with @irq's last transitions as
 * evidence, mark the rule reported for @irq and call the live callback
 * @e:		engine
 * @rule:	the rule making it
 * @sev:	severity
 * @irq:	IRQ concerned, or NULL
 * @vcpu:	vCPU concerned, or VT_NO_VCPU
 * @ts:		time of the proving record
 * @fmt:	printf format of the summary
 */
void vt_finding_add(struct vt_engine *e, const struct vt_rule *rule,
		    enum vt_severity sev, struct vt_irq *irq, uint32_t vcpu,
		    uint64_t ts, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* rules/common.c: helpers shared by the rules */

/**
 * vt_rule_file_mode() - is the whole input known (file analysis)?
 * @e:		engine
 *
 * With the whole trace known, "never delivered"/"never acked" verdicts
 * wait for what the trace shows next instead of a time threshold.
 *
 * Return: true for file analysis (VT_WINDOW_ALL).
 */
bool vt_rule_file_mode(const struct vt_engine *e);

/**
 * vt_rule_longest_step() - the longest single step of a delivery cycle
 * that this trace shows completed (assert -> LR, LR -> active, active ->
 * EOI, EOI -> ack), from the latency histograms (bucket upper bound)
 * @e:		engine
 * @skip:	IRQ left out (the one judged at the end of a trace: its own
 *		late samples are its hang, not the host's pace), or NULL
 *
 * Return: ns, 0 if no cycle step was measured.
 */
uint64_t vt_rule_longest_step(const struct vt_engine *e,
			      const struct vt_irq *skip);

/**
 * vt_rule_wait() - how long to wait for an ack or a delivery before
 * calling it missing: @base, or 4x the longest step this trace shows
 * when that is longer (slow, emulated hosts)
 * @e:		engine
 * @base:	the configured wait (e.g. opts.ack_wait_ns)
 * @skip:	IRQ left out of the scale (see vt_rule_longest_step())
 *
 * Return: ns.
 */
uint64_t vt_rule_wait(const struct vt_engine *e, uint64_t base,
		      const struct vt_irq *skip);

/**
 * vt_rule_kernel() - kernel release of the traced host for findings
 * @e:		engine
 *
 * Return: the release, or "unknown kernel".
 */
const char *vt_rule_kernel(const struct vt_engine *e);

/**
 * vt_rule_fmt_ms() - "12.345 ms" for finding texts
 * @ns:		duration
 * @buf:	output
 * @len:	size of @buf
 *
 * Return: @buf.
 */
const char *vt_rule_fmt_ms(uint64_t ns, char *buf, size_t len);

/**
 * vt_rule_nr_lrs() - the number of LRs a producer recorded
 * (VT_META_NR_LRS or the file header), never a guess
 * @e:		engine
 *
 * Return: LRs, 0 when unknown.
 */
unsigned int vt_rule_nr_lrs(const struct vt_engine *e);

/**
 * vt_rule_lr_order() - the distinct IRQs of a FLUSH's valid LRs, each
 * at its first LR, in (VM, INTID) order
 * @lrs:	the FLUSH's LRs
 * @idx:	set to LR indexes (VT_MAX_LR entries)
 *
 * Return: number of indexes.
 */
unsigned int vt_rule_lr_order(const struct vt_ev_lrs *lrs, unsigned int *idx);

/**
 * vt_eoi_lost_watching() - is @irq active outside the LRs (rule
 * eoi-lost-lr-overflow watches it)? for other rules' explanations
 * @irq:	IRQ
 *
 * Return: true while watched.
 */
bool vt_eoi_lost_watching(const struct vt_irq *irq);

#endif /* VT_RULE_H */
