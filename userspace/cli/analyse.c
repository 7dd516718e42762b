// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * analyse.c - read a trace file into an engine (shared by report,
 * check and stats), their command line and the engine options they share.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "vt_import_tracecmd.h"

int vt_engine_opts_parse(struct vt_engine_opts *opts, const char *name,
			 const char *arg)
{
	uint64_t v;

	if (!strcmp(name, "masked-threshold")) {
		if (vt_parse_duration(arg, &v) || !v)
			goto bad;
		opts->masked_ns = v;
	} else if (!strcmp(name, "ack-wait")) {
		if (vt_parse_duration(arg, &v) || !v)
			goto bad;
		opts->ack_wait_ns = v;
	} else if (!strcmp(name, "storm-still")) {
		if (vt_parse_u64(arg, &v) || !v || v > 1000000)
			goto bad;
		opts->storm_still = (uint32_t)v;
	} else if (!strcmp(name, "storm-rate")) {
		if (vt_parse_u64(arg, &v) || !v || v > 10000000)
			goto bad;
		opts->storm_per_sec = (uint32_t)v;
	} else {
		goto bad;
	}
	return 0;
bad:
	fprintf(stderr, "vgic-trace: invalid --%s '%s'\n", name, arg);
	return -EINVAL;
}

/* vt_reader_keep()'s callback: the oldest record the engine points to */
static const void *engine_oldest(void *e)
{
	return vt_engine_oldest_ref(e);
}

int vt_analyse_file(const char *path, struct vt_engine_opts *opts,
		    struct vt_engine **out)
{
	const struct vt_read_status *st;
	const struct vt_hdr *rec;
	struct vt_reader *r;
	struct vt_engine *e;
	char err[200];
	uint32_t n;
	int ret;

	if (vt_tc_is_dat(path))	/* trace-cmd recording */
		return vt_tc_analyse(path, opts, out);
	ret = vt_reader_open(path, &r, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vgic-trace: %s: %s\n", path, err);
		return ret;
	}
	opts->facts = vt_reader_facts(r);
	opts->window_ns = VT_WINDOW_ALL;
	ret = vt_engine_new(opts, &e);
	if (ret) {
		vt_reader_close(r);
		return ret;
	}
	/*
	 * The reader keeps the records the engine's window holds: no copy
	 * (the reader is closed after vt_engine_finish())
	 */
	vt_reader_keep(r, engine_oldest, e);
	while ((ret = vt_reader_next_run(r, &rec, &n)) > 0) {
#ifndef VT_READER_RECORDS_CHECKED
#error "vt_engine_feed_ref() takes checked records"
#endif
		/* the reader checked them */
		ret = vt_engine_feed_ref_run(e, rec, n);
		if (ret)
			break;
	}
	st = vt_reader_status(r);
	if (ret < 0) {
		fprintf(stderr, "vgic-trace: %s: %s\n", path,
			st->msg[0] ? st->msg : strerror(-ret));
		vt_engine_free(e);
		vt_reader_close(r);
		return ret;
	}
	if (st->end == VT_END_TRUNCATED)
		fprintf(stderr, "vgic-trace: %s: %s\n", path, st->msg);
	vt_engine_set_read_status(e, st);
	ret = vt_engine_finish(e);
	vt_reader_close(r);
	if (ret) {
		vt_engine_free(e);
		return ret;
	}
	*out = e;
	return 0;
}

int vt_analyse_each(const char *path,
		    void (*cb)(const struct vt_hdr *rec, uint32_t intid, void *arg),
		    void *arg)
{
	struct vt_engine_opts eo;
	struct vt_engine *e;
	int ret;

	memset(&eo, 0, sizeof(eo));
	eo.rec_cb = cb;
	eo.rec_arg = arg;
	eo.no_analysis = true;	/* the records and their IRQs, no findings */
	ret = vt_analyse_file(path, &eo, &e);
	if (ret)
		return ret;
	vt_engine_free(e);
	return 0;
}

int vt_analyse_cmdline(int argc, char **argv,
		       const struct vt_analyse_verb *verb, bool *flag,
		       struct vt_engine **out)
{
	static const struct option engine_opts[] = {
		{ "masked-threshold", required_argument, NULL, 'M' },
		{ "storm-rate", required_argument, NULL, 'S' },
		{ "storm-still", required_argument, NULL, 'T' },
		{ "ack-wait", required_argument, NULL, 'A' },
	};
	const char shorts[] = { verb->flag_short, 'h', '\0' };
	/* flag, engine options, help, end */
	struct option opts[sizeof(engine_opts) / sizeof(engine_opts[0]) + 3];
	struct vt_engine_opts eo;
	unsigned int n = 0;
	int c, idx;

	opts[n++] = (struct option){ verb->flag, no_argument, NULL,
				     verb->flag_short };
	if (verb->engine_opts) {
		memcpy(&opts[n], engine_opts, sizeof(engine_opts));
		n += sizeof(engine_opts) / sizeof(engine_opts[0]);
	}
	opts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };

	if (vt_tc_take_from(&argc, argv))
		return VT_EXIT_ERROR;
	*flag = false;
	*out = NULL;
	memset(&eo, 0, sizeof(eo));
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, opts, &idx)) != -1) {
		if (c == verb->flag_short) {
			*flag = true;
			continue;
		}
		switch (c) {
		case 'M':
		case 'S':
		case 'T':
		case 'A':
			if (vt_engine_opts_parse(&eo, opts[idx].name, optarg))
				return VT_EXIT_ERROR;
			break;
		case 'h':
			verb->usage(stdout);
			return VT_EXIT_OK;
		default:
			verb->usage(stderr);
			return VT_EXIT_ERROR;
		}
	}
	if (optind != argc - 1) {
		verb->usage(stderr);
		return VT_EXIT_ERROR;
	}
	return vt_analyse_file(argv[optind], &eo, out) ? VT_EXIT_ERROR :
							 VT_EXIT_OK;
}
