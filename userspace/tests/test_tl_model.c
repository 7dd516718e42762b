// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_tl_model.c - the timeline's fast paths against a model written
 * with printf() and vt_lr_decode().
 *
 * A seeded stream of LR runs, injections, acks, resamples and VFIO
 * events is fed to the timeline, and every event it writes is compared,
 * byte for byte, with the one the model expects (a track named by its
 * thread_name instead of its tid). The stream is made to reach what the
 * timeline caches: timestamps in one millisecond, crossing and going
 * back (w_us()); LR entry and exit values that differ in the state byte
 * only, in more, with a zero top nibble, GICv2 and unknown versions
 * (w_hex_pair()); runs of 0 to 16 LRs (the entry copy of 4 LRs or all);
 * vCPUs more than the first vCPU array holds, on CPUs that share a slot
 * of the per-CPU table, exits on another CPU; INTIDs and VMs that share
 * a slot of the IRQ table; host IRQs that share a dev slot; new LR
 * tracks in the middle of a run and buffer flushes between events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "json_reader.h"
#include "vt_lr.h"
#include "vt_record.h"
#include "vt_timeline.h"

/* ---- the model's expected events -------------------------------------- */

struct exp {
	char **ev;
	size_t n, cap;
};

static void exp_add(struct exp *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void exp_add(struct exp *x, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) > 0);
	va_end(ap);
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 1024;
		x->ev = realloc(x->ev, x->cap * sizeof(*x->ev));
		assert_non_null(x->ev);
	}
	x->ev[x->n++] = s;
}

/* "%llu.%03llu" of @ns */
static const char *us(char *s, size_t len, uint64_t ns)
{
	snprintf(s, len, "%llu.%03llu", (unsigned long long)(ns / 1000),
		 (unsigned long long)(ns % 1000));
	return s;
}

/* ---- the stream -------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

#define NVM	2
#define TL_NDEV_TEST	256	/* host IRQs per dev slot of the timeline */
#define NVCPU	12	/* per VM: 24 vCPUs, more than the first array of 16 */

struct mvcpu {
	bool open;
	struct vt_rec_lr en;
};

/* the timeline's IRQ table slot, (intid + 37 vm) % 1024, is the same
 * for an INTID in both VMs, and 32 and 1056 share one in each */
static const uint32_t vms[NVM] = { 1, 1025 };
static const uint32_t intids[] = { 32, 1056, 1019, 2080, 33, 40, 27 };

static uint64_t now;

static uint64_t next_ts(void)
{
	switch (rnd(40)) {
	case 0:
		now += 1000000 + rnd(3000000);	/* other milliseconds */
		break;
	case 1:
		if (now > 2000000)
			now -= rnd(2000000);	/* back, maybe a millisecond */
		break;
	default:
		now += rnd(3000);
	}
	return now;
}

static void hdr(struct vt_hdr *h, unsigned int type, size_t size,
		uint32_t cpu, uint32_t vm, uint32_t vcpu)
{
	memset(h, 0, size);
	h->type = (uint16_t)type;
	h->size = (uint16_t)size;
	h->cpu = cpu;
	h->ts_ns = next_ts();
	h->vm_id = vm;
	h->vcpu_id = vcpu;
}

/* An LR value of GIC @gic: vINTID @vintid, state @state. */
static uint64_t lr_raw(unsigned int gic, uint32_t vintid, unsigned int state,
		       unsigned int prio, bool group)
{
	struct vt_lr lr = { .state = (uint8_t)state, .group = group,
			    .priority = (uint8_t)prio,
			    .vintid = gic == VT_GIC_V2 ? vintid & 0x3ff : vintid };
	uint64_t raw;

	assert_int_equal(vt_lr_encode(gic == VT_GIC_V2 ? VT_GIC_V2 : VT_GIC_V3,
				      &lr, &raw), 0);
	return raw;
}

/* The entry of a run: @n LRs of mostly known vINTIDs, some new. */
static void make_entry(struct vt_rec_lr *r, uint32_t cpu, uint32_t vm,
		       uint32_t vcpu, unsigned int gic, unsigned int n)
{
	static const unsigned int nlr[] = { 0, 1, 1, 2, 3, 4, 5, 8, 16 };
	unsigned int i;

	hdr(&r->hdr, VT_REC_LR_FLUSH, sizeof(*r), cpu, vm, vcpu);
	r->gic_version = (uint8_t)gic;
	r->used_lrs = (uint8_t)(n ? n : nlr[rnd(sizeof(nlr) / sizeof(nlr[0]))]);
	for (i = 0; i < VT_MAX_LR; i++) {
		uint32_t vintid = rnd(4) ? 20 + rnd(20) + (gic == VT_GIC_V2 ? 0 : i * 3)
				    : 64 + rnd(gic == VT_GIC_V2 ? 900 : 100000);

		r->lr[i] = lr_raw(gic, vintid, rnd(8) ? VT_LR_P : rnd(4),
				  0xa0, rnd(8) != 0);
	}
}

/* The exit of @en: mostly the state changed, sometimes more. */
static void make_exit(struct vt_rec_lr *r, const struct vt_rec_lr *en,
		      uint32_t cpu, unsigned int gic)
{
	unsigned int i;
	struct vt_lr lr;

	hdr(&r->hdr, VT_REC_LR_FOLD, sizeof(*r), cpu, en->hdr.vm_id,
	    en->hdr.vcpu_id);
	r->gic_version = (uint8_t)gic;
	r->used_lrs = rnd(6) ? en->used_lrs : (uint8_t)rnd(VT_MAX_LR + 1);
	for (i = 0; i < VT_MAX_LR; i++) {
		if (vt_lr_decode(en->gic_version == VT_GIC_V2 ? VT_GIC_V2 :
				 VT_GIC_V3, en->lr[i], &lr))
			lr = (struct vt_lr){ .vintid = 5 };
		switch (rnd(10)) {
		case 0:		/* another vINTID: no slice */
			lr.vintid++;
			break;
		case 1:		/* another priority: more than the top byte */
			lr.priority ^= 0x10;
			break;
		case 2:		/* top nibble 0 (state inv, group 0) */
			lr.group = 0;
			lr.state = VT_LR_INVALID;
			break;
		default:
			lr.state = (uint8_t)rnd(4);
		}
		r->lr[i] = lr_raw(gic, lr.vintid, lr.state, lr.priority,
				  lr.group);
	}
}

static const char *src_name(unsigned int s)
{
	static const char *const n[] = { "unknown", "irqfd", "resampler",
					 "user", "kernel" };

	return s < 5 ? n[s] : n[0];
}

/* The model of an exit: the run's slice and one per LR. */
static void exp_exit(struct exp *x, const struct vt_rec_lr *en,
		     const struct vt_rec_lr *ex)
{
	char a[32], b[32];
	unsigned int i, n;
	struct vt_lr li, lo;
	uint64_t dur = ex->hdr.ts_ns > en->hdr.ts_ns ?
		       ex->hdr.ts_ns - en->hdr.ts_ns : 0;

	exp_add(x, "{\"pid\":%u,\"tid\":\"vCPU %u (synthetic tid)\",\"ts\":%s,"
		"\"dur\":%s,\"ph\":\"X\",\"cat\":\"vcpu\",\"name\":\"guest run\","
		"\"args\":{\"vcpu\":%u,\"lrs_used\":%u,\"cpu\":%u}}",
		ex->hdr.vm_id, ex->hdr.vcpu_id, us(a, sizeof(a), en->hdr.ts_ns),
		us(b, sizeof(b), dur), ex->hdr.vcpu_id, en->used_lrs,
		ex->hdr.cpu);
	n = en->used_lrs < ex->used_lrs ? en->used_lrs : ex->used_lrs;
	for (i = 0; i < n && i < VT_MAX_LR; i++) {
		if (vt_lr_decode(en->gic_version, en->lr[i], &li) ||
		    vt_lr_decode(ex->gic_version, ex->lr[i], &lo))
			continue;
		if (li.vintid != lo.vintid || li.state == VT_LR_INVALID)
			continue;
		exp_add(x, "{\"pid\":%u,\"tid\":\"INTID %u LR on vCPU %u\","
			"\"ts\":%s,\"dur\":%s,\"ph\":\"X\",\"cat\":\"lr\","
			"\"name\":\"%s -> %s%s\",\"args\":{\"intid\":%u,"
			"\"lr\":%u,\"entry\":\"0x%llx\",\"exit\":\"0x%llx\"}}",
			ex->hdr.vm_id, li.vintid, ex->hdr.vcpu_id,
			us(a, sizeof(a), en->hdr.ts_ns), us(b, sizeof(b), dur),
			vt_lr_state_name(li.state), vt_lr_state_name(lo.state),
			vt_lr_guest_eoied(&li, &lo) ? " (deactivated)" : "",
			li.vintid, i, (unsigned long long)en->lr[i],
			(unsigned long long)ex->lr[i]);
	}
}

/* Feed @nrec records to @tl, the model's events into @x. */
static void feed(struct vt_timeline *tl, struct exp *x, unsigned int nrec)
{
	static struct mvcpu mv[NVM][NVCPU];
	static const unsigned int gics[] = { VT_GIC_V3, VT_GIC_V3, VT_GIC_V3,
					     VT_GIC_V3, VT_GIC_V3, VT_GIC_V2,
					     7 };
	static const uint32_t host_irqs[] = { 58, 58 + TL_NDEV_TEST, 69, 70,
					      58 + 2 * TL_NDEV_TEST };
	static const char *const devs[] = { "0000:03:02.0", "0000:04:05.0",
					    "dev\"\\\x01\xff" };
	unsigned int k, vmi, vc, gic;
	char a[32];

	memset(mv, 0, sizeof(mv));
	for (k = 0; k < nrec; k++) {
		struct vt_rec_lr r;
		struct mvcpu *m;
		uint32_t vm, cpu;

		vmi = rnd(NVM);
		vm = vms[vmi];
		vc = rnd(NVCPU);
		m = &mv[vmi][vc];
		/* CPUs 0..69: 3 and 67 share a slot of the table of 64 */
		cpu = rnd(70);
		switch (rnd(10)) {
		case 0: case 1: case 2: case 3: case 4: {
			if (!m->open) {
				gic = gics[rnd(sizeof(gics) / sizeof(gics[0]))];
				make_entry(&r, cpu, vm, vc, gic, 0);
				assert_int_equal(vt_timeline_add(tl, &r.hdr), 0);
				m->en = r;
				m->open = true;
				break;
			}
			/* the exit, mostly on the entry's CPU */
			gic = rnd(30) ? m->en.gic_version : VT_GIC_V2 + rnd(2);
			make_exit(&r, &m->en, rnd(8) ? m->en.hdr.cpu : cpu, gic);
			assert_int_equal(vt_timeline_add(tl, &r.hdr), 0);
			exp_exit(x, &m->en, &r);
			m->open = false;
			break;
		}
		case 5: case 6: {
			struct vt_rec_inject in;
			char vs[32], rs[32];
			uint32_t intid = intids[rnd(sizeof(intids) / sizeof(intids[0]))];

			hdr(&in.hdr, VT_REC_INJECT, sizeof(in), cpu, vm,
			    rnd(2) ? VT_NO_VCPU : vc);
			in.intid = intid;
			in.level = (uint8_t)rnd(2);
			in.source = (uint8_t)rnd(6);
			in.ret = rnd(8) ? 0 : -(int32_t)rnd(30) + 10;
			assert_int_equal(vt_timeline_add(tl, &in.hdr), 0);
			vs[0] = rs[0] = '\0';
			if (in.hdr.vcpu_id != VT_NO_VCPU)
				snprintf(vs, sizeof(vs), ",\"vcpu\":%u", vc);
			if (in.ret)
				snprintf(rs, sizeof(rs), ",\"ret\":%d", in.ret);
			exp_add(x, "{\"pid\":%u,\"tid\":\"INTID %u\",\"ts\":%s,"
				"\"ph\":\"i\",\"s\":\"t\",\"cat\":\"irq\","
				"\"name\":\"%s\",\"args\":{\"intid\":%u,"
				"\"source\":\"%s\"%s%s}}", vm, intid,
				us(a, sizeof(a), in.hdr.ts_ns),
				in.level ? "assert" : "deassert", intid,
				src_name(in.source), vs, rs);
			break;
		}
		case 7: {
			struct vt_rec_ack ack;

			hdr(&ack.hdr, VT_REC_ACK, sizeof(ack), cpu, vm, VT_NO_VCPU);
			ack.irqchip = rnd(3) ? 0 : 1;
			ack.pin = intids[rnd(sizeof(intids) / sizeof(intids[0]))] -
				  (ack.irqchip ? 0 : 27);
			assert_int_equal(vt_timeline_add(tl, &ack.hdr), 0);
			exp_add(x, "{\"pid\":%u,\"tid\":\"INTID %u\",\"ts\":%s,"
				"\"ph\":\"i\",\"s\":\"t\",\"cat\":\"irq\","
				"\"name\":\"ack\",\"args\":{\"irqchip\":%u,"
				"\"pin\":%u}}", vm,
				ack.irqchip ? ack.pin : ack.pin + 32,
				us(a, sizeof(a), ack.hdr.ts_ns), ack.irqchip,
				ack.pin);
			break;
		}
		case 8: {
			struct vt_rec_resample rs;

			hdr(&rs.hdr, VT_REC_RESAMPLE, sizeof(rs), cpu, vm,
			    VT_NO_VCPU);
			rs.gsi = intids[rnd(sizeof(intids) / sizeof(intids[0]))] - 27;
			assert_int_equal(vt_timeline_add(tl, &rs.hdr), 0);
			exp_add(x, "{\"pid\":%u,\"tid\":\"INTID %u\",\"ts\":%s,"
				"\"ph\":\"i\",\"s\":\"t\",\"cat\":\"irq\","
				"\"name\":\"resample\",\"args\":{\"gsi\":%u}}",
				vm, rs.gsi + 32, us(a, sizeof(a), rs.hdr.ts_ns),
				rs.gsi);
			break;
		}
		default: {
			struct vt_rec_vfio vf;
			const char *dev = devs[rnd(3)];
			char esc[128], *e = esc;
			const unsigned char *c;

			hdr(&vf.hdr, VT_REC_VFIO, sizeof(vf), cpu, VT_NO_VM,
			    VT_NO_VCPU);
			vf.event = (uint8_t)(1 + rnd(5));
			vf.masked = (uint8_t)rnd(2);
			vf.result = (int32_t)rnd(3) - 1;
			vf.host_irq = host_irqs[rnd(sizeof(host_irqs) /
						    sizeof(host_irqs[0]))];
			snprintf(vf.dev, sizeof(vf.dev), "%s", dev);
			assert_int_equal(vt_timeline_add(tl, &vf.hdr), 0);
			for (c = (const unsigned char *)vf.dev; *c; c++) {
				if (*c == '"' || *c == '\\')
					e += sprintf(e, "\\%c", *c);
				else if (*c < 0x20 || *c >= 0x7f)
					e += sprintf(e, "\\u%04x", *c);
				else
					*e++ = (char)*c;
			}
			*e = '\0';
			exp_add(x, "{\"pid\":%u,\"tid\":\"host IRQ %u\",\"ts\":%s,"
				"\"ph\":\"i\",\"s\":\"t\",\"cat\":\"vfio\","
				"\"name\":\"vfio %s\",\"args\":{\"dev\":\"%s\","
				"\"host_irq\":%u,\"masked\":%u,\"result\":%d}}",
				VT_TL_HOST_PID, vf.host_irq,
				us(a, sizeof(a), vf.hdr.ts_ns),
				vt_vfio_event_name(vf.event), esc, vf.host_irq,
				vf.masked, vf.result);
			break;
		}
		}
	}
}

/* ---- the timeline's events, tids as their thread names ------------------ */

struct tname {
	uint64_t tid, pid;
	char name[128];
};

static void check_output(const char *buf, const struct exp *x,
			 unsigned long events)
{
	static const char head[] = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
	struct tname *tn = NULL;
	size_t ntn = 0, i, j = 0, nev = 0;
	const char *l = buf, *nl;
	char line[1024];

	assert_true(json_valid(buf));
	assert_memory_equal(buf, head, sizeof(head) - 1);
	l += sizeof(head) - 1;
	for (; (nl = strchr(l, '\n')); l = nl + 1) {
		size_t len = (size_t)(nl - l);
		unsigned long long pid, tid;
		const char *t, *name;
		int off;

		if (l[0] == ']')
			break;	/* the trailer */
		nev++;
		if (len && l[len - 1] == ',')
			len--;
		assert_true(len < sizeof(line));
		memcpy(line, l, len);
		line[len] = '\0';
		if (!strncmp(line, "{\"ph\":\"M\",\"name\":\"process_name\"", 31))
			continue;
		if (!strncmp(line, "{\"ph\":\"M\",\"name\":\"thread_name\"", 30)) {
			assert_int_equal(sscanf(line, "{\"ph\":\"M\",\"name\":\"thread_name\","
						"\"pid\":%llu,\"tid\":%llu,%n", &pid,
						&tid, &off), 2);
			name = strstr(line, "\"args\":{\"name\":\"");
			assert_non_null(name);
			name += 16;
			tn = realloc(tn, (ntn + 1) * sizeof(*tn));
			assert_non_null(tn);
			for (i = 0; i < ntn; i++)
				assert_false(tn[i].tid == tid);
			tn[ntn].tid = tid;
			tn[ntn].pid = pid;
			snprintf(tn[ntn].name, sizeof(tn[ntn].name), "%.*s",
				 (int)(strlen(name) - 3), name);
			ntn++;
			continue;
		}
		/* {"pid":P,"tid":T,... -> {"pid":P,"tid":"NAME",... */
		assert_int_equal(sscanf(line, "{\"pid\":%llu,\"tid\":%llu%n", &pid,
					&tid, &off), 2);
		for (i = 0; i < ntn && tn[i].tid != tid; i++)
			;
		if (i == ntn)
			fail_msg("tid %llu used before it is named: %s", tid, line);
		assert_int_equal(tn[i].pid, pid);
		t = line + off;
		{
			char got[1100];

			snprintf(got, sizeof(got), "{\"pid\":%llu,\"tid\":\"%s\"%s",
				 pid, tn[i].name, t);
			if (j >= x->n)
				fail_msg("event %zu not expected: %s", j, got);
			if (strcmp(got, x->ev[j]))
				fail_msg("event %zu:\n got  %s\n want %s", j, got,
					 x->ev[j]);
		}
		j++;
	}
	assert_int_equal(j, x->n);
	assert_int_equal(nev, events);
	assert_non_null(strstr(l, "],\"otherData\":{"));
	free(tn);
}

static void exp_free(struct exp *x)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		free(x->ev[i]);
	free(x->ev);
}

/* Many events (buffer flushes among them) against the model. */
static void test_model(void **state)
{
	struct vt_timeline *tl;
	struct exp x = { 0 };
	unsigned long events;
	unsigned int round;
	char *buf;
	size_t len;
	FILE *m;

	(void)state;
	for (round = 0; round < 3; round++) {
		/* from 0 (timestamps below 1 ms), then from ~12 days */
		now = round ? 1034567890123456ull * round : 0;
		memset(&x, 0, sizeof(x));
		m = open_memstream(&buf, &len);
		assert_non_null(m);
		assert_int_equal(vt_timeline_new(m, &tl), 0);
		feed(tl, &x, 40000);
		assert_int_equal(vt_timeline_finish(tl, &events), 0);
		fclose(m);
		assert_true(len > 3 * 256 * 1024);	/* flushed, more than once */
		check_output(buf, &x, events);
		exp_free(&x);
		free(buf);
	}
}

/* No events: the header's "[\n" as it is; one event: its separator. */
static void test_no_and_one_event(void **state)
{
	static const char none[] = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
				   "\n],\"otherData\":{";
	static const char one[] = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
				  "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":4194304,";
	struct vt_rec_lost lost;
	struct vt_timeline *tl;
	unsigned long events;
	char *buf;
	size_t len;
	FILE *m;

	(void)state;
	m = open_memstream(&buf, &len);
	assert_int_equal(vt_timeline_new(m, &tl), 0);
	assert_int_equal(vt_timeline_finish(tl, &events), 0);
	fclose(m);
	assert_int_equal(events, 0);
	assert_memory_equal(buf, none, sizeof(none) - 1);
	assert_true(json_valid(buf));
	free(buf);

	m = open_memstream(&buf, &len);
	assert_int_equal(vt_timeline_new(m, &tl), 0);
	memset(&lost, 0, sizeof(lost));
	lost.hdr.type = VT_REC_LOST;
	lost.hdr.size = sizeof(lost);
	lost.hdr.ts_ns = 5;
	lost.lost = 3;
	assert_int_equal(vt_timeline_add(tl, &lost.hdr), 0);
	assert_int_equal(vt_timeline_finish(tl, &events), 0);
	fclose(m);
	assert_int_equal(events, 3);	/* process, thread, the loss */
	assert_memory_equal(buf, one, sizeof(one) - 1);
	assert_non_null(strstr(buf, "\"ts\":0.005,\"ph\":\"i\",\"s\":\"g\","
			       "\"cat\":\"lost\",\"name\":\"records lost\","
			       "\"args\":{\"cpu\":0,\"lost\":3}}\n],"));
	assert_true(json_valid(buf));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_and_one_event),
		cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
