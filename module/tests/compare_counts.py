#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""compare_counts.py SCENARIO VMM_OUTPUT STATS_JSON

Compare what vgic_trace.ko recorded (as counted by `vgic-trace stats
--json`) with the ground truth the scenario VMM and its guest counted on
their own (the VT_GROUND_TRUTH line). Prints one line per comparison;
exit 0 if all equal, 1 on a mismatch, 2 on bad input.

Which module count must equal which ground-truth count follows from the
kernel 6.1 chain (docs/module.md, "What the e2e compares"):
  resamples (irqfd_resampler_ack)      == resample   (resamplefd reads)
  acks (kvm_notify_acked_irq)          == resample   with a resampler,
                                          eoi        otherwise (EOImode 0)
  LR deactivations (LR P/A -> invalid  == eoi (EOImode 0) / dir (EOImode 1)
  with EOI, engine "guest_eoi")           lr-overflow: == resample (the
                                          DIRs that found no LR are lost)
  VFIO handler calls                   == host_irq   (/proc/interrupts delta)
  VFIO unmask handler (resamplefd)     == eoi (0 for no-resample)
  GICD ICACTIVER / ICPENDR writes      == icactiver / icpendr
"""
import json
import sys

EOIMODE1 = {"icactiver", "lr-overflow", "lr-overflow-asc"}


def ground_truth(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("VT_GROUND_TRUTH"):
                kv = dict(t.split("=", 1) for t in line.split()[1:] if "=" in t)
                return kv
    raise ValueError("no VT_GROUND_TRUTH line in %s" % path)


def num(gt, key):
    v = gt.get(key)
    if v is None or v == "na":
        return None
    return int(v)


def main(argv):
    if len(argv) != 4:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    scen = argv[1]
    try:
        gt = ground_truth(argv[2])
        with open(argv[3], encoding="utf-8") as f:
            st = json.load(f)
    except (OSError, ValueError) as e:
        print("compare_counts: %s" % e, file=sys.stderr)
        return 2

    spis = [i for i in st.get("irqs", []) if i.get("intid", 0) >= 32]
    devs = st.get("devices", [])

    def irq_sum(key):
        return sum(int(i.get(key, 0)) for i in spis)

    def mmio_sum(reg):
        return sum(int(i.get("mmio", {}).get(reg, 0)) for i in spis)

    def dev_sum(key):
        return sum(int(d.get(key, 0)) for d in devs)

    eoi, dirs, resample = num(gt, "eoi"), num(gt, "dir"), num(gt, "resample")
    deact = dirs if scen in EOIMODE1 else eoi
    rows = []
    if resample is not None:
        rows.append(("resamples", irq_sum("resamples"), "resample", resample))
    if resample is not None and scen != "no-resample":
        rows.append(("acks", irq_sum("acks"), "resample", resample))
    else:
        rows.append(("acks", irq_sum("acks"), "eoi", eoi))
    # Guest deactivations seen in the LRs: an LR that left P or A for
    # invalid with its EOI bit between entry and exit (A->inv when the
    # guest exited while the IRQ was active, P->inv when it took and
    # deactivated it within one run). Engine key "guest_eoi".
    if scen == "lr-overflow":
        rows.append(("lr deactivations", irq_sum("guest_eoi"),
                     "resample", resample))
    elif scen != "icactiver":
        rows.append(("lr deactivations", irq_sum("guest_eoi"),
                     "dir" if scen in EOIMODE1 else "eoi", deact))
    host_irq = num(gt, "host_irq")
    if host_irq is not None:
        rows.append(("vfio handler", dev_sum("handler"), "host_irq", host_irq))
        # no resamplefd: nothing may call the unmask handler
        rows.append(("vfio unmask_handler", dev_sum("unmask_handler"),
                     "eoi" if scen != "no-resample" else "0 (no resampler)",
                     eoi if scen != "no-resample" else 0))
    if num(gt, "icactiver"):
        rows.append(("mmio ICACTIVER", mmio_sum("ICACTIVER"), "icactiver",
                     num(gt, "icactiver")))
    if num(gt, "icpendr"):
        rows.append(("mmio ICPENDR", mmio_sum("ICPENDR"), "icpendr",
                     num(gt, "icpendr")))

    bad = 0
    lost = int(st.get("lost", 0))
    if lost:
        print("records lost: %d (counts cannot be exact)" % lost)
        bad += 1
    for name, got, key, want in rows:
        if want is None:
            print("%-22s module=%-8d truth %s=missing  MISMATCH" % (name, got, key))
            bad += 1
            continue
        ok = got == want
        bad += not ok
        print("%-22s module=%-8d truth %s=%-8d %s" %
              (name, got, key, want, "ok" if ok else "MISMATCH"))
    print("%s: %d comparisons, %d mismatches (status=%s)" %
          (scen, len(rows), bad, gt.get("status", "?")))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
