#!/bin/bash
# The GPU check's round trip, in two halves (docs/gpu.md, "Checking on a GPU").
#
# Here (LLVM, the build): scripts/gpu-check.sh
#   builds, compiles every family model for --target=cuda --weights=external
#   in TF32 at batch 1, 8 and 64, in fp32 at batch 1 and 8, in FP16 and
#   BF16 at batch 1, in TF32 at batch 1 on one stream and with --profile, and
#   in TF32 of a dynamic batch in chunks of 8 (code only: a few MB each), packs the libraries, the
#   Python package and the model scripts into gpu-check/bundle.tar.xz
#   (git-ignored), checks the device half against the tests' stub driver
#   (--dry-run: no GPU, numbers meaningless), and prints the device call.
#
# There (a GPU, PyTorch, no LLVM): bash scripts/gpu-check.sh --device
#   unpacks the bundle, rebuilds the weights from the model scripts and runs
#   scripts/gpu_check.py (the libraries through the Python package, and
#   through incept-run-portable, which needs libc alone, the first model's
#   latency and every model's layer table, one file each in $OUT):
#   every model against PyTorch's float64 output at
#   batch 1 and 8 (FP16 and BF16: 1), and the latency table against PyTorch (eager and
#   torch.compile) at batch 1, 8 and 64 (with $PYTHON, default python3).
#   Under 8 minutes; the table is also left in $OUT/gpu-check.md when $OUT is
#   set. Options after --device go to gpu_check.py (--models, --budget).
#
# BUILD=dir: use that build as it is (no setup, no build step; the test
# suite's gpu-check-dry-run does so). GPU_CHECK_MODELS: the models (all).
# GPU_CHECK_DIR: where the bundle goes (gpu-check, which the device call
# carries).
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS=${GPU_CHECK_MODELS:-googlenet inception_v1 bn_inception inception_v3 inception_v4 inception_resnet_v1 inception_resnet_v2}

DIR=${GPU_CHECK_DIR:-gpu-check}

if [[ "${1:-}" == "--device" ]]; then
  work=$(mktemp -d)
  tar -xJf "$DIR/bundle.tar.xz" -C "$work"
  status=0
  "${PYTHON:-python3}" scripts/gpu_check.py "$work" "${@:2}" | tee "$work/gpu-check.md" || status=$?
  if [[ -n "${OUT:-}" ]]; then cp "$work/gpu-check.md" "$work"/profile.* "$OUT/" 2>/dev/null || true; fi
  exit $status
fi

if [[ -z "${BUILD:-}" ]]; then
  BUILD=build
  scripts/setup.sh >/dev/null
fi
/usr/bin/python3 models/generate.py $MODELS --out "$BUILD/models" >/dev/null
rm -rf "$DIR" && mkdir -p "$DIR/bundle/libs"
# TF32 (the default) at every batch; fp32 where it is checked at 1e-4; FP16
# and BF16 at batch 1; and TF32 at batch 1 with every launch on one stream
# (incept-gpu-streams left out), which measures what the concurrent
# branches gain, and with every kernel timed (--profile), which says where
# the time goes; and TF32 of a dynamic batch in chunks of 8.
for model in $MODELS; do
  for library in tf32.b1 tf32.b8 tf32.b64 fp32.b1 fp32.b8 fp16.b1 bf16.b1 tf32.b1.one-stream \
                 tf32.b1.profile tf32.bdynamic; do
    spec=${library%.one-stream}
    spec=${spec%.profile}
    variant=()
    [[ $library == *.one-stream ]] && variant=(--disable-pass=gpu-streams)
    [[ $library == *.profile ]] && variant=(--profile)
    [[ $library == *.bdynamic ]] && variant=(--batch-chunk 8)
    "$BUILD/bin/incept-compile" "$BUILD/models/$model.onnx" --target=cuda \
      --weights=external --precision="${spec%%.*}" --batch "${spec#*.b}" "${variant[@]}" \
      --progress=false -o "$DIR/bundle/libs/$model.$library.so" 2>&1 |
      grep -v "^warning: CUDA's ptxas" || true
    test -f "$DIR/bundle/libs/$model.$library.so"
    # The device rebuilds the weights from the model scripts.
    rm -f "$DIR/bundle/libs/$model.$library.weights" "$DIR/bundle/libs/$model.$library.h"
  done
done
cp -r "$BUILD/python" $DIR/bundle/python
mkdir -p "$DIR/bundle/bin" && cp "$BUILD/bin/incept-run-portable" "$DIR/bundle/bin/incept-run"
mkdir -p $DIR/bundle/models && cp models/*.py $DIR/bundle/models/
tar -cJf $DIR/bundle.tar.xz -C $DIR/bundle .

# The device half, here against the stub driver: the same path, no GPU.
INCEPT_CUDA_DRIVER="$BUILD/test/CudaRuntime/stub-driver/libcuda.so.1" \
  /usr/bin/python3 scripts/gpu_check.py "$DIR/bundle" --dry-run \
  --models "$(echo $MODELS | cut -d' ' -f1)" > "$DIR/dry-run.md"
if ! grep -q "^incept-run on .*: latency" "$DIR/dry-run.md" ||
   ! grep -q "^profile of .*: all layers" "$DIR/dry-run.md" ||
   ! grep -q "^dynamic batch of .*: 64 images" "$DIR/dry-run.md"; then
  echo "gpu-check: the carried incept-run did not run:" >&2
  tail -3 "$DIR/dry-run.md" >&2
  exit 1
fi
rm -rf $DIR/bundle
echo "$DIR/bundle.tar.xz: $(du -h $DIR/bundle.tar.xz | cut -f1)."
echo "On a GPU (the device tool's run): command 'bash scripts/gpu-check.sh --device',"
echo "carry [\"gpu-check\"], timeout_s 540."
