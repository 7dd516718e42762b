#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-x86-live.sh - stage x86-live: the BPF backend, live on THIS x86 host.
#
# This kernel refuses fentry and has no kprobes, so vgic-traced must fall
# back to the kvm:* tracepoints (degraded mode) and say which hooks are
# missing. scripts/x86vmm runs ROUNDS irqfd/resample round trips on a
# level PIC line and counts the ground truth itself (triggers, resamples,
# guest handler runs); the trace's counts must equal it. A second run
# with the resample hook disabled must NOT match (the check can fail).
# The cost is the traced round-trip rate as a ratio to an untraced run.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
top=$PWD
out=$top/build/out/x86-live
rounds=${VT_X86_ROUNDS:-20000}
mkdir -p "$out"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else nok "$what"; fi; }
field() { sed -n "s/.*[ ^]$1=\([0-9]*\).*/\1/p" <<< " $2" | head -n1; }
count() { sed -n "s/^$1=//p" "$2"; }

echo "# building"
make -s -C bpf ARCHES=x86_64 || { echo "not ok 1 - make bpf"; exit 1; }
make -s -C userspace/record || { echo "not ok 1 - build vgic-traced"; exit 1; }
make -s -C scripts/x86vmm || { echo "not ok 1 - build x86vmm"; exit 1; }
make -s -C bpf/tests || { echo "not ok 1 - build vt-count"; exit 1; }
traced=$top/build/host/vgic-traced
vmm=$top/build/host/x86vmm
vtcount=$top/build/host/vt-count

mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing || true

# start vgic-traced, wait for "recording"; sets dpid
start_daemon() {
	local tag=$1; shift
	# a stale .err from an earlier run would say "recording" too early
	rm -f "$out/$tag.vtr" "$out/$tag.err" "$out/$tag.summary"
	"$traced" -b bpf -o "$out/$tag.vtr" --force "$@" > "$out/$tag.summary" 2> "$out/$tag.err" &
	dpid=$!
	for _ in $(seq 1 200); do
		grep -q 'recording from' "$out/$tag.err" && return 0
		kill -0 $dpid 2>/dev/null || break
		sleep 0.1
	done
	cat "$out/$tag.err"
	return 1
}

stop_daemon() {
	kill -INT $dpid 2>/dev/null
	wait $dpid
}

# 0. bad input: a clear error and exit status, never a crash
bad() {
	local want=$1 what=$2; shift 2
	"$traced" "$@" > "$out/bad.out" 2> "$out/bad.err"
	local rc=$?
	if [ $rc -eq "$want" ] && grep -q "$what" "$out/bad.err"; then
		ok "bad input rejected: vgic-traced $* -> rc $rc, '$what'"
	else
		nok "bad input: vgic-traced $* -> rc $rc (want $want, '$what'): $(head -c 200 "$out/bad.err")"
	fi
}
bad 2 "is not a duration" --duration 12x
bad 2 "out of range" --drain-ms 0
bad 2 "not a power of two" --rb-size 5000
bad 2 "unknown hook" --disable nosuchhook
bad 2 "auto, module or bpf" --backend foo
bad 1 "No such file" --backend module --device "$out/no-such-device" -o "$out/bad.vtr" --force
touch "$out/exists.vtr"
bad 1 "use --force" -b bpf -o "$out/exists.vtr"

# 1. untraced baseline (best of 3: the machine is shared)
best0=
for _ in 1 2 3; do
	gt0=$("$vmm" --rounds "$rounds")
	rc=$?
	echo "# untraced: $gt0"
	e=$(field elapsed_ns "$gt0")
	[ $rc -eq 0 ] && { [ -z "$best0" ] || [ "$e" -lt "$best0" ]; } && best0=$e
done
check "untraced x86vmm ran $rounds rounds" test -n "$best0"

# 2. traced
if ! start_daemon traced; then
	nok "vgic-traced (bpf backend) starts on this kernel"
	echo "# $failed failed"
	exit 1
fi
ok "vgic-traced (bpf backend) starts on this kernel"
gt=$("$vmm" --rounds "$rounds")
rc=$?
best1=$(field elapsed_ns "$gt")
trig_all=$(field triggers "$gt")
for _ in 2 3; do
	g=$("$vmm" --rounds "$rounds")
	trig_all=$((trig_all + $(field triggers "$g")))
	e=$(field elapsed_ns "$g")
	[ "$e" -lt "$best1" ] && best1=$e
done
sleep 0.3
stop_daemon
drc=$?
echo "# traced:   $gt"
check "traced x86vmm ran $rounds rounds" test $rc -eq 0
check "vgic-traced exits 0 after SIGINT" test $drc -eq 0
sed 's/^/# /' "$out/traced.summary"

pid=$(field pid "$gt")
trig=$(field triggers "$gt")
res=$(field resamples "$gt")
girq=$(field guest_irqs "$gt")
check "ground truth consistent: triggers $trig = resamples $res = guest irqs $girq" \
	test "$trig" = "$res" -a "$res" = "$girq" -a "$trig" = "$rounds"

"$vtcount" --vm "$pid" "$out/traced.vtr" > "$out/traced.count"
check "trace file readable and complete" grep -q '^end=complete' "$out/traced.count"
lost=$(count lost_records "$out/traced.count")
check "no records lost (lost=$lost)" test "$lost" = 0
check "no BPF program runs missed" grep -q '^summary: drops 0 lost (0 of them BPF program runs the kernel skipped)' "$out/traced.summary"
t_res=$(count resample "$out/traced.count")
t_ack=$(count ack "$out/traced.count")
# the re-asserts come from a kworker (no VM): count them over all runs
"$vtcount" "$out/traced.vtr" > "$out/traced-all.count"
t_inj=$(count inject_assert "$out/traced-all.count")
check "tracer resamples $t_res = VMM resamples $res" test "$t_res" = "$res"
check "tracer acks $t_ack = guest handler runs (EOIs) $girq" test "$t_ack" = "$girq"
check "tracer line asserts $t_inj = VMM triggers $trig_all (3 runs)" test "$t_inj" = "$trig_all"
check "summary: resample hook is degraded to tracepoints" \
	grep -q '^summary: hook resample .*tracepoint (degraded)' "$out/traced.summary"
check "summary: missing hooks are named (lr_flush, irqfd)" \
	grep -q '^summary: hook lr_flush .*MISSING' "$out/traced.summary"
check "startup line names missing and degraded hooks" \
	grep -q 'hooks missing:.*lr_flush.*degraded (tracepoint):.*resample' "$out/traced.err"
check "summary: records/drops/findings lines present" \
	bash -c "grep -q '^summary: records' '$out/traced.summary' && grep -q '^summary: drops' '$out/traced.summary' && grep -q '^summary: findings' '$out/traced.summary'"

# 3. negative control: without the resample hook the counts must differ
if start_daemon noresample --disable resample; then
	gtn=$("$vmm" --rounds 2000)
	sleep 0.3
	stop_daemon
	"$vtcount" --vm "$(field pid "$gtn")" "$out/noresample.vtr" > "$out/noresample.count"
	nres=$(count resample "$out/noresample.count")
	check "negative control: resample hook disabled -> 0 resamples traced, VMM saw $(field resamples "$gtn")" \
		test "$nres" = 0 -a "$(field resamples "$gtn")" = 2000
	check "negative control: summary says resample disabled" \
		grep -q '^summary: hook resample .*disabled' "$out/noresample.summary"
else
	nok "negative control: vgic-traced --disable resample starts"
fi

# 4. the module-device source, fed from a file holding the records of
# the traced run as read() returns them, plus a torn record at the end
python3 bpf/tests/vtr2raw.py "$vtcount" "$out/traced.vtr" "$out/dev.raw" 24
"$traced" -b module --device "$out/dev.raw" -d 1 -q -o "$out/dev.vtr" --force \
	> "$out/dev.summary" 2> "$out/dev.err"
"$vtcount" "$out/dev.vtr" > "$out/dev.count"
check "module source: every record of the stream is taken ($(count resample "$out/dev.count") resamples)" \
	test "$(count resample "$out/dev.count")" = "$(count resample "$out/traced-all.count")" -a \
	     "$(count ack "$out/dev.count")" = "$(count ack "$out/traced-all.count")"
check "module source: a torn record is reported, not silently dropped" \
	grep -q 'stream ends inside a record, 24 bytes dropped' "$out/dev.err"

# 5. cost (best of 3 each)
e0=$best0
e1=$best1
if [ -n "$e0" ] && [ -n "$e1" ] && [ "$e0" -gt 0 ] && [ "$e1" -gt 0 ]; then
	awk -v r="$rounds" -v a="$e0" -v b="$e1" 'BEGIN {
		printf "# cost (best of 3): untraced %.0f round trips/s, traced %.0f/s, traced/untraced time ratio %.3f\n",
			r / (a / 1e9), r / (b / 1e9), b / a }' | tee "$out/cost.txt"
fi

echo "1..$n"
echo "# $failed failed"
[ $failed -eq 0 ]
