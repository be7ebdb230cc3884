#!/usr/bin/python3
"""Latency of Incept's compiled models against ONNX Runtime and PyTorch.

    /usr/bin/python3 bench/run.py [--models googlenet,inception_v3] [--threads 1,2]
        [--rounds 5] [--repeat 10] [--warmup 3] [--build-dir build]

For each model: compile it -O3 (cached in BUILD/bench/NAME.so, rebuilt when the
ONNX file or incept-compile is newer), then run ROUNDS rounds; in each round
every tool measures REPEAT runs after WARMUP runs and reports its median, the
tools taking turns (Incept, ORT at each thread count, PyTorch at each thread
count) so that drifts of the machine hit all of them alike. The table gives the
median over rounds of the per-round medians. See bench/README.md.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(HERE)
MODELS = ("googlenet", "inception_v1", "bn_inception", "inception_v3", "inception_v4",
          "inception_resnet_v1", "inception_resnet_v2")
LATENCY = re.compile(r"latency: median ([0-9.]+) ms")

# The PyTorch side runs in a worker process that keeps the traced model between
# rounds: it reads "THREADS REPEAT WARMUP" lines and answers with the latency
# line in incept-run's format.
PYTORCH_WORKER = r'''
import sys, time, statistics
import numpy as np
import torch
sys.path.insert(0, sys.argv[1])
import common
from registry import MODELS
name, seed, input_path = sys.argv[2], int(sys.argv[3]), sys.argv[4]
model = common.seed_weights(MODELS[name].build().eval(), seed)
x = torch.from_numpy(np.load(input_path))
with torch.no_grad():
    traced = torch.jit.trace(model, x, check_trace=False)
    module = torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))
    first = module(x)
    first = first[0] if isinstance(first, (tuple, list)) else first
print("ready", torch.__version__, float(first.abs().max()), flush=True)
for line in sys.stdin:
    threads, repeat, warmup = map(int, line.split())
    torch.set_num_threads(threads)
    with torch.no_grad():
        for _ in range(warmup):
            module(x)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            module(x)
            times.append((time.perf_counter() - start) * 1e3)
    print(f"latency: median {statistics.median(times):.3f} ms, min {min(times):.3f} ms, "
          f"max {max(times):.3f} ms over {repeat} runs", flush=True)
'''


def fail(message):
    print(f"bench: error: {message}", file=sys.stderr)
    sys.exit(1)


def latency(command, what):
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    match = LATENCY.search(result.stdout)
    if result.returncode != 0 or not match:
        fail(f"{what} failed (exit {result.returncode}):\n$ {' '.join(command)}\n{result.stdout}")
    return float(match.group(1))


def compile_if_stale(compiler, onnx_path, library, extra=()):
    """Compiles ONNX_PATH -O3 at batch 1 (with EXTRA options) to LIBRARY unless
    it is newer than the model and the compiler; returns the seconds taken."""
    newest_source = max(os.path.getmtime(onnx_path), os.path.getmtime(compiler))
    if os.path.exists(library) and os.path.getmtime(library) > newest_source:
        return 0.0
    start = time.monotonic()
    result = subprocess.run([compiler, onnx_path, "-O3", "--batch", "1", "-o", library, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        fail(f"incept-compile {onnx_path} {' '.join(extra)} failed:\n{result.stdout}")
    return time.monotonic() - start


def compiled_library(model, onnx_path, build, compiler):
    """BUILD/bench/MODEL.so, compiled -O3 unless up to date."""
    folder = os.path.join(build, "bench")
    os.makedirs(folder, exist_ok=True)
    library = os.path.join(folder, model + ".so")
    return library, compile_if_stale(compiler, onnx_path, library)


class PyTorchWorker:
    def __init__(self, model, input_path, seed):
        self.process = subprocess.Popen(
            [sys.executable, "-c", PYTORCH_WORKER, os.path.join(SRC_ROOT, "models"), model,
             str(seed), input_path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self.process.stdout.readline().split()
        if not ready or ready[0] != "ready":
            fail(f"the PyTorch worker for {model} did not start")
        self.version, self.max_abs = ready[1], float(ready[2])

    def latency(self, threads, repeat, warmup):
        self.process.stdin.write(f"{threads} {repeat} {warmup}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        match = LATENCY.search(line)
        if not match:
            fail(f"the PyTorch worker answered '{line.strip()}'")
        return float(match.group(1))

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS),
                        help="comma-separated names (default: all seven)")
    parser.add_argument("--threads", default="1,2", help="thread counts of every tool")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per tool and round")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before them")
    parser.add_argument("--seed", type=int, default=0, help="the models' weight seed")
    parser.add_argument("--build-dir", default=os.path.join(SRC_ROOT, "build"))
    parser.add_argument("--models-dir", help="default: BUILD_DIR/models (generated if missing)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()

    models = [m for m in args.models.split(",") if m]
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        fail(f"unknown models {unknown}; choose from {', '.join(MODELS)}")
    threads = [int(t) for t in args.threads.split(",")]
    build = os.path.abspath(args.build_dir)
    models_dir = os.path.abspath(args.models_dir or os.path.join(build, "models"))
    compiler = os.path.join(build, "bin", "incept-compile")
    runner = os.path.join(build, "bin", "incept-run")
    ort_script = os.path.join(SRC_ROOT, "tools", "ort", "run_ort.js")
    for tool in (compiler, runner):
        if not os.access(tool, os.X_OK):
            fail(f"{tool} is missing: build it first")
    if not os.path.isdir(os.path.join(SRC_ROOT, "tools", "ort", "node_modules")):
        fail("ONNX Runtime is not installed: run scripts/setup.sh")
    node = shutil.which("node") or fail("node is not on PATH")

    missing = [m for m in models if not os.path.exists(os.path.join(models_dir, m + ".settings.json"))]
    if missing:
        subprocess.run([sys.executable, os.path.join(SRC_ROOT, "models", "generate.py"), *missing,
                        "--out", models_dir, "--seed", str(args.seed)], check=True)

    print(f"# {cpu_name()}, {os.cpu_count()} cores; {args.rounds} rounds x {args.repeat} runs "
          f"(+{args.warmup} warm-up) per tool", file=sys.stderr, flush=True)
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"# warning: load average {load:.2f}: other processes share the cores, and "
              "multi-threaded runs suffer most (spinning threads wait for a busy core)",
              file=sys.stderr, flush=True)
    results = []
    for model in models:
        onnx_path = os.path.join(models_dir, model + ".onnx")
        input_path = os.path.join(models_dir, model + ".input.npy")
        library, compile_s = compiled_library(model, onnx_path, build, compiler)
        if compile_s:
            print(f"{model}: compiled -O3 in {compile_s:.1f} s", file=sys.stderr, flush=True)
        torch_worker = PyTorchWorker(model, input_path, args.seed)
        expected = float(abs(np.load(os.path.join(models_dir, model + ".ref32.npy"))).max())
        if abs(torch_worker.max_abs - expected) > 1e-3 * expected:
            fail(f"the traced PyTorch {model} gives max|y| {torch_worker.max_abs:.6g}, "
                 f"the reference {expected:.6g}: not the same model")
        samples = {}
        for t in threads:
            samples[("incept", t)] = []
            samples[("ort", t)] = []
            samples[("pytorch", t)] = []
        for round_ in range(args.rounds):
            for t in threads:
                samples[("incept", t)].append(latency(
                    [runner, library, "--input", input_path, "--threads", str(t),
                     "--repeat", str(args.repeat), "--warmup", str(args.warmup)],
                    f"incept-run {model}"))
                samples[("ort", t)].append(latency(
                    [node, ort_script, onnx_path, "--input", input_path, "--threads", str(t),
                     "--repeat", str(args.repeat), "--warmup", str(args.warmup)],
                    f"run_ort.js {model}"))
                samples[("pytorch", t)].append(torch_worker.latency(t, args.repeat, args.warmup))
            print(f"{model}: round {round_ + 1}/{args.rounds}: " + ", ".join(
                f"{tool}/{t} {values[-1]:.1f}" for (tool, t), values in samples.items()),
                file=sys.stderr, flush=True)
        torch_worker.close()
        for t in threads:
            results.append({
                "model": model, "threads": t,
                "incept_ms": statistics.median(samples[("incept", t)]),
                "ort_ms": statistics.median(samples[("ort", t)]),
                "pytorch_ms": statistics.median(samples[("pytorch", t)]),
                "samples": {f"{tool}/{n}": v for (tool, n), v in samples.items()},
            })

    print("| model | threads | Incept ms | ORT ms | PyTorch ms | Incept/ORT | Incept/PyTorch |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['model']} | {r['threads']} | {r['incept_ms']:.1f} | {r['ort_ms']:.1f} | "
              f"{r['pytorch_ms']:.1f} | {r['incept_ms'] / r['ort_ms']:.2f} | "
              f"{r['incept_ms'] / r['pytorch_ms']:.2f} |")
    print()
    print("Every tool runs on the thread count of its row. Medians of per-round medians; "
          "lower ratios are better for Incept.")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu_name(), "rounds": args.rounds, "repeat": args.repeat,
                       "warmup": args.warmup, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
