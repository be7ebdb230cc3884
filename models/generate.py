#!/usr/bin/env python3
"""Generates the Inception family as ONNX files with seeded random weights.

    /usr/bin/python3 models/generate.py NAME [NAME ...] | --all  --out DIR
        [--opset 13] [--batch 1] [--seed 0] [--force] [--list]

For each model, DIR receives NAME.onnx (batch dimension dynamic, named N),
NAME.input.npy (float32, [batch, 3, size, size]) and, for every graph output
OUT, NAME.OUT.ref32.npy and NAME.OUT.ref64.npy: PyTorch's output for that
input in float32 and in float64 (same weights). Up-to-date files are kept.
"""
import argparse
import collections
import glob
import os
import sys
import time

import numpy as np
import onnx
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from bn_inception import BNInception  # noqa: E402
from inception_resnet import inception_resnet_v1, inception_resnet_v2  # noqa: E402
from inception_v1 import InceptionV1  # noqa: E402
from inception_v4 import InceptionV4  # noqa: E402


def googlenet():
    return torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False,
                                        transform_input=False)


def inception_v3():
    return torchvision.models.inception_v3(weights=None, aux_logits=False,
                                           init_weights=False, transform_input=False)


# name -> (constructor, input size, graph output names)
MODELS = {
    "googlenet": (googlenet, 224, ["output"]),
    "inception_v1": (InceptionV1, 224, ["output", "aux1", "aux2"]),
    "bn_inception": (BNInception, 224, ["output"]),
    "inception_v3": (inception_v3, 299, ["output"]),
    "inception_v4": (InceptionV4, 299, ["output"]),
    "inception_resnet_v1": (inception_resnet_v1, 299, ["output"]),
    "inception_resnet_v2": (inception_resnet_v2, 299, ["output"]),
}

# What an Inception model may contain once exported; anything else (Shape,
# Gather, ... chains) means a definition that does not export statically.
ALLOWED_OPS = {"Conv", "BatchNormalization", "Relu", "MaxPool", "AveragePool", "Pad", "Concat",
               "GlobalAveragePool", "Flatten", "Gemm", "LRN", "Add", "Mul", "Dropout",
               "Identity", "Constant", "Reshape", "Softmax"}


def generate(name, out, opset, batch, seed, force):
    build, size, outputs = MODELS[name]
    stem = os.path.join(out, name)
    files = [stem + ".onnx", stem + ".input.npy"] + [
        f"{stem}.{o}.ref{bits}.npy" for o in outputs for bits in (32, 64)]
    sources = glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "*.py"))
    if not force and common.up_to_date(files, sources):
        print(f"{name}: up to date")
        return
    start = time.time()
    model = common.seed_weights(build().eval(), seed)
    x = common.make_input(seed, batch, size)
    common.export(model, x, stem + ".onnx", opset, outputs)
    graph = onnx.load(stem + ".onnx")
    onnx.checker.check_model(graph)
    counts = collections.Counter(node.op_type for node in graph.graph.node)
    unexpected = set(counts) - ALLOWED_OPS
    if unexpected:
        raise SystemExit(f"{name}: unexpected ops in the export: {sorted(unexpected)}")
    out32, out64 = common.references(model, x)
    np.save(stem + ".input.npy", x)
    for output, y32, y64 in zip(outputs, out32, out64):
        np.save(f"{stem}.{output}.ref32.npy", y32)
        np.save(f"{stem}.{output}.ref64.npy", y64)
    y32, y64 = out32[0], out64[0]
    relative = np.abs(y32 - y64).max() / np.abs(y64).max()
    params = sum(p.numel() for p in model.parameters()) / 1e6
    ops = ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
    print(f"{name}: opset {opset}, {params:.1f} M params, max|y| {np.abs(y64).max():.3g}, "
          f"fp32 vs fp64 {relative:.1e}, {time.time() - start:.1f} s\n  {ops}")
    if not np.isfinite(y64).all() or not 1e-2 < np.abs(y64).max() < 1e4:
        raise SystemExit(f"{name}: badly conditioned output (max |y| {np.abs(y64).max():.3g})")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--out", default="build/models")
    parser.add_argument("--opset", type=int, default=13, choices=range(10, 18))
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    if args.list:
        print("\n".join(MODELS))
        return
    names = list(MODELS) if args.all else args.names
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        parser.error(f"name models from: {', '.join(MODELS)} (unknown: {unknown})")
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    for name in names:
        generate(name, args.out, args.opset, args.batch, args.seed, args.force)


if __name__ == "__main__":
    main()
