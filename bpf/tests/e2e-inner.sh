#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# e2e-inner.sh - runs INSIDE the emulated arm64 host (busybox sh) in
# /vt/out, started by bpf/tests/run-e2e.sh via scripts/testhost/run.sh.
# It only runs things and keeps their output; all comparisons are made
# afterwards on the build machine (e2e-check.py).
#
# Settings from /vt/extra/e2e.conf: SCENARIOS, VFIO_SCEN, TP_SCEN (run
# healthy with --tracepoints-only when set), COST_SCEN, COST_ROUNDS,
# COST_RUNS (0: no cost rounds).
# Files per scenario S and mode M (bpf|module|bpftp|bpful): M-S.vtr (trace
# file), M-S.out (daemon stdout: live findings + summary), M-S.err, M-S.vmm
# (VT_GROUND_TRUTH line), M-S.rc. cost-{untraced,bpf,module}-K.vmm for
# the timing rounds.

. /vt/extra/e2e.conf
PATH=/vt/bin:$PATH
export PATH
KO=/vt/modules/vgic_trace.ko

say() { echo "E2E: $*"; }

bdf=
vmm_args() {
	case " $VFIO_SCEN " in
	*" $1 "*) echo "--vfio $bdf" ;;
	esac
}

# start vgic-traced (mode $1, tag $2, extra options after); sets dp;
# 0 when it is recording. Files are named after $1 ("bpftp" = bpf with
# --tracepoints-only).
start_traced() {
	m=$1
	t=$2
	shift 2
	b=$m
	bin=vgic-traced
	[ $m = bpftp ] && b=bpf
	[ $m = bpful ] && b=bpf && bin=vgic-traced-unloadable
	# 7.2's icpendr storm (~50k LR records in seconds) overruns the
	# default 4 MiB ring under TCG: 32 MiB, losses still counted
	[ $b = bpf ] && set -- --rb-size ${BPF_RB_SIZE:-33554432} "$@"
	# a stale .err would say "recording" before this daemon attached
	rm -f $m-$t.vtr $m-$t.err $m-$t.out
	$bin -b $b -o $m-$t.vtr --force "$@" > $m-$t.out 2> $m-$t.err &
	dp=$!
	i=0
	while ! grep -q 'recording from' $m-$t.err; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $dp 2>/dev/null; then
			say "vgic-traced -b $b did not start: $(tail -n 3 $m-$t.err)"
			return 1
		fi
		sleep 0.1
	done
	# start-up (load, verify, attach) in 0.1 s ticks
	echo $i > $m-$t.start
	return 0
}

stop_traced() {
	sleep 0.3
	kill -INT $dp
	wait $dp
	echo $? > $1-$2.rc
}

# run every scenario under mode $1
run_mode() {
	t0=$(date +%s)
	for s in $SCENARIOS; do
		start_traced $1 $s || { echo 99 > $1-$s.rc; continue; }
		# shellcheck disable=SC2046
		vmm --scenario $s --timeout ${VMM_TIMEOUT:-120} $(vmm_args $s) \
			> $1-$s.vmm 2> $1-$s.vmm.err
		echo $? > $1-$s.vmm.rc
		stop_traced $1 $s
		say "$1 $s: vmm rc $(cat $1-$s.vmm.rc), traced rc $(cat $1-$s.rc)"
	done
	say "$1: all scenarios in $(( $(date +%s) - t0 )) s"
}

# shellcheck disable=SC3045 # busybox sh has ulimit -l
ulimit -l unlimited 2>/dev/null
uname -r > kernel.txt
# which hook symbols (and kvm_vgic_global_state, nr_lr) this kernel has
grep -wE 'vgic_v[23]_(deactivate|fold_lr|fold_lr_state|set_underflow)|kvm_vgic_global_state' \
	/proc/kallsyms | awk '{print $3}' | sort -u > kallsyms.txt
if [ -n "$VFIO_SCEN" ]; then
	bdf=$(vt-edu-bind 2> edu-bind.err)
	echo "$bdf" > edu-bdf.txt
	say "edu bound at '$bdf'"
fi

# ---- BPF backend (module not loaded) ----
run_mode bpf

# degraded mode on this kernel too: upstream tracepoints only
if [ -n "$TP_SCEN" ] && start_traced bpftp healthy --tracepoints-only; then
	vmm --scenario healthy > bpftp-healthy.vmm 2> bpftp-healthy.vmm.err
	echo $? > bpftp-healthy.vmm.rc
	stop_traced bpftp healthy
fi

# one program that cannot load (test build: the ack programs) must cost
# that hook alone, never the backend
if [ -n "$TP_SCEN" ] && [ -x /vt/bin/vgic-traced-unloadable ] &&
   start_traced bpful healthy; then
	vmm --scenario healthy > bpful-healthy.vmm 2> bpful-healthy.vmm.err
	echo $? > bpful-healthy.vmm.rc
	stop_traced bpful healthy
fi

# probe misses: the selftest programs make the kernel skip runs of their
# own (at least one per rename to vtmiss*); the kernel's counters, read by id while the
# daemon still runs and the VMM is done, are the truth for its loss
export VGIC_TRACED_SELFTEST_MISSES=1
if start_traced bpf misses; then
	vmm --scenario healthy > bpf-misses.vmm 2> bpf-misses.vmm.err
	echo $? > bpf-misses.vmm.rc
	for i in 1 2 3 4 5; do sh -c 'echo vtmiss > /proc/self/comm'; done
	sleep 1.5	# one periodic read in between
	vt-bpfstat > bpf-misses.kernel 2>&1
	stop_traced bpf misses
fi
unset VGIC_TRACED_SELFTEST_MISSES

# ---- module backend, same boot ----
have_mod=no
if [ -f $KO ]; then
	if insmod $KO; then
		have_mod=yes
		run_mode module
		rmmod vgic_trace || have_mod=no
	else
		say "insmod failed"
	fi
fi
echo $have_mod > module-loaded.txt

# ---- cost: rounds k = untraced, BPF, module back to back, so that drift
# of this shared, emulated machine hits all three alike ----
[ "$COST_RUNS" -gt 0 ] &&
	vmm --scenario $COST_SCEN --rounds $COST_ROUNDS > cost-warmup.vmm 2>&1
k=0
while [ $k -lt $COST_RUNS ]; do
	vmm --scenario $COST_SCEN --rounds $COST_ROUNDS > cost-untraced-$k.vmm 2>&1
	if start_traced bpf cost; then
		vmm --scenario $COST_SCEN --rounds $COST_ROUNDS > cost-bpf-$k.vmm 2>&1
		stop_traced bpf cost
	fi
	if [ $have_mod = yes ] && insmod $KO; then
		if start_traced module cost; then
			vmm --scenario $COST_SCEN --rounds $COST_ROUNDS > cost-module-$k.vmm 2>&1
			stop_traced module cost
		fi
		rmmod vgic_trace
	fi
	say "cost round $k done"
	k=$((k + 1))
done
rm -f bpf-cost.vtr module-cost.vtr
dmesg > dmesg.txt
exit 0
