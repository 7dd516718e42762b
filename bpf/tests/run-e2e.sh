#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-e2e.sh - stage bpf-e2e: the BPF backend in the emulated arm64 host.
#
# Boots the selected Debian arm64 kernel (VT_KERNEL=6.1|6.12|7.2, default
# 6.1; scripts/testhost/run.sh, with the edu device for VFIO) once, runs
# the scenarios of the scenario VMM under vgic-traced with the BPF
# backend, then - in the same boot, when the module is built for that
# kernel - under the module backend, and times the healthy scenario
# untraced / BPF / module. e2e-check.py then compares the trace counts
# (vgic-trace stats --json, and the raw records) with each scenario's
# VT_GROUND_TRUTH, the module's counts and findings with BPF's, and the
# findings with what this kernel is known to do (docs/kernel-*-behaviour.md).
# With VT_GICV2_SCENARIOS a second boot on a GICv2 host runs those
# scenarios the same way (the control of 7.2's GICv3-only regression).
#
# Env: VT_KERNEL (6.1), VT_SCENARIOS (default: all; VT_E2E_SCENARIOS is
#      the old name), VT_GICV2_SCENARIOS (default: "storm" on 7.2, none
#      elsewhere; "none" for none), VT_MODULE (default
#      build/module-$VT_KERNEL/module/vgic_trace.ko), VT_E2E_COST_ROUNDS
#      (1000), VT_E2E_COST_RUNS (3), VT_E2E_TIMEOUT (1200 s per boot).
#      Reduced run: VT_SCENARIOS="healthy storm icpendr lr-overflow"
#      VT_E2E_COST_RUNS=1 VT_E2E_COST_ROUNDS=300.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
top=$PWD
# shellcheck source=/dev/null
. scripts/testhost/kernel-env.sh || exit 1
all="healthy vfio no-resample guest-no-eoi icactiver icpendr storm lr-overflow lr-overflow-asc migrate mem-ack vfio-mmap"
scen=${VT_SCENARIOS:-${VT_E2E_SCENARIOS:-$all}}
if [ -z "${VT_GICV2_SCENARIOS+set}" ]; then
	[ "$VT_KERNEL" = 7.2 ] && gic2=storm || gic2=
else
	gic2=$VT_GICV2_SCENARIOS
fi
[ "$gic2" = none ] && gic2=
out=$top/build/out/bpf-e2e-$VT_KERNEL
ko=${VT_MODULE:-$top/build/module-$VT_KERNEL/module/vgic_trace.ko}
t0=$(date +%s)

echo "# kernel $VT_KABI; scenarios: $scen; GICv2 boot: ${gic2:-none}"
echo "# building"
rm -rf "$out"
mkdir -p "$out"
build() { "$@" > "$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; echo "not ok 1 - build: $*"; exit 1; }; }
build make -C bpf
build make -C bpf check-kernels
build make -C bpf/tests
build make -C bpf/tests ARCH=arm64
build make -C userspace
build make -C userspace ARCH=arm64
build make -C userspace/record ARCH=arm64
build make -C bpf/tests unloadable ARCH=arm64
build make -C scripts/vmm
if [ -f "$ko" ]; then
	echo "# module: $ko"
	export VT_MODULE=$ko
else
	echo "# module not built for $VT_KERNEL ($ko): module comparison skipped"
	export VT_MODULE=/nonexistent
fi

# one boot: $1 = tag (host, host-gic2), $2 = GIC, $3 = scenarios, $4 = cost runs
boot() {
	local tag=$1 gic=$2 sc=$3 runs=$4 ex=$out/extra-$1 tp=healthy
	[ "$runs" -gt 0 ] || tp=
	mkdir -p "$ex" "$out/$tag"
	cat > "$ex/e2e.conf" <<CONF
SCENARIOS="$sc"
VFIO_SCEN="vfio vfio-mmap"
TP_SCEN=$tp
COST_SCEN=healthy
COST_ROUNDS=${VT_E2E_COST_ROUNDS:-1000}
COST_RUNS=$runs
CONF
	echo "# booting the emulated arm64 host ($VT_KABI, GICv$gic)"
	local b0
	b0=$(date +%s)
	bash scripts/testhost/run.sh --out "$out/$tag" --script bpf/tests/e2e-inner.sh \
		--extra "$ex" --edu --gic "$gic" --timeout "${VT_E2E_TIMEOUT:-1200}"
	local rc=$?
	grep -a '^E2E:' "$out/$tag/serial.log" | sed 's/^/# /'
	echo "# boot $tag: $(( $(date +%s) - b0 )) s (run.sh rc $rc)"
	return $rc
}

boot host 3 "$scen" "${VT_E2E_COST_RUNS:-3}"
rc=$?
if [ $rc -ne 0 ]; then
	echo "not ok 1 - emulated host run (run.sh rc $rc)"
	exit 1
fi
fail=0
python3 bpf/tests/e2e-check.py --kernel "$VT_KERNEL" --gic 3 "$out/host" \
	"$top/build/host/vgic-trace" || fail=1
if [ -n "$gic2" ]; then
	if boot host-gic2 2 "$gic2" 0; then
		python3 bpf/tests/e2e-check.py --kernel "$VT_KERNEL" --gic 2 \
			"$out/host-gic2" "$top/build/host/vgic-trace" || fail=1
	else
		echo "not ok - GICv2 emulated host run"
		fail=1
	fi
fi
echo "# bpf-e2e $VT_KERNEL: $(( $(date +%s) - t0 )) s in all"
exit $fail
