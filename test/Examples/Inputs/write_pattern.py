#!/usr/bin/env python3
"""Writes classify's built-in input pattern to a file, as .npy and raw float32.

Usage: write_pattern.py OUT_PREFIX D0 D1 ...  (writes OUT_PREFIX.npy and .raw)

The pattern is (37 i mod 101) / 50 - 1 for element i, the same numbers
examples/classify.c and examples/host.cpp use when given no input, so that a
run on the file must print what a run without one prints.
"""
import sys

import numpy as np


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    shape = [int(d) for d in sys.argv[2:]]
    index = np.arange(np.prod(shape), dtype=np.int64)
    pattern = ((index * 37) % 101).astype(np.float32) / np.float32(50) - np.float32(1)
    pattern = pattern.reshape(shape)
    np.save(sys.argv[1] + ".npy", pattern)
    pattern.tofile(sys.argv[1] + ".raw")


if __name__ == "__main__":
    main()
