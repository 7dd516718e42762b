// SPDX-License-Identifier: GPL-2.0
/*
 * sink.c - where every record goes: checked, appended to the trace file
 * and fed to the engine, whose findings are printed as they are made.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "traced.h"
#include "vt_record.h"

struct vt_sink {
	struct vt_writer *w;
	struct vt_engine *e;
	struct vt_host_facts facts;
	struct vt_sink_stats st;
	bool quiet;
	unsigned int complaints;
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

static void on_finding(const struct vt_finding *f, void *arg)
{
	struct vt_sink *k = arg;

	k->st.findings++;
	if (k->quiet)
		return;
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
 * vt_sink_open() - create the trace file and the live engine
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
	k->facts = *facts;
	k->quiet = o->quiet;
	memset(k->st.hook, 0xff, sizeof(k->st.hook));
	err = vt_writer_open(o->output, &k->facts, o->force, &k->w);
	if (err) {
		fprintf(stderr, "vgic-traced: %s: %s%s\n", o->output, strerror(-err),
			err == -EEXIST ? " (use --force)" : "");
		free(k);
		return err;
	}
	eo.facts = &k->facts;
	eo.window_ns = VT_DEF_WINDOW_NS;
	eo.cb = on_finding;
	eo.cb_arg = k;
	err = vt_engine_new(&eo, &k->e);
	if (err) {
		fprintf(stderr, "vgic-traced: engine: %s\n", strerror(-err));
		vt_writer_close(k->w);
		free(k);
		return err;
	}
	*out = k;
	return 0;
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
	int err;

	if (vt_record_check(rec, avail, msg, sizeof(msg))) {
		k->st.invalid++;
		if (k->complaints++ < 10)
			fprintf(stderr, "vgic-traced: invalid record rejected: %s\n", msg);
		return -EINVAL;
	}
	k->st.records++;
	k->st.by_type[rec->type]++;
	if (rec->type == VT_REC_LOST)
		k->st.lost += ((const struct vt_rec_lost *)rec)->lost;
	else if (rec->type == VT_REC_META)
		note_meta(k, (const struct vt_rec_meta *)rec);
	err = vt_writer_append(k->w, rec);
	if (err) {
		k->st.write_errors++;
		if (k->complaints++ < 10)
			fprintf(stderr, "vgic-traced: write: %s\n", strerror(-err));
		return err;
	}
	vt_engine_feed(k->e, rec);
	return 0;
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
	return vt_writer_flush(k->w);
}

/**
 * vt_sink_finish() - end of input: run the end-of-trace checks, write
 * the optional report, close the trace file
 * @k:		sink
 * @report:	text report path or NULL
 *
 * Return: 0 or the first -errno.
 */
int vt_sink_finish(struct vt_sink *k, const char *report)
{
	int err, ret = 0;
	FILE *f;

	err = vt_engine_finish(k->e);
	if (err) {
		fprintf(stderr, "vgic-traced: engine: %s\n", strerror(-err));
		ret = err;
	}
	if (report) {
		f = fopen(report, "w");
		if (!f) {
			err = -errno;
			fprintf(stderr, "vgic-traced: %s: %s\n", report, strerror(errno));
			ret = ret ? ret : err;
		} else {
			vt_engine_report_text(k->e, f);
			if (fclose(f))
				ret = ret ? ret : -EIO;
		}
	}
	err = vt_writer_close(k->w);
	k->w = NULL;
	if (err) {
		fprintf(stderr, "vgic-traced: closing trace: %s\n", strerror(-err));
		ret = ret ? ret : err;
	}
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
 * vt_sink_free() - free the sink (closes the file if still open)
 * @k:		sink (may be NULL)
 */
void vt_sink_free(struct vt_sink *k)
{
	if (!k)
		return;
	if (k->w)
		vt_writer_close(k->w);
	vt_engine_free(k->e);
	free(k);
}
