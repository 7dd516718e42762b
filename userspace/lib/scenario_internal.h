/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * scenario_internal.h - shared by the scenario importer's files:
 * scenario.c (lines, time, repeat), scenario_util.c (tokens, numbers),
 * scenario_records.c (one record kind per line).
 */
#ifndef VT_SCENARIO_INTERNAL_H
#define VT_SCENARIO_INTERNAL_H

#include <stdint.h>
#include "vt_scenario.h"

#define MAX_TOK		40
#define MAX_REPEAT	64

struct scen {
	const char *name;
	unsigned int line;
	char *err;
	size_t errlen;
	struct vt_host_facts *facts;
	uint32_t vm, vcpu, cpu;
	uint64_t prev_ts;
	uint64_t base;		/* repeat iteration base */
	vt_scen_emit emit;
	void *arg;
	long count;
};

/* scenario_util.c */
int scen_fail(struct scen *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int scen_num(const char *t, uint64_t *out);
int scen_dur(const char *t, uint64_t *out);
const char *scen_kv(char **tok, int n, const char *key);
int scen_getnum(struct scen *s, char **tok, int n, const char *key,
		uint64_t def, uint64_t max, uint64_t *out);
int scen_check_keys(struct scen *s, char **tok, int n, const char *const *keys);
int scen_pick(struct scen *s, const char *v, const char *const *names,
	      unsigned int nnames, unsigned int *out, const char *what);

/**
 * scen_record() - fill one record from "KIND args..." tokens
 * @s:		importer state (facts, line for messages)
 * @kind:	record kind ("flush", "inject", ...)
 * @tok:	arguments after the kind
 * @n:		number of arguments
 * @h:		record buffer of VT_REC_MAX_SIZE bytes (zeroed); type and size set
 *
 * Return: 0 or -EINVAL with the message in @s.
 */
int scen_record(struct scen *s, const char *kind, char **tok, int n,
		struct vt_hdr *h);

#endif /* VT_SCENARIO_INTERNAL_H */
