#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""extract-btf.py [--elf] IMAGE OUT - cut the vmlinux BTF blob out of a kernel.

IMAGE may be a raw arm64 Image or gzip-compressed (Debian's vmlinuz is
either, depending on the release). The blob is found by its header:
magic 0xeB9F (bytes 9f eb), version 1, flags 0, hdr_len 24; its size is
hdr_len + str_off + str_len (the string section ends the blob). Exactly
one candidate must be found, otherwise the script fails.

With --elf, IMAGE is an ELF vmlinux (e.g. the BTF-only one Debian ships
in linux-headers-*-arm64 from 6.12 on) and its .BTF section is taken.
"""
import gzip
import struct
import sys


def elf_btf(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("extract-btf: not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)

    def sh(i):
        name, typ, flags, addr, off, size = struct.unpack_from("<IIQQQQ", data,
                                                               shoff + i * shentsize)
        return name, off, size
    stroff = sh(shstrndx)[1]
    for i in range(shnum):
        name, off, size = sh(i)
        end = data.index(b"\0", stroff + name)
        if data[stroff + name:end] == b".BTF":
            return data[off:off + size], off
    sys.exit("extract-btf: no .BTF section")


def image_btf(data):
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
    return data[pos:pos + size], pos


def main():
    args = sys.argv[1:]
    elf = args[:1] == ["--elf"]
    if elf:
        args = args[1:]
    if len(args) != 2:
        sys.exit("usage: extract-btf.py [--elf] IMAGE OUT")
    with open(args[0], "rb") as f:
        data = f.read()
    blob, pos = elf_btf(data) if elf else image_btf(data)
    if blob[:2] != b"\x9f\xeb":
        sys.exit("extract-btf: no BTF magic in %s" % args[0])
    with open(args[1], "wb") as f:
        f.write(blob)
    print("extract-btf: %d bytes of BTF at offset %#x of %s" % (len(blob), pos, args[0]))


if __name__ == "__main__":
    main()
