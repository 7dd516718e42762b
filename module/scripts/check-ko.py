#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-ko.py - refuse a vgic_trace.ko that the target kernel would BUG() on.

usage: check-ko.py KO ALIGN

With arm64 DYNAMIC_FTRACE_WITH_CALL_OPS every entry of the module's
__patchable_function_entries section (the address of the NOPs before a
function, where ftrace_init_nop() writes an 8-byte literal at insmod) must
be ALIGN-aligned (8), and so must the sections they point into. ALIGN 0:
only report. Exit 0 when safe, 1 (with a message naming the functions)
when not, 2 on a file that is not a 64-bit little-endian ELF.
"""
import struct
import sys


def sections(data):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("check-ko.py: not a 64-bit little-endian ELF file") or 2
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    secs = []
    for i in range(shnum):
        (name, typ, flags, addr, off, size, link, info, align,
         entsize) = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
        secs.append(dict(name=name, type=typ, off=off, size=size, link=link,
                         info=info, align=align, entsize=entsize))
    strtab = secs[shstrndx]
    for s in secs:
        end = data.index(b"\0", strtab["off"] + s["name"])
        s["name"] = data[strtab["off"] + s["name"]:end].decode()
    return secs


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, align = sys.argv[1], int(sys.argv[2])
    data = open(path, "rb").read()
    secs = sections(data)
    pfe = [i for i, s in enumerate(secs) if s["name"] == "__patchable_function_entries"]
    if not pfe:
        print("check-ko.py: %s: no patchable function entries (no ftrace sites)" % path)
        return 0
    rela = [s for s in secs if s["type"] == 4 and s["info"] in pfe]
    bad, n = [], 0
    for r in rela:
        symtab = secs[r["link"]]
        strtab = secs[symtab["link"]]
        for k in range(r["size"] // 24):
            off, info, addend = struct.unpack_from("<QQq", data, r["off"] + k * 24)
            sym = info >> 32
            st_name, st_info, st_other, st_shndx, st_value, st_size = \
                struct.unpack_from("<IBBHQQ", data, symtab["off"] + sym * 24)
            addr = st_value + addend
            tsec = secs[st_shndx] if st_shndx < len(secs) else None
            n += 1
            if align and (addr % align or (tsec and tsec["align"] % align)):
                end = data.index(b"\0", strtab["off"] + st_name)
                sname = data[strtab["off"] + st_name:end].decode() or (tsec or {}).get("name", "?")
                bad.append("%s+0x%x (section %s, align %d)" %
                           (sname, addend, tsec["name"] if tsec else "?",
                            tsec["align"] if tsec else 0))
    if bad:
        print("check-ko.py: %s: %d of %d patchable entries are not %d-byte aligned; "
              "the kernel (CALL_OPS) would BUG() in ftrace_init_nop() at insmod:"
              % (path, len(bad), n, align), file=sys.stderr)
        for b in bad[:20]:
            print("  " + b, file=sys.stderr)
        return 1
    if align:
        print("check-ko.py: %s: %d patchable entries, all %d-byte aligned" % (path, n, align))
    else:
        print("check-ko.py: %s: %d patchable entries (no alignment required)" % (path, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
