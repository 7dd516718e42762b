#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# gen-vmlinux.sh ARCH OUTDIR [KERNEL] - write OUTDIR/vmlinux.h for ARCH from
# the BTF of the target kernel, reproducibly (same inputs, same bytes):
#   x86_64: /sys/kernel/btf/vmlinux of this machine (VT_X86_BTF overrides);
#   arm64:  Debian's arm64 kernel KERNEL (6.1|6.12|7.2, default $VT_KERNEL
#           or 6.1) from build/cache (scripts/testhost/kernel-env.sh): the
#           BTF blob cut out of its Image (tools/extract-btf.py; on 6.12 and
#           7.2 byte-identical to the .BTF section of the BTF-only vmlinux
#           in linux-headers, which is used when present) plus the
#           vfio-pci-core.ko(.xz) module BTF split on top (VFIO types);
#           or VT_ARM64_BTF (a raw vmlinux BTF, e.g. a dump of
#           /sys/kernel/btf/vmlinux of the emulated host).
# The header is only replaced when its content changes. Headers of
# pahole >= 1.30 kernels (7.2) name tagged anonymous members
# (`struct ns_tree;`): compile with -fms-extensions (bpf/Makefile).
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
	VT_KERNEL=${3:-${VT_KERNEL:-6.1}}
	# the selected kernel's own cache, whatever an outer script sourced
	unset VT_VMLINUZ VT_KROOT VT_KHEADERS VT_KABI
	# shellcheck disable=SC1090
	source "$top/scripts/testhost/kernel-env.sh" || exit 1
	hdr_vmlinux=$VT_KHEADERS/vmlinux
	if [ -n "${VT_ARM64_BTF:-}" ]; then
		cp "$VT_ARM64_BTF" "$tmp/vmlinux.btf"
	elif [ -f "$hdr_vmlinux" ] &&
	     python3 "$here/extract-btf.py" --elf "$hdr_vmlinux" "$tmp/vmlinux.btf" >&2; then
		:
	else
		python3 "$here/extract-btf.py" "$VT_VMLINUZ" "$tmp/vmlinux.btf" >&2
	fi
	ko=$(ls "$VT_KROOT"/lib/modules/*/kernel/drivers/vfio/pci/vfio-pci-core.ko* \
		"$VT_KROOT"/usr/lib/modules/*/kernel/drivers/vfio/pci/vfio-pci-core.ko* \
		2>/dev/null | head -n1 || true)
	[ -n "$ko" ] || { echo "gen-vmlinux: vfio-pci-core.ko not found under $VT_KROOT" >&2; exit 1; }
	case $ko in
	*.xz) xz -dc "$ko" > "$tmp/vfio-pci-core.ko" ;;
	*.zst) zstd -qdc "$ko" > "$tmp/vfio-pci-core.ko" ;;
	*) cp "$ko" "$tmp/vfio-pci-core.ko" ;;
	esac
	# Split BTF: the dump holds the base (vmlinux) types plus VFIO's.
	bpftool -B "$tmp/vmlinux.btf" btf dump file "$tmp/vfio-pci-core.ko" \
		format c > "$tmp/vmlinux.h"
	echo "gen-vmlinux: arm64 $VT_KABI ($(wc -l < "$tmp/vmlinux.h") lines)" >&2
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
