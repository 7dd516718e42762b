#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""extract-btf.py IMAGE OUT - cut the vmlinux BTF blob out of a kernel Image.

IMAGE may be a raw arm64 Image or gzip-compressed (Debian's vmlinuz is
either, depending on the release). The blob is found by its header:
magic 0xeB9F (bytes 9f eb), version 1, flags 0, hdr_len 24; its size is
hdr_len + str_off + str_len (the string section ends the blob). Exactly
one candidate must be found, otherwise the script fails.
"""
import gzip
import struct
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extract-btf.py IMAGE OUT")
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    found = []
    pos = 0
    while True:
        pos = data.find(b"\x9f\xeb\x01\x00", pos)
        if pos < 0:
            break
        hdr_len, t_off, t_len, s_off, s_len = struct.unpack_from("<IIIII", data, pos + 4)
        if hdr_len == 24 and t_off == 0 and s_off == t_len and s_len > 0 \
                and pos + hdr_len + s_off + s_len <= len(data):
            found.append((pos, hdr_len + s_off + s_len))
        pos += 1
    if len(found) != 1:
        sys.exit("extract-btf: expected one BTF header, found %d" % len(found))
    pos, size = found[0]
    with open(sys.argv[2], "wb") as f:
        f.write(data[pos:pos + size])
    print("extract-btf: %d bytes of BTF at offset %#x" % (size, pos))


if __name__ == "__main__":
    main()
