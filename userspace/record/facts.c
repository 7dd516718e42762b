// SPDX-License-Identifier: GPL-2.0
/*
 * facts.c - what the recording host is: kernel release, machine, GIC.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "traced.h"

/* GICv3 hosts name their irqchip "GICv3" in /proc/interrupts, v2 "GIC-0" */
static uint8_t probe_gic(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512];
	uint8_t v = 0;

	if (!f)
		return 0;
	while (!v && fgets(line, sizeof(line), f)) {
		if (strstr(line, "GICv3"))
			v = VT_GIC_V3;
		else if (strstr(line, "GIC-0") || strstr(line, "GICv2"))
			v = VT_GIC_V2;
	}
	fclose(f);
	return v;
}

/**
 * vt_host_facts_probe() - fill @f for this host
 * @f:		facts
 * @backend:	VT_BACKEND_* recorded in the file header
 */
void vt_host_facts_probe(struct vt_host_facts *f, unsigned int backend)
{
	struct utsname u;

	memset(f, 0, sizeof(*f));
	if (!uname(&u)) {
		snprintf(f->kernel_release, sizeof(f->kernel_release), "%.64s", u.release);
		snprintf(f->arch, sizeof(f->arch), "%.15s", u.machine);
	}
	f->gic_version = probe_gic();
	f->backend = backend;
	f->abi_major = VT_ABI_MAJOR;
	f->abi_minor = VT_ABI_MINOR;
}
