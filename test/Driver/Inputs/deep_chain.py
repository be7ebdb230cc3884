"""Writes a chain of N Relu nodes at opset 13: `deep_chain.py N OUT.onnx`."""
import sys

import onnx
from onnx import TensorProto, helper

count, path = int(sys.argv[1]), sys.argv[2]
nodes = [helper.make_node("Relu", [f"t{i}"], [f"t{i + 1}"], name=f"relu{i}")
         for i in range(count)]
graph = helper.make_graph(
    nodes, "deep_chain",
    [helper.make_tensor_value_info("t0", TensorProto.FLOAT, [1, 4])],
    [helper.make_tensor_value_info(f"t{count}", TensorProto.FLOAT, [1, 4])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.save(model, path)
