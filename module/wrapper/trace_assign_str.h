/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/trace_assign_str.h - __assign_str() of TRACE_EVENT().
 *
 * Until 6.9 __assign_str(dst, src) took the source again; from 6.10 it
 * takes only the field and copies the source named by __string(dst, src).
 * The change is in a macro's arity, which the preprocessor cannot test,
 * so it is selected by version.
 */
#ifndef _VT_WRAPPER_TRACE_ASSIGN_STR_H
#define _VT_WRAPPER_TRACE_ASSIGN_STR_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define vt_assign_str(dst, src)	__assign_str(dst, src)
#else
#define vt_assign_str(dst, src)	__assign_str(dst)
#endif

#endif /* _VT_WRAPPER_TRACE_ASSIGN_STR_H */
