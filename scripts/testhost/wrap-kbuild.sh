#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# wrap-kbuild.sh - make a newer Debian's amd64 kbuild tools run on Debian 12.
#
# usage: wrap-kbuild.sh KROOT LIBC6_DEB
#
# sid's linux-kbuild-7.x binaries (modpost, genksyms, ...) are linked
# against glibc 2.38+, and Debian 12 has 2.36. The C library of the same
# suite (LIBC6_DEB, sid's libc6:amd64) is unpacked into KROOT/kbuild-libc,
# and every tool under KROOT/usr/lib/linux-kbuild-* that needs a newer
# glibc than the system's is renamed to TOOL.bin and replaced by a
# two-line script that runs it through that libc's dynamic loader. The
# tools are Debian's own builds; nothing is installed system-wide.
set -euo pipefail
kroot=$1
deb=$2
die() { echo "wrap-kbuild.sh: $*" >&2; exit 1; }
[ -d "$kroot" ] || die "no directory $kroot"
[ -f "$deb" ] || die "no libc6 package $deb"

libc=$kroot/kbuild-libc
rm -rf "$libc"
mkdir -p "$libc"
dpkg -x "$deb" "$libc"
libc=$(cd "$libc" && pwd)
ld=
for f in "$libc"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
	 "$libc"/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2; do
	[ -e "$f" ] && { ld=$f; break; }
done
[ -n "$ld" ] || die "no ld-linux-x86-64.so.2 in $deb"
libdir=$(dirname "$ld")

sysver=$(ldd --version | awk 'NR == 1 { print $NF }')
n=0
while IFS= read -r -d '' f; do
	case "$f" in *.bin) continue ;; esac
	head -c 4 "$f" | grep -q 'ELF' || continue
	# highest GLIBC_x.y the tool needs
	need=$(objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' |
		sed 's/GLIBC_//' | sort -V | tail -n1)
	[ -n "$need" ] || continue
	[ "$(printf '%s\n%s\n' "$need" "$sysver" | sort -V | tail -n1)" = "$sysver" ] && continue
	mv "$f" "$f.bin"
	printf '#!/bin/sh\nexec "%s" --library-path "%s" "$0.bin" "$@"\n' "$ld" "$libdir" > "$f"
	chmod +x "$f"
	n=$((n + 1))
done < <(find "$kroot"/usr/lib/linux-kbuild-* -type f -perm -u+x -print0)
echo "wrap-kbuild.sh: $n kbuild tools run through the glibc of $(basename "$deb")" >&2
# A wrapped tool must run.
for t in "$kroot"/usr/lib/linux-kbuild-*/scripts/mod/modpost; do
	[ -x "$t" ] || continue
	"$t" -h >/dev/null 2>&1 || [ $? -le 2 ] || die "wrapped $t does not run"
done
