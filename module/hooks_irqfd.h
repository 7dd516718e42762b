/* SPDX-License-Identifier: GPL-2.0 */
/* hooks_irqfd.h - state of the irqfd hooks shared with the inject hook. */
#ifndef _VT_HOOKS_IRQFD_H
#define _VT_HOOKS_IRQFD_H

#include <linux/types.h>

bool vt_in_resampler(void);

#endif /* _VT_HOOKS_IRQFD_H */
