// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_bus_inline.c - the rule bus's inline paths: the rules' event
 * hooks compiled into each kind's dispatch with the kind a constant
 * (bus.c's vt_bus_emit_<kind>(), and the handlers' vt_emit_irq()) act
 * exactly as the rules' descriptors do; the FLUSH drops a wait entry
 * whose deadline was cancelled without firing it, and still fires one
 * that is armed.
 */
#include "helpers.h"
#include "dispatch.h"

/* a VFIO device on irqfd gsi 0 (SPI 32), one delivery cycle, no ack */
static const char setup[] =
	"facts kernel=6.1.0-56-arm64 gic=3 nr_lrs=4 backend=replay\n"
	"default vm=100 vcpu=0 cpu=0\n"
	"@0       irqfd gsi=0 resample key=0x1001 rkey=0x2001\n"
	"@1ms     vfio handler dev=0000:00:02.0 irq=45 masked=1 result=1 tkey=0x1001 ukey=0x2001\n"
	"@+2us    inject intid=32 level=1 src=irqfd\n"
	"@+10us   flush lr=32:P:eoi\n"
	"@+40us   fold  lr=32:A:eoi\n"
	"@+3us    flush lr=32:A:eoi\n"
	"@+30us   fold  lr=32:inv:eoi\n";

/* a record of another vCPU well after: the reorder window hands on all before it */
static const char flushed[] =
	"@+20ms   cpu=1 vcpu=1 flush used=0\n";

/* the descriptors' way: each subscribed rule's .event, in table order */
static void by_descriptor(struct vt_engine *e, const struct vt_ev *ev)
{
	const struct vt_rule *const *r;
	uint32_t bit = 1u << ev->kind;
	unsigned int n, i;

	r = vt_rules_table(&n);
	for (i = 0; i < n; i++) {
		if (!(r[i]->events & bit))
			continue;
		if ((r[i]->armed_events & bit) &&
		    !(ev->irq->watching & (1u << i)))
			continue;
		r[i]->event(e, ev, vt_rule_irq(e, r[i], ev->irq));
	}
}

/*
 * vt_emit_irq() with the kind a constant, as the handlers call it (the
 * inline dispatch), or by_descriptor(), or bus.c's vt_bus_emit_<kind>()
 * (through vt_bus_emit_any(): its switch calls the same inline dispatch)
 */
enum way { INLINE, DESCRIPTOR, BUS };

#define EMIT(k_, e, ev, way) do {					\
	(ev)->kind = VT_EV_##k_;					\
	if ((way) == DESCRIPTOR)					\
		by_descriptor((e), (ev));				\
	else if ((way) == BUS)						\
		vt_bus_emit_any((e), (ev));				\
	else {								\
		struct vt_ev c_ = *(ev);				\
									\
		c_.kind = VT_EV_##k_;	/* (a constant here) */		\
		vt_emit_irq((e), &rec, &c_);				\
	}								\
} while (0)

/* a sequence of events of every kind with an IRQ, given @way */
static void run(struct vt_engine *e, struct vt_irq *irq, enum way way)
{
	struct vt_hdr rec = { 0 };
	struct vt_ev ev;
	unsigned int i;

	for (i = 0; i < 40; i++) {
		uint64_t ts = 2000000 + i * 100000ull;

		memset(&ev, 0, sizeof(ev));
		ev.irq = irq;
		ev.ts = ts;
		rec.ts_ns = ts;
		ev.inject.level = true;
		ev.inject.source = i & 1 ? VT_SRC_IRQFD : VT_SRC_UNKNOWN;
		ev.inject.vcpu_id = VT_NO_VCPU;
		EMIT(INJECT, e, &ev, way);
		memset(&ev.inject, 0, VT_EV_SMALL);
		ev.vfio.event = i % 3 ? VT_VFIO_HANDLER : VT_VFIO_UNMASK_HANDLER;
		ev.vfio.result = 1;
		ev.vfio.masked = true;
		EMIT(VFIO, e, &ev, way);
		memset(&ev.inject, 0, VT_EV_SMALL);
		EMIT(ACK, e, &ev, way);
		ev.resample.gsi = 0;
		EMIT(RESAMPLE, e, &ev, way);
		memset(&ev.inject, 0, VT_EV_SMALL);
		ev.state.retarget = i % 5 == 0;
		ev.state.new_target = i % 2;
		ev.state.ap_vcpu = VT_NO_VCPU;
		EMIT(STATE, e, &ev, way);
		memset(&ev.inject, 0, VT_EV_SMALL);
		ev.mmio.reg = i % 4 ? VT_MMIO_ICACTIVER : VT_MMIO_ICPENDR;
		EMIT(MMIO, e, &ev, way);
		memset(&ev.inject, 0, VT_EV_SMALL);
		ev.inject.level = false;
		ev.inject.source = VT_SRC_KERNEL;
		ev.inject.vcpu_id = VT_NO_VCPU;
		EMIT(INJECT, e, &ev, way);
		memset(&ev.inject, 0, VT_EV_SMALL);
		ev.irqfd.gsi = 0;
		ev.irqfd.deassign = i == 30;
		EMIT(IRQFD, e, &ev, way);
	}
}

/* what the rules keep of @irq in @e (storm's ring by its contents) */
static void rule_state(struct vt_engine *e, struct vt_irq *irq,
		       unsigned char *out, uint64_t *ring, size_t nring)
{
	struct st_irq *s;

	memcpy(out, irq->priv, e->irq_priv);
	s = (void *)(out + e->irq_off[VT_RULE_storm]);
	memset(ring, 0, nring * sizeof(*ring));
	if (s->ring)
		memcpy(ring, s->ring, nring * sizeof(*ring));
	s->ring = NULL;
}

static void inline_as_descriptor(bool live)
{
	struct vt_engine_opts o = { .window_ns = live ? 1000000 : 0,
				    .storm_per_sec = 3 };
	unsigned char st[3][4096];
	uint64_t ring[3][4];
	struct vt_engine *e[3];
	struct vt_irq *irq[3];
	unsigned int w, i;

	for (w = 0; w < 3; w++) {
		char text[2048];

		snprintf(text, sizeof(text), "%s%s", setup, flushed);
		e[w] = text_engine(text, "mem", &o, false);
		irq[w] = vt_irq_find(e[w], 100, 32);
		assert_non_null(irq[w]);
		assert_true(e[w]->irq_priv <= sizeof(st[w]));
		run(e[w], irq[w], (enum way)w);
		rule_state(e[w], irq[w], st[w], ring[w], 4);
	}
	for (w = 1; w < 3; w++) {
		assert_memory_equal(st[0], st[w], e[0]->irq_priv);
		assert_memory_equal(ring[0], ring[w], sizeof(ring[0]));
		assert_int_equal(irq[0]->watching, irq[w]->watching);
		assert_int_equal(irq[0]->reported, irq[w]->reported);
		assert_int_equal(vt_engine_nr_findings(e[0]),
				 vt_engine_nr_findings(e[w]));
		for (i = 0; i < vt_engine_nr_findings(e[0]); i++)
			assert_string_equal(vt_engine_finding(e[0], i)->summary,
					    vt_engine_finding(e[w], i)->summary);
	}
	/* (the sequence does make the rules act) */
	assert_true(vt_engine_nr_findings(e[0]) > 0);
	for (w = 0; w < 3; w++)
		vt_engine_free(e[w]);
}

static void test_inline_as_descriptor_file(void **state)
{
	(void)state;
	inline_as_descriptor(false);
}

static void test_inline_as_descriptor_live(void **state)
{
	(void)state;
	inline_as_descriptor(true);
}

/*
 * The run deactivated the IRQ (missed-resample armed until the vCPU's
 * next entry). With the ack first, the entry drops the stale wait and
 * reports nothing; without it, the entry fires the deadline.
 */
static void test_entry_wait(void **state)
{
	char text[2048];
	struct vt_engine *e;
	struct vt_vcpu *v;
	int acked;

	(void)state;
	for (acked = 0; acked < 2; acked++) {
		snprintf(text, sizeof(text), "%s%s"
			 "@+10us   flush lr=33:P:eoi\n%s", setup,
			 acked ? "@+1us    ack pin=0 gsi=0\n" : "", flushed);
		e = text_engine(text, "mem", NULL, false);
		v = vt_vcpu_get(e, 100, 0);
		assert_non_null(v);
		assert_int_equal(v->nr_wait, 0);
		if (acked)
			assert_null(find_finding(e, "missed-resample", ""));
		else
			assert_non_null(find_finding(e, "missed-resample",
						"no ack notification in that exit"));
		vt_engine_free(e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_as_descriptor_file),
		cmocka_unit_test(test_inline_as_descriptor_live),
		cmocka_unit_test(test_entry_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
