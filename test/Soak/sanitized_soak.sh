#!/usr/bin/env bash
# The soak under the sanitizers (issue 13): libraries compiled with
# incept-compile --sanitize=address and --sanitize=thread (kernels, wrapper
# and runtime instrumented) run in the soak host built with AddressSanitizer
# + UBSan and with ThreadSanitizer: GoogLeNet and a small model, contexts of
# 2 threads in several threads, create/run/destroy cycles, zero reports
# (a report exits non-zero). Then the fault the instrumentation is for: an
# input one element short is reported as an overflow in the model's kernels.
#   sanitized_soak.sh BUILD_DIR MODELS_DIR SOURCE_DIR
set -euo pipefail
build=$1 models=$2 source=$3
out=$build/test/Soak/sanitized
mkdir -p "$out"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
for variant in "address asan" "thread tsan"; do
  read -r sanitizer suffix <<< "$variant"
  "$build/bin/incept-compile" "$source/test/Driver/Inputs/two_heads.onnxtxt" --batch 2 \
    --sanitize="$sanitizer" -o "$out/two_heads-$suffix.so"
  "$build/bin/incept-compile" "$models/googlenet.onnx" --batch 1 \
    --sanitize="$sanitizer" -o "$out/googlenet-$suffix.so"
  # Instrumented: the kernels call the sanitizer's run-time library.
  nm -D --undefined-only "$out/googlenet-$suffix.so" | grep -q "__${suffix}_" ||
    { echo "googlenet-$suffix.so calls no __${suffix}_ function"; exit 1; }
  echo "--sanitize=$sanitizer in incept-soak-$suffix:"
  "$build/bin/incept-soak-$suffix" "$out/two_heads-$suffix.so" --contexts 4 --threads 2 \
    --runs 3 --cycles 20
  "$build/bin/incept-soak-$suffix" "$out/googlenet-$suffix.so" --contexts 2 --threads 2 \
    --runs 2 --cycles 2
done
if "$build/bin/incept-soak-asan" "$out/two_heads-asan.so" --contexts 1 --runs 1 --cycles 0 \
     --short-input 1 > "$out/short-input.txt" 2>&1; then
  echo "a short input went unreported"; exit 1
fi
grep -q "ERROR: AddressSanitizer: heap-buffer-overflow" "$out/short-input.txt" &&
  grep -q "in two_heads_forward" "$out/short-input.txt" ||
  { cat "$out/short-input.txt"; echo "the overflow was not reported in the kernels"; exit 1; }
echo "a short input: reported as a heap-buffer-overflow in two_heads_forward's kernels"
