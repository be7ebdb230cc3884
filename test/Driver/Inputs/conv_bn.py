"""Writes an ONNX model whose weights the compiler folds and packs: Conv with
bias → BatchNormalization → Relu, then three 1x1 Conv siblings: `left` plus
`scaled` times 0.25 (the residual scale folds into `scaled`'s weights), and
`right`, merged with `left` (it has no bias, so zeros stand in for one),
concatenated; seeded random weights.

    conv_bn.py OUT.onnx SEED [F]

The input is [1, 8, 6, 6]; F (default 32) is the first conv's filters. Two
seeds give two models of the same graph (a model and its fine-tuned weights);
another F gives tensors of other shapes under the same names."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out, seed = sys.argv[1], int(sys.argv[2])
f = int(sys.argv[3]) if len(sys.argv) > 3 else 32
rng = np.random.default_rng(seed)


def tensor(name, shape, scale=0.1, offset=0.0):
    values = rng.standard_normal(shape) * scale + offset
    return numpy_helper.from_array(values.astype(np.float32), name)


initializers = [
    tensor("conv.weight", (f, 8, 3, 3)), tensor("conv.bias", (f,)),
    tensor("bn.scale", (f,), 0.2, 1.0), tensor("bn.shift", (f,)),
    tensor("bn.mean", (f,)), numpy_helper.from_array(
        (rng.random(f) + 0.5).astype(np.float32), "bn.var"),
    tensor("left.weight", (24, f, 1, 1)), tensor("left.bias", (24,)),
    tensor("right.weight", (24, f, 1, 1)),
    tensor("scaled.weight", (24, f, 1, 1)), tensor("scaled.bias", (24,)),
    numpy_helper.from_array(np.array(0.25, np.float32), "scale"),
]
graph = helper.make_graph(
    [helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name="conv",
                      pads=[1, 1, 1, 1]),
     helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.shift", "bn.mean",
                                             "bn.var"], ["n"], name="bn", epsilon=1e-3),
     helper.make_node("Relu", ["n"], ["r"], name="relu"),
     helper.make_node("Conv", ["r", "left.weight", "left.bias"], ["left"], name="left"),
     helper.make_node("Conv", ["r", "right.weight"], ["right"], name="right"),
     helper.make_node("Conv", ["r", "scaled.weight", "scaled.bias"], ["scaled"],
                      name="scaled"),
     helper.make_node("Mul", ["scaled", "scale"], ["product"], name="mul"),
     helper.make_node("Add", ["left", "product"], ["sum"], name="add"),
     helper.make_node("Concat", ["sum", "right"], ["y"], name="concat", axis=1)],
    "conv_bn",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 6, 6])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 48, 6, 6])],
    initializers)
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), out)
