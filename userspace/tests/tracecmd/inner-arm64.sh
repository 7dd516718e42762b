#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# inner-arm64.sh - runs INSIDE the emulated arm64 host (busybox sh, in
# /vt/out), started by run-arm64.sh through scripts/testhost/run.sh.
# Per scenario S of /vt/extra/tc.conf: Debian's trace-cmd records
# `-e vgic_trace -e kvm` (CLOCK_MONOTONIC) while vt-modcat records the
# module's own stream of the same run, and the scenario VMM runs once:
#   S.dat (trace-cmd), S.raw (/dev/vgic_trace), S.vmm (VT_GROUND_TRUTH).
# Only runs things; every comparison is made by run-arm64.sh afterwards.
. /vt/extra/tc.conf
PATH=/vt/extra/bin:/vt/bin:$PATH
export PATH
KO=/vt/modules/vgic_trace.ko
DBG=/sys/kernel/debug/vgic_trace

say() { echo "TC: $*"; }

ulimit -l unlimited 2>/dev/null
insmod $KO || { say "insmod failed"; dmesg > dmesg.txt; exit 10; }
bdf=
if [ -n "$VFIO_SCEN" ]; then
	bdf=$(vt-edu-bind 2> edu-bind.err)
	say "edu bound at '$bdf'"
fi
# no 5 MB symbol table in the .dat files (nothing reads kernel symbols)
: > /tmp/empty-kallsyms
mount --bind /tmp/empty-kallsyms /proc/kallsyms || say "kallsyms bind failed"

for s in $SCENARIOS; do
	args=
	case " $VFIO_SCEN " in *" $s "*) args="--vfio $bdf" ;; esac
	cat > run-$s.sh <<EOS
#!/bin/sh
vt-modcat -o $s.raw > $s.modcat 2> $s.modcat.err &
mp=\$!
i=0
while ! grep -q '^reader_open 1' $DBG/stats 2>/dev/null; do
	i=\$((i + 1)); [ \$i -gt 100 ] && break; sleep 0.05
done
vmm --scenario $s $args > $s.vmm 2>&1
echo \$? > $s.vmm.rc
sleep 0.3
kill -TERM \$mp
wait \$mp
EOS
	vt-trace-cmd record -C mono -e vgic_trace -e kvm -o $s.dat sh run-$s.sh \
		> $s.tc.log 2>&1
	echo $? > $s.tc.rc
	say "$s: trace-cmd rc $(cat $s.tc.rc), vmm rc $(cat $s.vmm.rc), $(cat $s.modcat)"
done
umount /proc/kallsyms 2>/dev/null
dmesg > dmesg.txt
exit 0
