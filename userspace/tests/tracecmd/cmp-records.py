#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cmp-records.py A.vtr B.vtr - do two vgic-trace files hold the same
records, byte for byte, as a multiset? (trace-cmd and /dev/vgic_trace
order records of different CPUs differently, so both are sorted by
timestamp, size and bytes first.) Reads the chunk layout of
userspace/lib/vt_tracefile.h; little-endian files only. Exit 0 when
identical, 1 when not (the first differing record is printed), 2 on a
bad file."""
import struct
import sys


def records(path):
    data = open(path, 'rb').read()
    if data[:8] != b'VGICTRC1':
        sys.exit('%s: not a vgic-trace file' % path)
    off, out = struct.unpack_from('<I', data, 12)[0], []
    while off + 32 <= len(data):
        _magic, flags, length, _nr, _seq, _crc, _hcrc = struct.unpack_from('<IIIIQII', data, off)
        off += 32
        if flags & 1:
            return out
        end = off + length
        while off < end:
            size = struct.unpack_from('<H', data, off + 2)[0]
            if size < 24:
                sys.exit('%s: bad record size %d at %d' % (path, size, off))
            out.append(data[off:off + size])
            off += size
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    key = lambda r: (struct.unpack_from('<Q', r, 8)[0], len(r), r)
    a = sorted(records(sys.argv[1]), key=key)
    b = sorted(records(sys.argv[2]), key=key)
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            print('record %d differs: type %d ts %d vs type %d ts %d' %
                  (i, struct.unpack_from('<H', x)[0], key(x)[0],
                   struct.unpack_from('<H', y)[0], key(y)[0]))
            return 1
    print('%d and %d records%s' % (len(a), len(b), ', identical' if len(a) == len(b) else ''))
    return 0 if len(a) == len(b) else 1


if __name__ == '__main__':
    sys.exit(main())
