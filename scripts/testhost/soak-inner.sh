#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# soak-inner.sh - runs INSIDE the emulated arm64 host (busybox sh) in
# /vt/out, started by scripts/testhost/soak.sh (`make soak`). It only runs
# things and keeps their output; soak.sh judges it afterwards.
#
# Settings (/vt/extra/soak.conf): CYCLES (insmod/rmmod cycles), BPF_CYCLES
# (attach/detach cycles), BPF_RELOAD (a full load/unload every N of them),
# LOAD_SCEN (the scenario the looping VMM runs as interrupt load),
# MOD_BUDGET / BPF_BUDGET (guest seconds per phase, 0 = none: a phase
# stops after the cycle that ends past it; times.txt says how many ran).
#
# Files: load.vmm (VT_GROUND_TRUTH of every load run), mod.txt (one line per
# module cycle that failed something), mem.txt (VT_MEM lines), bpf.txt
# (vt-bpfsoak), final.* (module window), final-bpf.* (BPF window),
# ids-*.txt, dmesg-soak.txt, times.txt.

. /vt/extra/soak.conf
PATH=/vt/extra/bin:/vt/bin:$PATH
export PATH
KO=/vt/modules/vgic_trace.ko
DBG=/sys/kernel/debug/vgic_trace
KPL=/sys/kernel/debug/kprobes/list

say() { echo "SOAK: $*"; }
now() { cut -d' ' -f1 /proc/uptime; }
mem() { # phase cycle
	awk -v p="$1" -v c="$2" '/^MemAvailable:/ { a = $2 } /^Slab:/ { s = $2 }
		/^SUnreclaim:/ { u = $2 }
		END { printf "VT_MEM phase=%s cycle=%s avail_kb=%d slab_kb=%d sunreclaim_kb=%d\n", p, c, a, s, u }' \
		/proc/meminfo >> mem.txt
	# which caches: the whole slabinfo at a phase's first and last cycle
	[ "$3" = slab ] && cat /proc/slabinfo > slab-$1-$2.txt 2>/dev/null
}
# busybox sh has no "local": the loops below count in c, this one in w
wait_reader() {
	w=0
	while ! grep -q '^reader_open 1' $DBG/stats 2>/dev/null; do
		w=$((w + 1))
		[ $w -gt 200 ] && return 1
		sleep 0.02
	done
	return 0
}
kprobes() { wc -l < $KPL 2>/dev/null || echo na; }

ulimit -l unlimited 2>/dev/null
uname -r > kernel.txt
: > mod.txt
: > mem.txt
: > times.txt
: > load.vmm
dmesg -c > dmesg-soak.txt
kp0=$(kprobes)
echo "kprobes_before=$kp0" > kprobes.txt
vt-bpfsoak --count > ids-before.txt

# ---- interrupt load: a guest delivering interrupts the whole time ----
( while [ ! -f load.stop ]; do
	vmm --scenario $LOAD_SCEN >> load.vmm 2>&1
	echo "VT_LOAD_RC $?" >> load.vmm
  done ) &
lp=$!
sleep 1

# ---- insmod / reader / rmmod ----
mem mod 0
t0=$(now)
s0=$(date +%s)
c=1
while [ $c -le $CYCLES ]; do
	insmod $KO || echo "cycle $c insmod failed" >> mod.txt
	vt-modcat -o /dev/null > /dev/null 2>&1 &
	mp=$!
	wait_reader || echo "cycle $c reader did not open" >> mod.txt
	sleep 0.05
	kill -TERM $mp
	wait $mp
	r=$?
	[ $r -eq 0 ] || echo "cycle $c reader rc $r" >> mod.txt
	rc=$(cat /sys/module/vgic_trace/refcnt 2>/dev/null)
	[ "$rc" = 0 ] || echo "cycle $c refcnt '$rc' after the reader closed" >> mod.txt
	rmmod vgic_trace || echo "cycle $c rmmod failed" >> mod.txt
	[ -d /sys/module/vgic_trace ] && echo "cycle $c module still there" >> mod.txt
	kp=$(kprobes)
	[ "$kp" = "$kp0" ] || echo "cycle $c kprobes $kp (before $kp0)" >> mod.txt
	if [ $((c % 10)) -eq 0 ] || [ $c -eq $CYCLES ]; then
		dmesg -c >> dmesg-soak.txt
	fi
	last=0
	[ "${MOD_BUDGET:-0}" -gt 0 ] && [ $(( $(date +%s) - s0 )) -ge "$MOD_BUDGET" ] && last=1
	[ $c -eq 1 ] || [ $((c % 100)) -eq 0 ] || [ $c -eq $CYCLES ] || [ $last = 1 ] && mem mod $c slab
	[ $last = 1 ] && { dmesg -c >> dmesg-soak.txt; break; }
	c=$((c + 1))
done
[ $c -gt $CYCLES ] && c=$CYCLES
t1=$(now)
echo "mod cycles=$c start=$t0 end=$t1" >> times.txt
say "module: $c of $CYCLES cycles, $(wc -l < mod.txt) failures, $t0 -> $t1 s"
grep -c VT_GROUND_TRUTH load.vmm > load-mod.count

# ---- BPF attach / detach (full load / unload every BPF_RELOAD) ----
mem bpf 0 slab
t0=$(now)
vt-bpfsoak $BPF_CYCLES $BPF_RELOAD 20 ${BPF_BUDGET:-0} > bpf.txt 2> bpf.err
echo $? > bpf.rc
t1=$(now)
bc=$(tr ' ' '\n' < bpf.txt | sed -n 's/^cycles=//p')
echo "bpf cycles=${bc:-0} start=$t0 end=$t1" >> times.txt
mem bpf ${bc:-0} slab
kp=$(kprobes)
echo "kprobes_after_bpf=$kp" >> kprobes.txt
dmesg -c >> dmesg-soak.txt
say "bpf: rc $(cat bpf.rc), $(cat bpf.txt) ($t0 -> $t1 s)"

touch load.stop
wait $lp
grep -c VT_GROUND_TRUTH load.vmm > load-all.count

# ---- the tracer still works: one window each, counted by the VMM ----
insmod $KO buf_kb=4096 || say "final insmod failed"
vt-modcat -o final.raw > final.modcat 2> final.modcat.err &
mp=$!
wait_reader
vmm --scenario $LOAD_SCEN > final.vmm 2>&1
echo $? > final.vmm.rc
sleep 0.3
kill -TERM $mp
wait $mp
echo $? > final.modcat.rc
cp $DBG/stats final.stats
rmmod vgic_trace || say "final rmmod failed"
echo "kprobes_after_mod_final=$(kprobes)" >> kprobes.txt

vgic-traced -b bpf -o final-bpf.vtr --force > final-bpf.out 2> final-bpf.err &
dp=$!
i=0
while ! grep -q 'recording from' final-bpf.err; do
	i=$((i + 1))
	if [ $i -gt 600 ] || ! kill -0 $dp 2>/dev/null; then
		say "vgic-traced -b bpf did not start: $(tail -n 3 final-bpf.err)"
		break
	fi
	sleep 0.1
done
vmm --scenario $LOAD_SCEN > final-bpf.vmm 2>&1
echo $? > final-bpf.vmm.rc
sleep 0.3
kill -INT $dp
wait $dp
echo $? > final-bpf.rc
echo "kprobes_after_bpf_final=$(kprobes)" >> kprobes.txt
vt-bpfsoak --count > ids-after.txt
mem end 0 slab
dmesg -c >> dmesg-soak.txt
say "done"
exit 0
