#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# userspace/tests/html/run.sh - the `report --html` stage of make test:
# replayed anomaly scenarios -> `vgic-trace report --html` -> headless
# Chromium (Debian's chromium + chromium-driver, scripts/deps.sh) ->
# DOM and layout checked against the text report, screenshots in
# build/out/html/ (check.py says what is checked).
#
# Chromium missing: skipped with a message, but a failure under CI=true
# (deps.sh installs it). Chromium present but unable to start here:
# skipped with a message.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD:-$top/build}
cli=$build/host/vgic-trace
work=$build/out/html
here=$top/userspace/tests/html
scen=$top/userspace/tests/scenarios

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
	if [ "${CI:-}" = true ]; then
		echo "html: chromium/chromedriver missing (scripts/deps.sh installs them)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "html: SKIPPED: chromium and chromium-driver are not installed (scripts/deps.sh)"
	exit 0
fi
mkdir -p "$work"
if ! timeout 60 chromium --headless --no-sandbox --disable-gpu \
	--dump-dom "file://$here/probe.html" > "$work/probe.out" 2> "$work/probe.err" ||
	! grep -q 'vgic-trace-probe' "$work/probe.out"; then
	echo "html: SKIPPED: chromium cannot run here:"
	tail -3 "$work/probe.err"
	exit 0
fi
make -C "$top/userspace" --no-print-directory -j2 >/dev/null
# findings of every kind the replay gives, none (healthy), losses, and a
# device name with markup
exec python3 "$here/check.py" "$cli" "$work" \
	"$scen/no-resample.txt" "$scen/migration.txt" "$scen/lost-records.txt" \
	"$scen/storm.txt" "$scen/icactiver.txt" "$scen/guest-no-eoi.txt" \
	"$scen/lr-overflow.txt" "$scen/masked-no-resampler.txt" \
	"$scen/healthy.txt" "$here/escape.txt"
