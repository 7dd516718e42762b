#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test-fleet-e2e.sh - stage `fleet-e2e` of scripts/run-tests.sh: the
# service side of vgic-traced in the emulated arm64 KVM host. Builds the
# module, the static arm64 vgic-traced and the scenario VMM, boots the
# host once (GICv3, VHE, edu device) with dist/tests/fleet-inner.sh, which
# records scenarios with --json-lines --metrics-listen --metrics-file and
# scrapes /metrics with busybox wget after each VMM exits; then checks
# here (dist/tests/fleet-check.py): the scraped counters against the
# VMM's VT_GROUND_TRUTH, `promtool check metrics` on every scrape, the
# OpenMetrics scrape with python3-prometheus-client's strict parser, the
# JSON lines against the findings counters, a second daemon on the same
# port fails to start and leaves no file. Then the overload phase
# (issue 11): 16 KiB ring buffer, a busy loop per CPU, a nice-19 daemon,
# the VMM looping VT_FLEET_OVL_SCEN: records really lost; -r runs hold
# the daemon (SIGSTOP) while the buffers fill, then stop it at nice -10:
# its own stop (handler to all closed) within the issue's 100 ms, the
# test's SIGTERM -> exit / -d 1s overrun within 100 ms + a stated 200 ms
# TCG margin (signal delivery and exit in the guest); 3 s at nice 19; the
# file complete; the report's loss = the module's debugfs lost_total +
# probe_missed; file records + loss = the module's written + failed
# writes (records still queued at the stop are counted lost).
#
# Environment: VT_KERNEL (default 6.1), VT_FLEET_SCENARIOS (default
# "healthy icactiver vfio no-resample"), VT_FLEET_OVERLOAD (default
# "t1-r t2-r t3-r t4 d1-r d2-r d3": tN SIGTERM runs, dN -d 1s runs, -r
# reniced to 0 before the stop; empty: no overload phase), VT_FLEET_OVL_SCEN
# (default mem-ack), VT_FLEET_REUSE=1 (check the
# previous run again, no boot). Results: build/out/fleet-e2e-$VT_KERNEL/.
# TAP output; exit 0 only when every check passed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
VT_KERNEL=${VT_KERNEL:-6.1}
export VT_KERNEL
work=$top/build/fleet-e2e-$VT_KERNEL
res=$top/build/out/fleet-e2e-$VT_KERNEL
scen=${VT_FLEET_SCENARIOS:-healthy icactiver vfio no-resample}
vfio=
for s in $scen; do
	case $s in vfio|no-resample|guest-no-eoi|storm|vfio-mmap) vfio="$vfio $s" ;; esac
done
VT_FLEET_OVERLOAD=${VT_FLEET_OVERLOAD-t1-r t2-r t3-r t4 d1-r d2-r d3}
export VT_FLEET_OVERLOAD
die() { echo "not ok 1 - $*"; echo "1..1"; exit 1; }

if [ "${VT_FLEET_REUSE:-0}" != 1 ]; then
	mkdir -p "$work/extra"
	t0=$(date +%s)
	make -C "$top" module VT_KERNEL="$VT_KERNEL" > "$work/build.log" 2>&1 ||
		die "make module VT_KERNEL=$VT_KERNEL (see $work/build.log)"
	make -C "$top/userspace/record" ARCH=arm64 >> "$work/build.log" 2>&1 ||
		die "arm64 vgic-traced build (see $work/build.log)"
	make -C "$top/userspace" >> "$work/build.log" 2>&1 || die "host vgic-trace build"
	[ -x "$top/build/arm64/vmm" ] || make -C "$top/scripts/vmm" >> "$work/build.log" 2>&1 ||
		die "scenario VMM build"
	printf '%s\n' "SCENARIOS=\"$scen\"" "VFIO_SCEN=\"$vfio\"" \
		"OVL_RUNS=\"$VT_FLEET_OVERLOAD\"" "OVL_SCEN=${VT_FLEET_OVL_SCEN:-mem-ack}" > "$work/extra/fleet.conf"
	echo "# builds: $(( $(date +%s) - t0 )) s; scenarios: $scen"
	rm -rf "$res" && mkdir -p "$res"
	t0=$(date +%s)
	bash "$top/scripts/testhost/run.sh" --out "$res" --script "$top/dist/tests/fleet-inner.sh" \
		--extra "$work/extra" --edu --timeout "${VT_FLEET_TIMEOUT:-900}" > "$work/run.log" 2>&1
	rc=$?
	echo "# emulated host: rc $rc, $(( $(date +%s) - t0 )) s wall (lock wait included)"
	[ $rc -eq 0 ] || { tail -n 20 "$work/run.log" | sed 's/^/# | /'; die "emulated host run (rc $rc)"; }
fi
VT_CLI="$top/build/host/vgic-trace" /usr/bin/python3 "$top/dist/tests/fleet-check.py" "$res" $scen
