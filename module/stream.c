// SPDX-License-Identifier: GPL-2.0
/*
 * stream.c - per-CPU buffering of records and /dev/vgic_trace.
 *
 * Producers (probe handlers, any context) write whole records with
 * ring_buffer_write() into the kernel's per-CPU ring buffer, created in
 * producer-drop mode (no overwrite): when a CPU's buffer is full the
 * write fails and is counted as lost on that CPU. The reader gets every
 * loss as VT_REC_LOST records:
 *
 *  - per CPU (hdr.cpu = the CPU): failed writes on that CPU, and records
 *    of that CPU (hdr.cpu of the record) consumed from the ring buffer
 *    whose copy_to_user() then failed;
 *  - hdr.cpu = VT_LOST_CPU_PROBES: probe hits the kprobes core could not
 *    run our handler for (kprobe/kretprobe nmissed, kretprobe maxactive
 *    exhausted), summed over every hook (hooks.c); not attributable to
 *    a CPU. Each missed hit is at most the records that hook would have
 *    written, usually one.
 *
 * /dev/vgic_trace (misc device, 0600): one reader at a time (a second
 * open gets -EBUSY); records are collected only while it is open.
 * read() returns whole records, concatenated, merged over the CPUs by
 * timestamp; poll() reports EPOLLIN when records or loss reports are
 * waiting. Readers are woken through an irq_work so that producers
 * never take the wait queue lock themselves.
 *
 * Reader cost does not grow with the number of CPUs: producers mark
 * their CPU in vt_ready (records waiting) or vt_lossmask (loss not yet
 * reported); a read() visits only the marked CPUs, once each, and then
 * merges them with a min-heap on the timestamp of each CPU's oldest
 * record (O(log k) per record for k CPUs with records). Records are
 * staged into a kernel buffer under vt_read_lock and copied to the user
 * after it is dropped, so a slow or faulting user buffer never holds
 * the lock. A failed copy counts the records it did not deliver as lost
 * (loss reports that did not reach the user are reported again).
 *
 * The end of a session (ioctls, uapi VT_IOC_*): VT_IOC_STOP stops the
 * producers, so the buffers stop refilling and the reader drains them
 * in a bounded time; VT_IOC_DISCARD waits for the writes still in
 * flight (each CPU's vt_inflight, raised before a write tests vt_on, is
 * back to 0 within one write; an RCU grace period if it is not soon)
 * and turns what is still queued into loss on its CPU (written minus
 * consumed, exact then), delivered as VT_REC_LOST by the next read()s,
 * which return no record after it.
 * Every record written is thus either read or reported lost.
 */
#define pr_fmt(fmt) "vgic_trace: " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/ring_buffer.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "vt_internal.h"
#include "wrapper/fs_llseek.h"

static unsigned int vt_buf_kb = 1024;
module_param_named(buf_kb, vt_buf_kb, uint, 0444);
MODULE_PARM_DESC(buf_kb, "ring buffer size per CPU in KiB (load time)");

/* Largest read() result: records staged per call (the kernel copy). */
#define VT_STAGE_SIZE	(64 * 1024)

static struct trace_buffer *vt_rb;
static DEFINE_PER_CPU(unsigned long, vt_failed);	/* failed writes */
static DEFINE_PER_CPU(unsigned long, vt_written);	/* records written */
/* consumed from the ring buffer, then lost in copy_to_user() */
static DEFINE_PER_CPU(atomic_long_t, vt_copy_failed);
/* still queued at VT_IOC_DISCARD: lost at the end of the session */
static DEFINE_PER_CPU(atomic_long_t, vt_close_lost);
/* writes of this CPU between their vt_on test and their counts */
static DEFINE_PER_CPU(unsigned int, vt_inflight);
static cpumask_var_t vt_ready;		/* CPU buffer may hold records */
static cpumask_var_t vt_lossmask;	/* CPU has loss not yet reported */
static atomic_t vt_open_count;
static bool vt_on;					/* device open */
static pid_t vt_reader_pid;
static DECLARE_WAIT_QUEUE_HEAD(vt_wq);
static struct irq_work vt_wake_work;

/* Reader state, under vt_read_lock. */
static DEFINE_MUTEX(vt_read_lock);
static u64 *vt_lost_reported;		/* per CPU: total in the last report */
static u64 vt_missed_base;		/* probe misses before the open */
static u64 vt_missed_reported;		/* probe misses reported (since open) */
struct vt_head {
	u64 ts;
	u32 cpu;
	u32 size;
};
static struct vt_head *vt_heap;		/* nr_cpu_ids entries */
static struct vt_reader_stats vt_rstats;
static u64 *vt_consumed;		/* per buffer CPU: records consumed */
static bool vt_stopped;			/* VT_IOC_STOP: no write starts */
static bool vt_discarded;		/* VT_IOC_DISCARD: no record is read */

/* The staging buffer; a second concurrent read() allocates its own. */
static void *vt_stage;
static unsigned long vt_stage_busy;

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

/* Mark @cpu in @mask; the caller ordered its data before this. */
static inline void vt_mark_cpu(int cpu, struct cpumask *mask)
{
	if (!cpumask_test_cpu(cpu, mask))
		cpumask_set_cpu(cpu, mask);
}

/**
 * vt_stream_write - append one record to the current CPU's buffer
 * @hdr:	record (hdr->size bytes)
 *
 * Return: 0 when the record is in the buffer, -ENODEV when no reader is
 * open (dropped, not a loss), -ENOSPC when the write failed (counted as
 * lost on this CPU and reported to the reader).
 */
int vt_stream_write(const struct vt_hdr *hdr)
{
	int cpu, ret = 0;

	/*
	 * meta records are written from open(): keep to one CPU. The write
	 * is in flight before vt_on is tested (pairs with vt_quiesce()):
	 * either VT_IOC_DISCARD waits for it or it sees vt_on clear.
	 */
	preempt_disable_notrace();
	this_cpu_inc(vt_inflight);
	smp_mb();
	if (!READ_ONCE(vt_on)) {
		this_cpu_dec(vt_inflight);
		preempt_enable_notrace();
		return -ENODEV;
	}
	cpu = smp_processor_id();
	if (ring_buffer_write(vt_rb, hdr->size, (void *)hdr)) {
		this_cpu_inc(vt_failed);
		smp_mb();	/* count before mark test, as for records */
		vt_mark_cpu(cpu, vt_lossmask);
		ret = -ENOSPC;
	} else {
		this_cpu_inc(vt_written);
		/*
		 * The record is committed before the mark is tested; the
		 * reader clears the mark before it peeks (both with full
		 * barriers), so either the reader sees this record or the
		 * mark stays set for the next read.
		 */
		smp_mb();
		vt_mark_cpu(cpu, vt_ready);
	}
	/* the counts above are ordered before this by the smp_mb() */
	this_cpu_dec(vt_inflight);
	preempt_enable_notrace();
	if (wq_has_sleeper(&vt_wq))
		irq_work_queue(&vt_wake_work);
	return ret;
}

static inline unsigned long vt_read_ulong(const unsigned long *p)
{
	return READ_ONCE(*p);
}

/*
 * vt_percpu_sum - sum of a per-CPU counter over every possible CPU; @rd
 * reads one CPU's copy through a pointer (vt_read_ulong for a plain
 * unsigned long, atomic_long_read for an atomic_long_t).
 */
#define vt_percpu_sum(var, rd) ({					\
	u64 __n = 0;							\
	int __cpu;							\
									\
	for_each_possible_cpu(__cpu)					\
		__n += rd(per_cpu_ptr(&(var), __cpu));			\
	__n;								\
})

/**
 * vt_stream_lost_cpu - records lost on one CPU since the device was opened
 * @cpu:	CPU number
 *
 * Return: failed writes of @cpu, records of @cpu consumed but not
 * delivered (copy_to_user() failed) and records of @cpu still queued at
 * VT_IOC_DISCARD. (No overwrite mode: the ring buffer itself never
 * overruns.)
 */
u64 vt_stream_lost_cpu(int cpu)
{
	return READ_ONCE(per_cpu(vt_failed, cpu)) +
	       atomic_long_read(per_cpu_ptr(&vt_copy_failed, cpu)) +
	       atomic_long_read(per_cpu_ptr(&vt_close_lost, cpu));
}

/**
 * vt_stream_write_failed - failed writes (buffer full) since the open
 *
 * Return: the count, every possible CPU (debugfs).
 */
u64 vt_stream_write_failed(void)
{
	return vt_percpu_sum(vt_failed, vt_read_ulong);
}

/**
 * vt_stream_close_lost - records still queued at VT_IOC_DISCARD
 *
 * Return: the count since the open, every possible CPU (debugfs).
 */
u64 vt_stream_close_lost(void)
{
	return vt_percpu_sum(vt_close_lost, atomic_long_read);
}

/**
 * vt_stream_copy_failed_cpu - records of @cpu lost in copy_to_user()
 * @cpu:	CPU number
 *
 * Return: the count since the device was opened.
 */
u64 vt_stream_copy_failed_cpu(int cpu)
{
	return atomic_long_read(per_cpu_ptr(&vt_copy_failed, cpu));
}

/**
 * vt_stream_written - records written since the device was opened
 *
 * Return: the count (debugfs; sums every possible CPU).
 */
u64 vt_stream_written(void)
{
	return vt_percpu_sum(vt_written, vt_read_ulong);
}

/**
 * vt_stream_probe_missed - probe hits missed since the device was opened
 *
 * Return: the count (0 when no reader has opened the device yet).
 */
u64 vt_stream_probe_missed(void)
{
	u64 m = vt_hooks_missed();

	return m > READ_ONCE(vt_missed_base) ? m - READ_ONCE(vt_missed_base) : 0;
}

/**
 * vt_stream_reader_stats - work counters of the reader (debugfs)
 * @st:		out: a copy
 */
void vt_stream_reader_stats(struct vt_reader_stats *st)
{
	mutex_lock(&vt_read_lock);
	*st = vt_rstats;
	mutex_unlock(&vt_read_lock);
}

static bool vt_has_data(void)
{
	return (!READ_ONCE(vt_discarded) && !cpumask_empty(vt_ready)) ||
	       !cpumask_empty(vt_lossmask) ||
	       vt_stream_probe_missed() > READ_ONCE(vt_missed_reported);
}

static void vt_lost_fill(struct vt_rec_lost *rec, u32 cpu, u64 lost,
			 u64 total)
{
	memset(rec, 0, sizeof(*rec));
	vt_hdr_fill(&rec->hdr, VT_REC_LOST, sizeof(*rec), VT_NO_VM,
		    VT_NO_VCPU);
	rec->hdr.cpu = cpu;
	rec->lost = lost;
	rec->total = total;
}

/* Loss reports into @buf (vt_read_lock held); returns bytes staged. */
static size_t vt_stage_lost(u8 *buf, size_t cap)
{
	struct vt_rec_lost rec;
	size_t used = 0;
	u64 total;
	int cpu;

	for_each_cpu(cpu, vt_lossmask) {
		if (cap - used < sizeof(rec))
			break;		/* the mark stays: next read */
		if (!cpumask_test_and_clear_cpu(cpu, vt_lossmask))
			continue;
		total = vt_stream_lost_cpu(cpu);
		if (total <= vt_lost_reported[cpu])
			continue;
		vt_lost_fill(&rec, cpu, total - vt_lost_reported[cpu], total);
		vt_lost_reported[cpu] = total;
		memcpy(buf + used, &rec, sizeof(rec));
		used += sizeof(rec);
	}
	total = vt_stream_probe_missed();
	if (total > vt_missed_reported && cap - used >= sizeof(rec)) {
		vt_lost_fill(&rec, VT_LOST_CPU_PROBES,
			     total - vt_missed_reported, total);
		WRITE_ONCE(vt_missed_reported, total);
		memcpy(buf + used, &rec, sizeof(rec));
		used += sizeof(rec);
	}
	return used;
}

/* Min-heap of CPUs on the timestamp of their oldest record. */
static void vt_heap_down(unsigned int n, unsigned int i)
{
	struct vt_head tmp;
	unsigned int c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && vt_heap[c + 1].ts < vt_heap[c].ts)
			c++;
		if (vt_heap[i].ts <= vt_heap[c].ts)
			return;
		tmp = vt_heap[i];
		vt_heap[i] = vt_heap[c];
		vt_heap[c] = tmp;
		i = c;
	}
}

/* The oldest record of @cpu into @h; false if the buffer is empty. */
static bool vt_head_of(int cpu, struct vt_head *h)
{
	struct ring_buffer_event *ev;
	const struct vt_hdr *r;

	ev = ring_buffer_peek(vt_rb, cpu, NULL, NULL);
	vt_rstats.peeks++;
	if (!ev)
		return false;
	r = ring_buffer_event_data(ev);
	h->ts = r->ts_ns;
	h->cpu = cpu;
	h->size = r->size;
	if (h->size > ring_buffer_event_length(ev))
		h->size = 0;		/* not ours: refused below */
	return true;
}

/* Records merged by timestamp into @buf (vt_read_lock held). */
static size_t vt_stage_records(u8 *buf, size_t cap)
{
	struct ring_buffer_event *ev;
	unsigned int n = 0, i;
	size_t used = 0;
	bool bad;
	u32 size;
	int cpu;

	if (vt_discarded)
		return 0;	/* what is left was counted lost */
	/* visit only the CPUs that wrote since their mark was cleared */
	for_each_cpu(cpu, vt_ready) {
		if (!cpumask_test_and_clear_cpu(cpu, vt_ready))
			continue;
		if (vt_head_of(cpu, &vt_heap[n]))
			n++;
	}
	for (i = n / 2; i-- > 0;)
		vt_heap_down(n, i);

	while (n) {
		cpu = vt_heap[0].cpu;
		size = vt_heap[0].size;
		bad = size < sizeof(struct vt_hdr) || size > VT_REC_MAX_SIZE;
		if (!bad && size > cap - used)
			break;
		ev = ring_buffer_consume(vt_rb, cpu, NULL, NULL);
		if (ev)
			vt_consumed[cpu]++;
		if (!ev) {
			/* only this reader consumes: cannot happen */
		} else if (WARN_ON_ONCE(bad)) {
			/* cannot be delivered whole: dropped, counted lost */
			atomic_long_inc(per_cpu_ptr(&vt_copy_failed, cpu));
			smp_mb__before_atomic();
			cpumask_set_cpu(cpu, vt_lossmask);
		} else {
			memcpy(buf + used, ring_buffer_event_data(ev), size);
			used += size;
			vt_rstats.records++;
		}
		if (!vt_head_of(cpu, &vt_heap[0]))
			vt_heap[0] = vt_heap[--n];
		vt_heap_down(n, 0);
	}
	/* CPUs whose records did not fit: marked again for the next read */
	for (i = 0; i < n; i++)
		cpumask_set_cpu(vt_heap[i].cpu, vt_ready);
	return used;
}

/*
 * copy_to_user() of @len staged bytes delivered only @copied: the
 * records not wholly delivered are lost (counted on their CPU), loss
 * reports among them are taken back to be reported again.
 * Return: bytes of whole records delivered.
 */
static size_t vt_copy_failed_fixup(const u8 *buf, size_t len, size_t copied)
{
	const struct vt_rec_lost *l;
	const struct vt_hdr *h;
	size_t off = 0, done;
	u32 cpu;

	while (off < len) {
		h = (const struct vt_hdr *)(buf + off);
		if (off + h->size > copied)
			break;
		off += h->size;
	}
	done = off;
	mutex_lock(&vt_read_lock);
	vt_rstats.copy_faults++;
	for (; off < len; off += h->size) {
		h = (const struct vt_hdr *)(buf + off);
		cpu = h->cpu < nr_cpu_ids ? h->cpu : 0;
		if (h->type != VT_REC_LOST) {
			atomic_long_inc(per_cpu_ptr(&vt_copy_failed, cpu));
			smp_mb__before_atomic();
			cpumask_set_cpu(cpu, vt_lossmask);
			continue;
		}
		l = (const struct vt_rec_lost *)h;
		if (h->cpu == VT_LOST_CPU_PROBES) {
			WRITE_ONCE(vt_missed_reported,
				   vt_missed_reported - l->lost);
		} else {
			vt_lost_reported[cpu] -= l->lost;
			cpumask_set_cpu(cpu, vt_lossmask);
		}
	}
	mutex_unlock(&vt_read_lock);
	return done;
}

/* The loss reports delivered to the user go to the trace event too. */
static void vt_trace_lost(const u8 *buf, size_t len)
{
	const struct vt_hdr *h;
	size_t off;

	for (off = 0; off < len; off += h->size) {
		h = (const struct vt_hdr *)(buf + off);
		if (h->type != VT_REC_LOST)
			break;		/* they come first */
		vt_emit_lost((struct vt_rec_lost *)h);
	}
}

static ssize_t vt_read(struct file *f, char __user *ubuf, size_t count,
		       loff_t *ppos)
{
	size_t cap = min_t(size_t, count, VT_STAGE_SIZE);
	size_t used, left, done;
	bool own = false;
	ssize_t ret;
	u8 *buf;
	int err;

	if (count < VT_REC_MAX_SIZE)
		return -EINVAL;	/* a read must fit the largest record */

	if (test_and_set_bit_lock(0, &vt_stage_busy)) {
		/* another thread of the reader is copying out of vt_stage */
		buf = kvmalloc(cap, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		own = true;
	} else {
		buf = vt_stage;
	}
	for (;;) {
		mutex_lock(&vt_read_lock);
		vt_rstats.reads++;
		used = vt_stage_lost(buf, cap);
		used += vt_stage_records(buf + used, cap - used);
		mutex_unlock(&vt_read_lock);
		ret = 0;
		if (used)
			break;
		if (f->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		err = wait_event_interruptible(vt_wq, vt_has_data());
		if (err) {
			ret = err;
			break;
		}
	}
	if (ret >= 0) {
		/* no lock held: the user's buffer may fault or sleep */
		left = copy_to_user(ubuf, buf, used);
		done = left ? vt_copy_failed_fixup(buf, used, used - left) : used;
		vt_trace_lost(buf, done);
		ret = done ? done : -EFAULT;
	}
	if (own)
		kvfree(buf);
	else
		clear_bit_unlock(0, &vt_stage_busy);
	return ret;
}

/* Stop the producers: no write starts after this (vt_read_lock held). */
static void vt_stop_locked(void)
{
	if (vt_stopped)
		return;
	WRITE_ONCE(vt_on, false);
	smp_mb();	/* vt_on before the vt_inflight reads of vt_quiesce() */
	vt_stopped = true;
}

/*
 * Wait until no write that saw vt_on set is still in flight. A write
 * runs with preemption disabled and lasts microseconds: spin a little,
 * then fall back to an expedited grace period, which waits for every
 * preemption-disabled region (and so every such write) to end.
 */
static void vt_quiesce(void)
{
	unsigned int spins;
	int cpu;

	for_each_possible_cpu(cpu) {
		for (spins = 0; READ_ONCE(per_cpu(vt_inflight, cpu)); spins++) {
			if (spins >= 100000) {
				synchronize_rcu_expedited();
				break;
			}
			cpu_relax();
		}
	}
	smp_mb();	/* the writers' counts after their vt_inflight */
}

/*
 * What is still queued becomes loss on its CPU (vt_read_lock held): no
 * producer runs, so written - consumed is exact.
 */
static void vt_discard_locked(void)
{
	u64 n;
	int cpu;

	vt_stop_locked();
	if (vt_discarded)
		return;
	vt_quiesce();
	for_each_possible_cpu(cpu) {
		n = READ_ONCE(per_cpu(vt_written, cpu)) - vt_consumed[cpu];
		if (!n)
			continue;
		atomic_long_add(n, per_cpu_ptr(&vt_close_lost, cpu));
		smp_mb__after_atomic();
		cpumask_set_cpu(cpu, vt_lossmask);
	}
	WRITE_ONCE(vt_discarded, true);
}

static long vt_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case VT_IOC_STOP:
		mutex_lock(&vt_read_lock);
		vt_stop_locked();
		mutex_unlock(&vt_read_lock);
		return 0;
	case VT_IOC_DISCARD:
		mutex_lock(&vt_read_lock);
		vt_discard_locked();
		mutex_unlock(&vt_read_lock);
		return 0;
	}
	return -ENOTTY;
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
		pr_warn_ratelimited("/dev/vgic_trace is already open (reader pid %d); refusing pid %d (%s): one reader at a time\n",
				    READ_ONCE(vt_reader_pid),
				    task_tgid_nr(current), current->comm);
		return -EBUSY;
	}
	vt_reader_pid = task_tgid_nr(current);
	/* Start clean: no records or loss from before this reader. */
	mutex_lock(&vt_read_lock);
	ring_buffer_reset(vt_rb);
	cpumask_clear(vt_ready);
	cpumask_clear(vt_lossmask);
	for_each_possible_cpu(cpu) {
		per_cpu(vt_failed, cpu) = 0;
		per_cpu(vt_written, cpu) = 0;
		atomic_long_set(per_cpu_ptr(&vt_copy_failed, cpu), 0);
		atomic_long_set(per_cpu_ptr(&vt_close_lost, cpu), 0);
		vt_lost_reported[cpu] = 0;
		vt_consumed[cpu] = 0;
	}
	vt_stopped = false;
	WRITE_ONCE(vt_discarded, false);
	WRITE_ONCE(vt_missed_base, vt_hooks_missed());
	WRITE_ONCE(vt_missed_reported, 0);
	memset(&vt_rstats, 0, sizeof(vt_rstats));
	mutex_unlock(&vt_read_lock);
	WRITE_ONCE(vt_on, true);
	/* every vCPU is announced again to this reader (VT_META_VCPU) */
	vt_meta_vcpu_reset();
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
	.unlocked_ioctl = vt_ioctl,
	.compat_ioctl = vt_ioctl,
	.llseek = vt_no_llseek,
};

static struct miscdevice vt_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vgic_trace",
	.fops = &vt_fops,
	.mode = 0600,
};

static void vt_stream_free(void)
{
	if (vt_rb)
		ring_buffer_free(vt_rb);
	vt_rb = NULL;
	vfree(vt_stage);
	kfree(vt_heap);
	kfree(vt_lost_reported);
	kfree(vt_consumed);
	free_cpumask_var(vt_ready);
	free_cpumask_var(vt_lossmask);
}

/**
 * vt_stream_init - allocate the ring buffer and register /dev/vgic_trace
 *
 * Return: 0 or a negative errno.
 */
int vt_stream_init(void)
{
	int ret = -ENOMEM;

	if (vt_buf_kb < 16 || vt_buf_kb > 65536) {
		pr_err("buf_kb=%u out of range 16..65536\n", vt_buf_kb);
		return -EINVAL;
	}
	if (!zalloc_cpumask_var(&vt_ready, GFP_KERNEL) ||
	    !zalloc_cpumask_var(&vt_lossmask, GFP_KERNEL))
		goto err;
	vt_lost_reported = kcalloc(nr_cpu_ids, sizeof(*vt_lost_reported),
				   GFP_KERNEL);
	vt_heap = kcalloc(nr_cpu_ids, sizeof(*vt_heap), GFP_KERNEL);
	vt_consumed = kcalloc(nr_cpu_ids, sizeof(*vt_consumed), GFP_KERNEL);
	vt_stage = vmalloc(VT_STAGE_SIZE);
	if (!vt_lost_reported || !vt_heap || !vt_consumed || !vt_stage)
		goto err;
	/* flags 0: no overwrite, a full buffer drops (and we count) */
	vt_rb = ring_buffer_alloc((unsigned long)vt_buf_kb * 1024, 0);
	if (!vt_rb)
		goto err;
	init_irq_work(&vt_wake_work, vt_wake_fn);
	ret = misc_register(&vt_misc);
	if (ret) {
		pr_err("cannot register /dev/vgic_trace: %d\n", ret);
		goto err;
	}
	return 0;
err:
	vt_stream_free();
	return ret;
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
	vt_stream_free();
}
