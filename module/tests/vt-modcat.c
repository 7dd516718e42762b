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
 *             deact_lr=N   (deact_*: VT_REC_DEACTIVATE by how, 6.19+;
 *             lr_v2/lr_v3: LR records per
 *             encoding; eoicount: sum of the hardware EOIcount of fold
 *             records that carry a valid ICH_HCR_EL2)
 * Exit status: 0, 1 if a read broke the contract, 2 on a usage or I/O
 * error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
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

struct counts {
	unsigned long long records, bytes, reads, lost, bad, lr_v2, lr_v3;
	unsigned long long eoicount;	/* sum of valid ICH_HCR_EL2.EOIcount */
	unsigned long long type[VT_REC_MAX + 1];
	unsigned long long deact[VT_DEACT_LR + 1];	/* DEACTIVATE by how */
};

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
	fprintf(f, "Usage: vt-modcat [-d DEVICE] [-w SECONDS] -o FILE\n"
		"Copy the vgic_trace record stream to FILE until SIGINT/SIGTERM,\n"
		"checking that every read() returns whole records. -w: hold the\n"
		"device open SECONDS before the first read (loss test).\n");
}

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 16];
	const char *dev = "/dev/vgic_trace", *out = NULL;
	unsigned long wait_s = 0;
	char *end;
	struct counts c = { 0 };
	struct sigaction sa;
	struct pollfd pfd;
	int fd, ofd, opt, i, draining = 0;
	ssize_t n;

	while ((opt = getopt(argc, argv, "d:o:w:h")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
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
		n = read(fd, buf, sizeof(buf));
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
	printf(" deact_dir=%llu deact_eoicount=%llu deact_lr=%llu\n",
	       c.deact[VT_DEACT_DIR], c.deact[VT_DEACT_EOICOUNT],
	       c.deact[VT_DEACT_LR]);
	return c.bad ? 1 : 0;
}
