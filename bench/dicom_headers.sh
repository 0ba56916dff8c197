#!/usr/bin/env bash
# Parses the headers of 10,000 DICOM files (the corpus's files under 1 MiB, hard-linked over and
# over) with Tessera's toolkit and, in the same run, with dcmtk's dcmdump (one process for all
# files, stopping before Pixel Data, output discarded). Both read from a warm page cache. Rounds
# alternate the two; prints the best files/s of each and the ratio.
#   bench/dicom_headers.sh                 # 10,000 files, 3 rounds
#   FILES=2000 ROUNDS=1 bench/dicom_headers.sh
# Needs dcmtk (apt-get install dcmtk) and the test corpus (../shared/testdata or TESSERA_TESTDATA).
# BDN=1 also runs the BenchmarkDotNet suite (HeaderParsing) over the distinct corpus files, warm and in-process.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${TESSERA_TESTDATA:-$root/../shared/testdata}"
count="${FILES:-10000}"
rounds="${ROUNDS:-3}"
work="$(mktemp -d /tmp/tessera-headers.XXXXXX)"
trap 'rm -rf "$work"' EXIT
command -v dcmdump >/dev/null || { echo "bench: dcmdump is missing (apt-get install dcmtk)" >&2; exit 2; }

dotnet build "$root/bench/Tessera.Bench" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
bench() { dotnet "$root/bench/Tessera.Bench/bin/Release/net10.0/Tessera.Bench.dll" "$@"; }

# The corpus's Part 10 files under 1 MiB that both tools read.
find "$corpus" -type f -size -1024k -print0 | while IFS= read -r -d '' f; do
  if head -c 132 "$f" | tail -c 4 | grep -aq DICM && dcmdump -q +sb 7fe0,0010 "$f" >/dev/null 2>&1; then echo "$f"; fi
done > "$work/sources.txt"
bench parse-headers "$work/sources.txt" >/dev/null || { echo "bench: Tessera refuses a file dcmdump reads" >&2; exit 1; }
mapfile -t sources < "$work/sources.txt"
mkdir -p "$work/files"
for i in $(seq 0 $((count - 1))); do
  ln "${sources[$((i % ${#sources[@]}))]}" "$work/files/$i.dcm" 2>/dev/null || cp "${sources[$((i % ${#sources[@]}))]}" "$work/files/$i.dcm"
done
find "$work/files" -type f | sort > "$work/list.txt"
cat "$work/files"/* > /dev/null   # warm the page cache for both
echo "bench: $count files from ${#sources[@]} corpus files, $(du -sbL "$work/files" | awk '{ printf "%.0f", $1 / 1e6 }') MB, load1 $(cut -d' ' -f1 /proc/loadavg)" >&2

now() { date +%s.%N; }
best_dcmdump=0; best_tessera=0
for round in $(seq 1 "$rounds"); do
  t0=$(now); dcmdump -q -M +sb 7fe0,0010 +sd "$work/files" > /dev/null 2>&1 || true; t1=$(now)
  d=$(awk -v n="$count" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
  t=$(bench parse-headers "$work/list.txt" | sed -n 's/.*files_per_second=\([0-9]*\).*/\1/p')
  echo "round $round: dcmdump $d files/s, Tessera $t files/s" >&2
  [ "$d" -gt "$best_dcmdump" ] && best_dcmdump=$d
  [ "$t" -gt "$best_tessera" ] && best_tessera=$t
done
echo "dcmdump: $best_dcmdump files/s"
echo "Tessera: $best_tessera files/s (including process start)"
awk -v t="$best_tessera" -v d="$best_dcmdump" 'BEGIN { printf "ratio: %.1fx dcmdump per file\n", t / d }'
if [ "${BDN:-0}" = 1 ]; then
  # BenchmarkDotNet builds its own runner from the project folder.
  (cd "$root/bench/Tessera.Bench" && TESSERA_BENCH_FILES="$work/sources.txt" \
    dotnet bin/Release/net10.0/Tessera.Bench.dll benchmarks --filter '*HeaderParsing*' --job short --artifacts "$work/bdn" | grep '^|')
fi
