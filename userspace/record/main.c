// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - vgic-traced: pick a source, run the drain loop until a
 * signal or --duration, then flush and print the summary.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "traced.h"

VT_ABI_STATIC_CHECKS();

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_source(const struct vt_opts *o, struct vt_sink *k,
		       struct vt_source *s)
{
	int err;

	if (o->backend != VT_CHOOSE_BPF) {
		err = vt_source_module_open(o, k, s);
		if (!err)
			return 0;
		if (err != -ENOENT || o->backend == VT_CHOOSE_MODULE) {
			fprintf(stderr, "vgic-traced: %s: %s%s\n", o->device, strerror(-err),
				err == -EBUSY ? " (another reader has the device)" : "");
			return err;
		}
	}
	return vt_source_bpf_open(o, k, s);
}

static int run(const struct vt_opts *o, struct vt_source *s, struct vt_sink *k)
{
	double t0 = now_s(), last_flush = t0;
	int n, err = 0;

	while (!stop) {
		n = s->poll(s, (int)o->drain_ms);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "vgic-traced: %s source: %s\n", s->name, strerror(-n));
			err = n;
			break;
		}
		if (now_s() - last_flush >= 1.0) {
			vt_sink_flush(k);
			last_flush = now_s();
		}
		if (o->duration_s && now_s() - t0 >= (double)o->duration_s)
			break;
	}
	return err;
}

int main(int argc, char **argv)
{
	struct vt_host_facts facts;
	struct vt_source src = { 0 };
	struct sigaction sa;
	struct vt_sink *k;
	struct vt_opts o;
	double t0;
	int err, ret;

	err = vt_opts_parse(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* the header's backend is refined by the META record of the source */
	vt_host_facts_probe(&facts, 0);
	err = vt_sink_open(&o, &facts, &k);
	if (err)
		return 1;
	err = open_source(&o, k, &src);
	if (err) {
		vt_sink_finish(k, NULL);
		vt_sink_free(k);
		return 1;
	}
	if (src.backend == VT_BACKEND_BPF)
		vt_hooks_print(stderr, vt_sink_stats(k));
	fprintf(stderr, "vgic-traced: recording from %s into %s\n", src.name, o.output);
	t0 = now_s();
	err = run(&o, &src, k);
	ret = src.finish(&src);
	err = err ? err : ret;
	src.close(&src);
	ret = vt_sink_finish(k, o.report);
	err = err ? err : ret;
	vt_summary_print(stdout, &src, vt_sink_stats(k), now_s() - t0);
	fflush(stdout);
	vt_sink_free(k);
	return err ? 1 : 0;
}
