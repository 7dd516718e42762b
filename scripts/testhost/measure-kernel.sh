#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# measure-kernel.sh - reproduce docs/kernel-<version>-behaviour.md: boot the
# emulated host (run.sh arguments pass through, e.g. --gic 2 or
# --kvm-mode nvhe) and run every scenario once with kprobes on the KVM/VFIO
# functions that matter and the kvm:kvm_ack_irq tracepoint enabled (tracefs
# inside the host). For each run it prints the VT_GROUND_TRUTH line, then a
# TRACE line with the hit count of every probe that fired, then the acks
# per pin. This is a measurement tool, not a test: the judged, untraced
# runs are test-scenarios.sh.
#
#   [VT_KERNEL=6.1|6.12|7.2] scripts/testhost/measure-kernel.sh [--out DIR] [run.sh options]
#   (results: DIR/measure.txt, default build/out/measure-$VT_KERNEL/)
# A probe the kernel does not have (vgic_v3_deactivate before 6.19) is
# reported as "no kprobe NAME" and left out.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=build/out/measure-${VT_KERNEL:-6.1}
if [ "${1:-}" = --out ]; then
	out=${2:?}
	shift 2
fi
mkdir -p "$out"
make -s -C scripts/vmm >/dev/null
cat > "$out/measure-guest.sh" <<'GUEST'
T=/sys/kernel/tracing
echo 16384 > $T/buffer_size_kb
dmesg | grep -E 'kvm \[[0-9]+\]:'
b=$(vt-edu-bind) || echo bind failed
probes="irqfd_resampler_ack kvm_notify_acked_irq vgic_mmio_write_cactive vgic_mmio_write_cpending vgic_mmio_write_sactive vgic_mmio_write_irouter vgic_mmio_write_target vfio_pci_intx_unmask_handler vfio_intx_handler vfio_send_intx_eventfd vfio_pci_intx_mask vgic_v3_fold_lr_state vgic_v2_fold_lr_state vgic_v3_deactivate vgic_v2_deactivate"
have=
for p in $probes; do
  if echo "p:vt/$p $p" >> $T/kprobe_events 2>/dev/null; then have="$have $p"; else echo "no kprobe $p"; fi
done
probes=$have
echo 1 > $T/events/vt/enable
echo 1 > $T/events/kvm/kvm_ack_irq/enable
run() {
  echo > $T/trace
  vmm "$@" > gt.tmp; rc=$?
  cat gt.tmp
  printf 'TRACE %s:' "$*"
  for e in kvm_ack_irq $probes; do
    c=$(grep -c " $e:" $T/trace)
    [ "$c" = 0 ] || printf ' %s=%s' $e $c
  done
  echo " rc=$rc overrun=$(grep overrun $T/per_cpu/cpu*/stats | awk '{s+=$2} END {print s}')"
  grep ' kvm_ack_irq:' $T/trace | awk '{print "  ack", $(NF-1), $NF}' | sort | uniq -c
}
for s in healthy no-resample guest-no-eoi icactiver icpendr storm lr-overflow lr-overflow-asc migrate mem-ack; do run --scenario $s --timeout 60; done
run --scenario vfio --vfio $b
run --scenario no-resample --vfio $b
run --scenario guest-no-eoi --vfio $b
run --scenario storm --vfio $b
run --scenario vfio-mmap --vfio $b --timeout 60
b=$(vt-edu-bind nointxmask)
run --scenario vfio --vfio $b
run --scenario no-resample --vfio $b
run --scenario storm --vfio $b
GUEST
bash scripts/testhost/run.sh --out "$out" --script "$out/measure-guest.sh" --edu --timeout 600 "$@"
grep -a -E '^(VT_GROUND_TRUTH|TRACE|  +[0-9]+ +ack|no kprobe)' "$out/serial.log" > "$out/measure.txt"
cat "$out/measure.txt"
