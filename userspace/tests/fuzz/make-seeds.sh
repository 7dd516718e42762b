#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make-seeds.sh - (re)create the committed seed corpora of the libFuzzer
# harnesses from the test scenarios: the scenario texts themselves, the
# trace files `vgic-trace import` makes of them (files over 64 KiB are
# skipped), their chunk payloads as raw record streams, the trace-cmd
# .dat fixtures of tests/tracecmd, and numbers/LR values. Run from anywhere after `make -C userspace`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
cli=${VT_CLI:-$top/build/host/vgic-trace}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
c=$tmp/corpus	# replaces $here/corpus only when everything worked
mkdir -p "$c"/fuzz_scenario "$c"/fuzz_tracefile "$c"/fuzz_tracecmd "$c"/fuzz_raw "$c"/fuzz_numbers
# format 2 seeds (coded records, zstd chunks when libzstd is there)
us=$top/userspace
cc -O1 -std=gnu11 -D_GNU_SOURCE $(make -s -C "$us" --no-print-directory print-fuzz-defs) \
	-I"$top/include/uapi" -I"$us/lib" -o "$tmp/seed_v2" "$here/seed_v2.c" \
	"$top/build/host/libvgictrace.a" $(make -s -C "$us" --no-print-directory print-fuzz-libs) -lm
for s in "$here"/../scenarios/*.txt; do
	n=$(basename "$s" .txt)
	cp "$s" "$c/fuzz_scenario/$n.txt"
	"$cli" import "$s" -o "$tmp/$n.vgt" --force 2>/dev/null
	[ "$(stat -c %s "$tmp/$n.vgt")" -le 65536 ] || continue
	cp "$tmp/$n.vgt" "$c/fuzz_tracefile/$n.vgt"
	"$tmp/seed_v2" "$tmp/$n.vgt" "$c/fuzz_tracefile/$n-v2.vgt"
	"$tmp/seed_v2" "$tmp/$n.vgt" "$c/fuzz_tracefile/$n-v2z.vgt" 3
	# a truncated copy: no end marker
	head -c $(( $(stat -c %s "$tmp/$n.vgt") - 32 )) "$tmp/$n.vgt" > "$c/fuzz_tracefile/$n-trunc.vgt"
	# the payloads (file header 128 bytes, chunk header 32, len at +8)
	python3 - "$tmp/$n.vgt" "$c/fuzz_raw/$n.raw" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off, out = 128, b''
while off + 32 <= len(d):
    ln = struct.unpack_from('<I', d, off + 8)[0]
    out += d[off + 32:off + 32 + ln]
    off += 32 + ln
open(sys.argv[2], 'wb').write(bytes([40]) + out)
PY
done
# trace-cmd recordings for fuzz_tracecmd (libtracecmd + import_tracecmd.c),
# those within -max_len of fuzz-smoke
for d in "$here"/../tracecmd/*.dat; do
	[ "$(stat -c %s "$d")" -le 65536 ] || continue
	cp "$d" "$c/fuzz_tracecmd/tc-$(basename "$d")"
done
i=0
for v in 010 08 0x10 0XfF 250ms 1m 2s 10us 4M 64K 0x1000 18446744073709551615 \
	 18446744073709551616 -1 ' 1' 1x 0x; do
	printf '%s' "$v" > "$c/fuzz_numbers/num$i"
	i=$((i + 1))
done
for v in 1080020000000020 50a0000000000020 9000000000000020 10080020; do
	python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<Q', int('$v', 16)))" \
		> "$c/fuzz_numbers/lr-$v"
done
rm -rf "$here/corpus"
mv "$c" "$here/corpus"
c=$here/corpus
echo "seeds: $(find "$c" -type f | wc -l) files, $(du -sk "$c" | cut -f1) KiB"
