// SPDX-License-Identifier: GPL-2.0
/*
 * source_module.c - records from the vgic_trace module's device.
 * read() returns whole records only, concatenated; poll() says when
 * there is data; a second opener gets -EBUSY. A record split across
 * reads (a pipe or file given as --device) is carried over to the next
 * read; a torn record at the end and a bad header are reported. One
 * poll reads a bounded batch (MOD_BATCH_*): the drain loop stays fair at
 * any record rate. The end of a pipe or file ends the recording.
 *
 * The stop (mod_finish): VT_IOC_STOP stops the module's producers, so
 * the final drain empties buffers that no longer refill; it is bounded
 * (MOD_FINISH_*) all the same, and VT_IOC_DISCARD then makes whatever is
 * still queued loss, reported as VT_REC_LOST per CPU before the end
 * marker: every record the module wrote is in the file or counted lost.
 * A pipe, a file or a module without the ioctls gets the bounded drain.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "traced.h"

#define MOD_BUF_SIZE	(256u << 10)
#define MOD_BATCH_READS	64		/* per poll: at most 2 MiB ... */
#define MOD_BATCH_NS	10000000ull	/* ... or 10 ms of splitting */
/*
 * ... in 32 KiB reads: each read's records go through the live engine
 * before the clock is looked at again, so the read is the granularity
 * of the bound (a 256 KiB read took ~55 ms in the emulated arm64 host,
 * and the loop saw a SIGTERM only that late)
 */
#define MOD_BATCH_READ	(32u << 10)
#define MOD_FINISH_READS 256		/* at the end: at most 4 MiB ... */
					/* ... or --stop-drain-ms */
#define MOD_FINISH_READ	(16u << 10)	/* finer steps against the budget */
#define MOD_LOSS_READS	4		/* the loss reports after DISCARD */
#define MOD_LOSS_NS	10000000ull

struct mod_src {
	int fd;
	bool eof;		/* a pipe or file as --device ended */
	bool empty;		/* the last read found nothing (EAGAIN) */
	uint64_t batches_cut;	/* polls that stopped at the bound */
	uint64_t finish_ns;	/* --stop-drain-ms */
	uint64_t bad;
	size_t have;	/* bytes of an incomplete record at buf[0] */
	char *buf;
};

/*
 * Hand every whole record of buf[0..@len) to the sink; keep an
 * incomplete last record at buf[0] for the next read.
 */
static int mod_split(struct vt_source *s, size_t len)
{
	struct mod_src *m = s->priv;
	size_t off = 0;
	int n = 0;

	while (off < len) {
		const struct vt_hdr *h = (const void *)(m->buf + off);

		if (len - off < sizeof(*h) ||
		    (h->size >= sizeof(*h) && h->size <= VT_REC_MAX_SIZE &&
		     !(h->size % 8) && h->size > len - off))
			break;	/* incomplete: wait for the rest */
		if (h->size < sizeof(*h) || h->size > VT_REC_MAX_SIZE || h->size % 8) {
			m->bad++;
			s->malformed++;
			fprintf(stderr, "vgic-traced: module: malformed record header (size %u) at byte %zu, %zu bytes dropped\n",
				h->size, off, len - off);
			off = len;
			break;
		}
		vt_sink_put(s->sink, h, h->size);
		off += h->size;
		n++;
	}
	m->have = len - off;
	memmove(m->buf, m->buf + off, m->have);
	return n;
}

/*
 * Read and split at most @max_reads buffers or for @max_ns, whichever
 * ends first, so that a producer faster than the engine cannot starve
 * signals, --duration and the periodic flush of the caller's loop.
 * Return: records delivered, or -errno; m->eof is set at the end of a
 * pipe or file given as --device.
 */
static int mod_read_some(struct vt_source *s, unsigned int max_reads,
			 uint64_t max_ns, size_t step)
{
	struct mod_src *m = s->priv;
	uint64_t t0 = vt_mono_ns();
	unsigned int i;
	int total = 0;
	ssize_t r;

	m->empty = false;
	for (i = 0; i < max_reads; i++) {
		r = read(m->fd, m->buf + m->have,
			 MOD_BUF_SIZE - m->have < step ? MOD_BUF_SIZE - m->have : step);
		if (r < 0) {
			if (errno == EINTR)
				return total;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				m->empty = true;
				return total;
			}
			return -errno;
		}
		if (r == 0) {
			m->eof = true;
			return total;
		}
		total += mod_split(s, m->have + r);
		if (vt_mono_ns() - t0 >= max_ns)
			break;
	}
	m->batches_cut++;
	return total;
}

static int mod_poll(struct vt_source *s, int timeout_ms)
{
	struct mod_src *m = s->priv;
	struct pollfd p = { .fd = m->fd, .events = POLLIN };
	int r;

	if (m->eof)
		return -ENODATA;
	r = poll(&p, 1, timeout_ms);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	if (p.revents & (POLLERR | POLLNVAL))
		return -EIO;
	return mod_read_some(s, MOD_BATCH_READS, MOD_BATCH_NS, MOD_BATCH_READ);
}

/*
 * The stop: producers stopped (VT_IOC_STOP), the rest drained within
 * MOD_FINISH_READS and --stop-drain-ms from the stop request, what is left counted lost (VT_IOC_DISCARD) and its loss
 * reports read. Without the ioctls: the bounded drain alone.
 */
static int mod_finish(struct vt_source *s)
{
	struct vt_stop_times *t = &s->stop;
	struct mod_src *m = s->priv;
	uint64_t t0, lost0, budget;
	bool stopped;
	int r = 0, n;

	if (!m->eof) {
		t0 = vt_mono_ns();
		stopped = !ioctl(m->fd, VT_IOC_STOP);
		t->src_how = stopped ? "stopped" : "no-ioctl";
		t->src_stop_ns = vt_mono_ns() - t0;
		t0 += t->src_stop_ns;
		/*
		 * Bounded all the same: a stopped module's buffers are
		 * finite. The budget counts from the stop request (the
		 * signal's handler or the --duration deadline), so the time
		 * the loop took to see it comes out of the drain, not on
		 * top of it; spent already: one read.
		 */
		budget = m->finish_ns;
		if (t->asked_ns && t->asked_ns <= t0)
			budget = t0 - t->asked_ns < budget ? budget - (t0 - t->asked_ns) : 0;
		n = mod_read_some(s, MOD_FINISH_READS, budget, MOD_FINISH_READ);
		r = n < 0 ? n : 0;
		t->src_records = n > 0 ? n : 0;
		t->src_cut = !m->empty && !m->eof && n >= 0;
		t->src_drain_ns = vt_mono_ns() - t0;
		if (stopped && !r) {
			t0 += t->src_drain_ns;
			lost0 = vt_sink_stats(s->sink)->lost;
			if (ioctl(m->fd, VT_IOC_DISCARD)) {
				r = -errno;
				fprintf(stderr, "vgic-traced: module: VT_IOC_DISCARD: %s\n",
					strerror(errno));
			} else {
				/* nothing but loss reports from here on */
				n = mod_read_some(s, MOD_LOSS_READS, MOD_LOSS_NS, MOD_BUF_SIZE);
				r = n < 0 ? n : 0;
			}
			t->src_queued_lost = vt_sink_stats(s->sink)->lost - lost0;
			t->src_discard_ns = vt_mono_ns() - t0;
		}
	}
	if (m->have) {
		m->bad++;
		s->malformed++;
		fprintf(stderr, "vgic-traced: module: stream ends inside a record, %zu bytes dropped\n",
			m->have);
		m->have = 0;
	}
	return r;
}

static void mod_close(struct vt_source *s)
{
	struct mod_src *m = s->priv;

	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);
	free(m->buf);
	free(m);
	s->priv = NULL;
}

/**
 * vt_source_module_open() - open the module device
 * @o:		settings (device path)
 * @sink:	where records go
 * @s:		the source to fill
 *
 * Return: 0, -ENOENT if the device does not exist, -EBUSY if another
 * reader has it, other -errno.
 */
int vt_source_module_open(const struct vt_opts *o, struct vt_sink *sink,
			  struct vt_source *s)
{
	struct mod_src *m;
	int fd;

	fd = open(o->device, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	m = calloc(1, sizeof(*m));
	if (m)
		m->buf = malloc(MOD_BUF_SIZE);
	if (!m || !m->buf) {
		free(m);
		close(fd);
		return -ENOMEM;
	}
	m->fd = fd;
	m->finish_ns = (uint64_t)o->stop_drain_ms * 1000000ull;
	memset(s, 0, sizeof(*s));
	s->name = "module";
	s->backend = VT_BACKEND_MODULE;
	s->poll = mod_poll;
	s->finish = mod_finish;
	s->close = mod_close;
	s->sink = sink;
	s->priv = m;
	return 0;
}
