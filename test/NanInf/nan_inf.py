"""NaN and ±Inf inputs through every op the importer handles, against ONNX
Runtime: `nan_inf.py --build-dir BUILD [--keep DIR]`.

Each case is a small ONNX model of one op (or a conv with its fused
epilogue), run by ONNX Runtime and by Incept at -O0 and -O3 on the same input,
a seeded normal tensor with NaN, +Inf and -Inf at fixed places (20 channels:
a whole and a partial channel block). Incept must put NaN where ORT does, the
same infinities with the same signs, and the finite values within 1e-4 of
max |ORT|. Prints one line per case and level; exits 1 on any difference.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Where ONNX Runtime 1.30 is not consistent with itself, Incept keeps the one
# rule and the difference is listed here, with why; a listed case that starts
# to match fails too, so that the list stays true.
KNOWN_DIFFERENCES = {
    # ORT's NCHW max pool (the max_pool case) never lets a NaN win, and
    # Incept does the same everywhere. With a conv in the graph ORT runs its
    # NCHWc pool instead, whose maxps lets a NaN through when it is the last
    # tap of a window: here two outputs are NaN in ORT only.
    "concat": "ORT's NCHWc max pool lets a NaN through as a window's last tap",
    # ORT sums LRN's squares with a running sum over the channels: an Inf
    # entering it leaves Inf - Inf = NaN in every later channel of the pixel,
    # far outside the window. Incept sums each window (the ONNX definition).
    "lrn": "ORT's running LRN sum turns an Inf into NaN for the later channels",
}

SRC_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHANNELS, SIZE = 20, 9
RNG = np.random.default_rng(2026)


def weight(name, shape, scale=0.3):
    return numpy_helper.from_array((RNG.standard_normal(shape) * scale).astype(np.float32),
                                   name)


def model(name, nodes, initializers, output_shape, input_shape=(1, CHANNELS, SIZE, SIZE)):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(input_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(output_shape))],
        initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    proto.ir_version = 8
    onnx.checker.check_model(proto)
    return proto


def cases():
    full = (1, CHANNELS, SIZE, SIZE)
    half = (1, CHANNELS, (SIZE + 1) // 2, (SIZE + 1) // 2)
    yield model("conv_relu", [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["y"])],
        [weight("w", (CHANNELS, CHANNELS, 3, 3)), weight("b", (CHANNELS,))], full)
    yield model("conv_1x1", [helper.make_node("Conv", ["x", "w"], ["y"])],
                [weight("w", (CHANNELS, CHANNELS, 1, 1))], full)
    yield model("relu", [helper.make_node("Relu", ["x"], ["y"])], [], full)
    yield model("clip", [helper.make_node("Clip", ["x", "lo", "hi"], ["y"])],
                [numpy_helper.from_array(np.array(-0.5, np.float32), "lo"),
                 numpy_helper.from_array(np.array(0.5, np.float32), "hi")], full)
    yield model("max_pool", [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                                              strides=[2, 2], pads=[1, 1, 1, 1])], [], half)
    yield model("average_pool", [helper.make_node("AveragePool", ["x"], ["y"],
                                                  kernel_shape=[3, 3], pads=[1, 1, 1, 1])],
                [], full)
    yield model("global_average_pool", [helper.make_node("GlobalAveragePool", ["x"], ["y"])],
                [], (1, CHANNELS, 1, 1))
    yield model("batch_norm", [helper.make_node("BatchNormalization",
                                                ["x", "g", "beta", "m", "v"], ["y"])],
                [weight("g", (CHANNELS,)), weight("beta", (CHANNELS,)),
                 weight("m", (CHANNELS,)),
                 numpy_helper.from_array(np.abs(RNG.standard_normal(CHANNELS)).astype(
                     np.float32) + 0.5, "v")], full)
    yield model("lrn", [helper.make_node("LRN", ["x"], ["y"], size=5, alpha=1e-2,
                                         beta=0.75, bias=1.0)], [], full)
    yield model("residual_add", [
        helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c", "x"], ["y"])],
        [weight("w", (CHANNELS, CHANNELS, 3, 3))], full)
    yield model("concat", [
        helper.make_node("Conv", ["x", "w1"], ["a"]),
        helper.make_node("MaxPool", ["x"], ["p"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Concat", ["a", "p"], ["y"], axis=1)],
        [weight("w1", (8, CHANNELS, 1, 1))], (1, CHANNELS + 8, SIZE, SIZE))
    yield model("classifier_softmax", [
        helper.make_node("GlobalAveragePool", ["x"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "w", "b"], ["z"], transB=1),
        helper.make_node("Softmax", ["z"], ["y"], axis=1)],
        [weight("w", (10, CHANNELS)), weight("b", (10,))], (1, 10))


def special_input():
    x = RNG.standard_normal((1, CHANNELS, SIZE, SIZE)).astype(np.float32)
    # NaN, +Inf and -Inf in the first block and in the partial one, in the
    # interior and on the border (where padding meets them).
    x[0, 1, 4, 4] = np.nan
    x[0, 3, 0, 0] = np.inf
    x[0, 5, 8, 2] = -np.inf
    x[0, 17, 2, 6] = np.nan
    x[0, 18, 6, 6] = np.inf
    x[0, 19, 8, 8] = -np.inf
    x[0, 9, 3, 3] = np.inf   # +Inf and -Inf in one pooling window
    x[0, 9, 3, 4] = -np.inf
    return x


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def differences(ours, theirs):
    """What differs, in words; empty when nothing does."""
    if ours.shape != theirs.shape:
        return [f"shape {ours.shape} vs {theirs.shape}"]
    found = []
    nan_ours, nan_theirs = np.isnan(ours), np.isnan(theirs)
    if not np.array_equal(nan_ours, nan_theirs):
        found.append(f"NaN at {np.argwhere(nan_ours & ~nan_theirs).tolist()[:4]} only in "
                     f"Incept, at {np.argwhere(nan_theirs & ~nan_ours).tolist()[:4]} "
                     f"only in ORT")
    inf_ours, inf_theirs = np.isinf(ours), np.isinf(theirs)
    same_inf = inf_ours & inf_theirs
    if not np.array_equal(inf_ours, inf_theirs) or np.any(
            np.sign(ours[same_inf]) != np.sign(theirs[same_inf])):
        found.append(f"infinities differ: Incept {int(inf_ours.sum())}, ORT "
                     f"{int(inf_theirs.sum())}")
    finite = np.isfinite(ours) & np.isfinite(theirs)
    if finite.any():
        scale = max(float(np.abs(theirs[finite]).max()), 1e-30)
        error = float(np.abs(ours[finite] - theirs[finite]).max()) / scale
        if error > 1e-4:
            found.append(f"finite values differ by {error:.2e} of max |ORT|")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--keep", help="write the models and outputs here")
    args = parser.parse_args()
    compiler = os.path.join(args.build_dir, "bin", "incept-compile")
    runner = os.path.join(args.build_dir, "bin", "incept-run")
    ort = os.path.join(SRC_ROOT, "tools", "ort", "run_ort.js")
    work = args.keep or tempfile.mkdtemp(prefix="incept-nan-inf-")
    os.makedirs(work, exist_ok=True)
    x_path = os.path.join(work, "x.npy")
    np.save(x_path, special_input())
    failures = 0
    for proto in cases():
        name = proto.graph.name
        onnx_path = os.path.join(work, f"{name}.onnx")
        onnx.save(proto, onnx_path)
        ort_path = os.path.join(work, f"{name}.ort.npy")
        run(["node", ort, onnx_path, "--input", x_path, "--output", ort_path])
        theirs = np.load(ort_path)
        for level in ("0", "3"):
            library = os.path.join(work, f"{name}-O{level}.so")
            ours_path = os.path.join(work, f"{name}-O{level}.npy")
            run([compiler, onnx_path, f"-O{level}", "-o", library])
            run([runner, library, "--input", x_path, "--output", ours_path])
            found = differences(np.load(ours_path), theirs)
            nans, infs = int(np.isnan(theirs).sum()), int(np.isinf(theirs).sum())
            known = KNOWN_DIFFERENCES.get(name)
            if known and found:
                verdict = f"KNOWN DIFFERENCE ({known}): {'; '.join(found)}"
            elif known:
                verdict = "FAIL: now matches ORT; remove it from KNOWN_DIFFERENCES"
            else:
                verdict = "FAIL " + "; ".join(found) if found else "PASS"
            print(f"{name:20} -O{level}: {verdict} ({nans} NaN, {infs} Inf in ORT's output)")
            failures += verdict.startswith("FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
