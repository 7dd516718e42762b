// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * engine.c - engine life cycle and record reordering. Records go from
 * here to the handlers (dispatch*.c), which update the objects
 * (objects.c) and give typed events to the rules (bus.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dispatch.h"
#include "rule.h"

/*
 * Reorder window. Records are processed in (ts, arrival) order once a
 * record @win newer has arrived. File analysis uses the same bounded
 * window as live mode (producers write each CPU's records in order; the
 * window absorbs the interleaving of CPUs), so memory does not grow with
 * the trace: at most VT_REORDER_MAX_SLOTS records wait; beyond that the
 * oldest is processed early (counted as forced).
 *
 * A record that is not older than every record before it (the common
 * case) goes to the tail of a byte FIFO, packed (8-byte aligned), and
 * nowhere else: those records leave the window in arrival order, so the
 * FIFO is read as it was written. Only a record that arrives out of order
 * takes one of the fixed 256-byte slots and an entry of the order ring,
 * sorted by (ts, arrival). The oldest waiting record is the older of the
 * FIFO's head and the ring's head; on equal times the FIFO's goes first
 * (it arrived first: an out-of-order record is older than every FIFO
 * record that arrived before it).
 *
 * A record that would wrap the FIFO's end starts at the FIFO's start
 * instead; the skipped bytes begin with a marker (a header of size 0
 * whose cpu field holds their number).
 *
 * Records fed with vt_engine_feed_ref() stay where the caller keeps them
 * (a file reader's chunk blocks): the FIFO is then a ring of pointers to
 * them (@refs; positions count records), nothing is copied but the
 * out-of-order records, and vt_engine_oldest_ref() tells the caller the
 * oldest one still waiting. An engine uses one of the two FIFOs.
 */
#define VT_REORDER_MAX_SLOTS	(1u << 17)
#define VT_FIFO_MAX		((uint32_t)VT_REORDER_MAX_SLOTS * VT_REC_MAX_SIZE)
#define VT_IN_SLOT		UINT32_MAX	/* ro_oldest(): not in the FIFO */

struct vt_slot {
	uint8_t rec[VT_REC_MAX_SIZE] __attribute__((aligned(8)));
};

struct vt_order {
	uint64_t ts;
	uint32_t slot;
};

struct vt_reorder {
	uint32_t len;			/* records waiting, FIFO and slots */
	uint32_t nr_fifo;		/* of them in the FIFO */
	uint8_t *fifo;			/* byte ring of in-order records */
	uint32_t fcap;			/* power of two */
	uint32_t fhead, ftail;		/* positions (mod 2^32) */
	uint32_t fpos;			/* the oldest FIFO record's position */
	uint64_t fts;			/* its time; UINT64_MAX if none */
	struct vt_slot *slots;
	uint32_t nr_slots;		/* allocated */
	uint32_t *free;			/* stack of free slot numbers */
	uint32_t nr_free;
	struct vt_order *ord;		/* ring of the slots' records, sorted */
	uint32_t ord_cap;		/* power of two */
	uint32_t head, nr_ord;
	uint64_t ots;			/* ord[head].ts; UINT64_MAX if none */
	uint64_t forced;		/* processed early: window full */
	const struct vt_hdr **refs;	/* ref FIFO (vt_engine_feed_ref()) */
	uint32_t rcap;			/* its size, a power of two; 0: none */
	uint32_t pf_slot, pf_irq;	/* ref_prefetch(): next positions */
	struct vt_pf_keys pf_keys;	/* its last slot pass's */
};

int vt_engine_new(const struct vt_engine_opts *opts, struct vt_engine **out)
{
	struct vt_engine *e;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	vt_host_init(e);
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
	/* file analysis: the live window, not a whole-trace sort */
	e->win = e->opts.window_ns == VT_WINDOW_ALL ? VT_DEF_WINDOW_NS :
						      e->opts.window_ns;
	e->ro = calloc(1, sizeof(*e->ro));
	if (!e->ro) {
		free(e);
		return -ENOMEM;
	}
	e->ro->fts = UINT64_MAX;	/* the FIFO is empty */
	e->ro->ots = UINT64_MAX;	/* and so is the order ring */
	vt_bus_init(e);
	*out = e;
	return 0;
}

void vt_engine_set_read_status(struct vt_engine *e,
			       const struct vt_read_status *st)
{
	e->rstat = *st;
	e->have_rstat = true;
}

/*
 * vt_eng_handlers[] for the engine's checked records (their type is below
 * VT_REC_END), with vt_eng_no_handler() in place of each NULL: one load
 * and a call per record, no test.
 */
static vt_handler eng_handlers[VT_REC_END];

static void __attribute__((constructor)) eng_handlers_init(void)
{
	unsigned int t;

	for (t = 0; t < VT_REC_END; t++)
		eng_handlers[t] = vt_eng_handlers[t] ? vt_eng_handlers[t] :
						       vt_eng_no_handler;
}
_Static_assert(VT_REC_END <= VT_REC_MAX + 1, "eng_handlers[] within vt_eng_handlers[]");

/* the 1 ms tick, due at the engine's clock */
static __attribute__((noinline)) void tick_now(struct vt_engine *e)
{
	struct vt_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = VT_EV_TICK;
	ev.ts = e->now;
	vt_bus_emit(e, &ev);
	e->next_tick = e->now + 1000000;
}

/*
 * Process @rec: the engine's clock, counts and the 1 ms tick, then its
 * handler. @in_order: @rec is known not to be older than the engine's
 * clock, with the engine started (the ref FIFO's records after one that
 * was not late: see drain_refs()).
 */
static inline __attribute__((always_inline)) int
process_t(struct vt_engine *e, const struct vt_hdr *rec, bool in_order)
{
	if (in_order) {
		e->now = rec->ts_ns;
	} else {
		if (!e->started) {
			e->started = true;
			e->first_ts = rec->ts_ns;
			e->next_tick = rec->ts_ns;
		}
		if (rec->ts_ns < e->now)
			e->late++;
		else
			e->now = rec->ts_ns;
	}
	e->records++;
	e->by_type[rec->type]++;
	if (e->now >= e->next_tick)
		tick_now(e);
	/*
	 * vt_eng_dispatch() for a record the engine holds: checked, so its
	 * type is below VT_REC_END (by_type[] above relies on it too)
	 */
	return eng_handlers[rec->type](e, rec);
}

static inline __attribute__((always_inline)) int
process(struct vt_engine *e, const struct vt_hdr *rec)
{
	return process_t(e, rec, false);
}

/* Double the slots (up to VT_REORDER_MAX_SLOTS). */
static int ro_grow_slots(struct vt_reorder *ro)
{
	uint32_t n = ro->nr_slots ? ro->nr_slots * 2 : 256, i;
	struct vt_slot *ns;
	uint32_t *nf;

	ns = realloc(ro->slots, (size_t)n * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	ro->slots = ns;
	nf = realloc(ro->free, (size_t)n * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	ro->free = nf;
	for (i = n; i-- > ro->nr_slots;)
		ro->free[ro->nr_free++] = i;
	ro->nr_slots = n;
	return 0;
}

/* Double the order ring. */
static int ro_grow_ord(struct vt_reorder *ro)
{
	uint32_t n = ro->ord_cap ? ro->ord_cap * 2 : 256, i;
	struct vt_order *no;

	no = malloc((size_t)n * sizeof(*no));
	if (!no)
		return -ENOMEM;
	for (i = 0; i < ro->nr_ord; i++)
		no[i] = ro->ord[(ro->head + i) & (ro->ord_cap - 1)];
	free(ro->ord);
	ro->ord = no;
	ro->head = 0;
	ro->ord_cap = n;
	return 0;
}

/*
 * Double the FIFO: every live byte keeps its position (a record that
 * did not wrap in the old ring does not wrap in one twice its size).
 */
static int ro_grow_fifo(struct vt_reorder *ro)
{
	uint32_t n = ro->fcap ? ro->fcap * 2 : 64 * 1024, q, piece, oo, no;
	uint8_t *nf;

	nf = malloc(n);
	if (!nf)
		return -ENOMEM;
	for (q = ro->fhead; q != ro->ftail; q += piece) {
		oo = q & (ro->fcap - 1);
		no = q & (n - 1);
		piece = ro->ftail - q;
		if (piece > ro->fcap - oo)
			piece = ro->fcap - oo;
		if (piece > n - no)
			piece = n - no;
		memcpy(nf + no, ro->fifo + oo, piece);
	}
	free(ro->fifo);
	ro->fifo = nf;
	ro->fcap = n;
	return 0;
}

static inline struct vt_hdr *fifo_at(const struct vt_reorder *ro, uint32_t pos)
{
	return (struct vt_hdr *)(ro->fifo + (pos & (ro->fcap - 1)));
}

/*
 * The FIFO's oldest record was taken; @end is its end. Cache the next
 * one's position and time (skipping a wrap marker).
 */
static inline __attribute__((always_inline)) void
fifo_next(struct vt_reorder *ro, uint32_t end)
{
	const struct vt_hdr *f;

	ro->fhead = end;
	if (!ro->nr_fifo) {
		ro->fts = UINT64_MAX;
		return;
	}
	f = fifo_at(ro, end);
	if (__builtin_expect(!f->size, 0)) {	/* skipped end */
		end += f->cpu;
		f = fifo_at(ro, end);
	}
	ro->fpos = end;
	ro->fts = f->ts_ns;
}

static inline const struct vt_hdr *ref_at(const struct vt_reorder *ro,
					  uint32_t pos)
{
	return ro->refs[pos & (ro->rcap - 1)];
}

/* The ref FIFO's oldest record was taken: cache the next one's time. */
static inline __attribute__((always_inline)) void
ref_next(struct vt_reorder *ro)
{
	if (!ro->nr_fifo) {
		ro->fts = UINT64_MAX;
		return;
	}
	ro->fpos++;
	ro->fts = ref_at(ro, ro->fpos)->ts_ns;
}

/*
 * The oldest waiting record (@ro->len > 0), and in *@fpos its FIFO
 * position or VT_IN_SLOT when it is the order ring's head (*@in_fifo:
 * which of the two).
 */
static inline __attribute__((always_inline)) const struct vt_hdr *
ro_oldest(const struct vt_reorder *ro, uint32_t *fpos, bool *in_fifo)
{
	if (ro->nr_fifo && ro->fts <= ro->ots) {
		*fpos = ro->fpos;
		*in_fifo = true;
		return ro->rcap ? ref_at(ro, ro->fpos) : fifo_at(ro, ro->fpos);
	}
	*fpos = VT_IN_SLOT;
	*in_fifo = false;
	return (const void *)ro->slots[ro->ord[ro->head].slot].rec;
}

/*
 * Process @rec, the oldest waiting record, at FIFO position @fpos (@ref:
 * the ref FIFO's head, @fpos not VT_IN_SLOT; positions there may take any
 * value, so the test is @in_fifo).
 */
static inline __attribute__((always_inline)) int
ro_take_t(struct vt_engine *e, const struct vt_hdr *rec, uint32_t fpos,
	  bool in_fifo, bool ref)
{
	struct vt_reorder *ro = e->ro;
	uint32_t slot = 0;
	int r;

	ro->len--;
	if (in_fifo) {
		ro->nr_fifo--;
	} else {
		/*
		 * Slots are reused in no address order: fetch an
		 * out-of-order record a few of them ahead of its use (the
		 * FIFO is read in order).
		 */
		if (ro->nr_ord > 8) {
			const uint8_t *ahead = ro->slots[ro->ord[(ro->head + 8) &
						       (ro->ord_cap - 1)].slot].rec;

			__builtin_prefetch(ahead);
			__builtin_prefetch(ahead + 64);
			__builtin_prefetch(ahead + 128);
		}
		slot = ro->ord[ro->head].slot;
		ro->head = (ro->head + 1) & (ro->ord_cap - 1);
		ro->nr_ord--;
		ro->ots = ro->nr_ord ? ro->ord[ro->head].ts : UINT64_MAX;
	}
	r = process(e, rec);
	if (in_fifo && ref)
		ref_next(ro);
	else if (in_fifo)	/* the oldest FIFO record: all before its end is free */
		fifo_next(ro, fpos + ((rec->size + 7u) & ~7u));
	else
		ro->free[ro->nr_free++] = slot;
	return r;
}

static inline __attribute__((always_inline)) int
ro_take(struct vt_engine *e, const struct vt_hdr *rec, uint32_t fpos)
{
	return ro_take_t(e, rec, fpos, fpos != VT_IN_SLOT, false);
}

/* Process the oldest waiting record. */
static int ro_pop(struct vt_engine *e)
{
	const struct vt_hdr *rec;
	uint32_t fpos;
	bool in_fifo;

	rec = ro_oldest(e->ro, &fpos, &in_fifo);
	if (e->ro->rcap)
		return ro_take_t(e, rec, fpos, in_fifo, true);
	return ro_take_t(e, rec, fpos, in_fifo, false);
}

/* Process waiting records older than @limit (all if @all). */
static inline __attribute__((always_inline)) int
drain_t(struct vt_engine *e, uint64_t limit, bool all, bool ref)
{
	struct vt_reorder *ro = e->ro;
	const struct vt_hdr *rec;
	uint32_t fpos;
	bool in_fifo;
	int ret = 0, r;

	/*
	 * fts and ots are UINT64_MAX for an empty FIFO and ring: the older
	 * of the two heads, the FIFO's on equal times, with no count tests
	 * (but a record may have time UINT64_MAX: @all tests nr_fifo).
	 */
	for (;;) {
		if (ro->fts <= ro->ots) {
			if (all ? !ro->nr_fifo : ro->fts >= limit)
				break;
			fpos = ro->fpos;
			rec = ref ? ref_at(ro, fpos) : fifo_at(ro, fpos);
			in_fifo = true;
		} else {
			if (!all && ro->ots >= limit)
				break;
			fpos = VT_IN_SLOT;
			rec = (const void *)ro->slots[ro->ord[ro->head].slot].rec;
			in_fifo = false;
		}
		r = ro_take_t(e, rec, fpos, in_fifo, ref);
		if (r && !ret)
			ret = r;
	}
	return ret;
}

static int drain(struct vt_engine *e, uint64_t limit, bool all)
{
	if (e->ro->rcap)
		return drain_t(e, limit, all, true);
	return drain_t(e, limit, all, false);
}

/* Room in the FIFO for @sz bytes at the tail: its position, or -ENOMEM. */
static int64_t fifo_put(struct vt_engine *e, uint32_t sz)
{
	struct vt_reorder *ro = e->ro;
	struct vt_hdr *skip;
	uint32_t off, pad;
	int ret;

	if (ro->rcap)	/* the engine takes references (one FIFO only) */
		return -EINVAL;
	for (;;) {
		off = ro->ftail & (ro->fcap - 1);
		pad = ro->fcap && off + sz > ro->fcap ? ro->fcap - off : 0;
		if (ro->fcap && ro->ftail - ro->fhead + pad + sz <= ro->fcap)
			break;
		if (ro->fcap < VT_FIFO_MAX) {
			ret = ro_grow_fifo(ro);
			if (ret)
				return ret;
		} else {
			ro->forced++;
			ret = ro_pop(e);	/* full: the oldest goes early */
			if (ret)
				return ret;
		}
	}
	if (pad) {	/* (8 bytes at least: positions are 8-byte aligned) */
		skip = fifo_at(ro, ro->ftail);
		skip->size = 0;
		skip->cpu = pad;
		ro->ftail += pad;
	}
	off = ro->ftail;
	ro->ftail += sz;
	return off;
}

int vt_engine_feed(struct vt_engine *e, const struct vt_hdr *rec)
{
	char err[120];
	int ret;

	if (__builtin_expect(vt_record_check(rec, VT_REC_MAX_SIZE, NULL, 0), 0)) {
		ret = vt_record_check(rec, VT_REC_MAX_SIZE, err, sizeof(err));
		e->invalid++;
		if (e->invalid <= 5)
			vt_eng_bug(e, "invalid record rejected: %s", err);
		return ret;
	}
	return vt_engine_feed_checked(e, rec);
}

/* Put out-of-order @rec into a slot and the order ring. */
static int ro_put_slot(struct vt_engine *e, const struct vt_hdr *rec)
{
	struct vt_reorder *ro = e->ro;
	struct vt_order o, *ord;
	uint32_t mask, i, j;
	int r;

	if (ro->nr_ord == ro->ord_cap) {
		r = ro_grow_ord(ro);
		if (r)
			return r;
	}
	if (!ro->nr_free) {
		r = ro_grow_slots(ro);
		if (r)
			return r;
	}
	o.ts = rec->ts_ns;
	o.slot = ro->free[--ro->nr_free];
	memcpy(ro->slots[o.slot].rec, rec, rec->size);
	e->reordered++;
	/* insert from the tail, after the records of the same time */
	mask = ro->ord_cap - 1;
	ord = ro->ord;
	i = ro->nr_ord;
	while (i > 0) {
		j = (ro->head + i - 1) & mask;
		if (ord[j].ts <= o.ts)
			break;
		ord[(ro->head + i) & mask] = ord[j];
		i--;
	}
	ord[(ro->head + i) & mask] = o;
	ro->nr_ord++;
	ro->ots = ord[ro->head].ts;
	return 0;
}

int vt_engine_feed_checked(struct vt_engine *e, const struct vt_hdr *rec)
{
	struct vt_reorder *ro = e->ro;
	uint32_t sz = (rec->size + 7u) & ~7u;
	int64_t pos;
	uint64_t limit;
	int ret = 0, r;

	if (ro->len == VT_REORDER_MAX_SLOTS) {
		ro->forced++;
		ret = ro_pop(e);	/* full: the oldest goes early */
	}
	if (rec->ts_ns >= e->max_ts) {
		/* in order: the FIFO's tail */
		/* (no FIFO yet: fcap - 1 masks nothing, and 0 + sz > 0) */
		if (__builtin_expect((ro->ftail & (ro->fcap - 1)) + sz <= ro->fcap &&
				     ro->ftail - ro->fhead + sz <= ro->fcap, 1)) {
			pos = ro->ftail;	/* room without a wrap */
			ro->ftail += sz;
		} else {
			pos = fifo_put(e, sz);
			if (pos < 0)
				return (int)pos;
		}
		memcpy(fifo_at(ro, (uint32_t)pos), rec, rec->size);
		if (!ro->nr_fifo) {
			ro->fpos = (uint32_t)pos;
			ro->fts = rec->ts_ns;
		}
		ro->nr_fifo++;
		e->max_ts = rec->ts_ns;
	} else {
		r = ro_put_slot(e, rec);
		if (r)
			return r;
	}
	ro->len++;
	if (e->max_ts < e->win)
		return ret;
	limit = e->max_ts - e->win;
	if (__builtin_expect(!ro->nr_ord, 1)) {
		/* in-order records only: the FIFO in order (fts: none is infinite) */
		while (ro->fts < limit) {
			r = ro_take(e, fifo_at(ro, ro->fpos), ro->fpos);
			if (r && !ret)
				ret = r;
		}
		return ret;
	}
	r = drain(e, limit, false);
	if (r && !ret)
		ret = r;
	return ret;
}

/* Double the ref FIFO: every waiting pointer keeps its position. */
static int ro_grow_refs(struct vt_reorder *ro)
{
	uint32_t n = ro->rcap ? ro->rcap * 2 : 4096, i;
	const struct vt_hdr **nr;

	if (ro->fcap)	/* the engine copies records (one FIFO only) */
		return -EINVAL;
	nr = malloc((size_t)n * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	for (i = 0; i < ro->nr_fifo; i++)
		nr[(ro->fpos + i) & (n - 1)] = ro->refs[(ro->fpos + i) &
							(ro->rcap - 1)];
	free(ro->refs);
	ro->refs = nr;
	ro->rcap = n;
	return 0;
}

int vt_engine_feed_ref(struct vt_engine *e, const struct vt_hdr *rec)
{
	struct vt_reorder *ro = e->ro;
	uint64_t limit;
	int ret = 0, r;

	if (ro->len == VT_REORDER_MAX_SLOTS) {
		ro->forced++;
		ret = ro_pop(e);	/* full: the oldest goes early */
	}
	if (rec->ts_ns >= e->max_ts) {
		/* in order: a pointer at the FIFO's tail */
		if (__builtin_expect(ro->nr_fifo >= ro->rcap, 0)) {
			r = ro_grow_refs(ro);
			if (r)
				return r;
		}
		if (!ro->nr_fifo) {
			ro->fpos = ro->ftail;
			ro->fts = rec->ts_ns;
		}
		ro->refs[ro->ftail++ & (ro->rcap - 1)] = rec;
		ro->nr_fifo++;
		e->max_ts = rec->ts_ns;
	} else {
		if (__builtin_expect(!ro->rcap, 0)) {
			r = ro_grow_refs(ro);	/* (the mode is set) */
			if (r)
				return r;
		}
		r = ro_put_slot(e, rec);
		if (r)
			return r;
	}
	ro->len++;
	if (e->max_ts < e->win)
		return ret;
	limit = e->max_ts - e->win;
	if (__builtin_expect(!ro->nr_ord, 1)) {
		/* in-order records only: the FIFO in order (fts: none is infinite) */
		while (ro->fts < limit) {
			r = ro_take_t(e, ref_at(ro, ro->fpos), ro->fpos, true, true);
			if (r && !ret)
				ret = r;
		}
		return ret;
	}
	r = drain_t(e, limit, false, true);
	if (r && !ret)
		ret = r;
	return ret;
}

#ifndef VT_PF_AHEAD
#define VT_PF_AHEAD	16	/* records: hash slots this far ahead */
#endif
#ifndef VT_PF_STEP
#define VT_PF_STEP	8	/* records between two ref_prefetch() */
#endif
#ifndef VT_PF_MIN_IRQS
#define VT_PF_MIN_IRQS	2048	/* fewer IRQs (3 MiB) stay in the cache */
#endif

/*
 * Many IRQs: their state and hash slots are cache misses, one record
 * after another. The ref FIFO holds the records to come: the hash slots
 * of the IRQs of the records VT_PF_AHEAD positions after @pos (the next
 * one processed) are prefetched, and the IRQs' lines of the records half
 * as far (their slots loaded by then; from the keys the last slot pass
 * kept if it was of the same records: each call's, with VT_PF_STEP =
 * VT_PF_AHEAD / 2). A hint only.
 */
static __attribute__((noinline)) void ref_prefetch(struct vt_engine *e,
						   uint32_t pos)
{
	struct vt_reorder *ro = e->ro;
	uint32_t left = ro->ftail - pos, to, mask = ro->rcap - 1;

	/* (positions behind @pos: moved on without a prefetch) */
	if ((int32_t)(ro->pf_irq - pos) < 0)
		ro->pf_irq = pos;
	if ((int32_t)(ro->pf_slot - ro->pf_irq) < 0)
		ro->pf_slot = ro->pf_irq;
	to = pos + (left < VT_PF_AHEAD / 2 ? left : VT_PF_AHEAD / 2);
	if ((int32_t)(to - ro->pf_irq) > 0) {
		vt_irqs_prefetch(e, ro->refs, mask, ro->pf_irq, to, true,
				 &ro->pf_keys);
		ro->pf_irq = to;
	}
	to = pos + (left < VT_PF_AHEAD ? left : VT_PF_AHEAD);
	if ((int32_t)(to - ro->pf_slot) > 0) {
		vt_irqs_prefetch(e, ro->refs, mask, ro->pf_slot, to, false,
				 &ro->pf_keys);
		ro->pf_slot = to;
	}
}

/* drain_seg()'s rare way: a handler's error, kept unless one is there */
static __attribute__((noinline, cold)) void seg_err(int *ret, int r)
{
	if (!*ret)
		*ret = r;
}

/*
 * Process the order ring's records older than @bound (a ref engine's),
 * oldest first. The ring holds no record of time UINT64_MAX (each is
 * older than one before it), so ots is UINT64_MAX only for an empty
 * ring. An error of a handler goes to *@ret unless one is there.
 */
static __attribute__((noinline)) void ring_before(struct vt_engine *e,
						  uint64_t bound, int *ret)
{
	struct vt_reorder *ro = e->ro;
	int r;

	while (ro->ots < bound) {
		r = ro_take_t(e, (const void *)ro->slots[ro->ord[ro->head].slot].rec,
			      VT_IN_SLOT, false, true);
		if (r && !*ret)
			*ret = r;
	}
}

/* where drain_seg() leaves its fast way: the tick, @limit or the ring */
static inline uint64_t seg_stop(const struct vt_engine *e, uint64_t limit,
				bool all)
{
	uint64_t stop = all || e->next_tick < limit ? e->next_tick : limit;

	return e->ro->ots < stop ? e->ro->ots : stop;
}

/*
 * drain_refs()'s records from @q to @qend (a piece of the ring from
 * position @pos) as long as they are older than @limit (all if @all),
 * each as process_t(e, rec, true) would: the record's time is tested once
 * against the earliest of @limit, the tick's time and the order ring's
 * head, the tick and the ring's older records (ring_before()) taken on
 * the rare way, and the records counted at the end (no handler reads the
 * count). @pf: ref_prefetch() every VT_PF_STEP positions. An error of a
 * handler goes to *@ret unless one is there. Return: where it stopped.
 */
static inline __attribute__((always_inline)) const struct vt_hdr *const *
drain_seg(struct vt_engine *e, const struct vt_hdr *const *q,
	  const struct vt_hdr *const *qend, uint64_t limit, bool all, bool pf,
	  uint32_t pos, int *ret)
{
	const struct vt_hdr *const *q0 = q, *const *qc = q;
	const struct vt_hdr *rec;
	uint64_t stop, ts, bound;
	int r;

#define PF() do {							\
		if (pf && !((uintptr_t)q & (VT_PF_STEP * sizeof(*q) - 1)))	\
			ref_prefetch(e, pos + (uint32_t)(q - q0));	\
	} while (0)
	stop = seg_stop(e, limit, all);
	for (; q < qend; q++) {
		rec = *q;
		ts = rec->ts_ns;
		if (__builtin_expect(ts >= stop, 0)) {
			bound = all || ts < limit ? ts : limit;
			if (e->ro->ots < bound) {	/* the ring's older ones */
				e->records += (uint64_t)(q - qc);
				qc = q;
				ring_before(e, bound, ret);
				rec = *q;	/* (not kept across the call) */
			}
			if (!all && ts >= limit)
				break;
			PF();
			e->now = ts;
			e->by_type[rec->type]++;
			if (ts >= e->next_tick) {	/* after the counts */
				e->records += (uint64_t)(q - qc) + 1;
				qc = q + 1;
				tick_now(e);
			}
			stop = seg_stop(e, limit, all);
		} else {
			PF();
			e->now = ts;
			e->by_type[rec->type]++;
		}
		r = eng_handlers[rec->type](e, rec);
		if (__builtin_expect(r != 0, 0))
			seg_err(ret, r);
	}
#undef PF
	e->records += (uint64_t)(q - qc);
	return q;
}

/*
 * The ref FIFO's records with a time before @limit (all of them if @all),
 * oldest first, as the loop of vt_engine_feed_ref() (drain_t()) takes
 * them, with the order ring's records older than each (the FIFO's go
 * first on equal times) on drain_seg()'s rare way; the caller takes the
 * ring's records older than the FIFO's head first. After a late record
 * it stops at the first FIFO record the ring's head is older than.
 * Nothing the handlers do reads the window, so its counts are updated
 * once, at the end.
 */
static inline __attribute__((always_inline)) int
drain_refs(struct vt_engine *e, uint64_t limit, bool all)
{
	struct vt_reorder *ro = e->ro;
	const struct vt_hdr *const *q, *const *q0, *const *qend;
	const struct vt_hdr *rec;
	uint32_t mask = ro->rcap - 1, pos = ro->fpos, left = ro->nr_fifo, seg;
	bool sorted, pf;
	int ret, r;

	if (all ? !left : ro->fts >= limit)
		return 0;
	rec = ro->refs[pos & mask];
	ret = process(e, rec);
	pos++;
	left--;
	/*
	 * Not late (the clock is its time): the records after it are not
	 * older (the FIFO is sorted, and a ring record processed meanwhile
	 * is older than them or late)
	 */
	sorted = e->now == rec->ts_ns;
	pf = e->nr_irqs >= VT_PF_MIN_IRQS;
	while (left && sorted) {	/* the ring's pieces, without a wrap */
		q0 = q = ro->refs + (pos & mask);
		seg = ro->rcap - (pos & mask);
		qend = q + (seg < left ? seg : left);
		if (__builtin_expect(pf, 0))
			q = drain_seg(e, q, qend, limit, all, true, pos, &ret);
		else
			q = drain_seg(e, q, qend, limit, all, false, pos, &ret);
		pos += (uint32_t)(q - q0);
		left -= (uint32_t)(q - q0);
		if (q < qend)
			break;
	}
	/* after a late record (the live clock moved on): one by one */
	while (left && !sorted && ro->refs[pos & mask]->ts_ns <= ro->ots &&
	       (all || ro->refs[pos & mask]->ts_ns < limit)) {
		r = process(e, ro->refs[pos & mask]);
		if (r && !ret)
			ret = r;
		pos++;
		left--;
	}
	ro->len -= ro->nr_fifo - left;
	ro->nr_fifo = left;
	ro->fpos = pos;
	ro->fts = left ? ro->refs[pos & mask]->ts_ns : UINT64_MAX;
	return ret;
}

/*
 * drain_t() of the ref FIFO with out-of-order records waiting: the ring's
 * records older than the FIFO's head, then drain_refs() (which takes the
 * ring's records on its way), until the FIFO's head is not due; then the
 * ring's due records (@all: every record).
 */
static int drain_refs_ord(struct vt_engine *e, uint64_t limit, bool all)
{
	struct vt_reorder *ro = e->ro;
	int ret = 0, r;

	while (all ? ro->nr_fifo : ro->fts < limit) {
		ring_before(e, ro->fts, &ret);
		r = drain_refs(e, limit, all);
		if (r && !ret)
			ret = r;
	}
	ring_before(e, all ? UINT64_MAX : limit, &ret);
	return ret;
}

int vt_engine_feed_ref_run(struct vt_engine *e, const struct vt_hdr *rec,
			   uint32_t n)
{
	struct vt_reorder *ro = e->ro;
	const struct vt_hdr **refs;
	uint32_t room, k, tail, mask;
	uint64_t mts;
	int ret = 0, r;

	while (n) {
		/*
		 * The in-order records at the run's head, up to the window's
		 * room (none goes early: the waiting count stays below
		 * VT_REORDER_MAX_SLOTS as each of them arrives)
		 */
		room = VT_REORDER_MAX_SLOTS - ro->len;
		if (room > n)
			room = n;
		if (__builtin_expect(ro->nr_fifo + room > ro->rcap, 0) &&
		    !ro->fcap) {
			while (ro->nr_fifo + room > ro->rcap) {
				r = ro_grow_refs(ro);
				if (r)
					return r;
			}
		}
		k = 0;
		refs = ro->refs;
		mask = ro->rcap - 1;
		mts = e->max_ts;
		while (ro->rcap && k < room) {	/* the ring's pieces */
			const struct vt_hdr **q, **q0, **qend;

			tail = (ro->ftail + k) & mask;
			q0 = q = refs + tail;
			qend = q + (ro->rcap - tail < room - k ?
				    ro->rcap - tail : room - k);
			for (; q < qend && rec->ts_ns >= mts; q++) {
				*q = rec;
				mts = rec->ts_ns;
				rec = (const void *)((const uint8_t *)rec + rec->size);
			}
			k += (uint32_t)(q - q0);
			if (q < qend)
				break;
		}
		if (k) {
			if (!ro->nr_fifo) {
				ro->fpos = ro->ftail;
				ro->fts = refs[ro->ftail & mask]->ts_ns;
			}
			ro->ftail += k;
			ro->nr_fifo += k;
			ro->len += k;
			e->max_ts = mts;
			n -= k;
			/*
			 * Drained once, to the last one's limit: both queues
			 * are sorted and no record went into the order ring
			 * meanwhile, so the records older than each limit on
			 * the way are taken in the same order
			 */
			if (mts >= e->win) {
				if (__builtin_expect(!ro->nr_ord, 1))
					r = drain_refs(e, mts - e->win, false);
				else
					r = drain_refs_ord(e, mts - e->win, false);
				if (r && !ret)
					ret = r;
			}
			if (ret)
				return ret;
		}
		if (!n)
			break;
		/*
		 * Out of order and not due (the window's oldest records are
		 * due no sooner than its limit: nothing to drain), into the
		 * order ring; a due one, or the window full: one by one
		 */
		for (k = 0; n && ro->rcap && rec->ts_ns < e->max_ts &&
			    e->max_ts - rec->ts_ns <= e->win &&
			    ro->len < VT_REORDER_MAX_SLOTS; k++, n--) {
			r = ro_put_slot(e, rec);
			if (r)
				return r;
			ro->len++;
			rec = (const void *)((const uint8_t *)rec + rec->size);
		}
		if (k)
			continue;
		r = vt_engine_feed_ref(e, rec);
		if (r)
			return r;
		rec = (const void *)((const uint8_t *)rec + rec->size);
		n--;
	}
	return ret;
}

const void *vt_engine_oldest_ref(const struct vt_engine *e)
{
	const struct vt_reorder *ro = e->ro;

	return ro->nr_fifo && ro->rcap ? ref_at(ro, ro->fpos) : NULL;
}

int vt_engine_tick(struct vt_engine *e, uint64_t now_ns)
{
	struct vt_ev ev;
	int ret = 0;

	if (e->opts.window_ns != VT_WINDOW_ALL && now_ns > e->win)
		ret = drain(e, now_ns - e->win, false);
	if (!e->started || e->ro->len || now_ns <= e->now)
		return ret;
	/* Everything buffered is processed: the engine's clock may move on. */
	e->now = now_ns;
	memset(&ev, 0, sizeof(ev));
	ev.kind = VT_EV_TICK;
	ev.ts = now_ns;
	vt_bus_emit(e, &ev);
	e->next_tick = now_ns + 1000000;
	return ret;
}

int vt_engine_finish(struct vt_engine *e)
{
	int ret;

	if (e->ro->rcap)	/* the ref FIFO */
		ret = drain_refs_ord(e, 0, true);
	else
		ret = drain(e, 0, true);
	vt_irqs_sort(e);
	vt_bus_finish(e);
	return ret;
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
	if (e->ro) {
		free(e->ro->slots);
		free(e->ro->free);
		free(e->ro->ord);
		free(e->ro->fifo);
		free(e->ro->refs);
		free(e->ro);
	}
	for (i = 0; i < e->nr_irqs; i++)
		vt_bus_free_irq(e, e->irqs[i]);
	vt_bus_free(e);
	vt_objects_free(e);
	vt_host_free(e);
	for (i = 0; i < e->nr_bugs && i < 100; i++)
		free(e->bugs[i]);
	free(e->bugs);
	free(e->findings);
	free(e);
}
