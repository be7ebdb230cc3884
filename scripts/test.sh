#!/usr/bin/env bash
# Builds everything and runs every test: lit (dialect, import, family models, docs),
# GoogleTest, after generating the family models. Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build --output-on-failure
