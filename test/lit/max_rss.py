#!/usr/bin/env python3
"""Runs a command and fails if its peak resident memory exceeds a limit.

Usage: max_rss.py LIMIT_MB COMMAND [ARGS...]
"""
import resource
import subprocess
import sys


def main():
    limit_mb = float(sys.argv[1])
    status = subprocess.call(sys.argv[2:])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak resident memory: {peak_mb:.0f} MB (limit {limit_mb:.0f} MB)")
    if status != 0:
        return status
    return 0 if peak_mb <= limit_mb else 1


if __name__ == "__main__":
    sys.exit(main())
