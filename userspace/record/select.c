// SPDX-License-Identifier: GPL-2.0
/*
 * select.c - which source vgic-traced records from: the module device
 * when it exists (auto), else the BPF backend; or the one asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "traced.h"

/**
 * vt_source_select() - open the source @o asks for
 * @o:		settings (backend choice, device)
 * @k:		sink the source delivers to
 * @s:		the source to fill
 * @bpf_open:	opens the BPF backend (vt_source_bpf_open; tests pass a fake)
 *
 * auto: the module device; only when it does not exist (ENOENT) the BPF
 * backend. A device that exists but fails (EBUSY: another reader, EACCES)
 * is an error, never a silent switch to another backend.
 *
 * Return: 0 or -errno (message printed).
 */
int vt_source_select(const struct vt_opts *o, struct vt_sink *k,
		     struct vt_source *s, vt_source_open_fn bpf_open)
{
	int err;

	if (o->backend != VT_CHOOSE_BPF) {
		err = vt_source_module_open(o, k, s);
		if (!err)
			return 0;
		if (err != -ENOENT || o->backend == VT_CHOOSE_MODULE) {
			fprintf(stderr, "vgic-traced: %s: %s%s\n", o->device, strerror(-err),
				err == -EBUSY ? " (another reader has the device)" :
				err == -ENOENT ? " (is vgic_trace.ko loaded?)" : "");
			return err;
		}
	}
	err = bpf_open(o, k, s);
	if (err)
		fprintf(stderr, "vgic-traced: BPF backend: %s\n", strerror(-err));
	return err;
}
