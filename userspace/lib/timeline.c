// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * timeline.c - Chrome trace-event JSON export (see vt_timeline.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "vt_lr.h"
#include "vt_record.h"
#include "vt_timeline.h"
#include "report.h"

/* Track ids: the IRQ's own track, and one LR track per vCPU. */
#define TID_IRQ(intid)		((uint64_t)(intid) * 1000)
#define TID_LR(intid, vcpu)	((uint64_t)(intid) * 1000 + 1 + ((vcpu) % 999))

struct tl_rec {
	uint64_t ts, seq;
	struct vt_hdr *rec;
};

struct tl_entry {		/* the last entry of one vCPU */
	uint32_t vm, vcpu;
	struct vt_rec_lr lr;
	bool valid;
};

struct vt_timeline {
	FILE *f;
	struct tl_rec *recs;
	size_t n, cap;
	struct tl_entry *vcpus;
	size_t nv, capv;
	uint64_t t0;
	unsigned long events;
	struct tl_named { uint32_t pid; uint64_t tid; bool used; } *named;
	size_t nn, capn;		/* hash set, capn a power of two */
	bool started;			/* first event written: t0 known */
};

int vt_timeline_new(FILE *out, struct vt_timeline **tl)
{
	*tl = calloc(1, sizeof(**tl));
	if (!*tl)
		return -ENOMEM;
	(*tl)->f = out;
	fprintf(out, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
	return 0;
}

int vt_timeline_add(struct vt_timeline *tl, const struct vt_hdr *rec)
{
	if (tl->n == tl->cap) {
		size_t cap = tl->cap ? tl->cap * 2 : 1024;
		void *nr = realloc(tl->recs, cap * sizeof(*tl->recs));

		if (!nr)
			return -ENOMEM;
		tl->recs = nr;
		tl->cap = cap;
	}
	tl->recs[tl->n].rec = malloc(rec->size);
	if (!tl->recs[tl->n].rec)
		return -ENOMEM;
	memcpy(tl->recs[tl->n].rec, rec, rec->size);
	tl->recs[tl->n].ts = rec->ts_ns;
	tl->recs[tl->n].seq = tl->n;
	tl->n++;
	return 0;
}

static void one(struct vt_timeline *tl, const struct vt_hdr *h,
		uint32_t irq_intid);

int vt_timeline_add_irq(struct vt_timeline *tl, const struct vt_hdr *rec,
			uint32_t intid)
{
	if (!tl->started) {
		tl->started = true;
		tl->t0 = rec->ts_ns;
	}
	one(tl, rec, intid);
	return ferror(tl->f) ? -EIO : 0;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct tl_rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void ev_head(struct vt_timeline *tl, const char *ph, const char *name,
		    uint32_t pid, uint64_t tid, uint64_t ts)
{
	fprintf(tl->f, "%s{\"ph\":\"%s\",\"name\":", tl->events ? ",\n" : "", ph);
	vt_json_str(tl->f, name);
	fprintf(tl->f, ",\"pid\":%u,\"tid\":%llu,\"ts\":%llu.%03llu", pid,
		(unsigned long long)tid,
		(unsigned long long)((ts - tl->t0) / 1000),
		(unsigned long long)((ts - tl->t0) % 1000));
	tl->events++;
}

static void name_track(struct vt_timeline *tl, uint32_t pid, uint64_t tid,
		       const char *name);
static bool find_named(struct vt_timeline *tl, uint32_t pid, uint64_t tid);

static void instant(struct vt_timeline *tl, const char *name, uint32_t pid,
		    uint64_t tid, uint64_t ts, const char *args)
{
	char track[32];

	if (!find_named(tl, pid, tid)) {
		if (pid)
			snprintf(track, sizeof(track), "INTID %llu",
				 (unsigned long long)(tid / 1000));
		else
			snprintf(track, sizeof(track), "host irq %llu",
				 (unsigned long long)tid);
		name_track(tl, pid, tid, track);
	}
	ev_head(tl, "i", name, pid, tid, ts);
	fprintf(tl->f, ",\"s\":\"t\",\"args\":{%s}}", args);
}

/* The named-tracks set: (pid, tid), and (pid, UINT64_MAX) per process. */
static struct tl_named *slot_named(struct vt_timeline *tl, uint32_t pid,
				   uint64_t tid)
{
	uint64_t k = (tid * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)pid << 17);
	size_t i = (size_t)(k ^ (k >> 29)) & (tl->capn - 1);

	while (tl->named[i].used &&
	       (tl->named[i].pid != pid || tl->named[i].tid != tid))
		i = (i + 1) & (tl->capn - 1);
	return &tl->named[i];
}

static bool find_named(struct vt_timeline *tl, uint32_t pid, uint64_t tid)
{
	return tl->capn && slot_named(tl, pid, tid)->used;
}

/* Name a track (and its VM) the first time it is used. */
static void name_track(struct vt_timeline *tl, uint32_t pid, uint64_t tid,
		       const char *name)
{
	char pname[32];
	bool pid_seen;
	size_t i;

	if (find_named(tl, pid, tid))
		return;
	pid_seen = find_named(tl, pid, UINT64_MAX);
	if ((tl->nn + 2) * 2 > tl->capn) {
		size_t cap = tl->capn ? tl->capn * 2 : 64;
		struct tl_named *old = tl->named, *nn = calloc(cap, sizeof(*nn));
		size_t ocap = tl->capn;

		if (!nn)
			return;
		tl->named = nn;
		tl->capn = cap;
		for (i = 0; i < ocap; i++)
			if (old[i].used)
				*slot_named(tl, old[i].pid, old[i].tid) = old[i];
		free(old);
	}
	*slot_named(tl, pid, tid) = (struct tl_named){ pid, tid, true };
	tl->nn++;
	if (!pid_seen) {
		*slot_named(tl, pid, UINT64_MAX) =
			(struct tl_named){ pid, UINT64_MAX, true };
		tl->nn++;
	}
	if (!pid_seen) {
		if (pid)
			snprintf(pname, sizeof(pname), "VM %u", pid);
		else
			snprintf(pname, sizeof(pname), "host (VFIO, losses)");
		fprintf(tl->f, "%s{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"args\":{\"name\":\"%s\"}}",
			tl->events ? ",\n" : "", pid, pname);
		tl->events++;
	}
	fprintf(tl->f, "%s{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%llu,\"args\":{\"name\":",
		tl->events ? ",\n" : "", pid, (unsigned long long)tid);
	vt_json_str(tl->f, name);
	fprintf(tl->f, "}}");
	tl->events++;
}

static struct tl_entry *entry_of(struct vt_timeline *tl, uint32_t vm,
				 uint32_t vcpu)
{
	size_t i;

	for (i = 0; i < tl->nv; i++)
		if (tl->vcpus[i].vm == vm && tl->vcpus[i].vcpu == vcpu)
			return &tl->vcpus[i];
	if (tl->nv == tl->capv) {
		size_t cap = tl->capv ? tl->capv * 2 : 16;
		void *nv = realloc(tl->vcpus, cap * sizeof(*tl->vcpus));

		if (!nv)
			return NULL;
		tl->vcpus = nv;
		tl->capv = cap;
	}
	memset(&tl->vcpus[tl->nv], 0, sizeof(tl->vcpus[0]));
	tl->vcpus[tl->nv].vm = vm;
	tl->vcpus[tl->nv].vcpu = vcpu;
	return &tl->vcpus[tl->nv++];
}

/* Exit: one slice per LR, from the entry of the same vCPU. */
static void lr_slices(struct vt_timeline *tl, const struct vt_rec_lr *r)
{
	struct tl_entry *en = entry_of(tl, r->hdr.vm_id, r->hdr.vcpu_id);
	struct vt_lr in, out;
	char name[64], track[48];
	unsigned int i;

	if (!en)
		return;
	if (r->hdr.type == VT_REC_LR_FLUSH) {
		en->lr = *r;
		en->valid = true;
		return;
	}
	for (i = 0; en->valid && i < r->used_lrs && i < en->lr.used_lrs; i++) {
		vt_lr_decode(en->lr.gic_version, en->lr.lr[i], &in);
		vt_lr_decode(r->gic_version, r->lr[i], &out);
		if (in.vintid != out.vintid || in.state == VT_LR_INVALID)
			continue;
		if (!find_named(tl, r->hdr.vm_id, TID_LR(in.vintid, r->hdr.vcpu_id))) {
			snprintf(track, sizeof(track), "INTID %u vCPU%u LR",
				 in.vintid, r->hdr.vcpu_id);
			name_track(tl, r->hdr.vm_id,
				   TID_LR(in.vintid, r->hdr.vcpu_id), track);
		}
		snprintf(name, sizeof(name), "%s -> %s%s", vt_lr_state_name(in.state),
			 vt_lr_state_name(out.state),
			 vt_lr_guest_eoied(&in, &out) ? " (deactivated)" : "");
		ev_head(tl, "X", name, r->hdr.vm_id, TID_LR(in.vintid, r->hdr.vcpu_id),
			en->lr.hdr.ts_ns);
		fprintf(tl->f, ",\"dur\":%llu.%03llu,\"args\":{\"lr\":%u,\"entry\":\"0x%llx\",\"exit\":\"0x%llx\"}}",
			(unsigned long long)((r->hdr.ts_ns - en->lr.hdr.ts_ns) / 1000),
			(unsigned long long)((r->hdr.ts_ns - en->lr.hdr.ts_ns) % 1000),
			i, (unsigned long long)en->lr.lr[i], (unsigned long long)r->lr[i]);
	}
	en->valid = false;
}

/*
 * One record's events. @irq_intid: the INTID the engine attributed the
 * record to (route-aware: learnt gsi -> SPI, x86 GSIs), VT_NO_INTID to
 * fall back to pin + 32 / gsi + 32.
 */
static void one(struct vt_timeline *tl, const struct vt_hdr *h,
		uint32_t irq_intid)
{
	char args[200], name[64];
	uint32_t intid;

	switch (h->type) {
	case VT_REC_LR_FLUSH:
	case VT_REC_LR_FOLD:
		lr_slices(tl, (const void *)h);
		return;
	case VT_REC_INJECT: {
		const struct vt_rec_inject *r = (const void *)h;

		snprintf(name, sizeof(name), "inject %u", r->level);
		snprintf(args, sizeof(args), "\"source\":%u", r->source);
		instant(tl, name, h->vm_id, TID_IRQ(r->intid), h->ts_ns, args);
		return;
	}
	case VT_REC_ACK: {
		const struct vt_rec_ack *r = (const void *)h;

		intid = irq_intid != VT_NO_INTID ? irq_intid :
			r->irqchip == 0 ? r->pin + VT_SPI_BASE : r->pin;
		snprintf(args, sizeof(args), "\"irqchip\":%u,\"pin\":%u", r->irqchip, r->pin);
		instant(tl, "ack", h->vm_id, TID_IRQ(intid), h->ts_ns, args);
		return;
	}
	case VT_REC_RESAMPLE: {
		const struct vt_rec_resample *r = (const void *)h;

		snprintf(args, sizeof(args), "\"gsi\":%u", r->gsi);
		instant(tl, "resample", h->vm_id,
			TID_IRQ(irq_intid != VT_NO_INTID ? irq_intid :
				r->gsi + VT_SPI_BASE), h->ts_ns, args);
		return;
	}
	case VT_REC_VFIO: {
		const struct vt_rec_vfio *r = (const void *)h;
		char dev[17];

		memcpy(dev, r->dev, 16);
		dev[16] = 0;
		snprintf(name, sizeof(name), "vfio %s", vt_vfio_event_name(r->event));
		snprintf(args, sizeof(args), "\"host_irq\":%u,\"masked\":%u,\"result\":%d",
			 r->host_irq, r->masked, r->result);
		/* hard IRQ context: no VM; one track per host IRQ in pid 0 */
		instant(tl, name, 0, r->host_irq, h->ts_ns, args);
		return;
	}
	case VT_REC_MMIO: {
		const struct vt_rec_mmio *r = (const void *)h;

		snprintf(name, sizeof(name), "guest %s write", vt_mmio_reg_name(r->reg));
		snprintf(args, sizeof(args), "\"val\":\"0x%llx\"", (unsigned long long)r->val);
		instant(tl, name, h->vm_id,
			TID_IRQ(irq_intid != VT_NO_INTID ? irq_intid : r->first_intid),
			h->ts_ns, args);
		return;
	}
	case VT_REC_LOST: {
		const struct vt_rec_lost *r = (const void *)h;

		name_track(tl, 0, 0, "losses");
		ev_head(tl, "i", "records lost", 0, 0, h->ts_ns);
		fprintf(tl->f, ",\"s\":\"g\",\"args\":{\"cpu\":%u,\"lost\":%llu}}",
			h->cpu, (unsigned long long)r->lost);
		return;
	}
	default:
		return;
	}
}

int vt_timeline_finish(struct vt_timeline *tl, unsigned long *events)
{
	size_t i;
	int ret;

	if (tl->n)	/* qsort(NULL, 0, ...) is undefined (found by fuzz_tracefile) */
		qsort(tl->recs, tl->n, sizeof(*tl->recs), rec_cmp);
	if (!tl->started)
		tl->t0 = tl->n ? tl->recs[0].ts : 0;
	for (i = 0; i < tl->n; i++)
		one(tl, tl->recs[i].rec, VT_NO_INTID);
	fprintf(tl->f, "\n]}\n");
	ret = ferror(tl->f) ? -EIO : 0;
	if (events)
		*events = tl->events;
	for (i = 0; i < tl->n; i++)
		free(tl->recs[i].rec);
	free(tl->recs);
	free(tl->vcpus);
	free(tl->named);
	free(tl);
	return ret;
}
