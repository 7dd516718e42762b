// SPDX-License-Identifier: GPL-2.0
/*
 * daemon.c - vgic-traced: options, source, trace file, the drain loop
 * until a signal, --duration or the end of the source, then the summary.
 *
 * Order at start: the options; an existing output or report without
 * --force is refused; the source is opened; only then the trace file is
 * created (a failed start leaves no file). Signals: SIGINT/SIGTERM stop,
 * SIGHUP rotates (or syncs), SIGPIPE is ignored.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "traced.h"

static volatile sig_atomic_t stop, hup;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	hup = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
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
 * flush every second are seen at any record rate.
 *
 * Return: 0 (stopped, duration over or the source ended) or the
 * source's -errno.
 */
int vt_traced_run(const struct vt_opts *o, struct vt_source *s,
		  struct vt_sink *k, volatile sig_atomic_t *stop_flag,
		  volatile sig_atomic_t *hup_flag)
{
	uint64_t t0 = now_ns(), last_flush = t0, t;
	int n, err = 0;

	while (!*stop_flag) {
		n = s->poll(s, (int)o->drain_ms);
		if (n == -ENODATA) {
			fprintf(stderr, "vgic-traced: %s source ended\n", s->name);
			break;
		}
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "vgic-traced: %s source: %s\n", s->name, strerror(-n));
			err = n;
			break;
		}
		if (hup_flag && *hup_flag) {
			*hup_flag = 0;
			vt_sink_rotate(k);
		}
		t = now_ns();
		if (t - last_flush >= 1000000000ull) {
			vt_sink_flush(k);
			last_flush = t;
		}
		if (o->duration_ns && t - t0 >= o->duration_ns)
			break;
	}
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
	/* the header's backend is refined by the META record of the source */
	vt_host_facts_probe(&facts, 0);
	err = vt_sink_open(&o, &facts, &k);
	if (err)
		return 1;
	err = vt_source_select(&o, k, &src, bpf_open);
	if (err) {
		vt_sink_free(k);
		return 1;
	}
	err = vt_sink_start(k);
	if (err) {
		src.close(&src);
		vt_sink_free(k);
		return 1;
	}
	if (src.backend == VT_BACKEND_BPF)
		vt_hooks_print(stderr, vt_sink_stats(k));
	fprintf(stderr, "vgic-traced: recording from %s into %s\n", src.name, o.output);
	t0 = now_ns();
	err = vt_traced_run(&o, &src, k, &stop, &hup);
	ret = src.finish(&src);
	err = err ? err : ret;
	src.close(&src);
	ret = vt_sink_finish(k, o.report);
	err = err ? err : ret;
	vt_summary_print(stdout, &src, vt_sink_stats(k), (double)(now_ns() - t0) / 1e9);
	fflush(stdout);
	vt_sink_free(k);
	return err ? 1 : 0;
}
