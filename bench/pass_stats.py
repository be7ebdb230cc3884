#!/usr/bin/python3
"""The table of what each graph pass changes on every family model.

    /usr/bin/python3 bench/pass_stats.py [--models a,b] [--build-dir build]

Runs `incept-compile MODEL.onnx --batch 1 -O3 --stats --emit=llvm-mlir` and
prints its per-pass rows (convs, standalone batch-norms, elementwise ops,
concats, conv chains, copies, and the bytes of tensors that no longer go to
memory) as one Markdown table per model, for docs/graph-passes.md.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import MODELS, SRC_ROOT, fail  # noqa: E402

COLUMNS = ("convs", "batchnorm", "eltwise", "concat", "chains", "blocked", "copies", "bytes saved")


def rows(compiler, onnx_path):
    result = subprocess.run([compiler, onnx_path, "--batch", "1", "-O3", "--stats",
                             "--emit=llvm-mlir", "-o", os.devnull],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        fail(f"incept-compile {onnx_path} failed:\n{result.stderr}")
    lines = result.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("pass "))
    for line in lines[start + 1:]:
        if line.startswith("(bufferized"):
            copies, copied = line.split()[-2:]
            yield ["copies left after bufferization"] + [""] * 6 + [copies, copied]
        else:
            yield line.split()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--build-dir", default=os.path.join(SRC_ROOT, "build"))
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    compiler = os.path.join(build, "bin", "incept-compile")
    for model in args.models.split(","):
        print(f"#### {model}\n")
        print("| pass | " + " | ".join(COLUMNS) + " |")
        print("|---" * (len(COLUMNS) + 1) + "|")
        for row in rows(compiler, os.path.join(build, "models", model + ".onnx")):
            print("| " + " | ".join(row) + " |")
        print()


if __name__ == "__main__":
    main()
