#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - the README's main command (`make demo`).
#
# Builds everything, boots the emulated arm64 KVM host (Debian's arm64
# kernel under qemu-system-aarch64 with EL2, QEMU's edu device on an SMMU),
# traces the `vfio` and `no-resample` scenarios with vgic_trace.ko and the
# vgic-traced recorder, and prints the `vgic-trace report` of each.
# Trace files stay in build/out/demo/ for further `vgic-trace` commands.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
out=$top/build/out/demo
log=$top/build/out/demo-build.log
mkdir -p "$top/build/out"
: > "$log"

step() { echo "==> $*"; }
build() {
	if ! "$@" >> "$log" 2>&1; then
		echo "demo: '$*' failed; last lines of $log:" >&2
		tail -n 30 "$log" >&2
		exit 1
	fi
}

step "fetching Debian's arm64 kernel, headers and sysroot (cached in build/cache)"
build bash scripts/testhost/fetch.sh
step "building userspace (host + static arm64), vgic_trace.ko, BPF backend, scenario VMM"
build make -C userspace
build make -C userspace ARCH=arm64
build make -C bpf
build make -C userspace/record ARCH=arm64
build make module
build make -C scripts/vmm

step "booting the emulated arm64 KVM host and tracing the vfio and no-resample scenarios"
rm -rf "$out"
mkdir -p "$out"
if ! bash scripts/testhost/run.sh --edu --timeout 600 --out "$out" \
		--script scripts/demo/inner.sh > "$out/run.txt" 2>&1; then
	echo "demo: the emulated host run failed; tail of $out/serial.log:" >&2
	tail -n 40 "$out/serial.log" >&2 || true
	exit 1
fi
grep '^DEMO:\|VT_GROUND_TRUTH' "$out/serial.log" | sed 's/^/    /' || true

vt=$top/build/host/vgic-trace
status=0
for s in vfio no-resample; do
	echo
	echo "================ scenario $s: vgic-trace report build/out/demo/$s.vtr"
	if [ ! -s "$out/$s.vtr" ]; then
		echo "demo: no trace file for $s (recorder output: $out/$s.traced.txt)" >&2
		status=1
		continue
	fi
	"$vt" report "$out/$s.vtr" || status=1
done
exit $status
