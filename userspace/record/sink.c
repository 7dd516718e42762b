// SPDX-License-Identifier: GPL-2.0
/*
 * sink.c - where every record goes: checked, appended to the trace file
 * and fed to the engine, whose findings are printed as they are made.
 *
 * The file is created only once the source is open (vt_sink_start());
 * every chunk is fdatasync'ed. On the first write error (disk full) the
 * file is ended where its last complete chunk ends (it reads as
 * truncated), the daemon says so once and what was kept, and every later
 * record is counted as not written while the live engine goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "traced.h"
#include "report.h"
#include "vt_metrics.h"
#include "vt_record.h"
#include "vt_safe_file.h"

#define SINK_PENDING_MAX	(1u << 20)	/* records held before the file */
#define SINK_META_MAX		64		/* META records repeated per file */

struct vt_sink {
	struct vt_writer *w;	/* NULL before vt_sink_start() or after an error */
	int fd;
	char *output;
	bool force;
	bool started;
	bool stopped;		/* a write error ended the file */
	int err;		/* that error */
	struct vt_engine *e;
	struct vt_host_facts facts;
	struct vt_sink_stats st;
	bool quiet;
	bool json_lines;
	struct vt_metrics *m;	/* the exposition of --metrics-* */
	unsigned int complaints;
	uint8_t *pending;	/* records before the file exists */
	size_t npending;
	struct vt_rec_meta meta[SINK_META_MAX];	/* for each rotated file */
	unsigned int nmeta;
};

static const char *sev_name(enum vt_severity s)
{
	switch (s) {
	case VT_SEV_INFO:
		return "info";
	case VT_SEV_WARNING:
		return "warning";
	case VT_SEV_ERROR:
		return "error";
	}
	return "?";
}

/**
 * vt_finding_json_line() - one finding as one JSON object and a newline
 * @f:		output (flushed after the line)
 * @fd:		the finding
 *
 * Keys: time_ns (CLOCK_MONOTONIC of the proving record, the trace's
 * clock), time (the same instant in UTC, ISO 8601, through the current
 * offset of the two clocks), severity, rule, vm, intid and vcpu (null
 * when not linked), message, evidence (array of "<ts> <text>").
 */
void vt_finding_json_line(FILE *f, const struct vt_finding *fd)
{
	struct timespec mono, real;
	int64_t off, t;
	time_t sec;
	struct tm tm;
	char iso[40];
	unsigned int i;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	off = ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000ll + (real.tv_nsec - mono.tv_nsec);
	t = (int64_t)fd->ts_ns + off;
	sec = (time_t)(t / 1000000000ll);
	gmtime_r(&sec, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"type\":\"finding\",\"time_ns\":%llu,\"time\":\"%s.%06lldZ\",\"severity\":\"%s\",\"rule\":",
		(unsigned long long)fd->ts_ns, iso, (long long)(t % 1000000000ll / 1000),
		sev_name(fd->severity));
	vt_json_str(f, fd->rule);
	if (fd->vm_id == VT_NO_VM)
		fprintf(f, ",\"vm\":null");
	else
		fprintf(f, ",\"vm\":%u", fd->vm_id);
	if (fd->intid == VT_NO_INTID)
		fprintf(f, ",\"intid\":null");
	else
		fprintf(f, ",\"intid\":%u", fd->intid);
	if (fd->vcpu_id == VT_NO_VCPU)
		fprintf(f, ",\"vcpu\":null");
	else
		fprintf(f, ",\"vcpu\":%u", fd->vcpu_id);
	fprintf(f, ",\"message\":");
	vt_json_str(f, fd->summary);
	fprintf(f, ",\"evidence\":[");
	for (i = 0; i < fd->nr_evidence && i < VT_EVIDENCE_MAX; i++) {
		if (i)
			fputc(',', f);
		vt_json_str(f, fd->evidence[i]);
	}
	fprintf(f, "]}\n");
	fflush(f);
}

static void on_finding(const struct vt_finding *f, void *arg)
{
	struct vt_sink *k = arg;

	k->st.findings++;
	if (k->quiet)
		return;
	if (k->json_lines) {
		vt_finding_json_line(stdout, f);
		return;
	}
	printf("finding: %s [%s] vm %u intid ", f->rule, sev_name(f->severity),
	       f->vm_id);
	if (f->intid == VT_NO_INTID)
		printf("-");
	else
		printf("%u", f->intid);
	printf(" at %llu.%09llu: %s\n", (unsigned long long)(f->ts_ns / 1000000000ull),
	       (unsigned long long)(f->ts_ns % 1000000000ull), f->summary);
	fflush(stdout);
}

/**
 * vt_sink_open() - the live engine; the trace file comes with
 * vt_sink_start(), once the source is open (a failed start leaves no
 * file behind); records put before are held
 * @o:		settings (output, force, quiet)
 * @facts:	host facts for the file header and engine
 * @out:	the sink
 *
 * Return: 0 or -errno (message printed).
 */
int vt_sink_open(const struct vt_opts *o, const struct vt_host_facts *facts,
		 struct vt_sink **out)
{
	struct vt_engine_opts eo = { 0 };
	struct vt_sink *k;
	int err;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->fd = -1;
	k->facts = *facts;
	k->quiet = o->quiet;
	k->json_lines = o->json_lines;
	k->force = o->force;
	k->output = strdup(o->output);
	k->pending = malloc(SINK_PENDING_MAX);
	memset(k->st.hook, 0xff, sizeof(k->st.hook));
	if (!k->output || !k->pending || vt_metrics_new(&k->m)) {
		vt_metrics_free(k->m);
		free(k->output);
		free(k->pending);
		free(k);
		return -ENOMEM;
	}
	eo.facts = &k->facts;
	eo.window_ns = VT_DEF_WINDOW_NS;
	eo.cb = on_finding;
	eo.cb_arg = k;
	err = vt_engine_new(&eo, &k->e);
	if (err) {
		fprintf(stderr, "vgic-traced: engine: %s\n", strerror(-err));
		vt_metrics_free(k->m);
		free(k->output);
		free(k->pending);
		free(k);
		return err;
	}
	vt_metrics_facts(k->m, &k->facts);
	*out = k;
	return 0;
}

/* the first write error: say once what was kept; the engine goes on */
static void write_failed(struct vt_sink *k, int err)
{
	uint64_t kept = k->w ? vt_writer_written(k->w) : 0;

	if (k->stopped)
		return;
	/* the records of the chunk that failed are lost too */
	if (k->w)
		k->st.write_errors += vt_writer_records(k->w) - kept;
	k->stopped = true;
	k->err = err;
	if (k->w)
		vt_writer_close_truncated(k->w);
	k->w = NULL;
	if (k->fd >= 0)
		fsync(k->fd);
	fprintf(stderr, "vgic-traced: %s: write: %s: recording to the file STOPPED; it keeps %llu records (of %llu) and reads as truncated; live detection goes on\n",
		k->output, strerror(-err), (unsigned long long)kept,
		(unsigned long long)k->st.records);
}

static int create_file(struct vt_sink *k, bool rotated)
{
	int fd, err;
	unsigned int i;

	fd = open(k->output, O_WRONLY | O_CREAT | O_CLOEXEC |
		  (k->force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0 && errno == EEXIST && rotated) {
		struct stat st;

		/* logrotate's "create" leaves an empty file for us */
		if (!stat(k->output, &st) && S_ISREG(st.st_mode) && !st.st_size)
			fd = open(k->output, O_WRONLY | O_CLOEXEC);
		else
			errno = EEXIST;
	}
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "vgic-traced: %s: %s%s\n", k->output, strerror(-err),
			err == -EEXIST ? " (use --force)" : "");
		return err;
	}
	err = vt_writer_fdopen(fd, &k->facts, &k->w);
	if (err) {
		fprintf(stderr, "vgic-traced: %s: write: %s\n", k->output, strerror(-err));
		close(fd);
		unlink(k->output);
		return err;
	}
	vt_writer_set_sync(k->w, true);
	k->fd = fd;
	/* a rotated file describes itself: backend, kernel, hook status */
	for (i = 0; rotated && i < k->nmeta && !err; i++)
		err = vt_writer_append(k->w, &k->meta[i].hdr);
	return err;
}

/**
 * vt_sink_start() - create the trace file and write the records held so far
 * @k:		sink
 *
 * Return: 0 or -errno (message printed; nothing is left behind).
 */
int vt_sink_start(struct vt_sink *k)
{
	size_t off;
	int err;

	err = create_file(k, false);
	if (err) {
		if (k->w) {
			vt_writer_close_truncated(k->w);
			k->w = NULL;
			close(k->fd);
			k->fd = -1;
			unlink(k->output);
		}
		return err;
	}
	k->started = true;
	for (off = 0; off < k->npending && !err;) {
		const struct vt_hdr *h = (const void *)(k->pending + off);

		err = vt_writer_append(k->w, h);
		off += h->size;
	}
	k->npending = 0;
	free(k->pending);
	k->pending = NULL;
	if (err)
		write_failed(k, err);
	return 0;
}

/**
 * vt_sink_rotate() - SIGHUP: if the file was renamed or removed (log
 * rotation), end it and start a new one under the name; otherwise flush
 * and sync it
 * @k:		sink
 *
 * Return: 1 after a rotation, 0 after a flush, or -errno.
 */
int vt_sink_rotate(struct vt_sink *k)
{
	struct stat now, ours;
	int err;

	if (!k->w)
		return k->stopped ? k->err : 0;
	if (fstat(k->fd, &ours) || (!stat(k->output, &now) &&
				    now.st_dev == ours.st_dev && now.st_ino == ours.st_ino))
		return vt_sink_flush(k);
	err = vt_writer_close(k->w);
	k->w = NULL;
	if (!err && fsync(k->fd))
		err = -errno;
	close(k->fd);
	k->fd = -1;
	if (err) {
		k->stopped = true;
		k->err = err;
		fprintf(stderr, "vgic-traced: closing the rotated trace: %s\n", strerror(-err));
		return err;
	}
	k->force = false;	/* a file that appeared meanwhile is not ours */
	err = create_file(k, true);
	if (err) {
		k->stopped = true;
		k->err = err;
		fprintf(stderr, "vgic-traced: rotation: recording to a file STOPPED; live detection goes on\n");
		return err;
	}
	k->st.rotations++;
	fprintf(stderr, "vgic-traced: SIGHUP: previous file closed, recording into a new %s\n",
		k->output);
	return 1;
}

static void note_meta(struct vt_sink *k, const struct vt_rec_meta *m)
{
	if (m->key != VT_META_HOOK || !m->id || m->id > VT_HOOK_MAX)
		return;
	k->st.hook[m->id] = (uint8_t)m->val;
	memcpy(k->st.hook_sym[m->id], m->str, sizeof(k->st.hook_sym[0]));
	k->st.hook_sym[m->id][sizeof(k->st.hook_sym[0]) - 1] = 0;
}

/**
 * vt_sink_put() - take one record
 * @k:		sink
 * @rec:	record
 * @avail:	bytes readable at @rec
 *
 * An invalid record is counted and reported (first ones printed), never
 * dropped silently.
 *
 * Return: 0, -EINVAL for an invalid record, or the writer's -errno.
 */
int vt_sink_put(struct vt_sink *k, const struct vt_hdr *rec, size_t avail)
{
	char msg[160];
	int err = 0;

	if (vt_record_check(rec, avail, msg, sizeof(msg))) {
		k->st.invalid++;
		if (k->complaints < 10)
			fprintf(stderr, "vgic-traced: invalid record rejected: %s%s\n", msg,
				++k->complaints == 10 ?
				" (more are counted in the summary, not printed)" : "");
		return -EINVAL;
	}
	k->st.records++;
	k->st.by_type[rec->type]++;
	vt_metrics_feed(k->m, rec);
	if (rec->type == VT_REC_LOST) {
		k->st.lost += ((const struct vt_rec_lost *)rec)->lost;
	} else if (rec->type == VT_REC_META) {
		note_meta(k, (const struct vt_rec_meta *)rec);
		if (k->nmeta < SINK_META_MAX && rec->size == sizeof(k->meta[0]))
			memcpy(&k->meta[k->nmeta++], rec, sizeof(k->meta[0]));
	}
	if (!k->started && !k->stopped) {
		if (k->npending + rec->size <= SINK_PENDING_MAX) {
			memcpy(k->pending + k->npending, rec, rec->size);
			k->npending += rec->size;
		} else {
			k->st.write_errors++;
			err = -ENOBUFS;
		}
	} else if (k->w) {
		err = vt_writer_append(k->w, rec);
		if (err)
			write_failed(k, err);	/* counts this record too */
	} else {
		k->st.write_errors++;	/* the file stopped: counted, not written */
		err = k->err;
	}
	/* live detection does not depend on the disk */
	vt_engine_feed(k->e, rec);
	return err;
}

/**
 * vt_sink_put_meta() - emit a metadata record made by the daemon itself
 * @k:		sink
 * @key:	VT_META_*
 * @id:		hook id for VT_META_HOOK
 * @val:	value
 * @str:	text (may be NULL)
 *
 * Return: as vt_sink_put().
 */
int vt_sink_put_meta(struct vt_sink *k, uint16_t key, uint16_t id,
		     uint64_t val, const char *str)
{
	struct vt_rec_meta m;
	struct timespec ts;

	memset(&m, 0, sizeof(m));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	m.hdr.type = VT_REC_META;
	m.hdr.size = sizeof(m);
	m.hdr.cpu = 0;
	m.hdr.ts_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	m.hdr.vm_id = VT_NO_VM;
	m.hdr.vcpu_id = VT_NO_VCPU;
	m.key = key;
	m.id = id;
	m.val = val;
	if (str)
		snprintf(m.str, sizeof(m.str), "%s", str);
	return vt_sink_put(k, &m.hdr, sizeof(m));
}

/**
 * vt_sink_flush() - make the records so far durable in the file
 * @k:		sink
 *
 * Return: 0 or -errno.
 */
int vt_sink_flush(struct vt_sink *k)
{
	int err;

	if (!k->w)
		return k->stopped ? k->err : 0;
	err = vt_writer_flush(k->w);
	if (err)
		write_failed(k, err);
	return err;
}

/**
 * vt_sink_finish() - end of input: run the end-of-trace checks, write
 * the optional report, close the trace file
 * @k:		sink
 * @report:	text report path or NULL
 * @t:		if not NULL: the time of each part (eng_ns, report_ns,
 *		wclose_ns, fsync_ns)
 *
 * Return: 0 or the first -errno.
 */
int vt_sink_finish(struct vt_sink *k, const char *report,
		   struct vt_stop_times *t)
{
	struct vt_stop_times none;
	char msg[200];
	struct vt_out out;
	int err, ret = 0;
	uint64_t t0;
	FILE *f;

	if (!t)
		t = &none;
	t0 = vt_mono_ns();
	err = vt_engine_finish(k->e);
	t->eng_ns = vt_mono_ns() - t0;
	if (err) {
		fprintf(stderr, "vgic-traced: engine: %s\n", strerror(-err));
		ret = err;
	}
	t0 = vt_mono_ns();
	if (report) {
		/* checked before the start too; --force allows replacing it */
		err = vt_out_open(&out, report, k->force, NULL, msg, sizeof(msg));
		if (!err) {
			f = vt_out_file(&out);
			err = f ? vt_engine_report_text(k->e, f) : -ENOMEM;
			err = vt_out_commit(&out) ?: err;
			if (err)
				snprintf(msg, sizeof(msg), "write: %s", strerror(-err));
		}
		if (err) {
			fprintf(stderr, "vgic-traced: report %s: %s\n", report, msg);
			ret = ret ? ret : err;
		}
	}
	t->report_ns = vt_mono_ns() - t0;
	t->wclose_ns = t->fsync_ns = 0;
	if (k->w) {
		t0 = vt_mono_ns();
		/* one fsync below for the last chunk and the end marker */
		vt_writer_set_sync(k->w, false);
		err = vt_writer_close(k->w);
		k->w = NULL;
		t->wclose_ns = vt_mono_ns() - t0;
		if (!err && fsync(k->fd))
			err = -errno;
		t->fsync_ns = vt_mono_ns() - t0 - t->wclose_ns;
		if (err) {
			fprintf(stderr, "vgic-traced: closing trace %s: %s\n", k->output,
				strerror(-err));
			ret = ret ? ret : err;
		}
	} else if (k->stopped) {
		ret = ret ? ret : k->err;
	}
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	return ret;
}

/**
 * vt_sink_stats() - counts so far (valid until vt_sink_free())
 * @k:		sink
 *
 * Return: the statistics.
 */
const struct vt_sink_stats *vt_sink_stats(const struct vt_sink *k)
{
	return &k->st;
}

/**
 * vt_sink_engine() - the live engine (for reports)
 * @k:		sink
 *
 * Return: the engine.
 */
struct vt_engine *vt_sink_engine(struct vt_sink *k)
{
	return k->e;
}

/**
 * vt_sink_metrics() - the metrics of everything put so far
 * @k:		sink
 *
 * Return: the accumulator (valid until vt_sink_free()).
 */
struct vt_metrics *vt_sink_metrics(struct vt_sink *k)
{
	return k->m;
}

/**
 * vt_sink_free() - free the sink (closes the file if still open)
 * @k:		sink (may be NULL)
 */
void vt_sink_free(struct vt_sink *k)
{
	if (!k)
		return;
	if (k->w)
		vt_writer_close(k->w);
	if (k->fd >= 0)
		close(k->fd);
	vt_engine_free(k->e);
	vt_metrics_free(k->m);
	free(k->pending);
	free(k->output);
	free(k);
}
