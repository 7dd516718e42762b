// SPDX-License-Identifier: GPL-2.0
/*
 * lib.c - guest waits with time limits, device access, leaving the VM.
 */
#include "lib.h"

/**
 * wait_ge() - wait until *@p >= @target or @ms milliseconds passed.
 *
 * Return: 0 when reached, -1 on timeout.
 */
int wait_ge(volatile vt_u32 *p, vt_u32 target, vt_u32 ms)
{
	vt_u64 end = now_us() + (vt_u64)ms * 1000;

	while (*p < target) {
		if (now_us() > end)
			return -1;
	}
	return 0;
}

/** taken_total() - interrupts taken by all vCPUs so far. */
vt_u32 taken_total(void)
{
	vt_u32 i, n = 0;

	for (i = 0; i < sh->nr_vcpus; i++)
		n += ((volatile struct vt_cpu_counts *)&sh->cpu[i])->taken;
	return n;
}

/**
 * wait_taken() - wait until all vCPUs together took @target interrupts.
 *
 * Return: 0 when reached, -1 after @ms milliseconds.
 */
int wait_taken(vt_u32 target, vt_u32 ms)
{
	vt_u64 end = now_us() + (vt_u64)ms * 1000;

	while (taken_total() < target) {
		if (now_us() > end)
			return -1;
	}
	return 0;
}

/** delay_ms() - busy-wait @ms milliseconds. */
void delay_ms(vt_u32 ms)
{
	vt_u64 end = now_us() + (vt_u64)ms * 1000;

	while (now_us() < end)
		;
}

/** dev_raise() - make the device assert @line (edu: its only INTx). */
void dev_raise(vt_u32 line)
{
	if (sh->flags & VT_FLAG_EDU)
		mmio_w32(VT_EDU_BASE + VT_EDU_IRQ_RAISE, 1);
	else
		mmio_w32(VT_DEV_BASE + VT_DEV_RAISE, line);
	sh->raise++;
}

/** dev_ack() - acknowledge @line at the device, as a driver would. */
void dev_ack(vt_u32 cpu, vt_u32 line)
{
	if (sh->flags & VT_FLAG_EDU) {
		vt_u32 st = mmio_r32(VT_EDU_BASE + VT_EDU_IRQ_STATUS);

		mmio_w32(VT_EDU_BASE + VT_EDU_IRQ_ACK, st ? st : 1);
	} else {
		mmio_w32(VT_DEV_BASE + VT_DEV_ACK, line);
	}
	sh->cpu[cpu].device_ack++;
}

/** guest_fail() - record a failure and leave the VM (vCPU 0 ends the run). */
void guest_fail(vt_u32 code, vt_u32 where)
{
	sh->fail_line = where;
	sh->status = code;
	sh->stop = 1;
	mmio_w32(VT_DEV_BASE + VT_DEV_FAIL, code);
	for (;;)
		asm volatile("wfi");
}

/** guest_done() - this vCPU leaves the VM. */
void guest_done(vt_u32 cpu)
{
	mmio_w32(VT_DEV_BASE + VT_DEV_DONE, cpu);
	for (;;)
		asm volatile("wfi");
}
