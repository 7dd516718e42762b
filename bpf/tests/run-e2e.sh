#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-e2e.sh - stage bpf-e2e: the BPF backend in the emulated arm64 host.
#
# Boots Debian's 6.1 arm64 kernel once (scripts/testhost/run.sh, with the
# edu device for VFIO), runs every scenario of the scenario VMM under
# vgic-traced with the BPF backend, then - in the same boot, when
# module/vgic_trace.ko is built - under the module backend, and times the
# healthy scenario untraced / BPF / module. e2e-check.py then compares
# the trace counts (vgic-trace stats --json) with each scenario's
# VT_GROUND_TRUTH and the module's counts and findings with BPF's.
#
# Env: VT_E2E_SCENARIOS (default: all), VT_E2E_COST_ROUNDS (1000),
#      VT_E2E_COST_RUNS (3), VT_E2E_TIMEOUT (1200 s).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
top=$PWD
out=$top/build/out/bpf-e2e
scen=${VT_E2E_SCENARIOS:-healthy vfio no-resample guest-no-eoi icactiver icpendr storm lr-overflow lr-overflow-asc migrate}

echo "# building"
build() { "$@" > "$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; echo "not ok 1 - build: $*"; exit 1; }; }
rm -rf "$out"
mkdir -p "$out/extra" "$out/host"
build make -C bpf
build make -C userspace
build make -C userspace ARCH=arm64
build make -C userspace/record ARCH=arm64
build make -C scripts/vmm
if [ ! -f module/vgic_trace.ko ]; then
	make module > "$out/module-build.log" 2>&1 || echo "# module not built: module mode skipped"
fi

cat > "$out/extra/e2e.conf" <<CONF
SCENARIOS="$scen"
VFIO_SCEN="vfio"
COST_SCEN=healthy
COST_ROUNDS=${VT_E2E_COST_ROUNDS:-1000}
COST_RUNS=${VT_E2E_COST_RUNS:-3}
CONF

echo "# booting the emulated arm64 host"
bash scripts/testhost/run.sh --out "$out/host" --script bpf/tests/e2e-inner.sh \
	--extra "$out/extra" --edu --timeout "${VT_E2E_TIMEOUT:-1200}"
rc=$?
grep -a '^E2E:' "$out/host/serial.log" | sed 's/^/# /'
if [ $rc -ne 0 ]; then
	echo "not ok 1 - emulated host run (run.sh rc $rc)"
	exit 1
fi
python3 bpf/tests/e2e-check.py "$out/host" "$top/build/host/vgic-trace"
