#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fleet-inner.sh - runs INSIDE the emulated arm64 host (busybox sh, in
# /vt/out), started by dist/test-fleet-e2e.sh through run.sh. For each
# scenario S: vgic-traced (module backend) with --json-lines,
# --metrics-listen and --metrics-file; the scenario VMM; once the VMM has
# exited (the daemon still recording) /metrics is scraped with busybox
# wget, in Prometheus text and in OpenMetrics; then SIGTERM. All checks
# are made afterwards on the build machine (dist/tests/fleet-check.py).
# Files: S.vmm (VT_GROUND_TRUTH), S.pid (VMM pid = the VM label), S.scrape,
# S.om, S.hdr, S.mid.K (scrapes while the guest ran), S.json (daemon
# stdout), S.err, S.prom (last textfile), S.rc, S.vtr.

. /vt/extra/fleet.conf
PATH=/vt/bin:$PATH
export PATH
ADDR=127.0.0.1:9464
say() { echo "FLEET: $*"; }

ifconfig lo 127.0.0.1 up 2>/dev/null || ip link set lo up
uname -r > kernel.txt
bdf=
if [ -n "$VFIO_SCEN" ]; then
	bdf=$(vt-edu-bind 2> edu-bind.err)
	say "edu at '$bdf'"
fi
insmod /vt/modules/vgic_trace.ko || { say "insmod failed"; exit 1; }

for s in $SCENARIOS; do
	va=
	case " $VFIO_SCEN " in *" $s "*) va="--vfio $bdf" ;; esac
	rm -f $s.*
	vgic-traced -b module -o $s.vtr --force --json-lines --metrics-listen $ADDR \
		--metrics-file $s.prom --metrics-interval 1s > $s.json 2> $s.err &
	dp=$!
	i=0
	while ! grep -q 'recording from' $s.err; do
		i=$((i + 1))
		[ $i -gt 300 ] && break
		sleep 0.1
	done
	# a second daemon on the same address: a clear start error, no file
	if [ ! -e busy.rc ]; then
		vgic-traced -b module -o busy.vtr --metrics-listen $ADDR > busy.out 2> busy.err
		echo $? > busy.rc
		[ -e busy.vtr ] && echo yes > busy.file || echo no > busy.file
	fi
	# shellcheck disable=SC2086
	vmm --scenario $s --timeout 120 $va > $s.vmm 2> $s.vmm.err &
	vp=$!
	echo $vp > $s.pid
	# scrapes while the guest runs: the recording must not notice them
	(
		k=0
		while kill -0 $vp 2>/dev/null; do
			k=$((k + 1))
			wget -q -O $s.mid.$k http://$ADDR/metrics 2>/dev/null || rm -f $s.mid.$k
			sleep 0.2
		done
	) &
	sp=$!
	wait $vp
	echo $? > $s.vmm.rc
	wait $sp
	# the module drains every 10 ms; 1 s covers the reorder window too
	sleep 1
	wget -q -S -O $s.scrape http://$ADDR/metrics 2> $s.hdr
	echo $? > $s.wget.rc
	wget -q -O $s.om --header 'Accept: application/openmetrics-text; version=1.0.0' \
		http://$ADDR/metrics 2>> $s.hdr
	echo $? > $s.wget-om.rc
	wget -q -O $s.404 http://$ADDR/nothing 2>> $s.hdr
	echo $? > $s.wget-404.rc
	kill -TERM $dp
	wait $dp
	echo $? > $s.rc
	say "$s: vmm rc $(cat $s.vmm.rc), wget rc $(cat $s.wget.rc), traced rc $(cat $s.rc)"
done
rmmod vgic_trace
dmesg > dmesg.txt
exit 0
