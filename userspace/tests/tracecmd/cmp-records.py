#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cmp-records.py A.vtr B.vtr - do two vgic-trace files hold the same
records, byte for byte, as a multiset? (trace-cmd and /dev/vgic_trace
order records of different CPUs differently, so both are sorted by
timestamp, size and bytes first.) The records are read by the library's
own reader through `vt-count --raw` (any file format; $VT_COUNT, default
build/host/vt-count, made by `make -C bpf/tests`). Exit 0 when identical,
1 when not (the first differing record is printed), 2 on a bad file."""
import os
import struct
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
VT_COUNT = os.environ.get('VT_COUNT', os.path.join(TOP, 'build', 'host', 'vt-count'))


def records(path):
    p = subprocess.run([VT_COUNT, '--raw', path], capture_output=True)
    if p.returncode:
        print('%s: %s' % (path, p.stderr.decode().strip()))
        sys.exit(2)
    data, off, out = p.stdout, 0, []
    while off + 4 <= len(data):
        size = struct.unpack_from('<H', data, off + 2)[0]
        if size < 24:
            print('%s: bad record size %d at %d' % (path, size, off))
            sys.exit(2)
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
