#!/usr/bin/python3
"""Fuzz test of the graph optimisation passes: -O3 against -O0 on random models.

    /usr/bin/python3 test/Fuzz/fuzz_passes.py [--seed S] [--count N] [--only I]
        [--build-dir build] [--work-dir DIR] [--keep] [--require-every-pass]

Model I of seed S is built from `np.random.default_rng([S, I])` alone, so
`--seed S --only I` rebuilds exactly the model a failure names. Each model is
a small ONNX graph (opset 13) shaped like Inception blocks, with the patterns
each pass of the -O3 pipeline looks for and their near misses:

- convs of random kernel (1x1, 3x3, 1xN, Nx1, 5x5), stride, pads (asymmetric
  sometimes), group (2 sometimes), dilation (2 sometimes), with and without a
  bias, some followed by a BatchNormalization (fold-batch-norm), a bias Add,
  Relu or Clip (fuse-epilogue);
- Inception blocks: 1x1 heads reading the same tensor, and KxK siblings
  (merge-sibling-convs), 1x1→KxK, 1xN→Nx1 and Nx1→1xN chains and a reduction
  feeding two parallel convs (fuse-conv-chains), max/average pool branches,
  joined by a Concat (concat-in-place), sometimes followed by a
  BatchNormalization (its per-slice fold);
- Inception-ResNet blocks: `Add(x, Mul(conv, s))`, s a scalar or per-channel
  constant (initializer or Constant node), operands in either order, then
  maybe Relu (fold-residual-scale), and plain `Add(x, conv)` residuals;
- near misses: a conv whose raw result is also a graph output (its
  BatchNormalization must stay), a BatchNormalization with no conv producer,
  siblings with different activations;
- LRN (sizes 3, 4, 5) after a transition conv or a standalone pool.

Each model is compiled with `incept-compile -O0` (the simple lowering, itself
checked against ONNX's backend tests: the reference), with `-O3 --stats`
(every pass, the IR verified after each; a verifier failure or crash is an
error exit) and with -O3 less a random subset of the passes (`--disable-pass`;
passes alone and in other company than the full pipeline's), and with
plane-loop convs (even models) or for AVX2 (`--march=znver3`, 8-channel
blocks; odd models); each is run by
`incept-run` on the same random input, and every output must agree with
-O0's: max|y - y0| <= RTOL * max|y0| + ATOL. The `--stats` table
(stderr, a row per pass, `a→b` where a count changed, non-zero bytes saved)
tells which passes changed each model; the summary counts, per generated
feature and per pass, how many models had it.

On a failure the script prints the seed and model index, keeps the model's
files (the ONNX file, input, libraries and outputs) in the work dir and
exits 1. `--require-every-pass` also fails if some pass changed no model (use
it once every pass is implemented: it catches a generator that no longer
exercises a pass). Exits 0 otherwise.
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))
RTOL, ATOL = 1e-4, 1e-5
OPSET = 13


def fail(message):
    print(f"fuzz-passes: error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


try:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError:
    fail("python3-onnx is missing (scripts/setup.sh installs it); run with /usr/bin/python3")


# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------

def out_size(size, kernel, stride, dilation, pad_begin, pad_end):
    return (size + pad_begin + pad_end - dilation * (kernel - 1) - 1) // stride + 1


class ModelBuilder:
    """Builds one random graph; tracks NCHW shapes itself so that it can plan
    pads and branch widths (ONNX shape inference checks them at the end)."""

    def __init__(self, rng):
        self.rng = rng
        self.nodes, self.initializers, self.shapes = [], [], {}
        self.features = collections.Counter()
        self.counter = 0
        self.extra_outputs = []

    # -- helpers ------------------------------------------------------------
    def chance(self, p):
        return bool(self.rng.random() < p)

    def pick(self, options, p=None):
        return options[int(self.rng.choice(len(options), p=p))]

    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, array, prefix="c"):
        name = self.fresh(prefix)
        self.initializers.append(numpy_helper.from_array(np.asarray(array, np.float32), name))
        return name

    def folded_const(self, array, prefix):
        """A constant, sometimes written as an Add or Mul of two constants
        (simplify-graph folds those)."""
        array = np.asarray(array, np.float32)
        if not self.chance(0.3):
            return self.const(array, prefix)
        self.features["constant arithmetic"] += 1
        if self.chance(0.5):
            part = self.rng.normal(0, 0.2, array.shape).astype(np.float32)
            return self.node("Add", [self.const(array - part, prefix), self.const(part, prefix)],
                             array.shape)
        return self.node("Mul", [self.const(array * 2, prefix),
                                 self.const(np.float32(0.5), prefix)], array.shape)

    def node(self, op, inputs, shape, **attrs):
        out = self.fresh(op.lower() + "_")
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        self.shapes[out] = tuple(shape)
        return out

    # -- layers -------------------------------------------------------------
    def conv(self, x, cout, kernel, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1),
             group=1, bias=None):
        n, cin, h, w = self.shapes[x]
        kh, kw = kernel
        fan_in = cin // group * kh * kw
        weight = self.rng.normal(0, np.sqrt(2.0 / fan_in), (cout, cin // group, kh, kw))
        inputs = [x, self.const(weight, "w")]
        if bias is None:
            bias = self.chance(0.7)
        if bias:
            inputs.append(self.const(self.rng.normal(0, 0.2, cout), "b"))
        else:
            self.features["conv without bias"] += 1
        ho = out_size(h, kh, stride[0], dilation[0], pads[0], pads[2])
        wo = out_size(w, kw, stride[1], dilation[1], pads[1], pads[3])
        assert ho >= 1 and wo >= 1, (h, w, kernel, stride, pads, dilation)
        if pads[0] != pads[2] or pads[1] != pads[3]:
            self.features["asymmetric pads"] += 1
        if max(stride) > 1:
            self.features["stride 2"] += 1
        if group > 1:
            self.features["grouped conv"] += 1
        if max(dilation) > 1:
            self.features["dilated conv"] += 1
        kind = "1x1" if kernel == (1, 1) else ("1xN/Nx1" if 1 in kernel else "KxK")
        self.features[f"conv {kind}"] += 1
        return self.node("Conv", inputs, (n, cout, ho, wo), kernel_shape=list(kernel),
                         strides=list(stride), pads=list(pads), dilations=list(dilation),
                         group=group)

    def same_pads(self, kernel, dilation=(1, 1)):
        """Pads that keep the size at stride 1; split unevenly sometimes."""
        pads = [0, 0, 0, 0]
        for axis in range(2):
            total = dilation[axis] * (kernel[axis] - 1)
            begin = total // 2
            if total and self.chance(0.15):
                begin = int(self.rng.integers(0, total + 1))
            pads[axis], pads[axis + 2] = begin, total - begin
        return tuple(pads)

    def pads_to(self, size, target, kernel, stride):
        """Pads [top, left, bottom, right] that make a window of `kernel` at
        `stride` give `target` (H, W) from `size`, each side at most k-1,
        split unevenly sometimes; None if there are none."""
        pads = [0, 0, 0, 0]
        for axis in range(2):
            k = kernel[axis]
            low = max(0, (target[axis] - 1) * stride + k - size[axis])
            high = min(low + stride - 1, 2 * (k - 1))
            if low > high:
                return None
            total = int(self.rng.integers(low, high + 1))
            begin = total // 2
            if self.chance(0.3):
                begin = int(self.rng.integers(max(0, total - (k - 1)), min(total, k - 1) + 1))
            pads[axis], pads[axis + 2] = begin, total - begin
        return tuple(pads)

    def batch_norm(self, x, where):
        n, c, h, w = self.shapes[x]
        self.features[f"batchnorm after {where}"] += 1
        scale = self.rng.uniform(0.5, 1.5, c) * self.pick([1.0, -1.0], p=[0.85, 0.15])
        inputs = [x, self.const(scale, "bn_scale"),
                  self.const(self.rng.normal(0, 0.2, c), "bn_bias"),
                  self.const(self.rng.normal(0, 0.3, c), "bn_mean"),
                  self.const(self.rng.uniform(0.3, 2.0, c), "bn_var")]
        return self.node("BatchNormalization", inputs, self.shapes[x],
                         epsilon=float(self.pick([1e-5, 1e-3])))

    def activation(self, x, kind):
        if kind == "none":
            return x
        self.features[kind] += 1
        if kind == "relu":
            return self.node("Relu", [x], self.shapes[x])
        low, high = self.pick([(0.0, 6.0), (-1.0, 1.0), (0.0, 1.5)])
        return self.node("Clip", [x, self.const(np.float32(low), "min"),
                                  self.const(np.float32(high), "max")], self.shapes[x])

    def unit(self, x, cout, kernel, act, stride=(1, 1), pads=None, dilation=(1, 1),
             group=1, bn=None):
        """conv → [BatchNormalization | bias Add] → activation: one layer."""
        if pads is None:
            pads = self.same_pads(kernel, dilation)
        if bn is None:
            bn = self.chance(0.6)
        bias_add = not bn and self.chance(0.2)
        y = self.conv(x, cout, kernel, stride, pads, dilation, group,
                      bias=False if bn and self.chance(0.8) else None)
        if bn:
            if self.chance(0.08):  # the raw conv result has another user
                self.extra_outputs.append(y)
                self.features["conv with another user"] += 1
            y = self.batch_norm(y, "conv")
        elif bias_add:
            y = self.bias_add(y)
        y = self.activation(y, act)
        if self.chance(0.05):
            op = self.pick(["Identity", "Dropout"])
            self.features[op] += 1
            y = self.node(op, [y], self.shapes[y])
        return y

    def bias_add(self, x):
        c = self.shapes[x][1]
        shape = self.pick([(1, c, 1, 1), (c, 1, 1), ()])
        self.features["bias add " + ("scalar" if shape == () else "per-channel")] += 1
        constant = self.folded_const(self.rng.normal(0, 0.3, shape), "add")
        inputs = [x, constant] if self.chance(0.7) else [constant, x]
        return self.node("Add", inputs, self.shapes[x])

    def pool(self, x, kind, kernel, stride, pads, count_include_pad=None):
        n, c, h, w = self.shapes[x]
        ho = out_size(h, kernel, stride, 1, pads[0], pads[2])
        wo = out_size(w, kernel, stride, 1, pads[1], pads[3])
        attrs = dict(kernel_shape=[kernel, kernel], strides=[stride, stride], pads=list(pads))
        if kind == "AveragePool":
            if count_include_pad is None:
                count_include_pad = self.chance(0.3)
            attrs["count_include_pad"] = int(count_include_pad)
        self.features[kind] += 1
        return self.node(kind, [x], (n, c, ho, wo), **attrs)

    def lrn(self, x):
        """LRN across channels: after a conv or a pool of one, on the blocked
        layout, its window crossing blocks and a partial last one."""
        self.features["lrn"] += 1
        # ONNX's default alpha (1e-4) hides any error in the window's sums
        # below the tolerance: these weigh the sums as much as the bias.
        return self.node("LRN", [x], self.shapes[x], size=self.pick([3, 5, 4]),
                         alpha=float(self.pick([0.5, 1.0, 2.0])),
                         beta=float(self.pick([0.75, 0.5, 0.6])),
                         bias=float(self.pick([1.0, 2.0])))

    def concat(self, xs):
        n, _, h, w = self.shapes[xs[0]]
        assert all(self.shapes[x][2:] == (h, w) for x in xs), [self.shapes[x] for x in xs]
        self.features["concat"] += 1
        return self.node("Concat", xs, (n, sum(self.shapes[x][1] for x in xs), h, w), axis=1)

    def width(self):
        return int(self.rng.integers(2, 13))

    # -- blocks -------------------------------------------------------------
    def transition(self, x):
        """One conv with everything random: the stem, between blocks."""
        n, cin, h, w = self.shapes[x]
        for _ in range(20):
            kernel = self.pick([(1, 1), (3, 3), (5, 5), (1, 3), (3, 1), (1, 5), (5, 1), (2, 2)])
            stride = (2, 2) if min(h, w) >= 8 and self.chance(0.35) else (1, 1)
            dilation = (2, 2) if kernel != (1, 1) and self.chance(0.15) else (1, 1)
            pads = tuple(int(self.rng.integers(0, kernel[i % 2])) for i in range(4))
            if self.chance(0.4):
                pads = (pads[0], pads[1], pads[0], pads[1])
            ho = out_size(h, kernel[0], stride[0], dilation[0], pads[0], pads[2])
            wo = out_size(w, kernel[1], stride[1], dilation[1], pads[1], pads[3])
            if ho >= 3 and wo >= 3:
                break
        else:
            kernel, stride, dilation, pads = (1, 1), (1, 1), (1, 1), (0, 0, 0, 0)
        cout = int(self.rng.integers(4, 17))
        group = 1
        if cin % 2 == 0 and self.chance(0.35):
            group, cout = 2, cout + cout % 2
        act = self.pick(["relu", "clip", "none"], p=[0.6, 0.2, 0.2])
        self.features["block transition"] += 1
        y = self.unit(x, cout, kernel, act, stride, pads, dilation, group)
        return self.lrn(y) if self.chance(0.25) else y

    def branch(self, x, kind, act, raw_end):
        """One Inception branch at stride 1; `raw_end`: the last conv has no
        BatchNormalization or activation (for a BatchNormalization after the
        concat, folded slice by slice)."""
        def last(y, cout, kernel, dilation=(1, 1)):
            if raw_end:
                return self.conv(y, cout, kernel, pads=self.same_pads(kernel, dilation),
                                 dilation=dilation)
            return self.unit(y, cout, kernel, act, dilation=dilation)

        self.features[f"branch {kind}"] += 1
        if kind == "1x1":
            return [last(x, self.width(), (1, 1))]
        if kind == "KxK":  # a KxK sibling of another branch's KxK
            if self.shapes[x][1] % 2 == 0 and self.chance(0.2):  # grouped: no merge
                width = self.width()
                return [self.unit(x, width + width % 2, (3, 3), act, group=2)]
            return [last(x, self.width(), (3, 3))]
        if kind == "1x1>KxK":
            k = self.pick([3, 5])
            dilation = (2, 2) if self.chance(0.1) else (1, 1)
            y = self.unit(x, self.width(), (1, 1), act)
            return [last(y, self.width(), (k, k), dilation)]
        if kind in ("1xN>Nx1", "Nx1>1xN"):
            k = self.pick([3, 5, 7])
            first, second = ((1, k), (k, 1)) if kind == "1xN>Nx1" else ((k, 1), (1, k))
            y = self.unit(x, self.width(), first, act)
            return [last(y, self.width(), second)]
        if kind == "1x1>3x3>3x3":
            y = self.unit(x, self.width(), (1, 1), act)
            y = self.unit(y, self.width(), (3, 3), act)
            return [last(y, self.width(), (3, 3))]
        if kind == "split":  # a reduction feeding two parallel convs (v3)
            y = self.unit(x, self.width(), (1, 1), act)
            return [last(y, self.width(), (1, 3)), last(y, self.width(), (3, 1))]
        if kind == "pool":
            y = self.pool(x, self.block_pool, 3, 1, (1, 1, 1, 1),
                          count_include_pad=self.block_count_include_pad)
            if self.chance(0.2):
                return [y]  # the pool itself is a concat operand
            return [last(y, self.width(), (1, 1))]
        raise AssertionError(kind)

    def inception(self, x):
        kinds = ["1x1", "KxK", "1x1>KxK", "1xN>Nx1", "Nx1>1xN", "1x1>3x3>3x3", "split", "pool"]
        count = int(self.rng.integers(2, 5))
        chosen = [self.pick(kinds) for _ in range(count)]
        if "pool" in chosen and self.chance(0.3):
            chosen.append("pool")
        # Mostly one activation for the block, so that the heads can merge.
        act = self.pick(["relu", "clip", "none"], p=[0.75, 0.1, 0.15])
        raw_end = self.chance(0.25)
        # Pool branches of one block are the same pool: CSE merges them.
        self.block_pool = self.pick(["MaxPool", "AveragePool"])
        self.block_count_include_pad = self.chance(0.3)
        if chosen.count("pool") >= 2:
            self.features["duplicate pools"] += 1
        outputs = []
        for kind in chosen:
            branch_act = act if self.chance(0.85) else self.pick(["relu", "none"])
            outputs += self.branch(x, kind, branch_act, raw_end)
        heads = [k for k in chosen if k in ("1x1", "1x1>KxK", "1x1>3x3>3x3", "split")]
        if len(heads) >= 2:
            self.features["1x1 siblings"] += 1
        if chosen.count("KxK") >= 2:
            self.features["KxK siblings"] += 1
        self.features["block inception"] += 1
        y = self.concat(outputs) if len(outputs) > 1 else outputs[0]
        if raw_end:
            y = self.batch_norm(y, "concat")
            y = self.activation(y, self.pick(["relu", "none"], p=[0.8, 0.2]))
        return y

    def reduction(self, x):
        """Branches at stride 2 to one output size; one of them a pool."""
        n, c, h, w = self.shapes[x]
        ho, wo = (h - 1) // 2 + 1, (w - 1) // 2 + 1  # a 3x3 stride-2 window, pads 1
        act = self.pick(["relu", "none"], p=[0.8, 0.2])
        outputs = [self.pool(x, self.pick(["MaxPool", "AveragePool"]), 3, 2, (1, 1, 1, 1))]
        for _ in range(int(self.rng.integers(1, 3))):
            y = x
            if self.chance(0.5):
                y = self.unit(y, self.width(), (1, 1), act)
            k = self.pick([1, 3, 5])
            pads = self.pads_to((h, w), (ho, wo), (k, k), 2)
            outputs.append(self.unit(y, self.width(), (k, k), act, stride=(2, 2), pads=pads))
        self.features["block reduction"] += 1
        return self.concat(outputs)

    def wide_chain(self, x):
        """A conv with a wide result read only by one or two convs: a chain
        that pays: one image's intermediate is over incept-fuse-conv-chains'
        1 MiB (min-intermediate-bytes, 262144 floats), in bands of 512 KiB
        (passes/Lowering/ConvChainBands.h) that recompute at most 10% of its
        rows, which short consumer windows meet; at stride 1 or 2."""
        n, c, h, w = self.shapes[x]
        cout = int(np.ceil(self.rng.uniform(1.05, 1.6) * 262144 / (h * w)))
        if cout > 768 or min(h, w) < 6:
            return self.inception(x)
        act = self.pick(["relu", "clip", "none"], p=[0.7, 0.15, 0.15])
        first = self.pick([(1, 1), (1, 3), (3, 1), (3, 3)])
        y = self.unit(x, cout, first, act, bn=self.chance(0.7))
        stride = 2 if self.chance(0.3) else 1
        target = ((h - 1) // stride + 1, (w - 1) // stride + 1)
        outputs = []
        for _ in range(self.pick([1, 2], p=[0.6, 0.4])):
            for _ in range(10):
                k = self.pick([3, 5, 7])
                kernel = self.pick([(k, k), (1, k), (k, 1), (1, 1)])
                pads = self.pads_to((h, w), target, kernel, stride)
                if pads is not None:
                    break
            else:
                kernel, pads = (1, 1), self.pads_to((h, w), target, (1, 1), stride)
            outputs.append(self.unit(y, self.width(), kernel, act, stride=(stride, stride),
                                     pads=pads))
        self.features["block wide chain"] += 1
        return self.concat(outputs) if len(outputs) > 1 else outputs[0]

    def residual(self, x):
        """relu?(x + s * up(concat(branches))), as in Inception-ResNet."""
        n, c, h, w = self.shapes[x]
        branches = []
        for _ in range(int(self.rng.integers(1, 4))):
            kind = self.pick(["1x1", "1x1>KxK", "1xN>Nx1"])
            branches += self.branch(x, kind, "relu", raw_end=False)
        y = self.concat(branches) if len(branches) > 1 else branches[0]
        up = self.conv(y, c, (1, 1), bias=self.chance(0.8))
        form = self.pick(["scalar", "per-channel", "constant node", "none"],
                         p=[0.4, 0.25, 0.15, 0.2])
        if form != "none":
            if form == "scalar":
                scale = self.folded_const(np.float32(self.rng.uniform(0.1, 0.3)), "scale")
            elif form == "per-channel":
                shape = self.pick([(1, c, 1, 1), (c, 1, 1)])
                scale = self.folded_const(self.rng.uniform(0.05, 0.5, shape), "scale")
            else:
                scale = self.fresh("scale_node")
                value = numpy_helper.from_array(
                    np.array(self.rng.uniform(0.1, 0.3), np.float32), scale + "_value")
                self.nodes.append(helper.make_node("Constant", [], [scale], name=scale,
                                                   value=value))
            mul_inputs = [up, scale] if self.chance(0.7) else [scale, up]
            up = self.node("Mul", mul_inputs, self.shapes[up])
        self.features[f"residual scale {form}"] += 1
        add_inputs = [x, up] if self.chance(0.6) else [up, x]
        y = self.node("Add", add_inputs, self.shapes[x])
        self.features["block residual"] += 1
        return self.activation(y, self.pick(["relu", "none"], p=[0.75, 0.25]))

    def standalone(self, x):
        """A pool, maybe an LRN, maybe a BatchNormalization with no conv
        producer."""
        n, c, h, w = self.shapes[x]
        y = x
        if min(h, w) >= 6 and self.chance(0.5):
            kernel = self.pick([2, 3])
            pads = tuple(int(self.rng.integers(0, kernel)) for _ in range(4))
            y = self.pool(y, self.pick(["MaxPool", "AveragePool"]), kernel,
                          self.pick([1, 2]), pads)
        if self.chance(0.5):
            y = self.lrn(y)
        if y == x or self.chance(0.6):
            y = self.batch_norm(y, "non-conv")
        self.features["block standalone"] += 1
        return self.activation(y, self.pick(["relu", "none"]))

    def classifier(self, x):
        """GlobalAveragePool, Flatten and a Gemm (transposed weight, bias),
        sometimes a ReLU and a second Gemm: the head of the GoogLeNets
        (incept-gemm-as-conv, and the epilogue it hands to fuse-epilogue)."""
        n, c = self.shapes[x][:2]
        y = self.node("GlobalAveragePool", [x], (n, c, 1, 1))
        y = self.node("Flatten", [y], (n, c), axis=1)
        for layer in range(int(self.rng.integers(1, 3))):
            outputs = int(self.rng.integers(5, 40))
            inputs = self.shapes[y][1]
            weight = self.const(self.rng.normal(0, 1 / np.sqrt(inputs), (outputs, inputs)), "fc")
            bias = self.const(self.rng.normal(0, 0.1, outputs), "fc_bias")
            if layer:
                y = self.node("Relu", [y], self.shapes[y])
                self.features["classifier relu"] += 1
            y = self.node("Gemm", [y, weight, bias], (n, outputs), transB=1)
        self.features["classifier"] += 1
        return y

    def build(self):
        n = self.pick([1, 2], p=[0.8, 0.2])
        c = int(self.rng.integers(3, 25))
        h, w = int(self.rng.integers(5, 21)), int(self.rng.integers(5, 21))
        # A quarter of the models start with a chain wide enough to pay,
        # which takes a larger image than the rest.
        wide = self.chance(0.25)
        if wide:
            h, w = int(self.rng.integers(40, 65)), int(self.rng.integers(40, 65))
        x = "input"
        self.shapes[x] = (n, c, h, w)
        if wide:
            x = self.wide_chain(x)
        elif self.chance(0.7):
            x = self.transition(x)
        blocks = [self.inception, self.residual, self.reduction, self.transition,
                  self.standalone, self.wide_chain]
        for _ in range(int(self.rng.integers(2, 5))):
            block = self.pick(blocks, p=[0.35, 0.2, 0.12, 0.1, 0.08, 0.15])
            if block == self.reduction and min(self.shapes[x][2:]) < 5:
                block = self.inception
            x = block(x)
        if self.chance(0.3):
            x = self.classifier(x)
        outputs = [x] + [o for o in self.extra_outputs if o != x]
        graph = helper.make_graph(
            self.nodes, "fuzz",
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, list(self.shapes["input"]))],
            [helper.make_tensor_value_info(o, TensorProto.FLOAT, list(self.shapes[o]))
             for o in outputs],
            self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="incept-fuzz")
        model.ir_version = 8
        onnx.checker.check_model(model)
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        known = {v.name: tuple(d.dim_value for d in v.type.tensor_type.shape.dim)
                 for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
        for name, shape in self.shapes.items():
            if name in known and known[name] != shape:
                raise AssertionError(f"generator bug: {name} is {known[name]}, planned {shape}")
        return model


def generate(seed, index):
    builder = ModelBuilder(np.random.default_rng([seed, index]))
    model = builder.build()
    return model, builder.features, builder.shapes["input"]


# --------------------------------------------------------------------------
# Compile, run, compare
# --------------------------------------------------------------------------

def run(command, timeout=300):
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, "", f"timed out after {timeout} s"
    return result.returncode, result.stdout, result.stderr


def passes_fired(stats):
    """Pass names whose --stats row shows a change: a count `a→b` or bytes saved."""
    fired = set()
    for line in stats.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0].startswith("incept-") and (
                "→" in line or fields[-1] not in ("0", "")):
            fired.add(fields[0])
    return fired


def configurations(seed, index, pass_names):
    """(name, incept-compile flags) to compare with -O0: the whole -O3
    pipeline, -O3 with a random subset of the passes (each pass kept with
    probability 1/2), which checks passes alone and in other company than
    the full pipeline's, and -O3 with plane-loop convs (even models) or for
    AVX2, znver3 (odd ones)."""
    rng = np.random.default_rng([seed, index, 2])
    kept = [name for name in pass_names if rng.random() < 0.5]
    disabled = [f"--disable-pass={name}" for name in pass_names if name not in kept]
    subset = "O3-only-" + ("+".join(n[len("incept-"):] for n in kept) or "none")
    # Every other model, plane loops everywhere: the strategy of targets
    # without FMA, and the only convs that conv chains are made of; the rest
    # for AVX2, whose blocks of 8 channels make the small widths here span
    # several blocks, a partial last one (AVX-512's 16 mostly one).
    third = (("O3-plane-loops", ["-O3", "--stats", "--disable-pass=select-conv-strategy"])
             if index % 2 == 0 else ("O3-avx2", ["-O3", "--march=znver3"]))
    return [("O3", ["-O3", "--stats"]), (subset, ["-O3"] + disabled), third]


def check_model(args, index, tools, pass_names):
    """Returns (failure message or None, features, passes fired at -O3 (with
    the blocked or the plane-loop convs), the
    largest error as a fraction of the tolerance, the configurations)."""
    compiler, runner = tools
    model, features, input_shape = generate(args.seed, index)
    work = os.path.join(args.work_dir, f"seed{args.seed}-model{index}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    onnx_path = os.path.join(work, "model.onnx")
    onnx.save(model, onnx_path)
    input_path = os.path.join(work, "input.npy")
    rng = np.random.default_rng([args.seed, index, 1])
    np.save(input_path, rng.normal(0, 1, input_shape).astype(np.float32))
    outputs = [o.name for o in model.graph.output]
    configs = configurations(args.seed, index, pass_names)

    fired = set()
    results = {}
    problems, worst = [], 0.0
    for tag, flags in [("O0", ["-O0"])] + configs:
        library = os.path.join(work, f"model_{tag}.so")
        command = [compiler, onnx_path, "-o", library] + flags
        code, out, err = run(command)
        if "--stats" in flags:
            fired |= passes_fired(err)
        if code != 0:
            # The end says what went wrong (a diagnostic, a stack dump).
            lines = err.strip().splitlines()
            problems.append(f"incept-compile {tag} failed (exit {code}):\n"
                            f"$ {' '.join(command)}\n" + "\n".join(lines[-30:]))
            if tag == "O0":
                break  # no reference
            continue
        paths = [os.path.join(work, f"{o}.{tag}.npy") for o in outputs]
        command = [runner, library, "--input", input_path]
        for path in paths:
            command += ["--output", path]
        code, out, err = run(command)
        if code != 0:
            problems.append(f"incept-run {tag} failed (exit {code}):\n$ {' '.join(command)}\n"
                            f"{(out + err).strip()}")
            if tag == "O0":
                break
            continue
        results[tag] = [np.load(p) for p in paths]
        if tag == "O0":
            continue
        for name, y0, y in zip(outputs, results["O0"], results[tag]):
            if y0.shape != y.shape:
                problems.append(f"{tag}: {name}: shape {y.shape}, at -O0 {y0.shape}")
                continue
            if not np.all(np.isfinite(y0)):
                problems.append(f"{name}: non-finite values at -O0 (a generator problem)")
                continue
            scale = float(np.max(np.abs(y0)))
            difference = np.abs(y.astype(np.float64) - y0)
            error = float(np.max(difference))
            worst = max(worst, error / (RTOL * scale + ATOL))
            if not error <= RTOL * scale + ATOL:  # also catches NaN
                where = np.unravel_index(np.argmax(difference), y0.shape)
                problems.append(f"{tag}: {name}: max|y - y0| = {error:.3e} > {RTOL:g} * "
                                f"max|y0| ({scale:.3e}) + {ATOL:g}, worst at {where}: "
                                f"{y[where]:.6g}, at -O0 {y0[where]:.6g}")
    if problems:
        return "\n".join(problems), features, fired, worst, configs
    if not args.keep:
        shutil.rmtree(work)
    return None, features, fired, worst, configs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=40, help="models to try (default 40)")
    parser.add_argument("--only", type=int, metavar="I", help="just model I of the seed")
    parser.add_argument("--build-dir", default=os.path.join(SRC_ROOT, "build"))
    parser.add_argument("--work-dir", help="default: BUILD_DIR/test/Fuzz")
    parser.add_argument("--keep", action="store_true", help="keep every model's files")
    parser.add_argument("--require-every-pass", action="store_true",
                        help="fail if some optimisation pass changed no model")
    args = parser.parse_args()

    build = os.path.abspath(args.build_dir)
    tools = (os.path.join(build, "bin", "incept-compile"), os.path.join(build, "bin", "incept-run"))
    for tool in tools:
        if not os.access(tool, os.X_OK):
            fail(f"{tool} is missing: build it first")
    args.work_dir = os.path.abspath(args.work_dir or os.path.join(build, "test", "Fuzz"))
    os.makedirs(args.work_dir, exist_ok=True)
    # Every pass's name, from the compiler itself (it lists them when it
    # rejects an unknown --disable-pass).
    _, _, err = run([tools[0], "--disable-pass=?", "-o", os.devnull, os.devnull])
    listed = re.search(r"the passes are (.*)", err)
    if not listed:
        fail(f"incept-compile did not list its passes: {err.strip()}")
    pass_names = [p.strip() for p in listed.group(1).split(",")]

    indices = [args.only] if args.only is not None else range(args.count)
    feature_models, pass_models = collections.Counter(), collections.Counter()
    failures = []
    largest = 0.0  # the largest error seen, as a fraction of the tolerance
    start = time.monotonic()
    for index in indices:
        model_start = time.monotonic()
        failure, features, fired, worst, configs = check_model(args, index, tools, pass_names)
        largest = max(largest, worst)
        feature_models.update(features.keys())
        pass_models.update(fired)
        status = "FAIL" if failure else "ok"
        print(f"[{status}] seed {args.seed} model {index} ({time.monotonic() - model_start:.1f} s,"
              f" error {worst:.2f} of the tolerance):"
              f" {', '.join(f'{f} x{n}' for f, n in sorted(features.items()))}", flush=True)
        print(f"    passes that changed it at -O3: {', '.join(sorted(fired)) or 'none'}; "
              f"also compared: {configs[1][0]}", flush=True)
        if failure:
            print("    " + failure.replace("\n", "\n    "), flush=True)
            print(f"    reproduce: {sys.argv[0]} --seed {args.seed} --only {index} --keep "
                  f"--build-dir {build}; "
                  f"files in {os.path.join(args.work_dir, f'seed{args.seed}-model{index}')}",
                  flush=True)
            failures.append(index)

    print(f"\nmodels with each feature (of {len(indices)}):")
    for feature, n in sorted(feature_models.items()):
        print(f"  {feature:32} {n:4}")
    print(f"models each pass changed (of {len(indices)}):")
    for name in pass_names:
        print(f"  {name:32} {pass_models[name]:4}")
    idle = [name for name in pass_names if not pass_models[name]]
    if idle:
        print(f"{'FAIL' if args.require_every_pass else 'note'}: no model changed by "
              f"{', '.join(idle)}")
    print(f"largest error: {largest:.3f} of the tolerance ({RTOL:g} * max|y0| + {ATOL:g})")
    print(f"time: {time.monotonic() - start:.1f} s")
    if failures:
        print(f"FAIL: seed {args.seed}, models {', '.join(map(str, failures))}")
        return 1
    if idle and args.require_every_pass:
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
