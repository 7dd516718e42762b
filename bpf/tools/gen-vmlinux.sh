#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# gen-vmlinux.sh ARCH OUTDIR - write OUTDIR/vmlinux.h for ARCH from the
# BTF of the target kernel, reproducibly:
#   x86_64: /sys/kernel/btf/vmlinux of this machine (VT_X86_BTF overrides);
#   arm64:  the BTF blob cut out of Debian's Image ($VT_VMLINUZ from
#           build/cache/env.sh) plus the vfio-pci-core.ko module BTF on top
#           of it (VFIO types), or VT_ARM64_BTF (a raw vmlinux BTF, e.g.
#           /sys/kernel/btf/vmlinux dumped in the emulated host).
# The header is only replaced when its content changes.
set -euo pipefail
arch=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case $arch in
x86_64)
	btf=${VT_X86_BTF:-/sys/kernel/btf/vmlinux}
	[ -r "$btf" ] || { echo "gen-vmlinux: no BTF at $btf" >&2; exit 1; }
	bpftool btf dump file "$btf" format c > "$tmp/vmlinux.h"
	;;
arm64)
	if [ -z "${VT_VMLINUZ:-}" ]; then
		# shellcheck disable=SC1090
		source "$top/scripts/testhost/kernel-env.sh" || exit 1
	fi
	if [ -n "${VT_ARM64_BTF:-}" ]; then
		cp "$VT_ARM64_BTF" "$tmp/vmlinux.btf"
	else
		python3 "$here/extract-btf.py" "$VT_VMLINUZ" "$tmp/vmlinux.btf" >&2
	fi
	ko=$(ls "$VT_KROOT"/lib/modules/*/kernel/drivers/vfio/pci/vfio-pci-core.ko* 2>/dev/null | head -n1)
	[ -n "$ko" ] || { echo "gen-vmlinux: vfio-pci-core.ko not found under $VT_KROOT" >&2; exit 1; }
	case $ko in
	*.xz) xz -dc "$ko" > "$tmp/vfio-pci-core.ko" ;;
	*.zst) zstd -qdc "$ko" > "$tmp/vfio-pci-core.ko" ;;
	*) cp "$ko" "$tmp/vfio-pci-core.ko" ;;
	esac
	# Split BTF: the dump holds the base (vmlinux) types plus VFIO's.
	bpftool -B "$tmp/vmlinux.btf" btf dump file "$tmp/vfio-pci-core.ko" \
		format c > "$tmp/vmlinux.h"
	;;
*)
	echo "gen-vmlinux: unknown arch $arch" >&2
	exit 1
	;;
esac
grep -q 'struct kvm_vcpu {' "$tmp/vmlinux.h" || { echo "gen-vmlinux: no KVM types in BTF" >&2; exit 1; }
if ! cmp -s "$tmp/vmlinux.h" "$out/vmlinux.h"; then
	cp "$tmp/vmlinux.h" "$out/vmlinux.h"
fi
