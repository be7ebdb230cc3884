#!/usr/bin/env python3
"""Checks classify's top-5 list against a reference output (.npy).

Usage: check_top5.py CLASSIFY_OUTPUT.txt REFERENCE.npy

For every image of the reference batch, the classes must be the reference's
five highest, in order, and each score must match the reference within 1e-3
of the largest magnitude in that image's scores.
"""
import re
import sys

import numpy as np


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    reference = np.load(sys.argv[2])
    reference = reference.reshape(reference.shape[0], -1)
    lines = open(sys.argv[1]).read().splitlines()
    images = {}
    image = None
    for line in lines:
        header = re.match(r"image (\d+): top", line)
        if header:
            image = int(header.group(1))
            images[image] = []
        entry = re.match(r"\s+\d+\. class (\d+): (\S+)", line)
        if entry and image is not None:
            images[image].append((int(entry.group(1)), float(entry.group(2))))
    failures = []
    for i, scores in enumerate(reference):
        expected = [int(c) for c in np.argsort(-scores, kind="stable")[:5]]
        got = images.get(i, [])
        if [c for c, _ in got] != expected:
            failures.append(f"image {i}: classes {[c for c, _ in got]}, expected {expected}")
            continue
        tolerance = 1e-3 * max(1.0, float(np.abs(scores).max()))
        for c, score in got:
            if abs(score - scores[c]) > tolerance:
                failures.append(f"image {i}: class {c} scores {score}, expected {scores[c]}")
    if len(images) != len(reference):
        failures.append(f"{len(images)} images printed, the reference has {len(reference)}")
    if failures:
        sys.exit("\n".join(failures))
    print(f"top-5 of {len(reference)} image(s) match {sys.argv[2]}")


if __name__ == "__main__":
    main()
