#!/usr/bin/python3
"""Runs docs/getting-started.md as a user would: every fenced block with
`file=NAME` in its info string is written to NAME, then every `sh` block is
run, in order, as one bash script (so that its exports carry on) with
`set -euo pipefail`, in an empty directory, with INCEPT pointing at the
build. Exits with the script's status: a step that stops working fails here.

    /usr/bin/python3 test/Docs/getting_started.py [--build-dir build] [--work-dir DIR]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```$", re.S | re.M)


def blocks(text):
    """(info string, body) of every fenced block, in order."""
    return [(m.group(1).strip(), m.group(2)) for m in FENCE.finditer(text)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(SRC_ROOT, "build"))
    parser.add_argument("--work-dir", help="default: a new temporary directory, removed after a pass")
    parser.add_argument("--doc", default=os.path.join(SRC_ROOT, "docs", "getting-started.md"))
    args = parser.parse_args()

    with open(args.doc) as f:
        found = blocks(f.read())
    files = [(info, body) for info, body in found if "file=" in info]
    commands = [body for info, body in found if info == "sh"]
    if not files or not commands:
        print(f"error: {args.doc}: no file= blocks or no sh blocks", file=sys.stderr)
        return 1

    work = args.work_dir or tempfile.mkdtemp(prefix="incept-getting-started-")
    os.makedirs(work, exist_ok=True)
    for info, body in files:
        name = re.search(r"file=(\S+)", info).group(1)
        with open(os.path.join(work, name), "w") as f:
            f.write(body)
        print(f"wrote {name}", flush=True)
    script = "set -euo pipefail\nset -x\n" + "\n".join(commands)
    env = dict(os.environ, INCEPT=os.path.abspath(args.build_dir))
    result = subprocess.run(["bash", "-c", script], cwd=work, env=env)
    if result.returncode != 0:
        print(f"FAIL: a step of {args.doc} failed (exit {result.returncode}); "
              f"its files are in {work}", flush=True)
        return 1
    if not args.work_dir:
        shutil.rmtree(work)
    print(f"PASS: every step of {os.path.basename(args.doc)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
