#!/usr/bin/env bash
# Runs one libFuzzer target (test/Fuzz/CMakeLists.txt):
#   fuzz.sh FUZZER SOURCE_DIR WORK_DIR SECONDS
# First every input in Regressions/<target> once (each crashed the target
# before its fix), then fuzzing for SECONDS from the seed corpus
# (WORK_DIR/seeds/<target>, make_seeds.py) plus what earlier runs found
# (WORK_DIR/corpus/<target>, where new inputs go). A crash, sanitizer report,
# leak, hang (-timeout) or memory blow-up fails the run; its input is left in
# WORK_DIR/artifacts/<target>/ to become a regression. Ends with libFuzzer's
# statistics: executions, coverage (cov: edges, ft: features) and corpus.
set -euo pipefail
fuzzer=$1 source=$2 work=$3 seconds=$4
name=$(basename "$fuzzer")
name=${name#incept-fuzz-}
case $name in
  onnx|onnx-text) dict=$source/Dictionaries/onnx.dict ;;
  npy) dict=$source/Dictionaries/npy.dict ;;
  *) dict= ;;
esac
options=(-timeout=25 -rss_limit_mb=4096 -malloc_limit_mb=2048)
[ -n "$dict" ] && options+=(-dict="$dict")
# allow_user_poisoning=0: LLVM's BumpPtrAllocator, inlined from its headers
# into the instrumented code, poisons its slabs; libMLIR's uninstrumented
# copy then writes into them without unpoisoning (a false report).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:allow_user_poisoning=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

regressions=$source/Regressions/$name
if compgen -G "$regressions/*" > /dev/null; then
  echo "fuzz.sh: $name: $(ls "$regressions" | wc -l) regression inputs"
  "$fuzzer" "${options[@]}" "$regressions"/*
fi

corpus=$work/corpus/$name
artifacts=$work/artifacts/$name
mkdir -p "$corpus" "$artifacts"
seeds=()
[ -d "$work/seeds/$name" ] && seeds+=("$work/seeds/$name")
[ -d "$regressions" ] && seeds+=("$regressions")
echo "fuzz.sh: $name: fuzzing for ${seconds}s"
set +e
"$fuzzer" "${options[@]}" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}" 2>&1 |
  grep -v -e '^#[0-9]*.*\(NEW\|REDUCE\|pulse\)' -e 'NEW_FUNC' -e '^INFO: ' \
    -e '^"' -e '^###### '
# grep only hides libFuzzer's progress lines and the dictionary it suggests:
# the fuzzer's status is the run's.
status=${PIPESTATUS[0]}
set -e
exit "$status"
