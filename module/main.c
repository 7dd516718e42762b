// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - vgic_trace.ko init and exit only.
 *
 * Order: filter parameters checked, host facts and hash key, stream (/dev/vgic_trace), debugfs
 * status, then the probes (a missing symbol is reported, not fatal).
 * Exit undoes it in reverse: probes first, so no handler runs when the
 * buffer goes away.
 */
#define pr_fmt(fmt) "vgic_trace: " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "vt_internal.h"

static int __init vt_init(void)
{
	int ret;

	ret = vt_filter_init();
	if (ret)
		return ret;
	ret = vt_meta_init();
	if (ret)
		return ret;
	ret = vt_stream_init();
	if (ret)
		return ret;
	vt_status_init();
	ret = vt_hooks_init();
	if (ret) {
		pr_err("cannot register the module notifier: %d\n", ret);
		vt_status_exit();
		vt_stream_exit();
		return ret;
	}
	pr_info("loaded: ABI %u.%u, /dev/vgic_trace, host GICv%u\n",
		VT_ABI_MAJOR, VT_ABI_MINOR, vt_host_gic());
	return 0;
}

static void __exit vt_exit(void)
{
	vt_hooks_exit();
	vt_status_exit();
	vt_stream_exit();
	pr_info("unloaded\n");
}

module_init(vt_init);
module_exit(vt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vgic-trace: trace KVM/arm64 virtual interrupt delivery (vgic LRs, irqfd resample, VFIO INTx)");
MODULE_AUTHOR("vgic-trace");
