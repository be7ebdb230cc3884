#!/usr/bin/env python3
"""Runs a command and fails if its peak resident memory (or, with --max-seconds,
its CPU time) exceeds a limit. CPU time, user and system, of the command and
the children it waited for: wall time doubles when lit and ctest run other
tests beside it on two cores (Inception-ResNet v2's -O3 compile took 126 s
there, 48 s alone), CPU time barely moves.

Usage: max_rss.py LIMIT_MB [--max-seconds S] COMMAND [ARGS...]
"""
import resource
import subprocess
import sys


def main():
    limit_mb = float(sys.argv[1])
    command = sys.argv[2:]
    max_seconds = None
    if command[:1] == ["--max-seconds"]:
        max_seconds = float(command[1])
        command = command[2:]
    status = subprocess.call(command)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = usage.ru_utime + usage.ru_stime
    peak_mb = usage.ru_maxrss / 1024
    print(f"peak resident memory: {peak_mb:.0f} MB (limit {limit_mb:.0f} MB)")
    if max_seconds is not None:
        print(f"CPU time: {seconds:.1f} s (limit {max_seconds:.0f} s)")
    if status != 0:
        return status
    if max_seconds is not None and seconds > max_seconds:
        return 1
    return 0 if peak_mb <= limit_mb else 1


if __name__ == "__main__":
    sys.exit(main())
