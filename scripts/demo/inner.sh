#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# inner.sh - runs INSIDE the emulated arm64 host for `make demo`:
# loads vgic_trace.ko, binds QEMU's edu device to vfio-pci and records the
# scenarios named in /vt/extra/scenarios (default: vfio no-resample) with
# vgic-traced (module backend). Trace files land in /vt/out; all analysis
# is done afterwards on the build machine by scripts/demo.sh.

cd /vt/out || exit 1
ulimit -l unlimited 2>/dev/null
uname -r > kernel.txt

insmod /vt/modules/vgic_trace.ko || { echo "DEMO: insmod failed"; dmesg | tail -20; exit 10; }
bdf=$(vt-edu-bind) || { echo "DEMO: edu device not bound to vfio-pci"; exit 11; }
echo "DEMO: edu at $bdf, vgic_trace.ko loaded"

# Wait (at most 10 s) until the recorder holds /dev/vgic_trace, as the
# module e2e does, so that no record of the scenario is missed.
wait_reader() {
	i=0
	while ! grep -q '^reader_open 1' /sys/kernel/debug/vgic_trace/stats 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "DEMO: recorder did not open /dev/vgic_trace"; return 1; }
		sleep 0.05
	done
}

rc=0
scen="vfio no-resample"
[ -s /vt/extra/scenarios ] && scen=$(cat /vt/extra/scenarios)
echo "DEMO: kernel $(uname -r), scenarios: $scen"
for s in $scen; do
	vgic-traced -b module -f -o $s.vtr --report $s.live.txt > $s.traced.txt 2>&1 &
	pid=$!
	wait_reader || { kill $pid; rc=12; break; }
	vmm --scenario $s --vfio "$bdf" --timeout 120 > $s.vmm.txt 2>&1
	echo $? > $s.vmm.rc
	sleep 0.5
	kill -INT $pid
	wait $pid
	echo $? > $s.traced.rc
	echo "DEMO: $s: vmm rc $(cat $s.vmm.rc), recorder rc $(cat $s.traced.rc)"
	grep VT_GROUND_TRUTH $s.vmm.txt
done
rmmod vgic_trace
dmesg > dmesg.txt
exit $rc
