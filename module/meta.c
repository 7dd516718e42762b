// SPDX-License-Identifier: GPL-2.0
/*
 * meta.c - metadata records and host facts.
 *
 * At every open of /dev/vgic_trace the reader first gets VT_REC_META
 * records: backend (module, ABI version), kernel release, host GIC
 * version, implemented LRs (when readable), and one VT_META_HOOK per hook
 * with its attach status and symbol.
 *
 * VT_META_VCPU: the first time a probe sees a vCPU on a thread (since
 * the open), and again when that vCPU runs on another thread, the
 * reader gets (hdr.vm_id, hdr.vcpu_id) -> tid, comm (vt_meta_vcpu_seen).
 *
 * Also the keyed hash used for eventfd identities: siphash of the
 * eventfd_ctx pointer with a key drawn at load, so records link the same
 * eventfd without exposing a kernel address.
 */
#include <linux/hash.h>
#include <linux/kvm_host.h>
#include <linux/kprobes.h>
#include <linux/random.h>
#include <linux/uaccess.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <linux/utsname.h>
#ifdef CONFIG_ARM64
#include <asm/cpufeature.h>
#include <asm/sysreg.h>
#include <asm/virt.h>
#include <kvm/arm_vgic.h>
#include "wrapper/arm64_cpucap.h"
#endif

#include "vt_internal.h"
#include "wrapper/kvm_vm_id.h"

static siphash_key_t vt_siphash_key;
static u8 vt_gic_seen;
static u8 vt_gic_boot;
static u8 vt_nr_lrs;
static bool vt_el2_gicv3;
#ifdef CONFIG_ARM64
static const char *vt_nr_lrs_src = "unknown";
#endif

/**
 * vt_key - keyed hash of a kernel pointer
 * @ptr:	pointer (eventfd_ctx), may be NULL
 *
 * Return: 0 for NULL, else a non-zero 64-bit hash.
 */
u64 vt_key(const void *ptr)
{
	u64 h;

	if (!ptr)
		return 0;
	h = siphash_1u64((u64)(unsigned long)ptr, &vt_siphash_key);
	return h ? h : 1;
}

/**
 * vt_host_gic - GIC version of the host (encoding of the LR cache)
 *
 * Return: the version seen by a fold hook, else the boot-time guess
 * (GICv3 system register interface present or not).
 */
u8 vt_host_gic(void)
{
	u8 v = READ_ONCE(vt_gic_seen);

	return v ? v : vt_gic_boot;
}

/**
 * vt_host_gic_seen - record the GIC version a fold hook observed
 * @version:	VT_GIC_V2 or VT_GIC_V3
 */
void vt_host_gic_seen(u8 version)
{
	if (READ_ONCE(vt_gic_seen) != version)
		WRITE_ONCE(vt_gic_seen, version);
}

/**
 * vt_host_nr_lrs - implemented list registers, 0 if unknown
 *
 * Return: kvm_vgic_global_state.nr_lr (the kernel's own value, read
 * from the hardware at KVM init) when that symbol is in kallsyms, else
 * ICH_VTR_EL2.ListRegs + 1 when readable (VHE, GICv3), else 0. Never
 * inferred from the LRs in use.
 */
u8 vt_host_nr_lrs(void)
{
	return vt_nr_lrs;
}

/**
 * vt_host_el2_gicv3 - the kernel runs at EL2 (VHE) on a GICv3 host
 *
 * Return: true when ICH_* system registers are readable from the kernel.
 */
bool vt_host_el2_gicv3(void)
{
	return vt_el2_gicv3;
}

#ifdef CONFIG_ARM64
/*
 * Address of a kernel symbol that is not exported: kallsyms_lookup_name()
 * is not exported either, but a kprobe resolves it (the probe is removed
 * at once). Data symbols need CONFIG_KALLSYMS_ALL (Debian 6.12 and 7.2
 * have it, 6.1 does not).
 */
static unsigned long vt_lookup_name(const char *name)
{
	unsigned long (*lookup)(const char *name);
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

	if (register_kprobe(&kp))
		return 0;
	lookup = (unsigned long (*)(const char *))kp.addr;
	unregister_kprobe(&kp);
	return lookup ? lookup(name) : 0;
}

static void vt_read_nr_lrs(void)
{
	unsigned long g = vt_lookup_name("kvm_vgic_global_state");
	int nr = 0;

	/* struct vgic_global is this kernel's (include/kvm/arm_vgic.h) */
	if (g && !copy_from_kernel_nofault(&nr,
			(void *)(g + offsetof(struct vgic_global, nr_lr)),
			sizeof(nr)) && nr > 0 && nr <= 16) {
		vt_nr_lrs = nr;
		vt_nr_lrs_src = "kvm_vgic_global_state.nr_lr";
		return;
	}
	/* ICH_VTR_EL2 is only readable from EL2: VHE hosts */
	if (vt_el2_gicv3) {
		vt_nr_lrs = (read_sysreg_s(SYS_ICH_VTR_EL2) & 0xf) + 1;
		vt_nr_lrs_src = "ICH_VTR_EL2";
	}
}
#endif

/**
 * vt_meta_init - draw the hash key and read host facts
 *
 * Return: 0.
 */
int vt_meta_init(void)
{
	get_random_bytes(&vt_siphash_key, sizeof(vt_siphash_key));
#ifdef CONFIG_ARM64
	vt_gic_boot = cpus_have_cap(VT_CPUCAP_GICV3_CPUIF) ?
		      VT_GIC_V3 : VT_GIC_V2;
	vt_el2_gicv3 = vt_gic_boot == VT_GIC_V3 && is_kernel_in_hyp_mode();
	vt_read_nr_lrs();
	pr_info("vgic_trace: host GICv%u, %u list registers (%s)\n",
		vt_gic_boot, vt_nr_lrs, vt_nr_lrs_src);
#endif
	return 0;
}

static void vt_meta_one(u16 key, u16 id, u64 val, const char *str)
{
	struct vt_rec_meta r = {};

	vt_hdr_fill(&r.hdr, VT_REC_META, sizeof(r), VT_NO_VM, VT_NO_VCPU);
	r.key = key;
	r.id = id;
	r.val = val;
	if (str)
		strscpy(r.str, str, sizeof(r.str));
	vt_emit_meta(&r);
}

/**
 * vt_meta_emit_all - emit the metadata records (reader just opened)
 */
void vt_meta_emit_all(void)
{
	const char *sym;
	char ver[32];
	int status;
	u16 id;

	snprintf(ver, sizeof(ver), "vgic_trace.ko abi %u.%u", VT_ABI_MAJOR,
		 VT_ABI_MINOR);
	vt_meta_one(VT_META_BACKEND, 0, VT_BACKEND_MODULE, ver);
	vt_meta_one(VT_META_KERNEL, 0, 0, init_utsname()->release);
#ifdef CONFIG_ARM64
	vt_meta_one(VT_META_GIC, 0, vt_host_gic(), NULL);
	if (vt_nr_lrs)
		vt_meta_one(VT_META_NR_LRS, 0, vt_nr_lrs, NULL);
#endif
	for (id = 1; id <= VT_HOOK_MAX; id++) {
		status = vt_hook_status(id, &sym);
		if (!sym)
			continue;	/* not built for this architecture */
		vt_meta_one(VT_META_HOOK, id, status, sym);
	}
}

/*
 * vCPU -> thread cache of VT_META_VCPU: VT_VCPU_SETS sets of VT_VCPU_WAYS
 * slots, chosen by the vcpu pointer, allocated with the module (no
 * allocation in a probe). A slot holds the vcpu pointer and a keyed
 * hash of (vm_id, vcpu_id, tid, generation): a vCPU whose hash matches
 * was announced on this thread to this reader. Each word is written
 * whole (no torn value); two CPUs racing for one slot or a set full of
 * other vCPUs (the oldest is evicted) only make a record repeat, never
 * go missing. The generation changes at every open, so every vCPU is
 * announced again to a new reader.
 */
#define VT_VCPU_SET_BITS	8
#define VT_VCPU_SETS		(1U << VT_VCPU_SET_BITS)
#define VT_VCPU_WAYS		4

struct vt_vcpu_slot {
	unsigned long vcpu;
	u64 sig;
};
static struct vt_vcpu_slot vt_vcpu_cache[VT_VCPU_SETS][VT_VCPU_WAYS];
static u32 vt_vcpu_gen = 1;

/**
 * vt_meta_vcpu_reset - a new reader: announce every vCPU again
 *
 * Called by open() after the stream is on: a probe that sees the new
 * generation also sees the stream on (release/acquire).
 */
void vt_meta_vcpu_reset(void)
{
	smp_store_release(&vt_vcpu_gen, READ_ONCE(vt_vcpu_gen) + 1);
}

/**
 * vt_meta_vcpu_seen - emit VT_META_VCPU if @vcpu is new on this thread
 * @vcpu:	the vCPU the current task runs (its KVM_RUN)
 *
 * Called from a probe on the vCPU run loop (kvm_vgic_flush_hwstate,
 * IRQs off). Cost when nothing changed: one hash and up to
 * VT_VCPU_WAYS compares. A record that cannot be written (buffer full)
 * leaves the cache as it was, so the next guest entry retries.
 */
void vt_meta_vcpu_seen(struct kvm_vcpu *vcpu)
{
	struct vt_vcpu_slot *set, *slot = NULL;
	u32 gen = smp_load_acquire(&vt_vcpu_gen);
	unsigned long key = (unsigned long)vcpu;
	struct vt_rec_meta r;
	u32 vm, id, tid;
	u64 sig;
	int i;

	vm = vt_kvm_vm_id(vcpu->kvm);
	if (!vt_vm_ok(vm))
		return;
	id = vcpu->vcpu_id;
	tid = task_pid_nr(current);
	sig = siphash_2u64((u64)vm << 32 | id, (u64)tid << 32 | gen,
			   &vt_siphash_key) | 1;
	set = vt_vcpu_cache[hash_long(key, VT_VCPU_SET_BITS)];
	for (i = 0; i < VT_VCPU_WAYS; i++) {
		if (READ_ONCE(set[i].vcpu) != key)
			continue;
		if (READ_ONCE(set[i].sig) == sig)
			return;		/* announced on this thread */
		slot = &set[i];
		break;
	}
	if (!slot) {
		/* a free way, else evict the last (the others shift down) */
		for (i = 0; i < VT_VCPU_WAYS && !slot; i++)
			if (!READ_ONCE(set[i].vcpu))
				slot = &set[i];
		if (!slot) {
			for (i = VT_VCPU_WAYS - 1; i > 0; i--) {
				WRITE_ONCE(set[i].sig, READ_ONCE(set[i - 1].sig));
				WRITE_ONCE(set[i].vcpu, READ_ONCE(set[i - 1].vcpu));
			}
			slot = &set[0];
		}
	}
	memset(&r, 0, sizeof(r));
	vt_hdr_fill(&r.hdr, VT_REC_META, sizeof(r), vm, id);
	r.key = VT_META_VCPU;
	r.val = tid;
	/* comm: TASK_COMM_LEN bytes, may change under us (prctl): bounded */
	memcpy(r.str, current->comm, min(sizeof(r.str), sizeof(current->comm)));
	r.str[min(sizeof(r.str), sizeof(current->comm)) - 1] = '\0';
	/* not in the reader's buffer (full): retry at the next entry */
	if (vt_emit_meta(&r) == -ENOSPC)
		return;
	WRITE_ONCE(slot->sig, sig);
	WRITE_ONCE(slot->vcpu, key);
}
