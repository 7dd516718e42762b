#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-arm64.sh - trace-cmd interop proof in the emulated arm64 host:
# Debian's trace-cmd:arm64 records `-e vgic_trace -e kvm` while the
# module's own /dev/vgic_trace stream of the same run is kept; then, on
# this machine:
#  - `vgic-trace import S.dat` must give the same records (counts per
#    type, and byte for byte: cmp-records.py) and the same findings (rule,
#    INTID) as the module's own trace;
#  - `vgic-trace check --from kvm S.dat` (kvm:* events only) must name
#    the degraded rules, and its ack/resample counts must equal the VMM's
#    VT_GROUND_TRUTH.
# TAP-style output; exit 0 only when every check passed.
# Results in build/out/tracecmd-arm64-$VT_KERNEL/ (VT_KERNEL=6.1|6.12|7.2).
#
# Environment: VT_TC_SCENARIOS (default "healthy no-resample icactiver
# vfio"), VT_MODULE (a .ko instead of build/module-$VT_KERNEL's),
# VT_TC_REUSE=1 (re-check the previous run), VT_TC_FIXTURES=DIR (copy
# the .dat files there).
set -uo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
here=$top/userspace/tests/tracecmd
work=$top/build/tracecmd-arm64-${VT_KERNEL:-6.1}
res=$top/build/out/tracecmd-arm64-${VT_KERNEL:-6.1}
extra=$work/extra
vt=$top/build/host/vgic-trace

n=0
nfail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); nfail=$((nfail + 1)); echo "not ok $n - $*"; }
note() { echo "# $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
die() { notok "$*"; echo "1..$n"; exit 1; }

scen=${VT_TC_SCENARIOS:-healthy no-resample icactiver vfio}
vfio_scen=
for s in $scen; do
	case $s in vfio|no-resample|guest-no-eoi|storm) vfio_scen="$vfio_scen $s" ;; esac
done

mkdir -p "$work" "$extra/bin"
# shellcheck source=/dev/null
. "$top/scripts/testhost/kernel-env.sh" || die "kernel-env.sh"
# shellcheck source=/dev/null
. "$top/scripts/testhost/e2e-prep.sh"
# the build-and-boot preamble shared with module/tests/run-e2e.sh
check "host vgic-trace (with libtracecmd), vt-count and the scenario VMM build" \
	vt_prep_host "$top" "$work"
vt_prep_cross "$top" "$extra/bin" "$top/module/tests/vt-modcat.c" || die "vt-modcat"
check "trace-cmd:arm64 bundle" vt_prep_tracecmd "$top" "$work" "$extra"
printf 'SCENARIOS="%s"\nVFIO_SCEN="%s"\n' "$scen" "$vfio_scen" > "$extra/tc.conf"

if [ "${VT_TC_REUSE:-0}" != 1 ]; then
	edu=
	[ -n "$vfio_scen" ] && edu=--edu
	vt_boot "$res" "$here/inner-arm64.sh" "$extra" "$work/run.log" $edu \
		--timeout "${VT_TC_TIMEOUT:-900}"
	rc=$?
	note "emulated host ($VT_KABI): rc $rc, $vt_boot_secs s wall"
	[ $rc -eq 0 ] || die "emulated host run failed"
fi

gt_val() { grep -m1 '^VT_GROUND_TRUTH' "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
# "type NAME N" lines of `stats` (text) -> "NAME=N ..." without meta
types() { "$vt" stats "$1" 2>/dev/null | awk '$1 == "type" && $2 != "meta" { printf "%s=%s ", $2, $3 }'; }
# "[SEV] rule vm V INTID N" of every finding, sorted
finds() { "$vt" report "$1" 2>/dev/null | awk '/^\[(ERROR|WARN|INFO)/ { print $2, $6 }' | sort; }
irqsum() { "$vt" stats "$1" 2>/dev/null | awk -v k="$2" '$1 == "irq" { for (i = 2; i < NF; i++) if ($i == k) s += $(i + 1) } END { print s + 0 }'; }

for s in $scen; do
	f=$res/$s
	[ -s "$f.dat" ] || { notok "$s: no trace-cmd recording"; continue; }
	[ -n "${VT_TC_FIXTURES:-}" ] && cp "$f.dat" "$VT_TC_FIXTURES/arm64-$s.dat"
	"$vt" convert --raw "$f.raw" -o "$f.mod.vtr" --force > /dev/null 2>&1
	"$vt" import "$f.dat" -o "$f.tc.vtr" --force 2> "$f.import.err"
	check "$s: vgic-trace import of the .dat" test -s "$f.tc.vtr"
	a=$(types "$f.mod.vtr"); b=$(types "$f.tc.vtr")
	note "$s module: $a"
	note "$s .dat:   $b"
	check "$s: same record counts per type as the module's own trace" test -n "$a" -a "$a" = "$b"
	check "$s: the records are the module's, byte for byte ($(python3 "$here/cmp-records.py" "$f.tc.vtr" "$f.mod.vtr" 2>&1 | tail -1))" \
		python3 "$here/cmp-records.py" "$f.tc.vtr" "$f.mod.vtr"
	fa=$(finds "$f.mod.vtr"); fb=$(finds "$f.dat")
	note "$s findings module: $(echo $fa) / .dat: $(echo $fb)"
	check "$s: same findings from the .dat as from the module's trace" test "$fa" = "$fb"
	# the kvm:* view of the same recording
	"$vt" report --from kvm "$f.dat" > "$f.kvm.txt" 2> "$f.kvm.err"
	check "$s: kvm:* report names degraded rules" grep -q "rule missed-resample lacks input" "$f.kvm.txt"
	# ground truth: guest EOIs of the resampled line = acks in healthy and
	# no-resample (the VMM counts them, docs/testhost.md); resamplefd signals
	eoi=$(gt_val "$f.vmm" eoi); rs=$(gt_val "$f.vmm" resample)
	kst=$("$vt" stats --from kvm "$f.dat" 2>/dev/null)
	kk=$(echo "$kst" | awk '$1 == "type" && $2 == "ack" { print $3 }')
	kr=$(echo "$kst" | awk '$1 == "type" && $2 == "resample" { print $3 }')
	ki=$(echo "$kst" | awk '$1 == "type" && $2 == "inject" { print $3 }')
	mi=$("$vt" stats "$f.mod.vtr" 2>/dev/null | awk '$1 == "type" && $2 == "inject" { print $3 }')
	note "$s: ground truth eoi=${eoi:-?} resample=${rs:-?}; kvm:* ack=$kk resample=$kr inject=$ki; module inject=$mi"
	case $s in healthy|no-resample)
		check "$s: kvm:* ack count equals the guest's EOIs (VMM ground truth)" test "$kk" = "$eoi" ;;
	esac
	case $rs in ''|na) ;; *)
		check "$s: kvm:* resample count equals the VMM's resamplefd count" test "$kr" = "$rs" ;;
	esac
	check "$s: kvm:* inject count equals the module's inject hook count" test "$ki" = "$mi"
done
echo "1..$n"
[ $nfail -eq 0 ]
