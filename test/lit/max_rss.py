#!/usr/bin/env python3
"""Runs a command and fails if its peak resident memory (or, with --max-seconds,
its wall-clock time) exceeds a limit.

Usage: max_rss.py LIMIT_MB [--max-seconds S] COMMAND [ARGS...]
"""
import resource
import subprocess
import sys
import time


def main():
    limit_mb = float(sys.argv[1])
    command = sys.argv[2:]
    max_seconds = None
    if command[:1] == ["--max-seconds"]:
        max_seconds = float(command[1])
        command = command[2:]
    start = time.monotonic()
    status = subprocess.call(command)
    seconds = time.monotonic() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak resident memory: {peak_mb:.0f} MB (limit {limit_mb:.0f} MB)")
    if max_seconds is not None:
        print(f"wall time: {seconds:.1f} s (limit {max_seconds:.0f} s)")
    if status != 0:
        return status
    if max_seconds is not None and seconds > max_seconds:
        return 1
    return 0 if peak_mb <= limit_mb else 1


if __name__ == "__main__":
    sys.exit(main())
