// SPDX-License-Identifier: GPL-2.0
/*
 * status.c - readable status under /sys/kernel/debug/vgic_trace/:
 *
 *   hooks   one line per probe: hook id, group, symbol, status, error,
 *           missed kretprobe instances
 *   stats   reader open or not, records written, lost records per CPU
 *           (and of them lost in copy_to_user, lost still queued at
 *           VT_IOC_DISCARD), failed writes, probe hits missed, the
 *           reader's work (reads, ring buffer peeks, records); all since
 *           the last open of /dev/vgic_trace
 */
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "vt_internal.h"

static struct dentry *vt_debugfs;

static void vt_show_probe(const struct vt_probe *p, void *arg)
{
	struct seq_file *m = arg;
	int status = p->status;

	if (p->armed && !vt_group_on(p->group))
		status = VT_ATTACH_DISABLED;
	seq_printf(m, "%-3u %-6s %-14s %-30s %-10s err=%d missed=%llu row=%s\n",
		   p->hook_id, vt_group_name(p->group),
		   p->modname ? p->modname : "vmlinux",
		   p->sym, vt_attach_name(status),
		   p->armed ? 0 : p->err,
		   p->armed ? vt_probe_missed(p) : 0ULL, p->name);
}

static int vt_hooks_show(struct seq_file *m, void *v)
{
	seq_puts(m, "id  group  where          symbol                         status\n");
	vt_for_each_probe(vt_show_probe, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vt_hooks);

static int vt_stats_show(struct seq_file *m, void *v)
{
	u64 total = 0, copy = 0, l;
	struct vt_reader_stats rs;
	int cpu;

	seq_printf(m, "reader_open %d\n", vt_stream_active());
	seq_printf(m, "records_written %llu\n", vt_stream_written());
	for_each_possible_cpu(cpu) {
		l = vt_stream_lost_cpu(cpu);
		total += l;
		copy += vt_stream_copy_failed_cpu(cpu);
		seq_printf(m, "lost_cpu%d %llu\n", cpu, l);
	}
	seq_printf(m, "lost_total %llu\n", total);
	seq_printf(m, "lost_copy %llu\n", copy);
	seq_printf(m, "lost_close %llu\n", vt_stream_close_lost());
	seq_printf(m, "write_failed %llu\n", vt_stream_write_failed());
	seq_printf(m, "probe_missed %llu\n", vt_stream_probe_missed());
	vt_stream_reader_stats(&rs);
	seq_printf(m, "reader_reads %llu\n", rs.reads);
	seq_printf(m, "reader_peeks %llu\n", rs.peeks);
	seq_printf(m, "reader_records %llu\n", rs.records);
	seq_printf(m, "reader_copy_faults %llu\n", rs.copy_faults);
	seq_printf(m, "nr_cpu_ids %u\n", nr_cpu_ids);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vt_stats);

/**
 * vt_status_init - create the debugfs files (failure is not fatal)
 *
 * Return: 0.
 */
int vt_status_init(void)
{
	vt_debugfs = debugfs_create_dir("vgic_trace", NULL);
	debugfs_create_file("hooks", 0400, vt_debugfs, NULL, &vt_hooks_fops);
	debugfs_create_file("stats", 0400, vt_debugfs, NULL, &vt_stats_fops);
	return 0;
}

/**
 * vt_status_exit - remove the debugfs files
 */
void vt_status_exit(void)
{
	debugfs_remove_recursive(vt_debugfs);
}
