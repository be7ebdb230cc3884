#!/usr/bin/env python3
"""Writes a small binary ONNX model whose conv weight is ONNX external data.

Usage: make_external_data_model.py MODEL.onnx --location LOC
           [--offset N] [--length N] [--data FILE [--data-offset N] [--data-size N]]

The model is x[1,3,2,2] -> Conv(w[2,3,1,1]) -> y[1,2,2,2]; w is stored
externally at LOC (written into the TensorProto as it is given, so tests can
use absolute paths, '..' and links), with the optional offset and length
entries. With --data, the weight bytes (the floats 1..6, little-endian) are
written to FILE after --data-offset zero bytes, cut to --data-size bytes in
all if given. The external data is set by hand (data_location/external_data),
not by onnx.external_data_helper, so nothing is checked or normalised here.
"""
import argparse
import struct

import onnx
from onnx import TensorProto, helper

WEIGHTS = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--location", required=True)
    parser.add_argument("--offset", type=int)
    parser.add_argument("--length", type=int)
    parser.add_argument("--data")
    parser.add_argument("--data-offset", type=int, default=0)
    parser.add_argument("--data-size", type=int)
    args = parser.parse_args()

    weight = TensorProto()
    weight.name = "w"
    weight.data_type = TensorProto.FLOAT
    weight.dims.extend([2, 3, 1, 1])
    weight.data_location = TensorProto.EXTERNAL
    entries = [("location", args.location)]
    if args.offset is not None:
        entries.append(("offset", str(args.offset)))
    if args.length is not None:
        entries.append(("length", str(args.length)))
    for key, value in entries:
        entry = weight.external_data.add()
        entry.key = key
        entry.value = value

    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
        "external_data",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 2, 2])],
        initializer=[weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    with open(args.model, "wb") as f:
        f.write(model.SerializeToString())

    if args.data:
        data = bytes(args.data_offset) + struct.pack("<6f", *WEIGHTS)
        if args.data_size is not None:
            data = data[: args.data_size]
        with open(args.data, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
