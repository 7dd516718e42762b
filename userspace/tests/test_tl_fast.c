// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_tl_fast.c - the timeline's preformatted chunks against snprintf():
 * a VFIO instant's '"args":{"dev":...,"host_irq":N,"masked":' kept per
 * host IRQ slot (dev[] of 16 bytes that all need escaping, so the chunk
 * is longer than its short copy; host IRQs 0 and UINT32_MAX; two host
 * IRQs of one slot with one dev, taking turns; a dev that changes in a
 * slot), and an LR slice's name chunk for every pair of entry and exit
 * states (the longest one, "P+A -> inv (deactivated)", longer than its
 * short copy); the heads '{"pid":P,"tid":T,"ts":' of thousands of new
 * tracks of VMs taking turns irregularly (pids of 1 to 10 digits, two
 * of one slot of the timeline's last-head table), whose tids carry over
 * one, two and three decimal digits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vt_lr.h"
#include "vt_record.h"
#include "vt_timeline.h"

#define TL_NDEV_TEST	256	/* host IRQs per dev slot of the timeline */

static uint64_t now = 5000000;

static void hdr(struct vt_hdr *h, unsigned int type, size_t size,
		uint32_t cpu, uint32_t vm, uint32_t vcpu)
{
	memset(h, 0, size);
	h->type = (uint16_t)type;
	h->size = (uint16_t)size;
	h->cpu = cpu;
	now += 1237;	/* every event its own timestamp */
	h->ts_ns = now;
	h->vm_id = vm;
	h->vcpu_id = vcpu;
}

/* "%llu.%03llu" of @ns */
static const char *us(char *s, size_t len, uint64_t ns)
{
	snprintf(s, len, "%llu.%03llu", (unsigned long long)(ns / 1000),
		 (unsigned long long)(ns % 1000));
	return s;
}

/* @buf holds the event that ends with @tail, after "ts":@ts */
static void expect_event(const char *buf, uint64_t ts, const char *tail)
{
	char a[32], key[64], *want;
	const char *at;

	snprintf(key, sizeof(key), "\"ts\":%s,", us(a, sizeof(a), ts));
	at = strstr(buf, key);
	if (!at)
		fail_msg("no event at %s", key);
	assert_int_equal(asprintf(&want, "%s%s", key, tail) > 0, 1);
	if (strncmp(at, want, strlen(want)))
		fail_msg("event at %s:\n got  %.*s\n want %s", key,
			 (int)strlen(want), at, want);
	free(want);
}

static char *run(void (*feed)(struct vt_timeline *tl, FILE *log), FILE *log)
{
	struct vt_timeline *tl;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	m = open_memstream(&buf, &len);
	assert_non_null(m);
	assert_int_equal(vt_timeline_new(m, &tl), 0);
	feed(tl, log);
	assert_int_equal(vt_timeline_finish(tl, NULL), 0);
	fclose(m);
	return buf;
}

/* ---- VFIO ------------------------------------------------------------ */

struct vf_case {
	uint32_t host_irq;
	const char *dev;	/* 16 bytes copied, not terminated if so long */
	uint8_t masked;
};

static const char dev16[16] = "\"\\\x01\x1f\x7f\x80\xff\"\\\x02\x03\x04\x05\x06\x07\x08";

static const struct vf_case vf_cases[] = {
	{ 58, "0000:03:02.0", 0 },
	{ 58 + TL_NDEV_TEST, "0000:03:02.0", 1 },	/* same slot, same dev */
	{ 58, "0000:03:02.0", 1 },
	{ 58 + TL_NDEV_TEST, "0000:03:02.0", 0 },
	{ 58, "0000:04:05.0", 0 },			/* the dev changes */
	{ 58, "0000:03:02.0", 1 },
	{ 0, "", 0 },
	{ UINT32_MAX, dev16, 1 },			/* longest chunk */
	{ UINT32_MAX, dev16, 0 },
	{ UINT32_MAX - TL_NDEV_TEST, dev16, 1 },	/* same slot */
	{ 9, "x", 1 },
	{ 9 + 2 * TL_NDEV_TEST, "x", 0 },
	{ 9, dev16, 1 },
	{ 9, "x", 0 },
};

static uint64_t vf_ts[sizeof(vf_cases) / sizeof(vf_cases[0])];

static void feed_vfio(struct vt_timeline *tl, FILE *log)
{
	size_t i;

	(void)log;
	for (i = 0; i < sizeof(vf_cases) / sizeof(vf_cases[0]); i++) {
		struct vt_rec_vfio vf;

		hdr(&vf.hdr, VT_REC_VFIO, sizeof(vf), 1, VT_NO_VM, VT_NO_VCPU);
		vf.event = (uint8_t)(1 + i % 5);
		vf.masked = vf_cases[i].masked;
		vf.result = (int32_t)(i % 3) - 1;
		vf.host_irq = vf_cases[i].host_irq;
		memcpy(vf.dev, vf_cases[i].dev,
		       strnlen(vf_cases[i].dev, sizeof(vf.dev)));
		vf_ts[i] = vf.hdr.ts_ns;
		assert_int_equal(vt_timeline_add(tl, &vf.hdr), 0);
	}
}

static void test_vfio_args(void **state)
{
	char *buf = run(feed_vfio, NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vf_cases) / sizeof(vf_cases[0]); i++) {
		char esc[6 * 16 + 1], *e = esc, tail[512];
		const unsigned char *c = (const unsigned char *)vf_cases[i].dev;
		size_t k;

		for (k = 0; k < 16 && c[k]; k++) {
			if (c[k] == '"' || c[k] == '\\')
				e += sprintf(e, "\\%c", c[k]);
			else if (c[k] < 0x20 || c[k] >= 0x7f)
				e += sprintf(e, "\\u%04x", c[k]);
			else
				*e++ = (char)c[k];
		}
		*e = '\0';
		snprintf(tail, sizeof(tail), "\"ph\":\"i\",\"s\":\"t\",\"cat\":\"vfio\","
			 "\"name\":\"vfio %s\",\"args\":{\"dev\":\"%s\","
			 "\"host_irq\":%u,\"masked\":%u,\"result\":%d}}",
			 vt_vfio_event_name((unsigned int)(1 + i % 5)), esc,
			 vf_cases[i].host_irq, vf_cases[i].masked,
			 (int)(i % 3) - 1);
		expect_event(buf, vf_ts[i], tail);
	}
	free(buf);
}

/* ---- LR slice names -------------------------------------------------- */

static uint64_t lr_ts[4][4];

static uint64_t lr_raw(uint32_t vintid, unsigned int st)
{
	struct vt_lr lr = { .state = (uint8_t)st, .group = true,
			    .priority = 0xa0, .vintid = vintid };
	uint64_t raw;

	assert_int_equal(vt_lr_encode(VT_GIC_V3, &lr, &raw), 0);
	return raw;
}

static void feed_lr(struct vt_timeline *tl, FILE *log)
{
	unsigned int a, b;

	(void)log;
	for (a = 0; a < 4; a++)
		for (b = 0; b < 4; b++) {
			struct vt_rec_lr en, ex;

			hdr(&en.hdr, VT_REC_LR_FLUSH, sizeof(en), 2, 7, 3);
			en.gic_version = VT_GIC_V3;
			en.used_lrs = 1;
			en.lr[0] = lr_raw(40 + a * 4 + b, a);
			assert_int_equal(vt_timeline_add(tl, &en.hdr), 0);
			hdr(&ex.hdr, VT_REC_LR_FOLD, sizeof(ex), 2, 7, 3);
			ex.gic_version = VT_GIC_V3;
			ex.used_lrs = 1;
			ex.lr[0] = lr_raw(40 + a * 4 + b, b);
			assert_int_equal(vt_timeline_add(tl, &ex.hdr), 0);
			lr_ts[a][b] = en.hdr.ts_ns;
		}
}

static void test_lr_names(void **state)
{
	char *buf = run(feed_lr, NULL);
	unsigned int a, b;

	(void)state;
	for (a = 1; a < 4; a++)	/* an invalid entry state makes no slice */
		for (b = 0; b < 4; b++) {
			struct vt_lr li = { .state = (uint8_t)a };
			struct vt_lr lo = { .state = (uint8_t)b };
			char key[64], a_[32], want[512];
			const char *at, *lr;

			/* the run's slice first, then the LR's */
			snprintf(key, sizeof(key), "\"ts\":%s,",
				 us(a_, sizeof(a_), lr_ts[a][b]));
			at = strstr(buf, key);
			assert_non_null(at);
			lr = strstr(at + 1, key);
			assert_non_null(lr);
			snprintf(want, sizeof(want), "%s\"dur\":1.237,\"ph\":\"X\","
				 "\"cat\":\"lr\",\"name\":\"%s -> %s%s\","
				 "\"args\":{\"intid\":%u,\"lr\":0,\"entry\":\"0x%llx\","
				 "\"exit\":\"0x%llx\"}}", key,
				 vt_lr_state_name(a), vt_lr_state_name(b),
				 vt_lr_guest_eoied(&li, &lo) ? " (deactivated)" : "",
				 40 + a * 4 + b,
				 (unsigned long long)lr_raw(40 + a * 4 + b, a),
				 (unsigned long long)lr_raw(40 + a * 4 + b, b));
			if (strncmp(lr, want, strlen(want)))
				fail_msg("LR %u -> %u:\n got  %.*s\n want %s", a, b,
					 (int)strlen(want), lr, want);
		}
	free(buf);
}

/* ---- track heads --------------------------------------------------- */

#define NHEAD	2600	/* tracks: tids 4194305 .. 4196904 */

static const uint32_t head_vms[] = { 1, 17, 4000000000u, 4242, 123456789 };
static uint32_t head_vm[NHEAD], head_tid[NHEAD];
static uint64_t head_ts[NHEAD];
static uint64_t hrng = 0x243f6a8885a308d3ull;

static uint32_t hrnd(uint32_t n)
{
	hrng ^= hrng << 13;
	hrng ^= hrng >> 7;
	hrng ^= hrng << 17;
	return (uint32_t)((hrng >> 11) % n);
}

static void feed_heads(struct vt_timeline *tl, FILE *log)
{
	size_t k;

	(void)log;
	for (k = 0; k < NHEAD; k++) {
		struct vt_rec_resample rs;
		/* runs of one VM, then others: pids 1 and 17 share a slot */
		uint32_t vm = head_vms[hrnd(4) ? k / 7 % 5 : hrnd(5)];

		hdr(&rs.hdr, VT_REC_RESAMPLE, sizeof(rs), 0, vm, VT_NO_VCPU);
		rs.gsi = (uint32_t)k;	/* a new IRQ track each time */
		assert_int_equal(vt_timeline_add(tl, &rs.hdr), 0);
		head_vm[k] = vm;
		head_tid[k] = VT_TL_SYNTH_TID + (uint32_t)k;	/* in order */
		head_ts[k] = rs.hdr.ts_ns;
	}
	/* the first tracks again: their heads as they were made */
	for (k = 0; k < 40; k++) {
		struct vt_rec_resample rs;

		hdr(&rs.hdr, VT_REC_RESAMPLE, sizeof(rs), 0, head_vm[k],
		    VT_NO_VCPU);
		rs.gsi = (uint32_t)k;
		assert_int_equal(vt_timeline_add(tl, &rs.hdr), 0);
	}
}

static void test_track_heads(void **state)
{
	char *buf = run(feed_heads, NULL);
	size_t k, n = 0;
	const char *l;

	(void)state;
	for (k = 0; k < NHEAD; k++) {
		char key[128], meta[160], a[32];

		snprintf(meta, sizeof(meta), "{\"ph\":\"M\",\"name\":\"thread_name\","
			 "\"pid\":%u,\"tid\":%u,\"args\":{\"name\":\"INTID %zu\"}}",
			 head_vm[k], head_tid[k], k + 32);
		if (!strstr(buf, meta))
			fail_msg("no %s", meta);
		snprintf(key, sizeof(key), "\n{\"pid\":%u,\"tid\":%u,\"ts\":%s,",
			 head_vm[k], head_tid[k], us(a, sizeof(a), head_ts[k]));
		if (!strstr(buf, key))
			fail_msg("no event %s", key + 1);
	}
	/* every instant of a track: the first 40 twice */
	for (l = buf; (l = strstr(l, "\"name\":\"resample\"")); l++)
		n++;
	assert_int_equal(n, NHEAD + 40);
	for (k = 0; k < 40; k++) {
		char key[128];
		const char *at;

		snprintf(key, sizeof(key), "\n{\"pid\":%u,\"tid\":%u,\"ts\":",
			 head_vm[k], head_tid[k]);
		at = strstr(buf, key);
		assert_non_null(at);
		assert_non_null(strstr(at + 1, key));
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vfio_args),
		cmocka_unit_test(test_lr_names),
		cmocka_unit_test(test_track_heads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
