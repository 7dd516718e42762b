# SPDX-License-Identifier: GPL-2.0
#
# kernel-env.sh - source this to get the selected emulated-host kernel.
#
#   VT_KERNEL=6.1|6.12|7.2 (default 6.1) picks the kernel; the cache of
#   each kernel is its own (build/cache/kernel-<abi>, env-<kernel>.sh).
#   When that kernel has not been fetched yet, fetch.sh runs first.
#   Exports what fetch.sh documents (VT_KABI, VT_KROOT, VT_VMLINUZ, ...)
#   and VT_ENV, the path of the sourced file.
#
# Every script and Makefile that needs the kernel goes through here:
#   . "$top/scripts/testhost/kernel-env.sh" || exit
# shellcheck shell=bash

VT_KERNEL=${VT_KERNEL:-6.1}
export VT_KERNEL
case "$VT_KERNEL" in
6.1|6.12|7.2) ;;
*) echo "VT_KERNEL must be 6.1, 6.12 or 7.2, not '$VT_KERNEL'" >&2; return 2 ;;
esac
VT_ENV=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/cache/env-$VT_KERNEL.sh
export VT_ENV
if [ ! -f "$VT_ENV" ]; then
	bash "$(dirname "${BASH_SOURCE[0]}")/fetch.sh" >&2 || return 1
fi
# shellcheck source=/dev/null
. "$VT_ENV"
