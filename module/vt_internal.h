/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vt_internal.h - declarations shared by the files of vgic_trace.ko.
 *
 * One file per job: main.c (init/exit), stream.c (ring buffer and
 * /dev/vgic_trace), filter.c (module parameters), hooks.c (probe
 * registration, module notifier, status), meta.c (metadata records and
 * host facts), status.c (debugfs), tracepoints.c (trace events) and one
 * hooks_*.c per hook group.
 */
#ifndef _VT_INTERNAL_H
#define _VT_INTERNAL_H

#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/smp.h>
#include <linux/types.h>

#include "vgic_trace_abi.h"

/* Hook groups, switched on and off by module parameters (filter.c). */
enum vt_group {
	VT_GRP_LR,
	VT_GRP_IRQFD,
	VT_GRP_VFIO,
	VT_GRP_MMIO,
	VT_GRP_NR,
};

/**
 * struct vt_probe - one kprobe or kretprobe of a hook
 * @sym:	kernel symbol to probe
 * @modname:	module that holds @sym, NULL for vmlinux
 * @hook_id:	VT_HOOK_* reported in VT_META_HOOK records
 * @group:	enum vt_group
 * @pre:	kprobe handler (kprobe when set)
 * @entry:	kretprobe entry handler (kretprobe when @ret is set)
 * @ret:	kretprobe return handler
 * @data_size:	per-instance data of the kretprobe
 * @kp, @rp:	the probe objects
 * @status:	VT_ATTACH_* (MISSING until registered)
 * @err:	last registration error, 0 if none
 * @armed:	registered and not yet unregistered
 * @fullname:	"module:symbol" or "symbol" as given to kprobes
 */
struct vt_probe {
	const char *sym;
	const char *modname;
	u16 hook_id;
	u8 group;
	kprobe_pre_handler_t pre;
	kretprobe_handler_t entry;
	kretprobe_handler_t ret;
	size_t data_size;
	struct kprobe kp;
	struct kretprobe rp;
	int status;
	int err;
	bool armed;
	char fullname[96];
};

/**
 * struct vt_probe_set - the probes of one hooks_*.c file
 * @name:	file/group name for messages
 * @probes:	array of probes
 * @nr:		number of entries in @probes
 */
struct vt_probe_set {
	const char *name;
	struct vt_probe *probes;
	unsigned int nr;
};

extern struct vt_probe_set vt_set_irqfd;
extern struct vt_probe_set vt_set_vfio;
#ifdef CONFIG_ARM64
extern struct vt_probe_set vt_set_lr;
extern struct vt_probe_set vt_set_mmio;
extern struct vt_probe_set vt_set_inject;
#endif

/* hooks.c */
int vt_hooks_init(void);
void vt_hooks_exit(void);
int vt_hook_status(u16 hook_id, const char **sym);
/**
 * vt_for_each_probe - iterate over every probe of every set
 * @fn:		called with each probe and @arg (under the hooks lock)
 * @arg:	opaque argument
 */
void vt_for_each_probe(void (*fn)(const struct vt_probe *p, void *arg),
		       void *arg);
const char *vt_attach_name(int status);

/* filter.c */
bool vt_group_on(enum vt_group g);
bool vt_vm_ok(u32 vm_id);
bool vt_intid_ok(u32 intid);
const char *vt_group_name(enum vt_group g);

/* stream.c */
int vt_stream_init(void);
void vt_stream_exit(void);
void vt_stream_write(const struct vt_hdr *hdr);
u64 vt_stream_lost_cpu(int cpu);
u64 vt_stream_written(void);
bool vt_stream_active(void);

/* meta.c */
int vt_meta_init(void);
void vt_meta_emit_all(void);
u64 vt_key(const void *ptr);
u8 vt_host_gic(void);
void vt_host_gic_seen(u8 version);
u8 vt_host_nr_lrs(void);

/* status.c */
int vt_status_init(void);
void vt_status_exit(void);

#ifdef CONFIG_ARM64
/* irq_state.c */
struct kvm;
void vt_irq_state_emit(struct kvm *kvm, u32 intid, u8 cause, u32 vcpu_id);
#endif

/* tracepoints.c: emit one record to the trace event and the stream */
void vt_emit_lr(struct vt_rec_lr *r);
void vt_emit_inject(struct vt_rec_inject *r);
void vt_emit_irq_state(struct vt_rec_irq_state *r);
void vt_emit_ack(struct vt_rec_ack *r);
void vt_emit_resample(struct vt_rec_resample *r);
void vt_emit_irqfd(struct vt_rec_irqfd *r);
void vt_emit_vfio(struct vt_rec_vfio *r);
void vt_emit_mmio(struct vt_rec_mmio *r);
void vt_emit_lost(struct vt_rec_lost *r);
void vt_emit_meta(struct vt_rec_meta *r);

/**
 * vt_hdr_fill - fill the common header of a record
 * @h:		header to fill
 * @type:	VT_REC_*
 * @size:	total record size
 * @vm_id:	VMM tgid or VT_NO_VM
 * @vcpu_id:	vCPU id or VT_NO_VCPU
 */
static inline void vt_hdr_fill(struct vt_hdr *h, u16 type, u16 size,
			       u32 vm_id, u32 vcpu_id)
{
	h->type = type;
	h->size = size;
	h->cpu = raw_smp_processor_id();
	h->ts_ns = ktime_get_ns();
	h->vm_id = vm_id;
	h->vcpu_id = vcpu_id;
}

/* Argument @n of the probed function (kprobe at entry). */
#define vt_arg(regs, n)	regs_get_kernel_argument((regs), (n))

#endif /* _VT_INTERNAL_H */
