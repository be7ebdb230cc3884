#!/usr/bin/python3
"""Runs ONNX's backend node tests through incept-compile and incept-run.

The node tests (Debian's libonnx-testdata: one folder per test with model.onnx
and test_data_set_N/{input,output}_K.pb) are the op-by-op conformance suite
that ONNX backends run. This runner takes every test whose nodes all have an
importer handler (read from compiler/Import/*.cpp, `table.on("Op", ...)`), and
for each:

  1. binds the graph inputs that the importer needs as constants (Reshape's
     shape, Clip's bounds, Pad's pads/constant_value/axes, Dropout's ratio and
     training_mode) with `incept-compile --bind-input NAME=input_K.pb`;
  2. compiles the model to a shared library;
  3. runs it with `incept-run` on the remaining inputs and compares every
     output_K.pb, elementwise |y - ref| <= atol + rtol * |ref|, with ONNX's own
     backend-test tolerances: rtol 1e-3, atol 1e-7 (onnx/backend/test/loader;
     a test's data.json may override them, as ONNX's loader allows).

Tests named in skip-list.txt (`test_name  # reason`) still run: a listed test
that passes is a stale entry and fails the run. Reasons come from a fixed
vocabulary (REASONS below); tests of the ops Incept must support may only be
listed for reasons outside its scope by design (OUT_OF_SCOPE).

Prints one line per test and `passed P, failed F, listed L (of T)`; exits 1
on any failure, stale or unknown entry, or a required test listed for a
reason that is not out of scope.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_TESTDATA = "/usr/share/libonnx-testdata/data/node"
DEFAULT_SKIP_LIST = os.path.join(HERE, "skip-list.txt")

# ONNX's backend test defaults (onnx/backend/test/loader/__init__.py).
ONNX_RTOL = 1e-3
ONNX_ATOL = 1e-7

# The ops the compiler is required to support (what the Inception family
# exports, plus Clip and Softmax).
REQUIRED_OPS = {
    "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization",
    "Relu", "Clip", "LRN", "Concat", "Add", "Mul", "Gemm", "Softmax", "Flatten",
    "Reshape", "Pad", "Dropout", "Identity", "Constant",
}

# Inputs that the importer reads as compile-time constants, by op type:
# the node tests feed them as graph inputs, so they are bound at compile time.
PARAMETER_INPUTS = {
    "Reshape": {1},       # shape
    "Clip": {1, 2},       # min, max
    "Pad": {1, 2, 3},     # pads, constant_value, axes
    "Dropout": {1, 2},    # ratio, training_mode
}

# The reasons a skip-list entry may give (its reason must start with one).
REASONS = {
    # Out of scope by design: Incept compiles float32 inference graphs of 2-D
    # CNNs with static shapes.
    "training mode": True,
    "dynamic shape": True,
    "1-D window": True,
    "3-D window": True,
    "dtype": True,            # e.g. "dtype uint8 unsupported"
    "sequence type": True,
    "optional type": True,
    "empty tensor": True,     # a zero-sized dimension
    # Limitations that are not by design: allowed only for ops outside
    # REQUIRED_OPS (none so far).
    "not implemented": False,
}


def die(message):
    print(f"run_node_tests: error: {message}", file=sys.stderr)
    sys.exit(2)


try:
    import onnx
except ImportError:
    die("python3-onnx is missing (apt-get install -y python3-onnx, or scripts/setup.sh); "
        f"run this script with /usr/bin/python3, not {sys.executable}")


def supported_ops(src_root):
    """The op types with an importer handler, from compiler/Import/*.cpp."""
    folder = os.path.join(src_root, "compiler", "Import")
    ops = set()
    for name in sorted(os.listdir(folder)):
        if name.endswith(".cpp"):
            with open(os.path.join(folder, name)) as f:
                ops.update(re.findall(r'table\.on\(\s*"(\w+)"', f.read()))
    if not ops:
        die(f"found no `table.on(\"Op\", ...)` registrations in {folder}")
    return ops


def read_skip_list(path):
    entries = {}
    problems = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            name, _, reason = text.partition("#")
            name, reason = name.strip(), reason.strip()
            if not reason:
                problems.append(f"{path}:{number}: '{name}' has no reason")
            elif not any(reason.startswith(r) for r in REASONS):
                problems.append(f"{path}:{number}: '{name}': reason '{reason}' is not one of: "
                                + ", ".join(sorted(REASONS)))
            if name in entries:
                problems.append(f"{path}:{number}: '{name}' is listed twice")
            entries[name] = reason
    return entries, problems


def out_of_scope(reason):
    return any(reason.startswith(r) and by_design for r, by_design in REASONS.items())


class NodeTest:
    def __init__(self, folder, model):
        self.folder = folder
        self.name = os.path.basename(folder)
        self.ops = sorted({node.op_type for node in model.graph.node})
        initializers = {t.name for t in model.graph.initializer}
        self.inputs = [i.name for i in model.graph.input if i.name not in initializers]
        self.outputs = [o.name for o in model.graph.output]
        self.parameters = set()
        for node in model.graph.node:
            for index in PARAMETER_INPUTS.get(node.op_type, ()):
                if index < len(node.input) and node.input[index] in self.inputs:
                    self.parameters.add(node.input[index])
        self.data_sets = sorted(
            os.path.join(folder, d) for d in os.listdir(folder)
            if d.startswith("test_data_set_"))
        self.rtol, self.atol = ONNX_RTOL, ONNX_ATOL
        settings = os.path.join(folder, "data.json")
        if os.path.exists(settings):
            with open(settings) as f:
                data = json.load(f)
            self.rtol = data.get("rtol", self.rtol)
            self.atol = data.get("atol", self.atol)


def discover(testdata, ops, pattern):
    if not os.path.isdir(testdata):
        die(f"no ONNX node tests at {testdata}: install Debian's libonnx-testdata "
            "(apt-get install -y libonnx-testdata, or scripts/setup.sh), or pass --testdata")
    tests, others = [], []
    for name in sorted(os.listdir(testdata)):
        folder = os.path.join(testdata, name)
        if not name.startswith("test_") or not os.path.isfile(os.path.join(folder, "model.onnx")):
            continue
        if pattern and not re.search(pattern, name):
            continue
        model = onnx.load(os.path.join(folder, "model.onnx"), load_external_data=False)
        test = NodeTest(folder, model)
        (tests if set(test.ops) <= ops else others).append(test)
    if not tests and not pattern:
        die(f"no node test in {testdata} uses only supported ops")
    return tests, others


def first_error_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if re.search(r"\berror\b|FAIL|mismatch", line, re.IGNORECASE):
            return line
    return lines[0] if lines else "(no output)"


def run(command, timeout):
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, errors="replace", timeout=timeout)
        return result.returncode, result.stdout
    except subprocess.TimeoutExpired as e:
        return -1, f"error: timed out after {timeout} s: {' '.join(command)}\n{e.output or ''}"


def run_test(test, args, work_root):
    """Returns (passed, message)."""
    work = os.path.join(work_root, test.name)
    os.makedirs(work, exist_ok=True)
    log = []
    for data_set in test.data_sets:
        tag = os.path.basename(data_set)
        inputs = [os.path.join(data_set, f"input_{k}.pb") for k in range(len(test.inputs))]
        outputs = [os.path.join(data_set, f"output_{k}.pb") for k in range(len(test.outputs))]
        for path in inputs + outputs:
            if not os.path.exists(path):
                return False, f"error: {tag}: {os.path.basename(path)} is missing", log
        library = os.path.join(work, f"{tag}.so")
        compile_command = [args.incept_compile, os.path.join(test.folder, "model.onnx"),
                           "-o", library, f"-O{args.opt_level}"]
        run_inputs = []
        for name, path in zip(test.inputs, inputs):
            if name in test.parameters:
                compile_command += ["--bind-input", f"{name}={path}"]
            else:
                run_inputs += ["--input", path]
        code, output = run(compile_command, args.timeout)
        log.append("$ " + " ".join(compile_command) + "\n" + output)
        if code != 0:
            return False, first_error_line(output), log
        run_command = [args.incept_run, library] + run_inputs
        for path in outputs:
            run_command += ["--compare", path]
        run_command += ["--rtol", repr(test.rtol), "--atol", repr(test.atol)]
        code, output = run(run_command, args.timeout)
        log.append("$ " + " ".join(run_command) + "\n" + output)
        if code != 0:
            return False, first_error_line(output), log
    return True, "", log


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(SRC_ROOT, "build"),
                        help="where bin/incept-compile and bin/incept-run are (default: build)")
    parser.add_argument("--testdata", default=DEFAULT_TESTDATA,
                        help=f"the node tests (default: {DEFAULT_TESTDATA})")
    parser.add_argument("--skip-list", default=DEFAULT_SKIP_LIST)
    parser.add_argument("--filter", metavar="REGEX", help="run only tests whose name matches")
    parser.add_argument("--opt-level", type=int, choices=[0, 3], default=3,
                        help="incept-compile -O level (default 3)")
    parser.add_argument("--keep-dir", metavar="DIR",
                        help="keep libraries and logs in DIR/<test> instead of a temporary folder")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel tests (default 2)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per command")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print the commands and output of failing tests, and why listed ones fail")
    args = parser.parse_args()

    bin_dir = os.path.join(os.path.abspath(args.build_dir), "bin")
    args.incept_compile = os.path.join(bin_dir, "incept-compile")
    args.incept_run = os.path.join(bin_dir, "incept-run")
    for tool in (args.incept_compile, args.incept_run):
        if not os.access(tool, os.X_OK):
            die(f"{tool} is missing: build it first (ninja -C {args.build_dir})")

    ops = supported_ops(SRC_ROOT)
    tests, unsupported = discover(args.testdata, ops, args.filter)
    skip, problems = read_skip_list(args.skip_list)
    selected = {t.name for t in tests}
    for name in sorted(skip):
        if name in selected:
            continue
        if any(t.name == name for t in unsupported):
            problems.append(f"'{name}' is listed but uses an op without an importer handler")
        elif not args.filter or re.search(args.filter, name):
            problems.append(f"'{name}' is listed but there is no such node test")
    for test in tests:
        reason = skip.get(test.name)
        if reason and set(test.ops) <= REQUIRED_OPS and not out_of_scope(reason):
            problems.append(f"'{test.name}' tests required ops ({', '.join(test.ops)}) but is "
                            f"listed for '{reason}', which is not out of scope by design: fix it")

    if args.keep_dir:
        work_root = os.path.abspath(args.keep_dir)
        os.makedirs(work_root, exist_ok=True)
    else:
        work_root = tempfile.mkdtemp(prefix="incept-node-tests-")

    passed = failed = listed = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [(test, pool.submit(run_test, test, args, work_root)) for test in tests]
            for test, future in futures:
                ok, message, log = future.result()
                reason = skip.get(test.name)
                if reason is None:
                    if ok:
                        passed += 1
                        print(f"PASS    {test.name}", flush=True)
                    else:
                        failed += 1
                        print(f"FAIL    {test.name}: {message}", flush=True)
                        if args.verbose:
                            print("".join("    " + line + "\n" for entry in log
                                          for line in entry.splitlines()), end="")
                elif ok:
                    failed += 1
                    print(f"STALE   {test.name}: listed ({reason}) but passes; "
                          f"remove it from {os.path.basename(args.skip_list)}", flush=True)
                else:
                    listed += 1
                    print(f"LISTED  {test.name}  # {reason}", flush=True)
                    if args.verbose:
                        print(f"        {message}")
    finally:
        if not args.keep_dir:
            shutil.rmtree(work_root, ignore_errors=True)

    for problem in problems:
        print(f"SKIPLIST {problem}")
    print(f"-O{args.opt_level}, rtol {ONNX_RTOL:g}, atol {ONNX_ATOL:g}; {len(unsupported)} "
          f"node tests use ops without an importer handler and were not run")
    print(f"passed {passed}, failed {failed}, listed {listed} (of {len(tests)})")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
