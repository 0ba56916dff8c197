#!/usr/bin/env bash
# C-STORE ingest of 2,000 synthetic 512 KB CT instances (512x512 16-bit, 10 patients x 5 studies x
# 4 series) over 1 and over 4 associations (dcmtk's storescu, one process per association, the
# files dealt round-robin), in one run into: dcmtk's storescp writing plain files with no database
# (the practical limit), Orthanc (Debian package, default SQLite index), and Tessera (a fresh data
# folder, SQLite, every instance durable before its success status). Every peer runs with
# TCP_NODELAY (../shared/RECIPES.md section 4). Tessera, a long-running server in real use, is warmed
# first with 4,000 other instances. Prints instances/s of each and the ratios.
#   bench/cstore.sh                 # 2,000 instances, 2 rounds
#   COUNT=500 ROUNDS=1 bench/cstore.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${COUNT:-2000}"
rounds="${ROUNDS:-2}"
port="${PORT:-18590}"; dicom=$((port + 1)); orthanc_port=$((port + 2)); orthanc_dicom=$((port + 3)); scp_port=$((port + 4))
data="${DATA:-/tmp/tessera-stow-ct-v2-$count}"
work="$(mktemp -d /tmp/tessera-cstore.XXXXXX)"
server_pid=""; orthanc_pid=""; scp_pid=""
export TCP_NODELAY=1
stop() { local pid="$1"; [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
cleanup() { stop "$server_pid"; stop "$orthanc_pid"; stop "$scp_pid"; rm -rf "$work"; }
trap cleanup EXIT
command -v storescu >/dev/null && command -v storescp >/dev/null || { echo "bench: dcmtk is missing (apt-get install dcmtk)" >&2; exit 2; }
[ -x /usr/sbin/Orthanc ] || { echo "bench: Orthanc is missing (apt-get install orthanc)" >&2; exit 2; }

dotnet build "$root/bench/Tessera.Bench" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
bench() { dotnet "$root/bench/Tessera.Bench/bin/Release/net10.0/Tessera.Bench.dll" "$@"; }
[ -f "$data/main/.done" ] || { rm -rf "$data/main"; bench generate-ct "$data/main" "$count" >&2; touch "$data/main/.done"; }
[ -f "$data/warm1/.done" ] || { rm -rf "$data/warm1"; bench generate-ct "$data/warm1" 2000 1 >&2; touch "$data/warm1/.done"; }
[ -f "$data/warm2/.done" ] || { rm -rf "$data/warm2"; bench generate-ct "$data/warm2" 2000 2 >&2; touch "$data/warm2/.done"; }
find "$data/main" -name '*.dcm' | sort > "$work/files.txt"
"$root/tessera" --help >/dev/null   # build first, outside the measurement

# Sends the listed files over N associations at once (one storescu each); prints the seconds taken.
send() { # list associations called-ae port [calling-ae]
  local list="$1" n="$2" ae="$3" p="$4" calling="${5:-BENCH}" i pids=()
  rm -f "$work"/part-*
  split -n "r/$n" -d "$list" "$work/part-"
  local t0; t0=$(date +%s.%N)
  for part in "$work"/part-*; do
    xargs -a "$part" storescu -aet "$calling" -aec "$ae" 127.0.0.1 "$p" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'
}

start_tessera() {
  TESSERA_ADMIN_PASSWORD=bench-password TESSERA__Logging__LogLevel__Default=Warning \
    dotnet "$root/.build/cli/tessera.dll" serve --data "$work/tessera-$1" --urls "http://127.0.0.1:$port" --dicom-port "$dicom" > "$work/server-$1.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
  local api=(curl -sf -u admin:bench-password -H 'content-type: application/json')
  local project; for project in warm bench; do
    "${api[@]}" -d "{\"id\":\"$project\"}" "http://127.0.0.1:$port/api/projects" >/dev/null
    "${api[@]}" -X PUT -d "{\"host\":\"127.0.0.1\",\"port\":104,\"allow\":[\"echo\",\"store\"],\"project\":\"$project\"}" \
      "http://127.0.0.1:$port/api/dicom/nodes/${project^^}" >/dev/null
  done
  send "$work/warm.txt" 4 TESSERA "$dicom" WARM >/dev/null
  sleep 5
}
start_orthanc() {
  local dir="$work/orthanc-$1"; mkdir -p "$dir"
  cat > "$dir/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$dir/db", "IndexDirectory": "$dir/db", "HttpPort": $orthanc_port, "DicomPort": $orthanc_dicom,
  "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "DicomAlwaysAllowStore": true, "DicomCheckCalledAet": false }
JSON
  /usr/sbin/Orthanc "$dir/orthanc.json" > "$dir/log" 2>&1 & orthanc_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$orthanc_port/system" >/dev/null && break; sleep 0.2; done
}
start_storescp() {
  mkdir -p "$work/scp-$1"
  storescp -od "$work/scp-$1" "$scp_port" > "$work/scp-$1.log" 2>&1 & scp_pid=$!
  for _ in $(seq 1 100); do echoscu 127.0.0.1 "$scp_port" >/dev/null 2>&1 && break; sleep 0.1; done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }
find "$data/warm1" "$data/warm2" -name '*.dcm' | sort > "$work/warm.txt"

echo "bench: $count instances of $(du -b "$(head -1 "$work/files.txt")" | cut -f1) bytes, $rounds round(s), load1 $(cut -d' ' -f1 /proc/loadavg)"
peak=0
for n in 1 4; do
  s_total=0; o_total=0; t_total=0
  for round in $(seq 1 "$rounds"); do
    start_storescp "a$n-$round"; s=$(send "$work/files.txt" "$n" ANY "$scp_port"); stop "$scp_pid"; scp_pid=""; rm -rf "$work/scp-a$n-$round"
    start_orthanc "a$n-$round"; o=$(send "$work/files.txt" "$n" ORTHANC "$orthanc_dicom"); stop "$orthanc_pid"; orthanc_pid=""; rm -rf "$work/orthanc-a$n-$round"
    start_tessera "a$n-$round"; t=$(send "$work/files.txt" "$n" TESSERA "$dicom")
    stored=$(curl -sf -u admin:bench-password "http://127.0.0.1:$port/dicom-web/projects/bench/studies?limit=1000" \
      | python3 -c 'import json,sys; print(sum(int(s["00201208"]["Value"][0]) for s in json.load(sys.stdin)))')
    [ "$stored" = "$count" ] || echo "  warning: Tessera holds $stored of $count instances" >&2
    rss=$(( $(awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status") / 1024 )); [ "$rss" -gt "$peak" ] && peak=$rss
    stop "$server_pid"; server_pid=""; rm -rf "$work/tessera-a$n-$round"
    echo "  $n association(s), round $round: storescp $(rate "$count" "$s"), Orthanc $(rate "$count" "$o"), Tessera $(rate "$count" "$t") inst/s;" \
      "Tessera/storescp $(ratio "$s" "$t"), Tessera/Orthanc $(ratio "$o" "$t")"
    s_total=$(add "$s_total" "$s"); o_total=$(add "$o_total" "$o"); t_total=$(add "$t_total" "$t")
  done
  total=$((count * rounds))
  echo "$n association(s): storescp $(rate "$total" "$s_total"), Orthanc $(rate "$total" "$o_total"), Tessera $(rate "$total" "$t_total") inst/s;" \
    "Tessera/storescp $(ratio "$s_total" "$t_total"), Tessera/Orthanc $(ratio "$o_total" "$t_total")"
done
echo "tessera peak RSS: $peak MB"
