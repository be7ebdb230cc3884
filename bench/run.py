#!/usr/bin/python3
"""Latency of Incept's compiled models against ONNX Runtime and PyTorch.

    /usr/bin/python3 bench/run.py [--models googlenet,inception_v3] [--threads 1,2]
        [--batches 1,8] [--rounds 5] [--repeat 10] [--warmup 3] [--build-dir build]
        [--json FILE] [--svg FILE]

For each model and batch: compile it -O3 (cached in BUILD/bench/NAME.bB.so,
rebuilt when the ONNX file, incept-compile or the runtime is newer), then run ROUNDS rounds;
in each round every tool measures REPEAT runs after WARMUP runs at each thread
count and reports its median, the tools taking turns (Incept, ORT, PyTorch)
so that drifts of the machine hit all of them alike. The table gives the
median over rounds of the per-round medians, and Incept's GFLOP/s against the
FMA peak that bench/fma_peak.c measures on this machine in the same run.
See bench/README.md.
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


def compile_if_stale(compiler, onnx_path, library, extra=(), batch=1):
    """Compiles ONNX_PATH -O3 at BATCH (with EXTRA options) to LIBRARY unless
    it is newer than the model, the compiler and the runtime it links in;
    returns the seconds taken."""
    runtime = os.path.join(os.path.dirname(os.path.dirname(compiler)), "lib",
                           "libincept_runtime.a")
    newest_source = max(os.path.getmtime(path) for path in (onnx_path, compiler, runtime)
                        if os.path.exists(path))
    if os.path.exists(library) and os.path.getmtime(library) > newest_source:
        return 0.0
    start = time.monotonic()
    result = subprocess.run([compiler, onnx_path, "-O3", "--batch", str(batch), "-o", library,
                             *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        fail(f"incept-compile {onnx_path} {' '.join(extra)} failed:\n{result.stdout}")
    return time.monotonic() - start


def compiled_library(model, onnx_path, build, compiler, batch):
    """BUILD/bench/MODEL.bBATCH.so, compiled -O3 unless up to date."""
    folder = os.path.join(build, "bench")
    os.makedirs(folder, exist_ok=True)
    library = os.path.join(folder, f"{model}.b{batch}.so")
    return library, compile_if_stale(compiler, onnx_path, library, batch=batch)


def batch_input(input_path, batch, build, model):
    """The model's fixed input repeated BATCH times, as a .npy in BUILD/bench."""
    if batch == 1:
        return input_path
    path = os.path.join(build, "bench", f"{model}.b{batch}.input.npy")
    np.save(path, np.repeat(np.load(input_path), batch, axis=0))
    return path


def model_flops(onnx_path, batch):
    """Floating-point operations of one run (a multiply-add is 2) of the Conv
    and Gemm nodes, from ONNX's shape inference at BATCH."""
    import onnx
    from onnx import numpy_helper, shape_inference
    model = onnx.load(onnx_path)
    for value in model.graph.input:
        dims = value.type.tensor_type.shape.dim
        if dims:
            dims[0].ClearField("dim_param")
            dims[0].dim_value = batch
    model = shape_inference.infer_shapes(model)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(model.graph.value_info) + list(model.graph.output)}
    weights = {t.name: list(t.dims) for t in model.graph.initializer}
    total = 0
    for node in model.graph.node:
        if node.op_type == "Conv" and node.output[0] in shapes and node.input[1] in weights:
            out, w = shapes[node.output[0]], weights[node.input[1]]
            total += 2 * np.prod(out) * np.prod(w[1:])
        elif node.op_type == "Gemm" and node.output[0] in shapes and node.input[1] in weights:
            total += 2 * np.prod(shapes[node.output[0]]) * weights[node.input[1]][1]
    return float(total)


def fma_peak_gflops(build):
    """One core's FP32 FMA peak, from bench/fma_peak.c compiled for this CPU."""
    binary = os.path.join(build, "bench", "fma_peak")
    cc = shutil.which("clang-22") or shutil.which("cc")
    subprocess.run([cc, "-O2", "-march=native", os.path.join(HERE, "fma_peak.c"), "-o", binary],
                   check=True)
    return float(subprocess.run([binary], stdout=subprocess.PIPE, text=True,
                                check=True).stdout)


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
    parser.add_argument("--batches", default="1,8", help="batch sizes")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per tool and round")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before them")
    parser.add_argument("--seed", type=int, default=0, help="the models' weight seed")
    parser.add_argument("--build-dir", default=os.path.join(SRC_ROOT, "build"))
    parser.add_argument("--models-dir", help="default: BUILD_DIR/models (generated if missing)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--svg", metavar="FILE", help="also plot the Incept/ORT ratios")
    args = parser.parse_args()

    models = [m for m in args.models.split(",") if m]
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        fail(f"unknown models {unknown}; choose from {', '.join(MODELS)}")
    threads = [int(t) for t in args.threads.split(",")]
    batches = [int(b) for b in args.batches.split(",")]
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
    os.makedirs(os.path.join(build, "bench"), exist_ok=True)
    peak = fma_peak_gflops(build)
    print(f"# FMA peak {peak:.1f} GFLOP/s a core (bench/fma_peak.c)", file=sys.stderr, flush=True)
    results = []
    for model in models:
        onnx_path = os.path.join(models_dir, model + ".onnx")
        input_path = os.path.join(models_dir, model + ".input.npy")
        expected = float(abs(np.load(os.path.join(models_dir, model + ".ref32.npy"))).max())
        for batch in batches:
            library, compile_s = compiled_library(model, onnx_path, build, compiler, batch)
            if compile_s:
                print(f"{model}: compiled -O3 --batch {batch} in {compile_s:.1f} s",
                      file=sys.stderr, flush=True)
            batch_path = batch_input(input_path, batch, build, model)
            flops = model_flops(onnx_path, batch)
            torch_worker = PyTorchWorker(model, batch_path, args.seed)
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
                        [runner, library, "--input", batch_path, "--threads", str(t),
                         "--repeat", str(args.repeat), "--warmup", str(args.warmup)],
                        f"incept-run {model}"))
                    samples[("ort", t)].append(latency(
                        [node, ort_script, onnx_path, "--input", batch_path, "--threads", str(t),
                         "--repeat", str(args.repeat), "--warmup", str(args.warmup)],
                        f"run_ort.js {model}"))
                    samples[("pytorch", t)].append(
                        torch_worker.latency(t, args.repeat, args.warmup))
                print(f"{model} b{batch}: round {round_ + 1}/{args.rounds}: " + ", ".join(
                    f"{tool}/{t} {values[-1]:.1f}" for (tool, t), values in samples.items()),
                    file=sys.stderr, flush=True)
            torch_worker.close()
            for t in threads:
                incept_ms = statistics.median(samples[("incept", t)])
                results.append({
                    "model": model, "batch": batch, "threads": t, "incept_ms": incept_ms,
                    "ort_ms": statistics.median(samples[("ort", t)]),
                    "pytorch_ms": statistics.median(samples[("pytorch", t)]),
                    "gflops": flops / (incept_ms * 1e-3) * 1e-9,
                    "peak_gflops": peak * t,
                    "samples": {f"{tool}/{n}": v for (tool, n), v in samples.items()},
                })

    print("| model | batch | threads | Incept ms | ORT ms | PyTorch ms | Incept/ORT | "
          "Incept/PyTorch | Incept GFLOP/s | % of peak |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['model']} | {r['batch']} | {r['threads']} | {r['incept_ms']:.1f} | "
              f"{r['ort_ms']:.1f} | {r['pytorch_ms']:.1f} | {r['incept_ms'] / r['ort_ms']:.2f} | "
              f"{r['incept_ms'] / r['pytorch_ms']:.2f} | {r['gflops']:.0f} | "
              f"{100 * r['gflops'] / r['peak_gflops']:.0f} |")
    print()
    scaling = [(r1["model"], r1["batch"], r1["incept_ms"] / r2["incept_ms"])
               for r1 in results for r2 in results
               if r1["model"] == r2["model"] and r1["batch"] == r2["batch"]
               and r1["threads"] == 1 and r2["threads"] == 2]
    if scaling:
        print("Incept's 2-thread speed-up: " + ", ".join(
            f"{m} b{b} {s:.2f}x" for m, b, s in scaling))
        print()
    print(f"Every tool runs on the thread count of its row. Medians of per-round medians; "
          f"lower ratios are better for Incept. % of peak: Incept's GFLOP/s (Conv and Gemm) "
          f"against {peak:.1f} GFLOP/s a core times the threads.")
    if args.svg:
        write_ratio_plot(results, args.svg, cpu_name())
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu_name(), "peak_gflops": peak, "rounds": args.rounds,
                       "repeat": args.repeat,
                       "warmup": args.warmup, "results": results}, f, indent=2)


def write_ratio_plot(results, path, cpu):
    """An SVG bar chart of Incept/ORT per model, batch and thread count, with
    the line at 1 (below it Incept is faster)."""
    width, bar, gap, height, top = 900, 14, 10, 260, 40
    groups = []
    for r in results:
        key = (r["model"], r["batch"])
        if not groups or groups[-1][0] != key:
            groups.append((key, []))
        groups[-1][1].append(r)
    scale = max(1.5, max(r["incept_ms"] / r["ort_ms"] for r in results) * 1.1)
    colours = ["#4477aa", "#ee6677", "#228833", "#ccbb44"]
    x = 50
    parts = [f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">'
             f'Incept / ONNX Runtime latency ({cpu}); below 1 Incept is faster</text>']
    for (model, batch), rows in groups:
        for i, r in enumerate(rows):
            ratio = r["incept_ms"] / r["ort_ms"]
            h = ratio / scale * height
            parts.append(f'<rect x="{x}" y="{top + height - h:.1f}" width="{bar}" '
                         f'height="{h:.1f}" fill="{colours[i % len(colours)]}"/>')
            parts.append(f'<text x="{x + bar / 2}" y="{top + height - h - 3:.1f}" '
                         f'text-anchor="middle" font-size="9">{ratio:.2f}</text>')
            x += bar
        parts.append(f'<text x="{x - bar * len(rows) / 2}" y="{top + height + 14}" '
                     f'text-anchor="middle" font-size="9">{model} b{batch}</text>')
        x += gap + 30
    one = top + height - height / scale
    parts.append(f'<line x1="40" x2="{x}" y1="{one:.1f}" y2="{one:.1f}" stroke="black" '
                 f'stroke-dasharray="4"/>')
    legend = ", ".join(f"{r['threads']} thread{'s' if r['threads'] > 1 else ''}"
                       for r in groups[0][1])
    parts.append(f'<text x="50" y="{top + height + 34}" font-size="10">bars per group: '
                 f'{legend} (left to right)</text>')
    with open(path, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{max(width, x)}" '
                f'height="{top + height + 50}" font-family="sans-serif">' + "".join(parts)
                + "</svg>\n")


if __name__ == "__main__":
    main()
