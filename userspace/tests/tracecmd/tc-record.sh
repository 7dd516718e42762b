#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tc-record.sh - `trace-cmd record ARGS...` for fixtures: run it as
# `unshare -m tc-record.sh ARGS...` (root). In that private mount
# namespace:
#  - the function-tracer controls a container may refuse (EPERM on
#    /proc/sys/kernel/ftrace_enabled, set_ftrace_*) are dummy files, so
#    trace-cmd records events (all a fixture needs) anyway;
#  - /proc/kallsyms reads empty, so the .dat holds no 5 MB symbol table
#    (no fixture needs kernel symbols).
set -e
d=$(mktemp -d)
echo 1 > "$d/ftrace_enabled"
mount --bind "$d/ftrace_enabled" /proc/sys/kernel/ftrace_enabled
: > "$d/kallsyms"
mount --bind "$d/kallsyms" /proc/kallsyms
t=/sys/kernel/tracing
[ -e $t/trace ] || t=/sys/kernel/debug/tracing
for f in set_ftrace_pid set_ftrace_filter set_ftrace_notrace set_graph_function \
	 set_graph_notrace set_ftrace_notrace_pid; do
	[ -e "$t/$f" ] || continue
	: > "$d/$f"
	mount --bind "$d/$f" "$t/$f"
done
exec trace-cmd record "$@"
