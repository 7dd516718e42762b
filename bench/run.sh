#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh - `make bench`: generate synthetic arm64 traces, time every
# analysis verb on them, the read-and-sum limit and `trace-cmd report` on
# an equal number of events, print one table. Never a pass/fail test.
#
# Environment:
#   BENCH_REPS=3        runs per cell (median of CPU time reported)
#   BENCH_FULL=1        add the 10^8-record traces (v2 files, ~1.4 GB each)
#   BENCH_SIZES="..."   override the healthy sizes (default 1e5 1e6 1e7)
#   BENCH_TIMEOUT=300   seconds before a run is abandoned (shown as ">T")
#   BENCH_QUICK=1       1e5/1e6 only, one rep (a smoke run)
#   BENCH_TC=0          skip the trace-cmd column
#   BENCH_CLI=PATH      the vgic-trace binary to measure (default build/host)
#
# Records/s are records per second of CPU time (user + sys) of one
# process: the machine is shared, CPU time is steadier than wall time.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${BUILD:-$top/build}/bench
cli=${BENCH_CLI:-${BUILD:-$top/build}/host/vgic-trace}
reps=${BENCH_REPS:-3}
tmo=${BENCH_TIMEOUT:-300}
sizes=${BENCH_SIZES:-"100000 1000000 10000000"}
mixed="1000000 10000000"
irqs="1000000"
scale="2000 8000 16000 100000"
big=""
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	sizes="100000 1000000"; mixed="1000000"; irqs="100000"
	scale="2000 8000"; reps=1
fi
if [ "${BENCH_FULL:-0}" = 1 ]; then
	big="100000000"
fi
mkdir -p "$out"
gen=$out/vt-bench-gen

# the sources a trace's bytes depend on: the generator, the library's
# writer and coder, the record format (not the rest of the library, whose
# every change relinks vt-bench-gen)
gen_srcs="$top/bench/gen.c $top/userspace/lib/tracefile_write.c
	$top/userspace/lib/tracefile_v2.c $top/userspace/lib/crc32.c
	$top/userspace/lib/vt_tracefile.h $top/userspace/lib/vt_tracefile_v2.h
	$top/userspace/lib/vt_record.h $top/include/uapi/vgic_trace_abi.h"

stale() {	# stale FILE: missing, or older than a source it depends on
	local s
	[ -e "$1" ] || return 0
	for s in $gen_srcs; do
		[ "$s" -nt "$1" ] && return 0
	done
	return 1
}

# trace NAME KIND N NIRQS FORMAT: generate once (again when the generator
# or the library's writer changed). FORMAT v1, v2 or v2z (v2 + zstd).
trace() {
	local f=$out/$1.vgt
	if stale "$f"; then
		echo "bench: generating $1 ($3 records, $5)" >&2
		VT_BENCH_FORMAT=$5 "$gen" "$2" "$3" "$f.tmp" "$4" >/dev/null
		mv "$f.tmp" "$f"
	fi
	echo "$f"
}

# run CMD...: prints "cpu_seconds peak_kib" (median CPU of $reps runs,
# max RSS), or "T 0" on timeout; CPU time and RSS from wait4()
run() {
	local i t cpus=() rss=0 r rc u m x
	for ((i = 0; i < reps; i++)); do
		t=$(mktemp)
		rc=0
		"$out/vt-bench-rusage" "$tmo" "$@" >"$t" || rc=$?
		read -r u m x < "$t" || true
		if [ "$rc" != 0 ] || [ "$u" = T ]; then
			rm -f "$t"; echo "T 0"; return
		fi
		if [ "$x" -gt 1 ]; then
			echo "bench: $* exited $x" >&2
		fi
		cpus+=("$u")
		[ "$m" -gt "$rss" ] && rss=$m
		rm -f "$t"
	done
	r=$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "$(( (reps + 1) / 2 ))p")
	echo "$r $rss"
}

# trace-cmd .dat with N events: syscalls:sys_enter_getppid of one
# process, captured through tracefs and `trace-cmd extract` (trace-cmd
# record needs /proc/sys/kernel/ftrace_enabled writable, which this
# machine's sandbox refuses)
tc_dat() {
	local n=$1 f=$out/tc-$1.dat tr=/sys/kernel/tracing old
	if [ -s "$f" ]; then echo "$f"; return; fi
	command -v trace-cmd >/dev/null || return 0
	[ -e $tr/trace ] || mount -t tracefs nodev $tr 2>/dev/null || return 0
	[ -e $tr/events/syscalls/sys_enter_getppid ] || return 0
	old=$(cat $tr/buffer_size_kb | tr -dc 0-9)
	echo 0 > $tr/tracing_on; echo > $tr/trace
	# ~16 B per event in the ring buffer, all on one or two CPUs
	echo $(( n / 1024 * 24 + 4096 )) > $tr/buffer_size_kb || return 0
	echo 1 > $tr/events/syscalls/sys_enter_getppid/enable
	echo 1 > $tr/tracing_on
	"$out/vt-bench-syscalls" "$n"
	echo 0 > $tr/tracing_on
	echo 0 > $tr/events/syscalls/sys_enter_getppid/enable
	(cd "$out" && trace-cmd extract -o "$f.tmp" >/dev/null 2>&1) || { echo "$old" > $tr/buffer_size_kb; return 0; }
	echo > $tr/trace
	echo "$old" > $tr/buffer_size_kb
	mv "$f.tmp" "$f"
	echo "$f"
}

tc_events() {	# events in a .dat (cached)
	local f=$1
	if [ ! -s "$f.count" ]; then
		trace-cmd report -i "$f" 2>/dev/null | grep -c 'sys_enter_getppid' > "$f.count" || true
	fi
	cat "$f.count"
}

fmt() {	# 3 significant digits
	awk "BEGIN { v = $1; printf (v >= 100 ? \"%.0f\" : v >= 10 ? \"%.1f\" : v >= 1 ? \"%.2f\" : \"%.3g\"), v }"
}

rows=()
row() { rows+=("$(printf "%-16s %11s %-9s %10s %8s %8s %7s %9s" "$@")"); }

# the limit and trace-cmd rates per trace size, for the ratio columns
declare -A limit tcrate

cell() {	# cell NAME FILE N VERB: one table row
	local name=$1 f=$2 n=$3 verb=$4 res cpu rss rate bpr xl xt
	case $verb in
	check)		res=$(run "$cli" check --quiet "$f") ;;
	report)		res=$(run "$cli" report "$f") ;;
	stats)		res=$(run "$cli" stats "$f") ;;
	timeline)	res=$(run "$cli" timeline "$f" -o -) ;;
	limit)		res=$(run "$out/vt-bench-readsum" "$f") ;;
	reader)		res=$(run "$out/vt-bench-readlib" "$f") ;;
	esac
	read -r cpu rss <<<"$res"
	bpr=$(awk "BEGIN { printf \"%.1f\", $(stat -c %s "$f") / $n }")
	if [ "$cpu" = T ]; then
		row "$name" "$n" "$verb" ">${tmo}s" - - "$bpr" -
		return
	fi
	rate=$(fmt "$n / ($cpu + 0.000001) / 1000000")
	[ "$verb" = limit ] && limit[$f]=$rate
	xl=$(fmt "$rate / ${limit[$f]}")
	if [ -n "${tcrate[$n]:-}" ]; then
		xt=$(fmt "$rate / ${tcrate[$n]}")
	else
		xt=n/a
	fi
	row "$name" "$n" "$verb" "$rate" "$xl" "$xt" "$bpr" "$((rss / 1024))"
}

tc_cell() {	# trace-cmd report on N events
	local n=$1 f ev res cpu rss rate
	[ "${BENCH_TC:-1}" = 1 ] || return 0
	if [ "$n" -gt 10000000 ]; then
		row "trace-cmd" "$n" report n/a - - - -	# ring buffer would need >2 GB
		return
	fi
	f=$(tc_dat "$n")
	if [ -z "$f" ]; then
		row "trace-cmd" "$n" report n/a - - - -
		return
	fi
	ev=$(tc_events "$f")
	res=$(run trace-cmd report -i "$f")
	read -r cpu rss <<<"$res"
	rate=$(fmt "$ev / ($cpu + 0.000001) / 1000000")
	tcrate[$n]=$rate
	row "trace-cmd" "$ev" report "$rate" - 1.00 \
		"$(awk "BEGIN { printf \"%.1f\", $(stat -c %s "$f") / $ev }")" "$((rss / 1024))"
}

table() {	# table NAME KIND N NIRQS FORMAT [VERBS]
	local f verbs=${6:-"check report stats timeline"} v
	f=$(trace "$1" "$2" "$3" "$4" "$5")
	cell "$1" "$f" "$3" limit
	cell "$1" "$f" "$3" reader	# the library's reader alone
	for v in $verbs; do
		cell "$1" "$f" "$3" "$v"
	done
}

# v1 files for the speed rows: the read-and-sum limit of the issue is
# defined on them; v2/v2z rows show the coded formats' size and cost.
for n in $sizes; do
	tc_cell "$n"
	table "healthy-$n" healthy "$n" 100000 v1
done
for n in $mixed; do
	table "mixed-$n" mixed "$n" 100000 v1
done
n=${mixed##* }
table "mixed-$n-v2" mixed "$n" 100000 v2 "check"
table "mixed-$n-v2z" mixed "$n" 100000 v2z "check"
for n in $big; do
	tc_cell "$n"
	table "healthy-$n-v2" healthy "$n" 100000 v2
	table "mixed-$n-v2" mixed "$n" 100000 v2 "check"
done
# distinct IRQs: 10 vs 10^5 (SPIs and LPIs) on 16 vCPUs, and 10^5 on 512
# vCPUs (wide): per record they should cost alike
for n in $irqs; do
	table "irqs10-$n" irqs "$n" 10 v1 "check report stats"
	table "irqs100k-$n" irqs "$n" 100000 v1
	table "wide100k-$n" wide "$n" 100000 v1 "check report stats"
done
for k in $scale; do
	table "irqs$k-96k" irqs 96000 "$k" v1 "check"
done

echo
echo "vgic-trace bench ($(nproc) CPUs, $(date -u +%F\ %H:%M) UTC, median of $reps runs;"
echo " M rec/s = records per second of CPU time of one process; x limit = rate /"
echo " read-and-sum rate of the same file; reader = the library's reader alone"
echo " (CRC, validation, decode; no engine); x tc = rate / trace-cmd report rate"
echo " on the same number of events; B/rec = file bytes per record; RSS MiB peak)"
printf "%-16s %11s %-9s %10s %8s %8s %7s %9s\n" trace records verb "M rec/s" "x limit" "x tc" "B/rec" "RSS MiB"
printf '%s\n' "${rows[@]}"
