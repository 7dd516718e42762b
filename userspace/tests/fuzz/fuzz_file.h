/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fuzz_file.h - shared by fuzz_tracefile and fuzz_tracecmd: bytes as an
 * input file of `report`, `report --html` and `timeline`, read the way
 * the CLI reads it (cli/analyse.c): a trace-cmd recording (the trace-cmd
 * magic first: libtracecmd + import_tracecmd.c) or a vgic-trace file
 * (the reader).
 *
 * Pass 1: records -> engine -> every report, and the same records ->
 * vt_timeline_add(). Pass 2, as `report --html` and `timeline` do it:
 * the same file again through an engine whose rec_cb feeds both the
 * per-finding HTML timelines (vt_html_tl_rec()) and the Perfetto
 * timeline (vt_timeline_add_irq()); then the HTML page with timelines.
 * Everything is written to /dev/null.
 */
#ifndef VT_FUZZ_FILE_H
#define VT_FUZZ_FILE_H

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fuzz_common.h"
#include "vt_import_tracecmd.h"
#include "vt_tracefile.h"

const char *__lsan_default_suppressions(void);
void __sanitizer_set_death_callback(void (*cb)(void));

/*
 * Leaks inside Debian's libtracecmd 3.1.6 / libtraceevent 1.7.1 (not
 * ours): the error paths of tracecmd_open_fd() leak the tep handle and
 * page buffers of a damaged file, the format parser a strdup()ed token.
 * Those libraries have no frame pointers, so their leaks are matched by
 * module. It also hides a leak of the engine allocated in the
 * tracecmd_iterate_events() callback: the .vgt inputs check those paths
 * (import_tracecmd.c itself allocates only in vt_tc_open()).
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libtracecmd.so\nleak:libtraceevent.so\n";
}

struct pass2 {
	struct vt_html_tl *html;
	struct vt_timeline *tl;
};

static void pass2_rec(const struct vt_hdr *rec, uint32_t intid, void *arg)
{
	struct pass2 *p = arg;

	if (p->html)
		vt_html_tl_rec(rec, intid, p->html);
	if (p->tl)
		vt_timeline_add_irq(p->tl, rec, intid);
}

struct feed {
	struct vt_engine *e;
	struct vt_timeline *tl;
};

static int feed_rec(const struct vt_hdr *rec, void *arg)
{
	struct feed *f = arg;

	vt_engine_feed(f->e, rec);
	if (f->tl)
		vt_timeline_add(f->tl, rec);
	return 0;
}

static void probe_died(void)
{
	_exit(77);
}

/*
 * Debian's libtracecmd 3.1.6 crashes (NULL read in tracecmd_close() from
 * the error path of tracecmd_open_fd()) on some damaged files, e.g. a v7
 * file whose first-section offset is wrong: `vgic-trace report` then
 * dies with SIGSEGV (tests/fuzz/crashes/libtracecmd-open-*.dat, see
 * docs/robustness.md). Not our code: open each .dat first in a child,
 * and skip the inputs libtracecmd cannot open without dying, so the
 * fuzzer goes on with our code (import_tracecmd.c, engine, reports).
 * Also skipped: files whose open makes libtracecmd allocate over 512 MiB
 * or take over 2 s (sizes and counts read from the damaged file).
 * Return: true when opening @path is safe.
 */
static bool tc_open_survives(const char *path, enum vt_tc_mode mode)
{
	static unsigned long skipped;
	struct rusage ru0, ru1;
	struct vt_tc *t;
	char err[300];
	int st, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return false;
	if (!pid) {
		/* no crash artifact of libFuzzer, no ASan report, no hang */
		__sanitizer_set_death_callback(probe_died);
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		alarm(2);
		getrusage(RUSAGE_SELF, &ru0);
		if (!vt_tc_open(path, mode, &t, err, sizeof(err)))
			vt_tc_close(t);
		getrusage(RUSAGE_SELF, &ru1);
		/* libtracecmd allocates sizes a damaged file says: over 512 MiB */
		_exit(ru1.ru_maxrss - ru0.ru_maxrss > 512 * 1024 ? 78 : 0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return false;
	if (WIFEXITED(st) && !WEXITSTATUS(st))
		return true;
	if (++skipped <= 3 || !(skipped & (skipped - 1)))
		fprintf(stderr, "fuzz_tracefile: libtracecmd died opening a .dat input (%lu so far), skipped\n",
			skipped);
	return false;
}

/*
 * One pass over @path into a finished engine (NULL on any error), with
 * @opts (rec_cb) and records also given to @tl (may be NULL).
 */
static struct vt_engine *one_pass(const char *path, bool dat,
				  enum vt_tc_mode mode,
				  struct vt_engine_opts *opts,
				  struct vt_timeline *tl)
{
	struct feed f = { .tl = tl };
	const struct vt_hdr *rec;
	struct vt_read_status st;
	struct vt_reader *r;
	struct vt_tc *t;
	char err[300];
	int ret;

	if (dat) {
		if (vt_tc_open(path, mode, &t, err, sizeof(err)))
			return NULL;
		opts->facts = vt_tc_facts(t);
		if (vt_engine_new(opts, &f.e)) {
			vt_tc_close(t);
			return NULL;
		}
		ret = vt_tc_run(t, feed_rec, &f);
		memset(&st, 0, sizeof(st));
		st.end = VT_END_COMPLETE;
		st.records = vt_tc_summary(t)->records;
		vt_tc_print_summary(fuzz_null(), vt_tc_summary(t));
		vt_engine_set_read_status(f.e, &st);
		vt_tc_close(t);
	} else {
		if (vt_reader_open(path, &r, err, sizeof(err)))
			return NULL;
		opts->facts = vt_reader_facts(r);
		if (vt_engine_new(opts, &f.e)) {
			vt_reader_close(r);
			return NULL;
		}
		while ((ret = vt_reader_next(r, &rec)) > 0)
			feed_rec(rec, &f);
		vt_engine_set_read_status(f.e, vt_reader_status(r));
		vt_reader_close(r);
	}
	if (ret < 0 || vt_engine_finish(f.e)) {
		vt_engine_free(f.e);
		return NULL;
	}
	return f.e;
}

/*
 * fuzz_file() - one input as a file of the CLI
 * @dat:	true: only trace-cmd recordings (fuzz_tracecmd), false: only
 *		the others (fuzz_tracefile)
 * Return: 0, or -1 for an input of the other harness (not kept).
 */
static int fuzz_file(const uint8_t *data, size_t size, bool want_dat)
{
	struct vt_engine_opts opts = { 0 };
	struct pass2 p2 = { NULL, NULL };
	static char path[64];
	static int fd = -1;
	struct vt_timeline *tl;
	struct vt_engine *e, *e2;
	enum vt_tc_mode mode;
	char title[24];
	bool dat;

	if (fd < 0) {
		fd = memfd_create("vt-fuzz", 0);
		if (fd < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	dat = size >= VT_TC_MAGIC_LEN && !memcmp(data, VT_TC_MAGIC, VT_TC_MAGIC_LEN);
	if (dat != want_dat)
		return -1;
	/* --from auto|vgic|kvm of a .dat: from the size, the data is the file */
	mode = (enum vt_tc_mode)(size % 3);
	if (dat && !getenv("VT_FUZZ_NO_PROBE") && !tc_open_survives(path, mode))
		return 0;
	/* the CLI analyses files with VT_WINDOW_ALL; a live-like window too */
	opts.window_ns = (size & 1) ? VT_WINDOW_ALL : 1000000;
	if (vt_timeline_new(fuzz_null(), &tl))
		tl = NULL;
	e = one_pass(path, dat, mode, &opts, tl);
	if (tl)
		vt_timeline_finish(tl, NULL);
	if (!e)
		return 0;
	/* the page's title is the file name: some input bytes, to be escaped */
	snprintf(title, sizeof(title), "%.*s", (int)(size < 23 ? size : 23),
		 (const char *)data);

	/* pass 2: report --html and timeline */
	if (vt_html_tl_new(e, &p2.html))
		p2.html = NULL;
	if (vt_timeline_new(fuzz_null(), &p2.tl))
		p2.tl = NULL;
	memset(&opts, 0, sizeof(opts));
	opts.window_ns = (size & 1) ? VT_WINDOW_ALL : 1000000;
	opts.rec_cb = pass2_rec;
	opts.rec_arg = &p2;
	e2 = one_pass(path, dat, mode, &opts, NULL);
	if (p2.tl)
		vt_timeline_finish(p2.tl, NULL);
	if (e2)
		vt_engine_free(e2);
	fuzz_reports_tl(e, p2.html, title);
	vt_html_tl_free(p2.html);
	vt_engine_free(e);
	return 0;
}

#endif /* VT_FUZZ_FILE_H */
