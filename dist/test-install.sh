#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test-install.sh - `make install` into a scratch DESTDIR/PREFIX and check
# what it put there: both binaries answer --version with VT_VERSION, the
# man pages render without groff warnings, the systemd unit passes
# systemd-analyze verify, the bash completion completes verbs, and (unless
# VT_DKMS=0) `dkms build` of the installed module source succeeds against
# the emulated host's Debian 6.1 arm64 headers (cross) into a private
# DKMS tree. TAP-style output; exit 0 only when every check passed.
# Builds the binaries first (make userspace record: a no-op after the
# earlier stages of make test), as `make install` needs them.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
t=$(mktemp -d /tmp/vt-install.XXXXXX)
trap 'rm -rf "$t"' EXIT
n=0
nfail=0
check() { local d=$1; shift; n=$((n + 1)); if "$@"; then echo "ok $n - $d"; else nfail=$((nfail + 1)); echo "not ok $n - $d"; fi; }

ver=$(sed -n 's/^#define VT_VERSION "\(.*\)"/\1/p' "$top/userspace/lib/vt_version.h")
p=$t/prefix
make -s -C "$top" userspace record > "$t/build.log" 2>&1
check "make userspace record (the binaries make install takes)" test $? -eq 0
make -s -C "$top" install PREFIX="$p" DKMSSRCDIR="$p/src" > "$t/install.log" 2>&1
check "make install PREFIX=... ran" test $? -eq 0
make -s -C "$top" install DESTDIR="$t/dest" PREFIX=/usr > "$t/install2.log" 2>&1
check "make install DESTDIR=... PREFIX=/usr ran" test -x "$t/dest/usr/bin/vgic-trace" -a -x "$t/dest/usr/sbin/vgic-traced" -a -f "$t/dest/usr/src/vgic-trace-$ver/dkms.conf"
check "vgic-trace --version is $ver" bash -c "'$p/bin/vgic-trace' --version | head -1 | grep -qx 'vgic-trace $ver'"
check "vgic-traced --version is $ver" bash -c "'$p/sbin/vgic-traced' --version | head -1 | grep -qx 'vgic-traced $ver'"
for m in man1/vgic-trace.1 man8/vgic-traced.8; do
	check "$m renders without warnings" bash -c "! groff -man -ww -z '$p/share/man/$m' 2>&1 | grep -q . && grep -q 'vgic-trace $ver' '$p/share/man/$m'"
done
u=$p/lib/systemd/system/vgic-traced.service
check "unit names the installed binary" grep -q "^ExecStart=$p/sbin/vgic-traced " "$u"
if command -v systemd-analyze > /dev/null; then
	check "systemd-analyze verify vgic-traced.service" systemd-analyze verify --man=no "$u"
	# the unit with the shipped metrics drop-in (endpoint + textfile) applied
	dd=$t/units/vgic-traced.service.d
	mkdir -p "$dd" && cp "$u" "$t/units/" && cp "$p/share/doc/vgic-trace/vgic-traced.service.d/metrics.conf" "$dd/"
	check "systemd-analyze verify with the metrics drop-in: no warning" bash -c "o=\$(systemd-analyze verify --man=no '$t/units/vgic-traced.service' 2>&1) && [ -z \"\$o\" ] && grep -q '^ExecStart=$p/sbin/vgic-traced .*--metrics-listen 127.0.0.1:9464' '$dd/metrics.conf'"
	check "unit: Type=notify, watchdog, JSON lines" bash -c "grep -qx 'Type=notify' '$u' && grep -q '^WatchdogSec=' '$u' && grep -q '^ExecStart=.* --json-lines' '$u'"
	lvl=$(systemd-analyze security --offline=yes "$u" 2>/dev/null | sed -n 's/.*exposure level for .*: \([0-9.]*\).*/\1/p')
	check "systemd-analyze security exposure ${lvl:-?} below 4 (OK)" awk -v l="${lvl:-99}" 'BEGIN { exit !(l < 4) }'
fi
comp=$p/share/bash-completion/completions/vgic-trace
check "bash completion: verbs" bash -c ". '$comp'; COMP_WORDS=(vgic-trace re); COMP_CWORD=1; _vgic_trace; [ \"\${COMPREPLY[*]}\" = report ]"
check "bash completion: --from values" bash -c ". '$comp'; COMP_WORDS=(vgic-trace report --from k); COMP_CWORD=3; _vgic_trace; [ \"\${COMPREPLY[*]}\" = kvm ]"
check "bash completion: vgic-traced options" bash -c ". '$comp'; COMP_WORDS=(vgic-traced --tracep); COMP_CWORD=1; _vgic_traced; [ \"\${COMPREPLY[*]}\" = --tracepoints-only ]"

if [ "${VT_DKMS:-1}" != 0 ] && command -v dkms > /dev/null; then
	env6=$top/build/cache/env-6.1.sh
	if [ -f "$env6" ]; then
		# shellcheck source=/dev/null
		kabi=$(. "$env6" && echo "$VT_KABI"); kh=$(. "$env6" && echo "$VT_KHEADERS")
		mkdir -p "$t/dkms"
		dkms build -m vgic-trace -v "$ver" --sourcetree "$p/src" --dkmstree "$t/dkms" \
			-k "$kabi" --kernelsourcedir "$kh" > "$t/dkms.log" 2>&1
		ko=$(find "$t/dkms" -name vgic_trace.ko | head -1)
		check "dkms build against $kabi headers gives an arm64 vgic_trace.ko" \
			bash -c "[ -n '$ko' ] && file '$ko' | grep -q aarch64"
		[ -n "$ko" ] || tail -n 20 "$t/dkms.log" "$t"/dkms/vgic-trace/"$ver"/build/make.log 2>/dev/null | sed 's/^/# /'
	fi
fi
make -s -C "$top" uninstall PREFIX="$p" DKMSSRCDIR="$p/src" > /dev/null 2>&1
check "make uninstall removes the binaries and the DKMS source" test ! -e "$p/bin/vgic-trace" -a ! -e "$p/src/vgic-trace-$ver"
echo "1..$n"
[ $nfail -eq 0 ]
