#!/usr/bin/python3
"""What each graph optimisation buys: latency with every pass, and with each pass off.

    /usr/bin/python3 bench/passes.py [--models googlenet,inception_v3] [--rounds 3]
        [--repeat 10] [--warmup 3] [--build-dir build] [--json FILE]

For each model: compile it -O3 with every optimisation pass, and once more per
pass with `--disable-pass=NAME` (cached in BUILD/bench/passes/), then run
ROUNDS rounds in which every library and ONNX Runtime (one thread, the peer in
the same run) take turns, each reporting the median of REPEAT runs. The table
gives, per model, the median over rounds for every configuration, its ratio to
the all-passes library (above 1: turning the pass off costs that much), and
the all-passes library's ratio to ORT. Not a test: nothing fails on a number.
"""

import argparse
import json
import os
import shutil
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import MODELS, SRC_ROOT, compile_if_stale, cpu_name, fail, latency  # noqa: E402

# The order of passes/Pipelines.cpp: optimizationPassNames().
PASSES = ("incept-simplify-graph", "incept-fold-batch-norm", "incept-fold-residual-scale",
          "incept-fuse-epilogue", "incept-merge-sibling-convs", "incept-fuse-conv-chains",
          "incept-concat-in-place")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--passes", default=",".join(PASSES),
                        help="the passes to turn off one at a time (default: all)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--build-dir", default=os.path.join(SRC_ROOT, "build"))
    parser.add_argument("--models-dir", help="default: BUILD_DIR/models")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()

    models = [m for m in args.models.split(",") if m]
    passes = [p for p in args.passes.split(",") if p]
    if any(m not in MODELS for m in models):
        fail(f"unknown model in {models}; choose from {', '.join(MODELS)}")
    if any(p not in PASSES for p in passes):
        fail(f"unknown pass in {passes}; choose from {', '.join(PASSES)}")
    build = os.path.abspath(args.build_dir)
    models_dir = os.path.abspath(args.models_dir or os.path.join(build, "models"))
    compiler = os.path.join(build, "bin", "incept-compile")
    runner = os.path.join(build, "bin", "incept-run")
    ort_script = os.path.join(SRC_ROOT, "tools", "ort", "run_ort.js")
    node = shutil.which("node") or fail("node is not on PATH")
    folder = os.path.join(build, "bench", "passes")
    os.makedirs(folder, exist_ok=True)

    print(f"# {cpu_name()}; {args.rounds} rounds x {args.repeat} runs", file=sys.stderr)
    configs = ["all"] + [f"no-{p}" for p in passes]
    results = []
    for model in models:
        onnx_path = os.path.join(models_dir, model + ".onnx")
        input_path = os.path.join(models_dir, model + ".input.npy")
        if not os.path.exists(onnx_path):
            fail(f"{onnx_path} is missing: run models/generate.py {model}")
        libraries = {}
        for config in configs:
            libraries[config] = os.path.join(folder, f"{model}.{config}.so")
            extra = [] if config == "all" else ["--disable-pass=" + config[3:]]
            seconds = compile_if_stale(compiler, onnx_path, libraries[config], extra)
            if seconds:
                print(f"compiled {os.path.basename(libraries[config])} in {seconds:.1f} s",
                      file=sys.stderr, flush=True)
        samples = {config: [] for config in configs + ["ort"]}
        for round_ in range(args.rounds):
            for config in configs:
                samples[config].append(latency(
                    [runner, libraries[config], "--input", input_path, "--repeat",
                     str(args.repeat), "--warmup", str(args.warmup)], f"{model} {config}"))
            samples["ort"].append(latency(
                [node, ort_script, onnx_path, "--input", input_path, "--threads", "1",
                 "--repeat", str(args.repeat), "--warmup", str(args.warmup)], f"ORT {model}"))
            print(f"{model}: round {round_ + 1}/{args.rounds}: " + ", ".join(
                f"{c} {v[-1]:.1f}" for c, v in samples.items()), file=sys.stderr, flush=True)
        medians = {c: statistics.median(v) for c, v in samples.items()}
        results.append({"model": model, "medians_ms": medians, "samples": samples})

    print("| model | all passes ms | Incept/ORT (1 thread) | " +
          " | ".join(f"off: {p.removeprefix('incept-')}" for p in passes) + " |")
    print("|---|---|---|" + "---|" * len(passes))
    for r in results:
        m = r["medians_ms"]
        print(f"| {r['model']} | {m['all']:.1f} | {m['all'] / m['ort']:.2f} | " +
              " | ".join(f"{m['no-' + p]:.1f} ({m['no-' + p] / m['all']:.2f}x)" for p in passes)
              + " |")
    print()
    print("Medians over rounds of per-round medians. `off: X` is the latency with pass X "
          "turned off and, in brackets, its ratio to all passes on: above 1 is what X buys.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu_name(), "rounds": args.rounds, "repeat": args.repeat,
                       "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
