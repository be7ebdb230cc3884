#!/usr/bin/env bash
# The concurrency soak (issue 13): GoogLeNet and a small model, each with 8
# contexts and with twice the cores' contexts, single- and multi-threaded
# contexts, every output bitwise equal to one context alone, and create/run/
# destroy cycles with flat memory.
#   soak.sh BUILD_DIR MODELS_DIR SOURCE_DIR
set -euo pipefail
build=$1 models=$2 source=$3
out=$build/test/Soak
mkdir -p "$out"
"$build/bin/incept-compile" "$models/googlenet.onnx" --batch 1 -o "$out/googlenet.so"
"$build/bin/incept-compile" "$source/test/Driver/Inputs/two_heads.onnxtxt" --batch 2 -o "$out/two_heads.so"
twice_cores=$(( 2 * $(nproc) ))
# The small model's cycles are cheap, hence many. incept-soak counts malloc's
# bytes exactly (it runs with glibc's per-thread caches off, whose contents
# drift by up to 1 KiB with the threads' timing): any growth fails.
for case in "googlenet 20" "two_heads 200"; do
  read -r lib cycles <<< "$case"
  for contexts in 8 "$twice_cores"; do
    for threads in 1 2; do
      "$build/bin/incept-soak" "$out/$lib.so" --contexts "$contexts" --threads "$threads" \
        --runs 3 --cycles "$cycles"
    done
  done
done
