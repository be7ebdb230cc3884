#!/usr/bin/python3
"""End-to-end test of one family model: compile, run, compare.

    /usr/bin/python3 test/EndToEnd/e2e.py MODEL [-O 0|3] [--batch 1|N]
        [--only-pass NAME] [--no-ort] [--dynamic-batch-at 1,3,8 [--batch-chunk C]]
        [--build-dir build] [--models-dir build/models] [--work-dir DIR] [--keep]

1. References: batch 1 uses the `models` ctest fixture's files in
   --models-dir (generated here if missing); batch N > 1 runs
   `models/generate.py MODEL --batch N --out MODELS_DIR/batchN` (it skips
   up-to-date files; a lock keeps two tests of one model from racing).
2. `incept-compile MODEL.onnx -O{0,3} --batch N -o MODEL.so`; with
   `--only-pass NAME`, -O3 with `--disable-pass` for every other
   optimisation pass (incept-compile lists them), so that NAME's effect is
   checked alone.
3. `incept-run MODEL.so --input MODEL.input.npy --output ... --compare
   MODEL[.OUT].ref64.npy ... --tolerance-mode=max-rel --rtol R`, for every
   graph output (inception_v1 has `aux1`, `aux2` besides `output`), where R
   is 1e-4, 1e-3 for inception_v4 (ill-conditioned with random weights):
   the criterion is max|y - ref| / max|ref| <= R per output, against
   PyTorch's float64 run.
4. ONNX Runtime (tools/ort/run_ort.js, one thread) on the same ONNX file and
   input; the compiled outputs must match ORT's by the same criterion.
   `--no-ort` skips this step.

Prints max|y - ref| / max|ref| for Incept and ORT against float64 and for
Incept against ORT, per output; exits 1 on any failure.

With --dynamic-batch-at, the library is compiled once with `--batch dynamic
--batch-chunk C` and incept-run runs it at each batch (N from the input
file) against PyTorch's float64 outputs at that batch, by the same
criterion; a batch that is not a multiple of C checks the staged last chunk.
"""

import argparse
import fcntl
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))
MODELS = ("googlenet", "inception_v1", "bn_inception", "inception_v3", "inception_v4",
          "inception_resnet_v1", "inception_resnet_v2")
RTOL = {"inception_v4": 1e-3}
DEFAULT_RTOL = 1e-4


def fail(message):
    print(f"e2e: error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def run(command, what, timeout=3000):
    print("$ " + " ".join(command), flush=True)
    start = time.monotonic()
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        fail(f"{what} timed out after {timeout} s")
    seconds = time.monotonic() - start
    if result.stdout.strip():
        print(result.stdout.rstrip(), flush=True)
    return result.returncode, seconds


def output_names(onnx_path):
    """The graph outputs of the ONNX file, in order."""
    try:
        import onnx
    except ImportError:
        fail("python3-onnx is missing (scripts/setup.sh installs it); run with /usr/bin/python3")
    return [o.name for o in onnx.load(onnx_path, load_external_data=False).graph.output]


def ref_file(stem, output):
    return f"{stem}.ref64.npy" if output == "output" else f"{stem}.{output}.ref64.npy"


def up_to_date(stamp, batch):
    """What generate.py checks, in short: its stamp (written last) records this
    batch and is newer than every script in models/."""
    if not os.path.exists(stamp):
        return False
    with open(stamp) as f:
        settings = json.load(f)
    scripts = glob.glob(os.path.join(SRC_ROOT, "models", "*.py"))
    return (settings.get("batch") == batch and settings.get("seed") == 0
            and settings.get("opset") == 13
            and os.path.getmtime(stamp) > max(map(os.path.getmtime, scripts)))


def ensure_references(model, batch, models_dir):
    """The folder holding MODEL's files for `batch`, generating them if needed."""
    folder = models_dir if batch == 1 else os.path.join(models_dir, f"batch{batch}")
    os.makedirs(folder, exist_ok=True)
    stamp = os.path.join(folder, model + ".settings.json")
    if batch == 1 and os.path.exists(stamp):
        return folder  # the fixture made them; it regenerates stale ones
    if up_to_date(stamp, batch):
        return folder  # saves generate.py's start (it imports torch)
    with open(os.path.join(folder, f".{model}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        command = [sys.executable, os.path.join(SRC_ROOT, "models", "generate.py"), model,
                   "--out", folder]
        if batch != 1:
            command += ["--batch", str(batch)]
        code, seconds = run(command, "models/generate.py")
        if code != 0:
            fail(f"models/generate.py {model} --batch {batch} failed")
        print(f"references: {seconds:.1f} s", flush=True)
    return folder


def optimization_passes(compiler):
    """The -O1+ pipeline's pass names, as incept-compile lists them when it
    rejects an unknown --disable-pass (from optimizationPassNames() in
    passes/Pipelines.cpp)."""
    result = subprocess.run([compiler, "--disable-pass=?", "-o", os.devnull, os.devnull],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    listed = re.search(r"the passes are (.*)", result.stdout)
    if not listed:
        fail(f"incept-compile did not list its passes: {result.stdout.strip()}")
    return [name.strip() for name in listed.group(1).split(",")]


def max_rel(y, ref):
    scale = float(np.max(np.abs(ref)))
    return float(np.max(np.abs(y.astype(np.float64) - ref))) / (scale if scale else 1.0)


def work_root(args, build):
    tag = f"{args.model}-O{args.opt_level}-dynamic-chunk{args.batch_chunk}"
    work = os.path.abspath(args.work_dir or os.path.join(build, "test", "EndToEnd", tag))
    os.makedirs(work, exist_ok=True)
    return work


def check_dynamic_batch(args, compiler, runner, work, models_dir, rtol):
    """One library compiled with --batch dynamic, run by incept-run at every
    batch of --dynamic-batch-at against PyTorch's float64 outputs at that
    batch. Returns the exit status."""
    try:
        batches = [int(b) for b in args.dynamic_batch_at.split(",")]
    except ValueError:
        fail(f"--dynamic-batch-at takes batches like 1,3,8, got {args.dynamic_batch_at!r}")
    if args.batch_chunk < 1 or min(batches) < 1:
        fail("batches and --batch-chunk must be positive")
    start = time.monotonic()
    folders = {b: ensure_references(args.model, b, models_dir) for b in batches}
    onnx_path = os.path.join(folders[batches[0]], args.model + ".onnx")
    outputs = output_names(onnx_path)
    library = os.path.join(work, f"{args.model}-dynamic.so")
    code, compile_s = run([compiler, onnx_path, "-o", library, f"-O{args.opt_level}",
                           "--batch", "dynamic", "--batch-chunk", str(args.batch_chunk)],
                          "incept-compile")
    if code != 0:
        fail(f"incept-compile --batch dynamic failed (exit {code})")
    failures = []
    for batch in batches:
        stem = os.path.join(folders[batch], args.model)
        command = [runner, library, "--input", stem + ".input.npy"]
        for output in outputs:
            command += ["--compare", ref_file(stem, output)]
        command += ["--tolerance-mode=max-rel", "--rtol", repr(rtol)]
        code, _ = run(command, "incept-run")
        print(f"batch {batch} (chunks of {args.batch_chunk}): {'PASS' if code == 0 else 'FAIL'}",
              flush=True)
        if code != 0:
            failures.append(f"batch {batch}: incept-run --compare failed (exit {code})")
    print(f"times: compile {compile_s:.1f} s, total {time.monotonic() - start:.1f} s")
    for failure in failures:
        print(f"FAIL: {failure}", flush=True)
    if failures:
        return 1
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"PASS {args.model}-O{args.opt_level}-dynamic-chunk{args.batch_chunk} "
          f"at {args.dynamic_batch_at}")
    return 0


def check_external_weights(compiler, runner, work, tag, onnx_path, input_path, args,
                           disabled, outputs, embedded):
    """The library of --weights=external, prepared at create from the file beside
    it, against the embedded library's outputs `embedded`: the preparation runs
    the compiler's own folding code, so the bits must be the same. Returns the
    failures."""
    library = os.path.join(work, tag + ".external.so")
    weights = os.path.splitext(library)[0] + ".weights"
    code, _ = run([compiler, onnx_path, "-o", library, f"-O{args.opt_level}",
                   "--batch", str(args.batch), "--weights=external"] + disabled,
                  "incept-compile --weights=external")
    if code != 0:
        return [f"incept-compile --weights=external failed (exit {code})"]
    failures = []
    for path in (library, weights):
        if not os.path.exists(path):
            failures.append(f"--weights=external wrote no {path}")
    emitted = os.path.join(work, tag + ".emitted.weights")
    code, _ = run([compiler, onnx_path, "--emit=weights", "-o", emitted],
                  "incept-compile --emit=weights")
    if code != 0 or not os.path.exists(emitted):
        failures.append(f"incept-compile --emit=weights failed (exit {code})")
    elif open(emitted, "rb").read() != open(weights, "rb").read():
        failures.append("--emit=weights wrote another file than --weights=external")
    theirs = [os.path.join(work, f"{o}.external.npy") for o in outputs]
    command = [runner, library, "--input", input_path]
    for path in theirs:
        command += ["--output", path]
    code, _ = run(command, "incept-run (external weights)")
    if code != 0:
        return failures + [f"incept-run on the external-weights library failed (exit {code})"]
    for name, mine, external in zip(outputs, embedded, theirs):
        same = np.array_equal(np.load(mine), np.load(external))
        print(f"{name:8} external weights: {'same bits' if same else 'DIFFERENT'} "
              f"as embedded")
        if not same:
            failures.append(f"{name}: the external-weights library's output differs "
                            f"from the embedded one's")
    if not failures and not args.keep:
        for path in (library, weights, emitted, os.path.splitext(library)[0] + ".h"):
            if os.path.exists(path):
                os.remove(path)
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", choices=MODELS)
    parser.add_argument("-O", "--opt-level", type=int, choices=[0, 3], default=3)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--only-pass", metavar="NAME",
                        help="-O3 with every other optimisation pass disabled "
                        "(NAME with or without the incept- prefix)")
    parser.add_argument("--no-ort", action="store_true",
                        help="skip the comparison with ONNX Runtime")
    parser.add_argument("--build-dir", default=os.path.join(SRC_ROOT, "build"))
    parser.add_argument("--models-dir", help="default: BUILD_DIR/models")
    parser.add_argument("--work-dir", help="where the library and outputs go "
                        "(default: BUILD_DIR/test/EndToEnd/MODEL-O<o>-b<batch>[-only-PASS])")
    parser.add_argument("--rtol", type=float, help="default: 1e-4, 1e-3 for inception_v4")
    parser.add_argument("--external-weights", action="store_true",
                        help="also compile with --weights=external, run it on the "
                             "weights file beside it, require the same bits as the "
                             "embedded library, and require --emit=weights to write "
                             "the same file")
    parser.add_argument("--keep", action="store_true",
                        help="keep the compiled library after a pass (it is kept after a failure)")
    parser.add_argument("--dynamic-batch-at", metavar="N,N,...",
                        help="compile once with --batch dynamic and check the library "
                        "at each of these batches (instead of --batch)")
    parser.add_argument("--batch-chunk", type=int, default=1,
                        help="with --dynamic-batch-at: the compiled chunk (default 1)")
    args = parser.parse_args()
    if args.batch < 1:
        fail("--batch must be positive")
    if args.only_pass and args.opt_level != 3:
        fail("--only-pass runs the -O3 pipeline: leave out -O 0")

    build = os.path.abspath(args.build_dir)
    compiler = os.path.join(build, "bin", "incept-compile")
    runner = os.path.join(build, "bin", "incept-run")
    ort_script = os.path.join(SRC_ROOT, "tools", "ort", "run_ort.js")
    for tool in (compiler, runner):
        if not os.access(tool, os.X_OK):
            fail(f"{tool} is missing: build it first")
    use_ort = not args.no_ort
    if use_ort and not os.path.isdir(
            os.path.join(SRC_ROOT, "tools", "ort", "node_modules", "onnxruntime-node")):
        fail("ONNX Runtime is not installed: run scripts/setup.sh "
             "(npm ci --ignore-scripts in tools/ort), or pass --no-ort")
    node = shutil.which("node")
    if use_ort and not node:
        fail("node is not on PATH (Node 20 comes with the machine image)")

    rtol = args.rtol or RTOL.get(args.model, DEFAULT_RTOL)
    tag = f"{args.model}-O{args.opt_level}-b{args.batch}"
    disabled = []
    if args.only_pass:
        only = args.only_pass if args.only_pass.startswith("incept-") else "incept-" + args.only_pass
        passes = optimization_passes(compiler)
        if only not in passes:
            fail(f"--only-pass={args.only_pass}: no such pass; the passes are {', '.join(passes)}")
        disabled = [f"--disable-pass={name}" for name in passes if name != only]
        tag += "-only-" + only[len("incept-"):]
    work = os.path.abspath(args.work_dir or os.path.join(build, "test", "EndToEnd", tag))
    if not args.dynamic_batch_at:
        os.makedirs(work, exist_ok=True)
    models_dir = os.path.abspath(args.models_dir or os.path.join(build, "models"))

    if args.dynamic_batch_at:
        sys.exit(check_dynamic_batch(args, compiler, runner, work_root(args, build), models_dir,
                                     rtol))

    start = time.monotonic()
    folder = ensure_references(args.model, args.batch, models_dir)
    stem = os.path.join(folder, args.model)
    onnx_path, input_path = stem + ".onnx", stem + ".input.npy"
    outputs = output_names(onnx_path)
    refs = [ref_file(stem, o) for o in outputs]
    for path in [onnx_path, input_path] + refs:
        if not os.path.exists(path):
            fail(f"{path} is missing (models/generate.py makes it)")

    # The tag in the name too: parallel runs never share a library.
    library = os.path.join(work, tag + ".so")
    code, compile_s = run([compiler, onnx_path, "-o", library, f"-O{args.opt_level}",
                           "--batch", str(args.batch)] + disabled, "incept-compile")
    if code != 0:
        fail(f"incept-compile failed (exit {code})")

    ours = [os.path.join(work, f"{o}.incept.npy") for o in outputs]
    command = [runner, library, "--input", input_path]
    for path in ours:
        command += ["--output", path]
    for path in refs:
        command += ["--compare", path]
    command += ["--tolerance-mode=max-rel", "--rtol", repr(rtol)]
    run_code, run_s = run(command, "incept-run")

    theirs = [os.path.join(work, f"{o}.ort.npy") for o in outputs]
    ort_s = 0.0
    if use_ort:
        command = [node, ort_script, onnx_path, "--input", input_path, "--threads", "1"]
        for path in theirs:
            command += ["--output", path]
        code, ort_s = run(command, "run_ort.js")
        if code != 0:
            fail(f"ONNX Runtime failed (exit {code})")

    failures = []
    if run_code != 0:
        failures.append(f"incept-run --compare against float64 PyTorch failed (exit {run_code})")
    if use_ort:
        print(f"{'output':8} {'incept vs f64':>14} {'ORT vs f64':>12} {'incept vs ORT':>14}  "
              f"(rtol {rtol:g})")
    else:
        print(f"{'output':8} {'incept vs f64':>14}  (rtol {rtol:g}; ONNX Runtime skipped)")
    for name, mine_path, ort_path, ref_path in zip(outputs, ours, theirs, refs):
        if not os.path.exists(mine_path):
            failures.append(f"incept-run wrote no {mine_path}")
            continue
        ref = np.load(ref_path)
        mine = np.load(mine_path)
        if mine.shape != ref.shape:
            failures.append(f"{name}: shape {mine.shape}, reference {ref.shape}")
            continue
        mine_ref = max_rel(mine, ref)
        if use_ort:
            ort = np.load(ort_path)
            ort_ref, mine_ort = max_rel(ort, ref), max_rel(mine, ort)
            print(f"{name:8} {mine_ref:14.3e} {ort_ref:12.3e} {mine_ort:14.3e}")
        else:
            print(f"{name:8} {mine_ref:14.3e}")
        if not np.all(np.isfinite(mine)):
            failures.append(f"{name}: non-finite values")
        if mine_ref > rtol and run_code == 0:
            failures.append(f"{name}: incept-run passed but max-rel against float64 is "
                            f"{mine_ref:.3e} > {rtol:g}")
        if use_ort and mine_ort > rtol:
            failures.append(f"{name}: max-rel against ONNX Runtime is {mine_ort:.3e} > {rtol:g}")

    if args.external_weights and not failures:
        failures += check_external_weights(compiler, runner, work, tag, onnx_path,
                                           input_path, args, disabled, outputs, ours)

    total = time.monotonic() - start
    print(f"times: compile {compile_s:.1f} s, incept-run {run_s:.1f} s, "
          f"ORT {f'{ort_s:.1f} s' if use_ort else 'skipped'}, total {total:.1f} s")
    for failure in failures:
        print(f"FAIL {tag}: {failure}")
    if not failures and not args.keep:
        # Up to 220 MB each (the weights are in the library): 28 cases would fill gigabytes.
        for path in (library, os.path.splitext(library)[0] + ".h"):
            if os.path.exists(path):
                os.remove(path)
    print(f"{'FAIL' if failures else 'PASS'} {tag}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
