/* SPDX-License-Identifier: GPL-2.0 */
/* guest_blob.S - the guest image, embedded into the VMM. */
	.section .rodata
	.balign 16
	.globl vt_guest_start
	.globl vt_guest_end
vt_guest_start:
	.incbin GUEST_BIN
vt_guest_end:
	.section .note.GNU-stack, "", %progbits
