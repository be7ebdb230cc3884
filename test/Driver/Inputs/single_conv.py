"""Writes an ONNX model of one Conv + Relu with seeded random weights.

    single_conv.py OUT.onnx C F H W K [STRIDE]

The input is [1, C, H, W], the weight [F, C, K, K] with pads K // 2."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out, c, f, h, w, k = sys.argv[1], *map(int, sys.argv[2:7])
stride = int(sys.argv[7]) if len(sys.argv) > 7 else 1
rng = np.random.default_rng(0)
weight = numpy_helper.from_array((rng.standard_normal((f, c, k, k)) * 0.1).astype(np.float32), "w")
bias = numpy_helper.from_array(rng.standard_normal(f).astype(np.float32), "b")
oh, ow = (h + 2 * (k // 2) - k) // stride + 1, (w + 2 * (k // 2) - k) // stride + 1
graph = helper.make_graph(
    [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[k // 2] * 4,
                      strides=[stride, stride]),
     helper.make_node("Relu", ["c"], ["y"], name="relu")],
    "single_conv",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, w])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, f, oh, ow])],
    [weight, bias])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), out)
