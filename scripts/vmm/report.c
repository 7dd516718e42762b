// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - the one machine-readable line a scenario prints:
 *   VT_GROUND_TRUTH scenario=NAME gic=3 vcpus=N key=value ...
 * Guest-side counts are summed over vCPUs; VMM-side counts over lines.
 */
#include <stdio.h>

#include "scenario.h"

struct sums {
	uint32_t taken, eoi, dir, icactiver, icpendr, spurious, retarget, guest_ack;
	uint32_t raise, ack, trigger, retrigger;
	uint64_t resample;
};

static void sum_up(const struct vm *vm, struct sums *s)
{
	const struct vt_shared *sh = vm->sh;
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		const struct vt_cpu_counts *c = &sh->cpu[i];

		s->taken += c->taken;
		s->eoi += c->eoi;
		s->dir += c->dir;
		s->icactiver += c->icactiver;
		s->icpendr += c->icpendr;
		s->spurious += c->spurious;
		s->retarget += c->retarget;
		s->guest_ack += c->device_ack;
	}
	for (i = 0; i < vm->nr_lines; i++) {
		s->raise += vm->line[i].raise;
		s->ack += vm->line[i].ack;
		s->trigger += vm->line[i].trigger;
		s->retrigger += vm->line[i].retrigger;
		s->resample += vm->line[i].resample;
	}
}

/**
 * report_ground_truth() - print the VT_GROUND_TRUTH line on stdout.
 * @host_irq: host interrupts of the VFIO INTx during the run, -1 if none
 *
 * With VFIO the unmask eventfd is consumed by vfio-pci, so trigger and
 * resample are not observable by the VMM and printed as "na".
 */
void report_ground_truth(const struct run_opts *o, struct vm *vm, const char *status,
			 long host_irq, long elapsed_ms)
{
	const struct vt_shared *sh = vm->sh;
	struct sums s = { 0 };
	int i;

	sum_up(vm, &s);
	printf("VT_GROUND_TRUTH scenario=%s gic=%d vcpus=%d rounds=%d status=%s device=%s",
	       o->scen->name, vm->gic, vm->nr_vcpus, o->rounds, status,
	       vm->vfio ? "edu" : "vmm");
	printf(" taken=%u eoi=%u dir=%u icactiver=%u icpendr=%u spurious=%u retarget=%u",
	       s.taken, s.eoi, s.dir, s.icactiver, s.icpendr, s.spurious, s.retarget);
	if (vm->mem_ack && vm->vfio) {
		/* the guest reaches edu through the memslot: the VMM sees nothing */
		s.raise = s.ack = 0;
	} else if (vm->mem_ack) {
		s.ack = sh->mem_ack;	/* raises acked, read from the ack word */
	}
	if (vm->mem_ack && vm->vfio)
		printf(" guest_ack=%u raise=na device_ack=na guest_raise=%u",
		       s.guest_ack, sh->raise);
	else
		printf(" guest_ack=%u raise=%u device_ack=%u", s.guest_ack, s.raise, s.ack);
	printf(" missed=%u missed_resample=%u", sh->missed, sh->missed_resample);
	if (vm->mem_ack)
		printf(" phantom=%u", sh->phantom);
	if (vm->vfio)
		printf(" trigger=na retrigger=na resample=na host_irq=%ld nointxmask=%d",
		       host_irq, vfio_nointxmask());
	else
		printf(" trigger=%u retrigger=%u resample=%llu", s.trigger, s.retrigger,
		       (unsigned long long)s.resample);
	if (vm->nr_vcpus > 1)
		for (i = 0; i < vm->nr_vcpus; i++)
			printf(" taken_v%d=%u", i, sh->cpu[i].taken);
	if (o->scen->guest_id == VT_GS_ICPENDR)
		printf(" still_pending=%u", sh->still_pending);
	if (o->scen->guest_id == VT_GS_LR_OVERFLOW)
		printf(" resample_mask=%#x active_after=%#x post_taken=%u post_mask=%#x",
		       sh->resample_mask, sh->active_after, sh->post_taken, sh->post_mask);
	if (vm->mem_ack && vm->vfio)
		printf(" bar=mmap edu_status=%ld", vm->edu_status);
	printf(" elapsed_ms=%ld\n", elapsed_ms);
	fflush(stdout);
}
