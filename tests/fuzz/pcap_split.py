#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seed a harness's corpus with the frames of classic pcap files.

Usage: tests/fuzz/pcap_split.py OUTDIR FILE.pcap...
Writes OUTDIR/<pcap name>-<n>, one frame each (what the harness gets).
tests/fuzz/corpus/fuzz_roce_parse came from tests/data/rxe/*.pcap.
"""
import os
import struct
import sys


def frames(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        end = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        end = '>'
    else:
        sys.exit(f'{path}: not a classic pcap file')
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        off += 16
        yield data[off:off + incl]
        off += incl


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for path in sys.argv[2:]:
        name = os.path.splitext(os.path.basename(path))[0]
        for i, frame in enumerate(frames(path)):
            with open(os.path.join(out, f'{name}-{i:03d}'), 'wb') as f:
                f.write(frame)


if __name__ == '__main__':
    main()
