// SPDX-License-Identifier: GPL-2.0
/*
 * daemon.c - vgic-traced: options, source, trace file, the drain loop
 * until a signal, --duration or the end of the source, then the summary.
 *
 * Order at start: the options; an existing output or report without
 * --force is refused; the source is opened; only then the trace file is
 * created (a failed start leaves no file). Signals: SIGINT/SIGTERM stop,
 * SIGHUP rotates (or syncs), SIGPIPE is ignored.
 *
 * Service side: the metrics endpoint is bound before the source is opened
 * (a bind error is a start error); READY=1 is sent once the file exists;
 * the loop serves /metrics between polls, rewrites --metrics-file, sends
 * STATUS= every second and WATCHDOG=1 at half the watchdog period.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "traced.h"
#include "vt_metrics.h"

static volatile sig_atomic_t stop, hup;
static uint64_t stop_sig_ns;	/* CLOCK_MONOTONIC of the first SIGINT/SIGTERM */

static void on_stop(int sig)
{
	struct timespec ts;

	(void)sig;
	/* clock_gettime() is async-signal-safe */
	if (!stop && !clock_gettime(CLOCK_MONOTONIC, &ts))
		stop_sig_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	hup = 1;
}

#define now_ns vt_mono_ns

/* CPU time of the process: the stop's own work, apart from waiting */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* what the service side of the loop needs */
struct svc {
	const struct vt_opts *o;
	struct vt_source *s;
	struct vt_sink *k;
	struct vt_http *http;
	uint64_t start_time;	/* epoch seconds */
	uint64_t watchdog_ns;
	uint64_t last_metrics, last_status, last_watchdog;
	bool file_failing;	/* --metrics-file: the last write failed */
};

static struct svc svc;

/* the daemon's own counters into the accumulator */
static struct vt_metrics *fill_daemon(struct svc *v)
{
	const struct vt_sink_stats *st = vt_sink_stats(v->k);
	struct vt_metrics_daemon d = {
		.file_ok = !st->write_errors,
		.not_written = st->write_errors,
		.invalid = st->invalid,
		.missed = v->s ? v->s->missed : 0,
		.rotations = st->rotations,
		.start_time = v->start_time,
	};

	vt_metrics_daemon(vt_sink_metrics(v->k), &d);
	return vt_sink_metrics(v->k);
}

/* the /metrics body */
static int metrics_body(FILE *f, bool openmetrics, void *arg)
{
	struct svc *v = arg;

	return vt_metrics_write_fmt(f, fill_daemon(v), vt_sink_engine(v->k), openmetrics);
}

static int metrics_file(struct svc *v)
{
	int err;

	err = vt_metrics_textfile(v->o->metrics_file, fill_daemon(v), vt_sink_engine(v->k));
	if (err && !v->file_failing)
		fprintf(stderr, "vgic-traced: --metrics-file %s: %s (retried every interval)\n",
			v->o->metrics_file, strerror(-err));
	else if (!err && v->file_failing)
		fprintf(stderr, "vgic-traced: --metrics-file %s: written again\n",
			v->o->metrics_file);
	v->file_failing = err != 0;
	return err;
}

static void status(struct svc *v)
{
	const struct vt_sink_stats *st = vt_sink_stats(v->k);

	vt_notify("STATUS=recording from %s into %s: %llu records, %llu lost, %llu findings%s",
		  v->s->name, v->o->output, (unsigned long long)st->records,
		  (unsigned long long)st->lost, (unsigned long long)st->findings,
		  st->write_errors ? "; file STOPPED (write error), live detection goes on" : "");
}

/* between two polls: never waits */
static void service(struct svc *v, uint64_t t)
{
	if (!v->k)
		return;
	vt_http_service(v->http);
	if (v->o->metrics_file && t - v->last_metrics >= v->o->metrics_every_ns) {
		metrics_file(v);
		v->last_metrics = t;
	}
	if (t - v->last_status >= 1000000000ull) {
		status(v);
		v->last_status = t;
	}
	if (v->watchdog_ns && t - v->last_watchdog >= v->watchdog_ns / 2) {
		vt_notify("WATCHDOG=1");
		v->last_watchdog = t;
	}
}

/*
 * How far behind the clock the live engine's tick runs: a record the
 * kernel wrote up to this long ago may still be unread (a poll period,
 * a reader that wakes late), and must not arrive after the engine has
 * moved past it. Deadlines (1 s masked threshold, 100 ms ack wait) fire
 * that much later on a quiet stream instead of at the next record.
 */
#define TICK_LAG_NS	250000000ull
/* longest single poll wait: bounds how late a racing stop signal is seen */
#define VT_STOP_POLL_MS	50

/*
 * Let the live engine's clock move on while the stream is quiet: records
 * carry the host's CLOCK_MONOTONIC, so now (minus the lag) is a time the
 * trace has reached. Only for the kernel sources; a replay's timestamps
 * are not this host's clock.
 */
static void tick(const struct vt_source *s, struct vt_sink *k, uint64_t t,
		 unsigned long drain_ms)
{
	uint64_t lag = TICK_LAG_NS + 2ull * drain_ms * 1000000ull;

	if (s->backend != VT_BACKEND_MODULE && s->backend != VT_BACKEND_BPF)
		return;
	if (t > lag)
		vt_engine_tick(vt_sink_engine(k), t - lag);
}

/**
 * vt_traced_run() - the drain loop
 * @o:		settings (drain period, duration)
 * @s:		open source
 * @k:		started sink
 * @stop_flag:	set (by a signal) to stop
 * @hup_flag:	set (by SIGHUP) to rotate the file; cleared here
 *
 * One poll handles a bounded batch, so @stop_flag, --duration and the
 * flush every second are seen at any record rate; a poll never waits
 * past the --duration deadline or the next flush. The stop's cause and
 * time go to s->stop (cause, asked_ns, loop_ns).
 *
 * Return: 0 (stopped, duration over or the source ended) or the
 * source's -errno.
 */
int vt_traced_run(const struct vt_opts *o, struct vt_source *s,
		  struct vt_sink *k, volatile sig_atomic_t *stop_flag,
		  volatile sig_atomic_t *hup_flag)
{
	uint64_t t0 = now_ns(), last_flush = t0, t = t0, left;
	int n, err = 0, wait_ms;

	s->stop.cause = "signal";
	while (!*stop_flag) {
		/*
		 * The poll ends by the deadline and the next flush, and
		 * within VT_STOP_POLL_MS: a signal that lands between the
		 * flag test and poll() is then seen within that bound even
		 * with a long --drain-ms.
		 */
		wait_ms = (int)o->drain_ms;
		if (wait_ms > VT_STOP_POLL_MS)
			wait_ms = VT_STOP_POLL_MS;
		left = last_flush + 1000000000ull - t;
		if (o->duration_ns)
			left = t0 + o->duration_ns - t < left ? t0 + o->duration_ns - t : left;
		if (left / 1000000ull < (uint64_t)wait_ms)
			wait_ms = (int)((left + 999999ull) / 1000000ull);
		n = s->poll(s, wait_ms);
		if (n == -ENODATA) {
			s->stop.cause = "source end";
			fprintf(stderr, "vgic-traced: %s source ended\n", s->name);
			break;
		}
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "vgic-traced: %s source: %s\n", s->name, strerror(-n));
			s->stop.cause = "source error";
			err = n;
			break;
		}
		if (hup_flag && *hup_flag) {
			*hup_flag = 0;
			vt_sink_rotate(k);
		}
		t = now_ns();
		/* before the flush: the finish writes and syncs anyway */
		if (o->duration_ns && t - t0 >= o->duration_ns) {
			s->stop.cause = "--duration";
			s->stop.asked_ns = t0 + o->duration_ns;
			break;
		}
		if (*stop_flag)
			break;
		tick(s, k, t, o->drain_ms);
		service(&svc, t);
		if (t - last_flush >= 1000000000ull) {
			vt_sink_flush(k);
			last_flush = t;
		}
	}
	s->stop.loop_ns = now_ns();
	if (!s->stop.asked_ns)
		s->stop.asked_ns = s->stop.loop_ns;
	return err;
}

/* an existing regular FILE needs --force: say so before opening anything */
static int refuse_existing(const char *what, const char *path, bool force)
{
	struct stat st;

	if (!path || force || stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	fprintf(stderr, "vgic-traced: %s %s exists (use --force)\n", what, path);
	return -EEXIST;
}

/**
 * vt_traced_main() - the whole daemon
 * @argc:	argument count
 * @argv:	arguments
 * @bpf_open:	opens the BPF backend (tests pass a fake)
 *
 * Return: exit status: 0; 1 for a runtime error (no source, write error,
 * source error); 2 for bad usage.
 */
int vt_traced_main(int argc, char **argv, vt_source_open_fn bpf_open)
{
	struct vt_host_facts facts;
	struct vt_source src = { 0 };
	struct sigaction sa;
	struct vt_sink *k;
	struct vt_opts o;
	uint64_t t0;
	int err, ret;

	err = vt_opts_parse(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	stop = hup = 0;
	stop_sig_ns = 0;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;	/* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (refuse_existing("output", o.output, o.force) ||
	    refuse_existing("report", o.report, o.force))
		return 1;
	memset(&svc, 0, sizeof(svc));
	svc.o = &o;
	svc.s = &src;
	/* a port in use is a start error, before anything is opened */
	if (o.metrics_listen && vt_http_listen(o.metrics_listen, metrics_body, &svc, &svc.http))
		return 1;
	/* the header's backend is refined by the META record of the source */
	vt_host_facts_probe(&facts, 0);
	err = vt_sink_open(&o, &facts, &k);
	if (err) {
		vt_http_close(svc.http);
		return 1;
	}
	err = vt_source_select(&o, k, &src, bpf_open);
	if (err) {
		vt_sink_free(k);
		vt_http_close(svc.http);
		return 1;
	}
	/* the metrics name the backend before its META record (a raw device has none) */
	facts.backend = src.backend;
	vt_metrics_facts(vt_sink_metrics(k), &facts);
	err = vt_sink_start(k);
	if (err) {
		src.close(&src);
		vt_sink_free(k);
		vt_http_close(svc.http);
		return 1;
	}
	svc.k = k;
	svc.start_time = (uint64_t)time(NULL);
	svc.watchdog_ns = vt_notify_watchdog_ns();
	if (src.backend == VT_BACKEND_BPF)
		vt_hooks_print(stderr, vt_sink_stats(k));
	if (svc.http)
		fprintf(stderr, "vgic-traced: metrics at http://%s/metrics\n",
			vt_http_address(svc.http));
	fprintf(stderr, "vgic-traced: recording from %s into %s\n", src.name, o.output);
	t0 = now_ns();
	if (o.metrics_file)
		metrics_file(&svc);
	svc.last_metrics = svc.last_status = svc.last_watchdog = t0;
	vt_notify("READY=1\nSTATUS=recording from %s into %s", src.name, o.output);
	err = vt_traced_run(&o, &src, k, &stop, &hup);
	if (stop && stop_sig_ns && !strcmp(src.stop.cause, "signal"))
		src.stop.asked_ns = stop_sig_ns;
	vt_notify("STOPPING=1\nSTATUS=stopping: draining the source, closing %s", o.output);
	if (svc.http)
		fprintf(stderr, "vgic-traced: metrics endpoint closed after %llu scrapes\n",
			(unsigned long long)vt_http_served(svc.http));
	vt_http_close(svc.http);	/* a scrape from here on would wait: refused */
	svc.http = NULL;
	src.stop.cpu_ns = cpu_ns();
	ret = src.finish(&src);
	src.stop.finish_ns = now_ns();
	err = err ? err : ret;
	src.close(&src);
	src.stop.close_ns = now_ns();
	ret = vt_sink_finish(k, o.report, &src.stop);
	src.stop.sink_ns = now_ns();
	err = err ? err : ret;
	/* the last textfile holds the end-of-trace findings */
	if (o.metrics_file)
		metrics_file(&svc);
	vt_summary_print(o.json_lines ? stderr : stdout, &src, vt_sink_stats(k),
			 (double)(now_ns() - t0) / 1e9);
	vt_sink_free(k);
	src.stop.end_ns = now_ns();
	src.stop.cpu_ns = cpu_ns() - src.stop.cpu_ns;
	vt_summary_stop(o.json_lines ? stderr : stdout, &src.stop);
	fflush(stdout);
	memset(&svc, 0, sizeof(svc));
	return err ? 1 : 0;
}
