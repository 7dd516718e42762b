// SPDX-License-Identifier: GPL-2.0
/*
 * filter.c - run-time filters as module parameters.
 *
 * All parameters are writable at run time under
 * /sys/module/vgic_trace/parameters/ (root only). Bad values are
 * refused with -EINVAL and leave the old value in place; the message
 * (dmesg, ratelimited) says why.
 *
 *   vm_pid=N            only VMs whose VMM tgid is N (0: all VMs)
 *   intid_min, intid_max only INTIDs in [min, max] (records without an
 *                       INTID always pass); 0..VT_INTID_LIMIT (24-bit
 *                       INTIDs, GICv3 IDbits <= 24), default the whole
 *                       range: SGIs, PPIs, SPIs and LPIs (8192 and up).
 *                       A pair: a value that would make min > max is
 *                       refused, at load (the module does not load) and
 *                       at run time (set intid_max before raising
 *                       intid_min, lower intid_min before intid_max).
 *   lr, irqfd, vfio, mmio  hook groups on (1) or off (0)
 */
#define pr_fmt(fmt) "vgic_trace: " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/threads.h>

#include "vt_internal.h"

/* largest INTID a GICv3 can name (IDbits = 24) */
#define VT_INTID_LIMIT	0xffffffU

static unsigned int vt_vm_pid;
static unsigned int vt_intid_min;
static unsigned int vt_intid_max = VT_INTID_LIMIT;
/* load-time parameters come in any order: the pair is checked at init */
static bool vt_filter_live;
static bool vt_groups[VT_GRP_NR] = { true, true, true, true };

static const char * const vt_group_names[VT_GRP_NR] = {
	[VT_GRP_LR] = "lr",
	[VT_GRP_IRQFD] = "irqfd",
	[VT_GRP_VFIO] = "vfio",
	[VT_GRP_MMIO] = "mmio",
};

static int vt_set_intid(const char *val, const struct kernel_param *kp)
{
	bool is_min = kp->arg == &vt_intid_min;
	unsigned int v, min, max;

	if (kstrtouint(val, 0, &v) || v > VT_INTID_LIMIT) {
		pr_warn_ratelimited("%s: '%.*s' is not an INTID (0..%u)\n",
				    kp->name, (int)strcspn(val, "\n"), val,
				    VT_INTID_LIMIT);
		return -EINVAL;
	}
	min = is_min ? v : READ_ONCE(vt_intid_min);
	max = is_min ? READ_ONCE(vt_intid_max) : v;
	if (READ_ONCE(vt_filter_live) && min > max) {
		pr_warn_ratelimited("%s=%u refused: intid_min (%u) would exceed intid_max (%u) and drop every record; %s\n",
				    kp->name, v, min, max,
				    is_min ? "raise intid_max first" :
					     "lower intid_min first");
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static int vt_set_vm_pid(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v > PID_MAX_LIMIT) {
		pr_warn_ratelimited("vm_pid: '%.*s' is not a pid (0 = all VMs)\n",
				    (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	WRITE_ONCE(vt_vm_pid, v);
	return 0;
}

static const struct kernel_param_ops vt_intid_ops = {
	.set = vt_set_intid,
	.get = param_get_uint,
};

static const struct kernel_param_ops vt_vm_pid_ops = {
	.set = vt_set_vm_pid,
	.get = param_get_uint,
};

module_param_cb(vm_pid, &vt_vm_pid_ops, &vt_vm_pid, 0644);
MODULE_PARM_DESC(vm_pid, "trace only the VM whose VMM has this tgid (0: all)");
module_param_cb(intid_min, &vt_intid_ops, &vt_intid_min, 0644);
MODULE_PARM_DESC(intid_min, "lowest INTID traced (default 0; <= intid_max)");
module_param_cb(intid_max, &vt_intid_ops, &vt_intid_max, 0644);
MODULE_PARM_DESC(intid_max, "highest INTID traced (default 16777215: SGIs, PPIs, SPIs and LPIs)");
module_param_named(lr, vt_groups[VT_GRP_LR], bool, 0644);
MODULE_PARM_DESC(lr, "list register hooks (flush/fold) on/off");
module_param_named(irqfd, vt_groups[VT_GRP_IRQFD], bool, 0644);
MODULE_PARM_DESC(irqfd, "inject/ack/resample/irqfd hooks on/off");
module_param_named(vfio, vt_groups[VT_GRP_VFIO], bool, 0644);
MODULE_PARM_DESC(vfio, "VFIO INTx hooks on/off");
module_param_named(mmio, vt_groups[VT_GRP_MMIO], bool, 0644);
MODULE_PARM_DESC(mmio, "guest GICD write hooks on/off");

/**
 * vt_filter_init - check the load-time filter parameters as a whole
 *
 * From here on every write is checked against the other bound.
 *
 * Return: 0, or -EINVAL (with a message) if intid_min > intid_max.
 */
int vt_filter_init(void)
{
	if (vt_intid_min > vt_intid_max) {
		pr_err("intid_min=%u > intid_max=%u: no INTID would be traced; not loading\n",
		       vt_intid_min, vt_intid_max);
		return -EINVAL;
	}
	WRITE_ONCE(vt_filter_live, true);
	return 0;
}

/**
 * vt_group_on - is a hook group switched on
 * @g:	group
 *
 * Return: true when records of @g are wanted.
 */
bool vt_group_on(enum vt_group g)
{
	return g < VT_GRP_NR && READ_ONCE(vt_groups[g]);
}

/**
 * vt_group_name - name of a hook group (as its module parameter)
 * @g:	group
 *
 * Return: a static string, "?" for an unknown group.
 */
const char *vt_group_name(enum vt_group g)
{
	return g < VT_GRP_NR ? vt_group_names[g] : "?";
}

/**
 * vt_vm_ok - does a VM pass the vm_pid filter
 * @vm_id:	VMM tgid of the record, VT_NO_VM if unknown
 *
 * Records whose VM is unknown pass (they cannot be attributed).
 *
 * Return: true to keep the record.
 */
bool vt_vm_ok(u32 vm_id)
{
	unsigned int want = READ_ONCE(vt_vm_pid);

	return !want || vm_id == VT_NO_VM || vm_id == want;
}

/**
 * vt_intid_ok - does an INTID pass the intid_min/intid_max filter
 * @intid:	INTID, VT_NO_INTID if the record has none
 *
 * Return: true to keep the record.
 */
bool vt_intid_ok(u32 intid)
{
	if (intid == VT_NO_INTID)
		return true;
	return intid >= READ_ONCE(vt_intid_min) &&
	       intid <= READ_ONCE(vt_intid_max);
}
