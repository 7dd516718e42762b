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

# Overload (issue 11): the producer outruns the reader so that records
# are really lost, then SIGTERM and --duration must still be honoured
# and the file complete. A 16 KiB per-CPU ring buffer (buf_kb, the
# module's minimum), one busy loop per CPU, the daemon reniced to 19
# (busybox has renice, no nice) with --drain-ms 500, the VMM
# looping OVL_SCEN. Runs ovl-tN: after 2 s, SIGTERM; ovl-dN: -d 1s.
# -r runs force the overload at the stop: the daemon is held with
# SIGSTOP for 2 s (tN) or 0.5 s (dN, from 0.2 s into its second) while
# the VMM fills the buffers, reniced to -10 (this shell's priority) and
# resumed just before SIGTERM or the deadline, so the figure is its own
# stop path against full buffers and a producer still outrunning it,
# not the scheduler starving a task the busy loops outweigh. Per run: .vtr, .out (summary), .err, .rc, .ms
# (SIGTERM -> exit; -d: "recording from" seen -> exit, so .ms - 1000 is
# the overrun), .stats (the module's debugfs counters after the close).
# The daemon writes into /tmp (tmpfs), copied here after each run.
# Times: /proc/uptime (10 ms resolution) read without a fork into $T,
# by this shell reniced to -10 after the hogs started, so that the
# busy loops do not delay the measurement itself.
now() {
	read -r u _ < /proc/uptime
	f=${u#*.}
	f=${f#0}
	T=$(( ${u%.*} * 1000 + f * 10 ))
}
ovl_wait() {
	i=0
	while ! grep -q 'recording from' "$1"; do
		i=$((i + 1))
		[ $i -gt 200 ] && break
		sleep 0.05
	done
}
if [ -n "$OVL_RUNS" ]; then
	now
	say "overload: start $T ms"
	insmod /vt/modules/vgic_trace.ko buf_kb=${OVL_BUF_KB:-16} || say "overload: insmod failed"
	DBG=/sys/kernel/debug/vgic_trace
	hp=
	for c in $(grep '^processor' /proc/cpuinfo | sed 's/.*: //'); do
		( while :; do :; done ) &
		hp="$hp $!"
	done
	# the producer: the VMM looping OVL_SCEN, started again should it end
	# before the phase does (each end's rc in ovl.vmm.rc, its output
	# appended), so a VMM fault cannot leave the later runs without load;
	# the phase's end stops it with SIGTERM (143, the last line)
	ovl_vmm() {
		trap 'kill -TERM $c 2>/dev/null; wait $c; echo $? >> ovl.vmm.rc; exit 0' TERM
		while :; do
			vmm --scenario ${OVL_SCEN:-mem-ack} --rounds 100000 --timeout 120 \
				>> ovl.vmm 2>> ovl.vmm.err &
			c=$!
			wait $c
			echo $? >> ovl.vmm.rc
		done
	}
	rm -f ovl.vmm ovl.vmm.err ovl.vmm.rc
	ovl_vmm &
	vp=$!
	renice -n -10 -p $$ > /dev/null
	sleep 1
	for r in $OVL_RUNS; do
		rm -f ovl-$r.*
		# the daemon's files in this guest's tmpfs, copied out after:
		# the 9p share's writes and fsync are the emulator's I/O
		o=/tmp/ovl-$r
		case $r in
		d*)
			vgic-traced -b module -o $o.vtr --force --drain-ms 500 -d 1s \
				> $o.out 2> $o.err &
			dp=$!
			renice -n 19 -p $dp > /dev/null
			# its clock starts just before "recording from": seen
			# within 10 ms by this nice -10 shell
			i=0
			while ! grep -q 'recording from' $o.err; do
				i=$((i + 1))
				[ $i -gt 1000 ] && break
				sleep 0.01
			done
			now
			t0=$T
			case $r in *-r)
				sleep 0.2
				kill -STOP $dp
				sleep 0.5
				renice -n -10 -p $dp > /dev/null
				kill -CONT $dp ;;
			esac
			wait $dp
			rc=$?
			now
			echo $rc > ovl-$r.rc
			echo $((T - t0)) > ovl-$r.ms
			;;
		*)
			vgic-traced -b module -o $o.vtr --force --drain-ms 500 \
				> $o.out 2> $o.err &
			dp=$!
			renice -n 19 -p $dp > /dev/null
			ovl_wait $o.err
			sleep 2
			case $r in *-r)
				kill -STOP $dp
				sleep 2
				renice -n -10 -p $dp > /dev/null
				kill -CONT $dp ;;
			esac
			now
			t0=$T
			kill -TERM $dp
			wait $dp
			rc=$?
			now
			echo $rc > ovl-$r.rc
			echo $((T - t0)) > ovl-$r.ms
			echo "$t0 $T" > ovl-$r.t
			;;
		esac
		cp $DBG/stats ovl-$r.stats
		cp $o.vtr $o.out $o.err . && rm -f $o.*
		say "overload $r: rc $(cat ovl-$r.rc), $(cat ovl-$r.ms) ms, module $(grep lost_total ovl-$r.stats)"
	done
	kill -TERM $vp 2>/dev/null
	wait $vp
	# shellcheck disable=SC2086
	kill $hp
	wait
	rmmod vgic_trace
	now
	say "overload: end $T ms"
fi
dmesg > dmesg.txt
exit 0
