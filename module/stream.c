// SPDX-License-Identifier: GPL-2.0
/*
 * stream.c - per-CPU buffering of records and /dev/vgic_trace.
 *
 * Producers (probe handlers, any context) write whole records with
 * ring_buffer_write() into the kernel's per-CPU ring buffer, created in
 * producer-drop mode: when a CPU's buffer is full the write fails and is
 * counted as lost on that CPU. Overruns reported by the ring buffer are
 * added to the same count. The reader gets the loss as VT_REC_LOST
 * records (per CPU: lost since the previous one, and the total).
 *
 * /dev/vgic_trace (misc device, 0600): one reader at a time (a second
 * open gets -EBUSY); records are collected only while it is open.
 * read() returns whole records, concatenated, oldest first (merged over
 * the CPUs by timestamp); poll() reports EPOLLIN when records or loss
 * reports are waiting. Readers are woken through an irq_work so that
 * producers never take the wait queue lock themselves.
 */
#define pr_fmt(fmt) "vgic_trace: " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/ring_buffer.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "vt_internal.h"
#include "wrapper/fs_llseek.h"

static unsigned int vt_buf_kb = 1024;
module_param_named(buf_kb, vt_buf_kb, uint, 0444);
MODULE_PARM_DESC(buf_kb, "ring buffer size per CPU in KiB (load time)");

static struct trace_buffer *vt_rb;
static DEFINE_PER_CPU(unsigned long, vt_failed);	/* failed writes */
/* consumed from the ring buffer, then lost in copy_to_user() (reader lock) */
static DEFINE_PER_CPU(unsigned long, vt_copy_failed);
static u64 *vt_lost_reported;			/* per CPU, reader only */
static atomic_long_t vt_written;
static atomic_t vt_open_count;
static bool vt_on;					/* device open */
static pid_t vt_reader_pid;
static DEFINE_MUTEX(vt_read_lock);
static DECLARE_WAIT_QUEUE_HEAD(vt_wq);
static struct irq_work vt_wake_work;

static void vt_wake_fn(struct irq_work *work)
{
	wake_up_interruptible(&vt_wq);
}

/**
 * vt_stream_active - is a reader collecting records
 *
 * Return: true while /dev/vgic_trace is open.
 */
bool vt_stream_active(void)
{
	return READ_ONCE(vt_on);
}

/**
 * vt_stream_write - append one record to the current CPU's buffer
 * @hdr:	record (hdr->size bytes); dropped silently only when no
 *		reader is open, otherwise a failure is counted as lost
 */
void vt_stream_write(const struct vt_hdr *hdr)
{
	if (!READ_ONCE(vt_on))
		return;
	if (ring_buffer_write(vt_rb, hdr->size, (void *)hdr)) {
		this_cpu_inc(vt_failed);
		return;
	}
	atomic_long_inc(&vt_written);
	if (wq_has_sleeper(&vt_wq))
		irq_work_queue(&vt_wake_work);
}

/**
 * vt_stream_lost_cpu - records lost on one CPU since the device was opened
 * @cpu:	CPU number
 *
 * Return: failed writes, ring buffer overruns and records consumed but
 * not delivered (copy_to_user() failed) of @cpu.
 */
u64 vt_stream_lost_cpu(int cpu)
{
	return per_cpu(vt_failed, cpu) + ring_buffer_overrun_cpu(vt_rb, cpu) +
	       READ_ONCE(per_cpu(vt_copy_failed, cpu));
}

/**
 * vt_stream_written - records written since the device was opened
 *
 * Return: the count.
 */
u64 vt_stream_written(void)
{
	return atomic_long_read(&vt_written);
}

static bool vt_loss_pending(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		if (vt_stream_lost_cpu(cpu) != vt_lost_reported[cpu])
			return true;
	return false;
}

static bool vt_has_data(void)
{
	return !ring_buffer_empty(vt_rb) || vt_loss_pending();
}

/* Copy loss reports that fit into @ubuf; returns bytes or -EFAULT. */
static ssize_t vt_read_lost(char __user *ubuf, size_t count)
{
	struct vt_rec_lost rec;
	size_t done = 0;
	u64 total;
	int cpu;

	for_each_possible_cpu(cpu) {
		total = vt_stream_lost_cpu(cpu);
		if (total == vt_lost_reported[cpu])
			continue;
		if (count - done < sizeof(rec))
			break;
		memset(&rec, 0, sizeof(rec));
		vt_hdr_fill(&rec.hdr, VT_REC_LOST, sizeof(rec), VT_NO_VM,
			    VT_NO_VCPU);
		rec.hdr.cpu = cpu;
		rec.lost = total - vt_lost_reported[cpu];
		rec.total = total;
		if (copy_to_user(ubuf + done, &rec, sizeof(rec)))
			return -EFAULT;
		vt_lost_reported[cpu] = total;
		vt_emit_lost(&rec);
		done += sizeof(rec);
	}
	return done;
}

/* The CPU whose oldest record is the oldest of all, -1 if none. */
static int vt_oldest_cpu(u16 *size)
{
	struct ring_buffer_event *ev;
	const struct vt_hdr *h;
	u64 best_ts = U64_MAX;
	int cpu, best = -1;

	for_each_possible_cpu(cpu) {
		ev = ring_buffer_peek(vt_rb, cpu, NULL, NULL);
		if (!ev)
			continue;
		h = ring_buffer_event_data(ev);
		if (h->ts_ns < best_ts) {
			best_ts = h->ts_ns;
			best = cpu;
			*size = h->size;
		}
	}
	return best;
}

static ssize_t vt_read_records(char __user *ubuf, size_t count)
{
	u8 tmp[VT_REC_MAX_SIZE];
	struct ring_buffer_event *ev;
	size_t done = 0;
	u16 size = 0;
	int cpu;

	while (count - done >= sizeof(struct vt_hdr)) {
		cpu = vt_oldest_cpu(&size);
		if (cpu < 0 || size > count - done)
			break;
		ev = ring_buffer_consume(vt_rb, cpu, NULL, NULL);
		if (!ev)
			continue;
		size = min_t(u32, ring_buffer_event_length(ev), sizeof(tmp));
		memcpy(tmp, ring_buffer_event_data(ev), size);
		size = ((struct vt_hdr *)tmp)->size;
		if (WARN_ON_ONCE(size < sizeof(struct vt_hdr) ||
				 size > VT_REC_MAX_SIZE))
			return -EIO;
		if (copy_to_user(ubuf + done, tmp, size)) {
			/* consumed: it cannot go back; reported as lost */
			WRITE_ONCE(per_cpu(vt_copy_failed, cpu),
				   per_cpu(vt_copy_failed, cpu) + 1);
			return done ? done : -EFAULT;
		}
		done += size;
	}
	return done;
}

static ssize_t vt_read(struct file *f, char __user *ubuf, size_t count,
		       loff_t *ppos)
{
	ssize_t ret, lost;
	int err;

	if (count < VT_REC_MAX_SIZE)
		return -EINVAL;	/* a read must fit the largest record */

	for (;;) {
		mutex_lock(&vt_read_lock);
		lost = vt_read_lost(ubuf, count);
		if (lost < 0) {
			mutex_unlock(&vt_read_lock);
			return lost;
		}
		ret = vt_read_records(ubuf + lost, count - lost);
		mutex_unlock(&vt_read_lock);
		if (ret < 0)
			return lost ? lost : ret;
		if (ret + lost > 0)
			return ret + lost;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(vt_wq, vt_has_data());
		if (err)
			return err;
	}
}

static __poll_t vt_poll(struct file *f, poll_table *wait)
{
	poll_wait(f, &vt_wq, wait);
	return vt_has_data() ? EPOLLIN | EPOLLRDNORM : 0;
}

static int vt_open(struct inode *inode, struct file *f)
{
	int cpu;

	if (atomic_cmpxchg(&vt_open_count, 0, 1) != 0) {
		pr_warn("/dev/vgic_trace is already open (reader pid %d); refusing pid %d (%s): one reader at a time\n",
			READ_ONCE(vt_reader_pid), task_tgid_nr(current),
			current->comm);
		return -EBUSY;
	}
	vt_reader_pid = task_tgid_nr(current);
	/* Start clean: no records or loss from before this reader. */
	ring_buffer_reset(vt_rb);
	for_each_possible_cpu(cpu) {
		per_cpu(vt_failed, cpu) = 0;
		per_cpu(vt_copy_failed, cpu) = 0;
		vt_lost_reported[cpu] = 0;
	}
	atomic_long_set(&vt_written, 0);
	WRITE_ONCE(vt_on, true);
	vt_meta_emit_all();
	return nonseekable_open(inode, f);
}

static int vt_release(struct inode *inode, struct file *f)
{
	WRITE_ONCE(vt_on, false);
	atomic_set(&vt_open_count, 0);
	return 0;
}

static const struct file_operations vt_fops = {
	.owner = THIS_MODULE,
	.open = vt_open,
	.release = vt_release,
	.read = vt_read,
	.poll = vt_poll,
	.llseek = vt_no_llseek,
};

static struct miscdevice vt_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vgic_trace",
	.fops = &vt_fops,
	.mode = 0600,
};

/**
 * vt_stream_init - allocate the ring buffer and register /dev/vgic_trace
 *
 * Return: 0 or a negative errno.
 */
int vt_stream_init(void)
{
	int ret;

	if (vt_buf_kb < 16 || vt_buf_kb > 65536) {
		pr_err("buf_kb=%u out of range 16..65536\n", vt_buf_kb);
		return -EINVAL;
	}
	vt_lost_reported = kcalloc(nr_cpu_ids, sizeof(*vt_lost_reported),
				   GFP_KERNEL);
	if (!vt_lost_reported)
		return -ENOMEM;
	/* flags 0: no overwrite, a full buffer drops (and we count) */
	vt_rb = ring_buffer_alloc((unsigned long)vt_buf_kb * 1024, 0);
	if (!vt_rb) {
		kfree(vt_lost_reported);
		return -ENOMEM;
	}
	init_irq_work(&vt_wake_work, vt_wake_fn);
	ret = misc_register(&vt_misc);
	if (ret) {
		pr_err("cannot register /dev/vgic_trace: %d\n", ret);
		ring_buffer_free(vt_rb);
		kfree(vt_lost_reported);
		return ret;
	}
	return 0;
}

/**
 * vt_stream_exit - remove the device and free the buffer
 *
 * Called after every probe is unregistered, so no producer is running.
 */
void vt_stream_exit(void)
{
	WRITE_ONCE(vt_on, false);
	misc_deregister(&vt_misc);
	irq_work_sync(&vt_wake_work);
	ring_buffer_free(vt_rb);
	kfree(vt_lost_reported);
}
