#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vtr2raw.py IN.vtr OUT.raw [GARBAGE_BYTES] - the concatenated records of a
trace file, as /dev/vgic_trace's read() returns them (for feeding the
daemon's module source from a file); optionally append a torn record."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
off = struct.unpack_from("<I", data, 12)[0]	# hdr_size
out = bytearray()
while off + 32 <= len(data):
    magic, flags, ln, nr, seq, crc, hcrc = struct.unpack_from("<IIIIQII", data, off)
    if magic != 0x4b434756:
        sys.exit("vtr2raw: bad chunk magic at %d" % off)
    off += 32
    out += data[off:off + ln]
    off += ln
    if flags & 1:
        break
if len(sys.argv) > 3:
    n = int(sys.argv[3])
    # the first n (<= 24) bytes of a header that claims a 40-byte record
    out += struct.pack("<HHIQII", 5, 40, 0, 0, 0, 0xffffffff)[:n]
open(sys.argv[2], "wb").write(out)
