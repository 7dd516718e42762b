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
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/string.h>
#include <linux/utsname.h>
#ifdef CONFIG_ARM64
#include <asm/cpufeature.h>
#include <asm/sysreg.h>
#include <asm/virt.h>
#endif

#include "vt_internal.h"

static siphash_key_t vt_siphash_key;
static u8 vt_gic_seen;
static u8 vt_gic_boot;
static u8 vt_nr_lrs;

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
 * Return: ICH_VTR_EL2.ListRegs + 1 when readable (VHE, GICv3), else 0.
 */
u8 vt_host_nr_lrs(void)
{
	return vt_nr_lrs;
}

/**
 * vt_meta_init - draw the hash key and read host facts
 *
 * Return: 0.
 */
int vt_meta_init(void)
{
	get_random_bytes(&vt_siphash_key, sizeof(vt_siphash_key));
#ifdef CONFIG_ARM64
	vt_gic_boot = cpus_have_cap(ARM64_HAS_SYSREG_GIC_CPUIF) ?
		      VT_GIC_V3 : VT_GIC_V2;
	/* ICH_VTR_EL2 is only readable from EL2: VHE hosts */
	if (vt_gic_boot == VT_GIC_V3 && is_kernel_in_hyp_mode())
		vt_nr_lrs = (read_sysreg_s(SYS_ICH_VTR_EL2) & 0xf) + 1;
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
