#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""compare_counts.py [--kernel K] [--gic G] [--modcat F] SCENARIO VMM_OUTPUT STATS_JSON

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

--kernel 7.2 --gic 3 (6.19+ GICv3, see docs/kernel-7.2-behaviour.md): the
kernel acks only an LR that it sees go from active to inactive, so a level
SPI taken and EOI'd within one guest run is never acked. Then:
  acks, resamples                      == resample (the VMM's resamplefd
                                          reads: the lost ones are not
                                          counted by the VMM either)
  with VFIO (resample=na): acks and    <= eoi, and the VFIO unmask handler
  the unmask handler                      calls == acks (one resamplefd
                                          signal per ack)
  lr-overflow (EOImode 1): LR deactivations + DIR traps that folded an
  IRQ in no LR (VT_DEACT_LR records, --modcat) == dir; resample == dir
--modcat F: the vt-modcat summary (deact_dir/deact_eoicount/deact_lr).
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


def modcat_counts(path):
    if not path:
        return {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("VT_MODCAT"):
                return dict(t.split("=", 1) for t in line.split()[1:] if "=" in t)
    return {}


def main(argv):
    opts = {"--kernel": "6.1", "--gic": "3", "--modcat": None}
    args = argv[1:]
    while args and args[0] in opts:
        if len(args) < 2:
            print(__doc__.splitlines()[0], file=sys.stderr)
            return 2
        opts[args[0]] = args[1]
        args = args[2:]
    if len(args) != 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    scen = args[0]
    kernel, gic = opts["--kernel"], opts["--gic"]
    if kernel not in ("6.1", "6.12", "7.2") or gic not in ("2", "3"):
        print("compare_counts: --kernel 6.1|6.12|7.2, --gic 2|3", file=sys.stderr)
        return 2
    # 6.19+ GICv3: no ack for an LR that went P -> invalid within one run
    v3_ack_gated = kernel == "7.2" and gic == "3"
    try:
        gt = ground_truth(args[1])
        with open(args[2], encoding="utf-8") as f:
            st = json.load(f)
        mc = modcat_counts(opts["--modcat"])
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
    le = []		# (name, got, key, bound): got <= bound
    if resample is not None:
        rows.append(("resamples", irq_sum("resamples"), "resample", resample))
    if resample is not None and scen != "no-resample":
        rows.append(("acks", irq_sum("acks"), "resample", resample))
    elif v3_ack_gated and eoi is not None:
        # VFIO: the VMM cannot see the resample; the kernel acks at most
        # once per guest EOI, fewer when it misses them
        le.append(("acks", irq_sum("acks"), "eoi", eoi))
    else:
        rows.append(("acks", irq_sum("acks"), "eoi", eoi))
    # Guest deactivations seen in the LRs: an LR that left P or A for
    # invalid with its EOI bit between entry and exit (A->inv when the
    # guest exited while the IRQ was active, P->inv when it took and
    # deactivated it within one run). Engine key "guest_eoi".
    if scen == "lr-overflow" and v3_ack_gated:
        # 6.19+: the DIRs of IRQs in no LR trap and are folded as a
        # pseudo-LR (VT_DEACT_LR records): none is lost
        dl = int(mc.get("deact_lr", 0))
        rows.append(("lr deact.+DIR folds", irq_sum("guest_eoi") + dl,
                     "dir", dirs))
        note = "deact_dir=%s deact_eoicount=%s deact_lr=%s" % (
            mc.get("deact_dir", "?"), mc.get("deact_eoicount", "?"),
            mc.get("deact_lr", "?"))
        print("6.19+ DEACTIVATE records: " + note)
    elif scen == "lr-overflow":
        rows.append(("lr deactivations", irq_sum("guest_eoi"),
                     "resample", resample))
    elif scen != "icactiver":
        rows.append(("lr deactivations", irq_sum("guest_eoi"),
                     "dir" if scen in EOIMODE1 else "eoi", deact))
    host_irq = num(gt, "host_irq")
    if host_irq is not None:
        rows.append(("vfio handler", dev_sum("handler"), "host_irq", host_irq))
        # no resamplefd: nothing may call the unmask handler
        if v3_ack_gated and scen != "no-resample":
            # one resamplefd signal (unmask handler) per ack
            rows.append(("vfio unmask_handler", dev_sum("unmask_handler"),
                         "module acks", irq_sum("acks")))
        else:
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
    for name, got, key, bound in le:
        ok = bound is not None and got <= bound
        bad += not ok
        print("%-22s module=%-8d truth %s=%-8s %s" %
              (name, got, key, bound, "<= ok" if ok else "MISMATCH (more than the bound)"))
    print("%s: %d comparisons, %d mismatches (status=%s, kernel %s, GICv%s)" %
          (scen, len(rows) + len(le), bad, gt.get("status", "?"), kernel, gic))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
