# SPDX-License-Identifier: GPL-2.0
#
# e2e-prep.sh - the build-and-boot preamble shared by the e2e scripts that
# run the module (module/tests/run-e2e.sh) and trace-cmd
# (userspace/tests/tracecmd/run-arm64.sh) in the emulated host. Sourced:
#
#   . scripts/testhost/e2e-prep.sh
#   vt_prep_host TOP WORK            host vgic-trace CLI, vt-count, scenario VMM
#   vt_prep_cross TOP BINDIR SRC...  static arm64 builds of test helpers
#   vt_prep_tracecmd TOP WORK EXTRA  Debian's trace-cmd:arm64 in EXTRA/tracecmd
#                                    and EXTRA/bin/vt-trace-cmd to run it
#   vt_boot RES SCRIPT EXTRA LOG [run.sh options...]
#                                    one boot of the host (fresh RES), its
#                                    wall time in $vt_boot_secs
#
# Each returns 0 or non-zero with the reason on stdout as "# ..." lines
# (the callers print TAP); logs go to WORK. The kernel comes from
# scripts/testhost/kernel-env.sh, which the caller sources first.

# vt_prep_host TOP WORK
vt_prep_host() {
	local top=$1 work=$2
	mkdir -p "$work"
	make -C "$top/userspace" > "$work/userspace.log" 2>&1 ||
		{ echo "# make -C userspace failed (see $work/userspace.log)"; return 1; }
	make -C "$top/bpf/tests" > "$work/vt-count.log" 2>&1 ||
		{ echo "# make -C bpf/tests (vt-count) failed (see $work/vt-count.log)"; return 1; }
	if [ ! -x "$top/build/arm64/vmm" ]; then
		make -C "$top/scripts/vmm" > "$work/vmm.log" 2>&1
	fi
	[ -x "$top/build/arm64/vmm" ] ||
		{ echo "# scenario VMM missing (make -C scripts/vmm failed, see $work/vmm.log)"; return 1; }
	return 0
}

# vt_prep_cross TOP BINDIR SRC...: BINDIR/NAME for each SRC NAME.c
vt_prep_cross() {
	local top=$1 bin=$2 s
	shift 2
	mkdir -p "$bin"
	for s in "$@"; do
		aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror \
			-I"$top/include/uapi" -o "$bin/$(basename "$s" .c)" "$s" ||
			{ echo "# cross-compile $s failed"; return 1; }
	done
	return 0
}

# vt_prep_tracecmd TOP WORK EXTRA: trace-cmd:arm64 and what it links
# against, from the Debian mirror (debs cached in build/cache)
vt_prep_tracecmd() {
	local top=$1 work=$2 extra=$3 d
	local tcdeb=$top/build/cache/debs-tracecmd tcroot=$extra/tracecmd
	mkdir -p "$work" "$extra/bin"
	if [ ! -x "$tcroot/bin/trace-cmd" ]; then
		mkdir -p "$tcdeb" && rm -rf "$tcroot" "$work/tcroot"
		(cd "$tcdeb" && apt-get download trace-cmd:arm64 libtraceevent1:arm64 \
			libtracefs1:arm64 libzstd1:arm64 libtraceevent1-plugin:arm64 \
			libc6:arm64) > "$work/tracecmd-dl.log" 2>&1
		mkdir -p "$work/tcroot" "$tcroot/bin" "$tcroot/lib"
		for d in "$tcdeb"/*.deb; do dpkg -x "$d" "$work/tcroot"; done
		cp "$work/tcroot/usr/bin/trace-cmd" "$tcroot/bin/" 2>/dev/null
		cp -L "$work/tcroot/lib/ld-linux-aarch64.so.1" \
			"$work/tcroot"/lib/aarch64-linux-gnu/{libc.so.6,libm.so.6} \
			"$work/tcroot"/usr/lib/aarch64-linux-gnu/{libtraceevent.so.1,libtracefs.so.1,libzstd.so.1} \
			"$tcroot/lib/" 2>/dev/null
		cp -r "$work/tcroot/usr/lib/aarch64-linux-gnu/traceevent/plugins" \
			"$tcroot/plugins" 2>/dev/null
		rm -rf "$work/tcroot"
	fi
	cat > "$extra/bin/vt-trace-cmd" <<'EOS'
#!/bin/sh
# trace-cmd from Debian arm64, run through its own loader and libraries
d=/vt/extra/tracecmd
export TRACEEVENT_PLUGIN_DIR=$d/plugins
exec $d/lib/ld-linux-aarch64.so.1 --library-path $d/lib $d/bin/trace-cmd "$@"
EOS
	chmod +x "$extra/bin/vt-trace-cmd"
	[ -x "$tcroot/bin/trace-cmd" ] && [ -f "$tcroot/lib/libtracefs.so.1" ] ||
		{ echo "# trace-cmd:arm64 bundle incomplete (see $work/tracecmd-dl.log)"; return 1; }
	return 0
}

# vt_boot RES SCRIPT EXTRA LOG [run.sh options...]: RES is emptied first;
# the status is run.sh's (the script's, 124 timeout, 125 panic)
vt_boot() {
	local res=$1 script=$2 extra=$3 log=$4 t0 rc
	shift 4
	rm -rf "$res" && mkdir -p "$res"
	t0=$(date +%s)
	bash "$(dirname "${BASH_SOURCE[0]}")/run.sh" --out "$res" --script "$script" \
		--extra "$extra" "$@" > "$log" 2>&1
	rc=$?
	vt_boot_secs=$(( $(date +%s) - t0 ))
	[ $rc -eq 0 ] || tail -n 30 "$log" | sed 's/^/# | /'
	return $rc
}
