// SPDX-License-Identifier: GPL-2.0
/*
 * vt-bpfstat.c - the kernel's own miss counters of every BPF program and
 * link on this host, for the tests (the test host has no bpftool):
 *   vt-bpfstat
 * prints "progs=N prog_misses=X links=M kprobe_links=K link_missed=Y
 * link_missed_known=0|1" and a "prog NAME misses" / "link ID missed"
 * line per nonzero count. It asks the kernel by id (BPF_*_GET_NEXT_ID),
 * not through the tracer's descriptors, with the UAPI layouts of 6.7+
 * written out here: struct bpf_link_info of a kprobe perf link has
 * perf_event.type at byte 16 and perf_event.kprobe.missed at byte 48.
 * link_missed_known is 1 when the running kernel is 6.7 or later.
 * Needs CAP_SYS_ADMIN. Exit 1 when the bpf() syscall fails.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/bpf.h>

#define LINK_PE_TYPE	16
#define LINK_KP_MISSED	48

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(__NR_bpf, cmd, a, sizeof(*a));
}

/* next id after @id for @cmd (BPF_PROG/LINK_GET_NEXT_ID); 0 at the end */
static uint32_t next_id(int cmd, uint32_t id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.start_id = id;
	if (sys_bpf(cmd, &a))
		return 0;
	return a.next_id;
}

static int get_fd(int cmd, uint32_t id, int is_link)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	if (is_link)
		a.link_id = id;
	else
		a.prog_id = id;
	return sys_bpf(cmd, &a);
}

static int get_info(int fd, void *info, uint32_t len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = len;
	a.info.info = (uint64_t)(unsigned long)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
}

int main(void)
{
	uint64_t prog_misses = 0, link_missed = 0, buf[32], missed;
	unsigned int progs = 0, links = 0, kp_links = 0, maj = 0, min = 0;
	struct bpf_prog_info pi;
	uint32_t id, type, pe;
	struct utsname u;
	int fd;

	if (!uname(&u))
		sscanf(u.release, "%u.%u", &maj, &min);
	for (id = next_id(BPF_PROG_GET_NEXT_ID, 0); id;
	     id = next_id(BPF_PROG_GET_NEXT_ID, id)) {
		fd = get_fd(BPF_PROG_GET_FD_BY_ID, id, 0);
		if (fd < 0)
			continue;	/* gone meanwhile */
		memset(&pi, 0, sizeof(pi));
		if (!get_info(fd, &pi, sizeof(pi))) {
			progs++;
			prog_misses += pi.recursion_misses;
			if (pi.recursion_misses)
				printf("prog %s %" PRIu64 "\n", pi.name,
				       (uint64_t)pi.recursion_misses);
		}
		close(fd);
	}
	for (id = next_id(BPF_LINK_GET_NEXT_ID, 0); id;
	     id = next_id(BPF_LINK_GET_NEXT_ID, id)) {
		fd = get_fd(BPF_LINK_GET_FD_BY_ID, id, 1);
		if (fd < 0)
			continue;
		memset(buf, 0, sizeof(buf));
		if (!get_info(fd, buf, sizeof(buf))) {
			links++;
			memcpy(&type, buf, 4);
			memcpy(&pe, (char *)buf + LINK_PE_TYPE, 4);
			/* BPF_LINK_TYPE_PERF_EVENT, BPF_PERF_EVENT_K(RET)PROBE */
			if (type == 7 && (pe == 3 || pe == 4)) {
				kp_links++;
				memcpy(&missed, (char *)buf + LINK_KP_MISSED, 8);
				link_missed += missed;
				if (missed)
					printf("link %u %" PRIu64 "\n", id, missed);
			}
		}
		close(fd);
	}
	if (!progs && errno == EPERM) {
		perror("vt-bpfstat: bpf");
		return 1;
	}
	printf("progs=%u prog_misses=%" PRIu64 " links=%u kprobe_links=%u link_missed=%" PRIu64
	       " link_missed_known=%d\n", progs, prog_misses, links, kp_links, link_missed,
	       maj > 6 || (maj == 6 && min >= 7));
	return 0;
}
