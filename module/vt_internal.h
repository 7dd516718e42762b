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
 * struct vt_handler - the code that reads one hook's arguments
 * @pre:	kprobe handler (attach ENTRY)
 * @entry:	kretprobe entry handler (attach EXIT / MARK)
 * @ret:	kretprobe return handler (attach EXIT / MARK)
 * @data_size:	per-instance data of the kretprobe
 *
 * One per handler token of include/vt_hooks.def (vt_h_<token>), defined
 * in the hooks_*.c file of its group.
 */
struct vt_handler {
	kprobe_pre_handler_t pre;
	kretprobe_handler_t entry;
	kretprobe_handler_t ret;
	size_t data_size;
};

/**
 * struct vt_probe - one row of include/vt_hooks.def and its probe
 * @name:	row name
 * @sym:	kernel symbol to probe
 * @modname:	module that holds @sym, NULL for vmlinux
 * @proto:	prototype the handler reads (documentation, debugfs)
 * @fallback_of: name of the row this one replaces, NULL if none
 * @h:		the handler, NULL when not built for this architecture
 * @from:	first kernel (KERNEL_VERSION) of the row's range
 * @until:	first kernel after the range
 * @hook_id:	VT_HOOK_* reported in VT_META_HOOK records
 * @group:	enum vt_group
 * @kp, @rp:	the probe objects
 * @status:	VT_ATTACH_* (MISSING until registered)
 * @err:	last registration error, 0 if none; -ENOEXEC: the row's
 *		kernel range (prototype) is not this kernel's
 * @armed:	registered and not yet unregistered
 * @fullname:	"module:symbol" or "symbol" as given to kprobes
 */
struct vt_probe {
	const char *name;
	const char *sym;
	const char *modname;
	const char *proto;
	const char *fallback_of;
	const struct vt_handler *h;
	u32 from;
	u32 until;
	u16 hook_id;
	u8 group;
	struct kprobe kp;
	struct kretprobe rp;
	int status;
	int err;
	bool armed;
	char fullname[96];
};

/* The handlers named by include/vt_hooks.def (hooks_*.c). */
extern const struct vt_handler vt_h_ack, vt_h_resample, vt_h_irqfd,
	vt_h_vfio_handler, vt_h_vfio_send, vt_h_vfio_mask, vt_h_vfio_mark,
	vt_h_vfio_unmask_handler;
#ifdef CONFIG_ARM64
extern const struct vt_handler vt_h_flush, vt_h_sync, vt_h_fold_v3,
	vt_h_fold_v2, vt_h_dir_v3, vt_h_dir_v2, vt_h_fold_lr_v3,
	vt_h_fold_lr_v2, vt_h_inject, vt_h_inatomic, vt_h_mmio_spending,
	vt_h_mmio_cpending, vt_h_mmio_sactive, vt_h_mmio_cactive,
	vt_h_mmio_irouter, vt_h_mmio_target;
#endif

/* hooks.c */
int vt_hooks_init(void);
void vt_hooks_exit(void);
int vt_hook_status(u16 hook_id, const char **sym);
u64 vt_hooks_missed(void);
u64 vt_probe_missed(const struct vt_probe *p);
/**
 * vt_for_each_probe - iterate over every probe of every set
 * @fn:		called with each probe and @arg (under the hooks lock)
 * @arg:	opaque argument
 */
void vt_for_each_probe(void (*fn)(const struct vt_probe *p, void *arg),
		       void *arg);
const char *vt_attach_name(int status);

/* filter.c */
int vt_filter_init(void);
bool vt_group_on(enum vt_group g);
bool vt_vm_ok(u32 vm_id);
bool vt_intid_ok(u32 intid);
const char *vt_group_name(enum vt_group g);

/**
 * struct vt_reader_stats - work of the reader since the open (debugfs)
 * @reads:	read() passes that staged records (blocking waits excluded)
 * @peeks:	ring_buffer_peek() calls
 * @records:	records staged
 * @copy_faults: read() calls whose copy_to_user() did not copy everything
 */
struct vt_reader_stats {
	u64 reads;
	u64 peeks;
	u64 records;
	u64 copy_faults;
};

/* stream.c */
int vt_stream_init(void);
void vt_stream_exit(void);
int vt_stream_write(const struct vt_hdr *hdr);
u64 vt_stream_lost_cpu(int cpu);
u64 vt_stream_copy_failed_cpu(int cpu);
u64 vt_stream_write_failed(void);
u64 vt_stream_close_lost(void);
u64 vt_stream_written(void);
u64 vt_stream_probe_missed(void);
void vt_stream_reader_stats(struct vt_reader_stats *st);
bool vt_stream_active(void);

/* meta.c */
int vt_meta_init(void);
void vt_meta_emit_all(void);
void vt_meta_vcpu_reset(void);
struct kvm_vcpu;
void vt_meta_vcpu_seen(struct kvm_vcpu *vcpu);
u64 vt_key(const void *ptr);
u8 vt_host_gic(void);
void vt_host_gic_seen(u8 version);
u8 vt_host_nr_lrs(void);
bool vt_host_el2_gicv3(void);

/* status.c */
int vt_status_init(void);
void vt_status_exit(void);

#ifdef CONFIG_ARM64
/* hooks_lr.c */
bool vt_in_dir_trap(void);

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
void vt_emit_deactivate(struct vt_rec_deactivate *r);
void vt_emit_lost(struct vt_rec_lost *r);
int vt_emit_meta(struct vt_rec_meta *r);

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
