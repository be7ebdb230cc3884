#!/usr/bin/env python3
"""Checks that imported incept IR has as many of each op as the ONNX graph.

Usage: compare_op_counts.py MODEL.onnx IR.mlir [--expect Conv=57 ...]

The ONNX side is counted with the onnx Python package, independently of the
importer; --expect additionally pins an ONNX count to the number the model's
paper or torchvision definition gives, so a generator change cannot silently
shrink what the test covers.
"""
import argparse
import collections
import re
import sys

import onnx

# ONNX op type -> incept op. Pad may fold into a pool and Dropout/Identity
# vanish, so they are not compared.
ONNX_TO_INCEPT = {
    "Conv": "conv",
    "MaxPool": "max_pool",
    "AveragePool": "avg_pool",
    "GlobalAveragePool": "global_avg_pool",
    "Concat": "concat",
    "BatchNormalization": "batch_norm",
    "LRN": "lrn",
    "Relu": "relu",
    "Gemm": "gemm",
    "Add": "add",
    "Mul": "mul",
    "Softmax": "softmax",
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("ir")
    parser.add_argument("--expect", action="append", default=[],
                        help="OnnxOp=N: the ONNX graph must have N of them")
    args = parser.parse_args()

    model = onnx.load(args.model, load_external_data=False)
    onnx_counts = collections.Counter(node.op_type for node in model.graph.node)
    with open(args.ir) as f:
        ir_counts = collections.Counter(re.findall(r"= incept\.(\w+)", f.read()))

    failures = []
    print(f"{'ONNX op':<20} {'ONNX':>6} {'incept':>7}")
    for onnx_op, incept_op in sorted(ONNX_TO_INCEPT.items()):
        n_onnx, n_ir = onnx_counts[onnx_op], ir_counts[incept_op]
        if n_onnx or n_ir:
            print(f"{onnx_op:<20} {n_onnx:>6} {n_ir:>7}")
        if n_onnx != n_ir:
            failures.append(f"{onnx_op}: {n_onnx} in ONNX, {n_ir} incept.{incept_op}")
    unknown = set(ir_counts) - set(ONNX_TO_INCEPT.values()) - {"reshape", "pad"}
    if unknown:
        failures.append(f"unexpected incept ops: {sorted(unknown)}")
    for expectation in args.expect:
        op, count = expectation.split("=")
        if onnx_counts[op] != int(count):
            failures.append(f"the model has {onnx_counts[op]} {op}, expected {count}")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
