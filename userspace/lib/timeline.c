// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * timeline.c - Chrome trace-event JSON export (see vt_timeline.h).
 *
 * Every event is formatted by hand into a fixed buffer that is written
 * out when it fills: no printf per field, no whole-trace buffer.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "vt_lr.h"
#include "vt_record.h"
#include "vt_timeline.h"
#include "vt_version.h"

#define TL_BUF		(256 * 1024)
#define TL_EVENT_MAX	1024	/* one event, escaped comm included */

/* Track kinds of the track map. */
enum {
	TK_PROC = 1,	/* a process was named: (pid) */
	TK_IRQ,		/* instants of one IRQ: (pid, intid) */
	TK_LR,		/* LR slices of one IRQ on one vCPU: (pid, intid, vcpu) */
	TK_HOSTIRQ,	/* VFIO events of one host IRQ: (host pid, irq) */
	TK_LOSS,	/* losses: (host pid) */
};

struct tl_track {
	uint32_t pid, a, b, tid;
	uint8_t kind;
};

struct tl_vcpu {
	uint32_t vm, vcpu;
	uint32_t tid;		/* current tid; 0: none yet */
	uint32_t synth_tid;	/* synthetic tid given before a real one, or 0 */
	bool real;		/* @tid came from VT_META_VCPU */
	bool in_run;		/* @entry holds the LRs of the current run */
	char comm[65];
	struct vt_rec_lr entry;
	/* the TK_LR track last used by each LR index: its vINTID, tid */
	uint32_t lr_intid[VT_MAX_LR];
	uint32_t lr_tid[VT_MAX_LR];	/* 0: none */
};

struct vt_timeline {
	FILE *f;
	char *buf;
	size_t n;
	int err;			/* sticky -ENOMEM / -EIO */
	unsigned long events;
	uint32_t next_tid;

	struct tl_track *tracks;	/* open addressing, kind 0 = empty */
	size_t ntracks, captracks;	/* captracks a power of two */

	struct tl_vcpu *vcpus;		/* array, indexed by @vidx */
	size_t nvcpus, capvcpus;
	uint32_t *vidx;			/* open addressing: index + 1, 0 = empty */
	size_t capvidx;

	/* '{"pid":P,"tid":T,"ts":' of synthetic tid VT_TL_SYNTH_TID + i */
	struct tl_pre { char s[48]; uint8_t len; } *pre;
	size_t cappre;

	/* "P -> A", "P -> inv (deactivated)": [entry][exit][eoied] */
	char names[4][4][2][32];
	uint8_t namelen[4][4][2];
};

/* ---- output ------------------------------------------------------- */

static void flush_buf(struct vt_timeline *tl)
{
	if (tl->n && fwrite(tl->buf, 1, tl->n, tl->f) != tl->n && !tl->err)
		tl->err = -EIO;
	tl->n = 0;
}

static inline void put(struct vt_timeline *tl, const char *s, size_t len)
{
	memcpy(tl->buf + tl->n, s, len);
	tl->n += len;
}

#define PUTS(tl, lit)	put(tl, lit, sizeof(lit) - 1)

static inline void put_cstr(struct vt_timeline *tl, const char *s)
{
	put(tl, s, strlen(s));
}

/* "00".."99" */
static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* decimal digits of @v (1 for 0) */
static inline unsigned int ndigits(uint64_t v)
{
	unsigned int n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	if (v >= 1000)
		return n + 3;
	if (v >= 100)
		return n + 2;
	if (v >= 10)
		return n + 1;
	return n;
}

/* @v in decimal, written backwards into the buffer two digits at a time */
static inline void put_u64(struct vt_timeline *tl, uint64_t v)
{
	unsigned int n = ndigits(v);
	char *e = tl->buf + tl->n + n;

	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100);

		v /= 100;
		e -= 2;
		memcpy(e, digits2 + 2 * r, 2);
	}
	if (v >= 10) {
		e -= 2;
		memcpy(e, digits2 + 2 * v, 2);
	} else {
		*--e = (char)('0' + v);
	}
	tl->n += n;
}

static inline void put_s64(struct vt_timeline *tl, int64_t v)
{
	if (v < 0) {
		PUTS(tl, "-");
		put_u64(tl, -(uint64_t)v);
	} else {
		put_u64(tl, (uint64_t)v);
	}
}

/* ns as microseconds with exactly three decimals: 1234567 -> 1234.567 */
static inline void put_us(struct vt_timeline *tl, uint64_t ns)
{
	unsigned int r = (unsigned int)(ns % 1000);
	char *d;

	put_u64(tl, ns / 1000);
	d = tl->buf + tl->n;
	d[0] = '.';
	d[1] = (char)('0' + r / 100);
	memcpy(d + 2, digits2 + 2 * (r % 100), 2);
	tl->n += 4;
}

static inline void put_hex(struct vt_timeline *tl, uint64_t v)
{
	static const char hx[] = "0123456789abcdef";
	char t[19];
	int i = 19;

	do {
		t[--i] = hx[v & 15];
		v >>= 4;
	} while (v);
	t[--i] = 'x';
	t[--i] = '0';
	PUTS(tl, "\"");
	put(tl, t + i, 19 - i);
	PUTS(tl, "\"");
}

/* A JSON string of at most @max bytes of @s: quotes, backslashes, control
 * and non-ASCII bytes escaped (the output is ASCII, hence valid UTF-8). */
static void put_jstr(struct vt_timeline *tl, const char *s, size_t max)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	PUTS(tl, "\"");
	for (i = 0; i < max && p[i]; i++) {
		if (p[i] == '"' || p[i] == '\\') {
			tl->buf[tl->n++] = '\\';
			tl->buf[tl->n++] = (char)p[i];
		} else if (p[i] < 0x20 || p[i] >= 0x7f) {
			PUTS(tl, "\\u00");
			tl->buf[tl->n++] = hx[p[i] >> 4];
			tl->buf[tl->n++] = hx[p[i] & 15];
		} else {
			tl->buf[tl->n++] = (char)p[i];
		}
	}
	PUTS(tl, "\"");
}

/* Room for one event, and the separator before it. */
static inline void ev_begin(struct vt_timeline *tl)
{
	if (tl->n + TL_EVENT_MAX > TL_BUF)
		flush_buf(tl);
	if (tl->events)
		PUTS(tl, ",\n");
	tl->events++;
}

static void ev_meta(struct vt_timeline *tl, const char *what, uint32_t pid,
		    const uint32_t *tid, const char *name, size_t max)
{
	ev_begin(tl);
	PUTS(tl, "{\"ph\":\"M\",\"name\":\"");
	put_cstr(tl, what);
	PUTS(tl, "\",\"pid\":");
	put_u64(tl, pid);
	if (tid) {
		PUTS(tl, ",\"tid\":");
		put_u64(tl, *tid);
	}
	PUTS(tl, ",\"args\":{\"name\":");
	put_jstr(tl, name, max);
	PUTS(tl, "}}");
}

/* '{"pid":P,"tid":T,"ts":', precomputed for synthetic tids */
static inline __attribute__((always_inline)) void
put_head(struct vt_timeline *tl, uint32_t pid, uint32_t tid)
{
	size_t i = tid - VT_TL_SYNTH_TID;

	if (tid >= VT_TL_SYNTH_TID && i < tl->cappre && tl->pre[i].len) {
		put(tl, tl->pre[i].s, tl->pre[i].len);
		return;
	}
	PUTS(tl, "{\"pid\":");
	put_u64(tl, pid);
	PUTS(tl, ",\"tid\":");
	put_u64(tl, tid);
	PUTS(tl, ",\"ts\":");
}

/* A new synthetic tid: its head (out of memory: formatted each time). */
static uint32_t new_tid(struct vt_timeline *tl, uint32_t pid)
{
	uint32_t tid = tl->next_tid++;
	size_t i = tid - VT_TL_SYNTH_TID;

	if (i >= tl->cappre) {
		size_t cap = tl->cappre ? tl->cappre * 2 : 256;
		struct tl_pre *np = realloc(tl->pre, cap * sizeof(*np));

		if (!np)
			return tid;
		memset(np + tl->cappre, 0, (cap - tl->cappre) * sizeof(*np));
		tl->pre = np;
		tl->cappre = cap;
	}
	tl->pre[i].len = (uint8_t)snprintf(tl->pre[i].s, sizeof(tl->pre[i].s),
					   "{\"pid\":%u,\"tid\":%u,\"ts\":", pid, tid);
	return tid;
}

/* {"pid":P,"tid":T,"ts":X,"ph":"i","s":"t","cat":CAT,"name":N1N2N3,"args":{ */
static inline __attribute__((always_inline)) void
ev_instant3(struct vt_timeline *tl, const char *cat, const char *n1,
	    const char *n2, const char *n3, uint32_t pid, uint32_t tid,
	    uint64_t ts)
{
	ev_begin(tl);
	put_head(tl, pid, tid);
	put_us(tl, ts);
	PUTS(tl, ",\"ph\":\"i\",\"s\":\"t\",\"cat\":\"");
	put_cstr(tl, cat);
	PUTS(tl, "\",\"name\":\"");
	put_cstr(tl, n1);
	put_cstr(tl, n2);
	put_cstr(tl, n3);
	PUTS(tl, "\",\"args\":{");
}

static inline void ev_instant(struct vt_timeline *tl, const char *cat,
			      const char *name, uint32_t pid, uint32_t tid,
			      uint64_t ts)
{
	ev_instant3(tl, cat, name, "", "", pid, tid, ts);
}

/* {"pid":P,"tid":T,"ts":X,"dur":D,"ph":"X","cat":CAT,"name":NAME,"args":{ */
static inline __attribute__((always_inline)) void
ev_slice(struct vt_timeline *tl, const char *cat, const char *name, size_t len,
	 uint32_t pid, uint32_t tid, uint64_t ts, uint64_t end)
{
	ev_begin(tl);
	put_head(tl, pid, tid);
	put_us(tl, ts);
	PUTS(tl, ",\"dur\":");
	put_us(tl, end > ts ? end - ts : 0);
	PUTS(tl, ",\"ph\":\"X\",\"cat\":\"");
	put_cstr(tl, cat);
	PUTS(tl, "\",\"name\":\"");
	put(tl, name, len);
	PUTS(tl, "\",\"args\":{");
}

/* ---- the track map -------------------------------------------------- */

static inline size_t track_hash(uint8_t kind, uint32_t pid, uint32_t a,
				uint32_t b)
{
	uint64_t k = ((uint64_t)pid << 32 | a) * 0x9e3779b97f4a7c15ull;

	k ^= ((uint64_t)b << 8 | kind) * 0xc2b2ae3d27d4eb4full;
	return (size_t)(k ^ (k >> 31));
}

static struct tl_track *track_slot(struct tl_track *t, size_t cap,
				   uint8_t kind, uint32_t pid, uint32_t a,
				   uint32_t b)
{
	size_t i = track_hash(kind, pid, a, b) & (cap - 1);

	while (t[i].kind && (t[i].kind != kind || t[i].pid != pid ||
			     t[i].a != a || t[i].b != b))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/*
 * The entry of (kind, pid, a, b); a new one is added with @tid 0.
 * Return: the entry, or NULL (out of memory, tl->err set).
 */
static struct tl_track *track_get(struct vt_timeline *tl, uint8_t kind,
				  uint32_t pid, uint32_t a, uint32_t b,
				  bool *added)
{
	struct tl_track *s;
	size_t i;

	*added = false;
	if (tl->captracks) {
		s = track_slot(tl->tracks, tl->captracks, kind, pid, a, b);
		if (s->kind)
			return s;
	}
	if ((tl->ntracks + 1) * 2 > tl->captracks) {
		size_t cap = tl->captracks ? tl->captracks * 2 : 256;
		struct tl_track *nt = calloc(cap, sizeof(*nt));

		if (!nt) {
			tl->err = -ENOMEM;
			return NULL;
		}
		for (i = 0; i < tl->captracks; i++)
			if (tl->tracks[i].kind)
				*track_slot(nt, cap, tl->tracks[i].kind,
					    tl->tracks[i].pid, tl->tracks[i].a,
					    tl->tracks[i].b) = tl->tracks[i];
		free(tl->tracks);
		tl->tracks = nt;
		tl->captracks = cap;
	}
	s = track_slot(tl->tracks, tl->captracks, kind, pid, a, b);
	*s = (struct tl_track){ .pid = pid, .a = a, .b = b, .kind = kind };
	tl->ntracks++;
	*added = true;
	return s;
}

/* Name process @pid the first time it is used. */
static void name_process(struct vt_timeline *tl, uint32_t pid)
{
	struct tl_track *s;
	char name[48];
	bool added;

	s = track_get(tl, TK_PROC, pid, 0, 0, &added);
	if (!s || !added)
		return;
	if (pid == VT_TL_HOST_PID)
		snprintf(name, sizeof(name), "host (VFIO, losses)");
	else
		snprintf(name, sizeof(name), "VM %u (VMM pid)", pid);
	ev_meta(tl, "process_name", pid, NULL, name, sizeof(name));
}

/* The synthetic tid of a track, named the first time it is used; 0 when
 * out of memory. */
static uint32_t track_tid(struct vt_timeline *tl, uint8_t kind, uint32_t pid,
			  uint32_t a, uint32_t b)
{
	struct tl_track *s;
	char name[64];
	bool added;

	s = track_get(tl, kind, pid, a, b, &added);
	if (!s)
		return 0;
	if (!added)
		return s->tid;
	s->tid = new_tid(tl, pid);
	name_process(tl, pid);
	switch (kind) {
	case TK_IRQ:
		snprintf(name, sizeof(name), "INTID %u", a);
		break;
	case TK_LR:
		snprintf(name, sizeof(name), "INTID %u LR on vCPU %u", a, b);
		break;
	case TK_HOSTIRQ:
		snprintf(name, sizeof(name), "host IRQ %u", a);
		break;
	default:
		snprintf(name, sizeof(name), "lost records");
		break;
	}
	/* re-fetch: name_process() may have grown the map */
	s = track_slot(tl->tracks, tl->captracks, kind, pid, a, b);
	ev_meta(tl, "thread_name", pid, &s->tid, name, sizeof(name));
	return s->tid;
}

/* ---- vCPUs ---------------------------------------------------------- */

static inline size_t vcpu_hash(uint32_t vm, uint32_t vcpu)
{
	uint64_t k = ((uint64_t)vm << 32 | vcpu) * 0x9e3779b97f4a7c15ull;

	return (size_t)(k ^ (k >> 29));
}

static uint32_t *vidx_slot(const struct vt_timeline *tl, uint32_t *t,
			   size_t cap, uint32_t vm, uint32_t vcpu)
{
	size_t i = vcpu_hash(vm, vcpu) & (cap - 1);

	while (t[i] && (tl->vcpus[t[i] - 1].vm != vm ||
			tl->vcpus[t[i] - 1].vcpu != vcpu))
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* The vCPU (vm, vcpu), added if new; NULL when out of memory. */
static struct tl_vcpu *vcpu_get(struct vt_timeline *tl, uint32_t vm,
				uint32_t vcpu)
{
	struct tl_vcpu *v;
	uint32_t *slot;
	size_t i;

	if (tl->capvidx) {
		slot = vidx_slot(tl, tl->vidx, tl->capvidx, vm, vcpu);
		if (*slot)
			return &tl->vcpus[*slot - 1];
	}
	if (tl->nvcpus == tl->capvcpus) {
		size_t cap = tl->capvcpus ? tl->capvcpus * 2 : 16;
		void *nv = realloc(tl->vcpus, cap * sizeof(*tl->vcpus));

		if (!nv)
			goto nomem;
		tl->vcpus = nv;
		tl->capvcpus = cap;
	}
	if ((tl->nvcpus + 1) * 2 > tl->capvidx) {
		size_t cap = tl->capvidx ? tl->capvidx * 2 : 64;
		uint32_t *ni = calloc(cap, sizeof(*ni));

		if (!ni)
			goto nomem;
		for (i = 0; i < tl->capvidx; i++)
			if (tl->vidx[i]) {
				const struct tl_vcpu *o = &tl->vcpus[tl->vidx[i] - 1];

				*vidx_slot(tl, ni, cap, o->vm, o->vcpu) = tl->vidx[i];
			}
		free(tl->vidx);
		tl->vidx = ni;
		tl->capvidx = cap;
	}
	v = &tl->vcpus[tl->nvcpus];
	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->vcpu = vcpu;
	tl->nvcpus++;
	*vidx_slot(tl, tl->vidx, tl->capvidx, vm, vcpu) = (uint32_t)tl->nvcpus;
	return v;
nomem:
	tl->err = -ENOMEM;
	return NULL;
}

static void name_vcpu_thread(struct vt_timeline *tl, const struct tl_vcpu *v)
{
	char name[96];

	name_process(tl, v->vm);
	if (!v->real)
		snprintf(name, sizeof(name), "vCPU %u (synthetic tid)", v->vcpu);
	else if (v->comm[0])
		snprintf(name, sizeof(name), "%s (vCPU %u)", v->comm, v->vcpu);
	else
		snprintf(name, sizeof(name), "vCPU %u", v->vcpu);
	ev_meta(tl, "thread_name", v->vm, &v->tid, name, sizeof(name));
}

/* The vCPU's thread: its real tid, or a synthetic one until it is known. */
static uint32_t vcpu_tid(struct vt_timeline *tl, struct tl_vcpu *v)
{
	if (!v->tid) {
		v->tid = v->synth_tid = new_tid(tl, v->vm);
		name_vcpu_thread(tl, v);
	}
	return v->tid;
}

/* VT_META_VCPU: vCPU @hdr.vcpu_id runs on thread @val, comm @str. */
static void meta_vcpu(struct vt_timeline *tl, const struct vt_rec_meta *m)
{
	struct tl_vcpu *v;
	char comm[65];

	if (!m->val || m->val >= VT_TL_HOST_PID || m->hdr.vm_id == VT_NO_VM ||
	    m->hdr.vcpu_id == VT_NO_VCPU)
		return;
	v = vcpu_get(tl, m->hdr.vm_id, m->hdr.vcpu_id);
	if (!v)
		return;
	memcpy(comm, m->str, 64);
	comm[64] = '\0';
	if (v->real && v->tid == m->val && !strcmp(v->comm, comm))
		return;
	v->tid = (uint32_t)m->val;
	v->real = true;
	memcpy(v->comm, comm, sizeof(comm));
	name_vcpu_thread(tl, v);
}

/* ---- records -------------------------------------------------------- */

/* Exit: the run's slice on the vCPU thread and one slice per LR. */
static void lr_slices(struct vt_timeline *tl, const struct vt_rec_lr *r)
{
	struct tl_vcpu *v = vcpu_get(tl, r->hdr.vm_id, r->hdr.vcpu_id);
	const struct vt_rec_lr *en;
	struct vt_lr in, out;
	unsigned int i, n;
	uint32_t tid;
	bool eoied;

	if (!v)
		return;
	if (r->hdr.type == VT_REC_LR_FLUSH) {
		memcpy(&v->entry, r, r->hdr.size < sizeof(*r) ? r->hdr.size :
			sizeof(*r));
		v->in_run = true;
		return;
	}
	if (!v->in_run)
		return;		/* exit without an entry (trace start) */
	v->in_run = false;
	en = &v->entry;
	n = en->used_lrs < VT_MAX_LR ? en->used_lrs : VT_MAX_LR;
	tid = vcpu_tid(tl, v);
	ev_slice(tl, "vcpu", "guest run", 9, r->hdr.vm_id, tid, en->hdr.ts_ns,
		 r->hdr.ts_ns);
	PUTS(tl, "\"vcpu\":");
	put_u64(tl, r->hdr.vcpu_id);
	PUTS(tl, ",\"lrs_used\":");
	put_u64(tl, en->used_lrs);
	PUTS(tl, ",\"cpu\":");
	put_u64(tl, r->hdr.cpu);
	PUTS(tl, "}}");
	if (r->used_lrs < n)
		n = r->used_lrs;
	for (i = 0; i < n; i++) {
		if (vt_lr_decode(en->gic_version, en->lr[i], &in) ||
		    vt_lr_decode(r->gic_version, r->lr[i], &out))
			continue;
		if (in.vintid != out.vintid || in.state == VT_LR_INVALID)
			continue;
		if (v->lr_tid[i] && v->lr_intid[i] == in.vintid) {
			tid = v->lr_tid[i];	/* the track named before */
		} else {
			tid = track_tid(tl, TK_LR, r->hdr.vm_id, in.vintid,
					r->hdr.vcpu_id);
			if (!tid)
				return;
			v->lr_intid[i] = in.vintid;
			v->lr_tid[i] = tid;
		}
		eoied = vt_lr_guest_eoied(&in, &out);
		ev_slice(tl, "lr", tl->names[in.state][out.state][eoied],
			 tl->namelen[in.state][out.state][eoied], r->hdr.vm_id,
			 tid, en->hdr.ts_ns, r->hdr.ts_ns);
		PUTS(tl, "\"intid\":");
		put_u64(tl, in.vintid);
		PUTS(tl, ",\"lr\":");
		put_u64(tl, i);
		PUTS(tl, ",\"entry\":");
		put_hex(tl, en->lr[i]);
		PUTS(tl, ",\"exit\":");
		put_hex(tl, r->lr[i]);
		PUTS(tl, "}}");
	}
}

static const char *src_name(unsigned int s)
{
	static const char *const n[] = { "unknown", "irqfd", "resampler",
					 "user", "kernel" };

	return s < sizeof(n) / sizeof(n[0]) ? n[s] : "unknown";
}

static const char *cause_name(unsigned int c)
{
	static const char *const n[] = { "irq state", "irq state (inject)",
					 "irq state (mmio)", "irq state (fold)",
					 "irq state (migrate)" };

	return c < sizeof(n) / sizeof(n[0]) ? n[c] : "irq state";
}

static const char *deact_name(unsigned int how)
{
	static const char *const n[] = { "deactivate", "deactivate (DIR)",
					 "deactivate (EOIcount)",
					 "deactivate (LR)" };

	return how < sizeof(n) / sizeof(n[0]) ? n[how] : "deactivate";
}

/* The instant track of IRQ @intid of VM @vm; 0 when out of memory. */
static inline uint32_t irq_tid(struct vt_timeline *tl, uint32_t vm,
			       uint32_t intid)
{
	return track_tid(tl, TK_IRQ, vm, intid, 0);
}

/*
 * One record's events. @irq_intid: the INTID the engine attributed the
 * record to (route-aware: learnt gsi -> SPI, x86 GSIs), VT_NO_INTID to
 * fall back to pin + 32 / gsi + 32.
 */
static void one(struct vt_timeline *tl, const struct vt_hdr *h,
		uint32_t irq_intid)
{
	uint32_t tid, intid, vm = h->vm_id;

	switch (h->type) {
	case VT_REC_LR_FLUSH:
	case VT_REC_LR_FOLD:
		lr_slices(tl, (const void *)h);
		return;
	case VT_REC_INJECT: {
		const struct vt_rec_inject *r = (const void *)h;

		tid = irq_tid(tl, vm, r->intid);
		if (!tid)
			return;
		ev_instant(tl, "irq", r->level ? "assert" : "deassert", vm,
			   tid, h->ts_ns);
		PUTS(tl, "\"intid\":");
		put_u64(tl, r->intid);
		PUTS(tl, ",\"source\":\"");
		put_cstr(tl, src_name(r->source));
		PUTS(tl, "\"");
		if (h->vcpu_id != VT_NO_VCPU) {
			PUTS(tl, ",\"vcpu\":");
			put_u64(tl, h->vcpu_id);
		}
		if (r->ret) {
			PUTS(tl, ",\"ret\":");
			put_s64(tl, r->ret);
		}
		PUTS(tl, "}}");
		return;
	}
	case VT_REC_IRQ_STATE: {
		const struct vt_rec_irq_state *r = (const void *)h;

		tid = irq_tid(tl, vm, r->intid);
		if (!tid)
			return;
		ev_instant(tl, "irq", cause_name(r->cause), vm, tid, h->ts_ns);
		PUTS(tl, "\"line_level\":");
		put_u64(tl, r->line_level);
		PUTS(tl, ",\"pending_latch\":");
		put_u64(tl, r->pending_latch);
		PUTS(tl, ",\"active\":");
		put_u64(tl, r->active);
		PUTS(tl, ",\"enabled\":");
		put_u64(tl, r->enabled);
		PUTS(tl, ",\"target_vcpu\":");
		put_u64(tl, r->target_vcpu);
		PUTS(tl, "}}");
		return;
	}
	case VT_REC_ACK: {
		const struct vt_rec_ack *r = (const void *)h;

		intid = irq_intid != VT_NO_INTID ? irq_intid :
			r->irqchip == 0 ? r->pin + VT_SPI_BASE : r->pin;
		tid = irq_tid(tl, vm, intid);
		if (!tid)
			return;
		ev_instant(tl, "irq", "ack", vm, tid, h->ts_ns);
		PUTS(tl, "\"irqchip\":");
		put_u64(tl, r->irqchip);
		PUTS(tl, ",\"pin\":");
		put_u64(tl, r->pin);
		PUTS(tl, "}}");
		return;
	}
	case VT_REC_RESAMPLE: {
		const struct vt_rec_resample *r = (const void *)h;

		tid = irq_tid(tl, vm, irq_intid != VT_NO_INTID ? irq_intid :
			      r->gsi + VT_SPI_BASE);
		if (!tid)
			return;
		ev_instant(tl, "irq", "resample", vm, tid, h->ts_ns);
		PUTS(tl, "\"gsi\":");
		put_u64(tl, r->gsi);
		PUTS(tl, "}}");
		return;
	}
	case VT_REC_IRQFD: {
		const struct vt_rec_irqfd *r = (const void *)h;

		tid = irq_tid(tl, vm, irq_intid != VT_NO_INTID ? irq_intid :
			      r->gsi + VT_SPI_BASE);
		if (!tid)
			return;
		ev_instant(tl, "irq", r->flags & VT_IRQFD_F_DEASSIGN ?
			   "irqfd deassign" : "irqfd assign", vm, tid, h->ts_ns);
		PUTS(tl, "\"gsi\":");
		put_u64(tl, r->gsi);
		PUTS(tl, ",\"resample\":");
		put_u64(tl, !!(r->flags & VT_IRQFD_F_RESAMPLE));
		PUTS(tl, ",\"ret\":");
		put_s64(tl, r->ret);
		PUTS(tl, "}}");
		return;
	}
	case VT_REC_VFIO: {
		const struct vt_rec_vfio *r = (const void *)h;

		/* hard IRQ context: no VM; one track per host IRQ */
		tid = track_tid(tl, TK_HOSTIRQ, VT_TL_HOST_PID, r->host_irq, 0);
		if (!tid)
			return;
		ev_instant3(tl, "vfio", "vfio ", vt_vfio_event_name(r->event),
			    "", VT_TL_HOST_PID, tid, h->ts_ns);
		PUTS(tl, "\"dev\":");
		put_jstr(tl, r->dev, sizeof(r->dev));
		PUTS(tl, ",\"host_irq\":");
		put_u64(tl, r->host_irq);
		PUTS(tl, ",\"masked\":");
		put_u64(tl, r->masked);
		PUTS(tl, ",\"result\":");
		put_s64(tl, r->result);
		if (irq_intid != VT_NO_INTID) {
			PUTS(tl, ",\"intid\":");
			put_u64(tl, irq_intid);
		}
		PUTS(tl, "}}");
		return;
	}
	case VT_REC_MMIO: {
		const struct vt_rec_mmio *r = (const void *)h;

		tid = irq_tid(tl, vm, irq_intid != VT_NO_INTID ? irq_intid :
			      r->first_intid);
		if (!tid)
			return;
		ev_instant3(tl, "mmio", "guest ", vt_mmio_reg_name(r->reg),
			    " write", vm, tid, h->ts_ns);
		PUTS(tl, "\"val\":");
		put_hex(tl, r->val);
		PUTS(tl, ",\"offset\":");
		put_hex(tl, r->offset);
		PUTS(tl, "}}");
		return;
	}
	case VT_REC_DEACTIVATE: {
		const struct vt_rec_deactivate *r = (const void *)h;

		tid = irq_tid(tl, vm, r->intid);
		if (!tid)
			return;
		ev_instant(tl, "irq", deact_name(r->how), vm, tid, h->ts_ns);
		PUTS(tl, "\"eoicount\":");
		put_u64(tl, r->eoicount);
		if (h->vcpu_id != VT_NO_VCPU) {
			PUTS(tl, ",\"vcpu\":");
			put_u64(tl, h->vcpu_id);
		}
		PUTS(tl, "}}");
		return;
	}
	case VT_REC_LOST: {
		const struct vt_rec_lost *r = (const void *)h;

		tid = track_tid(tl, TK_LOSS, VT_TL_HOST_PID, 0, 0);
		if (!tid)
			return;
		ev_begin(tl);
		put_head(tl, VT_TL_HOST_PID, tid);
		put_us(tl, h->ts_ns);
		PUTS(tl, ",\"ph\":\"i\",\"s\":\"g\",\"cat\":\"lost\",\"name\":\"records lost\",\"args\":{\"cpu\":");
		put_u64(tl, h->cpu);
		PUTS(tl, ",\"lost\":");
		put_u64(tl, r->lost);
		PUTS(tl, "}}");
		return;
	}
	case VT_REC_META: {
		const struct vt_rec_meta *m = (const void *)h;

		if (m->key == VT_META_VCPU)
			meta_vcpu(tl, m);
		return;
	}
	default:
		return;
	}
}

/* ---- API ------------------------------------------------------------ */

int vt_timeline_new(FILE *out, struct vt_timeline **tlp)
{
	struct vt_timeline *tl;
	unsigned int a, b, e;
	int len;

	tl = calloc(1, sizeof(*tl));
	if (!tl)
		return -ENOMEM;
	tl->buf = malloc(TL_BUF);
	if (!tl->buf) {
		free(tl);
		return -ENOMEM;
	}
	tl->f = out;
	tl->next_tid = VT_TL_SYNTH_TID;
	for (a = 0; a < 4; a++)
		for (b = 0; b < 4; b++)
			for (e = 0; e < 2; e++) {
				len = snprintf(tl->names[a][b][e],
					       sizeof(tl->names[a][b][e]),
					       "%s -> %s%s", vt_lr_state_name(a),
					       vt_lr_state_name(b),
					       e ? " (deactivated)" : "");
				tl->namelen[a][b][e] = (uint8_t)len;
			}
	PUTS(tl, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
	*tlp = tl;
	return 0;
}

int vt_timeline_add_irq(struct vt_timeline *tl, const struct vt_hdr *rec,
			uint32_t intid)
{
	one(tl, rec, intid);
	return tl->err;
}

int vt_timeline_add(struct vt_timeline *tl, const struct vt_hdr *rec)
{
	return vt_timeline_add_irq(tl, rec, VT_NO_INTID);
}

/* otherData: how to read the timestamps and which vCPU tids are real. */
static void trailer(struct vt_timeline *tl)
{
	unsigned int synthetic = 0;
	size_t i;

	if (tl->n + TL_EVENT_MAX > TL_BUF)
		flush_buf(tl);
	PUTS(tl, "\n],\"otherData\":{\"generator\":\"vgic-trace " VT_VERSION "\","
	     "\"clock\":\"CLOCK_MONOTONIC\",\"ts\":\"microseconds of the records' "
	     "CLOCK_MONOTONIC time, not rebased\",\"host_pid\":");
	put_u64(tl, VT_TL_HOST_PID);
	PUTS(tl, ",\"synthetic_tid_base\":");
	put_u64(tl, VT_TL_SYNTH_TID);
	PUTS(tl, ",\"vcpu_threads\":[");
	for (i = 0; i < tl->nvcpus; i++) {
		const struct tl_vcpu *v = &tl->vcpus[i];

		if (!v->tid)
			continue;	/* named by a meta record, never used */
		if (tl->n + TL_EVENT_MAX > TL_BUF)
			flush_buf(tl);
		PUTS(tl, "{\"vm\":");
		put_u64(tl, v->vm);
		PUTS(tl, ",\"vcpu\":");
		put_u64(tl, v->vcpu);
		PUTS(tl, ",\"tid\":");
		put_u64(tl, v->tid);
		PUTS(tl, ",\"synthetic\":");
		if (v->real) {
			PUTS(tl, "false,\"comm\":");
			put_jstr(tl, v->comm, sizeof(v->comm));
		} else {
			PUTS(tl, "true");
			synthetic++;
		}
		if (v->real && v->synth_tid) {
			PUTS(tl, ",\"synthetic_tid_before_meta\":");
			put_u64(tl, v->synth_tid);
		}
		PUTS(tl, "},");
	}
	if (tl->buf[tl->n - 1] == ',')
		tl->n--;
	PUTS(tl, "],\"vcpu_tids_synthetic\":");
	put_u64(tl, synthetic);
	if (synthetic)
		PUTS(tl, ",\"note\":\"no VT_META_VCPU for some vCPUs (producer "
		     "predates it): their threads have synthetic tids\"");
	PUTS(tl, "}}\n");
}

int vt_timeline_finish(struct vt_timeline *tl, unsigned long *events)
{
	int ret;

	trailer(tl);
	flush_buf(tl);
	if (fflush(tl->f) && !tl->err)
		tl->err = -EIO;
	ret = tl->err ?: (ferror(tl->f) ? -EIO : 0);
	if (events)
		*events = tl->events;
	free(tl->buf);
	free(tl->tracks);
	free(tl->vcpus);
	free(tl->vidx);
	free(tl->pre);
	free(tl);
	return ret;
}
