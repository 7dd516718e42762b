// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * scenario.c - human-readable scenario text -> ABI records, for replay
 * tests. Syntax: docs/engine.md "Scenario files". Example:
 *
 *   facts kernel=6.1.0-56-arm64 gic=3 nr_lrs=4
 *   default vm=100 vcpu=0 cpu=0
 *   @0     irqfd gsi=0 resample key=0x11 rkey=0x22
 *   @10us  flush lr=32:P:eoi
 *   @+5us  fold lr=32:A:eoi
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vt_lr.h"
#include "vt_record.h"
#include "scenario_internal.h"

static void hdr(struct scen *s, struct vt_hdr *h, unsigned int type,
		size_t size, uint64_t ts, uint32_t vm, uint32_t vcpu, uint32_t cpu)
{
	h->type = (uint16_t)type;
	h->size = (uint16_t)size;
	h->ts_ns = ts;
	h->vm_id = vm;
	h->vcpu_id = vcpu;
	h->cpu = cpu;
	(void)s;
}

static int do_facts(struct scen *s, char **tok, int n)
{
	static const char *const k[] = { "kernel", "arch", "gic", "nr_lrs", "backend", NULL };
	uint64_t v;
	const char *t;
	int ret;

	if ((ret = scen_check_keys(s, tok, n, k)))
		return ret;
	if ((t = scen_kv(tok, n, "kernel")))
		snprintf(s->facts->kernel_release, sizeof(s->facts->kernel_release), "%s", t);
	if ((t = scen_kv(tok, n, "arch")))
		snprintf(s->facts->arch, sizeof(s->facts->arch), "%s", t);
	if ((ret = scen_getnum(s, tok, n, "gic", s->facts->gic_version, 3, &v)))
		return ret;
	s->facts->gic_version = (uint8_t)v;
	if ((ret = scen_getnum(s, tok, n, "nr_lrs", s->facts->nr_lrs, VT_MAX_LR, &v)))
		return ret;
	s->facts->nr_lrs = (uint8_t)v;
	if ((t = scen_kv(tok, n, "backend"))) {
		if (!strcmp(t, "module"))
			s->facts->backend = VT_BACKEND_MODULE;
		else if (!strcmp(t, "bpf"))
			s->facts->backend = VT_BACKEND_BPF;
		else if (!strcmp(t, "replay"))
			s->facts->backend = VT_BACKEND_REPLAY;
		else
			return scen_fail(s, "unknown backend '%s'", t);
	}
	return 0;
}

static int do_default(struct scen *s, char **tok, int n)
{
	static const char *const k[] = { "vm", "vcpu", "cpu", NULL };
	uint64_t v;
	int ret;

	if ((ret = scen_check_keys(s, tok, n, k)))
		return ret;
	if ((ret = scen_getnum(s, tok, n, "vm", s->vm, 0xffffffffull, &v)))
		return ret;
	s->vm = (uint32_t)v;
	if ((ret = scen_getnum(s, tok, n, "vcpu", s->vcpu, 0xffffffffull, &v)))
		return ret;
	s->vcpu = (uint32_t)v;
	if ((ret = scen_getnum(s, tok, n, "cpu", s->cpu, 0xffffffffull, &v)))
		return ret;
	s->cpu = (uint32_t)v;
	return 0;
}

/* "@TIME [vm=] [vcpu=] [cpu=] KIND args..." */
static int do_line(struct scen *s, char **tok, int n)
{
	union {
		struct vt_hdr h;
		uint8_t b[VT_REC_MAX_SIZE];
		uint64_t align;
	} u;
	const char *t = tok[0] + 1;
	uint32_t vm = s->vm, vcpu = s->vcpu, cpu = s->cpu;
	uint64_t ts, v;
	char err[120];
	int i = 1, ret;

	if (*t == '+') {
		if (scen_dur(t + 1, &v))
			return scen_fail(s, "bad time '%s'", tok[0]);
		ts = s->prev_ts + v;
	} else {
		if (scen_dur(t, &v))
			return scen_fail(s, "bad time '%s'", tok[0]);
		ts = s->base + v;
	}
	for (; i < n; i++) {
		if (!strncmp(tok[i], "vm=", 3) && !scen_num(tok[i] + 3, &v) && v <= 0xffffffffull)
			vm = (uint32_t)v;
		else if (!strncmp(tok[i], "vcpu=", 5) && !scen_num(tok[i] + 5, &v) && v <= 0xffffffffull)
			vcpu = (uint32_t)v;
		else if (!strncmp(tok[i], "cpu=", 4) && !scen_num(tok[i] + 4, &v) && v <= 0xffffffffull)
			cpu = (uint32_t)v;
		else
			break;
	}
	if (i >= n)
		return scen_fail(s, "missing record kind after the time");
	memset(&u, 0, sizeof(u));
	ret = scen_record(s, tok[i], tok + i + 1, n - i - 1, &u.h);
	if (ret)
		return ret;
	hdr(s, &u.h, u.h.type, u.h.size, ts, vm, vcpu, cpu);
	if (vt_record_check(&u.h, sizeof(u), err, sizeof(err)))
		return scen_fail(s, "%s", err);
	s->prev_ts = ts;
	s->count++;
	return s->emit(&u.h, s->arg);
}

static int tokenize(char *line, char **tok)
{
	char *save = NULL, *p;
	int n = 0;

	p = strchr(line, '#');
	if (p)
		*p = 0;
	for (p = strtok_r(line, " \t\r\n", &save); p && n < MAX_TOK;
	     p = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = p;
	return n;
}

/*
 * One line into @buf (NUL terminated, without its comment): a comment
 * of any length is skipped whole; text before it longer than @size - 1
 * bytes sets *@too_long. Return: 1 for a line, 0 at the end, -errno for
 * a read error (a directory, EIO: never taken for the end of the file).
 */
static int read_line(FILE *in, char *buf, size_t size, bool *too_long)
{
	bool comment = false, any = false;
	size_t len = 0;
	int c;

	*too_long = false;
	errno = 0;
	while ((c = getc(in)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == '#')
			comment = true;
		if (comment)
			continue;
		if (len + 1 >= size)
			*too_long = true;
		else
			buf[len++] = (char)c;
	}
	buf[len] = 0;
	if (c == EOF && ferror(in))
		return errno ? -errno : -EIO;
	return any ? 1 : 0;
}

static void free_block(char **block, unsigned int *nblock)
{
	unsigned int j;

	for (j = 0; j < *nblock; j++)
		free(block[j]);
	*nblock = 0;
}

/* emit a repeat block @times times, @every ns apart */
static int run_block(struct scen *s, char **block, unsigned int nblock,
		     unsigned int block_line, uint64_t times, uint64_t every)
{
	char copy[VT_SCEN_MAX_LINE + 1], *tok[MAX_TOK];
	uint64_t start = s->prev_ts, r;
	unsigned int j;
	int n, ret = 0;

	for (r = 0; r < times && !ret; r++) {
		if (every && r > (UINT64_MAX - start) / every)
			return scen_fail(s, "repeat: time overflows after %llu rounds",
					 (unsigned long long)r);
		s->base = start + r * every;
		for (j = 0; j < nblock && !ret; j++) {
			s->line = block_line + j + 1;
			snprintf(copy, sizeof(copy), "%s", block[j]);
			n = tokenize(copy, tok);
			ret = n ? do_line(s, tok, n) : 0;
		}
	}
	s->base = 0;
	return ret;
}

static unsigned int block_records(char **block, unsigned int nblock)
{
	char copy[VT_SCEN_MAX_LINE + 1], *tok[MAX_TOK];
	unsigned int j, n = 0;

	for (j = 0; j < nblock; j++) {
		snprintf(copy, sizeof(copy), "%s", block[j]);
		if (tokenize(copy, tok))
			n++;
	}
	return n;
}

long vt_scenario_import(FILE *in, const char *name,
			struct vt_host_facts *facts, vt_scen_emit emit,
			void *arg, char *err, size_t errlen)
{
	struct scen s = {
		.name = name, .err = err, .errlen = errlen, .facts = facts,
		.emit = emit, .arg = arg, .vm = 1, .vcpu = 0,
	};
	char line[VT_SCEN_MAX_LINE + 1], *block[MAX_REPEAT], *tok[MAX_TOK];
	unsigned int block_line = 0, nblock = 0, in_block = 0;
	uint64_t every = 0, times = 0;
	bool too_long, read_err = false;
	int n, ret = 0;

	if (err && errlen)
		err[0] = 0;
	memset(facts, 0, sizeof(*facts));
	facts->gic_version = VT_GIC_V3;
	facts->backend = VT_BACKEND_REPLAY;
	snprintf(facts->arch, sizeof(facts->arch), "aarch64");
	while ((ret = read_line(in, line, sizeof(line), &too_long)) > 0 ||
	       (read_err = ret < 0, false)) {
		ret = 0;
		s.line++;
		if (too_long) {
			ret = scen_fail(&s, "line longer than %u bytes (comments may be longer)",
					VT_SCEN_MAX_LINE);
			break;
		}
		if (in_block) {
			char copy[sizeof(line)];

			snprintf(copy, sizeof(copy), "%s", line);
			n = tokenize(copy, tok);
			if (n == 1 && !strcmp(tok[0], "end")) {
				if (times * block_records(block, nblock) > VT_SCEN_MAX_REPEAT) {
					s.line = block_line;
					ret = scen_fail(&s, "repeat makes %llu records, more than %u",
							(unsigned long long)times *
							block_records(block, nblock),
							VT_SCEN_MAX_REPEAT);
					break;
				}
				ret = run_block(&s, block, nblock, block_line, times, every);
				free_block(block, &nblock);
				in_block = 0;
				if (ret)
					break;
				continue;
			}
			if (nblock >= MAX_REPEAT) {
				ret = scen_fail(&s, "repeat block longer than %u lines", MAX_REPEAT);
				break;
			}
			block[nblock] = strdup(line);
			if (!block[nblock]) {
				ret = -ENOMEM;
				break;
			}
			nblock++;
			continue;
		}
		n = tokenize(line, tok);
		if (!n)
			continue;
		if (!strcmp(tok[0], "facts"))
			ret = do_facts(&s, tok + 1, n - 1);
		else if (!strcmp(tok[0], "default"))
			ret = do_default(&s, tok + 1, n - 1);
		else if (!strcmp(tok[0], "repeat")) {
			if (n != 4 || strcmp(tok[2], "every") || scen_num(tok[1], &times) ||
			    scen_dur(tok[3], &every) || !times)
				ret = scen_fail(&s, "syntax: repeat N every DURATION ... end");
			else if (times > VT_SCEN_MAX_REPEAT)
				ret = scen_fail(&s, "repeat %llu: more than %u rounds",
						(unsigned long long)times, VT_SCEN_MAX_REPEAT);
			in_block = 1;
			block_line = s.line;
		} else if (tok[0][0] == '@')
			ret = do_line(&s, tok, n);
		else
			ret = scen_fail(&s, "unknown line '%s'", tok[0]);
		if (ret)
			break;
	}
	if (ret < 0 && ret != -EINVAL && read_err && err && errlen)
		snprintf(err, errlen, "%s: read: %s", name, strerror(-ret));
	if (!ret && in_block)
		ret = scen_fail(&s, "repeat without end");
	free_block(block, &nblock);
	return ret ? ret : s.count;
}
