#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check.py - render `vgic-trace report --html` pages in headless Chromium
(Debian's chromium + chromium-driver, driven over the W3C WebDriver
protocol with urllib: no selenium) and check the rendered DOM against the
text report of the same trace.

usage: check.py CLI WORKDIR SCENARIO.txt...

For each scenario: import it, write the text report and the HTML page,
load the page in Chromium, read the DOM and layout through WebDriver and
take a screenshot (WORKDIR/NAME.png). Checks, each counted:
  - the page loads nothing: no script, link, img, iframe, object, no
    src/href attribute, no url( in styles;
  - findings: same count, order, severity, rule, VM, INTID, vCPU and time
    as the text report, with the same evidence lines;
  - exactly one state timeline per finding, inside it, drawn (rendered
    width > 600 px) and non-empty (its IRQ's records as marks, the
    finding's marker line);
  - lost records: the number the text report prints;
  - the per-IRQ table: every row's counts as in the text report;
  - latency: every (VM, INTID, stage) row's n/p50/p99/max as in the text
    report, and the per-stage histogram totals = the sum of its n;
  - escaping: a device named with HTML markup shows as text, never as
    an element;
  - the screenshot is a PNG of the window's size.
Prints "ok - ..." / "not ok - ..." lines and "N passed, N failed".
"""
import base64
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.request

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - " + what)
    return cond


class WebDriver:
    def __init__(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.proc = subprocess.Popen(["chromedriver", "--port=%d" % self.port],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.base = "http://127.0.0.1:%d" % self.port
        for _ in range(100):
            try:
                self.req("GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                "args": ["--headless", "--no-sandbox", "--disable-gpu",
                         "--hide-scrollbars", "--window-size=1150,1400"]}}}}
        self.sid = self.req("POST", "/session", caps)["value"]["sessionId"]

    def req(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(self.base + path, data=data, method=method,
                                   headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(r, timeout=60) as f:
            return json.load(f)

    def get(self, url):
        self.req("POST", "/session/%s/url" % self.sid, {"url": url})

    def js(self, script):
        return self.req("POST", "/session/%s/execute/sync" % self.sid,
                        {"script": script, "args": []})["value"]

    def screenshot(self):
        return base64.b64decode(
            self.req("GET", "/session/%s/screenshot" % self.sid)["value"])

    def close(self):
        try:
            self.req("DELETE", "/session/%s" % self.sid)
        finally:
            self.proc.terminate()
            self.proc.wait(10)


# What the page's DOM holds, read in the browser after layout.
DOM_JS = r"""
const q = (s, r) => Array.from((r || document).querySelectorAll(s));
const txt = e => e ? e.textContent : null;
return {
  external: q('script,link,img,iframe,object,embed').length +
            q('[src],[href]').length +
            q('style').filter(s => /url\(/.test(s.textContent)).length,
  nr_findings: txt(document.getElementById('nr-findings')),
  lost: document.getElementById('lost') ?
        document.getElementById('lost').dataset.lost : null,
  lost_text: txt(document.getElementById('lost')),
  findings: q('div.finding').map(d => ({
    rule: d.dataset.rule, severity: d.dataset.severity, vm: d.dataset.vm,
    intid: d.dataset.intid, ts: d.dataset.tsNs,
    head: txt(d.querySelector('p')),
    evidence: txt(d.querySelector('pre.evidence')),
    timelines: q('svg.timeline', d).map(s => ({
      index: s.dataset.finding, width: s.getBoundingClientRect().width,
      marks: q('rect.lr,circle.inject,rect.ev', s).length,
      marker: q('line.finding-at', s).length,
      records: s.dataset.records})),
    elements_in_evidence: q('pre.evidence *', d).length})),
  all_timelines: q('svg.timeline').length,
  irqs: q('tr.irq').map(r => [r.dataset.vm, r.dataset.intid].concat(
        q('td', r).slice(2, 10).map(c => c.textContent))),
  lat: q('tr.lat').map(r => [r.dataset.vm, r.dataset.intid, r.dataset.stage,
        q('td', r)[3].textContent, txt(r.querySelector('.p50')),
        txt(r.querySelector('.p99')), txt(r.querySelector('.max'))]),
  hists: q('div.hist').map(h => [h.dataset.stage, h.dataset.n]),
  body_text: document.body.innerText,
};
"""


def parse_text(rep):
    """Findings, lost, per-IRQ rows and latency rows of the text report."""
    out = {"findings": [], "irqs": [], "lat": []}
    m = re.search(r"^lost records: (\d+)", rep, re.M)
    out["lost"] = m.group(1) if m else None
    m = re.search(r"^findings: (\d+)", rep, re.M)
    out["nr"] = m.group(1) if m else None
    lines = rep.split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^\[(ERROR|WARNING|INFO)\] (\S+) vm (\d+)"
                     r"(?: INTID (\d+))?(?: vCPU(\d+))? at (\d+)\.(\d{9})$",
                     lines[i])
        if m:
            ev = []
            j = i + 2
            if j < len(lines) and lines[j].startswith("  evidence"):
                j += 1
                while j < len(lines) and lines[j].startswith("    "):
                    ev.append(lines[j][4:])
                    j += 1
            out["findings"].append({
                "severity": m.group(1), "rule": m.group(2), "vm": m.group(3),
                "intid": m.group(4), "vcpu": m.group(5),
                "ts": str(int(m.group(6)) * 10**9 + int(m.group(7))),
                "evidence": ev})
        i += 1
    sec = rep.split("per-IRQ counts:\n", 1)
    if len(sec) == 2:
        for ln in sec[1].split("\n")[1:]:
            f = ln.split()
            if len(f) < 11 or not f[0].isdigit():
                break
            # VM INTID GSI device inj1 inj0 in_lr g_eoi no_ack acks resmp
            out["irqs"].append(f[:3] + f[4:11])
    for m in re.finditer(r"^  (\d+) (\d+) (\S+)\s+n (\d+) p50 (\d+) p99 (\d+) "
                         r"max (\d+)$", rep, re.M):
        out["lat"].append(list(m.groups()))
    return out


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", data[16:24])


def one(wd, cli, work, scen):
    name = os.path.splitext(os.path.basename(scen))[0]
    vgt = os.path.join(work, name + ".vgt")
    page = os.path.join(work, name + ".html")
    subprocess.run([cli, "import", scen, "-o", vgt, "--force"], check=True,
                   stderr=subprocess.DEVNULL)
    text = subprocess.run([cli, "report", "--html", page, vgt], check=True,
                          stdout=subprocess.PIPE).stdout.decode()
    plain = subprocess.run([cli, "report", vgt], check=True,
                           stdout=subprocess.PIPE).stdout.decode()
    check(text == plain, "%s: --html leaves the text report unchanged" % name)
    t = parse_text(plain)
    wd.get("file://" + os.path.abspath(page))
    d = wd.js(DOM_JS)

    check(d["external"] == 0, "%s: self-contained (no script/link/src/href/url)" % name)
    nf = len(t["findings"])
    check(t["nr"] == str(nf) and d["nr_findings"] == str(nf) and
          len(d["findings"]) == nf,
          "%s: %d findings in page and text report" % (name, nf))
    ok = len(d["findings"]) == nf
    for i, (h, x) in enumerate(zip(d["findings"], t["findings"])):
        same = (h["rule"] == x["rule"] and h["severity"] == x["severity"] and
                h["vm"] == x["vm"] and h["ts"] == x["ts"] and
                h["intid"] == (x["intid"] or "-1") and
                (x["vcpu"] is None or ("vCPU " + x["vcpu"]) in h["head"]))
        ev = h["evidence"].rstrip("\n").split("\n") if h["evidence"] else []
        same = same and ev == x["evidence"]
        if not same:
            print("# finding %d: page %s / text %s" % (i, h, x))
        ok = ok and same
    check(ok, "%s: findings match the text report (rule, severity, VM, INTID, "
          "vCPU, time, evidence)" % name)
    tl_ok = d["all_timelines"] == nf
    for i, h in enumerate(d["findings"]):
        tls = h["timelines"]
        good = (len(tls) == 1 and tls[0]["index"] == str(i) and
                tls[0]["width"] > 600 and tls[0]["marks"] > 0 and
                tls[0]["marker"] == 1 and int(tls[0]["records"]) > 0)
        if not good:
            print("# finding %d timelines: %s" % (i, tls))
        tl_ok = tl_ok and good
    check(tl_ok, "%s: one drawn, non-empty state timeline per finding (%d)" %
          (name, d["all_timelines"]))
    check(t["lost"] is not None and d["lost"] == t["lost"] and
          d["lost_text"] == t["lost"],
          "%s: lost records %s shown" % (name, t["lost"]))
    check(d["irqs"] == t["irqs"] and len(t["irqs"]) > 0,
          "%s: per-IRQ table = text report (%d rows)" % (name, len(t["irqs"])))
    check(d["lat"] == t["lat"],
          "%s: latency rows = text report (%d rows)" % (name, len(t["lat"])))
    per_stage = {}
    for r in t["lat"]:
        per_stage[r[2]] = per_stage.get(r[2], 0) + int(r[3])
    check(sorted(d["hists"]) == sorted([k, str(v)] for k, v in per_stage.items()),
          "%s: one histogram per stage, totals = sum of n (%d stages)" %
          (name, len(per_stage)))
    if name == "escape":
        dev = "<i>&\"x'</i>"
        check(dev in d["body_text"] and
              all(f["elements_in_evidence"] == 0 for f in d["findings"]) and
              "<i>" not in open(page).read(),
              "%s: a device named %s is shown as text" % (name, dev))
    png = wd.screenshot()
    with open(os.path.join(work, name + ".png"), "wb") as f:
        f.write(png)
    size = png_size(png)
    check(size is not None and size[0] >= 1000 and len(png) > 10000,
          "%s: screenshot %s, %d bytes" % (name, size, len(png)))


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    cli, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    wd = WebDriver()
    try:
        for scen in sys.argv[3:]:
            one(wd, cli, work, scen)
    finally:
        wd.close()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
