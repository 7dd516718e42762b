#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vtr2raw.py VT_COUNT IN.vtr OUT.raw [GARBAGE_BYTES] - the concatenated
records of a trace file (any format, read by `vt-count --raw`), as
/dev/vgic_trace's read() returns them (for feeding the daemon's module
source from a file); optionally append a torn record."""
import struct
import subprocess
import sys

p = subprocess.run([sys.argv[1], "--raw", sys.argv[2]], capture_output=True)
if p.returncode:
    sys.exit("vtr2raw: %s: %s" % (sys.argv[2], p.stderr.decode().strip()))
out = bytearray(p.stdout)
if len(sys.argv) > 4:
    n = int(sys.argv[4])
    # the first n (<= 24) bytes of a header that claims a 40-byte record
    out += struct.pack("<HHIQII", 5, 40, 0, 0, 0, 0xffffffff)[:n]
open(sys.argv[3], "wb").write(out)
