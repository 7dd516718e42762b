/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib.h - guest helpers: MMIO accessors (plain loads/stores only: KVM needs
 * a valid syndrome, post-indexed stores to MMIO abort), system registers,
 * the generic timer, the shared page and the device the scenarios drive.
 */
#ifndef VT_GUEST_LIB_H
#define VT_GUEST_LIB_H

#include "shared.h"

#define sh ((struct vt_shared *)VT_SHARED_ADDR)

static inline void mmio_w32(unsigned long addr, vt_u32 val)
{
	asm volatile("str %w0, [%1]" : : "r"(val), "r"(addr) : "memory");
}

static inline vt_u32 mmio_r32(unsigned long addr)
{
	vt_u32 val;

	asm volatile("ldr %w0, [%1]" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

static inline void mmio_w64(unsigned long addr, vt_u64 val)
{
	asm volatile("str %x0, [%1]" : : "r"(val), "r"(addr) : "memory");
}

#define read_sysreg(r) ({						\
	vt_u64 __v;							\
	asm volatile("mrs %0, " #r : "=r"(__v) : : "memory");		\
	__v;								\
})

#define write_sysreg(v, r)						\
	asm volatile("msr " #r ", %x0" : : "rZ"((vt_u64)(v)) : "memory")

static inline void isb(void)
{
	asm volatile("isb" : : : "memory");
}

static inline void irqs_on(void)
{
	asm volatile("msr daifclr, #2" : : : "memory");
}

static inline void irqs_off(void)
{
	asm volatile("msr daifset, #2" : : : "memory");
}

static inline vt_u32 this_cpu(void)
{
	return (vt_u32)read_sysreg(tpidr_el1);
}

/* Microseconds since an arbitrary origin (virtual counter). */
static inline vt_u64 now_us(void)
{
	vt_u64 frq = read_sysreg(cntfrq_el0);

	isb();
	return read_sysreg(cntvct_el0) / (frq / 1000000);
}

/* lib.c */
int wait_ge(volatile vt_u32 *p, vt_u32 target, vt_u32 ms);
int wait_taken(vt_u32 target, vt_u32 ms);
vt_u32 taken_total(void);
void delay_ms(vt_u32 ms);
void dev_raise(vt_u32 line);
void dev_ack(vt_u32 cpu, vt_u32 line);
void guest_fail(vt_u32 code, vt_u32 where);
void guest_done(vt_u32 cpu);

#define SETUP_FAIL() guest_fail(VT_STATUS_SETUP_FAIL, __LINE__)

#endif /* VT_GUEST_LIB_H */
