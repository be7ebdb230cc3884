"""What every family model shares: layers, seeded weights, export, references.

Weights come from NumPy's seeded generator only (never torch's RNG or torch's
init functions): every tensor of `model.state_dict()` gets its own generator,
seeded from the model seed and the tensor's name, and is drawn in float64, so
any PyTorch (and NumPy >= 1.17) version rebuilds the identical model.
"""
import collections
import json
import os
import zlib

import numpy as np
import torch
from torch import nn

# What an Inception model may contain once exported; anything else (Shape,
# Gather, Unsqueeze ... chains) means a definition that does not export statically.
ALLOWED_OPS = {"Conv", "BatchNormalization", "Relu", "MaxPool", "AveragePool", "Pad", "Concat",
               "GlobalAveragePool", "Flatten", "Gemm", "LRN", "Add", "Mul", "Dropout",
               "Identity", "Constant", "Reshape", "Softmax"}


class ConvBNReLU(nn.Sequential):
    """Conv + inference BatchNorm + ReLU: the unit of BN-Inception, Inception v4
    and Inception-ResNet (their convs have no bias, except BN-Inception's Caffe
    model)."""

    def __init__(self, cin, cout, kernel, stride=1, padding=0, eps=1e-3, bias=False):
        super().__init__(
            nn.Conv2d(cin, cout, kernel, stride, padding, bias=bias),
            nn.BatchNorm2d(cout, eps=eps),
            nn.ReLU(inplace=False),
        )


class ConvReLU(nn.Sequential):
    """Conv with bias + ReLU: the unit of the original (2014) GoogLeNet."""

    def __init__(self, cin, cout, kernel, stride=1, padding=0):
        super().__init__(nn.Conv2d(cin, cout, kernel, stride, padding), nn.ReLU(inplace=False))


def global_pool_flatten(x):
    """Global average pooling + flatten; exports as GlobalAveragePool + Flatten
    (never x.view(x.size(0), -1), which exports a Shape/Gather chain)."""
    return torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)


def rng(seed, name):
    """The generator of one named tensor: NumPy's PCG64 seeded through a
    SeedSequence from (model seed, CRC-32 of the name)."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


# Distributions of the seeded weights (see seed_weights).
BIAS_STD = 0.01
BN_GAMMA = (0.5, 1.5)
BN_BETA_STD = 0.05
BN_MEAN_STD = 0.05
BN_VAR = (0.5, 1.5)


def draw(seed, name, module, attr, shape):
    """float64 values of tensor `name` (attribute `attr` of `module`)."""
    r = rng(seed, name)
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        if attr == "weight":  # He scaling: std = sqrt(2 / fan_in)
            return r.standard_normal(shape) * np.sqrt(2.0 / np.prod(shape[1:]))
        return r.standard_normal(shape) * BIAS_STD
    if isinstance(module, nn.BatchNorm2d):
        if attr == "weight":
            return r.uniform(*BN_GAMMA, shape)
        if attr == "bias":
            return r.standard_normal(shape) * BN_BETA_STD
        if attr == "running_mean":
            return r.standard_normal(shape) * BN_MEAN_STD
        if attr == "running_var":
            return r.uniform(*BN_VAR, shape)
    raise ValueError(f"no rule to draw {name} ({type(module).__name__}.{attr})")


def seed_weights(model, seed):
    """Fill every state_dict tensor (parameters and batch-norm buffers, not
    num_batches_tracked) from its own seeded generator: He-scaled conv/linear
    weights, small biases, and batch-norm statistics near identity (gamma and
    running variance in [0.5, 1.5], small beta and mean) so that deep stacks
    neither explode nor vanish."""
    modules = dict(model.named_modules())
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            owner, _, attr = name.rpartition(".")
            values = draw(seed, name, modules[owner], attr, tuple(tensor.shape))
            tensor.copy_(torch.from_numpy(np.asarray(values, dtype=np.float64)))
    return model


def make_input(seed, batch, size):
    """Standard-normal input [batch, 3, size, size]; the first images of a larger
    batch equal the smaller batch's."""
    return rng(seed, "input").standard_normal((batch, 3, size, size)).astype(np.float32)


def as_tuple(outputs):
    return tuple(outputs) if isinstance(outputs, (tuple, list)) else (outputs,)


def export(model, x, path, opset, output_names):
    """ONNX export with batch-norm nodes kept (PRESERVE on an eval-mode model)
    and a dynamic batch dimension `N` on the input and every output."""
    dynamic = {name: {0: "N"} for name in ["input"] + list(output_names)}
    with torch.no_grad():
        torch.onnx.export(model.eval(), torch.from_numpy(x), path, opset_version=opset,
                          training=torch.onnx.TrainingMode.PRESERVE,
                          do_constant_folding=False, input_names=["input"],
                          output_names=list(output_names), dynamic_axes=dynamic)


def check_onnx(path, output_names):
    """Checker, op whitelist, dynamic batch; returns the op-type counts."""
    import onnx

    model = onnx.load(path)
    onnx.checker.check_model(model)
    counts = collections.Counter(node.op_type for node in model.graph.node)
    for node in model.graph.node:  # subgraphs (If/Loop) would hide ops: there must be none
        if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
               for a in node.attribute):
            raise RuntimeError(f"{path}: node {node.name} has a subgraph")
    unexpected = set(counts) - ALLOWED_OPS
    if unexpected:
        raise RuntimeError(f"{path}: unexpected ops in the export: {sorted(unexpected)}")
    names = [v.name for v in model.graph.output]
    if names != list(output_names):
        raise RuntimeError(f"{path}: outputs {names}, expected {list(output_names)}")
    for value in list(model.graph.input) + list(model.graph.output):
        dim = value.type.tensor_type.shape.dim[0]
        if dim.dim_param != "N":
            raise RuntimeError(f"{path}: {value.name} has a static batch dimension")
    return counts


def references(model, x):
    """The model's outputs for input `x` in float32 and in float64 (the same,
    float32-representable weights)."""
    model.eval()
    with torch.no_grad():
        out32 = [t.numpy() for t in as_tuple(model.float()(torch.from_numpy(x)))]
        out64 = [t.numpy() for t in as_tuple(model.double()(torch.from_numpy(x).double()))]
    model.float()
    return out32, out64


def up_to_date(outputs, sources, stamp, settings):
    """True when every output exists and is newer than every source, and the
    stamp file (written last) records the same settings."""
    if not all(os.path.exists(p) for p in outputs + [stamp]):
        return False
    try:
        with open(stamp) as f:
            if json.load(f) != settings:
                return False
    except ValueError:
        return False
    return min(os.path.getmtime(p) for p in outputs) > max(os.path.getmtime(s) for s in sources)


def write_stamp(stamp, settings):
    with open(stamp, "w") as f:
        json.dump(settings, f, indent=1, sort_keys=True)
        f.write("\n")
