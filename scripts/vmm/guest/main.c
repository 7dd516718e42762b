// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - guest entry in C: GIC setup, secondary vCPUs, the IRQ entry
 * point that counts every IAR, and unexpected exceptions.
 */
#include "gic.h"
#include "lib.h"
#include "scenario.h"

static const struct guest_scenario *scen;

void guest_main(unsigned long cpu);
void irq_entry(unsigned long idx);
void bad_vector(unsigned long idx);

void guest_main(unsigned long cpu)
{
	if (sh->magic != VT_SHARED_MAGIC || cpu >= VT_MAX_VCPUS)
		guest_fail(VT_STATUS_SETUP_FAIL, __LINE__);
	scen = guest_scenario_find(sh->scenario);
	if (!scen)
		guest_fail(VT_STATUS_SETUP_FAIL, __LINE__);

	if (cpu == 0) {
		if (sh->nr_vcpus < (vt_u32)scen->min_vcpus)
			SETUP_FAIL();
		gic_dist_setup(sh->nr_lines);
	}
	gic_cpu_setup(scen->eoimode);

	if (cpu != 0) {
		/* secondaries take interrupts until the VMM stops them */
		sh->cpu[cpu].ready = 1;
		irqs_on();
		for (;;)
			asm volatile("wfi");
	}
	sh->cpu[0].ready = 1;
	scen->body();
	irqs_off();
	sh->status = VT_STATUS_DONE;
	sh->stop = 1;
	guest_done(0);
}

void irq_entry(unsigned long idx)
{
	vt_u32 cpu = this_cpu();
	vt_u32 intid = gic_iar();

	(void)idx;
	if (intid >= GIC_SPURIOUS) {
		sh->cpu[cpu].spurious++;
		return;
	}
	if (intid < VT_FIRST_SPI || intid >= VT_FIRST_SPI + sh->nr_lines) {
		/* not ours: count it as spurious and finish it */
		sh->cpu[cpu].spurious++;
		gic_eoi(intid);
		if (scen->eoimode)
			gic_dir(intid);
		return;
	}
	sh->cpu[cpu].taken_line[intid - VT_FIRST_SPI]++;
	sh->cpu[cpu].taken++;
	scen->irq(cpu, intid);
}

void bad_vector(unsigned long idx)
{
	mmio_w32(VT_DEV_BASE + VT_DEV_ESR, (vt_u32)read_sysreg(esr_el1));
	(void)idx;
	guest_fail(VT_STATUS_EXCEPTION, (vt_u32)read_sysreg(elr_el1));
}
