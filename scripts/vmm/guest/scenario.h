/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scenario.h - guest-side scenarios: each has a body run by vCPU 0 and an
 * interrupt handler run by whichever vCPU takes the SPI.
 */
#ifndef VT_GUEST_SCENARIO_H
#define VT_GUEST_SCENARIO_H

#include "shared.h"

struct guest_scenario {
	vt_u32 id;
	int eoimode;				/* 1: EOIR drops priority only */
	int min_vcpus;
	void (*body)(void);			/* vCPU 0, IRQs masked on entry */
	void (*irq)(vt_u32 cpu, vt_u32 intid);	/* IAR already done */
};

const struct guest_scenario *guest_scenario_find(vt_u32 id);

#endif /* VT_GUEST_SCENARIO_H */
