// SPDX-License-Identifier: GPL-2.0
/*
 * vt-modcat - copy /dev/vgic_trace to a file and check the device's
 * contract on every read(): whole records only (sizes add up exactly,
 * every size valid for its type). SIGINT/SIGTERM stop it; what is still
 * buffered is drained (non-blocking reads) before it exits.
 *
 * Prints one summary line:
 *   VT_MODCAT records=N bytes=N reads=N lost=N bad=N lr_v2=N lr_v3=N
 *             eoicount=N types=t1:n1,... deact_dir=N deact_eoicount=N
 *             deact_lr=N lost_cpu=N lost_probe=N data=N efault=N
 *             faulted_reads=N vcpu_meta=N vcpu_pairs=N vcpu_tids=N
 *             vcpu_tid_is_vm=N proc_ok=N proc_bad=N proc_gone=N
 *             cpu_us=N vcpus=VM:VCPU:TID,...
 *   deact_*: VT_REC_DEACTIVATE by how, 6.19+; lr_v2/lr_v3: LR records per
 *   encoding; eoicount: sum of the hardware EOIcount of fold records
 *   that carry a valid ICH_HCR_EL2; lost_cpu / lost_probe: VT_REC_LOST
 *   sums of the per-CPU reports and of the probe-miss reports (hdr.cpu
 *   0xffffffff); data: records that are not VT_REC_LOST; efault: reads
 *   that returned EFAULT (-F); vcpu_*: VT_META_VCPU records, distinct
 *   (vm, vcpu) pairs and tids, tids equal to the VM's pid (the VMM's main
 *   thread); proc_*: tids whose /proc/TID/status Tgid and comm, read
 *   when the record arrives, match the record (gone: thread exited
 *   first); cpu_us: this process's user + system CPU time; burst_us /
 *   burst_records: wall time and records of the first run of reads up
 *   to the first EAGAIN (with -w: draining the backlog).
 *
 * -F: every other read() goes to a buffer that straddles an inaccessible
 * page (0..3000 mapped bytes before it, read size 64 KiB), so that the
 * module's copy_to_user() fails part way; the reads while draining after
 * SIGTERM are normal, so the loss reports come out.
 *
 * Exit status: 0, 1 if a read broke the contract, 2 on a usage or I/O
 * error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vgic_trace_abi.h"

VT_ABI_STATIC_CHECKS();

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const unsigned int rec_size[VT_REC_MAX + 1] = {
	[VT_REC_LR_FLUSH] = sizeof(struct vt_rec_lr),
	[VT_REC_LR_FOLD] = sizeof(struct vt_rec_lr),
	[VT_REC_INJECT] = sizeof(struct vt_rec_inject),
	[VT_REC_IRQ_STATE] = sizeof(struct vt_rec_irq_state),
	[VT_REC_ACK] = sizeof(struct vt_rec_ack),
	[VT_REC_RESAMPLE] = sizeof(struct vt_rec_resample),
	[VT_REC_IRQFD] = sizeof(struct vt_rec_irqfd),
	[VT_REC_VFIO] = sizeof(struct vt_rec_vfio),
	[VT_REC_MMIO] = sizeof(struct vt_rec_mmio),
	[VT_REC_LOST] = sizeof(struct vt_rec_lost),
	[VT_REC_META] = sizeof(struct vt_rec_meta),
	[VT_REC_DEACTIVATE] = sizeof(struct vt_rec_deactivate),
};

#define MAX_VCPU_META	256
#define LOST_PROBES	0xffffffffu	/* hdr.cpu of a probe-miss report */

struct vcpu_meta {
	uint32_t vm, vcpu, tid;
};

struct counts {
	unsigned long long records, bytes, reads, lost, bad, lr_v2, lr_v3;
	unsigned long long eoicount;	/* sum of valid ICH_HCR_EL2.EOIcount */
	unsigned long long type[VT_REC_MAX + 1];
	unsigned long long deact[VT_DEACT_LR + 1];	/* DEACTIVATE by how */
	unsigned long long lost_cpu, lost_probe, efault, faulted;
	unsigned long long proc_ok, proc_bad, proc_gone;
	unsigned long long burst_ns, burst_records;
	unsigned int nvcpu;
	struct vcpu_meta vcpu[MAX_VCPU_META];
};

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Tgid and comm of a thread from /proc: 0 ok, 1 mismatch, -1 gone. */
static int proc_check(const struct vt_rec_meta *m)
{
	char path[64], line[256], comm[sizeof(m->str)];
	unsigned int tgid = 0;
	int found = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", (unsigned int)m->val);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %u", &tgid) == 1)
			found = 1;
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%u/comm", (unsigned int)m->val);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(comm, 1, sizeof(comm) - 1, f);
	fclose(f);
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	if (!found || tgid != m->hdr.vm_id || strncmp(comm, m->str, sizeof(comm)))
		return 1;
	return 0;
}

static void note_vcpu(const struct vt_rec_meta *m, struct counts *c)
{
	int r = proc_check(m);

	if (r < 0)
		c->proc_gone++;
	else if (r)
		c->proc_bad++;
	else
		c->proc_ok++;
	if (c->nvcpu < MAX_VCPU_META) {
		c->vcpu[c->nvcpu].vm = m->hdr.vm_id;
		c->vcpu[c->nvcpu].vcpu = m->hdr.vcpu_id;
		c->vcpu[c->nvcpu].tid = (uint32_t)m->val;
		c->nvcpu++;
	}
}

/* Distinct (vm, vcpu) pairs (@tids 0) or distinct tids (@tids 1). */
static unsigned int distinct(const struct counts *c, int tids)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < c->nvcpu; i++) {
		for (j = 0; j < i; j++)
			if (tids ? c->vcpu[j].tid == c->vcpu[i].tid :
			    c->vcpu[j].vm == c->vcpu[i].vm &&
			    c->vcpu[j].vcpu == c->vcpu[i].vcpu)
				break;
		n += j == i;
	}
	return n;
}

/* Check one read() worth of records; returns 0 if whole records only. */
static int check_chunk(const unsigned char *buf, size_t len, struct counts *c)
{
	size_t off = 0;
	struct vt_hdr h;

	while (off < len) {
		if (len - off < sizeof(h))
			return -1;
		memcpy(&h, buf + off, sizeof(h));
		if (h.type == 0 || h.type > VT_REC_MAX ||
		    h.size != rec_size[h.type] || h.size > len - off)
			return -1;
		if (h.type == VT_REC_LOST) {
			struct vt_rec_lost l;

			memcpy(&l, buf + off, sizeof(l));
			c->lost += l.lost;
			if (h.cpu == LOST_PROBES)
				c->lost_probe += l.lost;
			else
				c->lost_cpu += l.lost;
		}
		if (h.type == VT_REC_META) {
			struct vt_rec_meta m;

			memcpy(&m, buf + off, sizeof(m));
			m.str[sizeof(m.str) - 1] = '\0';
			if (m.key == VT_META_VCPU)
				note_vcpu(&m, c);
		}
		if (h.type == VT_REC_LR_FLUSH || h.type == VT_REC_LR_FOLD) {
			struct vt_rec_lr lr;

			memcpy(&lr, buf + off, sizeof(lr));
			if (lr.gic_version == VT_GIC_V2)
				c->lr_v2++;
			else if (lr.gic_version == VT_GIC_V3)
				c->lr_v3++;
			else
				return -1;
			if (h.type == VT_REC_LR_FOLD &&
			    (lr.flags & VT_LR_F_HCR_VALID))
				c->eoicount += lr.hcr >> 27;
		}
		if (h.type == VT_REC_DEACTIVATE) {
			struct vt_rec_deactivate d;

			memcpy(&d, buf + off, sizeof(d));
			if (d.how < VT_DEACT_DIR || d.how > VT_DEACT_LR)
				return -1;
			c->deact[d.how]++;
		}
		c->type[h.type]++;
		c->records++;
		off += h.size;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: vt-modcat [-d DEVICE] [-w SECONDS] [-F] -o FILE\n"
		"Copy the vgic_trace record stream to FILE until SIGINT/SIGTERM,\n"
		"checking that every read() returns whole records. -w: hold the\n"
		"device open SECONDS before the first read (loss test). -F: every\n"
		"other read into a buffer straddling an inaccessible page.\n");
}

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 16];
	static struct counts c;
	static const size_t mapped[] = { 0, 40, 100, 1000, 3000 };
	const char *dev = "/dev/vgic_trace", *out = NULL;
	unsigned char *fbase = NULL, *rbuf;
	long pg = sysconf(_SC_PAGESIZE);
	int fault = 0;
	struct rusage ru;
	unsigned long wait_s = 0;
	char *end;
	struct sigaction sa;
	struct pollfd pfd;
	int fd, ofd, opt, i, j, draining = 0, burst = 0;
	unsigned long long t0 = 0;
	ssize_t n;

	while ((opt = getopt(argc, argv, "d:o:w:Fh")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'F': fault = 1; break;
		case 'w':
			errno = 0;
			wait_s = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || wait_s > 3600) {
				fprintf(stderr, "vt-modcat: -w wants seconds 0..3600, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!out || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (fault) {
		/* two pages, an inaccessible one, then room for 64 KiB */
		size_t len = (size_t)3 * pg + sizeof(buf);

		fbase = mmap(NULL, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (fbase == MAP_FAILED) {
			fprintf(stderr, "vt-modcat: mmap: %s\n", strerror(errno));
			return 2;
		}
		/* the third page: a read of 64 KiB just before it crosses it */
		if (mprotect(fbase + 2 * pg, (size_t)pg, PROT_NONE)) {
			fprintf(stderr, "vt-modcat: mprotect: %s\n", strerror(errno));
			return 2;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fd = open(dev, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "vt-modcat: %s: %s\n", dev, strerror(errno));
		return 2;
	}
	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (ofd < 0) {
		fprintf(stderr, "vt-modcat: %s: %s\n", out, strerror(errno));
		return 2;
	}
	/* -w: keep the device open without reading (forces buffer overflow) */
	while (wait_s-- > 0 && !stop)
		sleep(1);
	for (;;) {
		if (stop && !draining)
			draining = 1;
		rbuf = buf;
		if (fault && !draining && (c.reads + c.efault) % 2) {
			rbuf = fbase + 2 * pg - mapped[c.faulted % 5];
			c.faulted++;
		}
		if (!burst && !t0)
			t0 = now_ns();
		n = read(fd, rbuf, sizeof(buf));
		if (n < 0 && errno == EAGAIN && !burst) {
			burst = 1;
			c.burst_ns = now_ns() - t0;
			c.burst_records = c.records;
		}
		if (n < 0 && errno == EFAULT && rbuf != buf) {
			c.efault++;
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			if (draining)
				break;
			pfd.fd = fd;
			pfd.events = POLLIN;
			poll(&pfd, 1, 100);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "vt-modcat: read: %s\n", strerror(errno));
			return 2;
		}
		c.reads++;
		c.bytes += n;
		if (rbuf != buf)
			memmove(buf, rbuf, n);
		if (check_chunk(buf, n, &c)) {
			fprintf(stderr, "vt-modcat: read %llu returned %zd bytes that are not whole records\n",
				c.reads, n);
			c.bad++;
		}
		if (write(ofd, buf, n) != n) {
			fprintf(stderr, "vt-modcat: write: %s\n", strerror(errno));
			return 2;
		}
	}
	close(ofd);
	printf("VT_MODCAT records=%llu bytes=%llu reads=%llu lost=%llu bad=%llu lr_v2=%llu lr_v3=%llu eoicount=%llu types=",
	       c.records, c.bytes, c.reads, c.lost, c.bad, c.lr_v2, c.lr_v3,
	       c.eoicount);
	for (i = 1; i <= VT_REC_MAX; i++)
		printf("%s%d:%llu", i > 1 ? "," : "", i, c.type[i]);
	printf(" deact_dir=%llu deact_eoicount=%llu deact_lr=%llu",
	       c.deact[VT_DEACT_DIR], c.deact[VT_DEACT_EOICOUNT],
	       c.deact[VT_DEACT_LR]);
	getrusage(RUSAGE_SELF, &ru);
	printf(" lost_cpu=%llu lost_probe=%llu data=%llu efault=%llu faulted_reads=%llu",
	       c.lost_cpu, c.lost_probe, c.records - c.type[VT_REC_LOST],
	       c.efault, c.faulted);
	printf(" vcpu_meta=%u vcpu_pairs=%u vcpu_tids=%u", c.nvcpu,
	       distinct(&c, 0), distinct(&c, 1));
	j = 0;
	for (i = 0; i < (int)c.nvcpu; i++)
		j += c.vcpu[i].tid == c.vcpu[i].vm;
	printf(" vcpu_tid_is_vm=%d proc_ok=%llu proc_bad=%llu proc_gone=%llu cpu_us=%lld vcpus=",
	       j, c.proc_ok, c.proc_bad, c.proc_gone,
	       (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	for (i = 0; i < (int)c.nvcpu && i < 16; i++)
		printf("%s%u:%u:%u", i ? "," : "", c.vcpu[i].vm, c.vcpu[i].vcpu,
		       c.vcpu[i].tid);
	printf("%s burst_us=%llu burst_records=%llu\n", c.nvcpu ? "" : "none",
	       c.burst_ns / 1000, c.burst_records);
	return c.bad ? 1 : 0;
}
