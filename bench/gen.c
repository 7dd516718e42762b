// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gen.c - synthetic arm64 vgic traces for `make bench`.
 *
 *   vt-bench-gen KIND NRECORDS OUT [NIRQS]
 *
 * KIND:
 *   healthy  4 VMs x 4 vCPUs, 8 VFIO INTx SPIs per VM (irqfd with
 *            resamplefd), a HW-mapped timer PPI on every vCPU, idle
 *            runs: the LR-heavy mix of a busy arm64 host. Every
 *            delivery cycle is complete (handler, inject, entry P,
 *            exit A, entry A, exit inv with the guest's EOI, ack,
 *            resample, de-assert, unmask): no finding.
 *   mixed    healthy, plus records of different host CPUs interleaved
 *            out of timestamp order (by up to ~200 us; per-CPU order
 *            kept, as producers give it), two IRQs in the LRs at once,
 *            and every 20000th cycle an anomaly: the 2018 sequence 1
 *            (P+A -> P, no ack) or an ICACTIVER write clearing an
 *            active IRQ with no ack.
 *   irqs     NIRQS (default 100000) distinct IRQs over 4 VMs: SPIs
 *            32..1019 and LPIs from 8192 (edge, no ack) - the distinct
 *            IRQ scaling trace.
 *   wide     irqs with 128 vCPUs per VM (512 vCPUs), each vCPU its own
 *            IRQs
 *
 * VT_BENCH_FORMAT=v1|v2|v2z (default v2z): file format 1, 2, or 2 with
 * zstd chunks (level 3).
 *
 * The traces are written with the library's trace writer (the format is
 * what the tool reads), but never by the tool being measured: nothing
 * here runs the engine. The generator is deterministic (fixed seed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vt_record.h"
#include "vt_tracefile.h"

#define NVM		4
#define NVCPU		4
#define MAX_VCPU	128		/* per VM (wide) */
#define NSPI		8
#define VM_BASE		1000
#define LR_EOI		(1ull << 41)
#define LR_GROUP	(1ull << 60)
#define LR_HW		(1ull << 61)
#define LR_P		(1ull << 62)
#define LR_A		(1ull << 63)
#define PRIO		(0xa0ull << 48)

static struct vt_writer *w;
static uint64_t nrec, target, now = 1000000;
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static int kind;		/* 0 healthy, 1 mixed, 2 irqs */

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 11) % n);
}

/* Records held back to interleave host CPUs out of order (mixed). */
struct held {
	uint8_t rec[VT_REC_MAX_SIZE] __attribute__((aligned(8)));
};
static struct held hold[64];
static unsigned int nheld;
static uint32_t hold_cpu = ~0u;

static void put(const void *rec)
{
	int ret = vt_writer_append(w, rec);

	if (ret) {
		fprintf(stderr, "vt-bench-gen: append: %s\n", strerror(-ret));
		exit(2);
	}
	nrec++;
}

static void release(void)
{
	unsigned int i;

	for (i = 0; i < nheld; i++)
		put(hold[i].rec);
	nheld = 0;
	hold_cpu = ~0u;
}

/*
 * mixed: the records of one host CPU are held for a while and written
 * after records of other CPUs with later timestamps (a per-CPU buffer
 * drained late). The order within a CPU stays.
 */
static void emit(void *rec)
{
	struct vt_hdr *h = rec;

	if (kind != 1) {
		put(rec);
		return;
	}
	if (hold_cpu == ~0u && rnd(64) == 0)
		hold_cpu = h->cpu;
	if (h->cpu == hold_cpu && nheld < 64) {
		memcpy(hold[nheld++].rec, rec, h->size);
		return;
	}
	put(rec);
	if (nheld && (nheld == 64 || rnd(32) == 0))
		release();
}

static void hdr(struct vt_hdr *h, uint16_t type, uint16_t size, uint32_t vm,
		uint32_t vcpu)
{
	now += 200 + rnd(1800);
	h->type = type;
	h->size = size;
	h->cpu = vcpu == VT_NO_VCPU ? rnd(8) : (vm * NVCPU + vcpu) % 8;
	h->ts_ns = now;
	h->vm_id = VM_BASE + vm;
	h->vcpu_id = vcpu;
}

static void lr_rec(uint16_t type, uint32_t vm, uint32_t vcpu,
		   const uint64_t *lr, unsigned int n)
{
	struct vt_rec_lr r;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, type, sizeof(r), vm, vcpu);
	r.gic_version = VT_GIC_V3;
	r.used_lrs = (uint8_t)n;
	r.nr_lrs = 4;
	memcpy(r.lr, lr, n * sizeof(*lr));
	emit(&r);
}

static void inject(uint32_t vm, uint32_t intid, int level, int src)
{
	struct vt_rec_inject r;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, VT_REC_INJECT, sizeof(r), vm, VT_NO_VCPU);
	r.intid = intid;
	r.level = (uint8_t)level;
	r.source = (uint8_t)src;
	emit(&r);
}

static void vfio(uint32_t vm, uint32_t spi, int event, int masked)
{
	struct vt_rec_vfio r;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, VT_REC_VFIO, sizeof(r), vm, VT_NO_VCPU);
	r.hdr.vm_id = VT_NO_VM;
	r.event = (uint8_t)event;
	r.masked = (uint8_t)masked;
	r.pci_2_3 = 1;
	r.result = event == VT_VFIO_HANDLER ? 1 : 0;
	r.host_irq = 40 + vm * NSPI + spi;
	r.trigger_key = 0x1000 + vm * NSPI + spi;
	r.unmask_key = 0x2000 + vm * NSPI + spi;
	snprintf(r.dev, sizeof(r.dev), "0000:%02x:%02x.0", vm + 1, spi);
	emit(&r);
}

static void ack(uint32_t vm, uint32_t spi)
{
	struct vt_rec_ack r;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, VT_REC_ACK, sizeof(r), vm, VT_NO_VCPU);
	r.irqchip = 0;
	r.pin = spi;
	r.gsi = spi;
	emit(&r);
}

static void resample(uint32_t vm, uint32_t spi)
{
	struct vt_rec_resample r;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, VT_REC_RESAMPLE, sizeof(r), vm, VT_NO_VCPU);
	r.gsi = spi;
	r.nr_irqfds = 1;
	r.resample_key = 0x2000 + vm * NSPI + spi;
	emit(&r);
}

static void setup(void)
{
	struct vt_rec_meta m;
	struct vt_rec_irqfd f;
	uint32_t vm, s;

	memset(&m, 0, sizeof(m));
	hdr(&m.hdr, VT_REC_META, sizeof(m), 0, VT_NO_VCPU);
	m.hdr.vm_id = VT_NO_VM;
	m.key = VT_META_NR_LRS;
	m.val = 4;
	put(&m);
	for (vm = 0; vm < NVM && kind != 2; vm++)
		for (s = 0; s < NSPI; s++) {
			memset(&f, 0, sizeof(f));
			hdr(&f.hdr, VT_REC_IRQFD, sizeof(f), vm, VT_NO_VCPU);
			f.gsi = s;
			f.flags = VT_IRQFD_F_RESAMPLE;
			f.fd = 20 + (int)s;
			f.resamplefd = 40 + (int)s;
			f.eventfd_key = 0x1000 + vm * NSPI + s;
			f.resample_key = 0x2000 + vm * NSPI + s;
			put(&f);
		}
}

/* Per vCPU: the step of the delivery cycle it is in. */
struct vcpu_state {
	int step;
	uint32_t spi;		/* healthy/mixed: SPI index; irqs: INTID */
	int bad;		/* this cycle is an anomaly */
	int timer, extra;	/* LRs of the current run besides the SPI */
};
static struct vcpu_state vs[NVM][MAX_VCPU];
static uint32_t nvcpu = NVCPU;
static uint64_t cycles;

static uint64_t lrv(uint32_t intid, uint64_t state, int level)
{
	return intid | state | PRIO | LR_GROUP | (level ? LR_EOI : 0);
}

/* One step of the SPI delivery cycle of vCPU (vm, c). */
static void step_spi(uint32_t vm, uint32_t c)
{
	struct vcpu_state *s = &vs[vm][c];
	uint32_t intid = 32 + s->spi;
	uint64_t lr[4];
	unsigned int n = 0;

	/* the timer PPI rides along in a third of the runs (HW mapped) */
	if (s->step == 2 || s->step == 4) {
		s->timer = rnd(3) == 0;
		s->extra = kind == 1 && rnd(4) == 0;
	}
	if ((s->step >= 2 && s->step <= 5) && s->timer)
		lr[n++] = 27 | (s->step & 1 ? 0 : LR_P) | PRIO | LR_GROUP |
			  LR_HW | (27ull << 32);
	switch (s->step) {
	case 0:
		if (rnd(2)) {
			/* an idle run: only the timer, or no LR at all */
			n = rnd(2);
			lr[0] = 27 | LR_P | PRIO | LR_GROUP | LR_HW | (27ull << 32);
			lr_rec(VT_REC_LR_FLUSH, vm, c, lr, n);
			lr[0] &= ~LR_P;
			lr_rec(VT_REC_LR_FOLD, vm, c, lr, n);
			return;
		}
		s->spi = (c * 2 + rnd(2)) % NSPI;	/* each vCPU its own SPIs */
		s->bad = kind == 1 && ++cycles % 20000 == 0 ? 1 + rnd(2) : 0;
		vfio(vm, s->spi, VT_VFIO_HANDLER, 1);
		break;
	case 1:
		inject(vm, 32 + s->spi, 1, VT_SRC_IRQFD);
		break;
	case 2:
		lr[n++] = lrv(intid, LR_P, 1);
		if (s->extra)
			lr[n++] = lrv(48 + c, LR_P, 0);	/* an edge SPI too */
		lr_rec(VT_REC_LR_FLUSH, vm, c, lr, n);
		break;
	case 3:
		lr[n++] = lrv(intid, LR_A, 1);
		if (s->extra)
			lr[n++] = lrv(48 + c, 0, 0);
		lr_rec(VT_REC_LR_FOLD, vm, c, lr, n);
		break;
	case 4:
		lr[n++] = lrv(intid, s->bad == 1 ? LR_P | LR_A : LR_A, 1);
		if (s->extra)
			lr[n++] = lrv(48 + c, LR_P, 0);
		lr_rec(VT_REC_LR_FLUSH, vm, c, lr, n);
		break;
	case 5:
		lr[n++] = lrv(intid, s->bad == 1 ? LR_P : 0, 1);
		if (s->extra)
			lr[n++] = lrv(48 + c, 0, 0);
		lr_rec(VT_REC_LR_FOLD, vm, c, lr, n);
		if (s->bad) {
			if (s->bad == 2) {
				struct vt_rec_mmio m;

				memset(&m, 0, sizeof(m));
				hdr(&m.hdr, VT_REC_MMIO, sizeof(m), vm, c);
				m.reg = VT_MMIO_ICACTIVER;
				m.len = 4;
				m.first_intid = 32;
				m.val = 1ull << s->spi;
				emit(&m);
			}
			s->step = -1;		/* no ack, no resample */
			vfio(vm, s->spi, VT_VFIO_UNMASK, 0);
		}
		break;
	case 6:
		ack(vm, s->spi);
		break;
	case 7:
		resample(vm, s->spi);
		break;
	case 8:
		inject(vm, 32 + s->spi, 0, VT_SRC_RESAMPLER);
		break;
	case 9:
		vfio(vm, s->spi, VT_VFIO_UNMASK_HANDLER, 0);
		s->step = -1;
		break;
	}
	s->step++;
}

static uint32_t nirqs = 100000;

/* One step of an IRQ of the distinct-IRQ trace (SPI level or LPI edge). */
static void step_irqs(uint32_t vm, uint32_t c)
{
	struct vcpu_state *s = &vs[vm][c];
	uint32_t per_vm = nirqs / NVM, k;
	uint64_t lr[1];
	int level;

	if (s->step == 0) {
		/* wide: each vCPU its own IRQs (no IRQ on two vCPUs at once) */
		k = nvcpu > NVCPU ? rnd(per_vm / nvcpu) * nvcpu + c : rnd(per_vm);
		s->spi = k < 988 && k < per_vm / 2 ? 32 + k : 8192 + k;
	}
	level = s->spi < 1020;
	switch (s->step) {
	case 0:
		inject(vm, s->spi, 1, VT_SRC_KERNEL);
		break;
	case 1:
		lr[0] = lrv(s->spi, LR_P, level);
		lr_rec(VT_REC_LR_FLUSH, vm, c, lr, 1);
		break;
	case 2:
		lr[0] = lrv(s->spi, LR_A, level);
		lr_rec(VT_REC_LR_FOLD, vm, c, lr, 1);
		break;
	case 3:
		lr[0] = lrv(s->spi, LR_A, level);
		lr_rec(VT_REC_LR_FLUSH, vm, c, lr, 1);
		break;
	case 4:
		lr[0] = lrv(s->spi, 0, level);
		lr_rec(VT_REC_LR_FOLD, vm, c, lr, 1);
		if (!level)
			s->step = -1;
		break;
	case 5:
		ack(vm, s->spi - 32);
		break;
	case 6:
		inject(vm, s->spi, 0, VT_SRC_KERNEL);
		s->step = -1;
		break;
	}
	s->step++;
}

int main(int argc, char **argv)
{
	struct vt_host_facts facts;
	const char *fmt;
	uint32_t vm, c;
	int ret;

	if (argc < 4) {
		fprintf(stderr, "usage: vt-bench-gen healthy|mixed|irqs|wide NRECORDS OUT [NIRQS]\n");
		return 2;
	}
	if (!strcmp(argv[1], "healthy"))
		kind = 0;
	else if (!strcmp(argv[1], "mixed"))
		kind = 1;
	else if (!strcmp(argv[1], "irqs"))
		kind = 2;
	else if (!strcmp(argv[1], "wide")) {
		kind = 2;
		nvcpu = MAX_VCPU;
	}
	else {
		fprintf(stderr, "vt-bench-gen: unknown kind '%s'\n", argv[1]);
		return 2;
	}
	target = strtoull(argv[2], NULL, 10);
	if (argc > 4)
		nirqs = (uint32_t)strtoul(argv[4], NULL, 10);
	if (!target || nirqs < NVM * 2) {
		fprintf(stderr, "vt-bench-gen: bad numbers\n");
		return 2;
	}
	memset(&facts, 0, sizeof(facts));
	snprintf(facts.kernel_release, sizeof(facts.kernel_release), "6.1.0-bench");
	snprintf(facts.arch, sizeof(facts.arch), "aarch64");
	facts.gic_version = VT_GIC_V3;
	facts.nr_lrs = 4;
	facts.backend = VT_BACKEND_REPLAY;
	ret = vt_writer_open(argv[3], &facts, true, &w);
	if (ret) {
		fprintf(stderr, "vt-bench-gen: %s: %s\n", argv[3], strerror(-ret));
		return 2;
	}
	fmt = getenv("VT_BENCH_FORMAT");
	if (!fmt)
		fmt = "v2z";
	ret = vt_writer_set_format(w, strcmp(fmt, "v1") ? 2 : 1,
				   strcmp(fmt, "v2z") ? 0 : 3, &facts);
	if (ret) {
		fprintf(stderr, "vt-bench-gen: format %s: %s\n", fmt, strerror(-ret));
		return 2;
	}
	setup();
	while (nrec + nheld < target) {
		vm = rnd(NVM);
		c = rnd(nvcpu);
		if (kind == 2)
			step_irqs(vm, c);
		else
			step_spi(vm, c);
	}
	/* finish the cycles in flight: a healthy trace ends healthy */
	for (vm = 0; vm < NVM; vm++)
		for (c = 0; c < nvcpu; c++)
			while (vs[vm][c].step) {
				if (kind == 2)
					step_irqs(vm, c);
				else
					step_spi(vm, c);
			}
	release();
	ret = vt_writer_close(w);
	if (ret) {
		fprintf(stderr, "vt-bench-gen: close: %s\n", strerror(-ret));
		return 2;
	}
	printf("%llu\n", (unsigned long long)nrec);
	return 0;
}
