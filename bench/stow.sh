#!/usr/bin/env bash
# STOW-RS ingest of 2,000 synthetic 512 KB CT instances (512x512 16-bit, 10 patients x 5 studies x
# 4 series) into Tessera and, in the same run, into Orthanc's DICOMweb plugin (Debian packages
# orthanc + orthanc-dicomweb, default SQLite index). For each of 1 and 4 client threads, both start
# on empty storage and receive the same instances, BATCH per request; ROUNDS alternate the two
# servers so that a change in the VM's speed during the run hits both alike. Tessera (a long-running
# server in real use) is warmed first with 4,000 other instances, which is what its JIT needs to
# finish compiling the hot paths at full optimisation, then given a few seconds to settle; Orthanc
# needs no warm-up. Prints instances/s of each round, then of all rounds, and the ratio.
#   bench/stow.sh                        # 2,000 instances, 10 per request, 2 rounds
#   COUNT=500 BATCH=1 ROUNDS=1 bench/stow.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${COUNT:-2000}"
batch="${BATCH:-10}"
rounds="${ROUNDS:-2}"
port="${PORT:-18490}"; orthanc_port=$((port + 1)); orthanc_dicom=$((port + 2))
data="${DATA:-/tmp/tessera-stow-ct-v2-$count}"
work="$(mktemp -d /tmp/tessera-stow.XXXXXX)"
server_pid=""; orthanc_pid=""
stop_orthanc() { [ -n "$orthanc_pid" ] && kill "$orthanc_pid" 2>/dev/null && wait "$orthanc_pid" 2>/dev/null || true; orthanc_pid=""; }
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  stop_orthanc
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -x /usr/sbin/Orthanc ] && [ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] \
  || { echo "bench: Orthanc with its DICOMweb plugin is missing (apt-get install orthanc orthanc-dicomweb)" >&2; exit 2; }

dotnet build "$root/bench/Tessera.Bench" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
bench() { dotnet "$root/bench/Tessera.Bench/bin/Release/net10.0/Tessera.Bench.dll" "$@"; }
[ -f "$data/main/.done" ] || { rm -rf "$data/main"; bench generate-ct "$data/main" "$count" >&2; touch "$data/main/.done"; }
find "$data/main" -name '*.dcm' | sort > "$work/files.txt"

"$root/tessera" --help >/dev/null   # build first, outside the measurement
for set in 1 2; do # warm-up sets: their own patients and UIDs
  [ -f "$data/warm$set/.done" ] || { rm -rf "$data/warm$set"; bench generate-ct "$data/warm$set" 2000 "$set" >&2; touch "$data/warm$set/.done"; }
done
find "$data/warm1" -name '*.dcm' | sort > "$work/warm-4.txt"
find "$data/warm2" -name '*.dcm' | sort > "$work/warm-1.txt"

start_tessera() { # fresh data folder each time; warmed, with a token for the clients
  TESSERA_ADMIN_PASSWORD=bench-password TESSERA__Logging__LogLevel__Default=Warning \
    dotnet "$root/.build/cli/tessera.dll" serve --data "$work/tessera-$1" --urls "http://127.0.0.1:$port" > "$work/server-$1.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
  # Clients authenticate with a token, as scripts and viewers do (HTTP Basic would pay a password hash per request).
  token="token:$(curl -sf -u admin:bench-password -H 'content-type: application/json' -d '{"name":"bench","expiresInDays":1}' \
    "http://127.0.0.1:$port/api/tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
  for project in warm bench; do
    curl -sf -u admin:bench-password -H 'content-type: application/json' -d "{\"id\":\"$project\"}" "http://127.0.0.1:$port/api/projects" >/dev/null
  done
  local n; for n in 4 1; do bench stow "http://127.0.0.1:$port/dicom-web/studies?project=warm" "$work/warm-$n.txt" "$n" "$batch" "$token" >/dev/null; done
  sleep 5
}
stop_tessera() { kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true; server_pid=""; }

start_orthanc() { # fresh storage each time
  local dir="$work/orthanc-$1"; mkdir -p "$dir"
  cat > "$dir/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$dir/db", "IndexDirectory": "$dir/db",
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
  "HttpPort": $orthanc_port, "DicomPort": $orthanc_dicom, "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "DicomWeb": { "Enable": true, "Root": "/dicom-web/" } }
JSON
  /usr/sbin/Orthanc "$dir/orthanc.json" > "$dir/log" 2>&1 & orthanc_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$orthanc_port/system" >/dev/null && break; sleep 0.2; done
}
seconds() { sed -n 's/.*seconds=\([0-9.]*\).*/\1/p'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'; }

echo "bench: $count instances of $(du -b "$(head -1 "$work/files.txt")" | cut -f1) bytes, $batch per request, $rounds round(s), load1 $(cut -d' ' -f1 /proc/loadavg)"
peak=0
for threads in 1 4; do
  o_total=0; t_total=0
  for round in $(seq 1 "$rounds"); do
    start_orthanc "t$threads-$round"
    o=$(bench stow "http://127.0.0.1:$orthanc_port/dicom-web/studies" "$work/files.txt" "$threads" "$batch" | seconds)
    stop_orthanc
    start_tessera "t$threads-$round"
    t=$(bench stow "http://127.0.0.1:$port/dicom-web/studies?project=bench" "$work/files.txt" "$threads" "$batch" "$token" | seconds)
    rss=$(( $(awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status") / 1024 )); [ "$rss" -gt "$peak" ] && peak=$rss
    stop_tessera
    echo "  $threads thread(s), round $round: Orthanc $(rate "$count" "$o") inst/s, Tessera $(rate "$count" "$t") inst/s, ratio $(ratio "$o" "$t")"
    o_total=$(awk -v a="$o_total" -v b="$o" 'BEGIN { print a + b }'); t_total=$(awk -v a="$t_total" -v b="$t" 'BEGIN { print a + b }')
  done
  echo "$threads thread(s): Orthanc $(rate $((count * rounds)) "$o_total") inst/s, Tessera $(rate $((count * rounds)) "$t_total") inst/s, ratio $(ratio "$o_total" "$t_total")"
done
echo "tessera peak RSS: $peak MB"
