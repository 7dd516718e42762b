/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * mmio_cleared.h - rule "mmio-state-cleared" (mmio_cleared.c): its
 * event hook for the bus (bus.c). The bus calls it only for a guest
 * write and while the rule watches an IRQ (rules.def), so it stays out
 * of line: a call through the descriptor.
 */
#ifndef VT_RULE_MMIO_CLEARED_H
#define VT_RULE_MMIO_CLEARED_H

#include "rule.h"

/**
 * vt_on_mmio_cleared() - the rule's event hook
 * @e:		engine
 * @ev:		event
 * @st:		the rule's state of ev->irq (NULL without an IRQ)
 * @k:		ev->kind
 */
static inline void vt_on_mmio_cleared(struct vt_engine *e,
				      const struct vt_ev *ev, void *st,
				      const enum vt_ev_kind k)
{
	(void)k;
	vt_rule_mmio_cleared.event(e, ev, st);
}

#endif /* VT_RULE_MMIO_CLEARED_H */
