// SPDX-License-Identifier: GPL-2.0
/*
 * guest.c - the real-mode guest, hand assembled (CS = DS = SS = 0).
 */
#include <string.h>
#include "x86vmm.h"

/* at VMM_CODE_GPA: IVT entry, 8259 init, ELCR level IRQ5, ready, hlt loop */
static const uint8_t guest_main[] = {
	0xfa,				/* cli */
	0x31, 0xc0,			/* xor ax,ax */
	0x8e, 0xd8,			/* mov ds,ax */
	0x8e, 0xd0,			/* mov ss,ax */
	0xbc, 0x00, 0x80,		/* mov sp,0x8000 */
	/* IVT[0x25] (IRQ5 at base 0x20) = 0000:VMM_HANDLER_GPA */
	0xc7, 0x06, 0x94, 0x00, VMM_HANDLER_GPA & 0xff, VMM_HANDLER_GPA >> 8,
	0xc7, 0x06, 0x96, 0x00, 0x00, 0x00,
	/* master PIC: ICW1 edge/cascade/ICW4, ICW2 base 0x20, ICW3, ICW4 8086 */
	0xb0, 0x11, 0xe6, 0x20,
	0xb0, 0x20, 0xe6, 0x21,
	0xb0, 0x04, 0xe6, 0x21,
	0xb0, 0x01, 0xe6, 0x21,
	/* slave PIC: base 0x28 */
	0xb0, 0x11, 0xe6, 0xa0,
	0xb0, 0x28, 0xe6, 0xa1,
	0xb0, 0x02, 0xe6, 0xa1,
	0xb0, 0x01, 0xe6, 0xa1,
	/* ELCR1 (port 0x4d0): IRQ5 level triggered */
	0xba, 0xd0, 0x04,		/* mov dx,0x4d0 */
	0xb0, 0x20,			/* mov al,0x20 */
	0xee,				/* out dx,al */
	/* unmask IRQ5 only */
	0xb0, 0xdf, 0xe6, 0x21,
	0xb0, 0xff, 0xe6, 0xa1,
	/* tell the VMM we are ready */
	0xba, VMM_READY_PORT & 0xff, VMM_READY_PORT >> 8,
	0xee,				/* out dx,al */
	0xfb,				/* sti */
	0xf4,				/* loop: hlt */
	0xeb, 0xfd,			/* jmp loop */
};

/* at VMM_HANDLER_GPA: count, non-specific EOI at the master PIC, iret */
static const uint8_t guest_handler[] = {
	0x50,				/* push ax */
	0x66, 0xff, 0x06, VMM_COUNT_GPA & 0xff, VMM_COUNT_GPA >> 8, /* inc dword [count] */
	0xb0, 0x20,			/* mov al,0x20 */
	0xe6, 0x20,			/* out 0x20,al (EOI) */
	0x58,				/* pop ax */
	0xcf,				/* iret */
};

/**
 * vmm_load_guest() - copy the guest program into guest memory
 * @mem:	guest RAM (VMM_MEM_SIZE bytes, GPA 0)
 */
void vmm_load_guest(uint8_t *mem)
{
	memcpy(mem + VMM_CODE_GPA, guest_main, sizeof(guest_main));
	memcpy(mem + VMM_HANDLER_GPA, guest_handler, sizeof(guest_handler));
	memset(mem + VMM_COUNT_GPA, 0, 4);
}
