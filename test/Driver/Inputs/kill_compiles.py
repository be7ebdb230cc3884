"""Kills incept-compile with SIGKILL at points spread over a compile and
checks that each output is then the old file or the complete new one, never
a partial one.

    kill_compiles.py INCEPT_COMPILE MODEL.onnx WORK_DIR [POINTS]

The old files are a compile under another --name (so that old and new
differ); the new ones a complete compile. A kill lands at k/(POINTS+1) of
the complete compile's time, k = 1..POINTS (default 8), and at 95%, 98% and
99% of it, where linking and the renames happen. Prints one line per point
and exits 1 if any output is neither (a temporary file left beside it is
allowed: it is never the output)."""
import filecmp
import os
import shutil
import signal
import subprocess
import sys
import time

compiler, model, work = sys.argv[1:4]
points = int(sys.argv[4]) if len(sys.argv) > 4 else 8
os.makedirs(work, exist_ok=True)


def compile_to(directory, name, kill_after=None):
    os.makedirs(directory, exist_ok=True)
    command = [compiler, model, "--batch", "1", "--name", name, "--progress=false",
               "-o", os.path.join(directory, "model.so")]
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is None:
        _, err = process.communicate()
        if process.returncode != 0:
            sys.exit(f"incept-compile failed: {err.decode()}")
        return time.monotonic() - start
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return process.returncode


compile_to(os.path.join(work, "old"), "old_model")
seconds = compile_to(os.path.join(work, "new"), "new_model")
bad = 0
fractions = [k / (points + 1) for k in range(1, points + 1)] + [0.95, 0.98, 0.99]
for k, fraction in enumerate(fractions):
    target = os.path.join(work, f"kill{k}")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(os.path.join(work, "old"), target)
    at = seconds * fraction
    code = compile_to(target, "new_model", kill_after=at)
    verdicts = []
    for name in ("model.so", "model.h"):
        path = os.path.join(target, name)
        if not os.path.exists(path):
            verdicts.append(f"{name} missing")
        elif filecmp.cmp(path, os.path.join(work, "old", name), shallow=False):
            verdicts.append(f"{name} old")
        elif filecmp.cmp(path, os.path.join(work, "new", name), shallow=False):
            verdicts.append(f"{name} new")
        else:
            verdicts.append(f"{name} PARTIAL")
            bad += 1
    status = "killed" if code == -signal.SIGKILL else f"finished ({code})"
    print(f"kill at {at:.2f} s of {seconds:.2f} s, {status}: {', '.join(verdicts)}")
print("FAIL" if bad else "PASS")
sys.exit(1 if bad else 0)
