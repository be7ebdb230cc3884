#!/usr/bin/env python3
"""Writes and checks the tensor files of the incept-run tests.

Usage:
  tensor_file.py write FILE EXPR [--dtype float32|float64] [--float-data]
      Evaluates the NumPy expression EXPR (`np` is numpy) and saves it as a
      .npy or .pb (ONNX TensorProto) file, by FILE's extension. A .pb file
      keeps its elements in raw_data, or in float_data/double_data with
      --float-data.
  tensor_file.py check FILE EXPR
      Reads FILE and exits 1 unless it holds exactly EXPR as float32, with
      the same shape. Prints what it found either way.
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def save(path, array, float_data):
    if path.endswith(".npy"):
        np.save(path, array)
        return
    if float_data:
        dtype = {np.dtype("float32"): onnx.TensorProto.FLOAT,
                 np.dtype("float64"): onnx.TensorProto.DOUBLE}[array.dtype]
        proto = onnx.helper.make_tensor("t", dtype, array.shape,
                                        array.flatten().tolist())
    else:
        proto = numpy_helper.from_array(array, "t")
    with open(path, "wb") as f:
        f.write(proto.SerializeToString())


def load(path):
    if path.endswith(".npy"):
        return np.load(path)
    proto = onnx.TensorProto()
    with open(path, "rb") as f:
        proto.ParseFromString(f.read())
    return numpy_helper.to_array(proto)


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("command", choices=["write", "check"])
    parser.add_argument("file")
    parser.add_argument("expr")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--float-data", action="store_true")
    args = parser.parse_args()
    expected = np.asarray(eval(args.expr, {"np": np}), dtype=args.dtype)
    if args.command == "write":
        save(args.file, expected, args.float_data)
        return
    found = load(args.file)
    print(f"{args.file}: {found.dtype} {list(found.shape)} {found.flatten().tolist()}")
    if (found.dtype != expected.dtype or found.shape != expected.shape
            or not np.array_equal(found, expected)):
        sys.exit(f"expected {expected.dtype} {list(expected.shape)} "
                 f"{expected.flatten().tolist()}")


if __name__ == "__main__":
    main()
