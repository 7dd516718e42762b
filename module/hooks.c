// SPDX-License-Identifier: GPL-2.0
/*
 * hooks.c - register the probes of every hook group and report status.
 *
 * Each probe is registered on its own; a missing symbol (inlined,
 * renamed, module not loaded) marks that probe VT_ATTACH_MISSING with
 * the error and the load goes on. Probes in a module (vfio_pci_core) are
 * registered when that module becomes live and unregistered when it
 * starts going away (module notifier), and at load time if it is
 * already there.
 */
#define pr_fmt(fmt) "vgic_trace: " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/string.h>

#include "vt_internal.h"

static DEFINE_MUTEX(vt_hooks_lock);

static struct vt_probe_set *vt_sets[] = {
#ifdef CONFIG_ARM64
	&vt_set_lr,
	&vt_set_inject,
	&vt_set_mmio,
#endif
	&vt_set_irqfd,
	&vt_set_vfio,
};

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
	/* "module:symbol" restricts the lookup to that module */
	if (p->modname)
		snprintf(p->fullname, sizeof(p->fullname), "%s:%s",
			 p->modname, p->sym);
	else
		strscpy(p->fullname, p->sym, sizeof(p->fullname));
	if (p->ret) {
		memset(&p->rp, 0, sizeof(p->rp));
		p->rp.kp.symbol_name = p->fullname;
		p->rp.entry_handler = p->entry;
		p->rp.handler = p->ret;
		p->rp.data_size = p->data_size;
		p->rp.maxactive = max_t(int, 64, 4 * num_possible_cpus());
		ret = register_kretprobe(&p->rp);
	} else {
		memset(&p->kp, 0, sizeof(p->kp));
		p->kp.symbol_name = p->fullname;
		p->kp.pre_handler = p->pre;
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
	p->armed = true;
	p->status = p->ret ? VT_ATTACH_KRETPROBE : VT_ATTACH_KPROBE;
	pr_info("hook %s%s%s (id %u, group %s): %s\n",
		p->modname ? p->modname : "", p->modname ? ":" : "", p->sym,
		p->hook_id, vt_group_name(p->group), vt_attach_name(p->status));
	return 0;
}

static void vt_probe_unregister(struct vt_probe *p)
{
	if (!p->armed)
		return;
	if (p->ret) {
		unregister_kretprobe(&p->rp);
		if (p->rp.nmissed)
			pr_warn("hook %s: %d return probes missed (maxactive %d)\n",
				p->sym, p->rp.nmissed, p->rp.maxactive);
	} else {
		unregister_kprobe(&p->kp);
	}
	p->armed = false;
	p->status = VT_ATTACH_MISSING;
	p->err = -ENOENT;
}

/* Register (or unregister) every probe whose module is @modname. */
static void vt_probes_for_module(const char *modname, bool attach)
{
	struct vt_probe *p;
	unsigned int s, i;

	for (s = 0; s < ARRAY_SIZE(vt_sets); s++) {
		for (i = 0; i < vt_sets[s]->nr; i++) {
			p = &vt_sets[s]->probes[i];
			if (!p->modname || strcmp(p->modname, modname))
				continue;
			if (attach)
				vt_probe_register(p);
			else
				vt_probe_unregister(p);
		}
	}
}

static bool vt_is_hooked_module(const char *name)
{
	unsigned int s, i;

	for (s = 0; s < ARRAY_SIZE(vt_sets); s++)
		for (i = 0; i < vt_sets[s]->nr; i++)
			if (vt_sets[s]->probes[i].modname &&
			    !strcmp(vt_sets[s]->probes[i].modname, name))
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
 * notifier sees the module become live.
 *
 * Return: 0, or a negative errno if the module notifier cannot be
 * registered. Missing symbols are not errors.
 */
int vt_hooks_init(void)
{
	unsigned int s, i, armed = 0, total = 0;
	struct vt_probe *p;
	int ret;

	ret = register_module_notifier(&vt_module_nb);
	if (ret)
		return ret;
	mutex_lock(&vt_hooks_lock);
	for (s = 0; s < ARRAY_SIZE(vt_sets); s++) {
		for (i = 0; i < vt_sets[s]->nr; i++) {
			p = &vt_sets[s]->probes[i];
			p->status = VT_ATTACH_MISSING;
			p->err = -ENOENT;
			total++;
			/* a module probe fails with -ENOENT if not loaded */
			if (!vt_probe_register(p))
				armed++;
		}
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
	unsigned int s, i, nk = 0, nr = 0;
	struct vt_probe *p;

	unregister_module_notifier(&vt_module_nb);
	mutex_lock(&vt_hooks_lock);
	for (s = 0; s < ARRAY_SIZE(vt_sets); s++) {
		for (i = 0; i < vt_sets[s]->nr; i++) {
			p = &vt_sets[s]->probes[i];
			if (!p->armed)
				continue;
			if (p->ret && nr < VT_MAX_PROBES)
				rps[nr++] = &p->rp;
			else if (!p->ret && nk < VT_MAX_PROBES)
				kps[nk++] = &p->kp;
			else
				vt_probe_unregister(p);
		}
	}
	if (nk)
		unregister_kprobes(kps, nk);
	if (nr)
		unregister_kretprobes(rps, nr);
	for (s = 0; s < ARRAY_SIZE(vt_sets); s++) {
		for (i = 0; i < vt_sets[s]->nr; i++) {
			p = &vt_sets[s]->probes[i];
			if (p->armed && p->ret && p->rp.nmissed)
				pr_warn("hook %s: %d return probes missed (maxactive %d)\n",
					p->sym, p->rp.nmissed, p->rp.maxactive);
			p->armed = false;
		}
	}
	mutex_unlock(&vt_hooks_lock);
}

/**
 * vt_hook_status - attach status of a hook (best of its probes)
 * @hook_id:	VT_HOOK_*
 * @sym:	if not NULL, set to the symbol of the probe reported
 *
 * Return: VT_ATTACH_* (MISSING when no probe of @hook_id is attached).
 */
int vt_hook_status(u16 hook_id, const char **sym)
{
	int best = VT_ATTACH_MISSING;
	const char *bsym = NULL;
	struct vt_probe *p;
	unsigned int s, i;

	mutex_lock(&vt_hooks_lock);
	for (s = 0; s < ARRAY_SIZE(vt_sets); s++) {
		for (i = 0; i < vt_sets[s]->nr; i++) {
			p = &vt_sets[s]->probes[i];
			if (p->hook_id != hook_id)
				continue;
			if (!bsym || (p->armed && best == VT_ATTACH_MISSING)) {
				bsym = p->sym;
				best = p->armed ? p->status : VT_ATTACH_MISSING;
				if (p->armed && !vt_group_on(p->group))
					best = VT_ATTACH_DISABLED;
			}
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
	unsigned int s, i;

	mutex_lock(&vt_hooks_lock);
	for (s = 0; s < ARRAY_SIZE(vt_sets); s++)
		for (i = 0; i < vt_sets[s]->nr; i++)
			fn(&vt_sets[s]->probes[i], arg);
	mutex_unlock(&vt_hooks_lock);
}
