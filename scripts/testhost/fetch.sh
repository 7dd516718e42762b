#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch.sh - download and unpack Debian's arm64 kernel, its headers (ready
# for out-of-tree module builds with the amd64 kbuild tools) and an arm64
# sysroot for static userspace links. Nothing is installed system-wide.
#
# The kernel ABI (6.1.0-NN) is resolved at run time from the
# linux-image-arm64 metapackage; it is never hard-coded.
#
# Output: build/cache/env.sh, to be sourced, which exports
#   VT_KABI      e.g. 6.1.0-56-arm64
#   VT_KROOT     unpacked linux-image (boot/vmlinuz-*, lib/modules/*)
#   VT_VMLINUZ   path of the kernel image
#   VT_KHEADERS  headers dir for `make -C $VT_KHEADERS M=... ARCH=arm64`
#   VT_KHEADERS_X86  Debian's x86_64 headers of the same release (compile check)
#   VT_SYSROOT   arm64 sysroot (usr/lib/aarch64-linux-gnu/*.a, usr/include)
#   VT_DEBS      directory of the downloaded .deb files
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=${VT_CACHE:-$PWD/build/cache}
mkdir -p "$cache/debs"

die() { echo "fetch.sh: $*" >&2; exit 1; }

dpkg --print-foreign-architectures | grep -qx arm64 ||
	die "arm64 is not a dpkg architecture: run scripts/deps.sh first"

# linux-image-arm64 -> linux-image-6.1.0-NN-arm64 (-unsigned on some setups)
img=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }')
[ -n "$img" ] || die "cannot resolve linux-image-arm64:arm64 (apt-get update?)"
abi=${img#linux-image-}
abi=${abi%-unsigned}
kver=$(echo "$abi" | sed -E 's/^([0-9]+\.[0-9]+)\..*/\1/')
common=${abi%-arm64}-common

pkgs_arm64=("$img" "linux-headers-$abi"
	libbpf-dev libbpf1 libelf-dev libelf1 zlib1g-dev zlib1g
	libzstd-dev libzstd1 busybox-static)
pkgs_all=("linux-headers-$common")
pkgs_amd64=("linux-kbuild-$kver" "linux-headers-${abi%-arm64}-amd64")

fetch() {
	# fetch ARCHSUFFIX PKG...: download once into $cache/debs
	local suffix=$1; shift
	local p
	for p in "$@"; do
		if ! ls "$cache/debs/${p}_"*.deb >/dev/null 2>&1; then
			(cd "$cache/debs" && apt-get download -q "$p$suffix") ||
				die "apt-get download $p$suffix failed"
		fi
	done
}
fetch :arm64 "${pkgs_arm64[@]}"
fetch "" "${pkgs_all[@]}"
fetch :amd64 "${pkgs_amd64[@]}"

kroot=$cache/kernel-$abi
if [ ! -e "$kroot/.done" ]; then
	rm -rf "$kroot"
	mkdir -p "$kroot"
	for p in "$img" "linux-headers-$abi" "linux-headers-$common" "linux-kbuild-$kver"; do
		dpkg -x "$cache/debs/${p}_"*.deb "$kroot"
	done
	# The arm64 headers include the common ones by absolute path.
	sed -i "s|/usr/src/linux-headers-$common|$kroot/usr/src/linux-headers-$common|" \
		"$kroot/usr/src/linux-headers-$abi/Makefile"
	touch "$kroot/.done"
fi

# x86_64 headers for the module's compile check (arm64-only parts compiled out)
kroot86=$cache/kernel-${abi%-arm64}-amd64
if [ ! -e "$kroot86/.done" ]; then
	rm -rf "$kroot86"
	mkdir -p "$kroot86"
	for p in "linux-headers-${abi%-arm64}-amd64" "linux-headers-$common" "linux-kbuild-$kver"; do
		dpkg -x "$cache/debs/${p}_"*.deb "$kroot86"
	done
	sed -i "s|/usr/src/linux-headers-$common|$kroot86/usr/src/linux-headers-$common|" \
		"$kroot86/usr/src/linux-headers-${abi%-arm64}-amd64/Makefile"
	touch "$kroot86/.done"
fi

sysroot=$cache/sysroot-arm64
if [ ! -e "$sysroot/.done" ]; then
	rm -rf "$sysroot"
	mkdir -p "$sysroot"
	for p in libbpf-dev libbpf1 libelf-dev libelf1 zlib1g-dev zlib1g \
		 libzstd-dev libzstd1 busybox-static; do
		dpkg -x "$cache/debs/${p}_"*.deb "$sysroot"
	done
	touch "$sysroot/.done"
fi

vmlinuz=$(ls "$kroot"/boot/vmlinuz-* | head -n 1)
[ -f "$vmlinuz" ] || die "no vmlinuz in $img"
cat > "$cache/env.sh" <<ENV
export VT_KABI=$abi
export VT_KROOT=$kroot
export VT_VMLINUZ=$vmlinuz
export VT_KHEADERS=$kroot/usr/src/linux-headers-$abi
export VT_KHEADERS_X86=$kroot86/usr/src/linux-headers-${abi%-arm64}-amd64
export VT_SYSROOT=$sysroot
export VT_DEBS=$cache/debs
ENV
echo "fetch.sh: kernel $abi ready; source $cache/env.sh"
