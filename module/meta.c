// SPDX-License-Identifier: GPL-2.0
/*
 * meta.c - metadata records and host facts.
 *
 * At every open of /dev/vgic_trace the reader first gets VT_REC_META
 * records: backend (module, ABI version), kernel release, host GIC
 * version, implemented LRs (when readable), and one VT_META_HOOK per hook
 * with its attach status and symbol.
 *
 * Also the keyed hash used for eventfd identities: siphash of the
 * eventfd_ctx pointer with a key drawn at load, so records link the same
 * eventfd without exposing a kernel address.
 */
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
