// SPDX-License-Identifier: GPL-2.0
/*
 * soak-bpf.c - vt-bpfsoak: BPF attach/detach cycles of vgic-traced's BPF
 * object, for the soak (scripts/testhost/soak-inner.sh, `make soak`).
 *
 *   vt-bpfsoak CYCLES RELOAD_EVERY HOLD_MS [BUDGET_S]
 *   vt-bpfsoak --count
 *
 * Opens and loads the object of bpf/vgic_trace.bpf.c (the skeleton
 * vgic-traced uses) once, then CYCLES times attaches every loaded
 * program, keeps the links HOLD_MS ms, and destroys them. Every
 * RELOAD_EVERY cycles (0: never) the whole object is destroyed and
 * opened, loaded again (a full load/unload cycle). With BUDGET_S > 0 it
 * stops after the cycle that ends past BUDGET_S seconds (cycles= says how
 * many ran).
 *
 * Which programs: the kprobe/kretprobe ones whose symbol is in
 * /proc/kallsyms and the tp_btf ones (fentry/fexit are vgic-traced's own
 * choice per kernel, the selftest st_* ones are test-only); a program the
 * kernel refuses at load is left out (named in the output) and the load
 * retried. The first cycle fixes which programs attach; a later cycle
 * attaching a different number is an error.
 *
 * Prints "VT_BPFSOAK cycles=... reloads=... progs=... links=..." and the
 * kernel's BPF program and link ids before and after (nothing of ours
 * may be left: progs_after == progs_before, links_after == links_before).
 * --count prints only "VT_BPFIDS progs=N links=N".
 * Exit status: 0 ok, 1 a cycle failed or something was left, 2 usage.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vgic_trace.skel.h"

#define MAX_PROGS	128

static char **ksyms;
static size_t nr_ksyms;
static char refused[MAX_PROGS][64];
static int nr_refused;
static bool in_load;	/* names are collected during a load only */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the text symbols of /proc/kallsyms, sorted for bsearch() */
static int read_kallsyms(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], type;
	size_t cap = 0;
	unsigned long long addr;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (nr_ksyms == cap) {
			cap = cap ? cap * 2 : 65536;
			ksyms = realloc(ksyms, cap * sizeof(*ksyms));
			if (!ksyms) {
				fclose(f);
				return -ENOMEM;
			}
		}
		ksyms[nr_ksyms++] = strdup(name);
	}
	fclose(f);
	qsort(ksyms, nr_ksyms, sizeof(*ksyms), cmp_str);
	return 0;
}

static bool have_sym(const char *s)
{
	return bsearch(&s, ksyms, nr_ksyms, sizeof(*ksyms), cmp_str) != NULL;
}

static bool is_refused(const char *name)
{
	for (int i = 0; i < nr_refused; i++)
		if (!strcmp(refused[i], name))
			return true;
	return false;
}

/* libbpf's messages: remember "prog 'NAME': ... failed" names, else quiet */
static int on_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[1024];
	const char *p, *q;

	if (level > LIBBPF_WARN || !in_load)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	p = strstr(msg, "prog '");
	if (p && strstr(msg, "failed") && nr_refused < MAX_PROGS) {
		p += 6;
		q = strchr(p, '\'');
		if (q && q - p < 64 && q > p) {
			char n[64];

			memcpy(n, p, q - p);
			n[q - p] = 0;
			if (!is_refused(n))
				strcpy(refused[nr_refused++], n);
		}
	}
	return 0;
}

/* open and load the object with the programs this kernel can run */
static struct vgic_trace_bpf *load(void)
{
	for (int tries = 0; tries < 32; tries++) {
		struct vgic_trace_bpf *skel = vgic_trace_bpf__open();
		struct bpf_program *p;
		int before = nr_refused, err;

		if (!skel)
			return NULL;
		bpf_object__for_each_program(p, skel->obj) {
			const char *sec = bpf_program__section_name(p);
			const char *name = bpf_program__name(p);
			bool on = true;

			if (!strncmp(name, "st_", 3) || is_refused(name) ||
			    !strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6))
				on = false;
			else if (!strncmp(sec, "kprobe/", 7))
				on = have_sym(sec + 7);
			else if (!strncmp(sec, "kretprobe/", 10))
				on = have_sym(sec + 10);
			bpf_program__set_autoload(p, on);
		}
		in_load = true;
		err = vgic_trace_bpf__load(skel);
		in_load = false;
		if (!err)
			return skel;
		vgic_trace_bpf__destroy(skel);
		if (nr_refused == before) {
			fprintf(stderr, "vt-bpfsoak: load failed (%d), no program named\n", err);
			return NULL;
		}
	}
	return NULL;
}

/* ids the kernel has of programs and links */
static void count_ids(int *progs, int *links)
{
	__u32 id = 0;

	*progs = 0;
	while (!bpf_prog_get_next_id(id, &id))
		(*progs)++;
	id = 0;
	*links = 0;
	while (!bpf_link_get_next_id(id, &id))
		(*links)++;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct bpf_link *links[MAX_PROGS];
	struct vgic_trace_bpf *skel;
	int progs0, links0, progs1, links1, nprogs = 0, want = -1;
	long cycles, reload, hold, budget = 0, reloads = 0, bad = 0, c;
	double t0, t_load = 0;

	libbpf_set_print(on_libbpf);
	if (argc == 2 && !strcmp(argv[1], "--count")) {
		count_ids(&progs0, &links0);
		printf("VT_BPFIDS progs=%d links=%d\n", progs0, links0);
		return 0;
	}
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: vt-bpfsoak CYCLES RELOAD_EVERY HOLD_MS [BUDGET_S] | --count\n");
		return 2;
	}
	cycles = strtol(argv[1], NULL, 10);
	reload = strtol(argv[2], NULL, 10);
	hold = strtol(argv[3], NULL, 10);
	if (argc == 5)
		budget = strtol(argv[4], NULL, 10);
	if (cycles < 1 || reload < 0 || hold < 0 || budget < 0) {
		fprintf(stderr, "vt-bpfsoak: CYCLES >= 1, RELOAD_EVERY >= 0, HOLD_MS >= 0\n");
		return 2;
	}
	if (read_kallsyms()) {
		fprintf(stderr, "vt-bpfsoak: cannot read /proc/kallsyms\n");
		return 1;
	}
	count_ids(&progs0, &links0);
	t0 = now_s();
	skel = load();
	if (!skel) {
		fprintf(stderr, "vt-bpfsoak: cannot load the BPF object\n");
		return 1;
	}
	t_load = now_s() - t0;
	t0 = now_s();
	for (c = 0; c < cycles; c++) {
		struct bpf_program *p;
		int n = 0, i;

		if (reload && c && c % reload == 0) {
			vgic_trace_bpf__destroy(skel);
			skel = load();
			if (!skel) {
				fprintf(stderr, "vt-bpfsoak: reload %ld failed\n", reloads + 1);
				bad++;
				break;
			}
			reloads++;
		}
		nprogs = 0;
		bpf_object__for_each_program(p, skel->obj) {
			struct bpf_link *l;

			if (!bpf_program__autoload(p))
				continue;
			nprogs++;
			l = bpf_program__attach(p);
			if (!l) {
				if (c == 0)
					fprintf(stderr, "vt-bpfsoak: %s does not attach (%d), left out\n",
						bpf_program__name(p), -errno);
				continue;
			}
			if (n < MAX_PROGS)
				links[n++] = l;
		}
		if (want < 0)
			want = n;
		if (n != want) {
			fprintf(stderr, "vt-bpfsoak: cycle %ld attached %d links, cycle 0 %d\n",
				c, n, want);
			bad++;
		}
		if (hold)
			usleep(hold * 1000);
		for (i = 0; i < n; i++)
			bpf_link__destroy(links[i]);
		if (budget && now_s() - t0 > budget) {
			c++;
			break;
		}
	}
	vgic_trace_bpf__destroy(skel);
	/* programs are freed after an RCU grace period: wait up to 5 s */
	for (int i = 0; i < 100; i++) {
		count_ids(&progs1, &links1);
		if (progs1 == progs0 && links1 == links0)
			break;
		usleep(50000);
	}
	for (int i = 0; i < nr_refused; i++)
		fprintf(stderr, "vt-bpfsoak: %s refused by the kernel at load, left out\n",
			refused[i]);
	printf("VT_BPFSOAK cycles=%ld reloads=%ld progs=%d links=%d bad=%ld load_s=%.2f cycles_s=%.2f progs_before=%d progs_after=%d links_before=%d links_after=%d\n",
	       c, reloads, nprogs, want, bad, t_load, now_s() - t0, progs0, progs1,
	       links0, links1);
	if (want <= 0 || bad || progs1 != progs0 || links1 != links0)
		return 1;
	return 0;
}
