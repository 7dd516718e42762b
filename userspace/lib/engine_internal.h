/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * engine_internal.h - engine state shared by the engine's files and
 * the rules. Not installed; the public API is vt_engine.h.
 */
#ifndef VT_ENGINE_INTERNAL_H
#define VT_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vt_engine.h"
#include "vt_lr.h"
#include "vt_record.h"

#define VT_HIST_LEN		VT_EVIDENCE_MAX	/* transitions kept per IRQ */
#define VT_HIST_TEXT		96

/* Latency stages of one delivery cycle, in chain order. */
enum vt_stage {
	VT_ST_HOSTIRQ,		/* vfio handler: host IRQ fired */
	VT_ST_MASK,		/* VFIO masked the line */
	VT_ST_INJECT,		/* kvm_vgic_inject_irq level 1 */
	VT_ST_LR_P,		/* first LR at entry with P */
	VT_ST_ACTIVE,		/* LR at exit with A (guest IAR) */
	VT_ST_EOI,		/* LR at exit shows the deactivation */
	VT_ST_ACK,		/* kvm_notify_acked_irq */
	VT_ST_RESAMPLE,		/* irqfd_resampler_ack */
	VT_ST_UNMASK,		/* VFIO unmask (handler or ioctl) */
	VT_ST_MAX,
};

/* Latency samples kept exactly per stage before the histogram takes over */
#define VT_LAT_EXACT		32
/* log-linear buckets: 16 exact (0-15 ns), then 16 per octave to 2^40 ns */
#define VT_LAT_SUB_BITS		4
#define VT_LAT_MAX_EXP		40
#define VT_LAT_BUCKETS		(16 + (VT_LAT_MAX_EXP - VT_LAT_SUB_BITS) * 16)

/* bucket lines of 16 (one octave, or the 16 exact values below 16 ns) */
#define VT_LAT_LINES		(VT_LAT_BUCKETS / 16)

/**
 * struct vt_hlines - the histogram of one stage, octave by octave: only
 * the octaves that have samples are allocated (a cycle step spreads
 * over a few), 64 bytes each, so a histogram costs what it holds
 * @map:	line + 1 of each octave (bucket index / 16), 0 none
 * @n:		lines allocated
 * @min:	the smallest sample (exact) of its struct vt_samples
 * @line:	@n lines of 16 counts (the block is 64-byte aligned)
 */
struct vt_hlines {
	uint8_t map[VT_LAT_LINES];
	uint8_t n;
	uint64_t min;
	uint32_t line[][16] __attribute__((aligned(64)));	/* on lines */
};

/**
 * struct vt_samples - latency samples of one stage of one IRQ, bounded:
 * the first VT_LAT_EXACT samples exactly, then a log-linear (HDR style)
 * histogram of VT_LAT_BUCKETS buckets (width <= 1/16 of the value)
 * @max:	largest sample (exact)
 * @lo:		while @n <= 2: the smallest sample (vt_lat_min())
 * @v:		while 2 < @n <= VT_LAT_EXACT: the smallest sample, then the
 *		exact samples in ns, in an array of vt_lat_cap(@n) + 1
 *		entries (one or two samples need no array)
 * @hl:		once @n > VT_LAT_EXACT: the log-linear bucket counts (and
 *		the smallest sample)
 * @n:		number of samples
 *
 * 24 bytes: the four stages a cycle without VFIO samples (lr_pending,
 * active, eoi, ack) lie on two cache lines.
 *
 * The log2 histogram (vt_lat_log2()) is derived: every log-linear bucket
 * lies inside one octave (the last one, >= 2^40 ns, counts in the octave
 * of @max).
 */
struct vt_samples {
	uint64_t max;
	union {
		uint64_t lo;
		uint64_t *v;
		struct vt_hlines *hl;
	};
	uint32_t n;
};

/* samples of @n (2 < @n <= 32) of a set: vt_lat_cap(@n) (the array less v[0]) */
static inline uint32_t vt_lat_cap(uint32_t n)
{
	return n <= 4 ? 4 : 1u << (32 - __builtin_clz(n - 1));
}

/* the smallest sample of @s (none: 0) */
static inline uint64_t vt_lat_min(const struct vt_samples *s)
{
	return s->n <= 2 ? s->lo : s->n <= VT_LAT_EXACT ? s->v[0] : s->hl->min;
}

/*
 * Event counters of one IRQ. Those every delivery cycle bumps come first
 * (three cache lines), the VFIO, MMIO and deactivation ones after (with
 * the watches, out of the lines vt_irqs_prefetch() loads).
 */
struct vt_counts {
	uint64_t inject[2];		/* level 0 / 1 */
	uint64_t acks;
	uint64_t resamples;
	uint64_t in_lr;			/* times loaded in an LR at entry */
	uint64_t out_of_active;		/* LR A at entry, no A at exit */
	uint64_t guest_eoi;		/* runs where the guest deactivated */
	uint64_t eoi_no_ack;		/* of those, with no ack in the exit */
	uint64_t lr_trans[4][4];	/* [entry state][exit state] */
	/* (cold from here: VT_IRQ_HOT_END) */
	uint64_t still_asserted;	/* unmask_handler result 1 */
	uint64_t vfio[VT_VFIO_END];
	uint64_t mmio[VT_MMIO_END];
	uint64_t deact[VT_DEACT_END];	/* VT_REC_DEACTIVATE by how */
};

/* 32-bit words of arguments one history entry holds */
#define VT_HIST_WORDS		6

/* the %s arguments of one entry, at most this many bytes in all (cut) */
#define VT_HIST_STR		53

/*
 * One transition of an IRQ's history, kept in binary and formatted only
 * when a finding quotes it: vt_hist_format(). 32 bytes, two to a cache
 * line (10^5 IRQs keep 8 each). The printf format is not here but in
 * the IRQ's hist_fmt[]: the index of the call site (vt_irq_hist()) in
 * the section vt_hist_fmt, whose entries point to the formats. The
 * arguments follow the format's conversions, in order:
 *   %s				one word: vt_hist_sref() of the pointer
 *   %d %u %x %c %hu ...	one word: the int's 32 bits
 *   %ld %lu %lld %zu %p ...	two words, low half first
 * An LR entry (vt_irq_hist_lr()) holds vCPU, LR index, GIC version and
 * the 64-bit LR in five words.
 */
struct vt_hist {
	uint64_t ts;
	uint32_t w[VT_HIST_WORDS];
};

/* The rule table (rules/rules.def): index of each rule. */
enum vt_rule_idx {
#define VT_RULE(sym, ...) VT_RULE_##sym,
#include "rules/rules.def"
#undef VT_RULE
	VT_NR_RULES
};

/**
 * struct vt_watch - a rule's watch on one IRQ (a deadline): bus.c
 * @ts:		time it was armed (0: not armed)
 * @pos:	position + 1 in the rule's list of armed IRQs, 0 none
 * @vcpu:	vCPU whose next entry fires it, VT_NO_VCPU none
 * @seq:	arm count, tells stale per-vCPU list entries apart
 */
struct vt_watch {
	uint64_t ts;
	uint32_t pos;
	uint32_t vcpu;
	uint32_t seq;
} __attribute__((packed, aligned(4)));	/* 20 bytes, not 24 */

/* vCPUs whose current run holds an IRQ in an LR, inline up to this many */
#define VT_HOLDERS		4

struct vt_vcpu;

/**
 * struct vt_irq - state of one (VM, INTID): the chain state the
 * handlers keep. Rule state is not here: each rule declares the size of
 * its per-IRQ state (struct vt_rule.irq_state), allocated in @priv.
 *
 * Laid out by use, as 10^5 IRQs touched in random order each cost a
 * cache miss per line they touch: the chain state every record reads
 * and the open latency cycle (two lines), the samples (a cycle without
 * VFIO's on lines 3 and 4), the VFIO state, the history ring, the counters a cycle bumps; then what a cycle without
 * VFIO, MMIO or a deadline never touches: the cold counters, the
 * deadlines (whether one is armed is a bit of the first line:
 * @watching); last the rules' state. vt_irqs_prefetch() loads the hot
 * lines only (VT_IRQ_HOT_END).
 * Pages come zeroed from the arena: nothing is cleared by hand when an
 * IRQ is created. The first line also holds the formats of the history
 * entries (@hist_fmt): writing a transition touches that line, which
 * every record reads, and one line of @hist.
 */
struct vt_irq {
	uint32_t vm_id;
	uint32_t intid;
	uint32_t gsi;			/* VT_NO_GSI if unknown */
	bool level;			/* level-sensitive (config or EOI LR) */
	bool resampled;			/* resample irqfd or resample seen */
	bool active;			/* last known active state */
	bool was_active;		/* active before the current record */
	bool line;			/* last inject level */
	bool latch;			/* pending latch (irq_state) */
	bool have_state;		/* an irq_state record was seen */
	uint8_t lr_state;		/* its state at that entry */
	uint32_t active_vcpu;
	uint32_t lr_vcpu;		/* vCPU whose LRs hold it in a run */
	uint32_t target_vcpu;
	uint32_t active_pos;		/* position + 1 in e->active, 0 none */
	unsigned int reported;		/* bit per rule index: vt_reported() */
	unsigned int hist_n;		/* history entries written in all */
	uint8_t nr_holders;
	bool holders_overflow;		/* more than VT_HOLDERS: scan vCPUs */
	uint16_t cyc_mask;		/* latency: stages seen in this cycle */
	int cyc_last;			/* latency: last stage seen, -1 none */
	uint32_t watching;		/* bit per rule index: @watch armed */
	/* vt_hist_site() index of the format of each @hist entry */
	uint8_t hist_fmt[VT_HIST_LEN];
	/* (line 1: what a cycle without VFIO reads, the first 3 holders) */
	struct vt_dev *dev;		/* linked VFIO device */
	uint64_t last_ack_ts;
	uint64_t last_eoi_ts;
	uint64_t last_deliver_ts;	/* last entry with the IRQ pending in an LR */
	/*
	 * latency: time of the last stage of the open cycle, @cyc_last
	 * (the only one the next stage reads: a start stage merged into
	 * the cycle is a bit of @cyc_mask)
	 */
	uint64_t cyc_ts;
	/* vCPUs whose current run's entry holds it (in_run, valid LR) */
	struct vt_vcpu *holder[VT_HOLDERS];

	/*
	 * latency samples: lr_pending to ack on lines 3 and 4 (no sample
	 * of host_irq, which starts a cycle; mask and inject only after a
	 * VFIO handler, on line 2, resample and unmask on line 5)
	 */
	struct vt_samples lat[VT_ST_MAX];
	/* (line 5: VFIO, state records, retargets) */
	uint64_t last_resample_ts;
	uint64_t last_unmask_ts;	/* VFIO unmask of the linked device */
	uint32_t prev_target;		/* target before the last change */

	/* two entries per line: a transition dirties one line, not two */
	struct vt_hist hist[VT_HIST_LEN] __attribute__((aligned(64)));

	/* (its cold tail from still_asserted on) */
	struct vt_counts cnt;
	struct vt_watch watch[VT_NR_RULES];

	/*
	 * The rules' per-IRQ state, at e->irq_off[rule index], 24 bytes
	 * into a cache line: with the rule table's sizes (168 bytes in all)
	 * the states an inject or an LR record reads (masked_forever,
	 * storm, migration) lie on two lines instead of three, and
	 * an IRQ's block, offsetof(priv) + e->irq_priv, is 21 lines
	 * (1344 bytes).
	 * Speed only: any size is correct.
	 */
	unsigned char priv[] __attribute__((aligned(8)));
};

_Static_assert(sizeof(struct vt_hist) == 32, "two history entries a line");
_Static_assert(offsetof(struct vt_irq, hist_fmt) + VT_HIST_LEN <= 64,
	       "the history's formats are in the IRQ's first line");
_Static_assert(sizeof(struct vt_hlines) == 64, "histogram lines on lines");
_Static_assert(offsetof(struct vt_irq, lat[VT_ST_LR_P]) / 64 ==
	       (offsetof(struct vt_irq, lat[VT_ST_ACK + 1]) - 1) / 64 - 1,
	       "the samples of lr_pending to ack on two lines");

/* bit per 64-byte line of the bytes [@a, @b) of a struct (@a < @b) */
#define VT_LINES(a, b)		((2u << (((b) - 1) / 64)) - (1u << ((a) / 64)))

/*
 * The lines of an IRQ a delivery cycle without VFIO, MMIO or a deadline
 * touches, but for the rules' state, a bit each: the chain state, the
 * samples of lr_pending to ack, the history and the hot counters; all
 * before VT_IRQ_HOT_END. What vt_irqs_prefetch() loads.
 */
#define VT_IRQ_HOT_END		offsetof(struct vt_irq, cnt.still_asserted)
#define VT_IRQ_HOT_LINES						\
	(VT_LINES(0, offsetof(struct vt_irq, holder[VT_HOLDERS - 1])) |	\
	 VT_LINES(offsetof(struct vt_irq, lat[VT_ST_LR_P]),		\
		  offsetof(struct vt_irq, lat[VT_ST_ACK + 1])) |		\
	 VT_LINES(offsetof(struct vt_irq, hist), VT_IRQ_HOT_END))
_Static_assert(VT_IRQ_HOT_END <= 32 * 64, "a bit per hot line");

/**
 * struct vt_dev - one VFIO INTx device
 */
struct vt_dev {
	char name[17];
	uint32_t host_irq;
	uint64_t trigger_key;
	uint64_t unmask_key;
	uint32_t vm_id;			/* VM from the linked irqfd */
	uint32_t gsi;
	struct vt_irq *irq;
	bool masked;
	uint64_t mask_ts;
	uint64_t vfio[VT_VFIO_END];
	uint64_t still_asserted;
	/* the rules' per-device state, at e->dev_off[rule index] */
	unsigned char priv[] __attribute__((aligned(8)));
};

/* An irqfd registration seen in the trace. */
struct vt_irqfd {
	uint32_t vm_id;
	uint32_t gsi;
	bool resample;
	bool deassigned;
	uint64_t eventfd_key;
	uint64_t resample_key;
};

/* One IRQ waiting for a vCPU's next entry (a deadline with a vCPU). */
struct vt_vwait {
	struct vt_irq *irq;
	uint32_t rule;
	uint32_t seq;
};

/* One LR of a vCPU's entry, decoded once at the FLUSH (24 bytes). */
struct vt_entry_lr {
	struct vt_lr lr;
	struct vt_irq *irq;		/* IRQ of a valid LR, else NULL */
};

/*
 * One vCPU: the LRs of its current run. What a FLUSH and a FOLD touch
 * for the LRs in use is kept in few cache lines (512 vCPUs do not stay
 * in the first-level cache): the first line (the struct is 64-byte
 * aligned) holds the fields every LR record reads and the first two
 * LRs, then the other LRs, the IRQ cache, and the entry's record, of
 * which only the used LRs are copied.
 */
struct vt_vcpu {
	uint32_t vm_id;
	uint32_t vcpu_id;
	bool in_run;			/* flush seen, fold not yet */
	/*
	 * dispatch_lr.c: the fold of the run cleared lr_vcpu of every IRQ
	 * of @ent that held it (the next FLUSH has none to clear)
	 */
	bool ent_unlinked;
	bool ent_dec;			/* @ent decoded: a known GIC version */
	uint8_t recent_next;		/* next slot of @recent replaced */
	uint32_t nr_wait;		/* entries of @wait */
	/* @entry's LRs decoded once at the FLUSH (@entry.used_lrs of them) */
	struct vt_entry_lr ent[VT_MAX_LR];
	uint64_t last_exit_ts;		/* last LR_FOLD */
	uint64_t runs;
	/*
	 * IRQs of its recent entries, checked before the hash (a cache),
	 * with their INTIDs: a miss reads no IRQ line
	 */
	uint32_t recent_id[4];
	struct vt_irq *recent[4];
	/*
	 * the entry's record (vt_vcpu_holds()): its gic_version, used_lrs
	 * and lr[] up to used_lrs only
	 */
	struct vt_rec_lr entry;
	uint32_t idx;			/* creation order */
	/* deadlines that fire at this vCPU's next entry (bus.c) */
	uint32_t cap_wait;
	struct vt_vwait *wait;
};
_Static_assert(offsetof(struct vt_vcpu, ent[2]) == 64,
	       "struct vt_vcpu: the first two LRs in the first line");

/**
 * vt_vm_slot() - slot of (@vm, @x) in a direct-mapped cache of @n slots:
 * a VM's vCPUs or INTIDs in consecutive slots, VMs spread by 37
 * @vm:		VM
 * @x:		vCPU or INTID
 * @n:		slots, a power of two
 */
static inline unsigned int vt_vm_slot(uint32_t vm, uint32_t x, unsigned int n)
{
	return (vm * 37u + x) & (n - 1);
}

/* direct-mapped cache of the vCPUs of LR records (a power of two) */
#define VT_VCPU_CACHE		256

/* slots of the route and the device lookup caches (powers of two) */
#define VT_ROUTE_CACHE	64
#define VT_DEV_CACHE	256
/* slots of the IRQ lookup cache, e->irq_cache[] (a power of two) */
#define VT_IRQ_CACHE		64

struct vt_hash;
struct vt_chunk;
struct vt_ev;
struct vt_reorder;		/* engine.c: the reorder window */

/* a rule's list of armed IRQs (bus.c) */
struct vt_armed {
	struct vt_irq **v;
	size_t n, cap;
};

struct vt_engine {
	struct vt_engine_opts opts;
	struct vt_host_facts facts;
	bool have_facts;
	struct vt_read_status rstat;
	bool have_rstat;

	/* reorder window: in-order records in a FIFO, late ones sorted by ts */
	struct vt_reorder *ro;
	uint64_t win;			/* window in ns (files: the live default) */
	uint64_t max_ts, last_ts;
	uint64_t reordered, late;

	uint64_t first_ts, now;
	bool started;
	uint64_t next_tick;

	/* objects.c: memory freed only with the engine (IRQs, exact samples) */
	struct vt_chunk *chunks;
	char *arena_cur;
	size_t arena_left;
	void *smp_free[4];		/* free exact-sample arrays, 4 << class */
	/* objects.c: history %s pointers far from vt_hist_base[] */
	const char **hstr;
	size_t nr_hstr, cap_hstr;
	struct vt_hash *hstr_hash;	/* pointer -> index + 1 in @hstr */
	size_t nr_lat_hl;		/* latency.c: sample sets turned histograms */

	struct vt_irq **irqs;		/* sorted by (VM, INTID) once irqs_sorted */
	size_t nr_irqs, cap_irqs;
	bool irqs_sorted;
	struct vt_irq **active;		/* active IRQs (e->active[pos - 1]) */
	size_t nr_active, cap_active;
	struct vt_hash *irq_hash;	/* objects.c: (VM, INTID) -> IRQ */
	/* objects.c: direct-mapped cache of the hash (key, IRQ) */
	struct vt_irq_slot { uint64_t key; struct vt_irq *irq; }
		irq_cache[VT_IRQ_CACHE];
	struct vt_vcpu *last_vcpu;
	/* dispatch_lr.c: vCPUs of LR records, by vt_vm_slot() */
	struct vt_vcpu *vcpu_cache[VT_VCPU_CACHE];
	struct vt_hash *vcpu_hash;	/* objects.c: (VM, vCPU) -> vCPU */
	struct vt_hash *dev_hash;	/* objects.c: name hash -> device */
	struct vt_dev **devs;
	size_t nr_devs, cap_devs;
	/* objects.c: direct-mapped cache of dev_hash by the name's words */
	struct vt_dev *dev_cache[VT_DEV_CACHE];
	struct vt_irqfd *irqfds;
	size_t nr_irqfds, cap_irqfds;
	uint32_t irqfd_gen;		/* irqfds added: the lookup cache's epoch */
	struct vt_fdcache {		/* vt_irqfd_by_key() results */
		uint64_t key;
		uint32_t gen;		/* irqfd_gen + 1 when filled */
		int32_t idx;		/* -1 none */
		bool resample;
	} fdcache[64];
	struct vt_vcpu **vcpus;
	size_t nr_vcpus, cap_vcpus;
	struct vt_irq *last_rs_irq;	/* last resample: adjacency link */
	uint64_t last_rs_ts;
	uint32_t last_rs_cpu;
	struct vt_route { uint32_t vm, gsi, intid; } *routes;	/* host.c */
	size_t nr_routes, cap_routes;
	struct vt_hash *route_hash;	/* (VM, GSI) -> route index + 1 */
	/* host.c: direct-mapped cache of the hash (ref: index + 1) */
	struct vt_route_slot { uint32_t vm, gsi, ref; }
		route_cache[VT_ROUTE_CACHE];

	/* rule bus (bus.c) */
	size_t irq_off[VT_NR_RULES], irq_priv;	/* per-IRQ rule state */
	size_t dev_off[VT_NR_RULES], dev_priv;	/* per-device rule state */
	struct vt_armed armed[VT_NR_RULES];
	uint8_t step_bit;		/* largest log2 bucket of a cycle step + 1 */

	uint64_t by_type[VT_REC_END];
	uint64_t invalid;
	uint64_t records;
	uint64_t lost;
	uint64_t lost_cpu[64];
	uint8_t hooks[VT_HOOK_MAX + 1];	/* VT_ATTACH_* + 1, 0 unknown */
	uint8_t seen_gic;		/* GIC version seen in LR records */
	uint8_t seen_nr_lrs;		/* VT_META_NR_LRS */
	uint8_t rec_nr_lrs;		/* largest nr_lrs in LR records */
	uint8_t max_used_lrs;		/* largest used_lrs seen at an entry */
	/*
	 * dispatch_lr.c: vt_hist_sref() of the strings of the exit history
	 * entry (the LR state names, then "" and " EOI" by the EOI bit,
	 * "" and " (guest deactivated)" by the deactivation), once
	 * lr_hs_ok
	 */
	bool lr_hs_ok;
	uint32_t lr_hs[8];

	struct vt_finding *findings;
	unsigned int nr_findings, cap_findings;
	char **bugs;
	unsigned int nr_bugs;
};

/* host.c: host facts (arch, LR count, kernel) and learnt routes */

/**
 * vt_eng_arm64_slow() - vt_eng_arm64() without a GIC version: by the arch
 * @e:		engine
 *
 * Return: true unless the facts name an x86 host.
 */
bool vt_eng_arm64_slow(const struct vt_engine *e);

/**
 * vt_eng_arm64() - is the traced host arm64 (GIC, SPI = pin + 32)?
 * @e:		engine
 *
 * A GIC version (in the facts or the LR records) answers at once, inline
 * (every ack asks); the arch string is looked at out of line.
 *
 * Return: true unless the facts name an x86 host without a GIC.
 */
static inline bool vt_eng_arm64(const struct vt_engine *e)
{
	if (e->facts.gic_version || e->seen_gic)
		return true;
	return vt_eng_arm64_slow(e);
}
unsigned int vt_eng_nr_lrs(const struct vt_engine *e, const struct vt_rec_lr *r);

/**
 * vt_eng_nr_lrs_inferred() - number of LRs, or when no producer said it,
 * the largest used_lrs seen at an entry (KVM fills LRs active-first, so
 * an active IRQ of the vCPU is missing from a full set only)
 * @e:		engine
 * @r:		LR record or NULL
 * @inferred:	set to true when the value is inferred
 *
 * Return: number of LRs, 0 if nothing is known.
 */
unsigned int vt_eng_nr_lrs_inferred(const struct vt_engine *e,
				    const struct vt_rec_lr *r, bool *inferred);
bool vt_eng_kernel_at_least(const struct vt_engine *e, int major, int minor);
uint32_t vt_gsi_to_intid(struct vt_engine *e, uint32_t vm, uint32_t gsi);
void vt_route_learn(struct vt_engine *e, uint32_t vm, uint32_t gsi, uint32_t intid);
void vt_host_init(struct vt_engine *e);
void vt_host_free(struct vt_engine *e);

/* objects.c: the object tables, the active set, LR holders, history */

/**
 * vt_irq_get() - the state of (@vm, @intid), created on first use
 * @e:		engine
 * @vm:		VM id
 * @intid:	INTID (GSI on hosts without a GIC)
 *
 * Return: the IRQ, NULL on allocation failure.
 */
struct vt_irq *vt_irq_get(struct vt_engine *e, uint32_t vm, uint32_t intid);
struct vt_irq *vt_irq_find(struct vt_engine *e, uint32_t vm, uint32_t intid);
/* the IRQ keys of a slot pass of vt_irqs_prefetch(), for its lines pass */
#define VT_PF_KEYS	64	/* a power of two */
struct vt_pf_keys {
	uint32_t from, to;	/* the records' positions */
	uint32_t n;		/* keys; above VT_PF_KEYS: not all kept */
	uint64_t key[VT_PF_KEYS];
};
/**
 * vt_irqs_prefetch() - prefetch the state of the IRQs of records about to
 * be processed (a hint: nothing changes)
 * @e:		the engine
 * @refs:	ring of records, @mask + 1 of them
 * @mask:	ring size - 1
 * @from, @to:	positions (mod 2^32) of the records, @to excluded
 * @lines:	false: the IRQs' hash slots; true: the IRQs' lines, all of
 *		them (the slots should be in the cache by then)
 * @k:		the slot pass's keys: set by it, and read by a lines pass of
 *		the same records instead of the records
 */
void vt_irqs_prefetch(struct vt_engine *e, const struct vt_hdr *const *refs,
		      uint32_t mask, uint32_t from, uint32_t to, bool lines,
		      struct vt_pf_keys *k);
/**
 * vt_irqs_sort() - sort e->irqs by (VM, INTID) (for the finish and the
 * reports; new IRQs are appended while the trace is read)
 * @e:		engine
 */
void vt_irqs_sort(struct vt_engine *e);
int vt_irq_cmp(const void *a, const void *b);
/**
 * vt_irq_set_active() - set the active state of @irq (kept in e->active)
 * @e:		engine
 * @irq:	IRQ
 * @active:	new state
 * @vcpu:	vCPU it is active on, VT_NO_VCPU unknown (ignored if !@active)
 *
 * Inline: only an IRQ entering or leaving e->active calls objects.c.
 */
void vt_irq_active_list(struct vt_engine *e, struct vt_irq *irq, bool active);
static inline void vt_irq_set_active(struct vt_engine *e, struct vt_irq *irq,
				     bool active, uint32_t vcpu)
{
	irq->active = active;
	irq->active_vcpu = active ? vcpu : VT_NO_VCPU;
	if (__builtin_expect(active != (irq->active_pos != 0), 0))
		vt_irq_active_list(e, irq, active);
}

/* @v holds @irq in an LR in its current run (inline: per LR of a run) */
static inline void vt_irq_holder_add(struct vt_irq *irq, struct vt_vcpu *v)
{
	unsigned int i;

	for (i = 0; i < irq->nr_holders; i++)
		if (irq->holder[i] == v)
			return;
	if (irq->nr_holders < VT_HOLDERS)
		irq->holder[irq->nr_holders++] = v;
	else
		irq->holders_overflow = true;
}

static inline void vt_irq_holder_del(struct vt_irq *irq, struct vt_vcpu *v)
{
	unsigned int i;

	/* (mostly the one holder: a store) */
	if (__builtin_expect(irq->nr_holders == 1 && irq->holder[0] == v, 1)) {
		irq->nr_holders = 0;
		return;
	}
	for (i = 0; i < irq->nr_holders; i++)
		if (irq->holder[i] == v) {
			irq->holder[i] = irq->holder[--irq->nr_holders];
			return;
		}
}

struct vt_vcpu *vt_vcpu_get(struct vt_engine *e, uint32_t vm, uint32_t vcpu);
struct vt_dev *vt_dev_get(struct vt_engine *e, const char *name);

/**
 * vt_dev_get_raw() - the device of a record's 16-byte name field
 * @e:		engine
 * @raw:	the field: a name up to its NUL (or all 16 bytes); an empty
 *		one is "?"
 *
 * Return: the device, created if new; NULL when out of memory.
 */
struct vt_dev *vt_dev_get_raw(struct vt_engine *e, const char raw[16]);
struct vt_irqfd *vt_irqfd_by_key(struct vt_engine *e, uint64_t key, bool resample);
struct vt_irqfd *vt_irqfd_by_gsi(struct vt_engine *e, uint32_t vm, uint32_t gsi);
struct vt_irqfd *vt_irqfd_add(struct vt_engine *e);
bool vt_lrrec_holds(const struct vt_rec_lr *r, uint32_t intid, struct vt_lr *out);
bool vt_vcpu_holds(const struct vt_vcpu *v, uint32_t intid, struct vt_lr *out);

/* (never called: printf checking of vt_irq_hist()'s format) */
static inline int vt_hist_fmtcheck(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline int vt_hist_fmtcheck(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

/*
 * The formats of the history: each vt_irq_hist() call site, and the LR
 * entry, puts a pointer to its format in the section vt_hist_fmt; an
 * entry keeps the pointer's address / 8 mod 256 (struct vt_irq.hist_fmt[]:
 * at most 256 call sites; vt_hist_site() gives the index from it). The
 * linker gives the section's bounds.
 */
#define VT_HIST_SECTION	__attribute__((section("vt_hist_fmt"), used, aligned(8)))
extern const char *__start_vt_hist_fmt[] __attribute__((visibility("hidden")));
extern const char *__stop_vt_hist_fmt[] __attribute__((visibility("hidden")));
/* the LR entry's site: its format is the text vt_hist_lr_fmt[] */
extern const char *vt_hist_lr_site __attribute__((visibility("hidden")));
extern const char vt_hist_lr_fmt[] __attribute__((visibility("hidden")));

/**
 * vt_hist_sites() - the history's formats, by index (vt_irq.hist_fmt[])
 * @n:		set to the number of formats
 *
 * Return: the formats (the LR entry's is vt_hist_lr_fmt).
 */
static inline const char *const *vt_hist_sites(size_t *n)
{
	*n = (size_t)(__stop_vt_hist_fmt - __start_vt_hist_fmt);
	return (const char *const *)__start_vt_hist_fmt;
}

/* the index in vt_hist_sites() of a hist_fmt[] value */
static inline unsigned int vt_hist_site(uint8_t fmt)
{
	return (uint8_t)(fmt - (uintptr_t)__start_vt_hist_fmt /
			 sizeof(*__start_vt_hist_fmt));
}

/* a new entry of @irq at @ts with the format at @site: its words */
static inline uint32_t *vt_hist_slot(struct vt_irq *irq, uint64_t ts,
				     const char **site)
{
	unsigned int k = irq->hist_n++ % VT_HIST_LEN;
	struct vt_hist *h = &irq->hist[k];

	/* (the index less that of the section's start, mod 256) */
	irq->hist_fmt[k] = (uint8_t)((uintptr_t)site / sizeof(*site));
	h->ts = ts;
	return h->w;
}

/*
 * A %s argument in one word: a pointer less than VT_HS_NEAR (1 GiB) from
 * vt_hist_base[] (the library's read-only data: every literal and name
 * table of the image, and usually the brk heap) as its distance plus
 * VT_HS_NEAR, below VT_HS_FAR; any other (e.g. a device name in a mapped
 * heap) as VT_HS_FAR | its index in e->hstr (vt_hist_str_far()).
 */
#define VT_HS_NEAR		(1u << 30)
#define VT_HS_FAR		(1u << 31)
extern const char vt_hist_base[] __attribute__((visibility("hidden")));
uint32_t vt_hist_str_far(struct vt_engine *e, const char *s);
const char *vt_hist_str(const struct vt_engine *e, uint32_t w);

static inline uint32_t vt_hist_sref(struct vt_engine *e, const char *s)
{
	uintptr_t d = (uintptr_t)s - ((uintptr_t)vt_hist_base - VT_HS_NEAR);

	if (__builtin_expect(d < VT_HS_FAR, 1))
		return (uint32_t)d;
	return vt_hist_str_far(e, s);
}

/* one argument at @w: a %s pointer, or an integer of @size bytes */
static inline void vt_hist_ps(struct vt_engine *e, uint32_t *w, const char *s,
			      size_t size)
{
	(void)size;
	*w = vt_hist_sref(e, s);
}

static inline void vt_hist_pi(struct vt_engine *e, uint32_t *w, uint64_t v,
			      size_t size)
{
	(void)e;
	w[0] = (uint32_t)v;
	if (size > 4)
		w[1] = (uint32_t)(v >> 32);
}

/* (a floating-point argument: not kept) */
void vt_hist_pfloat(struct vt_engine *e, uint32_t *w, double v, size_t size)
	__attribute__((error("vt_irq_hist(): no floating-point arguments")));

#define VT_HIST_PUT(e, w, off, x)					\
	_Generic((x) + 0,						\
		 char *: vt_hist_ps, const char *: vt_hist_ps,		\
		 float: vt_hist_pfloat, double: vt_hist_pfloat,		\
		 long double: vt_hist_pfloat,				\
		 default: vt_hist_pi)((e), (w) + (off), (x),		\
				      sizeof(__typeof__((x) + 0)))
/* words of one argument (a constant) */
#define VT_HW(x)							\
	(_Generic((x) + 0, char *: 1, const char *: 1, default: 0) ? 1 :	\
	 sizeof(__typeof__((x) + 0)) > 4 ? 2 : 1)

#define VT_HIST_N_(f, a, b, c, d, g, h, n, ...) n
#define VT_HIST_N(...)		VT_HIST_N_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0, 0)
#define VT_HIST_F_(f, ...)	f
#define VT_HIST_F(...)		VT_HIST_F_(__VA_ARGS__, 0)
#define VT_HIST_CAT_(a, b)	a##b
#define VT_HIST_CAT(a, b)	VT_HIST_CAT_(a, b)
/* words of the arguments */
#define VT_HIST_W0(f)		0
#define VT_HIST_W1(f, a)	VT_HW(a)
#define VT_HIST_W2(f, a, b)	(VT_HIST_W1(f, a) + VT_HW(b))
#define VT_HIST_W3(f, a, b, c)	(VT_HIST_W2(f, a, b) + VT_HW(c))
#define VT_HIST_W4(f, a, b, c, d) (VT_HIST_W3(f, a, b, c) + VT_HW(d))
#define VT_HIST_W5(f, a, b, c, d, g) (VT_HIST_W4(f, a, b, c, d) + VT_HW(g))
#define VT_HIST_W6(f, a, b, c, d, g, h) \
	(VT_HIST_W5(f, a, b, c, d, g) + VT_HW(h))
/* the arguments into the words at @w */
#define VT_HIST_P0(e, w, f)	(void)(w)
#define VT_HIST_P1(e, w, f, a)	VT_HIST_PUT(e, w, 0, a)
#define VT_HIST_P2(e, w, f, a, b) \
	VT_HIST_P1(e, w, f, a); VT_HIST_PUT(e, w, VT_HIST_W1(f, a), b)
#define VT_HIST_P3(e, w, f, a, b, c) \
	VT_HIST_P2(e, w, f, a, b); VT_HIST_PUT(e, w, VT_HIST_W2(f, a, b), c)
#define VT_HIST_P4(e, w, f, a, b, c, d) \
	VT_HIST_P3(e, w, f, a, b, c); \
	VT_HIST_PUT(e, w, VT_HIST_W3(f, a, b, c), d)
#define VT_HIST_P5(e, w, f, a, b, c, d, g) \
	VT_HIST_P4(e, w, f, a, b, c, d); \
	VT_HIST_PUT(e, w, VT_HIST_W4(f, a, b, c, d), g)
#define VT_HIST_P6(e, w, f, a, b, c, d, g, h) \
	VT_HIST_P5(e, w, f, a, b, c, d, g); \
	VT_HIST_PUT(e, w, VT_HIST_W5(f, a, b, c, d, g), h)

/**
 * vt_irq_hist() - add a transition to @irq's history: the printf format
 * (checked at compile time) and its arguments are kept in binary,
 * formatted only when a finding quotes the entry (vt_hist_format()):
 * %s strings must live as long as the engine (literals, object names),
 * integers take 32 bits (64 for long ones), VT_HIST_WORDS words in all
 * (checked at compile time); no floating-point arguments
 * @e:		engine
 * @irq:	IRQ
 * @ts:		time
 * @...:	format (a literal) and its arguments
 */
#define vt_irq_hist(e, irq, ts, ...) do {				\
	static const char *vt_hsite_ VT_HIST_SECTION =			\
		VT_HIST_F(__VA_ARGS__);					\
	uint32_t *vt_hw_;						\
									\
	if (0)								\
		vt_hist_fmtcheck(__VA_ARGS__);				\
	_Static_assert(VT_HIST_CAT(VT_HIST_W, VT_HIST_N(__VA_ARGS__))(	\
			       __VA_ARGS__) <= VT_HIST_WORDS,		\
		       "vt_irq_hist(): more than 24 bytes of arguments"); \
	vt_hw_ = vt_hist_slot((irq), (ts), &vt_hsite_);			\
	VT_HIST_CAT(VT_HIST_P, VT_HIST_N(__VA_ARGS__))((e), vt_hw_,	\
						       __VA_ARGS__);	\
} while (0)

/**
 * vt_irq_hist_lr() - history entry of an LR loaded at entry, decoded
 * only when quoted ("entry vCPU<vcpu> LR<index> <vt_lr_format()>")
 * @irq:	IRQ
 * @ts:		time
 * @vcpu:	vCPU
 * @index:	LR index
 * @gic:	VT_GIC_V2/V3
 * @raw:	LR value
 */
static inline void vt_irq_hist_lr(struct vt_irq *irq, uint64_t ts,
				  uint32_t vcpu, unsigned int index,
				  unsigned int gic, uint64_t raw)
{
	uint32_t *w = vt_hist_slot(irq, ts, &vt_hist_lr_site);

	w[0] = vcpu;
	w[1] = index;
	w[2] = gic;
	w[3] = (uint32_t)raw;
	w[4] = (uint32_t)(raw >> 32);
}

/**
 * vt_hist_format() - the text of one history entry
 * @e:		engine (the far %s pointers)
 * @irq:	IRQ
 * @k:		entry: index in @irq->hist
 * @buf:	output, NUL terminated, truncated to @len
 * @len:	size of @buf
 */
void vt_hist_format(const struct vt_engine *e, const struct vt_irq *irq,
		    unsigned int k, char *buf, size_t len);
void vt_objects_free(struct vt_engine *e);
/**
 * vt_arena_alloc() - zeroed memory that lives as long as the engine (one
 * bump allocation, no header, freed in one go by vt_objects_free())
 * @e:		engine
 * @size:	bytes
 * @align:	alignment, a power of two <= 64
 *
 * Return: the memory, NULL when out of memory.
 */
void *vt_arena_alloc(struct vt_engine *e, size_t size, size_t align);
/* the open-addressing hash of 64-bit keys the tables use (@val not NULL) */
void *vt_hash_get(const struct vt_hash *h, uint64_t key);
int vt_hash_put(struct vt_hash **hp, uint64_t key, void *val);
void vt_hash_free(struct vt_hash *h);

/* findings.c: findings and impossible states */

/**
 * vt_eng_bug() - record an impossible state ("BUG: ..." in the report)
 * @e:		engine
 * @fmt:	printf format
 */
void vt_eng_bug(struct vt_engine *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *vt_severity_name(enum vt_severity s);
void vt_fmt_ts(uint64_t ts, char *buf, size_t len);

/* latency.c */
/* vt_lat_stage() of one stage: vt_lat_at[stage] (the stage a constant) */
typedef void vt_lat_fn(struct vt_engine *e, struct vt_irq *irq, uint64_t ts);
extern vt_lat_fn *const vt_lat_at[VT_ST_MAX];

/**
 * vt_lat_stage() - @irq reached stage @st of its delivery cycle at @ts
 * @e:		engine (keeps the longest cycle step of the trace)
 * @irq:	IRQ
 * @st:		stage
 * @ts:		time
 *
 * Inline: the same stage again (an IRQ still pending or active), or an
 * engine without analysis (opts.no_analysis), is nothing and costs no
 * call; else the stage's own function, in which the stage is a constant.
 */
static inline void vt_lat_stage(struct vt_engine *e, struct vt_irq *irq,
				enum vt_stage st, uint64_t ts)
{
	if (irq->cyc_last == (int)st || st >= VT_ST_MAX || e->opts.no_analysis)
		return;
	vt_lat_at[st](e, irq, ts);
}
const char *vt_stage_name(enum vt_stage st);
/**
 * vt_lat_hdr_index() - the log-linear histogram bucket of a sample
 * @v:		sample in ns
 *
 * Return: below 16, @v; then 16 buckets per octave up to 2^40 ns; the
 * last bucket, VT_LAT_BUCKETS - 1, also holds everything above.
 */
unsigned int vt_lat_hdr_index(uint64_t v);
int vt_lat_pct(const struct vt_samples *s, uint64_t *p50, uint64_t *p99,
	       uint64_t *max);
void vt_lat_free(struct vt_irq *irq);
/**
 * vt_lat_log2() - log2 histogram of @s: bucket i counts samples in
 * [2^i, 2^(i+1)) ns (bucket 0 also 0 ns)
 * @s:		samples
 * @out:	64 counts
 */
void vt_lat_log2(const struct vt_samples *s, uint32_t out[64]);

#endif /* VT_ENGINE_INTERNAL_H */
