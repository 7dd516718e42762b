#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - boot the emulated arm64 KVM host (Debian's arm64 kernel under
# qemu-system-aarch64 TCG with EL2), run one script inside, power off and
# bring the results out.
#
# usage: run.sh --out DIR --script FILE [--gic 3|2] [--kvm-mode vhe|nvhe|protected]
#               [--smp N] [--mem MB] [--timeout S] [--edu] [--extra DIR]
#               [--append "CMDLINE"] [--verbose]
#
# Inside the host:
#   /vt/bin      every file of build/arm64/ (on PATH), plus vt-* helpers
#   /vt/modules  the module built for this kernel (build/module-$VT_KERNEL/,
#                or $VT_MODULE), when it has been built
#   /vt/extra    a copy of --extra DIR
#   /vt/out      writable; its files land in DIR after power-off
#   /lib/modules the image's vfio (and 9p) modules, `modprobe` works
#   vt-edu-bind [nointxmask]  binds QEMU's edu device to vfio-pci and
#                prints its BDF (needs --edu)
# FILE runs with `sh` in /vt/out; its exit status is stored in
# DIR/script.rc and printed as "VT_SCRIPT_RC=N" on the serial console.
#
# Results: DIR/serial.log (whole console), DIR/* (the files of /vt/out,
# shared over virtio-9p; if 9p cannot be mounted, a base64 tar stream on the
# console is used instead).
#
# Exit status: the script's exit status when the host ran it to the end,
# 124 on timeout, 125 on a panic or when the host stopped without finishing
# the script, 2 on bad usage. On failure the tail of the serial log is
# printed to stderr. The boot holds `flock /tmp/vt-qemu.lock` so that one
# emulated host runs at a time; waiting for the lock is not counted in
# --timeout.
set -euo pipefail

# The whole script is one compound command, parsed before it runs: editing
# this file cannot disturb runs already started.
{
top=$(cd "$(dirname "$0")/../.." && pwd)
prog=run.sh

usage() {
	sed -n '8,10p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
die() { echo "$prog: $*" >&2; exit 2; }

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

out= script= gic=3 kvm_mode=vhe smp=2 mem=2048 tmo=300 edu=0 extra= append= verbose=0
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=${2:?}; shift 2 ;;
	--script) script=${2:?}; shift 2 ;;
	--gic) gic=${2:?}; shift 2 ;;
	--kvm-mode) kvm_mode=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--timeout) tmo=${2:?}; shift 2 ;;
	--edu) edu=1; shift ;;
	--extra) extra=${2:?}; shift 2 ;;
	--append) append=${2:?}; shift 2 ;;
	--verbose|-v) verbose=1; shift ;;
	-h|--help) usage ;;
	*) echo "$prog: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -n "$out" ] || die "--out DIR is required"
[ -n "$script" ] || die "--script FILE is required"
[ -f "$script" ] || die "script '$script' not found"
case "$gic" in 2|3) ;; *) die "--gic must be 2 or 3, not '$gic'" ;; esac
case "$kvm_mode" in vhe|nvhe|protected) ;; *) die "--kvm-mode must be vhe, nvhe or protected" ;; esac
is_uint "$smp" && [ "$smp" -ge 1 ] && [ "$smp" -le 8 ] || die "--smp must be 1..8"
is_uint "$mem" && [ "$mem" -ge 256 ] || die "--mem must be a number of MB >= 256"
is_uint "$tmo" && [ "$tmo" -ge 1 ] || die "--timeout must be a positive number of seconds"
[ -z "$extra" ] || [ -d "$extra" ] || die "--extra '$extra' is not a directory"

# Kernel and busybox come from fetch.sh's cache of the selected kernel
# (VT_KERNEL=6.1|6.12|7.2, default 6.1).
# shellcheck source=/dev/null
. "$top/scripts/testhost/kernel-env.sh" || die "kernel $VT_KERNEL not available (fetch.sh)"
[ -f "$VT_VMLINUZ" ] || die "kernel $VT_VMLINUZ missing: run scripts/testhost/fetch.sh"
busybox=$VT_SYSROOT/bin/busybox
[ -x "$busybox" ] || die "busybox missing in $VT_SYSROOT: run scripts/testhost/fetch.sh"
command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 not installed (scripts/deps.sh)"

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/serial.log" "$out/script.rc"
mkdir -p "$top/build/testhost"
stage=$(mktemp -d "$top/build/testhost/stage.XXXXXX")
cleanup() { rm -rf "$stage"; }
trap cleanup EXIT

# ---- initramfs -----------------------------------------------------------
root=$stage/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,mnt,etc}
mkdir -p "$root"/vt/{bin,modules,extra,out}
cp "$busybox" "$root/bin/busybox"
if [ -d "$top/build/arm64" ]; then
	find "$top/build/arm64" -maxdepth 1 -type f -exec cp {} "$root/vt/bin/" \;
fi
vtko=${VT_MODULE:-$top/build/module-$VT_KERNEL/module/vgic_trace.ko}
[ -f "$vtko" ] && cp "$vtko" "$root/vt/modules/vgic_trace.ko"
[ -n "$extra" ] && cp -a "$extra/." "$root/vt/extra/"
cp "$script" "$root/vt/script"

# Modules from the image: vfio for passthrough, 9p/virtio-mmio for /vt/out.
kmods=$VT_KROOT/lib/modules/$VT_KABI
mdst=$root/lib/modules/$VT_KABI
mkdir -p "$mdst"
declare -A seen=()
add_mod() {
	# add_mod NAME: copy NAME.ko and its dependencies (modinfo depends)
	local name=$1 f dep
	[ -n "${seen[$name]:-}" ] && return 0
	seen[$name]=1
	# .ko on 6.1, .ko.xz on 6.12 and 7.2; built-in (7.2: vfio_virqfd is
	# part of vfio since 6.2) when modules.builtin names it
	f=$(find "$kmods/kernel/" \( -name "$name.ko" -o -name "${name//_/-}.ko" \
		-o -name "${name//-/_}.ko" -o -name "$name.ko.xz" -o -name "${name//_/-}.ko.xz" \
		-o -name "${name//-/_}.ko.xz" \) | head -n 1)
	if [ -z "$f" ]; then
		grep -qE "/(${name}|${name//_/-}|${name//-/_})\.ko$" "$kmods/modules.builtin" 2>/dev/null && return 0
		case $name in vfio_virqfd) return 0 ;; esac # merged into vfio.ko (6.2+)
		die "module $name not found in $kmods"
	fi
	mkdir -p "$mdst/$(dirname "${f#"$kmods"/}")"
	case $f in
	*.xz) xz -dc "$f" > "$mdst/$(dirname "${f#"$kmods"/}")/$(basename "$f" .xz)" ;;
	*) cp "$f" "$mdst/${f#"$kmods"/}" ;;
	esac
	for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
		add_mod "$dep"
	done
	return 0
}
for m in vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci \
	 virtio_mmio 9pnet 9pnet_virtio 9p; do
	add_mod "$m"
done
cp "$kmods/modules.builtin" "$kmods/modules.order" "$mdst/" 2>/dev/null || true
[ -f "$kmods/modules.builtin.modinfo" ] && cp "$kmods/modules.builtin.modinfo" "$mdst/"
depmod -b "$root" "$VT_KABI" || die "depmod failed"

cat > "$root/vt/bin/vt-edu-bind" <<'EOF'
#!/bin/sh
# vt-edu-bind [nointxmask]: load vfio-pci (with nointxmask=1 when asked),
# bind QEMU's edu device (1234:11e8) to it and print the device's BDF.
want=0
[ "$1" = nointxmask ] && want=1
bdf=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor)" = 0x1234 ] && [ "$(cat $d/device)" = 0x11e8 ] && bdf=${d##*/}
done
[ -n "$bdf" ] || { echo "vt-edu-bind: no edu device (run.sh --edu)" >&2; exit 1; }
dev=/sys/bus/pci/devices/$bdf
if [ -e $dev/driver ]; then
	echo $bdf > $dev/driver/unbind || exit 1
fi
if [ -d /sys/module/vfio_pci ]; then
	cur=$(cat /sys/module/vfio_pci/parameters/nointxmask)
	case $cur in Y|1) cur=1 ;; *) cur=0 ;; esac
	[ $cur = $want ] || rmmod vfio-pci || exit 1
fi
# vfio_iommu_type1 refuses hosts without MSI isolation (no GICv3 ITS, as on
# the GICv2 host) unless unsafe interrupts are allowed; edu uses INTx only.
unsafe=
dmesg | grep -q 'ITS@' || unsafe=allow_unsafe_interrupts=1
modprobe vfio_iommu_type1 $unsafe || exit 1
modprobe vfio-pci nointxmask=$want || exit 1
echo vfio-pci > $dev/driver_override
echo $bdf > /sys/bus/pci/drivers_probe
[ -e /sys/bus/pci/drivers/vfio-pci/$bdf ] || { echo "vt-edu-bind: bind failed" >&2; exit 1; }
echo $bdf
EOF
chmod +x "$root/vt/bin/vt-edu-bind"

cat > "$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/vt/bin:/sbin:/usr/sbin:/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
ulimit -l unlimited
echo "VT_INIT_UP uptime=$(cut -d' ' -f1 /proc/uptime)"
mode=9p
modprobe virtio_mmio && modprobe 9pnet_virtio && modprobe 9p || mode=tar
if [ $mode = 9p ]; then
	mode=tar
	for i in 1 2 3 4 5 6 7 8 9 10; do
		if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 vtout /vt/out 2>/dev/null; then
			mode=9p
			break
		fi
		sleep 0.2
	done
fi
[ $mode = tar ] && mount -t tmpfs tmpfs /vt/out
echo "VT_OUT_MODE=$mode"
cd /vt/out
sh /vt/script
rc=$?
cd /
echo $rc > /vt/out/script.rc
if [ $mode = tar ]; then
	echo 1 > /proc/sys/kernel/printk
	echo VT_TAR_BEGIN
	tar -c -C /vt/out . | base64
	echo VT_TAR_END
else
	umount /vt/out 2>/dev/null || { sync; umount -l /vt/out; }
fi
echo "VT_SCRIPT_RC=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
sync
poweroff -f
EOF
chmod +x "$root/init"

initrd=$stage/initramfs.cpio.gz
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd"

# ---- boot ----------------------------------------------------------------
machine="virt,virtualization=on,gic-version=$gic"
devs=()
if [ $edu = 1 ]; then
	machine+=",iommu=smmuv3"
	devs+=(-device edu)
fi
cmdline="console=ttyAMA0 panic=-1 loglevel=4 rdinit=/init"
[ "$kvm_mode" != vhe ] && cmdline+=" kvm-arm.mode=$kvm_mode"
[ -n "$append" ] && cmdline+=" $append"

qemu=(qemu-system-aarch64 -M "$machine" -cpu max -smp "$smp" -m "$mem"
	-accel tcg,thread=multi -nographic -no-reboot -nic none
	-kernel "$VT_VMLINUZ" -initrd "$initrd" -append "$cmdline"
	-fsdev "local,id=vtout,path=$out,security_model=none"
	-device virtio-9p-device,fsdev=vtout,mount_tag=vtout
	"${devs[@]}")

exec 9>/tmp/vt-qemu.lock
tl=$(date +%s)
if ! flock -n 9; then
	echo "$prog: waiting for /tmp/vt-qemu.lock (another emulated host runs)" >&2
	flock 9
fi
t0=$(date +%s.%N)
set +e
if [ $verbose = 1 ]; then
	timeout --kill-after=5 "$tmo" "${qemu[@]}" < /dev/null 2>&1 | tee "$out/serial.log"
	qrc=${PIPESTATUS[0]}
else
	timeout --kill-after=5 "$tmo" "${qemu[@]}" < /dev/null > "$out/serial.log" 2>&1
	qrc=$?
fi
set -e
t1=$(date +%s.%N)
flock -u 9
exec 9>&-
wall=$(echo "$t1 - $t0" | bc)

log=$out/serial.log
fail() {
	echo "$prog: $1 (wall ${wall}s); last 40 lines of $log:" >&2
	tail -n 40 "$log" | sed 's/^/  | /' >&2
	exit "$2"
}
[ $qrc = 124 ] || [ $qrc = 137 ] && fail "timed out after ${tmo}s" 124
grep -q 'Kernel panic' "$log" && fail "kernel panic" 125
if grep -q '^VT_TAR_BEGIN' "$log"; then
	sed -n '/^VT_TAR_BEGIN/,/^VT_TAR_END/p' "$log" | sed '1d;$d' | tr -d '\r' |
		base64 -d | tar -x -C "$out" || fail "cannot unpack the tar stream" 125
fi
rcline=$(tr -d '\r' < "$log" | grep -a '^VT_SCRIPT_RC=' | tail -n 1 || true)
[ -n "$rcline" ] || fail "host stopped before the script finished (qemu rc $qrc)" 125
rc=${rcline#VT_SCRIPT_RC=}
rc=${rc%% *}
echo "$prog: boot+script+poweroff ${wall}s wall (lock wait $((${t0%.*} - tl))s), script rc $rc, $(grep -a -o 'VT_INIT_UP uptime=[0-9.]*' "$log" | head -n 1)" >&2
[ "$rc" = 0 ] || fail "script exited with $rc" "$rc"
exit 0
}
