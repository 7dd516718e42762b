// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * objects.c - lookup tables of the engine: IRQs per (VM, INTID), vCPUs,
 * VFIO devices, irqfds; the set of active IRQs, the vCPUs holding an IRQ
 * in their LRs; the per-IRQ transition history. Depends on no other
 * engine file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "engine_internal.h"

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 16;
	np = realloc(p, ncap * size);
	if (!np)
		return NULL;
	memset((char *)np + *cap * size, 0, (ncap - *cap) * size);
	*cap = ncap;
	return np;
}

/*
 * Open-addressing hash of 64-bit keys ((VM << 32) | INTID or vCPU) to
 * objects, kept at most half full: lookups cost the same for 10 or 10^5
 * IRQs (and 512 vCPUs) instead of a scan of the table.
 */
struct vt_hslot {
	uint64_t key;
	void *val;			/* NULL: empty slot */
};

struct vt_hash {
	struct vt_hslot *s;		/* key and value side by side: one line */
	size_t cap, n;			/* cap: power of two */
	unsigned int shift;		/* 64 - log2(cap) */
};

/* Fibonacci hashing: the top bits of key * 2^64 / phi */
static size_t hash_slot(const struct vt_hash *h, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> h->shift);
}

/* (inline in the IRQ and vCPU lookups: one per record or LR) */
static inline void *hash_get(const struct vt_hash *h, uint64_t key)
{
	size_t i;

	if (!h)
		return NULL;
	for (i = hash_slot(h, key); h->s[i].val; i = (i + 1) & (h->cap - 1))
		if (h->s[i].key == key)
			return h->s[i].val;
	return NULL;
}

void *vt_hash_get(const struct vt_hash *h, uint64_t key)
{
	return hash_get(h, key);
}

int vt_hash_put(struct vt_hash **hp, uint64_t key, void *val)
{
	struct vt_hash *h = *hp, nh;
	size_t i;

	if (!h) {
		h = calloc(1, sizeof(*h));
		if (!h)
			return -1;
		*hp = h;
	}
	if ((h->n + 1) * 2 > h->cap) {
		nh.cap = h->cap ? h->cap * 2 : 64;
		nh.shift = h->cap ? h->shift - 1 : 64 - 6;
		nh.n = 0;
		nh.s = calloc(nh.cap, sizeof(*nh.s));
		if (!nh.s)
			return -1;
		for (i = 0; i < h->cap; i++) {
			size_t j;

			if (!h->s[i].val)
				continue;
			for (j = hash_slot(&nh, h->s[i].key); nh.s[j].val;
			     j = (j + 1) & (nh.cap - 1))
				;
			nh.s[j] = h->s[i];
			nh.n++;
		}
		free(h->s);
		*h = nh;
	}
	for (i = hash_slot(h, key); h->s[i].val; i = (i + 1) & (h->cap - 1))
		;
	h->s[i].key = key;
	h->s[i].val = val;
	h->n++;
	return 0;
}

void vt_hash_free(struct vt_hash *h)
{
	if (!h)
		return;
	free(h->s);
	free(h);
}

/*
 * The arena: 1 MiB chunks, carved in order. IRQs are never freed before
 * the engine is, so 10^5 of them cost no malloc headers and one munmap()
 * per chunk at the end instead of one free() per object. The chunks are
 * anonymous mappings: their pages are zero when first touched, so a new
 * IRQ costs no memset (calloc() cleared each 1 MiB by hand once the heap
 * had grown past the mmap threshold: 13 % of the instructions of check
 * on 10^5 IRQs). (Transparent huge pages, MADV_HUGEPAGE, cut the page
 * faults 9x but made the system time swing from 0.01 to 1 s a run on
 * this VM: not used.)
 */
#define VT_CHUNK_SIZE		(1u << 20)

#ifndef MAP_POPULATE
#define MAP_POPULATE		0	/* (not Linux: faulted page by page) */
#endif

struct vt_chunk {
	struct vt_chunk *next;
	size_t size;			/* bytes mapped, this header included */
};

void *vt_arena_alloc(struct vt_engine *e, size_t size, size_t align)
{
	uintptr_t cur = (uintptr_t)e->arena_cur;
	size_t pad = (align - (cur & (align - 1))) & (align - 1);
	struct vt_chunk *c;
	size_t csz;
	void *p;

	if (!e->arena_cur || pad + size > e->arena_left) {
		csz = size + 128 > VT_CHUNK_SIZE ? size + 128 : VT_CHUNK_SIZE;
		/*
		 * From the second chunk on the arena is being filled by
		 * many objects: its pages are faulted in by one call
		 * (MAP_POPULATE) rather than one fault per 4 KiB page
		 * (10^5 IRQs: 40000 faults, a quarter of the CPU time).
		 * The first chunk stays lazy: small traces touch little of it.
		 */
		c = mmap(NULL, csz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS |
			 (e->chunks ? MAP_POPULATE : 0), -1, 0);
		if (c == MAP_FAILED)
			return NULL;
		c->size = csz;
		c->next = e->chunks;
		e->chunks = c;
		e->arena_cur = (char *)(c + 1);
		e->arena_left = csz - sizeof(*c);
		cur = (uintptr_t)e->arena_cur;
		pad = (64 - (cur & 63)) & 63;	/* each chunk starts aligned */
	}
	p = e->arena_cur + pad;
	e->arena_cur += pad + size;
	e->arena_left -= pad + size;
	return p;
}

static uint64_t key2(uint32_t a, uint32_t b)
{
	return ((uint64_t)a << 32) | b;
}

struct vt_irq *vt_irq_find(struct vt_engine *e, uint32_t vm, uint32_t intid)
{
	uint64_t key = key2(vm, intid);
	/* (the slot holds the key: a miss reads no IRQ) */
	struct vt_irq_slot *c = &e->irq_cache[vt_vm_slot(vm, intid,
							  VT_IRQ_CACHE)];
	struct vt_irq *irq;

	/* a few IRQs are most of the records: the cache before the hash */
	if (c->irq && c->key == key) {
		irq = c->irq;
	} else {
		irq = hash_get(e->irq_hash, key);
		if (!irq)
			return NULL;
		c->key = key;
		c->irq = irq;
	}
	return irq;
}

_Static_assert(offsetof(struct vt_rec_inject, intid) == sizeof(struct vt_hdr) &&
	       offsetof(struct vt_rec_irq_state, intid) == sizeof(struct vt_hdr) &&
	       offsetof(struct vt_rec_deactivate, intid) == sizeof(struct vt_hdr),
	       "the INTID follows the header");

/*
 * Prefetch (for writing) every line of the @size bytes at @p, the lines
 * (p + 64 i, i < ceil(size / 64)), eight a loop iteration: 10^5 IRQs of
 * 24 lines each spent 3 instructions of loop per line prefetched. (A
 * loop GCC can prove ends, and that only prefetches, it drops with its
 * prefetches, e.g. one counting the blocks down: check the object code.)
 */
static inline void prefetch_lines(const char *p, size_t size)
{
	const char *end = p + size;

	for (; end - p >= 512; p += 512) {
		__builtin_prefetch(p, 1);
		__builtin_prefetch(p + 64, 1);
		__builtin_prefetch(p + 128, 1);
		__builtin_prefetch(p + 192, 1);
		__builtin_prefetch(p + 256, 1);
		__builtin_prefetch(p + 320, 1);
		__builtin_prefetch(p + 384, 1);
		__builtin_prefetch(p + 448, 1);
	}
	for (; p < end; p += 64)
		__builtin_prefetch(p, 1);
}

/* the hot lines of an IRQ (VT_IRQ_HOT_LINES): constants, unrolled */
static inline __attribute__((always_inline)) void prefetch_hot(const char *irq)
{
	unsigned int l;

#pragma GCC unroll 32
	for (l = 0; l < (VT_IRQ_HOT_END + 63) / 64; l++)
		if (VT_IRQ_HOT_LINES & (1u << l))
			__builtin_prefetch(irq + 64 * l, 1);
}

/*
 * one IRQ's key: its hash slot (!@lines) or, found, the lines a cycle
 * touches: VT_IRQ_HOT_LINES and the rules' state, the
 * @size bytes from @priv on
 */
static inline __attribute__((always_inline)) void
key_prefetch(const struct vt_hash *h, uint64_t key, size_t priv, size_t size,
	     const bool lines, struct vt_pf_keys *k)
{
	const char *irq;

	if (!lines) {
		__builtin_prefetch(&h->s[hash_slot(h, key)]);
		k->key[k->n++ & (VT_PF_KEYS - 1)] = key;
		return;
	}
	irq = hash_get(h, key);
	/*
	 * All of them: a delivery cycle touches most (the first three
	 * lines only, or seven: the first ones and the counts' and rules'
	 * lines, gained less or nothing on 10^5 IRQs). Not the VFIO
	 * lines, the cold counters and the deadlines: 14 of 20 lines.
	 */
	if (irq) {
		prefetch_hot(irq);
		/* (the rules' state: three lines, no loop) */
		__builtin_prefetch(irq + priv, 1);
		if (size > 64)
			__builtin_prefetch(irq + priv + 64, 1);
		if (size > 128)
			__builtin_prefetch(irq + priv + 128, 1);
		if (size > 192)
			prefetch_lines(irq + priv + 192, size - 192);
	}
}

/*
 * key_prefetch() of each IRQ @rec names, (VM, INTID) as its handler looks
 * it up; @lines a constant where inlined: one loop per pass, the keys
 * made as they are used. (@rec passed vt_record_check(): at least its
 * type's size, every LR of a struct vt_rec_lr included: no size test.)
 */
static inline __attribute__((always_inline)) void
rec_prefetch(const struct vt_hash *h, const struct vt_hdr *rec, size_t priv,
	     size_t size, const bool lines, struct vt_pf_keys *k)
{
	const struct vt_rec_lr *r = (const void *)rec;
	uint64_t vm = (uint64_t)rec->vm_id << 32;
	unsigned int i, n;

	switch (rec->type) {
	case VT_REC_LR_FLUSH:
	case VT_REC_LR_FOLD:
		n = r->used_lrs < VT_MAX_LR ? r->used_lrs : VT_MAX_LR;
		if (r->gic_version == VT_GIC_V2)
			for (i = 0; i < n; i++)
				key_prefetch(h, vm | ((uint32_t)r->lr[i] &
						      VT_GICH_LR_VINTID_MASK),
					     priv, size, lines, k);
		else
			for (i = 0; i < n; i++)
				key_prefetch(h, vm | (uint32_t)r->lr[i], priv,
					     size, lines, k);
		return;
	case VT_REC_INJECT:
	case VT_REC_IRQ_STATE:
	case VT_REC_DEACTIVATE:
		/* (the INTID is each one's first field) */
		key_prefetch(h, vm | ((const struct vt_rec_inject *)
				      (const void *)rec)->intid, priv, size,
			     lines, k);
		return;
	default:
		return;
	}
}

void vt_irqs_prefetch(struct vt_engine *e, const struct vt_hdr *const *refs,
		      uint32_t mask, uint32_t from, uint32_t to, bool lines,
		      struct vt_pf_keys *k)
{
	const struct vt_hash *h = e->irq_hash;
	/* (the rules' state from the line it starts in) */
	size_t priv = offsetof(struct vt_irq, priv) & ~(size_t)63;
	size_t size = offsetof(struct vt_irq, priv) - priv + e->irq_priv;
	uint32_t i;

	if (!h)
		return;
	if (!lines) {
		k->from = from;
		k->to = to;
		k->n = 0;
		for (; from != to; from++)
			rec_prefetch(h, refs[from & mask], priv, size, false, k);
	} else if (k->from == from && k->to == to && k->n <= VT_PF_KEYS) {
		/* the records of the last slot pass: its keys, no decoding */
		for (i = 0; i < k->n; i++)
			key_prefetch(h, k->key[i], priv, size, true, NULL);
	} else {
		for (; from != to; from++)
			rec_prefetch(h, refs[from & mask], priv, size, true, NULL);
	}
}

int vt_irq_cmp(const void *a, const void *b)
{
	const struct vt_irq *x = *(struct vt_irq *const *)a;
	const struct vt_irq *y = *(struct vt_irq *const *)b;

	if (x->vm_id != y->vm_id)
		return x->vm_id < y->vm_id ? -1 : 1;
	return x->intid < y->intid ? -1 : x->intid > y->intid;
}

/*
 * LSD radix sort of @n distinct keys, a byte a pass, the bytes all keys
 * share skipped (10^5 IRQs of one VM: three passes); @tmp holds @n keys.
 * Return: the buffer the sorted keys are in (@k or @tmp).
 */
static uint64_t *radix_sort(uint64_t *k, uint64_t *tmp, size_t n)
{
	uint64_t diff = 0, *t;
	size_t i, c[256];
	unsigned int b;

	for (i = 1; i < n; i++)
		diff |= k[i] ^ k[0];
	for (b = 0; b < 64; b += 8) {
		size_t sum = 0, x;

		if (!((diff >> b) & 0xff))
			continue;
		memset(c, 0, sizeof(c));
		for (i = 0; i < n; i++)
			c[(k[i] >> b) & 0xff]++;
		for (i = 0; i < 256; i++) {
			x = c[i];
			c[i] = sum;
			sum += x;
		}
		for (i = 0; i < n; i++)
			tmp[c[(k[i] >> b) & 0xff]++] = k[i];
		t = k;
		k = tmp;
		tmp = t;
	}
	return k;
}

/*
 * Sorted on the keys, taken from the hash slots in order, then each IRQ
 * looked up again in the hash: comparing through the pointers read two
 * IRQs spread over the whole arena per comparison (10^5 IRQs: 0.8 M
 * cache misses). A radix sort (e->irqs is its second buffer): qsort()
 * cost 47 instructions per record of a trace of 10^6 records on 10^5
 * IRQs.
 */
void vt_irqs_sort(struct vt_engine *e)
{
	const struct vt_hash *h = e->irq_hash;
	uint64_t *k, *sk;
	size_t i, n = 0;

	if (e->irqs_sorted)
		return;
	k = e->nr_irqs > 1 ? malloc(e->nr_irqs * sizeof(*k)) : NULL;
	if (k && h->n == e->nr_irqs) {
		for (i = 0; i < h->cap; i++)
			if (h->s[i].val)
				k[n++] = h->s[i].key;
		/* (8-byte keys in the pointer array: it is rewritten below) */
		_Static_assert(sizeof(*e->irqs) == sizeof(*k), "e->irqs holds keys");
		sk = radix_sort(k, (uint64_t *)(void *)e->irqs, n);
		for (i = 0; i < n; i++)
			e->irqs[i] = vt_hash_get(h, sk[i]);
	} else if (e->nr_irqs > 1) {
		qsort(e->irqs, e->nr_irqs, sizeof(*e->irqs), vt_irq_cmp);
	}
	free(k);
	e->irqs_sorted = true;
}

/* (out of line: the lookup of vt_irq_get() saves no registers) */
static __attribute__((noinline)) struct vt_irq *
irq_new(struct vt_engine *e, uint32_t vm, uint32_t intid)
{
	struct vt_irq *irq, **n;

	n = grow(e->irqs, &e->cap_irqs, e->nr_irqs, sizeof(*n));
	if (!n)
		return NULL;
	e->irqs = n;
	/* (not sizeof: the struct's tail padding would cost a line) */
	irq = vt_arena_alloc(e, offsetof(struct vt_irq, priv) + e->irq_priv,
			     64);
	if (!irq)
		return NULL;
	if (vt_hash_put(&e->irq_hash, key2(vm, intid), irq))
		return NULL;	/* (the arena keeps it until the end) */
	irq->vm_id = vm;
	irq->intid = intid;
	irq->gsi = VT_NO_GSI;
	irq->active_vcpu = VT_NO_VCPU;
	irq->lr_vcpu = VT_NO_VCPU;
	irq->target_vcpu = VT_NO_VCPU;
	irq->cyc_last = -1;
	/* appended: sorted once for the finish and the reports */
	if (e->nr_irqs && e->irqs_sorted &&
	    vt_irq_cmp(&e->irqs[e->nr_irqs - 1], &irq) > 0)
		e->irqs_sorted = false;
	if (!e->nr_irqs)
		e->irqs_sorted = true;
	e->irqs[e->nr_irqs++] = irq;
	return irq;
}

struct vt_irq *vt_irq_get(struct vt_engine *e, uint32_t vm, uint32_t intid)
{
	struct vt_irq *irq = vt_irq_find(e, vm, intid);

	if (__builtin_expect(irq != NULL, 1))
		return irq;
	return irq_new(e, vm, intid);
}

/* vt_irq_set_active()'s slow part: @irq enters or leaves e->active */
void vt_irq_active_list(struct vt_engine *e, struct vt_irq *irq, bool active)
{
	struct vt_irq **n, *last;

	if (active && !irq->active_pos) {
		/* (grow() called only to grow: an activation is per cycle) */
		if (e->nr_active == e->cap_active) {
			n = grow(e->active, &e->cap_active, e->nr_active,
				 sizeof(*n));
			if (!n)
				return;
			e->active = n;
		}
		e->active[e->nr_active++] = irq;
		irq->active_pos = (uint32_t)e->nr_active;
	} else if (!active && irq->active_pos) {
		last = e->active[--e->nr_active];
		e->active[irq->active_pos - 1] = last;
		last->active_pos = irq->active_pos;
		irq->active_pos = 0;
	}
}

bool vt_lrrec_holds(const struct vt_rec_lr *r, uint32_t intid, struct vt_lr *out)
{
	struct vt_lr lr;
	unsigned int i;

	for (i = 0; i < r->used_lrs && i < VT_MAX_LR; i++) {
		if (vt_lr_decode(r->gic_version, r->lr[i], &lr))
			continue;
		if (lr.vintid == intid && lr.state != VT_LR_INVALID) {
			if (out)
				*out = lr;
			return true;
		}
	}
	return false;
}

bool vt_vcpu_holds(const struct vt_vcpu *v, uint32_t intid, struct vt_lr *out)
{
	return v->in_run && vt_lrrec_holds(&v->entry, intid, out);
}

struct vt_vcpu *vt_vcpu_get(struct vt_engine *e, uint32_t vm, uint32_t vcpu)
{
	struct vt_vcpu **n, *v = e->last_vcpu;

	if (v && v->vcpu_id == vcpu && v->vm_id == vm)
		return v;
	v = hash_get(e->vcpu_hash, key2(vm, vcpu));
	if (v) {
		e->last_vcpu = v;
		return v;
	}
	n = grow(e->vcpus, &e->cap_vcpus, e->nr_vcpus, sizeof(*n));
	if (!n)
		return NULL;
	e->vcpus = n;
	if (posix_memalign((void **)&v, 64, sizeof(*v)))	/* LRs on lines */
		return NULL;
	memset(v, 0, sizeof(*v));
	if (vt_hash_put(&e->vcpu_hash, key2(vm, vcpu), v)) {
		free(v);
		return NULL;
	}
	v->vm_id = vm;
	v->vcpu_id = vcpu;
	v->idx = (uint32_t)e->nr_vcpus;
	e->vcpus[e->nr_vcpus++] = v;
	return v;
}

/* 16 bytes hashed as two words */
static uint64_t words_key(const char b[16])
{
	uint64_t w[2];

	memcpy(w, b, 16);
	w[0] ^= w[1] * 0x9e3779b97f4a7c15ull;
	return w[0] ^ (w[0] >> 29);
}

/* @name's first 16 bytes up to its NUL, zero padded, hashed as words */
static uint64_t name_key(const char *name, char pad[16])
{
	memset(pad, 0, 16);
	memcpy(pad, name, strnlen(name, 16));
	return words_key(pad);
}

/* slot of the padded name @raw in e->dev_cache[] */
static inline struct vt_dev **dev_slot(struct vt_engine *e, const char raw[16])
{
	uint64_t w[2];

	/* (not words_key(): 32 PCI names "0000:BB:DD.F" take 32 slots) */
	memcpy(w, raw, 16);
	return &e->dev_cache[((w[0] ^ w[1] << 1) * 0x9e3779b97f4a7c15ull) >> 56];
}

struct vt_dev *vt_dev_get(struct vt_engine *e, const char *name)
{
	struct vt_dev **n, *d;
	char pad[16];
	uint64_t key = name_key(name, pad);
	size_t i;

	/* d->name is zero padded too: equal bytes are equal names */
	d = vt_hash_get(e->dev_hash, key);
	if (d && !memcmp(d->name, pad, 16))
		return d;
	if (d)	/* two names, one hash: look the long way */
		for (i = 0; i < e->nr_devs; i++)
			if (!memcmp(e->devs[i]->name, pad, 16))
				return e->devs[i];
	n = grow(e->devs, &e->cap_devs, e->nr_devs, sizeof(*n));
	if (!n)
		return NULL;
	e->devs = n;
	d = calloc(1, sizeof(*d) + e->dev_priv);
	if (!d)
		return NULL;
	if (!vt_hash_get(e->dev_hash, key) && vt_hash_put(&e->dev_hash, key, d)) {
		free(d);
		return NULL;
	}
	memcpy(d->name, pad, 16);
	d->vm_id = VT_NO_VM;
	d->gsi = VT_NO_GSI;
	e->devs[e->nr_devs++] = d;
	return d;
}

/* vt_dev_get_raw()'s long way (out of line: the lookup saves no register) */
static __attribute__((noinline)) struct vt_dev *
dev_get_raw_slow(struct vt_engine *e, const char raw[16])
{
	char name[17];

	memcpy(name, raw, 16);
	name[16] = 0;
	return vt_dev_get(e, name[0] ? name : "?");
}

/* vt_dev_get_raw() not in the cache entry @c: the hash, or the long way */
static __attribute__((noinline)) struct vt_dev *
dev_get_raw_miss(struct vt_engine *e, const char raw[16], struct vt_dev **c)
{
	struct vt_dev *d = hash_get(e->dev_hash, words_key(raw));

	if (d && !memcmp(d->name, raw, 16)) {
		*c = d;
		return d;
	}
	return dev_get_raw_slow(e, raw);
}

struct vt_dev *vt_dev_get_raw(struct vt_engine *e, const char raw[16])
{
	struct vt_dev **c, *d;

	/*
	 * A field zero padded after its NUL is its own padded name: found
	 * by its words at once, in the cache or else the hash. Anything
	 * else (garbage after the NUL, an empty name, a new device) goes
	 * the long way.
	 */
	c = dev_slot(e, raw);
	d = *c;
	if (d && !memcmp(d->name, raw, 16))
		return d;
	return dev_get_raw_miss(e, raw, c);
}

struct vt_irqfd *vt_irqfd_add(struct vt_engine *e)
{
	struct vt_irqfd *n;

	n = grow(e->irqfds, &e->cap_irqfds, e->nr_irqfds, sizeof(*n));
	if (!n)
		return NULL;
	e->irqfds = n;
	e->irqfd_gen++;		/* the new one may be a newer match */
	return &e->irqfds[e->nr_irqfds++];
}

/*
 * The last irqfd with @key (keys never change once the handler that
 * added the irqfd has filled it): a small cache of answers, dropped
 * whenever an irqfd is added, in front of the scan.
 */
struct vt_irqfd *vt_irqfd_by_key(struct vt_engine *e, uint64_t key,
				 bool resample)
{
	struct vt_fdcache *c;
	size_t i;

	if (!key)
		return NULL;
	c = &e->fdcache[(key ^ key >> 17 ^ key >> 31 ^ resample) & 63];
	if (c->gen == e->irqfd_gen + 1 && c->key == key && c->resample == resample)
		return c->idx < 0 ? NULL : &e->irqfds[c->idx];
	c->key = key;
	c->resample = resample;
	c->gen = e->irqfd_gen + 1;
	c->idx = -1;
	for (i = e->nr_irqfds; i-- > 0;) {
		struct vt_irqfd *f = &e->irqfds[i];

		if ((resample ? f->resample_key : f->eventfd_key) == key) {
			c->idx = (int32_t)i;
			return f;
		}
	}
	return NULL;
}

struct vt_irqfd *vt_irqfd_by_gsi(struct vt_engine *e, uint32_t vm, uint32_t gsi)
{
	size_t i;

	for (i = e->nr_irqfds; i-- > 0;)
		if (e->irqfds[i].vm_id == vm && e->irqfds[i].gsi == gsi &&
		    !e->irqfds[i].deassigned)
			return &e->irqfds[i];
	return NULL;
}

/*
 * The history is kept in binary: the format's index and its arguments
 * in 32-bit words (%s as vt_hist_sref()), formatted only when a finding
 * quotes it (vt_hist_format()). Formatting every transition as text cost
 * half of the analysis time; 64-byte entries (the format's pointer, six
 * 64-bit arguments) made the history 512 of the 1792 bytes of an IRQ.
 */
enum { A_INT, A_LONG, A_LLONG, A_SIZE, A_STR, A_PTR, A_DBL };

/* Parse one conversion at @p (just after '%'): its type, end of spec. */
static const char *conv(const char *p, int *type)
{
	int l = 0;

	while (*p && strchr("-+ #0'", *p))
		p++;
	while ((*p >= '0' && *p <= '9') || *p == '.')
		p++;
	for (;; p++) {
		if (*p == 'l')
			l++;
		else if (*p == 'z' || *p == 'j' || *p == 't')
			l = 3;
		else if (*p != 'h')
			break;
	}
	switch (*p) {
	case 's':
		*type = A_STR;
		break;
	case 'p':
		*type = A_PTR;
		break;
	case 'f': case 'g': case 'e':
		*type = A_DBL;
		break;
	default:
		*type = l == 0 ? A_INT : l == 1 ? A_LONG : l == 2 ? A_LLONG : A_SIZE;
		break;
	}
	return p;
}

/* the LR entry's format (its arguments are decoded by hand) */
const char vt_hist_lr_fmt[] = "entry vCPU%u LR%u %s";
const char *vt_hist_lr_site VT_HIST_SECTION = vt_hist_lr_fmt;
/*
 * The point near %s pointers are measured from (vt_hist_sref()), in the
 * read-only data; its text stands for a %s the engine had no memory to
 * keep.
 */
const char vt_hist_base[] = "?";

uint32_t vt_hist_str_far(struct vt_engine *e, const char *s)
{
	void *v = vt_hash_get(e->hstr_hash, (uintptr_t)s);
	size_t i = e->nr_hstr;
	const char **n;

	if (v)
		return VT_HS_FAR | (uint32_t)((uintptr_t)v - 1);
	n = i < VT_HS_FAR - 1 ? grow(e->hstr, &e->cap_hstr, i, sizeof(*n)) :
	    NULL;
	if (!n)
		return VT_HS_NEAR;	/* vt_hist_base: "?" */
	e->hstr = n;
	if (vt_hash_put(&e->hstr_hash, (uintptr_t)s, (void *)(uintptr_t)(i + 1)))
		return VT_HS_NEAR;
	e->hstr[e->nr_hstr++] = s;
	return VT_HS_FAR | (uint32_t)i;
}

/**
 * vt_hist_str() - the %s pointer of a word vt_hist_sref() made
 * @e:		engine
 * @w:		the word
 *
 * Return: the string.
 */
const char *vt_hist_str(const struct vt_engine *e, uint32_t w)
{
	if (w & VT_HS_FAR)
		return (w & ~VT_HS_FAR) < e->nr_hstr ? e->hstr[w & ~VT_HS_FAR] :
		       vt_hist_base;
	return (const char *)((uintptr_t)vt_hist_base - VT_HS_NEAR + w);
}

/* the formats are the ones vt_irq_hist() checked at compile time */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/*
 * Append one conversion @spec (NUL-terminated) of argument @a; *@so
 * counts the %s bytes of the entry so far (cut at VT_HIST_STR in all).
 */
static int fmt_one(const struct vt_engine *e, char *buf, size_t len,
		   const char *spec, int type, uint64_t a, unsigned int *so)
{
	char str[VT_HIST_STR + 1];
	const char *s;
	size_t sl;
	double d;

	switch (type) {
	case A_INT:
		return snprintf(buf, len, spec, (int)a);
	case A_LONG:
		return snprintf(buf, len, spec, (long)a);
	case A_LLONG:
		return snprintf(buf, len, spec, (long long)a);
	case A_SIZE:
		return snprintf(buf, len, spec, (size_t)a);
	case A_PTR:
		return snprintf(buf, len, spec, (void *)(uintptr_t)a);
	case A_DBL:
		memcpy(&d, &a, sizeof(d));
		return snprintf(buf, len, spec, d);
	default:
		s = vt_hist_str(e, (uint32_t)a);
		sl = strnlen(s, VT_HIST_STR - *so);
		memcpy(str, s, sl);
		str[sl] = 0;
		*so += (unsigned int)sl + (*so + sl < VT_HIST_STR);
		return snprintf(buf, len, spec, str);
	}
}

void vt_hist_format(const struct vt_engine *e, const struct vt_irq *irq,
		    unsigned int k, char *buf, size_t len)
{
	const struct vt_hist *h = &irq->hist[k % VT_HIST_LEN];
	const char *const *site;
	char spec[24], txt[80];
	unsigned int wi = 0, nw, so = 0, fi;
	const char *p, *q, *fmt;
	size_t o = 0, sl, nsites;
	uint64_t a;
	int type, w;

	if (!len)
		return;
	buf[0] = 0;
	site = vt_hist_sites(&nsites);
	fi = vt_hist_site(irq->hist_fmt[k % VT_HIST_LEN]);
	fmt = fi < nsites ? site[fi] : NULL;
	if (!fmt)
		return;
	if (fmt == vt_hist_lr_fmt) {
		snprintf(buf, len, "entry vCPU%u LR%u %s", h->w[0], h->w[1],
			 vt_lr_format(h->w[2],
				      h->w[3] | (uint64_t)h->w[4] << 32, txt,
				      sizeof(txt)));
		return;
	}
	for (p = fmt; *p && o < len - 1; p++) {
		if (*p != '%') {
			buf[o++] = *p;
			continue;
		}
		if (p[1] == '%') {
			buf[o++] = '%';
			p++;
			continue;
		}
		q = conv(p + 1, &type);
		nw = type == A_INT || type == A_STR ? 1 : 2;
		if (!*q || wi + nw > VT_HIST_WORDS)
			break;
		sl = (size_t)(q - p) + 1;
		if (sl >= sizeof(spec))
			break;
		memcpy(spec, p, sl);
		spec[sl] = 0;
		a = h->w[wi];
		if (nw == 2)
			a |= (uint64_t)h->w[wi + 1] << 32;
		wi += nw;
		w = fmt_one(e, buf + o, len - o, spec, type, a, &so);
		if (w < 0)
			break;
		o += (size_t)w;
		if (o > len - 1)
			o = len - 1;
		p = q;
	}
	buf[o] = 0;
}
#pragma GCC diagnostic pop

void vt_objects_free(struct vt_engine *e)
{
	size_t i;

	/* (only histograms are malloc()ed: no walk over 10^5 IRQs without) */
	for (i = 0; e->nr_lat_hl && i < e->nr_irqs; i++)
		vt_lat_free(e->irqs[i]);
	while (e->chunks) {
		struct vt_chunk *c = e->chunks;

		e->chunks = c->next;
		munmap(c, c->size);
	}
	free(e->irqs);
	free(e->hstr);
	vt_hash_free(e->hstr_hash);
	vt_hash_free(e->irq_hash);
	vt_hash_free(e->vcpu_hash);
	vt_hash_free(e->dev_hash);
	for (i = 0; i < e->nr_devs; i++)
		free(e->devs[i]);
	free(e->devs);
	free(e->irqfds);
	free(e->active);
	for (i = 0; i < e->nr_vcpus; i++) {
		free(e->vcpus[i]->wait);
		free(e->vcpus[i]);
	}
	free(e->vcpus);
}
