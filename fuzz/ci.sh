#!/usr/bin/env bash
# Runs every fuzz target briefly (FUZZ_SECONDS each, default 60) from fresh seeds: keeps the harness working and
# catches shallow regressions; long runs are fuzz/run.sh's (see fuzz/README.md). Inputs that crash, or hang again
# when replayed, are copied to FUZZ_CRASHES (default artifacts/fuzz-crashes/<target>/). Exits 1 if any target
# found one or its harness failed; the last line is "fuzz: N targets clean, N with findings, N harness failures".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${FUZZ_SECONDS:-60}"
export FUZZ_WORK="${FUZZ_WORK:-$root/artifacts/fuzz-ci}"
crashes="${FUZZ_CRASHES:-$root/artifacts/fuzz-crashes}"

rm -rf "$FUZZ_WORK"
fuzz/run.sh --build
mapfile -t targets < <(dotnet "$FUZZ_WORK/build/tessera-fuzz.dll" --list | awk '{print $1}')
clean=0; findings=0; broken=0
for target in "${targets[@]}"; do
  status=0
  FUZZ_NO_BUILD=1 FUZZ_OUT="$FUZZ_WORK/$target" fuzz/run.sh "$target" "$seconds" || status=$?
  if [ "$status" -eq 0 ]; then
    clean=$((clean + 1))
    continue
  fi
  if [ "$status" -eq 3 ]; then
    findings=$((findings + 1))
    mkdir -p "$crashes/$target"
    for folder in seed-crashes default/crashes default/hangs; do
      [ -d "$FUZZ_WORK/$target/$folder" ] && find "$FUZZ_WORK/$target/$folder" -type f -exec cp {} "$crashes/$target/" \;
    done
    echo "fuzz $target: inputs copied to $crashes/$target"
  else
    broken=$((broken + 1))
    echo "fuzz $target: the harness failed (status $status)"
  fi
done
echo "fuzz: $clean targets clean, $findings with findings, $broken harness failures"
[ "$findings" -eq 0 ] && [ "$broken" -eq 0 ]
