#!/usr/bin/env bash
# Fuzzes one target of fuzz/Tessera.Fuzz with AFL++ through SharpFuzz: builds the harness, instruments
# Tessera.Dicom and Tessera.Imaging, writes seeds from the test corpus (../shared/testdata, or TESSERA_TESTDATA),
# runs afl-fuzz for the given seconds and prints executions, crashes and hangs (each crash replayed in-process).
#   fuzz/run.sh <target> [seconds]       seconds default to 600; 0 runs until stopped (Ctrl-C)
#   fuzz/run.sh --build                  builds and instruments only
# Exits 3 when the run found a crash, or a hang that replays as one; 0 when it found neither.
# FUZZ_OUT: the findings folder, default artifacts/fuzz/<target>; a folder that holds a run is resumed (-i -).
# FUZZ_NO_BUILD=1 reuses the instrumented build of an earlier run (fuzz/ci.sh builds once for every target).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target="${1:?usage: fuzz/run.sh <target> [seconds]}"
seconds="${2:-600}"
work="${FUZZ_WORK:-$root/artifacts/fuzz}"
out="${FUZZ_OUT:-$work/$target}"
build="$work/build"
instrumented="$work/instrumented"
tools="$work/tools"
export TESSERA_TESTDATA="${TESSERA_TESTDATA:-$root/../shared/testdata}"

log() { echo "fuzz: $*" >&2; }

command -v afl-fuzz >/dev/null 2>&1 || { log "afl-fuzz is missing (Debian package afl++)"; exit 2; }
mkdir -p "$work"

if [ "${FUZZ_NO_BUILD:-}" != 1 ] || [ ! -f "$instrumented/tessera-fuzz.dll" ]; then
  if [ ! -x "$tools/sharpfuzz" ]; then
    log "installing the sharpfuzz tool"
    dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
  fi
  log "building and instrumenting"
  # Fresh folders each time: sharpfuzz instruments in place and refuses an assembly it has already instrumented.
  # Instrumented code runs only under afl-fuzz (it writes to AFL's shared memory): seeds and replays use the plain build.
  rm -rf "$build" "$instrumented"
  dotnet publish fuzz/Tessera.Fuzz/Tessera.Fuzz.csproj -c Release -o "$build" --nologo -v quiet -clp:ErrorsOnly >/dev/null
  cp -r "$build" "$instrumented"
  for assembly in Tessera.Dicom Tessera.Imaging; do
    "$tools/sharpfuzz" "$instrumented/$assembly.dll" >/dev/null
  done
fi
[ "$target" = --build ] && exit 0
harness=(dotnet "$build/tessera-fuzz.dll" "$target")

# afl-fuzz runs as root in containers, with no core pattern of its own and cores shared with other work.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export AFL_FAST_CAL=1 AFL_FORKSRV_INIT_TMOUT=60000 AFL_NO_CRASH_README=1
# An input that makes a parser allocate past 1 GiB is a finding: the child throws OutOfMemoryException instead of
# taking the machine's memory (afl-fuzz runs with -m none, since the .NET runtime reserves far more than it uses).
export DOTNET_GCHeapHardLimit=0x40000000

if [ -f "$out/default/fuzzer_stats" ]; then
  log "resuming $target in $out"
  inputs=(-i -)
else
  seeds="$out.seeds"
  rm -rf "$seeds"
  "${harness[@]}" --seeds "$seeds" >&2
  # afl-fuzz stops at a seed that crashes: such seeds are findings already, set aside for the report.
  mkdir -p "$out"
  while read -r _ file _; do
    mkdir -p "$out/seed-crashes"
    mv "$file" "$out/seed-crashes/"
  done < <("${harness[@]}" --replay "$seeds" | grep '^CRASH ' || true)
  inputs=(-i "$seeds")
fi

log "fuzzing $target for ${seconds}s (findings in $out)"
limit=(); [ "$seconds" -gt 0 ] && limit=(-V "$seconds")
afl-fuzz "${inputs[@]}" -o "$out" -t 5000 -m none "${limit[@]}" -- dotnet "$instrumented/tessera-fuzz.dll" "$target" >"$out.log" 2>&1 || {
  log "afl-fuzz failed; the end of its log:"; tail -20 "$out.log" >&2; exit 1
}

field() { grep -E "^$1 *:" "$out/default/fuzzer_stats" | awk -F: '{gsub(/ /, "", $2); print $2}'; }
execs="$(field execs_done)"; crashes="$(field saved_crashes)"; hangs="$(field saved_hangs)"
run_time="$(field run_time)"; corpus="$(field corpus_count)"; edges="$(field edges_found)"
seed_crashes=0; [ -d "$out/seed-crashes" ] && seed_crashes=$(find "$out/seed-crashes" -type f | wc -l)
echo "fuzz $target: $execs executions in ${run_time}s ($((execs / (run_time > 0 ? run_time : 1)))/s), corpus $corpus, edges $edges, crashes $((crashes + seed_crashes)), hangs $hangs"
found=0
[ $((crashes + seed_crashes)) -gt 0 ] && found=1
for folder in seed-crashes default/crashes default/hangs; do
  if [ -d "$out/$folder" ] && [ -n "$(find "$out/$folder" -type f | head -1)" ]; then
    echo "fuzz $target: replaying $out/$folder"
    # A hang that runs in time in-process was the machine's load, not the input: only one that replays counts.
    "${harness[@]}" --replay "$out/$folder" || found=1
  fi
done
[ "$found" -eq 0 ] || exit 3
