#!/usr/bin/env bash
# Builds everything and runs every test: lit (dialect, import, passes, driver,
# incept-run, examples, family models, docs), GoogleTest, the ONNX node
# conformance tests and every family model end to end (after generating the
# family models). Two tests at a time: the machine has two cores. Ends with
# ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build --output-on-failure -j "${INCEPT_TEST_JOBS:-2}"
