#!/usr/bin/env bash
# The main job on the bundled default: build Incept, generate GoogLeNet (torchvision,
# seeded random weights, a fixed seeded input and PyTorch's float64 output for it),
# compile it to a shared library, run it, and print the top-5 classes, the latency
# and the largest difference from PyTorch.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

out=build/demo
mkdir -p build/models "$out"
/usr/bin/python3 models/generate.py googlenet --out build/models
echo
echo "== incept-compile build/models/googlenet.onnx --batch 1 -O3 -o $out/googlenet.so"
build/bin/incept-compile build/models/googlenet.onnx --batch 1 -O3 -o "$out/googlenet.so"
ls -l "$out/googlenet.so" "$out/googlenet.h"
echo
echo "== incept-run $out/googlenet.so (fixed input, compared with PyTorch float64)"
build/bin/incept-run "$out/googlenet.so" --input build/models/googlenet.input.npy \
  --output "$out/googlenet.output.npy" \
  --compare build/models/googlenet.ref64.npy --tolerance-mode=max-rel --rtol 1e-4 \
  --show-errors 3 --warmup 2 --repeat 10
echo
/usr/bin/python3 - "$out/googlenet.output.npy" build/models/googlenet.ref64.npy <<'PY'
import sys
import numpy as np

logits = np.load(sys.argv[1])[0]
reference = np.load(sys.argv[2])[0]
probabilities = np.exp(logits - logits.max())
probabilities /= probabilities.sum()
print("top-5 classes (random weights, so the classes mean nothing; PyTorch agrees):")
for rank, index in enumerate(np.argsort(-logits)[:5], 1):
    print(f"  {rank}. class {index:4d}  p={probabilities[index]:.4f}  "
          f"logit {logits[index]:9.4f}  (PyTorch {reference[index]:9.4f})")
same = list(np.argsort(-logits)[:5]) == list(np.argsort(-reference)[:5])
print(f"largest difference from PyTorch: {np.abs(logits - reference).max():.3g} "
      f"(max |logit| {np.abs(reference).max():.3g}); same top-5: {same}")
PY
