#!/usr/bin/env python3
"""Writes a .npy file with the header text given, for the bad-header tests.

Usage: raw_npy.py OUT HEADER [--version MAJOR] [--data-bytes N]

HEADER is the dict literal exactly as it should appear (NumPy would refuse
to write most of the ones the tests need); it is padded and framed as NumPy
does for the version given, and followed by N zero bytes of data.
"""
import argparse
import struct


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("out")
    parser.add_argument("header")
    parser.add_argument("--version", type=int, default=1)
    parser.add_argument("--data-bytes", type=int, default=0)
    args = parser.parse_args()
    length_format = "<H" if args.version == 1 else "<I"
    preamble = 6 + 2 + struct.calcsize(length_format)
    header = args.header.encode("latin1")
    padding = -(preamble + len(header) + 1) % 64
    header += b" " * padding + b"\n"
    with open(args.out, "wb") as f:
        f.write(b"\x93NUMPY" + bytes([args.version, 0]))
        f.write(struct.pack(length_format, len(header)))
        f.write(header)
        f.write(b"\0" * args.data_bytes)


if __name__ == "__main__":
    main()
