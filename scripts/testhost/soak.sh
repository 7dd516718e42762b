#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh - `make soak`: insmod/rmmod and BPF attach/detach cycles under
# interrupt load in the emulated arm64 KVM host (issue 11).
#
# One boot (scripts/testhost/run.sh, GICv3, VHE) runs soak-inner.sh: while
# the scenario VMM loops LOAD_SCEN in a nested guest (each run counts its
# own ground truth), SOAK_CYCLES times insmod vgic_trace.ko -> a reader
# (vt-modcat) on /dev/vgic_trace -> rmmod, then SOAK_BPF_CYCLES times
# attach/detach of every program of vgic-traced's BPF object (vt-bpfsoak,
# soak-bpf.c; a full load/unload every SOAK_BPF_RELOAD cycles). Then one
# more window each, module and BPF (vgic-traced -b bpf), whose records
# must equal the VMM's own counts (module/tests/compare_counts.py).
#
# Checked here: every cycle succeeded, module refcnt 0 before each rmmod,
# /sys/kernel/debug/kprobes/list back to its length before, BPF program
# and link ids back to those before, the load VMM runs all ended "done",
# the two windows equal the VMM ground truth, dmesg clean
# (scripts/testhost/dmesg-check.sh, plus "leak"), memory: SUnreclaim grew
# by at most SOAK_SLAB_KB (8192) and MemAvailable fell by at most
# SOAK_AVAIL_KB (65536) from the first to the last cycle of each phase.
#
# Env: VT_KERNEL (6.1), SOAK_CYCLES (1000), SOAK_BPF_CYCLES (SOAK_CYCLES),
# SOAK_BPF_RELOAD (100), SOAK_SCEN (healthy), SOAK_TIMEOUT (guest seconds,
# default from the cycle counts), SOAK_MOD_BUDGET / SOAK_BPF_BUDGET (guest
# seconds for a phase, default 0 = none: with one, the phase stops after
# the cycle that ends past it and the checks say how many of the asked
# cycles ran), SOAK_REUSE=1 (no boot: judge the previous results again). Results in build/out/soak-$VT_KERNEL/,
# figures in its summary.txt. TAP output, exit 0 only if all passed.
set -uo pipefail
{
top=$(cd "$(dirname "$0")/../.." && pwd)
VT_KERNEL=${VT_KERNEL:-6.1}
export VT_KERNEL
cycles=${SOAK_CYCLES:-1000}
bcycles=${SOAK_BPF_CYCLES:-$cycles}
reload=${SOAK_BPF_RELOAD:-100}
scen=${SOAK_SCEN:-healthy}
slab_max=${SOAK_SLAB_KB:-8192}
avail_max=${SOAK_AVAIL_KB:-65536}
work=$top/build/soak-$VT_KERNEL
res=$top/build/out/soak-$VT_KERNEL
extra=$work/extra
vt=$top/build/host/vgic-trace
t_start=$(date +%s)

n=0
nfail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); nfail=$((nfail + 1)); echo "not ok $n - $*"; }
note() { echo "# $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
die() { notok "$*"; echo "1..$n"; exit 1; }

[[ "$cycles" =~ ^[0-9]+$ ]] && [ "$cycles" -ge 1 ] || die "SOAK_CYCLES must be a number >= 1, not '$cycles'"
[[ "$bcycles" =~ ^[0-9]+$ ]] && [ "$bcycles" -ge 1 ] || die "SOAK_BPF_CYCLES must be a number >= 1"
[[ "$reload" =~ ^[0-9]+$ ]] || die "SOAK_BPF_RELOAD must be a number"

# ---------------------------------------------------------------- build
# shellcheck source=/dev/null
. "$top/scripts/testhost/kernel-env.sh" || die "scripts/testhost/fetch.sh failed"
# shellcheck source=/dev/null
. "$top/scripts/testhost/e2e-prep.sh"
rm -rf "$extra" && mkdir -p "$work" "$extra/bin"
make -C "$top" module VT_KERNEL="$VT_KERNEL" > "$work/build.log" 2>&1 ||
	die "make module VT_KERNEL=$VT_KERNEL (see $work/build.log)"
vt_prep_host "$top" "$work" || die "host CLI / scenario VMM build"
make -C "$top/userspace/record" ARCH=arm64 > "$work/record.log" 2>&1 ||
	die "make -C userspace/record ARCH=arm64 (see $work/record.log)"
vt_prep_cross "$top" "$extra/bin" "$top/module/tests/vt-modcat.c" || die "cross-compile vt-modcat"
aarch64-linux-gnu-gcc -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-I"$top/include/uapi" -I"$top/bpf" -I"$top/build/bpf/arm64" -I"$VT_SYSROOT/usr/include" \
	-o "$extra/bin/vt-bpfsoak" "$top/scripts/testhost/soak-bpf.c" \
	-static -L"$VT_SYSROOT/usr/lib/aarch64-linux-gnu" \
	-l:libbpf.a -l:libelf.a -l:libz.a -l:libzstd.a -lm > "$work/bpfsoak.log" 2>&1 ||
	die "cross-compile vt-bpfsoak (see $work/bpfsoak.log)"
ok "builds: module, vgic-traced, vmm, vt-modcat, vt-bpfsoak for $VT_KABI"
printf '%s\n' "CYCLES=$cycles" "BPF_CYCLES=$bcycles" "BPF_RELOAD=$reload" \
	"LOAD_SCEN=$scen" "MOD_BUDGET=${SOAK_MOD_BUDGET:-0}" \
	"BPF_BUDGET=${SOAK_BPF_BUDGET:-0}" > "$extra/soak.conf"
note "kernel $VT_KERNEL ($VT_KABI): $cycles module cycles, $bcycles BPF cycles (reload every $reload), load: $scen"

# ------------------------------------------------------------------ boot
tmo=${SOAK_TIMEOUT:-$((300 + cycles * 4 + bcycles * 2))}
vt_boot_secs=reused
if [ "${SOAK_REUSE:-0}" != 1 ]; then
	vt_boot "$res" "$top/scripts/testhost/soak-inner.sh" "$extra" "$work/run.log" --timeout "$tmo"
	rc=$?
	note "emulated host: rc $rc, $vt_boot_secs s wall (timeout $tmo s, log $res/serial.log)"
	[ $rc -eq 0 ] || die "emulated host run failed (rc $rc)"
fi
grep -a '^SOAK:' "$res/serial.log" | sed 's/^/# /'

# ---------------------------------------------------------------- checks
kv() { tr ' ' '\n' < "$1" 2>/dev/null | awk -F= -v k="$2" '$1 == k { print $2; exit }'; }
secs() { # phase -> seconds of that phase in the guest
	awk -v p="$1" '$1 == p { split($3, a, "="); split($4, b, "="); printf "%.1f", b[2] - a[2] }' "$res/times.txt"
}
per() { awk -v s="$1" -v c="$2" 'BEGIN { if (c) printf "%.3f", s / c }'; }
done_n() { awk -v p="$1" '$1 == p { sub("cycles=", "", $2); print $2 }' "$res/times.txt"; }
# cycles that ran: all that were asked unless a phase budget stopped it
ran_ok() { # done asked budget
	[ -n "$1" ] && [ "$1" -ge 1 ] && { [ "$1" = "$2" ] || [ "${3:-0}" -gt 0 ]; }
}
mdone=$(done_n mod) bdone=$(done_n bpf)
[ "${mdone:-0}" != "$cycles" ] && note "module phase: ${mdone:-0} of $cycles cycles ran (budget ${SOAK_MOD_BUDGET:-0} s)"
[ "${bdone:-0}" != "$bcycles" ] && note "BPF phase: ${bdone:-0} of $bcycles cycles ran (budget ${SOAK_BPF_BUDGET:-0} s)"

ms=$(secs mod)
mod_ok() { [ "$nmf" = 0 ] && [ -n "$ms" ] && ran_ok "$mdone" "$cycles" "${SOAK_MOD_BUDGET:-0}"; }
bpf_ok() { [ "$(cat "$res/bpf.rc" 2>/dev/null)" = 0 ] && ran_ok "$bdone" "$bcycles" "${SOAK_BPF_BUDGET:-0}"; }
nmf=$(wc -l < "$res/mod.txt" 2>/dev/null || echo x)
check "${mdone:-0} of $cycles insmod -> reader -> rmmod cycles, none failed, refcnt 0, kprobes list back each time ($nmf failures, $ms s, $(per "$ms" "$mdone") s/cycle)" \
	mod_ok
[ "$nmf" != 0 ] && head -n 10 "$res/mod.txt" | sed 's/^/# mod: /'
# the kernel's own count of loads: one hook report per insmod (the
# cycles and the final module window)
nha=$(grep -ac 'vgic_trace: .* probes attached' "$res/dmesg-soak.txt")
check "dmesg: one hook report per insmod ($nha = ${mdone:-?} cycles + 1 final window)" \
	test "$nha" = $(( ${mdone:-0} + 1 ))
lm=$(cat "$res/load-mod.count" 2>/dev/null) la=$(cat "$res/load-all.count" 2>/dev/null)
nd=$(grep -a '^VT_GROUND_TRUTH' "$res/load.vmm" | grep -vc 'status=done')
nrc=$(grep -a '^VT_LOAD_RC' "$res/load.vmm" | grep -vc 'VT_LOAD_RC 0$')
inj=$(grep -a '^VT_GROUND_TRUTH' "$res/load.vmm" | tr ' ' '\n' | awk -F= '$1 == "eoi" && $2 ~ /^[0-9]+$/ { s += $2 } END { print s + 0 }')
check "interrupt load: $scen looped in a nested guest during the cycles ($lm VMM runs while modules cycled, $la in all, $inj guest EOIs counted by the VMM; runs not done: $nd, rc != 0: $nrc)" \
	test "${lm:-0}" -gt 0 -a "${la:-0}" -gt "${lm:-0}" -a "$nd" = 0 -a "$nrc" = 0
# a failed load run: what the VMM said (every way out of it prints why)
[ "$nd$nrc" != 00 ] && grep -av '^VT_GROUND_TRUTH.*status=done\|^VT_LOAD_RC 0$' "$res/load.vmm" |
	head -n 20 | sed 's/^/# load: /'

bs=$(secs bpf)
bl=$(cat "$res/bpf.txt" 2>/dev/null)
check "${bdone:-0} of $bcycles BPF attach/detach cycles ($(kv "$res/bpf.txt" reloads) full reloads), every cycle the same $(kv "$res/bpf.txt" links) links of $(kv "$res/bpf.txt" progs) programs, prog/link ids back ($bs s, $(per "$bs" "$bdone") s/cycle; $bl)" \
	bpf_ok
sed 's/^/# bpf: /' "$res/bpf.err" 2>/dev/null | sort | uniq -c | sed 's/^ *[0-9]* //' | head -20
kp0=$(sed -n 's/^kprobes_before=//p' "$res/kprobes.txt")
check "kprobes list after BPF cycles and both final windows = before ($(tr '\n' ' ' < "$res/kprobes.txt"))" \
	bash -c "[ -n '$kp0' ] && [ \$(sort -u <<< \"\$(sed 's/.*=//' '$res/kprobes.txt')\" | wc -l) = 1 ]"
check "BPF program/link ids at the end = before ($(cat "$res/ids-before.txt") -> $(cat "$res/ids-after.txt"))" \
	bash -c "[ -s '$res/ids-before.txt' ] && [ \"\$(cat '$res/ids-before.txt')\" = \"\$(cat '$res/ids-after.txt')\" ]"

# the tracer still works: the VMM's own counts
window() { # label vmm-file stats-json
	local c
	python3 "$top/module/tests/compare_counts.py" --kernel "$VT_KERNEL" --gic 3 \
		${4:+--modcat "$4"} "$scen" "$2" "$3" > "$3.compare" 2>&1
	c=$?
	sed "s/^/# $1: /" "$3.compare"
	check "$1: records equal the VMM ground truth after the cycles ($(grep -m1 -a '^VT_GROUND_TRUTH' "$2" | cut -c1-160))" \
		test $c -eq 0 -a "$(kv "$2" status)" = done
}
f=$res/final
rm -f "$f.vgt"
if "$vt" convert --raw "$f.raw" -o "$f.vgt" > "$f.convert.log" 2>&1 &&
	"$vt" stats --json "$f.vgt" > "$f.stats.json" 2> "$f.stats.err"; then
	check "module window: reader whole records, nothing lost ($(head -c 120 "$f.modcat"))" \
		test "$(cat "$f.modcat.rc")" = 0 -a "$(kv "$f.modcat" lost)" = 0
	window "module window" "$f.vmm" "$f.stats.json" "$f.modcat"
else
	notok "module window: convert/stats failed ($(head -c 200 "$f.convert.log" "$f.stats.err"))"
fi
f=$res/final-bpf
if "$vt" stats --json "$f.vtr" > "$f.stats.json" 2> "$f.stats.err"; then
	check "BPF window: vgic-traced -b bpf rc 0 ($(cat "$f.rc"))" test "$(cat "$f.rc")" = 0
	window "BPF window" "$f.vmm" "$f.stats.json"
else
	notok "BPF window: vgic-trace stats failed ($(head -c 200 "$f.stats.err"))"
fi

dj=$(bash "$top/scripts/testhost/dmesg-check.sh" "$VT_KERNEL" "$res/dmesg-soak.txt")
bad=$(sed -n 's/^bad: //p' <<< "$dj")
leak=$(grep -aiE 'leak' "$res/dmesg-soak.txt.filtered" 2>/dev/null)
known=$(sed -n 's/^known=//p' <<< "$dj")
check "dmesg: no Oops/BUG/WARNING/refcount_t/list_del corruption/leak ($(wc -l < "$res/dmesg-soak.txt") lines, known 7.2 kernel WARNs: ${known:-0})" \
	test -z "$bad" -a -z "$leak" -a -s "$res/dmesg-soak.txt"
[ -n "$bad$leak" ] && printf '%s\n%s\n' "$bad" "$leak" | head -20 | sed 's/^/# dmesg: /'

memf() { # phase which(first|last) field
	awk -v p="phase=$1" -v f="$3" -v w="$2" '$2 == p { for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == f) v = a[2] } if (w == "first" && !got) { first = v; got = 1 } last = v }
		END { print (w == "first" ? first : last) }' "$res/mem.txt"
}
memok=0
memline=
for ph in mod bpf; do
	# the module phase: from cycle 1 (module code cached once), BPF: from 0
	if [ $ph = mod ]; then
		a0=$(grep -m1 "phase=mod cycle=1 " "$res/mem.txt" | sed 's/.*avail_kb=\([0-9]*\).*/\1/')
		u0=$(grep -m1 "phase=mod cycle=1 " "$res/mem.txt" | sed 's/.*sunreclaim_kb=\([0-9]*\).*/\1/')
	else
		a0=$(memf $ph first avail_kb) u0=$(memf $ph first sunreclaim_kb)
	fi
	a1=$(memf $ph last avail_kb) u1=$(memf $ph last sunreclaim_kb)
	memline+="$ph: MemAvailable ${a0:-?} -> ${a1:-?} kB, SUnreclaim ${u0:-?} -> ${u1:-?} kB; "
	if [ -z "$a0" ] || [ -z "$a1" ] || [ $((a0 - a1)) -gt "$avail_max" ] || [ $((u1 - u0)) -gt "$slab_max" ]; then
		memok=1
	fi
done
check "memory: SUnreclaim growth <= $slab_max kB, MemAvailable drop <= $avail_max kB, first to last cycle ($memline)" test $memok -eq 0

# ------------------------------------------------------------- summary
{
	echo "kernel=$VT_KERNEL kabi=$VT_KABI date=$(date -u +%FT%TZ)"
	echo "module_cycles=$mdone of $cycles module_s=$ms s_per_cycle=$(per "$ms" "$mdone") failures=$nmf"
	echo "bpf_cycles=$bdone of $bcycles bpf_s=$bs s_per_cycle=$(per "$bs" "$bdone") $bl"
	echo "load_runs_during_module=$lm load_runs_all=$la load_eois=$inj"
	echo "kprobes: $(tr '\n' ' ' < "$res/kprobes.txt")"
	echo "bpf_ids: $(cat "$res/ids-before.txt") -> $(cat "$res/ids-after.txt")"
	echo "module_window: $(grep -m1 -a '^VT_GROUND_TRUTH' "$res/final.vmm")"
	sed 's/^/module_window: /' "$res/final.stats.json.compare" 2>/dev/null
	echo "bpf_window: $(grep -m1 -a '^VT_GROUND_TRUTH' "$res/final-bpf.vmm")"
	sed 's/^/bpf_window: /' "$res/final-bpf.stats.json.compare" 2>/dev/null
	echo "dmesg: lines=$(wc -l < "$res/dmesg-soak.txt") bad=$(printf '%s' "$bad$leak" | grep -c .) known=${known:-0}"
	echo "memory: $memline"
	cat "$res/mem.txt"
	echo "boot_s=$vt_boot_secs checks=$n failed=$nfail"
} > "$res/summary.txt"
note "figures in $res/summary.txt"
note "soak on $VT_KERNEL: $(( $(date +%s) - t_start )) s wall"
echo "1..$n"
[ $nfail -eq 0 ] && echo "# soak: all $n checks passed" || echo "# soak: $nfail of $n checks failed"
[ $nfail -eq 0 ]
exit $?
}
