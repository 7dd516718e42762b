#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""fleet-check.py RESULTS SCENARIO... - judge the files of fleet-inner.sh.

Per scenario: the /metrics text scraped with busybox wget while the daemon
was still recording (after the VMM exited) against the VMM's own
VT_GROUND_TRUTH counts (never against the tracer itself):
  - the VM's label is the VMM's pid;
  - vgic_trace_vm_irqfd_injections_total = irqfd triggers (VFIO: host IRQs);
  - vgic_trace_vm_resamples_total = resamples the VMM saw (VFIO: guest EOIs
    of the device; no-resample: 0, it has no resamplefd);
  - vgic_trace_vm_acks_total = resamples (VFIO: guest EOIs);
  - no records lost, every hook attached, the daemon still recording;
  - the scenario's verdict (docs: module/tests/run-e2e.sh): a flagged
    scenario has a WARNING/ERROR finding for that VM, a clean one none;
  - promtool check metrics accepts the scrape; the OpenMetrics scrape
    passes prometheus_client's strict OpenMetrics parser;
  - every stdout line of --json-lines parses, carries the documented keys,
    and the JSON findings per rule equal the last --metrics-file counters.
TAP output; exit 0 only when every check passed.
"""
import json
import os
import re
import subprocess
import sys

res = sys.argv[1]
scens = sys.argv[2:]
n = nfail = 0
VFIO = {"vfio", "no-resample", "guest-no-eoi", "storm", "vfio-mmap"}
EXPECT = {"healthy": "clean", "vfio": "clean", "no-resample": "flag", "guest-no-eoi": "flag",
          "icactiver": "flag", "icpendr": "clean", "storm": "flag", "lr-overflow": "flag",
          "migrate": "clean", "lr-overflow-asc": "clean", "mem-ack": "clean",
          "vfio-mmap": "clean"}


def tap(ok, msg):
    global n, nfail
    n += 1
    if not ok:
        nfail += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, msg))


def read(name, default=""):
    try:
        with open(os.path.join(res, name), errors="replace") as f:
            return f.read()
    except OSError:
        return default


def samples(text):
    """{(name, frozenset(labels)): value} of exposition text"""
    out = {}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line)
        if not m:
            continue
        labels = frozenset(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def get(s, name, **labels):
    return s.get((name, frozenset(labels.items())))


def truth(s):
    for line in read(s + ".vmm").splitlines():
        if line.startswith("VT_GROUND_TRUTH "):
            return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
    return None


def num(gt, k):
    v = gt.get(k, "na")
    return int(v) if re.fullmatch(r"\d+", v) else None


kernel = read("kernel.txt").strip()
print("# kernel %s" % kernel)
busy = read("busy.err")
tap(read("busy.rc").strip() == "1" and "bind: Address already in use" in busy
    and read("busy.file").strip() == "no",
    "a second daemon on the same --metrics-listen address exits 1 with a bind error and no file (%s)"
    % busy.strip().splitlines()[-1:] if busy else "no busy.err")

try:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as om_parse
except ImportError:
    om_parse = None

for s in scens:
    gt = truth(s)
    if gt is None or gt.get("status") != "done":
        tap(False, "%s: scenario ran (vmm: %s)" % (s, read(s + ".vmm.err").strip()[-200:]))
        continue
    pid = read(s + ".pid").strip()
    print("# %s truth: %s" % (s, " ".join("%s=%s" % kv for kv in gt.items())))
    tap(read(s + ".wget.rc").strip() == "0", "%s: busybox wget scraped /metrics while recording" % s)
    text = read(s + ".scrape")
    hdr = read(s + ".hdr")
    tap("text/plain; version=0.0.4" in hdr, "%s: Content-Type text/plain; version=0.0.4" % s)
    p = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    tap(p.returncode == 0, "%s: promtool check metrics on the scrape%s" %
        (s, "" if p.returncode == 0 else ": " + (p.stdout + p.stderr).strip()[:300]))
    m = samples(text)
    vms = sorted({dict(k[1]).get("vm") for k in m if k[0] == "vgic_trace_vm_records_total"})
    tap(vms == [pid], "%s: one VM, labelled with the VMM's pid %s (%s)" % (s, pid, vms))
    vfio = s in VFIO
    inj = get(m, "vgic_trace_vm_irqfd_injections_total", vm=pid)
    rs = get(m, "vgic_trace_vm_resamples_total", vm=pid)
    acks = get(m, "vgic_trace_vm_acks_total", vm=pid)
    if vfio:
        want_inj, what_inj = num(gt, "host_irq"), "host IRQs"
        want_rs = 0 if s == "no-resample" else num(gt, "eoi")
        what_rs = "0 (no resamplefd)" if s == "no-resample" else "guest EOIs"
        want_ack, what_ack = num(gt, "eoi"), "guest EOIs"
    else:
        want_inj, what_inj = num(gt, "trigger"), "irqfd triggers"
        want_rs, what_rs = num(gt, "resample"), "VMM resamples"
        want_ack, what_ack = num(gt, "resample"), "VMM resamples"
    tap(inj is not None and inj == want_inj, "%s: vgic_trace_vm_irqfd_injections_total %s = %s %s"
        % (s, inj, what_inj, want_inj))
    tap(rs is not None and rs == want_rs, "%s: vgic_trace_vm_resamples_total %s = %s %s"
        % (s, rs, what_rs, want_rs))
    tap(acks is not None and acks == want_ack, "%s: vgic_trace_vm_acks_total %s = %s %s"
        % (s, acks, what_ack, want_ack))
    # scrapes while the guest ran: valid, the VM's records never going down
    mids = sorted((int(f.rsplit(".", 1)[1]), f) for f in os.listdir(res)
                  if f.startswith(s + ".mid."))
    seq = [get(samples(read(f)), "vgic_trace_vm_records_total", vm=pid) or 0 for _, f in mids]
    final_rec = get(m, "vgic_trace_vm_records_total", vm=pid)
    tap(len(seq) >= 1 and all(a <= b for a, b in zip(seq, seq[1:] + [final_rec])),
        "%s: %d scrapes while the guest ran, the VM's records rising %s -> %s" %
        (s, len(seq), [int(x) for x in seq], final_rec))
    tap(get(m, "vgic_trace_lost_records_total") == 0, "%s: lost records %s" %
        (s, get(m, "vgic_trace_lost_records_total")))
    hooks = {dict(k[1])["hook"]: (dict(k[1])["mode"], v) for k, v in m.items()
             if k[0] == "vgic_trace_hook_attached"}
    att = sorted("%s:%s" % (h, mv[0]) for h, mv in hooks.items() if mv[1] == 1)
    deg = [dict(k[1]) for k in m if k[0] == "vgic_trace_rule_degraded"]
    # every hook reported (which attach is the module e2e's judgement; 6.1
    # lacks the 3 hooks of 6.19+); no rule lacks input on this kernel
    tap(len(hooks) == 17 and len(att) >= 14 and not deg,
        "%s: %d hooks reported, %d attached (%s), no rule degraded (%s)" %
        (s, len(hooks), len(att), " ".join(att), deg))
    tap(get(m, "vgic_trace_recording") == 1 and get(m, "vgic_trace_unwritten_records_total") == 0,
        "%s: the daemon was still recording to its file" % s)
    # findings: scrape (live, mid-run) and the last textfile (after finish)
    final = samples(read(s + ".prom"))
    fin = {(dict(k[1])["vm"], dict(k[1])["rule"], dict(k[1])["severity"]): v
           for k, v in final.items() if k[0] == "vgic_trace_findings_total"}
    live = {(dict(k[1])["vm"], dict(k[1])["rule"], dict(k[1])["severity"]): v
            for k, v in m.items() if k[0] == "vgic_trace_findings_total"}
    print("# %s findings: scrape %s, final textfile %s" % (s, live, fin))
    flagged = any(k[0] == pid and k[2] in ("warning", "error") for k in fin)
    want = EXPECT.get(s, "?")
    if kernel.startswith("7.") and s in ("storm", "icpendr", "mem-ack", "vfio-mmap"):
        want = "flag"
    tap(flagged == (want == "flag"), "%s: expected %s, the metrics say %s" %
        (s, want, "flag" if flagged else "clean"))
    tap(all(fin.get(k, 0) >= v for k, v in live.items()),
        "%s: every finding counter of the scrape is in the final textfile, not lower" % s)
    if om_parse:
        om = read(s + ".om")
        try:
            fams = {f.name: f for f in om_parse(om)}
            ok = read(s + ".wget-om.rc").strip() == "0" and "vgic_trace_records" in fams \
                and fams["vgic_trace_records"].type == "counter"
            tap(ok, "%s: OpenMetrics scrape parses strictly (%d families)" % (s, len(fams)))
        except Exception as e:  # the parser raises ValueError and others
            tap(False, "%s: OpenMetrics scrape parses strictly: %s" % (s, e))
    else:
        tap(False, "%s: python3-prometheus-client missing (scripts/deps.sh)" % s)
    tap(read(s + ".wget-404.rc").strip() not in ("", "0"), "%s: /nothing is refused (404)" % s)
    # JSON lines
    lines = [l for l in read(s + ".json").splitlines() if l.strip()]
    objs, bad = [], 0
    for l in lines:
        try:
            o = json.loads(l)
            keys = {"type", "time_ns", "time", "severity", "rule", "vm", "intid", "vcpu",
                    "message", "evidence"}
            if not keys <= set(o) or o["type"] != "finding" or not isinstance(o["evidence"], list):
                bad += 1
            objs.append(o)
        except ValueError:
            bad += 1
    tap(bad == 0, "%s: %d stdout lines, every one a finding JSON object (%d bad)" % (s, len(lines), bad))
    per = {}
    for o in objs:
        k = (str(o.get("vm")), o.get("rule"), o.get("severity"))
        per[k] = per.get(k, 0) + 1
    tap(per == {k: int(v) for k, v in fin.items()},
        "%s: JSON findings per VM/rule/severity = the last textfile's counters (%s)" % (s, per))
    tap(read(s + ".rc").strip() == "0", "%s: vgic-traced exited 0 on SIGTERM" % s)

# overload (issue 11, fleet-inner.sh): records really lost, and still
# SIGTERM / --duration honoured, the stop measured by the inner script
# from the signal (or the daemon's start + 1 s) to its exit. -r runs: the
# daemon held (SIGSTOP) while the VMM fills the buffers, then at nice -10
# (this shell's) against full buffers and a producer still outrunning it.
# Two checks there: the daemon's own part, from its signal handler (or
# the deadline) to the file closed and everything freed (its
# CLOCK_MONOTONIC), and the test's figure, each within the 100 ms
# + a TCG margin of 200 ms (the emulated guest's clock runs through the
# host's scheduling: the daemon's own part took 25-93 ms in runs here,
# 276 ms with unit tests beside the emulator): in the emulated guest, on this 2-core
# machine, the kill reaching the handler and the exit reaching the
# shell's wait took 50-200 ms more in the runs measured (the [test: ...]
# note prints both per run, on the same clock). Without -r the daemon
# stays at nice 19 against one nice-0 busy loop per CPU, ~1.5 % of a CPU,
# which stretches any work ~65x: bound 3 s, figure printed. The file
# complete; the trace's loss = the module's own count (debugfs); every
# record the module wrote is in the file or counted lost.
cli = os.environ.get("VT_CLI", "vgic-trace")
ovl = [r for r in os.environ.get("VT_FLEET_OVERLOAD", "").split() if r]
# the bound; the TCG margin (above); /proc/uptime has 10 ms steps,
# so a difference of two readings is up to 10 ms over the true interval
OVL_BOUND_MS = 100
OVL_TCG_MS = 200
OVL_TICK_MS = 10


def stat(text, key):
    m = re.search(r"^%s (\d+)$" % key, text, re.M)
    return int(m.group(1)) if m else -1


def ovl_stats(path):
    p = subprocess.run([cli, "stats", path], capture_output=True, text=True)
    m = re.search(r"^records (\d+) invalid (\d+) lost (\d+)$", p.stdout, re.M)
    t = re.search(r"^type lost (\d+)$", p.stdout, re.M)
    if not m or not t:
        return -1, -1
    return int(m.group(1)) - int(t.group(1)), int(m.group(3))


figs = []
if ovl:
    # the producer: the VMM loops OVL_SCEN until the phase's end kills it
    # (SIGTERM, rc 143); a VMM that ended by itself stopped producing,
    # and the runs after that cannot overload anything
    # (fleet-inner.sh starts it again should it end early: each end's rc
    # in ovl.vmm.rc, the last one the phase's SIGTERM)
    vrc = read("ovl.vmm.rc").split()
    tap(vrc[-1:] == ["143"],
        "overload: the VMM looped %s until the phase's end stopped it (exit codes %s)" %
        (os.environ.get("VT_FLEET_OVL_SCEN", "mem-ack"), " ".join(vrc) or "none"))
    if len(vrc) > 1:
        ends = [ln for ln in read("ovl.vmm").splitlines() if ln.startswith("VT_GROUND_TRUTH ")]
        print("# overload: the VMM ended by itself %d time(s) and was started again: %s; its stderr: %s" %
              (len(vrc) - 1, "; ".join(" ".join(kv for kv in ln.split() if kv.split("=")[0] in
                                                ("status", "taken", "elapsed_ms")) for ln in ends),
               read("ovl.vmm.err").strip()[-300:] or "nothing"))
for r in ovl:
    f = os.path.join(res, "ovl-%s" % r)
    rc, ms, st = read("ovl-%s.rc" % r).strip(), read("ovl-%s.ms" % r).strip(), read("ovl-%s.stats" % r)
    mod_lost = stat(st, "lost_total")
    mod_missed = stat(st, "probe_missed")
    mod_written = stat(st, "records_written")
    mod_failed = stat(st, "write_failed")
    mod_close = stat(st, "lost_close")
    p = subprocess.run([cli, "report", "--json", f + ".vtr"], capture_output=True, text=True)
    try:
        rep = json.loads(p.stdout)
    except ValueError:
        rep = {}
    lost = rep.get("lost", -1)
    probe_lost = rep.get("lost_probe_hits", 0)
    data, _ = ovl_stats(f + ".vtr")
    ck = subprocess.run([cli, "check", "--quiet", f + ".vtr"], capture_output=True, text=True)
    out = read("ovl-%s.out" % r)
    m = re.search(r"summary: backend \S+, ([0-9.]+) s", out)
    own = float(m.group(1)) if m else -1.0
    m = re.search(r"^summary: stop .*$", out, re.M)
    stopline = m.group(0) if m else "(no stop line)"
    ms = int(ms) if ms.isdigit() else -1
    stop_ms = ms - 1000 if r.startswith("d") else ms
    # the same clock (/proc/uptime = CLOCK_MONOTONIC, no suspend): where
    # the test's interval went outside the daemon's own account
    m = re.search(r"clock ([0-9.]+) -> ([0-9.]+) s", stopline)
    tt = read("ovl-%s.t" % r).split()
    if m and len(tt) == 2:
        stopline += " [test: kill %+d ms before the handler, exit seen %+d ms after the end]" % (
            round(float(m.group(1)) * 1000 - int(tt[0])), round(int(tt[1]) - float(m.group(2)) * 1000))
    bound = OVL_BOUND_MS + OVL_TCG_MS + OVL_TICK_MS if r.endswith("-r") else 3000
    m = re.search(r"clock ([0-9.]+) -> ([0-9.]+) s", stopline)
    own_ms = (float(m.group(2)) - float(m.group(1))) * 1000 if m else -1.0
    figs.append("%s: stop %d ms (%s), %d file records + %d lost = %d written + %d failed (%d queued at the stop); %s" %
                (r, stop_ms, "-d overrun" if r.startswith("d") else "SIGTERM -> exit", data, lost - probe_lost,
                 mod_written, mod_failed, mod_close, stopline))
    tap(rc == "0", "overload %s: vgic-traced exited 0 (rc %s)" % (r, rc))
    if r.endswith("-r"):
        # the guest's clock carries the host's scheduling: the same
        # TCG margin as the exit's (CI's 80 ms against 100 failed a run;
        # with unit tests beside the emulator, 276 ms was seen)
        tap(0 <= own_ms <= OVL_BOUND_MS + OVL_TCG_MS and "(stopped:" in stopline,
            "overload %s: the daemon's own stop %.1f ms, its handler or deadline to all closed (bound %d ms + %d ms TCG margin; producers stopped)%s" %
            (r, own_ms, OVL_BOUND_MS, OVL_TCG_MS, "" if own_ms <= OVL_BOUND_MS else
             " [over the issue's %d ms: see the stop line's parts]" % OVL_BOUND_MS))
    if r.startswith("d"):
        tap(ms >= 0 and 0.9 <= own and stop_ms <= bound,
            "overload %s: -d 1s honoured: %d ms from its start to its exit, overrun %d ms (bound %d ms%s)" %
            (r, ms, stop_ms, bound, "" if r.endswith("-r") else ", nice 19"))
    else:
        tap(0 <= ms <= bound, "overload %s: SIGTERM -> exit %d ms (bound %d ms%s)" %
            (r, ms, bound, "" if r.endswith("-r") else ", nice 19"))
        # forced only where the daemon is held (-r); at nice 19 alone
        # the busy loops usually starve it, but not always (0 of 7k in
        # one run of four here): a figure there, not a check
        if r.endswith("-r"):
            tap(lost > 0, "overload %s: records really lost (report: %d)" % (r, lost))
        else:
            print("# overload %s: %d records lost (not forced: no SIGSTOP)" % (r, lost))
    tap(p.returncode in (0, 1) and rep.get("truncated") is False and ck.returncode in (0, 1),
        "overload %s: file complete (end marker: report truncated=%s, check rc %d)" %
        (r, rep.get("truncated"), ck.returncode))
    tap(mod_lost >= 0 and lost == mod_lost + mod_missed,
        "overload %s: report's lost %d = module's lost_total %d + probe_missed %d" %
        (r, lost, mod_lost, mod_missed))
    tap(mod_written >= 0 and mod_failed >= 0 and data >= 0 and
        data + lost - probe_lost == mod_written + mod_failed,
        "overload %s: file records %d + lost %d = module's records_written %d + write_failed %d" %
        (r, data, lost - probe_lost, mod_written, mod_failed))
for x in figs:
    print("# overload " + x)

# the e2e stages' one dmesg judgement (known 7.2 kernel WARN left out)
top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
p = subprocess.run(["bash", os.path.join(top, "scripts/testhost/dmesg-check.sh"), os.environ.get("VT_KERNEL", "6.1"),
                    os.path.join(res, "dmesg.txt")], capture_output=True, text=True)
tap(p.returncode == 0 and os.path.getsize(os.path.join(res, "dmesg.txt")) > 0,
    "no oops/BUG/WARN in dmesg (scripts/testhost/dmesg-check.sh)%s" %
    ("" if p.returncode == 0 else ": " + (p.stdout + p.stderr).strip()[:300]))
print("1..%d" % n)
sys.exit(1 if nfail else 0)
