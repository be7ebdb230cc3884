#!/usr/bin/env python3
"""Generates the Inception family as ONNX files with seeded random weights.

    /usr/bin/python3 models/generate.py NAME [NAME ...] | --all  --out DIR
        [--opset 13] [--batch 1] [--seed 0] [--force]
    /usr/bin/python3 models/generate.py --list

For each model NAME, DIR receives:
    NAME.onnx            the model; input `input`, outputs `output` (+ `aux1`,
                         `aux2` for inception_v1), batch dimension dynamic (`N`)
    NAME.input.npy       float32 input [batch, 3, size, size], standard normal
    NAME.ref32.npy       PyTorch's float32 `output` for that input
    NAME.ref64.npy       the same in float64 (same weights, model.double())
    NAME.OUT.ref32.npy / NAME.OUT.ref64.npy   the same for every further output
                         OUT (inception_v1: aux1, aux2)
    NAME.settings.json   opset, batch and seed of these files, written last
A model is skipped when all its files exist, are newer than the scripts in
models/ and were made with the same opset, batch and seed (--force regenerates).
"""
import argparse
import glob
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

torch.set_num_threads(1)

import common  # noqa: E402
from registry import MODELS  # noqa: E402

# Bounds on the reference logits: finite, of moderate size, and float32 close to
# float64 (Inception v4 is known to be worse conditioned with random weights).
MAX_ABS = (0.1, 1e3)
MAX_RELATIVE = {"inception_v4": 1e-3}
DEFAULT_RELATIVE = 1e-4


def ref_path(stem, output, bits):
    return f"{stem}.ref{bits}.npy" if output == "output" else f"{stem}.{output}.ref{bits}.npy"


def files_of(name, out):
    stem = os.path.join(out, name)
    return [stem + ".onnx", stem + ".input.npy"] + [
        ref_path(stem, o, bits) for o in MODELS[name].outputs for bits in (32, 64)]


def generate(name, out, opset, batch, seed, force):
    build, size, outputs = MODELS[name]
    stem = os.path.join(out, name)
    files = files_of(name, out)
    stamp = stem + ".settings.json"
    settings = {"opset": opset, "batch": batch, "seed": seed}
    sources = glob.glob(os.path.join(HERE, "*.py"))
    if not force and common.up_to_date(files, sources, stamp, settings):
        print(f"{name}: up to date")
        return
    if os.path.exists(stamp):
        os.remove(stamp)
    start = time.time()
    model = common.seed_weights(build().eval(), seed)
    x = common.make_input(seed, batch, size)
    common.export(model, x, stem + ".onnx", opset, outputs)
    counts = common.check_onnx(stem + ".onnx", outputs)
    out32, out64 = common.references(model, x)
    np.save(stem + ".input.npy", x)
    for output, y32, y64 in zip(outputs, out32, out64):
        np.save(ref_path(stem, output, 32), y32)
        np.save(ref_path(stem, output, 64), y64)
    params = sum(p.numel() for p in model.parameters())
    print(f"{name}: {size}x{size}, batch {batch}, opset {opset}, {params / 1e6:.2f} M params, "
          f"{time.time() - start:.1f} s")
    print("  ops: " + ", ".join(f"{op} {n}" for op, n in sorted(counts.items())))
    bad = []
    for output, y32, y64 in zip(outputs, out32, out64):
        peak = np.abs(y64).max()
        relative = np.abs(y32 - y64).max() / peak
        print(f"  {output}: shape {list(y64.shape)}, max|y| {peak:.3g}, std {y64.std():.3g}, "
              f"max|y32-y64|/max|y64| {relative:.2e}")
        if not (np.isfinite(y32).all() and np.isfinite(y64).all()):
            bad.append(f"{output} not finite")
        elif not MAX_ABS[0] <= peak <= MAX_ABS[1]:
            bad.append(f"{output} max|y| {peak:.3g} outside {MAX_ABS}")
        elif relative > MAX_RELATIVE.get(name, DEFAULT_RELATIVE):
            bad.append(f"{output} float32 vs float64 {relative:.2e}")
    if bad:
        for f in files:  # do not leave files that look up to date
            if os.path.exists(f):
                os.remove(f)
        raise SystemExit(f"{name}: badly conditioned: {'; '.join(bad)}")
    common.write_stamp(stamp, settings)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME")
    parser.add_argument("--all", action="store_true", help="every model of the family")
    parser.add_argument("--list", action="store_true", help="print the model names and sizes")
    parser.add_argument("--out", default="build/models", help="output folder (build/models)")
    parser.add_argument("--opset", type=int, default=13, choices=range(10, 18), metavar="10..17",
                        help="ONNX opset (13)")
    parser.add_argument("--batch", type=int, default=1, help="batch of the input and references")
    parser.add_argument("--seed", type=int, default=0, help="weight and input seed (0)")
    parser.add_argument("--force", action="store_true", help="regenerate up-to-date models")
    args = parser.parse_args()
    if args.list:
        for name, model in MODELS.items():
            print(f"{name}\t{model.size}\t{','.join(model.outputs)}")
        return
    names = list(MODELS) if args.all else args.names
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        parser.error(f"name models from: {', '.join(MODELS)}"
                     + (f" (unknown: {', '.join(unknown)})" if unknown else ""))
    if args.batch < 1 or args.seed < 0:
        parser.error("--batch must be >= 1 and --seed >= 0")
    os.makedirs(args.out, exist_ok=True)
    total = time.time()
    for name in names:
        generate(name, args.out, args.opset, args.batch, args.seed, args.force)
    print(f"total {time.time() - total:.1f} s")


if __name__ == "__main__":
    main()
