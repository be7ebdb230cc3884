#!/usr/bin/env bash
# The main job on the bundled default: build Incept, generate GoogLeNet (torchvision,
# seeded random weights), import it into the incept dialect and summarise the IR.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

mkdir -p build/models
/usr/bin/python3 models/generate.py googlenet --out build/models
echo
echo "== incept-compile build/models/googlenet.onnx --batch 1 --emit=incept --stats"
build/bin/incept-compile build/models/googlenet.onnx --batch 1 --emit=incept \
  -o build/models/googlenet.mlir --stats
echo
echo "The IR is in build/models/googlenet.mlir; its first ops:"
grep -m 12 -E "incept\.|func.func" build/models/googlenet.mlir | cut -c 1-160
