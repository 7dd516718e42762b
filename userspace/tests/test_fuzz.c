// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_fuzz.c - robustness: random but well-formed records into the
 * engine (every handler and rule, all outputs), random bytes into the
 * raw parser, damaged files into the reader, random text into the
 * scenario importer. Deterministic seeds; the point is "no crash, no
 * sanitizer report, errors returned" (run under ASan/UBSan by make check).
 */
#include <unistd.h>
#include "helpers.h"
#include "vt_raw.h"
#include "vt_record.h"
#include "json_reader.h"
#include "vt_timeline.h"

static uint64_t rng_state;

union recu {
	uint8_t b[VT_REC_MAX_SIZE];
	uint64_t a;
};

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t small(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static void random_record(union recu *u, uint64_t *ts)
{
	struct vt_hdr *h = (void *)u->b;
	unsigned int i, type = 1 + small(VT_REC_MAX);

	for (i = 0; i < sizeof(u->b); i++)
		u->b[i] = (uint8_t)rnd();
	h->type = (uint16_t)type;
	h->size = (uint16_t)vt_record_size(type);
	*ts += small(3) ? small(20000) : 0;
	h->ts_ns = small(10) ? *ts : *ts - small(5000);	/* some out of order */
	h->cpu = small(3);
	h->vm_id = 1 + small(2);
	h->vcpu_id = small(3);
	switch (type) {
	case VT_REC_LR_FLUSH:
	case VT_REC_LR_FOLD: {
		struct vt_rec_lr *r = (void *)h;

		r->gic_version = small(2) ? 3 : 2;
		r->used_lrs = (uint8_t)small(VT_MAX_LR + 1);
		r->nr_lrs = (uint8_t)small(VT_MAX_LR + 1);
		for (i = 0; i < VT_MAX_LR; i++)
			if (small(2))	/* keep INTIDs in a small range */
				r->lr[i] = (r->lr[i] & ~0xffffffffull) | (30 + small(10));
		break;
	}
	case VT_REC_INJECT:
		((struct vt_rec_inject *)(void *)h)->intid = 30 + small(10);
		break;
	case VT_REC_IRQ_STATE:
		((struct vt_rec_irq_state *)(void *)h)->intid = 30 + small(10);
		((struct vt_rec_irq_state *)(void *)h)->target_vcpu = small(3);
		break;
	case VT_REC_ACK:
		((struct vt_rec_ack *)(void *)h)->irqchip = small(4) ? 0 : 1;
		((struct vt_rec_ack *)(void *)h)->pin = small(10);
		break;
	case VT_REC_RESAMPLE:
		((struct vt_rec_resample *)(void *)h)->gsi = small(10);
		((struct vt_rec_resample *)(void *)h)->resample_key = small(4);
		break;
	case VT_REC_IRQFD:
		((struct vt_rec_irqfd *)(void *)h)->gsi = small(10);
		((struct vt_rec_irqfd *)(void *)h)->flags = small(4);
		((struct vt_rec_irqfd *)(void *)h)->eventfd_key = small(4);
		((struct vt_rec_irqfd *)(void *)h)->resample_key = small(4);
		break;
	case VT_REC_VFIO: {
		struct vt_rec_vfio *r = (void *)h;

		r->event = (uint8_t)(1 + small(5));
		r->trigger_key = small(4);
		r->unmask_key = small(4);
		r->dev[small(17) % 16] = 0;
		break;
	}
	case VT_REC_MMIO:
		((struct vt_rec_mmio *)(void *)h)->reg = (uint8_t)(1 + small(8));
		((struct vt_rec_mmio *)(void *)h)->first_intid = 32 * small(3);
		break;
	case VT_REC_META:
		((struct vt_rec_meta *)(void *)h)->key = (uint16_t)small(8);
		((struct vt_rec_meta *)(void *)h)->id = (uint16_t)small(16);
		((struct vt_rec_meta *)(void *)h)->val = small(8);
		break;
	}
}

static void test_engine_random_records(void **state)
{
	union recu u;
	struct vt_engine_opts o;
	unsigned int round, i;
	struct vt_engine *e;
	uint64_t ts;
	char *buf;
	size_t len;
	FILE *m;

	(void)state;
	for (round = 0; round < 40; round++) {
		rng_state = 0x9e3779b97f4a7c15ull + round;
		memset(&o, 0, sizeof(o));
		o.window_ns = round & 1 ? VT_WINDOW_ALL : 1000000;
		o.storm_per_sec = 1 + small(20);
		assert_int_equal(vt_engine_new(&o, &e), 0);
		ts = 1000;
		for (i = 0; i < 3000; i++) {
			random_record(&u, &ts);
			assert_int_equal(vt_engine_feed(e, (void *)u.b), 0);
			if (!(i % 500))
				assert_int_equal(vt_engine_tick(e, ts), 0);
		}
		assert_int_equal(vt_engine_finish(e), 0);
		m = open_memstream(&buf, &len);
		assert_int_equal(vt_engine_report_text(e, m), 0);
		assert_int_equal(vt_engine_stats_text(e, m), 0);
		fclose(m);
		assert_true(len > 0);
		free(buf);
		buf = render(e, vt_engine_report_json, NULL);
		assert_true(json_valid(buf));
		free(buf);
		buf = render(e, vt_engine_stats_json, NULL);
		assert_true(json_valid(buf));
		free(buf);
		if (round < 5) {	/* the same records as a timeline */
			struct vt_timeline *tl;

			rng_state = 0x9e3779b97f4a7c15ull + round;
			small(20);
			ts = 1000;
			m = open_memstream(&buf, &len);
			assert_int_equal(vt_timeline_new(m, &tl), 0);
			for (i = 0; i < 3000; i++) {
				random_record(&u, &ts);
				assert_int_equal(vt_timeline_add(tl, (void *)u.b), 0);
			}
			assert_int_equal(vt_timeline_finish(tl, NULL), 0);
			fclose(m);
			assert_true(json_valid(buf));
			free(buf);
		}
		vt_engine_free(e);
	}
}

static void test_raw_random_bytes(void **state)
{
	static struct vt_raw_parser p;
	const struct vt_hdr *rec;
	uint8_t bytes[4096];
	unsigned int round, i;
	char err[200];
	int ret;

	(void)state;
	for (round = 0; round < 200; round++) {
		rng_state = 12345 + round;
		for (i = 0; i < sizeof(bytes); i++)
			bytes[i] = (uint8_t)rnd();
		/* a plausible header now and then */
		((struct vt_hdr *)(void *)bytes)->type = (uint16_t)(1 + small(12));
		((struct vt_hdr *)(void *)bytes)->size = (uint16_t)(8 * small(40));
		vt_raw_init(&p);
		vt_raw_push(&p, bytes, sizeof(bytes));
		while ((ret = vt_raw_next(&p, &rec, err, sizeof(err))) > 0)
			assert_int_equal(vt_record_check(rec, rec->size, NULL, 0), 0);
		assert_true(ret == 0 || ret == -EINVAL);
	}
}

static void test_reader_damaged_files(void **state)
{
	const struct vt_hdr *rec;
	struct vt_reader *r;
	char path[256], err[200];
	unsigned int round, k;
	size_t len = 0;
	char *orig, *buf;
	int ret;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/vt-fuzz-%d.vgt", (int)getpid());
	scen_to_file("storm", path);
	orig = read_all(path, &len);
	buf = malloc(len);
	for (round = 0; round < 150; round++) {
		rng_state = 777 + round;
		memcpy(buf, orig, len);
		for (k = 0; k < 1 + small(4); k++)
			buf[small((uint32_t)len)] ^= (char)(1 + small(255));
		write_all_file(path, buf, round % 3 ? len : small((uint32_t)len));
		if (vt_reader_open(path, &r, err, sizeof(err)))
			continue;
		while ((ret = vt_reader_next(r, &rec)) > 0)
			;
		assert_true(ret == 0 || ret == -EBADMSG);
		assert_true(vt_reader_status(r)->end != VT_END_NONE);
		vt_reader_close(r);
	}
	free(buf);
	free(orig);
	unlink(path);
}

static int drop(const struct vt_hdr *rec, void *arg)
{
	(void)rec;
	(void)arg;
	return 0;
}

static void test_scenario_random_text(void **state)
{
	static const char *const words[] = {
		"@0", "@+5us", "@1ms", "@x", "flush", "fold", "lr=32:P:eoi",
		"lr=33:PA", "lr=0xffffffffffffffff", "lr=99999999999:A", "inject",
		"intid=32", "level=1", "level=7", "ack", "pin=0", "vfio", "handler",
		"masked=1", "mmio", "ICACTIVER", "val=0x1", "repeat", "3", "every",
		"end", "facts", "gic=2", "nr_lrs=99", "meta", "hook=ack",
		"attach=missing", "lost", "n=1", "#", "=", "vm=", "used=17", "hcr=1",
	};
	struct vt_host_facts facts;
	char text[512], err[200];
	unsigned int round, i, n;
	size_t off;
	FILE *f;

	(void)state;
	for (round = 0; round < 500; round++) {
		rng_state = 4242 + round;
		off = 0;
		n = 1 + small(30);
		for (i = 0; i < n && off < sizeof(text) - 64; i++)
			off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%s",
				words[small(sizeof(words) / sizeof(words[0]))],
				small(4) ? " " : "\n");
		f = fmemopen(text, off, "r");
		assert_non_null(f);
		vt_scenario_import(f, "fuzz", &facts, drop, NULL, err, sizeof(err));
		fclose(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_random_records),
		cmocka_unit_test(test_raw_random_bytes),
		cmocka_unit_test(test_reader_damaged_files),
		cmocka_unit_test(test_scenario_random_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
