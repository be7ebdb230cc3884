#!/usr/bin/env bash
# Runs every libFuzzer target for a long time (issue 13), one after another:
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# (default: 3600 seconds, every target). Builds first (scripts/setup.sh) and
# writes the seed corpora; what the fuzzers find stays in build/test/Fuzz
# (corpus/<target>: new inputs, kept for the next run; artifacts/<target>:
# crashes, hangs and leaks). Ends with a table: executions, coverage (edges
# and features) and the corpus per target, and what each found. An input in
# artifacts/ becomes a regression: copy it to test/Fuzz/Regressions/<target>/
# (named for the bug), then fix the bug; ctest -L libfuzzer runs it ever after.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
shift || true
scripts/setup.sh > /dev/null
[ -f build/models/googlenet.onnx ] ||
  /usr/bin/python3 models/generate.py --all --out build/models > /dev/null
work=build/test/Fuzz
/usr/bin/python3 test/Fuzz/make_seeds.py --source-dir . --models-dir build/models \
  --out "$work/seeds" > /dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(onnx onnx-text npy tensor-proto model-description)
summary=()
for target in "${targets[@]}"; do
  log=$work/$target.log
  status=0
  test/Fuzz/fuzz.sh "build/bin/incept-fuzz-$target" test/Fuzz "$work" "$seconds" > "$log" 2>&1 ||
    status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  coverage=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' || true)
  found=$(ls "$work/artifacts/$target" 2>/dev/null | wc -l)
  summary+=("$(printf '%-18s %8s s  exit %-3s %12s runs  %-32s %s in artifacts/' \
    "$target" "$seconds" "$status" "${runs:-?}" "${coverage:-?}" "$found")")
done
printf '%s\n' "${summary[@]}"
