#!/usr/bin/env python3
"""Converts an ONNX model from protobuf text format to binary, for the tests.

Usage: onnxtxt2onnx.py IN.onnxtxt OUT.onnx

Comments (`#`) in the text are skipped by protobuf's parser, so lit test files
holding RUN/CHECK lines can be converted as they are. Nothing is checked or
converted: the binary holds exactly what the text says, so that the tests see
the importer's own handling of the model.
"""
import sys

import onnx
from google.protobuf import text_format


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model = onnx.ModelProto()
    with open(sys.argv[1]) as f:
        text_format.Parse(f.read(), model)
    with open(sys.argv[2], "wb") as f:
        f.write(model.SerializeToString())


if __name__ == "__main__":
    main()
