#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-tests.sh - the README's test command (`make test`, run by .ci/run).
#
# Runs every test stage in order, each under a time limit, keeps each
# stage's log in build/out/test-logs/, prints the tail of a failing
# stage's log and ends with the plain "N passed, N failed" line.
# A stage whose script is missing counts as failed, never as skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
logs=$top/build/out/test-logs
mkdir -p "$logs"

# name | time limit (s) | command
stages=(
	"unit|900|make -C userspace check"
	"module-build|600|make module"
	"bpf-build|600|make bpf"
	"testhost-scenarios|1500|bash scripts/testhost/test-scenarios.sh"
	"module-e2e|1500|bash module/tests/run-e2e.sh"
	"bpf-e2e|1500|bash bpf/tests/run-e2e.sh"
	"x86-live|600|bash bpf/tests/run-x86-live.sh"
)

if [ -n "${VT_STAGES:-}" ]; then
	# VT_STAGES="unit module-build" runs a subset (for developers).
	sel=()
	for s in "${stages[@]}"; do
		for want in $VT_STAGES; do
			[ "${s%%|*}" = "$want" ] && sel+=("$s")
		done
	done
	stages=("${sel[@]}")
fi

pass=0
fail=0
failed=()
start_all=$(date +%s)
for s in "${stages[@]}"; do
	name=${s%%|*}
	rest=${s#*|}
	limit=${rest%%|*}
	cmd=${rest#*|}
	log=$logs/$name.log
	t0=$(date +%s)
	echo "=== stage $name: $cmd (limit ${limit}s)"
	script=$(echo "$cmd" | awk '$1 == "bash" { print $2 }')
	if [ -n "$script" ] && [ ! -f "$script" ]; then
		echo "missing stage script $script" > "$log"
		rc=127
	else
		timeout --kill-after=30 "$limit" bash -c "$cmd" > "$log" 2>&1
		rc=$?
	fi
	t1=$(date +%s)
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok - $name ($((t1 - t0))s)"
		grep -E '^(ok|not ok|# )' "$log" | tail -n 40 | sed 's/^/    /'
	else
		fail=$((fail + 1))
		failed+=("$name")
		[ $rc -eq 124 ] && echo "    timed out after ${limit}s"
		echo "not ok - $name (rc=$rc, $((t1 - t0))s); last 60 lines of $log:"
		tail -n 60 "$log" | sed 's/^/    | /'
	fi
done
echo "total $(( $(date +%s) - start_all ))s"
[ $fail -eq 0 ] || echo "failed stages: ${failed[*]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
