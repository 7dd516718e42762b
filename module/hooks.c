// SPDX-License-Identifier: GPL-2.0
/*
 * hooks.c - register the probes of every hook group and report status.
 *
 * The probes are the rows of include/vt_hooks.def (the one hook table,
 * shared with the BPF backend). Each probe is registered on its own; a missing symbol (inlined,
 * renamed, module not loaded) marks that probe VT_ATTACH_MISSING with
 * the error and the load goes on. Probes in a module (vfio_pci_core) are
 * registered when that module becomes live and unregistered when it
 * starts going away (module notifier), and at load time if it is
 * already there.
 *
 * Missed hits: the kprobes core skips our handler when a probe fires
 * inside another probe's handler on the same CPU (kprobe nmissed) and
 * a kretprobe when all its instances are in use (maxactive, nmissed).
 * vt_hooks_missed() sums both over every probe, including probes
 * already unregistered (vfio_pci_core unloaded), without a lock; the
 * stream reports the increase as VT_REC_LOST (hdr.cpu VT_LOST_CPU_PROBES).
 */
#define pr_fmt(fmt) "vgic_trace: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/string.h>
#include <linux/version.h>

#include "vt_internal.h"

static DEFINE_MUTEX(vt_hooks_lock);

static unsigned int vt_maxactive;
module_param_named(maxactive, vt_maxactive, uint, 0444);
MODULE_PARM_DESC(maxactive,
		 "kretprobe instances per hook, 0 = max(64, 4 x CPUs) (load time; tests)");

/* missed hits of probes already unregistered */
static atomic64_t vt_missed_retired = ATOMIC64_INIT(0);

/*
 * The probe table, generated from include/vt_hooks.def. A row whose
 * handler this module does not implement (VT_MH_<token> NULL) or that is
 * not built for this architecture is left out; a row whose kernel range
 * is not this kernel's stays in the table as MISSING (-ENOEXEC): its
 * prototype is not the one the handler reads.
 */
#define VT_MH_flush		(&vt_h_flush)
#define VT_MH_sync		(&vt_h_sync)
#define VT_MH_fold_v3		(&vt_h_fold_v3)
#define VT_MH_fold_v2		(&vt_h_fold_v2)
#define VT_MH_dir_v3		(&vt_h_dir_v3)
#define VT_MH_dir_v2		(&vt_h_dir_v2)
#define VT_MH_fold_lr_v3	(&vt_h_fold_lr_v3)
#define VT_MH_fold_lr_v2	(&vt_h_fold_lr_v2)
#define VT_MH_inject		(&vt_h_inject)
#define VT_MH_inatomic		(&vt_h_inatomic)
#define VT_MH_ack		(&vt_h_ack)
#define VT_MH_resample		(&vt_h_resample)
#define VT_MH_irqfd		(&vt_h_irqfd)
#define VT_MH_vfio_handler	(&vt_h_vfio_handler)
#define VT_MH_vfio_send		(&vt_h_vfio_send)
#define VT_MH_vfio_mask		(&vt_h_vfio_mask)
#define VT_MH_vfio_mark		(&vt_h_vfio_mark)
#define VT_MH_vfio_unmask_handler (&vt_h_vfio_unmask_handler)
#define VT_MH_mmio_spending	(&vt_h_mmio_spending)
#define VT_MH_mmio_cpending	(&vt_h_mmio_cpending)
#define VT_MH_mmio_sactive	(&vt_h_mmio_sactive)
#define VT_MH_mmio_cactive	(&vt_h_mmio_cactive)
#define VT_MH_mmio_irouter	(&vt_h_mmio_irouter)
#define VT_MH_mmio_target	(&vt_h_mmio_target)
/* BPF only: the module reads the LR count from the hardware (meta.c) */
#define VT_MH_underflow_v3	NULL
#define VT_MH_underflow_v2	NULL

#define VT_ARCH_ANY(h)		VT_MH_##h
#ifdef CONFIG_ARM64
#define VT_ARCH_ARM64(h)	VT_MH_##h
#else
#define VT_ARCH_ARM64(h)	NULL
#endif

#define VT_WHERE_vmlinux	NULL
#define VT_WHERE_vfio_pci_core	"vfio_pci_core"

#define VT_FALLBACK_none	NULL
#define VT_FALLBACK(f)		(__builtin_strcmp(#f, "none") ? #f : NULL)

#define VT_HOOK_DEF(n, id, s, grp, where, f, u, at, arch, hd, fb, pr)	\
	{ .name = #n, .sym = s, .modname = VT_WHERE_##where,		\
	  .proto = pr, .fallback_of = VT_FALLBACK(fb),			\
	  .h = VT_ARCH_##arch(hd), .from = f, .until = u,		\
	  .hook_id = id, .group = VT_GRP_##grp },
static struct vt_probe vt_probes_all[] = {
#include "vt_hooks.def"
};

#define vt_for_probes(p)						\
	for ((p) = vt_probes_all;					\
	     (p) < vt_probes_all + ARRAY_SIZE(vt_probes_all); (p)++)	\
		if (!(p)->h) {} else

/* The row's kernel range holds this kernel (its prototype is ours). */
static bool vt_probe_in_range(const struct vt_probe *p)
{
	return LINUX_VERSION_CODE >= p->from && LINUX_VERSION_CODE < p->until;
}

/* Some row of @sym has this kernel in its range. */
static bool vt_sym_has_row(const char *sym)
{
	struct vt_probe *p;

	vt_for_probes(p)
		if (!strcmp(p->sym, sym) && vt_probe_in_range(p))
			return true;
	return false;
}

static struct vt_probe *vt_probe_by_name(const char *name)
{
	struct vt_probe *p;

	vt_for_probes(p)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

static const char * const vt_attach_names[] = {
	[VT_ATTACH_MISSING] = "missing",
	[VT_ATTACH_KPROBE] = "kprobe",
	[VT_ATTACH_KRETPROBE] = "kretprobe",
	[VT_ATTACH_FENTRY] = "fentry",
	[VT_ATTACH_TRACEPOINT] = "tracepoint",
	[VT_ATTACH_DISABLED] = "disabled",
};

/**
 * vt_attach_name - name of a VT_ATTACH_* value
 * @status:	VT_ATTACH_*
 *
 * Return: a static string.
 */
const char *vt_attach_name(int status)
{
	if (status < 0 || status >= (int)ARRAY_SIZE(vt_attach_names))
		return "?";
	return vt_attach_names[status];
}

static int vt_probe_register(struct vt_probe *p)
{
	int ret;

	if (p->armed)
		return 0;
	if (!vt_probe_in_range(p)) {
		p->status = VT_ATTACH_MISSING;
		p->err = -ENOEXEC;
		return -ENOEXEC;
	}
	if (p->fallback_of) {
		struct vt_probe *prim = vt_probe_by_name(p->fallback_of);

		if (prim && prim->armed) {
			p->status = VT_ATTACH_MISSING;
			p->err = -EEXIST;	/* standby: the primary is attached */
			return -EEXIST;
		}
	}
	/* "module:symbol" restricts the lookup to that module */
	if (p->modname)
		snprintf(p->fullname, sizeof(p->fullname), "%s:%s",
			 p->modname, p->sym);
	else
		strscpy(p->fullname, p->sym, sizeof(p->fullname));
	if (p->h->ret) {
		memset(&p->rp, 0, sizeof(p->rp));
		p->rp.kp.symbol_name = p->fullname;
		p->rp.entry_handler = p->h->entry;
		p->rp.handler = p->h->ret;
		p->rp.data_size = p->h->data_size;
		p->rp.maxactive = vt_maxactive ? min_t(unsigned int, vt_maxactive, 4096) :
				  max_t(int, 64, 4 * num_possible_cpus());
		ret = register_kretprobe(&p->rp);
	} else {
		memset(&p->kp, 0, sizeof(p->kp));
		p->kp.symbol_name = p->fullname;
		p->kp.pre_handler = p->h->pre;
		ret = register_kprobe(&p->kp);
	}
	p->err = ret;
	if (ret) {
		p->status = VT_ATTACH_MISSING;
		if (p->modname && ret == -ENOENT) {
			pr_info("hook %s:%s (id %u): waiting for module %s to load\n",
				p->modname, p->sym, p->hook_id, p->modname);
			return ret;
		}
		pr_warn("hook %s%s%s (id %u, group %s): not attached (%d)%s\n",
			p->modname ? p->modname : "", p->modname ? ":" : "",
			p->sym, p->hook_id, vt_group_name(p->group), ret,
			ret == -ENOENT ? ": symbol absent (inlined or not loaded)" : "");
		return ret;
	}
	WRITE_ONCE(p->armed, true);
	p->status = p->h->ret ? VT_ATTACH_KRETPROBE : VT_ATTACH_KPROBE;
	pr_info("hook %s%s%s (id %u, group %s): %s\n",
		p->modname ? p->modname : "", p->modname ? ":" : "", p->sym,
		p->hook_id, vt_group_name(p->group), vt_attach_name(p->status));
	return 0;
}

/**
 * vt_probe_missed - hits of one probe that the kprobes core did not hand
 * to our handler
 * @p:		the probe (armed or not; lock-free read)
 *
 * Return: kprobe reentrancy misses, plus for a kretprobe the hits that
 * found no free instance (maxactive).
 */
u64 vt_probe_missed(const struct vt_probe *p)
{
	if (p->h->ret)
		return (u64)READ_ONCE(p->rp.kp.nmissed) +
		       (u32)READ_ONCE(p->rp.nmissed);
	return READ_ONCE(p->kp.nmissed);
}

/*
 * An unregistered probe hands its misses over to vt_missed_retired: the
 * probe stops counting (armed false) before the total moves, so a
 * lock-free reader may count them once late, never twice.
 */
static void vt_probe_retire(struct vt_probe *p)
{
	u64 m = vt_probe_missed(p);

	if (m)
		pr_warn("hook %s: %llu hits missed (kretprobe maxactive %d)\n",
			p->sym, m, p->h->ret ? p->rp.maxactive : 0);
	WRITE_ONCE(p->armed, false);
	smp_wmb();
	atomic64_add(m, &vt_missed_retired);
}

/**
 * vt_hooks_missed - probe hits missed since the module was loaded
 *
 * Lock-free (called from the reader's wait condition).
 *
 * Return: the sum over every probe, armed or retired.
 */
u64 vt_hooks_missed(void)
{
	u64 m = atomic64_read(&vt_missed_retired);
	struct vt_probe *p;

	smp_rmb();
	vt_for_probes(p)
		if (READ_ONCE(p->armed))
			m += vt_probe_missed(p);
	return m;
}

static void vt_probe_unregister(struct vt_probe *p)
{
	if (!p->armed)
		return;
	if (p->h->ret)
		unregister_kretprobe(&p->rp);
	else
		unregister_kprobe(&p->kp);
	vt_probe_retire(p);
	p->status = VT_ATTACH_MISSING;
	p->err = -ENOENT;
}

/* Register (or unregister) every probe whose module is @modname. */
static void vt_probes_for_module(const char *modname, bool attach)
{
	struct vt_probe *p;

	vt_for_probes(p) {
		if (!p->modname || strcmp(p->modname, modname))
			continue;
		if (attach)
			vt_probe_register(p);
		else
			vt_probe_unregister(p);
	}
}

static bool vt_is_hooked_module(const char *name)
{
	struct vt_probe *p;

	vt_for_probes(p)
		if (p->modname && !strcmp(p->modname, name))
			return true;
	return false;
}

static int vt_module_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct module *mod = data;

	if (!vt_is_hooked_module(mod->name))
		return NOTIFY_DONE;
	mutex_lock(&vt_hooks_lock);
	if (action == MODULE_STATE_LIVE) {
		pr_info("module %s loaded: attaching its hooks\n", mod->name);
		vt_probes_for_module(mod->name, true);
	} else if (action == MODULE_STATE_GOING) {
		pr_info("module %s going: detaching its hooks\n", mod->name);
		vt_probes_for_module(mod->name, false);
	}
	mutex_unlock(&vt_hooks_lock);
	return NOTIFY_OK;
}

static struct notifier_block vt_module_nb = {
	.notifier_call = vt_module_notify,
};

/**
 * vt_hooks_init - register every probe that can be registered now
 *
 * Probes on modules that are not loaded stay MISSING until the module
 * notifier sees the module become live. Rows of include/vt_hooks.def
 * whose kernel range is not this kernel's are not registered.
 *
 * Return: 0, or a negative errno if the module notifier cannot be
 * registered. Missing symbols are not errors.
 */
int vt_hooks_init(void)
{
	unsigned int armed = 0, total = 0;
	struct vt_probe *p;
	int ret;

	ret = register_module_notifier(&vt_module_nb);
	if (ret)
		return ret;
	mutex_lock(&vt_hooks_lock);
	vt_for_probes(p) {
		p->status = VT_ATTACH_MISSING;
		p->err = -ENOENT;
		if (!vt_probe_in_range(p)) {
			p->err = -ENOEXEC;
			/* another row may have this kernel's prototype */
			if (!vt_sym_has_row(p->sym))
				pr_info("hook %s (id %u): not for this kernel (vt_hooks.def rows 0x%x..0x%x): %s\n",
					p->sym, p->hook_id, p->from, p->until,
					p->proto);
			continue;
		}
		total++;
		/* a module probe fails with -ENOENT if not loaded */
		if (!vt_probe_register(p))
			armed++;
	}
	mutex_unlock(&vt_hooks_lock);
	pr_info("%u of %u probes attached (see /sys/kernel/debug/vgic_trace/hooks)\n",
		armed, total);
	return 0;
}

#define VT_MAX_PROBES	64

/**
 * vt_hooks_exit - unregister the module notifier and every probe
 *
 * All kprobes go in one unregister_kprobes() call and all kretprobes in
 * one unregister_kretprobes() call: one RCU grace period each instead of
 * one per probe, which keeps rmmod fast.
 */
void vt_hooks_exit(void)
{
	struct kretprobe *rps[VT_MAX_PROBES];
	struct kprobe *kps[VT_MAX_PROBES];
	unsigned int nk = 0, nr = 0;
	struct vt_probe *p;

	unregister_module_notifier(&vt_module_nb);
	mutex_lock(&vt_hooks_lock);
	vt_for_probes(p) {
		if (!p->armed)
			continue;
		if (p->h->ret && nr < VT_MAX_PROBES)
			rps[nr++] = &p->rp;
		else if (!p->h->ret && nk < VT_MAX_PROBES)
			kps[nk++] = &p->kp;
		else
			vt_probe_unregister(p);
	}
	if (nk)
		unregister_kprobes(kps, nk);
	if (nr)
		unregister_kretprobes(rps, nr);
	vt_for_probes(p)
		if (p->armed)
			vt_probe_retire(p);
	mutex_unlock(&vt_hooks_lock);
}

/**
 * vt_hook_status - attach status of a hook (best of its probes)
 * @hook_id:	VT_HOOK_*
 * @sym:	if not NULL, set to the symbol of the probe reported
 *
 * Rows whose kernel range is not this kernel's count only when no row
 * of @hook_id is in range (the hook is then reported MISSING).
 *
 * Return: VT_ATTACH_* (MISSING when no probe of @hook_id is attached).
 */
int vt_hook_status(u16 hook_id, const char **sym)
{
	int best = VT_ATTACH_MISSING;
	const char *bsym = NULL;
	bool bin = false;
	struct vt_probe *p;

	mutex_lock(&vt_hooks_lock);
	vt_for_probes(p) {
		bool in = vt_probe_in_range(p);

		if (p->hook_id != hook_id)
			continue;
		if (!bsym || (in && !bin) ||
		    (p->armed && best == VT_ATTACH_MISSING)) {
			bsym = p->sym;
			bin = in;
			best = p->armed ? p->status : VT_ATTACH_MISSING;
			if (p->armed && !vt_group_on(p->group))
				best = VT_ATTACH_DISABLED;
		}
	}
	mutex_unlock(&vt_hooks_lock);
	if (sym)
		*sym = bsym;
	return best;
}

void vt_for_each_probe(void (*fn)(const struct vt_probe *p, void *arg),
		       void *arg)
{
	struct vt_probe *p;

	mutex_lock(&vt_hooks_lock);
	vt_for_probes(p)
		fn(p, arg);
	mutex_unlock(&vt_hooks_lock);
}
