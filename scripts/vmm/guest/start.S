/* SPDX-License-Identifier: GPL-2.0 */
/*
 * start.S - guest entry and exception vectors. Every vCPU starts here at
 * EL1 with the MMU off and all of DAIF masked; x0 gets the vCPU index
 * (MPIDR_EL1.Aff0) and each vCPU its own stack.
 */
#include "shared.h"

	.section .text.start, "ax"
	.globl _start
_start:
	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	msr	tpidr_el1, x0
	ldr	x1, =VT_STACK_TOP
	lsl	x2, x0, #14		/* VT_STACK_SIZE */
	sub	x1, x1, x2
	mov	sp, x1
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	bl	guest_main
1:	wfe
	b	1b

/* Save the caller-saved registers, call a C function, return from the exception. */
.macro	vector_entry handler, idx
	.balign	0x80
	sub	sp, sp, #192
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	str	x30, [sp, #160]
	mov	x0, #\idx
	bl	\handler
	b	vector_return
.endm

	.text
	.balign	0x800
vectors:
	vector_entry bad_vector, 0	/* current EL, SP0 */
	vector_entry bad_vector, 1
	vector_entry bad_vector, 2
	vector_entry bad_vector, 3
	vector_entry bad_vector, 4	/* current EL, SPx: sync */
	vector_entry irq_entry, 5	/* IRQ */
	vector_entry bad_vector, 6	/* FIQ */
	vector_entry bad_vector, 7	/* SError */
	vector_entry bad_vector, 8
	vector_entry bad_vector, 9
	vector_entry bad_vector, 10
	vector_entry bad_vector, 11
	vector_entry bad_vector, 12
	vector_entry bad_vector, 13
	vector_entry bad_vector, 14
	vector_entry bad_vector, 15

vector_return:
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x29, [sp, #144]
	ldr	x30, [sp, #160]
	add	sp, sp, #192
	eret
