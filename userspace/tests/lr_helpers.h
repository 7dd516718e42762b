/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lr_helpers.h - shared by the LR handler tests (test_lr_fast.c,
 * test_lr_run.c), which look inside the engine.
 */
#ifndef VT_TEST_LR_HELPERS_H
#define VT_TEST_LR_HELPERS_H

#include "engine_internal.h"

/* the last history entry of @irq, formatted (a static buffer) */
static inline const char *last_hist(struct vt_engine *e, struct vt_irq *irq)
{
	static char buf[256];

	vt_hist_format(e, irq, (irq->hist_n - 1) % VT_HIST_LEN, buf,
		       sizeof(buf));
	return buf;
}

#endif /* VT_TEST_LR_HELPERS_H */
