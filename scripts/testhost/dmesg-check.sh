#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dmesg-check.sh - the dmesg judgement of the e2e stages (module and BPF):
# Oops/WARN/BUG lines in the emulated host's dmesg, known kernel warnings
# left out.
#
#   dmesg-check.sh KERNEL FILE...
#
# Known kernel warning, not the tracer's: 7.2's kvm_vgic_inject_irq()
# kicks all vCPUs with smp_call_function_many() for the first active SPI,
# also from the irqfd fast path in hard-irq context (IRQs off): a
# WARN_ON_ONCE in kernel/smp.c, seen untraced too (docs/module.md). A
# WARNING block is "known" only when the kernel is 7.2 and its call trace
# has that chain and no vgic_trace frame (module symbol or a BPF vt_*
# function) in the interrupt's own part of the trace (above the interrupt
# entry: the task it interrupted may be our reader, e.g. vt_read);
# anything else is bad.
#
# Writes FILE.filtered (the dmesg without known blocks) next to each FILE
# (missing FILEs are skipped). Prints "known=N" (known blocks in all), then
# each bad line as "bad: LINE". Exit 0: nothing bad; 1: bad lines; 2: usage.
{
set -uo pipefail
if [ $# -lt 1 ]; then
	echo "usage: $0 KERNEL FILE..." >&2
	exit 2
fi
kernel=$1
shift

dmesg_filter() { # stdin: dmesg -> stdout: dmesg without known warnings
	awk -v k="$kernel" '
	function flush(	top, n) {
		if (blk != "") {
			top = blk
			n = match(top, /call_on_irq_stack|el[01]h?_64_irq|el[01]_interrupt|do_interrupt_handler/)
			if (n > 0)
				top = substr(top, 1, n - 1)
			if (k == "7.2" && top ~ /smp_call_function_many_cond/ &&
			    top ~ /kvm_make_all_cpus_request/ && top ~ /kvm_vgic_inject_irq/ &&
			    top ~ /vfio_intx_handler|irqfd_wakeup/ &&
			    top !~ /vgic_trace\]/ && top !~ /vt_[a-z_]+\+0x/) {
				known++
			} else
				printf "%s", blk
		}
		blk = ""; inblk = 0
	}
	/WARNING:/ { flush(); inblk = 1; blk = $0 "\n"; next }
	inblk && /---\[ end trace/ { blk = blk $0 "\n"; flush(); next }
	inblk { blk = blk $0 "\n"; next }
	{ print }
	END { flush(); print known + 0 > "/dev/stderr" }'
}

known=0
bad=
for d in "$@"; do
	[ -f "$d" ] || continue
	n=$(dmesg_filter < "$d" 2>&1 > "$d.filtered") || n=0
	known=$((known + ${n:-0}))
	b=$(grep -aE 'Oops|WARNING:|BUG:|Call trace:|Unable to handle|refcount_t|list_del corruption' "$d.filtered")
	[ -n "$b" ] && bad+="$b"$'\n'
done
echo "known=$known"
[ -z "$bad" ] && exit 0
printf '%s' "$bad" | sed 's/^/bad: /'
exit 1
}
