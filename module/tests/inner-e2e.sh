#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# inner-e2e.sh - runs INSIDE the emulated arm64 host (busybox sh), in
# /vt/out, started by module/tests/run-e2e.sh through scripts/testhost/run.sh.
# It only runs things and keeps their output as files; every comparison
# is made afterwards on the build machine by run-e2e.sh.
#
# Settings come from /vt/extra/e2e.conf:
#   SCENARIOS   scenario names for `vmm --scenario`
#   VFIO_SCEN   the scenarios that need the edu device bound to vfio-pci
#   COST_SCEN   scenario timed untraced vs traced
#   COST_RUNS   repetitions of each
#   RMMOD_LOOPS insmod/rmmod cycles while a guest delivers interrupts
#   SCEN_BUF_KB ring buffer per CPU (KiB) for the scenario phase (4096)
#   PHASES      any of: scen trace cost filter lost fault missed reader rmmod
#
# Files written (per scenario S): S.raw (record stream), S.modcat (reader
# summary), S.vmm (VMM output with VT_GROUND_TRUTH), S.vmm.rc, S.stats;
# hooks-*.txt, tc.txt (trace-cmd report), cost.txt, rmmod.txt, dmesg.txt.

. /vt/extra/e2e.conf
PATH=/vt/extra/bin:/vt/bin:$PATH
export PATH
KO=/vt/modules/vgic_trace.ko
DBG=/sys/kernel/debug/vgic_trace

say() { echo "E2E: $*"; }

wait_reader() {
	i=0
	while ! grep -q '^reader_open 1' $DBG/stats 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { say "reader did not open /dev/vgic_trace"; return 1; }
		sleep 0.05
	done
	return 0
}

bdf=
vmm_args() {
	case " $VFIO_SCEN " in
	*" $1 "*) printf '%s ' "--vfio $bdf" ;;
	esac
}

ulimit -l unlimited 2>/dev/null
# the scenarios with thousands of phantom deliveries per round
# (mem-ack, vfio-mmap, icpendr on 7.2) outrun the reader under TCG with
# the default 1 MiB per CPU: SCEN_BUF_KB (e2e.conf, default 4096)
insmod $KO buf_kb=${SCEN_BUF_KB:-4096} || { say "insmod failed"; dmesg > dmesg.txt; exit 10; }
cp $DBG/hooks hooks-load.txt

if [ -n "$VFIO_SCEN" ]; then
	bdf=$(vt-edu-bind 2> edu-bind.err)
	echo "$bdf" > edu-bdf.txt
	say "edu bound at '$bdf'"
fi
# vfio_pci_core is now loaded: its hooks must have attached
cp $DBG/hooks hooks-vfio.txt

case " $PHASES " in *" scen "*)
	for s in $SCENARIOS; do
		vt-modcat -o $s.raw > $s.modcat 2> $s.modcat.err &
		mp=$!
		wait_reader
		# shellcheck disable=SC2046
		vmm --scenario $s $(vmm_args $s) > $s.vmm 2>&1
		echo $? > $s.vmm.rc
		sleep 0.3
		kill -TERM $mp
		wait $mp
		echo $? > $s.modcat.rc
		cp $DBG/stats $s.stats
		say "scenario $s: vmm rc $(cat $s.vmm.rc), $(cat $s.modcat)"
	done
;; esac

dmesg > dmesg-scen.txt

case " $PHASES " in *" trace "*)
	# trace events beside kvm:* with trace-cmd (Debian arm64 binary)
	vt-trace-cmd record -e vgic_trace -e kvm -o tc.dat vmm --scenario $COST_SCEN \
		> tc-record.log 2>&1
	echo $? > tc-record.rc
	vt-trace-cmd report -i tc.dat > tc.txt 2> tc-report.err
	echo $? > tc-report.rc
	rm -f tc.dat
	say "trace-cmd: record rc $(cat tc-record.rc), report rc $(cat tc-report.rc), $(wc -l < tc.txt) lines"
;; esac

case " $PHASES " in *" cost "*)
	# Pairs in alternation, same boot: untraced = module not loaded;
	# traced = module loaded and a reader recording. vt-timeit gives the
	# process wall time, the VMM its own elapsed_ms (guest run only).
	: > cost.txt
	n=0
	while [ $n -lt $COST_RUNS ]; do
		rmmod vgic_trace 2>/dev/null
		vt-timeit untraced vmm --scenario $COST_SCEN > cost-u$n.vmm 2>> cost.txt
		insmod $KO
		vt-modcat -o cost.raw > cost.modcat 2>&1 &
		mp=$!
		wait_reader
		vt-timeit traced vmm --scenario $COST_SCEN > cost-t$n.vmm 2>> cost.txt
		kill -TERM $mp
		wait $mp
		for k in u t; do
			grep -o 'elapsed_ms=[0-9]*' cost-$k$n.vmm | sed "s/^/VT_ELAPSED kind=$k /" >> cost.txt
		done
		n=$((n + 1))
	done
	rm -f cost.raw
	lsmod | grep -q '^vgic_trace' || insmod $KO
	say "cost runs done"
;; esac

dmesg > dmesg-cost.txt

case " $PHASES " in *" filter "*)
	# run-time filters (module parameters) while a reader is open
	P=/sys/module/vgic_trace/parameters
	filt_run() {
		vt-modcat -o /dev/null > filter-$1.modcat 2>&1 &
		mp=$!
		wait_reader
		vmm --scenario $COST_SCEN > filter-$1.vmm 2>&1
		sleep 0.3
		kill -TERM $mp
		wait $mp
	}
	echo 1 > $P/vm_pid		# pid 1 (init) runs no VM
	filt_run vm
	echo 0 > $P/vm_pid
	echo 0 > $P/lr			# LR group off
	filt_run lr
	echo 1 > $P/lr
	cat $P/intid_min $P/intid_max > filter-default.txt
	echo 31 > $P/intid_max		# SGIs/PPIs only: SPI 32 filtered
	filt_run intid
	# the pair: min above max is refused, the old value kept
	try() { # name value -> "name=value accepted|refused now=N"
		if echo $2 > $P/$1 2> /dev/null; then r=accepted; else r=refused; fi
		echo "$1=$2 $r now=$(cat $P/$1)" >> filter-pair.txt
	}
	: > filter-pair.txt
	try intid_min 100		# > intid_max 31: refused
	try intid_max 16777216		# beyond 24-bit INTIDs: refused
	try intid_max 16777215
	try intid_min 8192		# LPIs only: accepted
	try intid_max 8000		# < intid_min: refused
	try intid_min 0
	if echo -5 > $P/vm_pid 2> /dev/null; then
		echo accepted > filter-bad.txt
	else
		echo refused > filter-bad.txt
	fi
	cat $P/vm_pid >> filter-bad.txt
	# at load: a reversed pair is refused whatever the order
	rmmod vgic_trace
	dmesg -c > dmesg-filter-pair.txt
	if insmod $KO intid_min=100 intid_max=50 2> /dev/null; then
		echo "reversed accepted" > filter-load.txt
		rmmod vgic_trace
	else
		echo "reversed refused" > filter-load.txt
	fi
	if insmod $KO intid_max=9000 intid_min=8192; then
		echo "lpi accepted $(cat $P/intid_min) $(cat $P/intid_max)" >> filter-load.txt
		rmmod vgic_trace
	else
		echo "lpi refused" >> filter-load.txt
	fi
	dmesg -c > dmesg-filter-load.txt
	insmod $KO
	# a second open() while a reader holds the device: refused, the
	# message ratelimited
	vt-modcat -o /dev/null > /dev/null 2>&1 &
	mp=$!
	wait_reader
	dmesg -c > dmesg-filter-insmod.txt
	i=0; busy=0; t0=$(date +%s)
	while [ $i -lt 40 ]; do
		cat /dev/vgic_trace > /dev/null 2>&1 || busy=$((busy + 1))
		i=$((i + 1))
	done
	t1=$(date +%s)
	kill -TERM $mp
	wait $mp
	echo "opens=40 refused=$busy" > filter-busy.txt
	echo "seconds=$((t1 - t0))" >> filter-busy.txt
	dmesg -c > dmesg-filter-busy.txt
	say "filter runs done: $(cat filter-bad.txt | tr '\n' ' ') $(cat filter-load.txt | tr '\n' ' ') $(cat filter-busy.txt)"
;; esac

case " $PHASES " in *" lost "*)
	# a 16 KiB per-CPU buffer and a reader that waits 4 s before reading:
	# the overflow must come back as VT_REC_LOST records whose sum equals
	# the module's own per-CPU count
	rmmod vgic_trace 2>/dev/null
	insmod $KO buf_kb=16
	vt-modcat -w 4 -o lost.raw > lost.modcat 2> lost.modcat.err &
	mp=$!
	wait_reader
	vmm --scenario $COST_SCEN > lost.vmm 2>&1
	cp $DBG/stats lost.stats-before
	sleep 4
	kill -TERM $mp
	wait $mp
	echo $? > lost.modcat.rc
	cp $DBG/stats lost.stats
	rmmod vgic_trace
	insmod $KO
	say "lost test: $(cat lost.modcat)"
;; esac

case " $PHASES " in *" fault "*)
	# copy_to_user() fails part way: every other read() of the reader
	# goes to a buffer straddling an inaccessible page. Records consumed
	# but not delivered must come back as loss: what the reader got +
	# what it was told it lost = what the module wrote (debugfs stats,
	# counted at ring_buffer_write, independent of the read path).
	rmmod vgic_trace 2>/dev/null
	insmod $KO buf_kb=4096
	vt-modcat -F -o fault.raw > fault.modcat 2> fault.modcat.err &
	mp=$!
	wait_reader
	vmm --scenario $COST_SCEN > fault.vmm 2>&1
	sleep 0.3
	kill -TERM $mp
	wait $mp
	echo $? > fault.modcat.rc
	cp $DBG/stats fault.stats
	rmmod vgic_trace
	insmod $KO
	say "fault test: $(cat fault.modcat)"
;; esac

case " $PHASES " in *" missed "*)
	# one kretprobe instance per hook and three VMs at once (four vCPU
	# threads, their injections and resamples overlap on the host CPUs):
	# hits are missed (maxactive) and must be delivered as VT_REC_LOST
	# (probe misses)
	rmmod vgic_trace 2>/dev/null
	insmod $KO maxactive=1
	vt-modcat -o /dev/null > missed.modcat 2> missed.modcat.err &
	mp=$!
	wait_reader
	vmm --scenario $COST_SCEN > missed-1.vmm 2>&1 &
	v1=$!
	vmm --scenario migrate > missed-2.vmm 2>&1 &
	v2=$!
	vmm --scenario $COST_SCEN > missed.vmm 2>&1
	wait $v1 $v2
	sleep 0.3
	kill -TERM $mp
	wait $mp
	echo $? > missed.modcat.rc
	cp $DBG/stats missed.stats
	cp $DBG/hooks missed.hooks
	rmmod vgic_trace
	insmod $KO
	say "missed test: $(cat missed.modcat)"
;; esac

case " $PHASES " in *" reader "*)
	# the reader's own cost: records pile up for 6 s (no read; the VMM
	# is done by then), then one drain (burst_us); vt-modcat's CPU time and the module's reader counters
	# (debugfs stats) per record. run-e2e.sh compares boots with
	# different host CPU counts (VT_E2E_SMP).
	rmmod vgic_trace 2>/dev/null
	insmod $KO buf_kb=4096
	vt-modcat -w 6 -o /dev/null > reader.modcat 2> reader.modcat.err &
	mp=$!
	wait_reader
	vmm --scenario $COST_SCEN > reader.vmm 2>&1
	sleep 7
	kill -TERM $mp
	wait $mp
	echo $? > reader.modcat.rc
	cp $DBG/stats reader.stats
	rmmod vgic_trace
	insmod $KO
	say "reader test: $(cat reader.modcat)"
;; esac

case " $PHASES " in *" rmmod "*)
	# a guest delivering interrupts the whole time
	: > rmmod-vmm.count
	( while [ ! -f rmmod.stop ]; do
		vmm --scenario $COST_SCEN > /dev/null 2>&1
		echo x >> rmmod-vmm.count
	  done ) &
	lp=$!
	sleep 1
	: > rmmod.txt
	i=0
	while [ $i -lt $RMMOD_LOOPS ]; do
		lsmod | grep -q '^vgic_trace' || insmod $KO \
			|| echo "insmod $i failed" >> rmmod.txt
		if [ $((i % 2)) -eq 0 ]; then
			# with a reader and the trace events on
			echo 1 > /sys/kernel/tracing/events/vgic_trace/enable
			vt-modcat -o /dev/null > /dev/null 2>&1 &
			mp=$!
			sleep 0.05
			kill -TERM $mp
			wait $mp
			echo 0 > /sys/kernel/tracing/events/vgic_trace/enable
		fi
		rmmod vgic_trace || echo "rmmod $i failed" >> rmmod.txt
		dmesg -c >> dmesg-rmmod.txt
		i=$((i + 1))
	done
	touch rmmod.stop
	wait $lp
	echo "loops=$RMMOD_LOOPS vmm_runs=$(wc -l < rmmod-vmm.count)" >> rmmod.txt
	say "rmmod loop: $(tail -n 1 rmmod.txt)"
;; esac

dmesg > dmesg.txt
exit 0
