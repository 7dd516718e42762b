#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# cc-compat.sh - run an older compiler on the flags of a kernel built by a
# newer one (used by module/toolchain.mk only when needed).
#
# usage: cc-compat.sh REAL_CC ARGS...
#
# -fmin-function-alignment=N (gcc >= 14) becomes -falign-functions=N.
# Kbuild adds it to KBUILD_CFLAGS itself, so it must go before kbuild's
# own cc-option probes (which would otherwise all fail and drop every
# optional flag); ccflags-remove-y would be too late for those.
real=$1
shift
for a in "$@"; do
	shift
	case "$a" in
	-fmin-function-alignment=*) set -- "$@" "-falign-functions=${a#-fmin-function-alignment=}" ;;
	*) set -- "$@" "$a" ;;
	esac
done
exec "$real" "$@"
