#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch.sh - download and unpack one of Debian's arm64 kernels, its headers
# (ready for out-of-tree module builds with the amd64 kbuild tools) and an
# arm64 sysroot for static userspace links. Nothing is installed
# system-wide and the system's apt sources are never changed.
#
# usage: VT_KERNEL=6.1|6.12|7.2 fetch.sh        (default 6.1)
#
# The kernels and where they come from (versions resolved at run time,
# never hard-coded):
#   6.1   bookworm: whatever linux-image-arm64:arm64 depends on
#   6.12  bookworm-security: the newest linux-image-6.12.*+deb12-arm64 for
#         which the arm64 headers, common headers, amd64 kbuild and amd64
#         headers exist too
#   7.2   sid, through a private apt configuration under build/cache/apt
#         (-o Dir::Etc::SourceList=... -o Dir::State::Lists=...): the
#         newest linux-modules-7.2.*+deb14-arm64 (the image package is
#         empty; vmlinuz is under usr/lib/modules/ABI/) with its headers
#         and kbuild. Its amd64 kbuild tools need glibc 2.38: sid's libc6
#         is unpacked beside them and each ELF tool is run through sid's
#         dynamic loader (scripts/testhost/wrap-kbuild.sh).
#
# Output: build/cache/env-$VT_KERNEL.sh, to be sourced, which exports
#   VT_KERNEL    6.1, 6.12 or 7.2
#   VT_KABI      e.g. 6.1.0-56-arm64, 6.12.117+deb12-arm64
#   VT_KROOT     unpacked kernel (boot/vmlinuz-*, lib/modules/$VT_KABI)
#   VT_VMLINUZ   path of the kernel image
#   VT_KCONFIG   the kernel's config file
#   VT_KHEADERS  headers dir for `make -C $VT_KHEADERS M=... ARCH=arm64`
#   VT_KHEADERS_X86  Debian's x86_64 headers of the same release (compile check)
#   VT_SYSROOT   arm64 sysroot (usr/lib/aarch64-linux-gnu/*.a, usr/include);
#                the same bookworm sysroot for every kernel
#   VT_DEBS      directory of the downloaded .deb files
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
cache=${VT_CACHE:-$top/build/cache}
kernel=${VT_KERNEL:-6.1}
mkdir -p "$cache/debs"

die() { echo "fetch.sh: $*" >&2; exit 1; }

case "$kernel" in
6.1|6.12|7.2) ;;
*) die "VT_KERNEL must be 6.1, 6.12 or 7.2, not '$kernel'" ;;
esac

dpkg --print-foreign-architectures | grep -qx arm64 ||
	die "arm64 is not a dpkg architecture: run scripts/deps.sh first"

# apt options for the private sid configuration (7.2 only).
sid_apt=()
sid_setup() {
	local a=$cache/apt
	mkdir -p "$a/lists/partial" "$a/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" \
		> "$a/sources.list"
	sid_apt=(-o "Dir::Etc::SourceList=$a/sources.list"
		 -o "Dir::Etc::SourceParts=$a/sources.list.d"
		 -o "Dir::State::Lists=$a/lists"
		 -o "Dir::Cache=$a"
		 -o "APT::Architectures::=amd64" -o "APT::Architectures::=arm64")
	mkdir -p "$a/sources.list.d"
	# Refresh the private lists once a day at most.
	if [ -z "$(find "$a/lists" -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null)" ]; then
		apt-get "${sid_apt[@]}" update -qq >&2 || die "apt-get update of the private sid configuration failed"
	fi
}

# has_pkg APTARGS... -- PKG: true when apt knows a candidate for PKG
has_pkg() {
	local args=() p
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	p=$2
	apt-cache "${args[@]}" show "$p" >/dev/null 2>&1
}

# newest VERSIONs (descending) among package names matching an ERE
versions() {
	# versions APT_ARGS... -- ERE
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	apt-cache "${args[@]}" pkgnames 2>/dev/null | grep -E "$2" |
		sed -E 's/^linux-[a-z]+-([0-9][^-]*)-.*/\1/' | sort -Vru
}

apt=() # apt options for the kernel packages (empty: the system's)
img_extra=() # more packages unpacked with the image (7.2: vmlinuz, config)
case "$kernel" in
6.1)
	img=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { sub(/:arm64$/, "", $2); print $2; exit }')
	[ -n "$img" ] || die "cannot resolve linux-image-arm64:arm64 (apt-get update?)"
	abi=${img#linux-image-}
	abi=${abi%-unsigned}
	base=${abi%-arm64}
	kbuild=linux-kbuild-6.1
	;;
6.12)
	img=
	for v in $(versions -- '^linux-image-6\.12\.[0-9]+\+deb12-arm64-unsigned$'); do
		ok=1
		for p in "linux-image-$v-arm64-unsigned:arm64" "linux-headers-$v-arm64:arm64" \
			 "linux-headers-$v-common" "linux-kbuild-$v:amd64" \
			 "linux-headers-$v-amd64:amd64"; do
			has_pkg -- "$p" || { ok=0; break; }
		done
		if [ $ok = 1 ]; then img=linux-image-$v-arm64-unsigned; break; fi
	done
	[ -n "$img" ] || die "no linux-image-6.12.*+deb12-arm64 with headers and kbuild in bookworm-security (apt-get update?)"
	base=$v
	abi=$v-arm64
	kbuild=linux-kbuild-$v
	;;
7.2)
	sid_setup
	apt=("${sid_apt[@]}")
	img=
	for v in $(versions "${apt[@]}" -- '^linux-modules-7\.2\.[0-9]+\+deb[0-9]+-arm64$'); do
		ok=1
		for p in "linux-modules-$v-arm64:arm64" "linux-headers-$v-arm64:arm64" \
			 "linux-headers-$v-common" "linux-kbuild-$v:amd64" \
			 "linux-headers-$v-amd64:amd64"; do
			has_pkg "${apt[@]}" -- "$p" || { ok=0; break; }
		done
		if [ $ok = 1 ]; then img=linux-modules-$v-arm64; break; fi
	done
	[ -n "$img" ] || die "no linux-modules-7.2.*-arm64 with headers and kbuild in sid"
	# linux-image-* is a metapackage: vmlinuz is in linux-binary-*,
	# config and System.map in linux-base-*.
	img_extra=("linux-binary-$v-arm64" "linux-base-$v-arm64")
	base=$v
	abi=$v-arm64
	kbuild=linux-kbuild-$v
	;;
esac
common=$base-common

fetch() {
	# fetch ARCHSUFFIX PKG...: download once into $cache/debs
	local suffix=$1; shift
	local p
	for p in "$@"; do
		if ! ls "$cache/debs/${p}_"*.deb >/dev/null 2>&1; then
			(cd "$cache/debs" && apt-get "${apt[@]}" download -q "$p$suffix" >&2) ||
				die "apt-get download $p$suffix failed"
		fi
	done
}
fetch :arm64 "$img" "linux-headers-$abi" "${img_extra[@]}"
fetch "" "linux-headers-$common"
fetch :amd64 "$kbuild" "linux-headers-$base-amd64"
if [ "$kernel" = 7.2 ]; then
	# sid's C library, only to run sid's kbuild tools (see wrap-kbuild.sh)
	if ! ls "$cache/debs/libc6_"*"_amd64.deb" >/dev/null 2>&1 ||
	   ! dpkg-deb -f "$(ls "$cache/debs/libc6_"*_amd64.deb | head -n1)" Version | grep -qv '^2\.36'; then
		(cd "$cache/debs" && rm -f libc6_2.36*_amd64.deb &&
		 apt-get "${apt[@]}" download -q libc6:amd64 >&2) || die "apt-get download libc6:amd64 (sid) failed"
	fi
fi
# The sysroot (bookworm's libraries, the same for every kernel).
apt=()
sysroot_pkgs=(libbpf-dev libbpf1 libelf-dev libelf1 zlib1g-dev zlib1g
	libzstd-dev libzstd1 busybox-static)
fetch :arm64 "${sysroot_pkgs[@]}"

kroot=$cache/kernel-$abi
if [ ! -e "$kroot/.done" ]; then
	rm -rf "$kroot"
	mkdir -p "$kroot"
	for p in "$img" "${img_extra[@]}" "linux-headers-$abi" "linux-headers-$common" "$kbuild"; do
		dpkg -x "$(ls "$cache/debs/${p}_"*.deb | head -n1)" "$kroot"
	done
	# 7.2 ships vmlinuz, config and modules under usr/lib/modules/ABI/
	if [ ! -d "$kroot/lib/modules/$abi" ] && [ -d "$kroot/usr/lib/modules/$abi" ]; then
		mkdir -p "$kroot/lib/modules" "$kroot/boot"
		ln -s "../../usr/lib/modules/$abi" "$kroot/lib/modules/$abi"
	fi
	if ! ls "$kroot"/boot/vmlinuz-* >/dev/null 2>&1; then
		for f in "$kroot/usr/lib/modules/$abi/vmlinuz" "$kroot/lib/modules/$abi/vmlinuz"; do
			[ -f "$f" ] && { ln -s "../${f#"$kroot/"}" "$kroot/boot/vmlinuz-$abi"; break; }
		done
	fi
	if ! ls "$kroot"/boot/config-* >/dev/null 2>&1; then
		for f in "$kroot/usr/lib/modules/$abi/config" "$kroot/lib/modules/$abi/config"; do
			[ -f "$f" ] && { ln -s "../${f#"$kroot/"}" "$kroot/boot/config-$abi"; break; }
		done
	fi
	# The arm64 headers include the common ones by absolute path.
	sed -i "s|/usr/src/linux-headers-$common|$kroot/usr/src/linux-headers-$common|" \
		"$kroot/usr/src/linux-headers-$abi/Makefile"
	if [ "$kernel" = 7.2 ]; then
		bash scripts/testhost/wrap-kbuild.sh "$kroot" \
			"$(ls "$cache/debs/libc6_"*_amd64.deb | head -n1)"
	fi
	touch "$kroot/.done"
fi

# x86_64 headers for the module's compile check (arm64-only parts compiled out)
kroot86=$cache/kernel-$base-amd64
if [ ! -e "$kroot86/.done" ]; then
	rm -rf "$kroot86"
	mkdir -p "$kroot86"
	for p in "linux-headers-$base-amd64" "linux-headers-$common" "$kbuild"; do
		dpkg -x "$(ls "$cache/debs/${p}_"*.deb | head -n1)" "$kroot86"
	done
	sed -i "s|/usr/src/linux-headers-$common|$kroot86/usr/src/linux-headers-$common|" \
		"$kroot86/usr/src/linux-headers-$base-amd64/Makefile"
	if [ "$kernel" = 7.2 ]; then
		bash scripts/testhost/wrap-kbuild.sh "$kroot86" \
			"$(ls "$cache/debs/libc6_"*_amd64.deb | head -n1)"
	fi
	touch "$kroot86/.done"
fi

sysroot=$cache/sysroot-arm64
if [ ! -e "$sysroot/.done" ]; then
	rm -rf "$sysroot"
	mkdir -p "$sysroot"
	for p in "${sysroot_pkgs[@]}"; do
		dpkg -x "$(ls "$cache/debs/${p}_"*.deb | head -n1)" "$sysroot"
	done
	touch "$sysroot/.done"
fi

vmlinuz=$(ls "$kroot"/boot/vmlinuz-* | head -n 1)
[ -f "$vmlinuz" ] || die "no vmlinuz in $img"
kconfig=$(ls "$kroot"/boot/config-* 2>/dev/null | head -n 1)
[ -f "$kconfig" ] || kconfig=$kroot/usr/src/linux-headers-$abi/.config
cat > "$cache/env-$kernel.sh.tmp" <<ENV
export VT_KERNEL=$kernel
export VT_KABI=$abi
export VT_KROOT=$kroot
export VT_VMLINUZ=$vmlinuz
export VT_KCONFIG=$kconfig
export VT_KHEADERS=$kroot/usr/src/linux-headers-$abi
export VT_KHEADERS_X86=$kroot86/usr/src/linux-headers-$base-amd64
export VT_SYSROOT=$sysroot
export VT_DEBS=$cache/debs
ENV
mv "$cache/env-$kernel.sh.tmp" "$cache/env-$kernel.sh"
echo "fetch.sh: kernel $abi ready; source $cache/env-$kernel.sh" >&2
