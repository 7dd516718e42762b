#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/compare.sh - output identity for engine work: run every analysis
# verb (report, report --json, stats, stats --json, check, timeline) of
# BIN over a fixed corpus and write one line per output, "trace verb rc
# sha256-prefix", to OUT. Run it for the old and the new binary and diff
# the two files: an engine change that is meant to be faster only must
# leave every line as it was.
#
#   bench/compare.sh BIN OUT
#
# The corpus (made once under $BUILD/compare, from this checkout's own
# tools): the replayed scenarios of userspace/tests/scenarios, the trace
# files of the fuzz corpus (truncated, v2, v2+zstd among them) and
# bench/gen traces of 300,000 records (healthy and mixed in v1/v2/v2z,
# 20,000 IRQs, 512 vCPUs, 10 IRQs) with late records.
set -euo pipefail

[ $# = 2 ] || { echo "usage: $0 BIN OUT" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
bin=$(realpath "$1")
out=$(realpath -m "$2")
corpus=$build/compare/corpus
cli=$build/host/vgic-trace
gen=$build/bench/vt-bench-gen

if [ ! -e "$corpus/.done" ]; then
	if [ ! -x "$cli" ] || [ ! -x "$gen" ]; then
		echo "$0: build first: make userspace && make -C bench" >&2
		exit 2
	fi
	rm -rf "$corpus"
	mkdir -p "$corpus"
	for s in "$top"/userspace/tests/scenarios/*.txt; do
		"$cli" import "$s" -o "$corpus/$(basename "$s" .txt).vgt"
	done
	for f in "$top"/userspace/tests/fuzz/corpus/fuzz_tracefile/*.vgt; do
		cp "$f" "$corpus/f-$(basename "$f")"	# (some share a scenario's name)
	done
	for k in healthy mixed; do
		for f in v1 v2 v2z; do
			VT_BENCH_FORMAT=$f "$gen" $k 300000 "$corpus/b-$k-$f.vgt" 1000 >/dev/null
		done
	done
	VT_BENCH_FORMAT=v1 "$gen" irqs 300000 "$corpus/b-irqs.vgt" 20000 >/dev/null
	VT_BENCH_FORMAT=v1 "$gen" wide 300000 "$corpus/b-wide.vgt" 20000 >/dev/null
	VT_BENCH_FORMAT=v1 "$gen" irqs 200000 "$corpus/b-irqs10.vgt" 10 >/dev/null
	touch "$corpus/.done"
fi

mkdir -p "$(dirname "$out")"
: > "$out"
cd "$corpus"	# relative names: outputs that quote the file match
for t in *.vgt; do
	for verb in "report" "report --json" "stats" "stats --json" "check" "timeline"; do
		rc=0
		# shellcheck disable=SC2086
		"$bin" $verb "$t" > "$out.tmp" 2>&1 || rc=$?
		echo "$t ${verb// /_} $rc $(sha256sum < "$out.tmp" | cut -c1-16)" >> "$out"
	done
done
rm -f "$out.tmp"
echo "$(wc -l < "$out") outputs in $out"
