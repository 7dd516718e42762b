#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - install everything vgic-trace needs to build and test on a
# fresh Debian 12 (bookworm) x86_64 machine. Idempotent; run as root.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: must run as root (apt-get)" >&2
	exit 2
fi

stamp=/var/lib/vgic-trace-deps.$(sha1sum "$0" | cut -c1-12)
if [ -e "$stamp" ] && [ "${VT_DEPS_FORCE:-0}" != 1 ]; then
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
fi
apt-get update -qq

# Host tools: compilers, the emulator, BPF toolchain, test framework.
apt-get install -y -qq --no-install-recommends \
	build-essential pkg-config cpio xz-utils zstd kmod bc flex bison \
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
	qemu-system-arm qemu-utils ipxe-qemu \
	clang llvm lld bpftool libbpf-dev libelf-dev zlib1g-dev \
	libcmocka-dev python3 linux-libc-dev \
	libtracecmd-dev libtraceevent-dev libtracefs-dev trace-cmd dkms prometheus \
	dwarves >/dev/null
apt-get install -y -qq --no-install-recommends trace-cmd libzstd-dev >/dev/null	# make bench, trace format v2
apt-get install -y -qq --no-install-recommends libisal-dev >/dev/null	# trace file CRC32: ISA-L's PCLMULQDQ crc32_gzip_refl (zlib's is the fallback)
apt-get install -y -qq --no-install-recommends libclang-rt-14-dev >/dev/null	# libFuzzer runtime: make -C userspace fuzz
apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null	# report --html stage: headless Chromium + WebDriver
apt-get install -y -qq --no-install-recommends libsystemd-dev python3-prometheus-client curl >/dev/null	# vgic-traced sd_notify; metrics tests: OpenMetrics parser, curl scrape

# The three emulated-host kernels (VT_KERNEL=6.1|6.12|7.2): fetch.sh needs
# apt's Debian keyring for its private sid configuration (7.2), xz for the
# .ko.xz modules of 6.12/7.2, kmod (modinfo, depmod) for the initramfs,
# binutils' objdump to find the sid kbuild tools that need sid's glibc,
# flock/timeout (util-linux, coreutils) for run.sh.
apt-get install -y -qq --no-install-recommends \
	debian-archive-keyring apt ca-certificates xz-utils kmod binutils \
	util-linux coreutils >/dev/null

# arm64 packages are not installed, only fetched and unpacked into our own
# sysroot/cache by scripts/testhost/fetch.sh (apt-get download), and so are
# sid's kernel, headers, kbuild and libc6 for 7.2 (build/cache/apt).
touch "$stamp"
