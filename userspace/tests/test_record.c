// SPDX-License-Identifier: GPL-2.0
/*
 * test_record.c - vgic-traced without root or a kernel: the module
 * source on a file, pipe or FIFO of records stands in for the device, a
 * fake opens the BPF backend.
 *
 * Splitter (records across reads, malformed and torn input), bounded
 * batches per poll, the sink (records held until the file exists, disk
 * full: the file stops truncated and live detection goes on, SIGHUP
 * rotation), source selection (auto/module/bpf), and the whole daemon
 * in a child process: a failed start leaves no file, --report and the
 * output need --force, SIGHUP/SIGTERM/SIGPIPE, --duration with an
 * endless producer, a write error exits 1, 250ms/4M options; the stop
 * against a fake module (ioctl() interposed on the FIFO): producers
 * stopped, bounded drain, the records still queued in the file as loss.
 * Service side: /metrics scraped with curl (counts, a client that sends
 * nothing does not stop recording, 404/405, OpenMetrics), bind errors,
 * --metrics-file, --json-lines parsed by python3, sd_notify messages
 * (READY=1 only once the file exists, STATUS=, WATCHDOG=1, STOPPING=1).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "helpers.h"
#include "traced.h"
#include "vt_record.h"

static char dir[256];
static char errtext[16384];

static const char *P(const char *name)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static int setup(void **state)
{
	char cmd[600];

	(void)state;
	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
	snprintf(dir, sizeof(dir), "/tmp/vt-test-record.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void inject(struct vt_rec_inject *r, uint64_t i)
{
	memset(r, 0, sizeof(*r));
	r->hdr.type = VT_REC_INJECT;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_ns = 1000 + i * 10;
	r->hdr.vm_id = 1;
	r->intid = 32 + (uint32_t)(i % 4);
	r->level = 1;
}

/* @n inject records into @fd */
static void put_records(int fd, uint64_t first, uint64_t n)
{
	struct vt_rec_inject r[256];
	uint64_t i, k;
	ssize_t w;

	for (i = 0; i < n; i += k) {
		for (k = 0; k < 256 && i + k < n; k++)
			inject(&r[k], first + i + k);
		w = write(fd, r, k * sizeof(r[0]));
		assert_int_equal(w, (ssize_t)(k * sizeof(r[0])));
	}
}

static void raw_file(const char *path, uint64_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	put_records(fd, 0, n);
	close(fd);
}

/* records by type in a trace file; returns the reader's end state */
static enum vt_read_end count_file(const char *path, uint64_t *injects,
				   uint64_t *metas)
{
	const struct vt_hdr *rec;
	struct vt_reader *r;
	enum vt_read_end end;
	char err[200];
	int ret;

	*injects = *metas = 0;
	if (vt_reader_open(path, &r, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	while ((ret = vt_reader_next(r, &rec)) > 0) {
		if (rec->type == VT_REC_INJECT)
			(*injects)++;
		else if (rec->type == VT_REC_META)
			(*metas)++;
	}
	assert_int_equal(ret, 0);
	end = vt_reader_status(r)->end;
	vt_reader_close(r);
	return end;
}

static void opts(struct vt_opts *o, const char *device, const char *out)
{
	char *argv[] = { "vgic-traced", NULL };

	assert_int_equal(vt_opts_parse(1, argv, o), 0);
	o->device = device;
	o->output = out;
	o->quiet = true;
	o->backend = VT_CHOOSE_MODULE;
}

static struct vt_sink *sink(const struct vt_opts *o)
{
	struct vt_host_facts facts;
	struct vt_sink *k;

	memset(&facts, 0, sizeof(facts));
	assert_int_equal(vt_sink_open(o, &facts, &k), 0);
	return k;
}

/* drain a source to its end */
static uint64_t drain(struct vt_source *s)
{
	uint64_t total = 0;
	int n;

	while ((n = s->poll(s, 100)) != -ENODATA) {
		assert_true(n >= 0);
		total += (uint64_t)n;
	}
	assert_int_equal(s->finish(s), 0);
	return total;
}

/* a file bigger than the read buffer: records cut across reads rejoin */
static void test_splitter_file(void **state)
{
	struct vt_source s;
	struct vt_sink *k;
	struct vt_opts o;
	uint64_t inj, meta;

	(void)state;
	raw_file(P("in.raw"), 100003);	/* 4 MB, 40-byte records: cut at 256 KiB */
	opts(&o, P("in.raw"), P("out.vtr"));
	k = sink(&o);
	assert_int_equal(vt_source_module_open(&o, k, &s), 0);
	assert_int_equal(vt_sink_start(k), 0);
	assert_int_equal(drain(&s), 100003);
	assert_int_equal(s.malformed, 0);
	s.close(&s);
	assert_int_equal(vt_sink_stats(k)->records, 100003);
	assert_int_equal(vt_sink_stats(k)->invalid, 0);
	assert_int_equal(vt_sink_finish(k, NULL, NULL), 0);
	vt_sink_free(k);
	assert_int_equal(count_file(P("out.vtr"), &inj, &meta), VT_END_COMPLETE);
	assert_int_equal(inj, 100003);
}

struct dribble {
	int fd;
	uint64_t n;
	size_t piece;
	bool torn;
};

/* write @n records through a pipe in @piece-byte pieces, then maybe half a record */
static void *dribbler(void *arg)
{
	struct dribble *d = arg;
	struct vt_rec_inject r;
	uint64_t i;
	size_t off, len;

	for (i = 0; i < d->n; i++) {
		inject(&r, i);
		for (off = 0; off < sizeof(r); off += len) {
			len = sizeof(r) - off < d->piece ? sizeof(r) - off : d->piece;
			if (write(d->fd, (char *)&r + off, len) != (ssize_t)len)
				return NULL;
		}
	}
	if (d->torn) {
		inject(&r, i);
		if (write(d->fd, &r, 12) != 12)
			return NULL;
	}
	close(d->fd);
	return NULL;
}

static void test_splitter_pipe_pieces(void **state)
{
	struct dribble d = { .n = 3000, .piece = 7, .torn = true };
	struct vt_source s;
	struct vt_sink *k;
	struct vt_opts o;
	pthread_t t;
	char path[64];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	opts(&o, path, P("out.vtr"));
	k = sink(&o);
	assert_int_equal(vt_source_module_open(&o, k, &s), 0);
	close(p[0]);
	assert_int_equal(vt_sink_start(k), 0);
	d.fd = p[1];
	assert_int_equal(pthread_create(&t, NULL, dribbler, &d), 0);
	assert_int_equal(drain(&s), 3000);	/* the torn tail is dropped, said */
	assert_int_equal(s.malformed, 1);
	pthread_join(t, NULL);
	s.close(&s);
	assert_int_equal(vt_sink_stats(k)->records, 3000);
	vt_sink_finish(k, NULL, NULL);
	vt_sink_free(k);
}

static void test_splitter_malformed(void **state)
{
	struct vt_rec_inject r;
	struct vt_source s;
	struct vt_sink *k;
	struct vt_opts o;
	int fd;

	(void)state;
	fd = open(P("in.raw"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	put_records(fd, 0, 10);
	inject(&r, 10);
	r.hdr.size = 12;	/* not a multiple of 8: malformed, the rest dropped */
	assert_int_equal(write(fd, &r, sizeof(r)), sizeof(r));
	put_records(fd, 11, 5);
	close(fd);
	opts(&o, P("in.raw"), P("out.vtr"));
	k = sink(&o);
	assert_int_equal(vt_source_module_open(&o, k, &s), 0);
	assert_int_equal(vt_sink_start(k), 0);
	assert_int_equal(drain(&s), 10);
	assert_int_equal(s.malformed, 1);
	s.close(&s);
	vt_sink_finish(k, NULL, NULL);
	vt_sink_free(k);
}

/* one poll takes a bounded batch, not everything that is readable */
static void test_poll_is_bounded(void **state)
{
	uint64_t n = 8u << 20, recs = n / sizeof(struct vt_rec_inject), total = 0;
	struct vt_source s;
	struct vt_sink *k;
	struct vt_opts o;
	int got, polls = 0;

	(void)state;
	raw_file(P("in.raw"), recs);
	opts(&o, P("in.raw"), P("out.vtr"));
	k = sink(&o);
	assert_int_equal(vt_source_module_open(&o, k, &s), 0);
	assert_int_equal(vt_sink_start(k), 0);
	while ((got = s.poll(&s, 100)) != -ENODATA) {
		assert_true(got >= 0);
		/*
		 * at most 2 MiB read per poll (64 reads of 32 KiB), with
		 * the piece of a record the poll before kept
		 */
		assert_true((uint64_t)got <= ((2u << 20) + sizeof(struct vt_rec_inject) - 1) /
			    sizeof(struct vt_rec_inject));
		total += (uint64_t)got;
		polls++;
	}
	assert_true(polls >= 4);
	assert_int_equal(total, recs);
	s.close(&s);
	vt_sink_finish(k, NULL, NULL);
	vt_sink_free(k);
}

/* records before the file are held; a start that fails leaves nothing */
static void test_sink_start(void **state)
{
	struct vt_sink *k;
	struct vt_opts o;
	uint64_t inj, meta;

	(void)state;
	opts(&o, "/nonexistent", P("out.vtr"));
	k = sink(&o);
	assert_int_equal(vt_sink_put_meta(k, VT_META_BACKEND, 0, VT_BACKEND_BPF, "test"), 0);
	assert_int_equal(access(P("out.vtr"), F_OK), -1);	/* not yet */
	assert_int_equal(vt_sink_start(k), 0);
	assert_int_equal(vt_sink_finish(k, NULL, NULL), 0);
	vt_sink_free(k);
	assert_int_equal(count_file(P("out.vtr"), &inj, &meta), VT_END_COMPLETE);
	assert_int_equal(meta, 1);
	/* exists, no --force: start fails, the old file is untouched */
	k = sink(&o);
	assert_int_equal(vt_sink_start(k), -EEXIST);
	vt_sink_free(k);
	assert_int_equal(count_file(P("out.vtr"), &inj, &meta), VT_END_COMPLETE);
	assert_int_equal(meta, 1);
}

/* disk full: the file stops where its chunks are whole, the engine goes on */
static void test_sink_write_error(void **state)
{
	struct vt_rec_inject r;
	struct rlimit rl, old;
	struct vt_sink *k;
	struct vt_opts o;
	uint64_t i, inj, meta;
	char *rep;

	(void)state;
	opts(&o, "/nonexistent", P("out.vtr"));
	k = sink(&o);
	assert_int_equal(vt_sink_start(k), 0);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	rl = old;
	rl.rlim_cur = 200000;
	setrlimit(RLIMIT_FSIZE, &rl);
	/* 100000 records: over 200000 bytes in format 2 (about 3 B each) */
	for (i = 0; i < 100000; i++) {
		inject(&r, i);
		vt_sink_put(k, &r.hdr, sizeof(r));
	}
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(vt_sink_finish(k, NULL, NULL), -EFBIG);
	assert_int_equal(vt_sink_stats(k)->records, 100000);
	assert_int_equal(count_file(P("out.vtr"), &inj, &meta), VT_END_TRUNCATED);
	assert_true(inj > 0 && inj < 100000);
	/* every record not in the file is counted */
	assert_int_equal(vt_sink_stats(k)->write_errors, 100000 - inj);
	/* the live engine saw all of them */
	rep = render(vt_sink_engine(k), vt_engine_report_text, NULL);
	assert_non_null(strstr(rep, "records: 100000 processed"));
	free(rep);
	vt_sink_free(k);
}

/* SIGHUP after a rename: the old file is complete, a new one starts */
static void test_sink_rotate(void **state)
{
	char *text;
	struct vt_rec_inject r;
	struct vt_sink *k;
	struct vt_opts o;
	uint64_t i, inj, meta;

	(void)state;
	opts(&o, "/nonexistent", P("out.vtr"));
	k = sink(&o);
	vt_sink_put_meta(k, VT_META_BACKEND, 0, VT_BACKEND_MODULE, "test");
	assert_int_equal(vt_sink_start(k), 0);
	for (i = 0; i < 100; i++) {
		inject(&r, i);
		assert_int_equal(vt_sink_put(k, &r.hdr, sizeof(r)), 0);
	}
	assert_int_equal(vt_sink_rotate(k), 0);		/* not renamed: a sync */
	assert_int_equal(rename(P("out.vtr"), P("out.vtr.1")), 0);
	assert_int_equal(vt_sink_rotate(k), 1);
	for (; i < 150; i++) {
		inject(&r, i);
		assert_int_equal(vt_sink_put(k, &r.hdr, sizeof(r)), 0);
	}
	assert_int_equal(vt_sink_finish(k, NULL, NULL), 0);
	vt_sink_free(k);
	assert_int_equal(count_file(P("out.vtr.1"), &inj, &meta), VT_END_COMPLETE);
	assert_int_equal(inj, 100);
	assert_int_equal(count_file(P("out.vtr"), &inj, &meta), VT_END_COMPLETE);
	assert_int_equal(inj, 50);
	assert_int_equal(meta, 1);	/* the new file says what recorded it */
	/* logrotate "create": an empty file is waiting at the name */
	opts(&o, "/nonexistent", P("r.vtr"));
	k = sink(&o);
	assert_int_equal(vt_sink_start(k), 0);
	inject(&r, 0);
	assert_int_equal(vt_sink_put(k, &r.hdr, sizeof(r)), 0);
	assert_int_equal(rename(P("r.vtr"), P("r.vtr.1")), 0);
	write_all_file(P("r.vtr"), "", 0);
	assert_int_equal(vt_sink_rotate(k), 1);
	assert_int_equal(vt_sink_put(k, &r.hdr, sizeof(r)), 0);
	assert_int_equal(vt_sink_finish(k, NULL, NULL), 0);
	vt_sink_free(k);
	assert_int_equal(count_file(P("r.vtr"), &inj, &meta), VT_END_COMPLETE);
	assert_int_equal(inj, 1);
	/* but a file with data in it is not ours: recording to a file stops */
	k = sink(&o);
	unlink(P("r.vtr"));
	assert_int_equal(vt_sink_start(k), 0);
	assert_int_equal(rename(P("r.vtr"), P("r.vtr.2")), 0);
	write_all_file(P("r.vtr"), "data", 4);
	assert_int_equal(vt_sink_rotate(k), -EEXIST);
	assert_int_equal(vt_sink_finish(k, NULL, NULL), -EEXIST);
	vt_sink_free(k);
	text = read_all(P("r.vtr"), NULL);
	assert_string_equal(text, "data");
	free(text);
}

static int fake_calls, fake_ret;

static void fake_close(struct vt_source *s)
{
	(void)s;
}

static int fake_poll(struct vt_source *s, int timeout_ms)
{
	(void)s;
	(void)timeout_ms;
	return -ENODATA;
}

static int fake_finish(struct vt_source *s)
{
	(void)s;
	return 0;
}

static int fake_bpf_open(const struct vt_opts *o, struct vt_sink *k,
			 struct vt_source *s)
{
	(void)o;
	fake_calls++;
	if (fake_ret)
		return fake_ret;
	memset(s, 0, sizeof(*s));
	s->name = "fake-bpf";
	s->backend = VT_BACKEND_BPF;
	s->poll = fake_poll;
	s->finish = fake_finish;
	s->close = fake_close;
	s->sink = k;
	return 0;
}

static void test_select(void **state)
{
	struct vt_source s;
	struct vt_sink *k;
	struct vt_opts o;

	(void)state;
	raw_file(P("dev"), 1);
	opts(&o, P("dev"), P("out.vtr"));
	k = sink(&o);
	/* auto, the device exists: module, BPF not tried */
	o.backend = VT_CHOOSE_AUTO;
	fake_calls = fake_ret = 0;
	assert_int_equal(vt_source_select(&o, k, &s, fake_bpf_open), 0);
	assert_string_equal(s.name, "module");
	assert_int_equal(fake_calls, 0);
	s.close(&s);
	/* auto, no device: BPF */
	o.device = P("missing");
	assert_int_equal(vt_source_select(&o, k, &s, fake_bpf_open), 0);
	assert_string_equal(s.name, "fake-bpf");
	assert_int_equal(fake_calls, 1);
	/* auto, a device path that fails otherwise: an error, no fallback */
	o.device = "/etc/passwd/x";
	assert_int_equal(vt_source_select(&o, k, &s, fake_bpf_open), -ENOTDIR);
	assert_int_equal(fake_calls, 1);
	/* module asked for, no device: an error */
	o.backend = VT_CHOOSE_MODULE;
	o.device = P("missing");
	assert_int_equal(vt_source_select(&o, k, &s, fake_bpf_open), -ENOENT);
	assert_int_equal(fake_calls, 1);
	/* bpf asked for: BPF even with a device; its error is returned */
	o.backend = VT_CHOOSE_BPF;
	o.device = P("dev");
	fake_ret = -EPERM;
	assert_int_equal(vt_source_select(&o, k, &s, fake_bpf_open), -EPERM);
	assert_int_equal(fake_calls, 2);
	vt_sink_free(k);
}

static void test_options(void **state)
{
	struct vt_opts o;
	char *a1[] = { "t", "-d", "250ms", "--rb-size", "4M", "--wakeup-bytes", "64K", NULL };
	char *a2[] = { "t", "-d", "010", "--drain-ms", "010", NULL };
	char *a3[] = { "t", "-d", "1m", "--rb-size", "3M", NULL };
	char *a4[] = { "t", "--drain-ms", "08x", NULL };
	char *a5[] = { "t", "-d", "0", NULL };
	char *a6[] = { "t", "--vm", "0x10", NULL };
	char *a7[] = { "t", "--stop-drain-ms", "0", NULL };
	char *a8[] = { "t", "--stop-drain-ms", "10001", NULL };

	(void)state;
	assert_int_equal(vt_opts_parse(7, a1, &o), 0);
	assert_true(o.duration_ns == 250000000ull);
	assert_int_equal(o.rb_bytes, 4u << 20);
	assert_int_equal(o.wakeup_bytes, 65536);
	assert_int_equal(vt_opts_parse(5, a2, &o), 0);
	assert_true(o.duration_ns == 10000000000ull);	/* decimal seconds */
	assert_int_equal(o.drain_ms, 10);
	assert_int_equal(vt_opts_parse(5, a3, &o), -EINVAL);	/* not a power of two */
	assert_int_equal(vt_opts_parse(3, a4, &o), -EINVAL);
	assert_int_equal(vt_opts_parse(3, a5, &o), -EINVAL);
	assert_int_equal(vt_opts_parse(3, a6, &o), 0);
	assert_int_equal(o.vm_filter, 16);
	assert_int_equal(o.stop_drain_ms, 40);		/* the default */
	assert_int_equal(vt_opts_parse(3, a7, &o), 0);
	assert_int_equal(o.stop_drain_ms, 0);		/* one read */
	assert_int_equal(vt_opts_parse(3, a8, &o), -EINVAL);
}

/* ---- the whole daemon in a child ------------------------------------- */

struct child {
	pid_t pid;
	int out_fd;	/* its stdout, when piped */
};

static struct child daemon_start(const char *const *args, long fsize, bool pipe_out)
{
	char *argv[40] = { "vgic-traced" };
	struct child c = { .out_fd = -1 };
	int i, p[2] = { -1, -1 };

	for (i = 0; args[i]; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	if (pipe_out)
		assert_int_equal(pipe(p), 0);
	fflush(NULL);
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (!c.pid) {
		int e = open(P("stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_RDWR);

		dup2(e, 2);
		dup2(pipe_out ? p[1] : null, 1);
		dup2(null, 0);
		if (pipe_out)
			close(p[0]);
		if (fsize) {
			struct rlimit rl = { (rlim_t)fsize, (rlim_t)fsize };

			signal(SIGXFSZ, SIG_IGN);
			setrlimit(RLIMIT_FSIZE, &rl);
		}
		_exit(vt_traced_main(i + 1, argv, fake_bpf_open));
	}
	if (pipe_out) {
		close(p[1]);
		c.out_fd = p[0];
	}
	return c;
}

/* exit status, or -signal; fails after @secs */
static int daemon_wait(struct child *c, int secs)
{
	int st, i;

	for (i = 0; i < secs * 100; i++) {
		if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
			int fd = open(P("stderr"), O_RDONLY);
			ssize_t n = fd >= 0 ? read(fd, errtext, sizeof(errtext) - 1) : 0;

			errtext[n > 0 ? n : 0] = 0;
			if (fd >= 0)
				close(fd);
			if (c->out_fd >= 0)
				close(c->out_fd);
			return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
		}
		usleep(10000);
	}
	kill(c->pid, SIGKILL);
	waitpid(c->pid, &st, 0);
	fail_msg("vgic-traced did not stop within %d s", secs);
	return -1;
}

#define DAEMON(...) daemon_start((const char *const[]){ __VA_ARGS__, NULL }, 0, false)

/* a failed start leaves no trace file (source before output) */
static void test_daemon_failed_start(void **state)
{
	struct child c;
	char *text;

	(void)state;
	c = DAEMON("-b", "module", "--device", P("missing"), "-o", P("out.vtr"));
	assert_int_equal(daemon_wait(&c, 20), 1);
	assert_int_equal(access(P("out.vtr"), F_OK), -1);
	fake_ret = -EPERM;
	c = DAEMON("-b", "bpf", "-o", P("out.vtr"));
	assert_int_equal(daemon_wait(&c, 20), 1);
	assert_non_null(strstr(errtext, "BPF backend"));
	assert_int_equal(access(P("out.vtr"), F_OK), -1);
	fake_ret = 0;
	/* an existing report or output needs --force; the files are kept */
	raw_file(P("dev"), 10);
	write_all_file(P("report.txt"), "keep", 4);
	c = DAEMON("-b", "module", "--device", P("dev"), "-o", P("out.vtr"),
		   "--report", P("report.txt"));
	assert_int_equal(daemon_wait(&c, 20), 1);
	assert_non_null(strstr(errtext, "--force"));
	assert_int_equal(access(P("out.vtr"), F_OK), -1);
	text = read_all(P("report.txt"), NULL);
	assert_string_equal(text, "keep");
	free(text);
	c = DAEMON("-b", "module", "--device", P("dev"), "-o", P("out.vtr"),
		   "--report", P("report.txt"), "--force");
	assert_int_equal(daemon_wait(&c, 20), 0);
	text = read_all(P("report.txt"), NULL);
	assert_non_null(strstr(text, "vgic-trace report"));
	free(text);
}

/* a file as the device: everything recorded, exit 0 at its end */
static void test_daemon_file(void **state)
{
	struct child c;
	uint64_t inj, meta;

	(void)state;
	/* 150000 records: over the 300000-byte limit below in format 2 */
	raw_file(P("dev"), 150000);
	c = DAEMON("-b", "module", "--device", P("dev"), "-o", P("out.vtr"), "-q");
	assert_int_equal(daemon_wait(&c, 60), 0);
	assert_int_equal(count_file(P("out.vtr"), &inj, &meta), VT_END_COMPLETE);
	assert_int_equal(inj, 150000);
	/* disk full: exit 1, said once, the file reads truncated */
	unlink(P("out.vtr"));
	c = daemon_start((const char *const[]){ "-b", "module", "--device", P("dev"),
						"-o", P("out.vtr"), "-q", NULL }, 300000, false);
	assert_int_equal(daemon_wait(&c, 60), 1);
	assert_non_null(strstr(errtext, "STOPPED"));
	assert_null(strstr(strstr(errtext, "STOPPED") + 1, "STOPPED"));
	assert_int_equal(count_file(P("out.vtr"), &inj, &meta), VT_END_TRUNCATED);
	assert_true(inj > 0 && inj < 150000);
}

/* wait until the daemon has read everything written into the FIFO */
static void wait_drained(int wfd)
{
	int queued = 1, i;

	for (i = 0; i < 2000 && queued; i++) {
		assert_int_equal(ioctl(wfd, FIONREAD, &queued), 0);
		if (queued)
			usleep(5000);
	}
	assert_int_equal(queued, 0);
}

static void test_daemon_signals(void **state)
{
	struct child c;
	uint64_t inj, meta;
	int wfd;

	(void)state;
	assert_int_equal(mkfifo(P("fifo"), 0600), 0);
	c = daemon_start((const char *const[]){ "-b", "module", "--device", P("fifo"),
						"-o", P("out.vtr"), NULL }, 0, true);
	wfd = open(P("fifo"), O_WRONLY);	/* the daemon has it open */
	assert_true(wfd >= 0);
	put_records(wfd, 0, 1000);
	wait_drained(wfd);
	/* SIGHUP without a rename: sync, recording goes on */
	kill(c.pid, SIGHUP);
	put_records(wfd, 1000, 500);
	wait_drained(wfd);
	assert_int_equal(rename(P("out.vtr"), P("out.vtr.1")), 0);
	kill(c.pid, SIGHUP);
	usleep(100000);
	put_records(wfd, 1500, 700);
	wait_drained(wfd);
	/* the reader of its stdout goes away: SIGPIPE must not kill it */
	close(c.out_fd);
	c.out_fd = -1;
	kill(c.pid, SIGTERM);
	assert_int_equal(daemon_wait(&c, 30), 0);
	close(wfd);
	assert_int_equal(count_file(P("out.vtr.1"), &inj, &meta), VT_END_COMPLETE);
	assert_int_equal(inj, 1500);
	assert_int_equal(count_file(P("out.vtr"), &inj, &meta), VT_END_COMPLETE);
	assert_int_equal(inj, 700);
}

static volatile bool producing;

static void *endless(void *arg)
{
	const char *fifo = arg;
	int fd = open(fifo, O_WRONLY);
	uint64_t i = 0;

	while (fd >= 0 && producing) {
		struct vt_rec_inject r[512];
		unsigned int k;

		for (k = 0; k < 512; k++)
			inject(&r[k], i++);
		if (write(fd, r, sizeof(r)) < 0)
			break;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* --duration with a producer that never pauses: it stops, file complete */
static void test_daemon_duration_under_load(void **state)
{
	pthread_t t;
	struct child c;
	uint64_t inj, meta;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(mkfifo(P("fifo"), 0600), 0);
	producing = true;
	assert_int_equal(pthread_create(&t, NULL, endless, (void *)P("fifo")), 0);
	c = DAEMON("-b", "module", "--device", P("fifo"), "-o", P("out.vtr"), "-q",
		   "-d", "300ms");
	assert_int_equal(daemon_wait(&c, 30), 0);
	producing = false;
	pthread_join(t, NULL);
	assert_int_equal(count_file(P("out.vtr"), &inj, &meta), VT_END_COMPLETE);
	assert_true(inj > 0);
	signal(SIGPIPE, SIG_DFL);
}

/* ---- the stop against a fake module ---------------------------------- */

/*
 * A fake module behind a FIFO, shared by the producer thread (parent)
 * and the daemon (child): VT_IOC_STOP asks the producer to stop, waits
 * for it, then fills the pipe (what the module's buffers hold at the
 * stop); VT_IOC_DISCARD drops what is still in the pipe, counts it and
 * writes one VT_REC_LOST for it, as the module does. Every other
 * ioctl() goes to the kernel.
 */
struct fake_mod {
	volatile int on;
	volatile int stop_req, stopped;
	volatile uint64_t written;	/* records put into the FIFO */
	volatile uint64_t discarded;
	char calls[8];			/* 'S'top, 'D'iscard, in order */
	volatile int ncalls;
	char fifo[512];
};

static struct fake_mod *fm;

static int fake_mod_ioctl(int fd, unsigned long req)
{
	struct vt_rec_inject r;
	struct vt_rec_lost l;
	static char buf[2 << 20];
	int i, wfd, queued = 0, tail, got;
	ssize_t n;

	if (fm->ncalls < (int)sizeof(fm->calls))
		fm->calls[fm->ncalls++] = req == VT_IOC_STOP ? 'S' : 'D';
	wfd = open(fm->fifo, O_WRONLY | O_NONBLOCK);
	if (wfd < 0)
		return -1;
	if (req == VT_IOC_STOP) {
		fm->stop_req = 1;
		for (i = 0; i < 5000 && !fm->stopped; i++)
			usleep(1000);
		/* whole records until the pipe is full */
		for (;;) {
			inject(&r, fm->written);
			if (write(wfd, &r, sizeof(r)) != (ssize_t)sizeof(r))
				break;
			fm->written++;
		}
	} else {
		/*
		 * A FIFO's reads cut records (the module's never do): the
		 * daemon may hold the head of one; its tail is put back.
		 */
		if (syscall(SYS_ioctl, fd, FIONREAD, &queued))
			queued = 0;
		tail = (int)((sizeof(r) - (fm->written * sizeof(r) - (uint64_t)queued) % sizeof(r)) %
			     sizeof(r));
		fm->discarded = (uint64_t)(queued - tail) / sizeof(r);
		for (got = 0; got < queued && (n = read(fd, buf + got, queued - got)) > 0;)
			got += (int)n;
		if (tail && write(wfd, buf, tail) != tail)
			fm->discarded = ~0ull;
		memset(&l, 0, sizeof(l));
		l.hdr.type = VT_REC_LOST;
		l.hdr.size = sizeof(l);
		l.hdr.ts_ns = 1000 + fm->written * 10;
		l.hdr.cpu = 0;
		l.hdr.vcpu_id = VT_NO_VCPU;
		l.lost = l.total = fm->discarded;
		if (write(wfd, &l, sizeof(l)) != (ssize_t)sizeof(l))
			fm->discarded = ~0ull;
	}
	close(wfd);
	return 0;
}

/* the test binary's ioctl(): the fake module's two, else the kernel's */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fm && fm->on && (req == VT_IOC_STOP || req == VT_IOC_DISCARD))
		return fake_mod_ioctl(fd, req);
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

/* the producer: 64 records a write (atomic in a pipe) until the stop */
static void *fake_producer(void *arg)
{
	struct vt_rec_inject r[64];
	int fd, k;

	(void)arg;
	fd = open(fm->fifo, O_WRONLY);		/* waits for the daemon */
	if (fd < 0)
		return NULL;
	fcntl(fd, F_SETPIPE_SZ, 1 << 20);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (!fm->stop_req) {
		for (k = 0; k < 64; k++)
			inject(&r[k], fm->written + (uint64_t)k);
		if (write(fd, r, sizeof(r)) == (ssize_t)sizeof(r))
			fm->written += 64;
		else
			usleep(1000);
	}
	fm->stopped = 1;
	close(fd);
	return NULL;
}

/*
 * SIGTERM while the producer outruns the daemon: the daemon stops the
 * producers, drains once (--stop-drain-ms 0), the rest becomes loss:
 * records in the file + loss in the file = records the module wrote,
 * and the summary says how many were still queued.
 */
static void test_daemon_stop_queued_lost(void **state)
{
	const struct vt_hdr *rec;
	struct vt_reader *rd;
	uint64_t inj = 0, lost = 0;
	char err[200], want[64];
	struct child c;
	pthread_t t;
	int ret;

	(void)state;
	fm = mmap(NULL, sizeof(*fm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(fm != MAP_FAILED);
	memset(fm, 0, sizeof(*fm));
	snprintf(fm->fifo, sizeof(fm->fifo), "%s", P("fifo"));
	assert_int_equal(mkfifo(fm->fifo, 0600), 0);
	fm->on = 1;
	assert_int_equal(pthread_create(&t, NULL, fake_producer, NULL), 0);
	c = DAEMON("-b", "module", "--device", P("fifo"), "-o", P("out.vtr"), "-q",
		   "--json-lines", "--stop-drain-ms", "0");
	usleep(300000);
	kill(c.pid, SIGTERM);
	assert_int_equal(daemon_wait(&c, 30), 0);
	pthread_join(t, NULL);
	fm->on = 0;
	assert_int_equal(fm->ncalls, 2);
	assert_memory_equal(fm->calls, "SD", 2);
	if (vt_reader_open(P("out.vtr"), &rd, err, sizeof(err)))
		fail_msg("%s", err);
	while ((ret = vt_reader_next(rd, &rec)) > 0) {
		if (rec->type == VT_REC_INJECT)
			inj++;
		else if (rec->type == VT_REC_LOST)
			lost += ((const struct vt_rec_lost *)rec)->lost;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(vt_reader_status(rd)->end, VT_END_COMPLETE);
	vt_reader_close(rd);
	/* the pipe was full at the stop and one read cannot empty 1 MiB */
	assert_true(fm->discarded > 0 && fm->discarded != ~0ull);
	assert_int_equal(lost, fm->discarded);
	assert_int_equal(inj + lost, fm->written);
	assert_non_null(strstr(errtext, "summary: stop (signal)"));
	snprintf(want, sizeof(want), "%llu queued lost", (unsigned long long)fm->discarded);
	assert_non_null(strstr(errtext, want));
	assert_non_null(strstr(errtext, "(stopped: stop "));
	print_message("%.*s", (int)strcspn(strstr(errtext, "summary: stop"), "\n") + 1,
		      strstr(errtext, "summary: stop"));
	munmap(fm, sizeof(*fm));
	fm = NULL;
}


/* ---- the live engine's clock on a quiet stream ------------------------ */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * A quiet source: its first poll hands over an irqfd with a resamplefd,
 * one level-1 injection through it and the level IRQ's state, stamped 1.5 s ago on this host's
 * CLOCK_MONOTONIC (as the module and BPF stamp records), then nothing.
 * Later polls note when the sink has a finding, and end the source after
 * 40 polls of 10 ms: only a tick from the loop can make the finding
 * before the end.
 */
static unsigned int quiet_polls;
static uint64_t quiet_findings;		/* findings seen before the end */

static int quiet_poll(struct vt_source *s, int timeout_ms)
{
	struct vt_rec_irqfd f;
	struct vt_rec_inject in;
	struct vt_rec_irq_state st;
	uint64_t t = mono_ns() - 1500000000ull;

	(void)timeout_ms;
	if (quiet_polls++ == 0) {
		memset(&f, 0, sizeof(f));
		f.hdr.type = VT_REC_IRQFD;
		f.hdr.size = sizeof(f);
		f.hdr.ts_ns = t;
		f.hdr.vm_id = 100;
		f.hdr.vcpu_id = VT_NO_VCPU;
		f.gsi = 0;
		f.flags = VT_IRQFD_F_RESAMPLE;
		f.fd = 10;
		f.resamplefd = 11;
		f.eventfd_key = 0x1001;
		f.resample_key = 0x2001;
		memset(&in, 0, sizeof(in));
		in.hdr.type = VT_REC_INJECT;
		in.hdr.size = sizeof(in);
		in.hdr.ts_ns = t + 1000000;
		in.hdr.vm_id = 100;
		in.hdr.vcpu_id = VT_NO_VCPU;
		in.intid = 32;
		in.level = 1;
		in.source = VT_SRC_IRQFD;
		assert_int_equal(vt_sink_put(s->sink, &f.hdr, sizeof(f)), 0);
		/* the state after it: a level line, asserted, not delivered */
		memset(&st, 0, sizeof(st));
		st.hdr = in.hdr;
		st.hdr.type = VT_REC_IRQ_STATE;
		st.hdr.size = sizeof(st);
		st.hdr.ts_ns += 1000;
		st.intid = 32;
		st.target_vcpu = 0;
		st.ap_vcpu = VT_NO_VCPU;
		st.line_level = 1;
		st.enabled = 1;
		st.config = VT_CFG_LEVEL;
		assert_int_equal(vt_sink_put(s->sink, &f.hdr, sizeof(f)), 0);
		assert_int_equal(vt_sink_put(s->sink, &in.hdr, sizeof(in)), 0);
		assert_int_equal(vt_sink_put(s->sink, &st.hdr, sizeof(st)), 0);
		return 3;
	}
	quiet_findings = vt_sink_stats(s->sink)->findings;
	if (quiet_polls > 40)
		return -ENODATA;
	usleep(10000);
	return 0;
}

static unsigned int quiet_run(unsigned int backend)
{
	volatile sig_atomic_t stop_flag = 0;
	struct vt_source s;
	struct vt_sink *k;
	struct vt_opts o;
	unsigned int n;

	opts(&o, NULL, P("out.vtr"));
	unlink(P("out.vtr"));
	k = sink(&o);
	memset(&s, 0, sizeof(s));
	s.name = "quiet";
	s.backend = backend;
	s.poll = quiet_poll;
	s.finish = fake_finish;
	s.close = fake_close;
	s.sink = k;
	assert_int_equal(vt_sink_start(k), 0);
	quiet_polls = 0;
	quiet_findings = 0;
	assert_int_equal(vt_traced_run(&o, &s, k, &stop_flag, NULL), 0);
	assert_int_equal(s.finish(&s), 0);
	assert_int_equal(vt_sink_finish(k, NULL, NULL), 0);
	/* the end is the last record's time: 1 us after the assert */
	n = vt_engine_nr_findings(vt_sink_engine(k));
	assert_int_equal(n, quiet_findings);
	if (n) {
		const struct vt_finding *fi = vt_engine_finding(vt_sink_engine(k), 0);

		assert_string_equal(fi->rule, "intx-masked-forever");
		assert_int_equal(fi->intid, 32);
		assert_non_null(strstr(fi->summary, "so far"));
	}
	vt_sink_free(k);
	return (unsigned int)quiet_findings;
}

/*
 * The loop ticks the engine with the host's clock for the module and BPF
 * sources: a line asserted 1.5 s ago on a stream that stays quiet gets
 * its intx-masked-forever ("so far") while the source still runs. A
 * replay's timestamps are not this host's clock: no tick, and the end
 * (the last record, 1 us after the assert) cannot show it either.
 */
static void test_daemon_tick(void **state)
{
	(void)state;
	assert_int_equal(quiet_run(VT_BACKEND_BPF), 1);
	assert_int_equal(quiet_run(VT_BACKEND_MODULE), 1);
	assert_int_equal(quiet_run(VT_BACKEND_REPLAY), 0);
}

/* ---- service side: /metrics, --metrics-file, --json-lines, sd_notify -- */

/* wait for "metrics at http://ADDR/metrics" in the child's stderr */
static int metrics_port(void)
{
	char *text, *p;
	int i, port = 0;

	for (i = 0; i < 500 && !port; i++) {
		text = read_all(P("stderr"), NULL);
		p = text ? strstr(text, "metrics at http://127.0.0.1:") : NULL;
		if (p)
			port = atoi(p + strlen("metrics at http://127.0.0.1:"));
		free(text);
		if (!port)
			usleep(10000);
	}
	assert_true(port > 0);
	return port;
}

/* curl @path of the endpoint into @out; returns curl's exit status */
static int curl(int port, const char *path, const char *extra, const char *out)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "curl -s -S -f -m 5 %s -o '%s' -D '%s.hdr' http://127.0.0.1:%d%s 2>/dev/null",
		 extra, out, out, port, path);
	return WEXITSTATUS(system(cmd));
}

static void test_metrics_endpoint(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct child c;
	int wfd, port, idle;
	char *text, cmd[600];

	(void)state;
	assert_int_equal(system("command -v curl > /dev/null"), 0);
	assert_int_equal(mkfifo(P("fifo"), 0600), 0);
	c = daemon_start((const char *const[]){ "-b", "module", "--device", P("fifo"),
						"-o", P("out.vtr"), "-q",
						"--metrics-listen", "127.0.0.1:0",
						"--metrics-file", P("m.prom"),
						"--metrics-interval", "100ms", NULL }, 0, false);
	wfd = open(P("fifo"), O_WRONLY);
	assert_true(wfd >= 0);
	port = metrics_port();
	/* a client that connects and never sends: recording goes on */
	idle = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(idle, (struct sockaddr *)&a, sizeof(a)), 0);
	put_records(wfd, 0, 3000);
	wait_drained(wfd);
	usleep(50000);
	assert_int_equal(curl(port, "/metrics", "", P("scrape")), 0);
	text = read_all(P("scrape"), NULL);
	assert_non_null(strstr(text, "vgic_trace_records_total{type=\"inject\"} 3000\n"));
	assert_non_null(strstr(text, "vgic_trace_vm_records_total{vm=\"1\"} 3000\n"));
	/* level 1, source 0 (unknown): not an irqfd injection */
	assert_non_null(strstr(text, "vgic_trace_vm_irqfd_injections_total{vm=\"1\"} 0\n"));
	assert_non_null(strstr(text, "vgic_trace_recording 1\n"));
	assert_non_null(strstr(text, "backend=\"module\""));
	free(text);
	text = read_all(P("scrape.hdr"), NULL);
	assert_non_null(strstr(text, "Content-Type: text/plain; version=0.0.4"));
	free(text);
	/* OpenMetrics when asked for; 404, 405 */
	assert_int_equal(curl(port, "/metrics", "-H 'Accept: application/openmetrics-text; version=1.0.0'",
			      P("om")), 0);
	text = read_all(P("om"), NULL);
	assert_non_null(strstr(text, "# TYPE vgic_trace_records counter\n"));
	assert_non_null(strstr(text, "\n# EOF\n"));
	free(text);
	assert_int_equal(curl(port, "/other", "", P("404")), 22);
	text = read_all(P("404.hdr"), NULL);
	assert_non_null(strstr(text, "404 Not Found"));
	free(text);
	assert_int_equal(curl(port, "/metrics", "-X POST", P("405")), 22);
	text = read_all(P("405.hdr"), NULL);
	assert_non_null(strstr(text, "405 Method Not Allowed"));
	free(text);
	/* more records after the scrapes: counted, the idle client notwithstanding */
	put_records(wfd, 3000, 500);
	wait_drained(wfd);
	usleep(300000);		/* > --metrics-interval */
	text = read_all(P("m.prom"), NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "vgic_trace_records_total{type=\"inject\"} 3500\n"));
	free(text);
	close(idle);
	kill(c.pid, SIGTERM);
	assert_int_equal(daemon_wait(&c, 30), 0);
	close(wfd);
	/* 2 scrapes of /metrics answered (404/405 are not) */
	assert_non_null(strstr(errtext, "metrics endpoint closed after 2 scrapes"));
	/* the endpoint is closed with the daemon; the textfile stays, no .tmp */
	assert_int_not_equal(curl(port, "/metrics", "", P("gone")), 0);
	assert_int_equal(access(P("m.prom.tmp"), F_OK), -1);
	/* the textfile is valid exposition text (promtool: scripts/deps.sh) */
	snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s' > /dev/null", P("m.prom"));
	assert_int_equal(system(cmd), 0);
}

/* a port in use, a bad address: exit 1, said clearly, no trace file */
static void test_metrics_bind_errors(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	char addr[64];
	struct child c;
	int fd;

	(void)state;
	raw_file(P("dev"), 10);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(a.sin_port));
	c = DAEMON("-b", "module", "--device", P("dev"), "-o", P("out.vtr"),
		   "--metrics-listen", addr);
	assert_int_equal(daemon_wait(&c, 20), 1);
	assert_non_null(strstr(errtext, "bind: Address already in use"));
	assert_non_null(strstr(errtext, addr));
	assert_int_equal(access(P("out.vtr"), F_OK), -1);
	close(fd);
	c = DAEMON("-b", "module", "--device", P("dev"), "-o", P("out.vtr"),
		   "--metrics-listen", "example.org:80");
	assert_int_equal(daemon_wait(&c, 20), 1);
	assert_non_null(strstr(errtext, "not an IPv4/IPv6 address"));
	c = DAEMON("-b", "module", "--device", P("dev"), "-o", P("out.vtr"),
		   "--metrics-listen", "127.0.0.1");
	assert_int_equal(daemon_wait(&c, 20), 1);
	assert_non_null(strstr(errtext, "is not HOST:PORT"));
	c = DAEMON("-b", "module", "--device", P("dev"), "-o", P("out.vtr"),
		   "--metrics-interval", "10ms");
	assert_int_equal(daemon_wait(&c, 20), 2);
	assert_int_equal(access(P("out.vtr"), F_OK), -1);
}

static int to_fd(const struct vt_hdr *rec, void *arg)
{
	int fd = *(int *)arg;

	assert_int_equal(write(fd, rec, rec->size), (ssize_t)rec->size);
	return 0;
}

/* a scenario's records as the device would deliver them */
static void scenario_raw(const char *scen, const char *out)
{
	struct vt_host_facts facts;
	char path[512], err[256];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/scenarios/%s.txt", VT_TEST_DIR, scen);
	f = fopen(path, "r");
	assert_non_null(f);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_true(vt_scenario_import(f, path, &facts, to_fd, &fd, err, sizeof(err)) >= 0);
	fclose(f);
	close(fd);
}

/* --json-lines: one object per finding, parsed by python3 */
static void test_json_lines(void **state)
{
	char cmd[1024];
	struct child c;
	char *text;

	(void)state;
	scenario_raw("no-resample", P("dev"));
	c = daemon_start((const char *const[]){ "-b", "module", "--device", P("dev"),
						"-o", P("out.vtr"), "--json-lines", NULL }, 0, true);
	{
		FILE *out = fdopen(dup(c.out_fd), "r");
		FILE *save = fopen(P("lines"), "w");
		char line[8192];

		assert_non_null(out);
		assert_non_null(save);
		while (fgets(line, sizeof(line), out))
			fputs(line, save);
		fclose(out);
		fclose(save);
	}
	assert_int_equal(daemon_wait(&c, 30), 0);
	/* the summary is on stderr, stdout holds only the JSON lines */
	assert_non_null(strstr(errtext, "summary: findings 1"));
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys\n"
		 "L = [json.loads(l) for l in open(sys.argv[1])]\n"
		 "assert len(L) == 1, L\n"
		 "o = L[0]\n"
		 "assert set(o) == {\"type\", \"time_ns\", \"time\", \"severity\", \"rule\", \"vm\", \"intid\", \"vcpu\", \"message\", \"evidence\"}, o\n"
		 "assert (o[\"type\"], o[\"rule\"], o[\"severity\"], o[\"vm\"]) == (\"finding\", \"intx-masked-forever\", \"error\", 100), o\n"
		 "assert isinstance(o[\"intid\"], int) and o[\"time\"].endswith(\"Z\") and o[\"time_ns\"] > 0, o\n"
		 "assert o[\"message\"] and len(o[\"evidence\"]) > 0 and all(isinstance(e, str) for e in o[\"evidence\"]), o\n"
		 "' '%s'", P("lines"));
	assert_int_equal(system(cmd), 0);
	/* nothing else on stdout */
	text = read_all(P("lines"), NULL);
	assert_null(strstr(text, "summary:"));
	free(text);
}

/* NOTIFY_SOCKET: the messages of a whole run, in order */
static void test_sd_notify(void **state)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char msgs[8192] = "", buf[1024], *ready, *stop, *wd;
	struct child c;
	int fd, wfd, i, st;
	ssize_t n;
	size_t len = 0;

	(void)state;
#ifndef VT_HAVE_SYSTEMD
	fail_msg("built without libsystemd (apt-get install libsystemd-dev)");
#endif
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", P("notify"));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	/* a failed start: no READY=1 */
	setenv("NOTIFY_SOCKET", P("notify"), 1);
	c = DAEMON("-b", "module", "--device", P("missing"), "-o", P("out.vtr"));
	assert_int_equal(daemon_wait(&c, 20), 1);
	assert_true(recv(fd, buf, sizeof(buf), 0) < 0);
	/* a run of 1.5 s with a watchdog of 200 ms */
	assert_int_equal(mkfifo(P("fifo"), 0600), 0);
	setenv("WATCHDOG_USEC", "200000", 1);
	c = DAEMON("-b", "module", "--device", P("fifo"), "-o", P("out.vtr"), "-q", "-d", "1500ms");
	unsetenv("WATCHDOG_USEC");
	unsetenv("NOTIFY_SOCKET");
	wfd = open(P("fifo"), O_WRONLY);
	assert_true(wfd >= 0);
	for (i = 0; i < 300 && !strstr(msgs, "READY=1"); i++) {
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = 0;
			len += (size_t)snprintf(msgs + len, sizeof(msgs) - len, "%s|", buf);
		} else {
			usleep(10000);
		}
	}
	/* READY=1 only once the trace file exists */
	assert_non_null(strstr(msgs, "READY=1"));
	assert_int_equal(access(P("out.vtr"), F_OK), 0);
	put_records(wfd, 0, 100);
	/* keep reading as systemd does (a full datagram queue blocks sd_notify) */
	for (i = 0, st = -1; i < 3000; i++) {
		while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
			buf[n] = 0;
			len += (size_t)snprintf(msgs + len, sizeof(msgs) - len, "%s|", buf);
		}
		if (st >= 0)
			break;		/* one more drain after the exit */
		if (waitpid(c.pid, &st, WNOHANG) != c.pid)
			st = -1;
		usleep(10000);
	}
	assert_true(WIFEXITED(st) && !WEXITSTATUS(st));
	close(wfd);
	close(fd);
	ready = strstr(msgs, "READY=1");
	wd = strstr(msgs, "WATCHDOG=1");
	stop = strstr(msgs, "STOPPING=1");
	if (!ready || !wd || !stop || !(ready < wd && wd < stop))
		fail_msg("notify messages: %s", msgs);
	/* STATUS= each second with the counts: 100 records by then */
	assert_non_null(strstr(msgs, "STATUS=recording from module into "));
	assert_non_null(strstr(msgs, ": 100 records, 0 lost, 0 findings"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_splitter_file, setup),
		cmocka_unit_test_setup(test_splitter_pipe_pieces, setup),
		cmocka_unit_test_setup(test_splitter_malformed, setup),
		cmocka_unit_test_setup(test_poll_is_bounded, setup),
		cmocka_unit_test_setup(test_sink_start, setup),
		cmocka_unit_test_setup(test_sink_write_error, setup),
		cmocka_unit_test_setup(test_sink_rotate, setup),
		cmocka_unit_test_setup(test_select, setup),
		cmocka_unit_test(test_options),
		cmocka_unit_test_setup(test_daemon_failed_start, setup),
		cmocka_unit_test_setup(test_daemon_file, setup),
		cmocka_unit_test_setup(test_daemon_signals, setup),
		cmocka_unit_test_setup(test_daemon_duration_under_load, setup),
		cmocka_unit_test_setup(test_daemon_stop_queued_lost, setup),
		cmocka_unit_test_setup(test_daemon_tick, setup),
		cmocka_unit_test_setup(test_metrics_endpoint, setup),
		cmocka_unit_test_setup(test_metrics_bind_errors, setup),
		cmocka_unit_test_setup(test_json_lines, setup),
		cmocka_unit_test_setup(test_sd_notify, setup),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
