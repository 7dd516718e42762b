// SPDX-License-Identifier: GPL-2.0
/* table.c - guest scenario table: id -> EOImode, vCPUs, body, handler. */
#include "scenario.h"
#include "scen.h"

static const struct guest_scenario table[] = {
	{ VT_GS_HEALTHY,      0, 1, body_rounds,      irq_ack_eoi },
	{ VT_GS_NO_RESAMPLE,  0, 1, body_rounds,      irq_capped },
	{ VT_GS_GUEST_NO_EOI, 0, 1, body_no_eoi,      irq_no_eoi },
	{ VT_GS_ICACTIVER,    1, 1, body_icactiver,   irq_icactiver },
	{ VT_GS_ICPENDR,      0, 1, body_icpendr,     irq_count_eoi },
	{ VT_GS_STORM,        0, 1, body_storm,       irq_storm },
	{ VT_GS_LR_OVERFLOW,  1, 1, body_lr_overflow, irq_lr },
	{ VT_GS_MIGRATE,      0, 2, body_migrate,     irq_migrate },
	{ VT_GS_MEM_ACK,      0, 1, body_mem_ack,     irq_mem_ack },
};

/** guest_scenario_find() - the table entry for @id, or NULL. */
const struct guest_scenario *guest_scenario_find(vt_u32 id)
{
	unsigned int i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].id == id)
			return &table[i];
	return 0;
}
