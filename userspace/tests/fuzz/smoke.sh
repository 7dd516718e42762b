#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# smoke.sh - `make fuzz-smoke`: run each fuzz harness for FUZZ_TIME
# seconds (fuzz_tracecmd two thirds of it) over its corpus, FUZZ_JOBS of
# them at once (each libFuzzer process is single-threaded: one per CPU
# gives each harness the same executions as a serial run, in less wall
# time). Results in the harnesses' order; a crash prints its report.
#
#   FDIR=build/host/fuzz FUZZ_TIME=60 FUZZ_JOBS=2 smoke.sh NAME...
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
: "${FDIR:?}" "${FUZZ_TIME:=60}" "${FUZZ_JOBS:=1}"

one() {
	local f=$1 t=$FUZZ_TIME
	[ "$f" != fuzz_tracecmd ] || t=$((FUZZ_TIME * 2 / 3))
	mkdir -p "$FDIR/corpus-$f" "$FDIR/crash-$f"
	"$FDIR/$f" -max_total_time=$t -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$FDIR/crash-$f/" \
		"$FDIR/corpus-$f" "tests/fuzz/corpus/$f" > "$FDIR/$f.log" 2>&1
	echo $? > "$FDIR/$f.rc"
}

for f in "$@"; do
	rm -f "$FDIR/$f.rc"
	echo "=== $f: started"
	one "$f" &
	while [ "$(jobs -rp | wc -l)" -ge "$FUZZ_JOBS" ]; do
		wait -n
	done
done
wait

fail=0
total=0
for f in "$@"; do
	if [ "$(cat "$FDIR/$f.rc" 2>/dev/null)" = 0 ]; then
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$FDIR/$f.log" | tail -n 1)
		total=$((total + ${n:-0}))
		echo "ok - $f: $n executions, $(grep -o 'cov: [0-9]*' "$FDIR/$f.log" | tail -1)"
	else
		fail=$((fail + 1))
		echo "not ok - $f (rc $(cat "$FDIR/$f.rc" 2>/dev/null || echo none), log $FDIR/$f.log)"
		grep -A25 -m1 'ERROR\|runtime error\|deadly signal' "$FDIR/$f.log"
	fi
done
echo "# fuzz: $total executions in $# harnesses, $FUZZ_JOBS at once; $fail failed"
[ $fail -eq 0 ]
