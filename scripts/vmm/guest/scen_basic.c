// SPDX-License-Identifier: GPL-2.0
/*
 * scen_basic.c - guest side of healthy/vfio, no-resample, guest-no-eoi,
 * storm and migrate: one level SPI (line 0 = SPI 32), raised at the device
 * by the guest itself, round after round.
 */
#include "gic.h"
#include "lib.h"
#include "scen.h"

/* ack the device, then EOI (EOImode 0: drop and deactivate) */
void irq_ack_eoi(vt_u32 cpu, vt_u32 intid)
{
	dev_ack(cpu, intid - VT_FIRST_SPI);
	gic_eoi(intid);
	sh->cpu[cpu].eoi++;
}

/*
 * healthy, vfio, no-resample: raise, wait for the interrupt, and (VMM
 * device) wait for the resample of that round before the next raise so
 * that every count belongs to exactly one round. With edu the unmask is
 * not visible to the guest; a raise while masked is delivered at unmask.
 */
void body_rounds(void)
{
	vt_u32 r;

	irqs_on();
	for (r = 1; r <= sh->rounds; r++) {
		dev_raise(0);
		if (wait_taken(r - sh->missed, sh->wait_ms)) {
			sh->missed++;
			continue;
		}
		if (!(sh->flags & VT_FLAG_EDU) &&
		    wait_ge(&sh->resample[0], r - sh->missed, sh->wait_ms))
			sh->missed_resample++;
	}
	/* let a late resample land before the VMM reads its counters */
	delay_ms(20);
}

/*
 * no-resample: ack and EOI like healthy, but a line that never drops in KVM
 * (irqfd without resamplefd on a level SPI) would re-deliver forever:
 * disable the SPI after VT_REDELIVERY_CAP interrupts.
 */
void irq_capped(vt_u32 cpu, vt_u32 intid)
{
	if (taken_total() >= VT_REDELIVERY_CAP)
		gic_disable(intid);
	irq_ack_eoi(cpu, intid);
}

/* guest-no-eoi: take it, ack the device, never write EOIR */
void irq_no_eoi(vt_u32 cpu, vt_u32 intid)
{
	dev_ack(cpu, intid - VT_FIRST_SPI);
}

void body_no_eoi(void)
{
	vt_u32 r;

	irqs_on();
	for (r = 1; r <= sh->rounds; r++) {
		dev_raise(0);
		if (wait_taken(r - sh->missed, sh->wait_ms))
			sh->missed++;
	}
	if (!(sh->flags & VT_FLAG_EDU) && wait_ge(&sh->resample[0], 1, sh->wait_ms))
		sh->missed_resample++;
}

/* storm: EOI without acking the device until the last round */
void irq_storm(vt_u32 cpu, vt_u32 intid)
{
	if (taken_total() >= sh->rounds)
		dev_ack(cpu, intid - VT_FIRST_SPI);
	gic_eoi(intid);
	sh->cpu[cpu].eoi++;
}

void body_storm(void)
{
	irqs_on();
	dev_raise(0);
	if (wait_taken(sh->rounds, sh->wait_ms * 4))
		sh->missed++;
	if (!(sh->flags & VT_FLAG_EDU) &&
	    wait_ge(&sh->resample[0], sh->rounds, sh->wait_ms))
		sh->missed_resample++;
	delay_ms(20);
}

/* migrate: retarget the SPI to the next vCPU while it is active here */
void irq_migrate(vt_u32 cpu, vt_u32 intid)
{
	dev_ack(cpu, intid - VT_FIRST_SPI);
	gic_route(intid, (cpu + 1) % sh->nr_vcpus);
	sh->cpu[cpu].retarget++;
	gic_eoi(intid);
	sh->cpu[cpu].eoi++;
}

void body_migrate(void)
{
	vt_u32 i;

	for (i = 1; i < sh->nr_vcpus; i++)
		if (wait_ge(&sh->cpu[i].ready, 1, sh->wait_ms * 4))
			SETUP_FAIL();
	body_rounds();
}

/*
 * mem-ack, vfio-mmap: the device is acked without an exit (VMM device:
 * its ack word in RAM; edu: BAR0 mapped into the guest as a memslot, as
 * QEMU maps it by default), then EOI. The interrupt is therefore taken,
 * acked and EOI'd within one run, unless the vCPU happens to exit while
 * it is active. A delivery that finds the device not asserting (already
 * acked) is a phantom; after VT_PHANTOM_CAP of them the SPI is disabled.
 */
void irq_mem_ack(vt_u32 cpu, vt_u32 intid)
{
	if (sh->flags & VT_FLAG_EDU) {
		vt_u32 st = mmio_r32(VT_EDU_BASE + VT_EDU_IRQ_STATUS);

		if (st) {
			mmio_w32(VT_EDU_BASE + VT_EDU_IRQ_ACK, st);
			sh->cpu[cpu].device_ack++;
		} else {
			sh->phantom++;
		}
	} else if (sh->mem_ack < sh->round) {
		sh->mem_ack = sh->round;
		sh->cpu[cpu].device_ack++;
	} else {
		sh->phantom++;
	}
	if (sh->phantom >= VT_PHANTOM_CAP)
		gic_disable(intid);
	asm volatile("dsb sy" : : : "memory");
	gic_eoi(intid);
	sh->cpu[cpu].eoi++;
}

/*
 * mem-ack, vfio-mmap: per round raise (VMM device: an MMIO exit; edu: a
 * store into the mapped BAR), wait until the handler acked the device,
 * and (VMM device) wait for that round's resample.
 */
void body_mem_ack(void)
{
	volatile vt_u32 *acks = &sh->cpu[0].device_ack;
	vt_u32 r, rs;

	irqs_on();
	for (r = 1; r <= sh->rounds; r++) {
		rs = sh->resample[0];
		sh->round = r;
		dev_raise(0);
		if (wait_ge(acks, r - sh->missed, sh->wait_ms)) {
			sh->missed++;
			continue;
		}
		if (!(sh->flags & VT_FLAG_EDU) &&
		    wait_ge(&sh->resample[0], rs + 1, sh->wait_ms))
			sh->missed_resample++;
	}
	delay_ms(20);
}
