#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets (test/Fuzz/CMakeLists.txt).

  make_seeds.py --source-dir SRC --models-dir MODELS --out DIR

DIR/<target>/ gets, for
  onnx-text          every .onnxtxt model of the lit tests;
  onnx               the same in binary (those that parse), ONNX's backend node-test models,
                     a Conv whose weight is external data in the fuzz target's weights.bin, and
                     the family models with their weights stripped (each
                     initializer made a graph input of its shape, so that the
                     graph is whole but a few kilobytes);
  npy                NumPy arrays of every dtype incept-run reads, and some it
                     refuses, in .npy versions 1.0, 2.0 and 3.0;
  tensor-proto       TensorProtos of ONNX's backend test data;
  model-description  fixed pseudo-random byte strings (NumPy's seeded generator);
  weights-file       a weights file of the fuzz target's manifest (conv.weight
                     [2, 3, 1, 1], conv.bias [4]), its manifest alone, and one of
                     other shapes.
Deterministic: the same files on every run.
"""
import argparse
import glob
import io
import os
import shutil

import numpy as np
import onnx
from google.protobuf import text_format

FAMILY = ["googlenet", "inception_v1", "bn_inception", "inception_v3", "inception_v4",
          "inception_resnet_v1", "inception_resnet_v2"]
NODE_TESTS = "/usr/share/libonnx-testdata/data/node"


def fresh(directory):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    return directory


def strip_weights(model):
    """The initializers become graph inputs of the same type and shape."""
    graph = model.graph
    declared = {i.name for i in graph.input}
    for tensor in graph.initializer:
        if tensor.name not in declared:
            graph.input.append(onnx.helper.make_tensor_value_info(
                tensor.name, tensor.data_type, list(tensor.dims)))
    del graph.initializer[:]
    return model


def onnx_seeds(source_dir, models_dir, out):
    text_dir = fresh(os.path.join(out, "onnx-text"))
    binary_dir = fresh(os.path.join(out, "onnx"))
    texts = sorted(glob.glob(os.path.join(source_dir, "test", "**", "*.onnxtxt"),
                             recursive=True))
    for path in texts:
        name = os.path.relpath(path, source_dir).replace(os.sep, "_")
        shutil.copy(path, os.path.join(text_dir, name))
        model = onnx.ModelProto()
        try:
            with open(path) as f:
                text_format.Parse(f.read(), model)
        except text_format.ParseError:
            continue  # a lit test of a malformed text file
        with open(os.path.join(binary_dir, name[:-len("txt")]), "wb") as f:
            f.write(model.SerializeToString())
    for path in sorted(glob.glob(os.path.join(NODE_TESTS, "*", "model.onnx"))):
        shutil.copy(path, os.path.join(binary_dir,
                                       os.path.basename(os.path.dirname(path)) + ".onnx"))
    # External data in weights.bin, the one file of the fuzz target's model
    # directory (4 KiB): a Conv's weight at an offset.
    weight = onnx.TensorProto()
    weight.name, weight.data_type = "w", onnx.TensorProto.FLOAT
    weight.dims.extend([2, 3, 3, 3])
    weight.data_location = onnx.TensorProto.EXTERNAL
    for key, value in [("location", "weights.bin"), ("offset", "128"), ("length", "216")]:
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])],
        "external_data",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 3, 4, 4])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 2, 4, 4])],
        initializer=[weight])
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 17)])
    model.ir_version = 8
    with open(os.path.join(binary_dir, "external_data.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for name in FAMILY:
        path = os.path.join(models_dir, name + ".onnx")
        if os.path.exists(path):
            model = strip_weights(onnx.load(path))
            with open(os.path.join(binary_dir, "family_" + name + ".onnx"), "wb") as f:
                f.write(model.SerializeToString())
    return len(texts)


def npy_seeds(out):
    directory = fresh(os.path.join(out, "npy"))
    rng = np.random.default_rng(13)
    arrays = {
        "f4_image": rng.standard_normal((1, 3, 4, 4)).astype("<f4"),
        "f8_vector": rng.standard_normal(5).astype("<f8"),
        "i1": rng.integers(-128, 127, (2, 3), dtype="i1"),
        "u1": rng.integers(0, 255, (3,), dtype="u1"),
        "i4": rng.integers(-1000, 1000, (2, 2), dtype="<i4"),
        "i8": rng.integers(-1000, 1000, (4,), dtype="<i8"),
        "b1": rng.integers(0, 2, (3, 1), dtype="u1").astype("?"),
        "scalar": np.float32(3.5).reshape(()),
        "empty": np.zeros((0, 3), dtype="<f4"),
        "nan_inf": np.array([np.nan, np.inf, -np.inf, -0.0], dtype="<f4"),
        # Refused by the reader, kept so the fuzzer starts on those paths too.
        "big_endian": np.arange(4, dtype=">f4"),
        "f2": np.arange(4, dtype="<f2"),
        "fortran": np.asfortranarray(rng.standard_normal((2, 3)).astype("<f4")),
    }
    for name, array in arrays.items():
        for version in [(1, 0), (2, 0), (3, 0)]:
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, version=version)
            with open(os.path.join(directory, f"{name}_v{version[0]}.npy"), "wb") as f:
                f.write(buffer.getvalue())


def tensor_proto_seeds(out):
    directory = fresh(os.path.join(out, "tensor-proto"))
    files = sorted(glob.glob(os.path.join(NODE_TESTS, "*", "test_data_set_0", "*.pb")))
    small = [path for path in files if os.path.getsize(path) <= 16384]
    # One in eight: every dtype the node tests use, a corpus that loads in a blink.
    for path in small[::8]:
        test = os.path.basename(os.path.dirname(os.path.dirname(path)))
        shutil.copy(path, os.path.join(directory, test + "_" + os.path.basename(path)))


def model_description_seeds(out):
    directory = fresh(os.path.join(out, "model-description"))
    rng = np.random.default_rng(13)
    for i, size in enumerate([16, 64, 256, 1024]):
        with open(os.path.join(directory, f"random_{i}"), "wb") as f:
            f.write(rng.integers(0, 256, size, dtype=np.uint8).tobytes())


def weights_file(path, tensors):
    """A weights file (docs/weights.md) of `tensors`, (name, float32 array)
    pairs, as python/incept/_weights_file.py writes it."""
    import struct
    import zlib
    entries, offsets = b"", []
    manifest_end = 24 + sum(4 + len(n) + 8 + 8 * a.ndim + 24 for n, a in tensors)
    end = (manifest_end + 63) // 64 * 64
    for _, array in tensors:
        offsets.append(end)
        end = (end + array.nbytes + 63) // 64 * 64
    for (name, array), offset in zip(tensors, offsets):
        data = array.tobytes()
        entries += struct.pack("<I", len(name)) + name.encode() + struct.pack(
            "<ii", 1, array.ndim) + struct.pack(f"<{array.ndim}q", *array.shape) + struct.pack(
            "<QQQ", offset, len(data), zlib.crc32(data))
    out = b"INCEPTWT" + struct.pack("<IIQ", 1, len(tensors), offsets[0]) + entries
    for (_, array), offset in zip(tensors, offsets):
        out += b"\0" * (offset - len(out)) + array.tobytes()
    with open(path, "wb") as f:
        f.write(out)
    return manifest_end


def weights_file_seeds(out):
    directory = fresh(os.path.join(out, "weights-file"))
    rng = np.random.default_rng(17)
    weight = rng.standard_normal((2, 3, 1, 1)).astype(np.float32)
    bias = rng.standard_normal(4).astype(np.float32)
    path = os.path.join(directory, "valid.weights")
    manifest_end = weights_file(path, [("conv.weight", weight), ("conv.bias", bias)])
    with open(path, "rb") as f:
        data = f.read()
    with open(os.path.join(directory, "manifest_only.weights"), "wb") as f:
        f.write(data[:manifest_end])
    weights_file(os.path.join(directory, "other_shapes.weights"),
                 [("conv.weight", weight.reshape(3, 2, 1, 1)), ("conv.bias", bias[:3])])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--models-dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    texts = onnx_seeds(args.source_dir, args.models_dir, args.out)
    npy_seeds(args.out)
    tensor_proto_seeds(args.out)
    model_description_seeds(args.out)
    weights_file_seeds(args.out)
    for target in sorted(os.listdir(args.out)):
        print(f"{target}: {len(os.listdir(os.path.join(args.out, target)))} seeds")
    if texts == 0:
        raise SystemExit("make_seeds.py: no .onnxtxt under " + args.source_dir)


if __name__ == "__main__":
    main()
