#!/usr/bin/env python3
"""The device side of scripts/gpu-check.sh, on a machine with an NVIDIA GPU,
PyTorch and NumPy but no LLVM: runs the carried libraries (every family model
compiled for --target=cuda --weights=external at batch 1, 8 and 64) through
the Python package, and prints one table.

    python3 scripts/gpu_check.py BUNDLE [--budget SECONDS] [--dry-run]

For each model:
1. The model scripts (models/) build the PyTorch model with its seeded
   weights, the same bits on any PyTorch version; incept.write_weights
   writes the weights file the libraries read from its state_dict (the names
   of the ONNX export's initializers: batch-norms are kept, nothing folded).
2. Batch 1 and 8 in TF32 and fp32, batch 1 in FP16 and BF16: the library's
   output against PyTorch's float64 output on the GPU for the model's seeded
   input; max|y - ref| / max|ref| must be within 1e-4 in fp32 (1e-3 for
   inception_v4, as on the CPU), 2e-3 in TF32 and FP16 and 1.5e-2 in BF16,
   docs/gpu.md's bounds.
3. Latency of the library (median of CUDA-event timings), TF32 at batch 1, 8
   and 64, fp32 at 1 and 8, FP16 and BF16 at 1: `run` on host buffers (copies
   in and out included) replaying the CUDA graph, at TF32 batch 1 the same
   with every launch on one stream (what the concurrent branches gain), the
   same launching kernel by kernel (direct_launches), and `run_device` on device buffers and
   PyTorch's stream; PyTorch eager (cuDNN, channels_last, TF32 on or off as
   the library; for FP16 and BF16 the model and input in that type, which
   also narrows what PyTorch stores between layers), and in TF32 at batch 1
   torch.compile(mode="max-autotune") while the time budget lasts. `incept/best` is run_device's over the best PyTorch.
4. Once, the first model's batch-1 library through the carried incept-run
   (incept-run-portable, which needs libc alone): its latency line.
5. Each model's TF32 batch-1 library compiled with --profile, through the
   carried incept-run: the time of every layer from CUDA events (the graph
   replayed; the kernels of concurrent branches overlap), written to
   BUNDLE/profile.MODEL.txt with its Chrome trace (profile.MODEL.json), and a
   line of it in the output.
6. Each model's TF32 library of a dynamic batch in chunks of 8 (run_batch):
   12 images, a whole chunk and a partial one, against float64 PyTorch (the
   TF32 bound), and 64 images timed against the batch-64 library: a line.

--dry-run runs the same path on a machine without a GPU, against the stub
driver of the tests (INCEPT_CUDA_DRIVER; no kernel runs, numbers are
meaningless), so that the script is known to work before a GPU is spent on it.
"""
import argparse
import copy
import ctypes
import os
import statistics
import subprocess
import sys
import time

import numpy as np

MODELS = ("googlenet", "inception_v1", "bn_inception", "inception_v3", "inception_v4",
          "inception_resnet_v1", "inception_resnet_v2")
# (precision, batch) of the libraries, in the order they run.
LIBRARIES = (("tf32", 1), ("tf32", 8), ("tf32", 64), ("fp32", 1), ("fp32", 8),
             ("fp16", 1), ("bf16", 1))
CHECKED_BATCHES = (1, 8)
# max-rel against float64 PyTorch: the model's own bound, else the default.
RTOL = {"fp32": ({"inception_v4": 1e-3}, 1e-4), "tf32": ({}, 2e-3), "fp16": ({}, 2e-3),
        "bf16": ({}, 1.5e-2)}


class MissingTorchvision:
    """Stands in for torchvision where it is not installed: the models that
    need it fail (and are reported) when they are built, not at import."""

    def __getattr__(self, name):
        raise ImportError("torchvision is not installed")


def library_path(bundle, model, precision, batch):
    return os.path.join(bundle, "libs", f"{model}.{precision}.b{batch}.so")


class Timer:
    """Median latency of `step` in ms, by CUDA events (wall clock in a dry run)."""

    def __init__(self, torch, dry_run):
        self.torch, self.dry_run = torch, dry_run

    def __call__(self, step, warmup=3, runs=20):
        if self.dry_run:  # the path, not the numbers
            warmup, runs = 0, 1
        for _ in range(warmup):
            step()
        times = []
        for _ in range(runs):
            if self.dry_run:
                start = time.perf_counter()
                step()
                times.append((time.perf_counter() - start) * 1e3)
                continue
            begin = self.torch.cuda.Event(enable_timing=True)
            end = self.torch.cuda.Event(enable_timing=True)
            begin.record()
            step()
            end.record()
            end.synchronize()
            times.append(begin.elapsed_time(end))
        return statistics.median(times)


def incept_context(incept, abi, path, weights, direct_launches):
    """A context of the library at `path` on weights file `weights`, made
    through the C API's description, whose run_device and run_batch this
    script calls too (the Python package runs on NumPy arrays alone)."""
    library, model = incept._describe(path)
    options = abi.CreateOptions(ctypes.sizeof(abi.CreateOptions), 1, 0, direct_launches,
                                os.fsencode(weights))
    context = ctypes.c_void_p()
    status = model.create_with_options(ctypes.byref(context), ctypes.byref(options))
    if status != 0:
        raise RuntimeError(f"{path}: create failed: {model.status_string(status).decode()}"
                           f" ({model.last_error().decode()})")
    return library, model, context


def run_host(model, context, x, outputs):
    inputs = (ctypes.c_void_p * 1)(x.ctypes.data)
    outs = (ctypes.c_void_p * len(outputs))(*[o.ctypes.data for o in outputs])
    status = model.run(context, inputs, outs)
    if status != 0:
        raise RuntimeError(f"run failed: {model.last_error().decode()}")


def check_incept_run(bundle, name, weights, x, env):
    """The carried incept-run (incept-run-portable: libc alone) on the model's
    batch-1 library: its latency line, or why it did not run."""
    tool = os.path.join(bundle, "bin", "incept-run")
    if not os.path.exists(tool):
        return "not carried"
    path = os.path.join(bundle, f"{name}.input.npy")
    np.save(path, x)
    result = subprocess.run([tool, library_path(bundle, name, "tf32", 1), "--weights", weights,
                             "--input", path, "--repeat", "20"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=300)
    lines = result.stdout.strip().splitlines() or ["(no output)"]
    return lines[-1] if result.returncode == 0 else f"failed: {lines[-1]}"


def profile_layers(bundle, name, weights, x, env):
    """The carried incept-run's layer table of the model's profiled TF32
    batch-1 library, into BUNDLE/profile.NAME.txt (and .json, its trace):
    a line of it, or why there is none."""
    tool = os.path.join(bundle, "bin", "incept-run")
    library = library_path(bundle, name, "tf32", 1)[:-len(".so")] + ".profile.so"
    if not os.path.exists(tool) or not os.path.exists(library):
        return "not carried"
    path = os.path.join(bundle, f"{name}.input.npy")
    np.save(path, x)
    result = subprocess.run([tool, library, "--weights", weights, "--input", path,
                             "--repeat", "20", "--profile", "--trace",
                             os.path.join(bundle, f"profile.{name}.json")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            timeout=300)
    with open(os.path.join(bundle, f"profile.{name}.txt"), "w") as out:
        out.write(result.stdout)
    lines = result.stdout.strip().splitlines() or ["(no output)"]
    if result.returncode != 0:
        return f"failed: {lines[-1]}"
    # The table: a heading line, then a row a layer, then "(all layers)".
    heading = next((i for i, line in enumerate(lines) if line.startswith("layer ")), None)
    total = next((i for i, line in enumerate(lines) if line.startswith("(all layers)")), None)
    if heading is None or total is None:
        return f"no layer table: {lines[-1]}"
    return (f"all layers {lines[total].split()[-4]} ms a run, {total - heading - 1} layers "
            f"(profile.{name}.txt)")


def run_batch(model, context, batch, x, outputs):
    inputs = (ctypes.c_void_p * 1)(x.ctypes.data)
    outs = (ctypes.c_void_p * len(outputs))(*[o.ctypes.data for o in outputs])
    status = model.run_batch(context, batch, inputs, outs)
    if status != 0:
        raise RuntimeError(f"run_batch failed: {model.last_error().decode()}")


def check_dynamic_batch(incept, abi, common, bundle, name, size, weights, reference, device,
                        timer, batch64_ms):
    """The model's TF32 library of a dynamic batch in chunks of 8: 12 images
    (a whole chunk and a partial one) against float64 PyTorch, and the time
    of 64 images against the batch-64 library's. A line, and the max-rel."""
    import torch
    path = library_path(bundle, name, "tf32", "dynamic")
    library, lib, context = incept_context(incept, abi, path, weights, 0)
    result, max_rel = [], None
    for images in (12, 64):
        x = common.make_input(0, images, size)
        outputs = [np.empty((images,) + tuple(lib.outputs[i].shape[1:lib.outputs[i].rank]),
                            np.float32) for i in range(lib.num_outputs)]
        run_batch(lib, context, images, x, outputs)
        if images == 12 and reference is not None:
            with torch.no_grad():
                ref = common.as_tuple(reference(torch.from_numpy(x).double().to(device)))
            max_rel = max(float(np.abs(y - r.cpu().numpy()).max() / np.abs(r.cpu().numpy()).max())
                          for y, r in zip(outputs, ref))
            result.append(f"12 images max-rel {max_rel:.1e} vs f64")
        if images == 64:
            ms = timer(lambda: run_batch(lib, context, images, x, outputs))
            result.append(f"64 images {ms:.3f} ms (the batch-64 library: {batch64_ms:.3f} ms)")
    lib.destroy(context)
    return f"dynamic batch of {name} (TF32, chunks of 8): " + ", ".join(result), max_rel


RunDevice = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p),
                             ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle")
    parser.add_argument("--budget", type=float, default=420,
                        help="seconds for the whole check; torch.compile is skipped once "
                             "less than a minute is left (420)")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    start = time.monotonic()
    bundle = os.path.abspath(args.bundle)
    sys.path.insert(0, os.path.join(bundle, "python"))
    sys.path.insert(0, os.path.join(bundle, "models"))
    import torch
    import incept
    from incept import _abi
    try:
        import torchvision  # noqa: F401  (googlenet and inception_v3 are torchvision's)
    except ImportError:
        sys.modules["torchvision"] = MissingTorchvision()
    import common
    from registry import MODELS as BUILDERS

    device = "cpu" if args.dry_run else "cuda"
    torch.backends.cudnn.benchmark = True
    timer = Timer(torch, args.dry_run)
    gpu = "dry run (stub driver)" if args.dry_run else torch.cuda.get_device_name()
    print(f"gpu-check: {gpu}, PyTorch {torch.__version__}", flush=True)

    rows, failures, incept_run, profiles, dynamic_lines = [], [], None, [], []
    for name in args.models.split(","):
        build, size, output_names = BUILDERS[name]
        try:
            model = common.seed_weights(build().eval(), 0)
        except Exception as e:  # torchvision missing, say
            failures.append(f"{name}: the model script failed: {e}")
            continue
        weights = os.path.join(bundle, f"{name}.weights")
        state = {k: v.numpy() for k, v in model.state_dict().items()
                 if not k.endswith("num_batches_tracked")}
        incept.write_weights(library_path(bundle, name, "tf32", 1), state, weights)
        model = model.to(device)
        eager = model.to(memory_format=torch.channels_last)
        reference = None if args.dry_run else \
            common.seed_weights(build().eval(), 0).double().to(device)
        for precision, batch in LIBRARIES:
            # The same precision in PyTorch's convs and matmuls.
            torch.backends.cudnn.allow_tf32 = precision == "tf32"
            torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
            x = common.make_input(0, batch, size)
            row = {"model": name, "precision": precision, "batch": batch}
            path = library_path(bundle, name, precision, batch)
            library, lib, context = incept_context(incept, _abi, path, weights, 0)
            outputs = [np.empty(lib.outputs[i].shape[:lib.outputs[i].rank], np.float32)
                       for i in range(lib.num_outputs)]
            run_host(lib, context, x, outputs)
            if batch in CHECKED_BATCHES and reference is not None:
                with torch.no_grad():
                    ref = common.as_tuple(reference(torch.from_numpy(x).double().to(device)))
                errors = []
                for output, y, r in zip(output_names, outputs, ref):
                    r = r.cpu().numpy()
                    errors.append(float(np.abs(y - r).max() / np.abs(r).max()))
                row["max_rel"] = max(errors)
                bounds, default = RTOL[precision]
                if not row["max_rel"] <= bounds.get(name, default):
                    failures.append(f"{name} {precision} b{batch}: max-rel "
                                    f"{row['max_rel']:.2e} against float64 PyTorch")
            row["graph_ms"] = timer(lambda: run_host(lib, context, x, outputs))
            lib.destroy(context)
            # The same library with its launches on one stream: what the
            # concurrent branches gain.
            serial = path[:-len(".so")] + ".one-stream.so"
            if os.path.exists(serial):
                _, one, one_context = incept_context(incept, _abi, serial, weights, 0)
                row["one_stream_ms"] = timer(lambda: run_host(one, one_context, x, outputs))
                one.destroy(one_context)
            _, direct, direct_context = incept_context(incept, _abi, path, weights, 1)
            row["direct_ms"] = timer(lambda: run_host(direct, direct_context, x, outputs))
            direct.destroy(direct_context)
            # On device buffers and PyTorch's stream (in a dry run, host
            # buffers the stub never touches).
            _, dev, dev_context = incept_context(incept, _abi, path, weights, 0)
            run_device = RunDevice(dev.run_device)
            xd = torch.from_numpy(x).to(device)
            yd = [torch.empty(o.shape, device=device) for o in outputs]
            ins = (ctypes.c_void_p * 1)(xd.data_ptr())
            outs = (ctypes.c_void_p * len(yd))(*[y.data_ptr() for y in yd])
            stream = ctypes.c_void_p(
                None if args.dry_run else torch.cuda.current_stream().cuda_stream)
            if run_device(dev_context, ins, outs, stream) != 0:
                raise RuntimeError(f"{path}: run_device failed: {dev.last_error().decode()}")
            row["device_ms"] = timer(lambda: run_device(dev_context, ins, outs, stream))
            dev.destroy(dev_context)
            dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(precision)
            if args.dry_run and dtype is not None:
                dtype = torch.bfloat16  # the CPU's convs take no Half
            xt = torch.from_numpy(x).to(device).to(memory_format=torch.channels_last)
            with torch.no_grad():
                if dtype is None:
                    row["eager_ms"] = timer(lambda: eager(xt))
                else:
                    narrow = copy.deepcopy(eager).to(dtype)
                    xn = xt.to(dtype)
                    row["eager_ms"] = timer(lambda: narrow(xn))
                    del narrow
                # max-autotune tunes every shape anew (minutes for the large
                # models): batch 1 only, the goal's batch, while 3 minutes
                # of the budget are left.
                left = args.budget - (time.monotonic() - start)
                if (batch == 1 and precision == "tf32" and left > 180 and not args.dry_run
                        and hasattr(torch, "compile")):
                    compiled = torch.compile(eager, mode="max-autotune")
                    row["compile_ms"] = timer(lambda: compiled(xt))
            if incept_run is None:
                incept_run = f"incept-run on {name} b1: " + check_incept_run(
                    bundle, name, weights, x, os.environ)
            if precision == "tf32" and batch == 1:
                profiles.append(f"profile of {name} TF32 b1: " + profile_layers(
                    bundle, name, weights, x, os.environ))
            rows.append(row)
            print(f"  {name} {precision} b{batch}: " + ", ".join(
                f"{k} {v:.3g}" for k, v in row.items() if isinstance(v, float)), flush=True)

        if os.path.exists(library_path(bundle, name, "tf32", "dynamic")):
            torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = True
            batch64 = next(r["graph_ms"] for r in rows
                           if (r["model"], r["precision"], r["batch"]) == (name, "tf32", 64))
            line, max_rel = check_dynamic_batch(incept, _abi, common, bundle, name, size,
                                                weights, reference, device, timer, batch64)
            dynamic_lines.append(line)
            if max_rel is not None and not max_rel <= RTOL["tf32"][1]:
                failures.append(f"{name} tf32 dynamic b12: max-rel {max_rel:.2e} against "
                                "float64 PyTorch")

    def cell(row, key, fmt="{:.3f}"):
        return fmt.format(row[key]) if key in row else "-"

    print()
    print("| model | precision | batch | max-rel vs f64 | run, graph ms | run, one stream ms "
          "| run, direct ms | run_device ms | PyTorch eager ms | torch.compile ms "
          "| incept/best PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        best = min(row[k] for k in ("eager_ms", "compile_ms") if k in row)
        ours = row.get("device_ms", row["graph_ms"])
        print(f"| {row['model']} | {row['precision']} | {row['batch']} "
              f"| {cell(row, 'max_rel', '{:.1e}')} "
              f"| {cell(row, 'graph_ms')} | {cell(row, 'one_stream_ms')} "
              f"| {cell(row, 'direct_ms')} "
              f"| {cell(row, 'device_ms')} | {cell(row, 'eager_ms')} "
              f"| {cell(row, 'compile_ms')} | {ours / best:.2f} |")
    print(f"\n{gpu}; PyTorch in the library's precision; {time.monotonic() - start:.0f} s")
    if incept_run:
        print(incept_run)
    for line in profiles:
        print(line)
    for line in dynamic_lines:
        print(line)
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
