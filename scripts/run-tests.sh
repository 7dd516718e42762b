#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh - the README's test command (`make test`, run by .ci/run).
#
# Runs every test stage in order, each under a time limit, keeps each
# stage's log in build/out/test-logs/, prints the tail of a failing
# stage's log and ends with the plain "N passed, N failed" line.
# A stage whose script is missing counts as failed, never as skipped.
#
#   run-tests.sh                 CI: the full suite on 6.1, the scenarios and
#                                module + BPF e2e (scenario subsets) on 6.12
#                                and 7.2, the builds for all three kernels
#   VT_KERNEL=7.2 run-tests.sh   the full suite (every 6.1 row below, whole
#                                scenario lists) on that one kernel instead
#   VT_STAGES="unit bpf-e2e-7.2" run-tests.sh   only the named stages
#   run-tests.sh --list          print the selected stages, run nothing
#   VT_LIMIT_SCALE=4 run-tests.sh  multiply every time limit (a shared
#                                machine, where boots also wait for other
#                                users' hosts on /tmp/vt-qemu.lock)
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
logs=$top/build/out/test-logs
mkdir -p "$logs"

# Scenario subsets for the module and BPF e2e on 6.12 and 7.2 (the full
# lists run on 6.1). Why these (docs/testhost.md, "CI"):
#   healthy, vfio      the baseline, the cost ratio, VFIO device linkage on
#                      >= 6.7 (xarray ctx) - where the module once oopsed
#   storm, icpendr     7.2's GICv3 missed-resample regression, VMM device
#   mem-ack, vfio-mmap the same regression with the device acked without an
#                      exit: plain irqfd+resample, and edu with BAR0 mapped
#                      as QEMU maps it (the INTx stays masked)
#   lr-overflow        6.12 still loses 2 deactivations; 7.2 fixed it (the
#                      DIR trap / EOIcount records must show all 6)
# On 6.12 the same scenarios are the controls: no missed-resample there.
# The GICv2 control (7.2's vgic_v2_fold_lr still notifies on EOI alone) is
# the module e2e's second, GICv2 boot with storm (VT_GICV2_SCENARIOS), and
# the gicv2 variant of testhost-scenarios-7.2.
sub612="healthy vfio storm icpendr lr-overflow mem-ack vfio-mmap"
sub72="healthy vfio storm icpendr lr-overflow mem-ack vfio-mmap"

# name | kernel (VT_KERNEL, - = none) | time limit (s) | command
stages=(
	"unit                    |-   | 900|make -C userspace check"
	"html                    |-   | 120|bash userspace/tests/html/run.sh"
	"fuzz-smoke              |-   | 600|make -C userspace fuzz-smoke FUZZ_TIME=60"
	"module-build            |6.1 | 600|make module"
	"module-build-6.12       |6.12| 600|make module"
	"module-build-7.2        |7.2 | 600|make module"
	"bpf-build               |6.1 | 600|make bpf"
	"bpf-build-6.12          |6.12| 600|make bpf"
	"bpf-build-7.2           |7.2 | 600|make bpf"
	"testhost-scenarios      |6.1 | 900|bash scripts/testhost/test-scenarios.sh"
	"testhost-scenarios-6.12 |6.12| 900|bash scripts/testhost/test-scenarios.sh"
	"testhost-scenarios-7.2  |7.2 | 900|bash scripts/testhost/test-scenarios.sh"
	"module-e2e              |6.1 |1500|bash module/tests/run-e2e.sh"
	"module-e2e-6.12         |6.12|1500|VT_SCENARIOS='$sub612' bash module/tests/run-e2e.sh"
	"module-e2e-7.2          |7.2 |1500|VT_SCENARIOS='$sub72' VT_GICV2_SCENARIOS='healthy storm' bash module/tests/run-e2e.sh"
	"bpf-e2e                 |6.1 |1500|bash bpf/tests/run-e2e.sh"
	"bpf-e2e-6.12            |6.12|1500|VT_SCENARIOS='$sub612' bash bpf/tests/run-e2e.sh"
	"bpf-e2e-7.2             |7.2 |1500|VT_SCENARIOS='$sub72' VT_GICV2_SCENARIOS='healthy storm' bash bpf/tests/run-e2e.sh"
	"x86-live                |-   | 600|bash bpf/tests/run-x86-live.sh"
	"install                 |6.1 | 600|bash dist/test-install.sh"
	"metrics                 |-   | 300|bash dist/test-metrics.sh"
	"fleet-e2e               |6.1 | 900|bash dist/test-fleet-e2e.sh"
	"soak-short              |6.1 | 600|SOAK_CYCLES=20 SOAK_BPF_CYCLES=10 SOAK_BPF_RELOAD=5 make soak"
)

trim() { local s=$1; s=${s#"${s%%[! ]*}"}; echo "${s%"${s##*[! ]}"}"; }

if [ -n "${VT_KERNEL:-}" ]; then
	# One kernel: the 6.1 rows (the full suite) run on VT_KERNEL.
	case $VT_KERNEL in
	6.1|6.12|7.2) ;;
	*) echo "run-tests.sh: VT_KERNEL must be 6.1, 6.12 or 7.2, not '$VT_KERNEL'" >&2; exit 2 ;;
	esac
	sel=()
	for s in "${stages[@]}"; do
		IFS='|' read -r name kern limit cmd <<< "$s"
		name=$(trim "$name")
		kern=$(trim "$kern")
		case $kern in
		-) sel+=("$s") ;;
		6.1) [ "$VT_KERNEL" = 6.1 ] || name=$name-$VT_KERNEL
		     sel+=("$name|$VT_KERNEL|$limit|$cmd") ;;
		esac
	done
	stages=("${sel[@]}")
fi

if [ -n "${VT_STAGES:-}" ]; then
	# VT_STAGES="unit module-build" runs a subset (for developers).
	sel=()
	for want in $VT_STAGES; do
		found=0
		for s in "${stages[@]}"; do
			[ "$(trim "${s%%|*}")" = "$want" ] && { sel+=("$s"); found=1; }
		done
		[ $found = 1 ] || { echo "run-tests.sh: no stage '$want'" >&2; exit 2; }
	done
	stages=("${sel[@]}")
fi

if [ "${1:-}" = --list ]; then
	for s in "${stages[@]}"; do
		IFS='|' read -r name kern limit cmd <<< "$s"
		printf '%-24s %-5s %5ss  %s\n' "$(trim "$name")" "$(trim "$kern")" "$(trim "$limit")" "$cmd"
	done
	exit 0
fi

pass=0
fail=0
failed=()
times=()
start_all=$(date +%s)
for s in "${stages[@]}"; do
	IFS='|' read -r name kern limit cmd <<< "$s"
	name=$(trim "$name")
	kern=$(trim "$kern")
	limit=$(( $(trim "$limit") * ${VT_LIMIT_SCALE:-1} ))
	log=$logs/$name.log
	t0=$(date +%s)
	echo "=== stage $name (kernel $kern): $cmd (limit ${limit}s)"
	# the script a "bash FILE" command runs must exist
	script=$(echo "$cmd" | awk '{ for (i = 1; i < NF; i++) if ($i == "bash") { print $(i + 1); exit } }')
	if [ -n "$script" ] && [ ! -f "$script" ]; then
		echo "missing stage script $script" > "$log"
		rc=127
	else
		if [ "$kern" = - ]; then
			(unset VT_KERNEL; timeout --kill-after=30 "$limit" bash -c "$cmd") > "$log" 2>&1
		else
			VT_KERNEL=$kern timeout --kill-after=30 "$limit" bash -c "$cmd" > "$log" 2>&1
		fi
		rc=$?
	fi
	t1=$(date +%s)
	times+=("$name $((t1 - t0))s")
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok - $name ($((t1 - t0))s)"
		grep -E '^(ok|not ok|# )' "$log" | tail -n 40 | sed 's/^/    /'
	else
		fail=$((fail + 1))
		failed+=("$name")
		[ $rc -eq 127 ] && [ -n "$script" ] && [ ! -f "$script" ] && echo "    missing stage script $script"
		[ $rc -eq 124 ] && echo "    timed out after ${limit}s"
		echo "not ok - $name (rc=$rc, $((t1 - t0))s)"
		# the failed checks first: a shortened copy of this output
		# still names them
		grep -E '^not ok' "$log" | head -n 20 | sed 's/^/    ! /'
		echo "    last 60 lines of $log:"
		tail -n 60 "$log" | sed 's/^/    | /'
	fi
done
echo "stage times: ${times[*]}"
echo "total $(( $(date +%s) - start_all ))s"
[ $fail -eq 0 ] || echo "failed stages: ${failed[*]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
