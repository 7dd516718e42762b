/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wrapper/fs_llseek.h - the llseek of a non-seekable character device.
 *
 * no_llseek() was removed in 6.12 (file_operations without .llseek and
 * FMODE_LSEEK cleared by nonseekable_open() now mean "not seekable");
 * before that it was the way to say so. The device is opened with
 * nonseekable_open() on every kernel.
 */
#ifndef _VT_WRAPPER_FS_LLSEEK_H
#define _VT_WRAPPER_FS_LLSEEK_H

#include <linux/fs.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define vt_no_llseek	no_llseek
#else
#define vt_no_llseek	NULL
#endif

#endif /* _VT_WRAPPER_FS_LLSEEK_H */
