// SPDX-License-Identifier: GPL-2.0
/*
 * scen_gicd.c - guest side of the scenarios that manage interrupt state
 * through the distributor instead of (or besides) the CPU interface:
 * icactiver, icpendr and lr-overflow.
 */
#include "gic.h"
#include "lib.h"
#include "scen.h"

/*
 * icactiver: ack the device, EOIR (EOImode 1: priority drop only), then
 * deactivate by writing the SPI's bit to GICD_ICACTIVER1. One raise; every
 * further delivery comes from a line KVM still holds high.
 */
void irq_icactiver(vt_u32 cpu, vt_u32 intid)
{
	dev_ack(cpu, intid - VT_FIRST_SPI);
	gic_eoi(intid);
	sh->cpu[cpu].eoi++;
	if (taken_total() >= sh->rounds)
		gic_disable(intid);	/* end the re-deliveries */
	gicd_w32(GICD_ICACTIVER + 4, SPI_BIT(intid));
	sh->cpu[cpu].icactiver++;
}

void body_icactiver(void)
{
	irqs_on();
	dev_raise(0);
	if (wait_taken(sh->rounds, sh->wait_ms * 4))
		sh->missed++;
	if (wait_ge(&sh->resample[0], 1, sh->wait_ms))
		sh->missed_resample++;
}

/* icpendr: the device was already acked; just count and EOI */
void irq_count_eoi(vt_u32 cpu, vt_u32 intid)
{
	gic_eoi(intid);
	sh->cpu[cpu].eoi++;
}

/*
 * icpendr, per round, IRQs masked: raise, see it pending in GICD_ISPENDR1,
 * ack the device, clear the pending state with GICD_ICPENDR1, read
 * ISPENDR1 again, then unmask and count what is still delivered.
 */
void body_icpendr(void)
{
	vt_u32 r, bit = SPI_BIT(VT_FIRST_SPI);

	for (r = 1; r <= sh->rounds; r++) {
		vt_u32 before = taken_total();
		vt_u64 end;

		dev_raise(0);
		end = now_us() + (vt_u64)sh->wait_ms * 1000;
		while (!(gicd_r32(GICD_ISPENDR + 4) & bit))
			if (now_us() > end)
				SETUP_FAIL();
		dev_ack(0, 0);
		gicd_w32(GICD_ICPENDR + 4, bit);
		sh->cpu[0].icpendr++;
		if (gicd_r32(GICD_ISPENDR + 4) & bit)
			sh->still_pending++;
		irqs_on();
		if (wait_taken(before + 1, sh->wait_ms))
			sh->missed++;
		irqs_off();
		if (taken_total() > before &&
		    wait_ge(&sh->resample[0], taken_total(), sh->wait_ms))
			sh->missed_resample++;
	}
}

/* lr-overflow phase 2: EOImode 1, so EOIR then DIR */
void irq_lr(vt_u32 cpu, vt_u32 intid)
{
	dev_ack(cpu, intid - VT_FIRST_SPI);
	gic_eoi(intid);
	sh->cpu[cpu].eoi++;
	gic_dir(intid);
	sh->cpu[cpu].dir++;
}

static vt_u32 resampled_lines(vt_u32 nr)
{
	vt_u32 l, n = 0;

	for (l = 0; l < nr; l++)
		n += sh->resample[l];
	return n;
}

static vt_u32 resample_mask(vt_u32 nr)
{
	vt_u32 l, m = 0;

	for (l = 0; l < nr; l++)
		if (sh->resample[l])
			m |= 1u << l;
	return m;
}

/*
 * lr-overflow: nr_lines (6) level SPIs made pending, acked at the device,
 * made active at once through GICD_ISACTIVER1, then deactivated with DIR
 * back to back (descending 37..32 unless VT_FLAG_ASCENDING). Then the
 * lines are raised again `rounds` times with IRQs unmasked.
 */
void body_lr_overflow(void)
{
	vt_u32 nr = sh->nr_lines, all = (1u << nr) - 1, l, r, m = 0;
	vt_u32 before[VT_MAX_LINES];
	vt_u64 end;

	for (l = 0; l < nr; l++)
		dev_raise(l);
	end = now_us() + (vt_u64)sh->wait_ms * 1000;
	while ((gicd_r32(GICD_ISPENDR + 4) & all) != all)
		if (now_us() > end)
			SETUP_FAIL();
	for (l = 0; l < nr; l++)
		dev_ack(0, l);
	gicd_w32(GICD_ISACTIVER + 4, all);
	if (sh->flags & VT_FLAG_ASCENDING) {
		for (l = 0; l < nr; l++)
			gic_dir(VT_FIRST_SPI + l);
	} else {
		for (l = nr; l-- > 0; )
			gic_dir(VT_FIRST_SPI + l);
	}
	sh->cpu[0].dir += nr;
	end = now_us() + (vt_u64)sh->wait_ms * 1000;
	while (resample_mask(nr) != all && now_us() < end)
		;
	sh->resample_mask = resample_mask(nr);
	sh->active_after = gicd_r32(GICD_ISACTIVER + 4) & all;

	/* phase 2: raise all lines again, count which ones arrive */
	for (l = 0; l < nr; l++)
		before[l] = sh->cpu[0].taken_line[l];
	irqs_on();
	for (r = 0; r < sh->rounds; r++) {
		vt_u32 t0 = taken_total(), r0 = resampled_lines(nr);

		for (l = 0; l < nr; l++)
			dev_raise(l);
		/* all lines that can arrive do so well within wait_ms */
		if (wait_taken(t0 + nr, sh->wait_ms))
			sh->missed++;
		end = now_us() + (vt_u64)sh->wait_ms * 1000;
		while (resampled_lines(nr) < r0 + (taken_total() - t0) &&
		       now_us() < end)
			;
	}
	irqs_off();
	for (l = 0; l < nr; l++) {
		sh->post_taken += sh->cpu[0].taken_line[l] - before[l];
		if (sh->cpu[0].taken_line[l] != before[l])
			m |= 1u << l;
	}
	sh->post_mask = m;
}
