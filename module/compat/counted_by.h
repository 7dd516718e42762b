/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat/counted_by.h - forced in (-include, after compiler_types.h) by
 * module/toolchain.mk only when the kernel's compiler had the counted_by
 * attribute (CONFIG_CC_HAS_COUNTED_BY) and ours does not: the attribute
 * only adds bounds checks, so without it the layout is the same and gcc
 * would otherwise warn (-Werror) at every use in the kernel headers.
 */
#include <linux/compiler_types.h>
#undef __counted_by
#define __counted_by(member)
#undef __counted_by_ptr
#define __counted_by_ptr(member)
