#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-table.sh OBJ - every row of include/vt_hooks.def has programs
# (fe_/fx_/kp_/kr_<handler>) in the BPF object OBJ, except the handlers
# listed as module-only, and every program of OBJ serves a row or a
# tracepoint fallback (tp_*). The loader finds programs by these names:
# a mismatch would silently leave a hook MISSING.
set -euo pipefail
obj=$1
here=$(cd "$(dirname "$0")/.." && pwd)
module_only="sync"	# kvm_vgic_sync_hwstate: the module reads ICH_HCR_EL2 there
handlers=$(printf '#define VT_HOOK_DEF(n, i, s, g, w, f, u, a, ar, h, fb, p) h\n#include "vt_hooks.def"\n' |
	cpp -P -I "$here/../include" - | tr -s ' \n' '\n\n' | sed '/^$/d' | sort -u)
progs=$(llvm-objdump -t "$obj" | awk '$2 == "g" && $3 == "F" { print $NF }' | sort -u)
bad=0
for h in $handlers; do
	grep -qxw "$h" <<< "$module_only" && continue
	grep -qE "^(fe|fx|kp|kr)_$h\$" <<< "$progs" ||
		{ echo "check-table: row handler '$h' has no BPF program (fe_/fx_/kp_/kr_$h)" >&2; bad=1; }
done
for p in $progs; do
	case $p in tp_* | st_*) continue ;; esac	# st_*: hooks_selftest.bpf.h
	grep -qx "${p#??_}" <<< "$handlers" ||
		{ echo "check-table: BPF program $p serves no row of vt_hooks.def" >&2; bad=1; }
done
[ $bad = 0 ] && echo "check-table: $(wc -l <<< "$handlers") handlers in vt_hooks.def, $(wc -l <<< "$progs") programs, all matched"
exit $bad
