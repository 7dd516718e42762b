/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * helpers.h - shared by the unit tests: load a scenario into an engine,
 * render reports into memory, read/write small files.
 */
#ifndef VT_TEST_HELPERS_H
#define VT_TEST_HELPERS_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "vt_engine.h"
#include "vt_scenario.h"
#include "vt_tracefile.h"

struct feed_ctx {
	struct vt_engine *e;
	int invalid;
};

static inline int feed_cb(const struct vt_hdr *rec, void *arg)
{
	struct feed_ctx *c = arg;

	if (vt_engine_feed(c->e, rec))
		c->invalid++;
	return 0;
}

static inline int noop_cb(const struct vt_hdr *rec, void *arg)
{
	(void)rec;
	(void)arg;
	return 0;
}

/* A reader's @oldest callback for keep mode when nothing is kept. */
static inline const void *no_oldest(void *arg)
{
	(void)arg;
	return NULL;
}

/**
 * read_each() - read the trace at @path record by record
 * @path: trace file
 * @runs: vt_reader_next_run() in keep mode, else vt_reader_next()
 * @check: called on each record with its index from 0 (may be NULL)
 * @arg: passed to @check
 * @ret: the reader's last return (0 end, < 0 error)
 * @st: if not NULL, the reader's status at the end is copied here
 *
 * After each batch, the reader's record count must equal the records
 * handed out so far.
 *
 * Return: the number of records read.
 */
static inline unsigned int read_each(const char *path, bool runs,
				     void (*check)(const struct vt_hdr *rec,
						   unsigned int n, void *arg),
				     void *arg, int *ret,
				     struct vt_read_status *st)
{
	const struct vt_hdr *rec;
	struct vt_reader *r;
	unsigned int n = 0;
	uint32_t k;
	char err[200];

	assert_int_equal(vt_reader_open(path, &r, err, sizeof(err)), 0);
	if (runs)
		vt_reader_keep(r, no_oldest, NULL);
	while ((*ret = runs ? vt_reader_next_run(r, &rec, &k) :
			      (k = 1, vt_reader_next(r, &rec))) > 0) {
		assert_true(k >= 1);
		for (; k; k--) {
			if (check)
				check(rec, n, arg);
			n++;
			rec = (const void *)((const uint8_t *)rec + rec->size);
		}
		assert_int_equal(vt_reader_status(r)->records, n);
	}
	if (st)
		*st = *vt_reader_status(r);
	vt_reader_close(r);
	return n;
}

/* The finding of @rule whose summary contains @text, or NULL. */
static inline const struct vt_finding *find_finding(const struct vt_engine *e,
						    const char *rule,
						    const char *text)
{
	const struct vt_finding *f;
	unsigned int i;

	for (i = 0; i < vt_engine_nr_findings(e); i++) {
		f = vt_engine_finding(e, i);
		if (!strcmp(f->rule, rule) && strstr(f->summary, text))
			return f;
	}
	return NULL;
}

/* Scenario file -> trace file (through the real writer). */
static inline void scen_to_file(const char *scen, const char *out)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s import %s/scenarios/%s.txt -o %s --force 2>/dev/null",
		 VT_CLI, VT_TEST_DIR, scen, out);
	assert_int_equal(system(cmd), 0);
}

static inline char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/*
 * Scenario text -> engine (in-process importer), finished if @finish;
 * @name names the text in the importer's messages.
 */
static inline struct vt_engine *text_engine(const char *text, const char *name,
					    struct vt_engine_opts *opts,
					    bool finish)
{
	struct vt_host_facts facts;
	struct vt_engine_opts o;
	struct feed_ctx c = { 0 };
	char err[256];
	FILE *f;
	long n;

	f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	/* facts come first in every scenario: parse once for them */
	n = vt_scenario_import(f, name, &facts, noop_cb, NULL, err,
			       sizeof(err));
	if (n < 0)
		fail_msg("%s", err);
	fclose(f);
	memset(&o, 0, sizeof(o));
	if (opts)
		o = *opts;
	o.facts = &facts;
	o.window_ns = o.window_ns ? o.window_ns : VT_WINDOW_ALL;
	assert_int_equal(vt_engine_new(&o, &c.e), 0);
	f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	n = vt_scenario_import(f, name, &facts, feed_cb, &c, err, sizeof(err));
	fclose(f);
	if (n < 0)
		fail_msg("%s", err);
	assert_int_equal(c.invalid, 0);
	if (finish)
		assert_int_equal(vt_engine_finish(c.e), 0);
	return c.e;
}

/* Scenario file -> engine directly (in-process importer), finished. */
static inline struct vt_engine *scen_engine(const char *scen,
					    struct vt_engine_opts *opts)
{
	struct vt_engine *e;
	char path[512], *text;

	snprintf(path, sizeof(path), "%s/scenarios/%s.txt", VT_TEST_DIR, scen);
	text = read_all(path, NULL);
	assert_non_null(text);
	e = text_engine(text, path, opts, true);
	free(text);
	return e;
}

/* @fn's output of @e, NUL-terminated (free it); its length in *@len if @len */
static inline char *render(struct vt_engine *e,
			   int (*fn)(struct vt_engine *, FILE *), size_t *len)
{
	char *buf;
	size_t n;
	FILE *m = open_memstream(&buf, &n);

	assert_non_null(m);
	assert_int_equal(fn(e, m), 0);
	fclose(m);
	if (len)
		*len = n;
	return buf;
}

static inline void write_all_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

#endif /* VT_TEST_HELPERS_H */
