/* SPDX-License-Identifier: GPL-2.0 */
/* scen.h - guest scenario bodies and handlers (scen_*.c) for the table. */
#ifndef VT_GUEST_SCEN_H
#define VT_GUEST_SCEN_H

#include "shared.h"

void irq_ack_eoi(vt_u32 cpu, vt_u32 intid);
void irq_capped(vt_u32 cpu, vt_u32 intid);
void irq_no_eoi(vt_u32 cpu, vt_u32 intid);
void irq_storm(vt_u32 cpu, vt_u32 intid);
void irq_migrate(vt_u32 cpu, vt_u32 intid);
void irq_icactiver(vt_u32 cpu, vt_u32 intid);
void irq_count_eoi(vt_u32 cpu, vt_u32 intid);
void irq_lr(vt_u32 cpu, vt_u32 intid);
void irq_mem_ack(vt_u32 cpu, vt_u32 intid);

void body_rounds(void);
void body_no_eoi(void);
void body_storm(void);
void body_migrate(void);
void body_icactiver(void);
void body_icpendr(void);
void body_lr_overflow(void);
void body_mem_ack(void);

#endif /* VT_GUEST_SCEN_H */
