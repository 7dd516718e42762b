/* SPDX-License-Identifier: GPL-2.0 */
/* scenario.h - the VMM's scenario table and the options of one run. */
#ifndef VT_VMM_SCENARIO_H
#define VT_VMM_SCENARIO_H

#include <stdint.h>

#include "vmm.h"

enum vfio_use {
	VFIO_NEVER,
	VFIO_OPTIONAL,	/* edu when --vfio is given, else the VMM device */
	VFIO_REQUIRED,
};

struct scenario {
	const char *name;
	uint32_t guest_id;	/* enum vt_guest_scenario */
	int nr_lines;
	enum vfio_use vfio;
	int resample;		/* irqfds get a resamplefd */
	uint32_t flags;		/* VT_FLAG_* for the guest */
	int rounds;		/* default --rounds */
	int min_vcpus;
	int mem_ack;		/* device acked with no exit: VMM device ack word
				 * in RAM, or edu BAR0 mapped as a memslot */
	const char *what;
};

struct run_opts {
	const struct scenario *scen;
	int vcpus;
	int rounds;
	int gic;		/* 2, 3 or 0: what the host supports */
	const char *vfio_bdf;
	unsigned int timeout_s;
	unsigned int wait_ms;
};

const struct scenario *scenario_find(const char *name);
void scenario_list(void);
int scenario_run(const struct run_opts *o);
void report_ground_truth(const struct run_opts *o, struct vm *vm, const char *status,
			 long host_irq, long elapsed_ms);

#endif /* VT_VMM_SCENARIO_H */
