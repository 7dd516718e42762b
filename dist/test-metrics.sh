#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test-metrics.sh - the metrics text (lib/metrics.c, written by the
# test_metrics unit test from the no-resample scenario) passes Debian
# prometheus's `promtool check metrics`; the shipped alerting rules pass
# `promtool check rules` and their unit tests (`promtool test rules`), and
# name only metrics the exposition has.
# Needs promtool (Debian package prometheus) and `make -C userspace check`
# built test_metrics. TAP-style; exit 0 only when every check passed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=0
nfail=0
check() { local d=$1; shift; n=$((n + 1)); if "$@"; then echo "ok $n - $d"; else nfail=$((nfail + 1)); echo "not ok $n - $d"; fi; }
command -v promtool > /dev/null || { echo "not ok 1 - promtool missing (apt-get install prometheus)"; exit 1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
tm=$top/build/host/tests/test_metrics
[ -x "$tm" ] || make -s -C "$top/userspace" "$tm" > /dev/null
VT_METRICS_OUT=$t/vgic_trace.prom "$tm" > "$t/unit.log" 2>&1
check "test_metrics passes and writes the textfile" test -s "$t/vgic_trace.prom"
check "promtool check metrics (exposition format and lint)" bash -c "promtool check metrics < '$t/vgic_trace.prom' > '$t/lint' 2>&1; s=\$?; cat '$t/lint' | sed 's/^/# /'; exit \$s"
check "the metrics hold the scenario's finding" grep -q '^vgic_trace_findings_total{vm="100",rule="intx-masked-forever",severity="error"} 1$' "$t/vgic_trace.prom"
# a typo in an alert's metric name passes promtool but never fires
names=$(grep -o 'vgic_trace_[a-z_]*' "$top/dist/prometheus/vgic-trace.rules.yml" | sort -u)
check "every metric the rules name is in the exposition ($(echo $names | wc -w) names)" bash -c "for m in $(echo $names); do grep -q \"^# TYPE \$m \" '$t/vgic_trace.prom' || { echo \"# not exposed: \$m\"; exit 1; }; done"
check "promtool check rules dist/prometheus/vgic-trace.rules.yml" promtool check rules "$top/dist/prometheus/vgic-trace.rules.yml"
check "promtool test rules (alerts fire and stay quiet as specified)" promtool test rules "$top/dist/prometheus/vgic-trace.rules.test.yml"
echo "1..$n"
[ $nfail -eq 0 ]
