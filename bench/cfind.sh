#!/usr/bin/env bash
# C-FIND study-level latency with 100,000 instances indexed (500 patients x 5 studies x 4 series x
# 10 instances: 2,500 studies), in one run on Tessera over SQLite, Tessera over PostgreSQL (a cluster
# of its own on loopback, started here) and Orthanc (Debian package, default SQLite index), all
# holding the same small synthetic CT instances (8x8 pixels: it is the index that is measured).
# Each query is asked by dcmtk's findscu (Study Root, STUDY level, with computed return keys), twice
# to warm up and then RUNS times; prints the median milliseconds of each (findscu's own start
# included, alike for all) and the ratios to Orthanc.
#   bench/cfind.sh                  # 100,000 instances, 11 runs per query
#   COUNT=10000 RUNS=5 bench/cfind.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${COUNT:-100000}"
runs="${RUNS:-11}"
port="${PORT:-18790}"; dicom=$((port + 1)); orthanc_port=$((port + 2)); orthanc_dicom=$((port + 3)); pg_port=$((port + 4))
data="${DATA:-/tmp/tessera-cfind-$count}"
work="$(mktemp -d /tmp/tessera-cfind.XXXXXX)"
server_pid=""; orthanc_pid=""; pg_bin=""
export TCP_NODELAY=1
stop() { local pid="$1"; [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
cleanup() {
  stop "$server_pid"; stop "$orthanc_pid"
  [ -n "$pg_bin" ] && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
command -v findscu >/dev/null || { echo "bench: dcmtk is missing (apt-get install dcmtk)" >&2; exit 2; }
[ -x /usr/sbin/Orthanc ] && [ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] \
  || { echo "bench: Orthanc with its DICOMweb plugin is missing (apt-get install orthanc orthanc-dicomweb)" >&2; exit 2; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "bench: PostgreSQL is missing (apt-get install postgresql)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (the PostgreSQL cluster runs as the postgres user)" >&2; exit 2; }

dotnet build "$root/bench/Tessera.Bench" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
bench() { dotnet "$root/bench/Tessera.Bench/bin/Release/net10.0/Tessera.Bench.dll" "$@"; }
[ -f "$data/.done" ] || { rm -rf "$data"; bench generate-ct "$data" "$count" 7 8 >&2; touch "$data/.done"; }
find "$data" -name '*.dcm' | sort > "$work/files.txt"
"$root/tessera" --help >/dev/null   # build first, outside the measurement

# The queries: name, then findscu's -k keys (the return keys every query asks for come after).
queries=(
  "patient-id|PatientID=BENCH7-007"
  "accession|AccessionNumber=ACC7-00042"
  "study-uid|StudyInstanceUID=2.25.9876543217.1.42"
  "name-wildcard|PatientName=Bench^Patient7-00*"
  "date-range-all|StudyDate=20250101-20261231"
)
returns=(StudyInstanceUID PatientName PatientID StudyDate AccessionNumber StudyDescription
  ModalitiesInStudy NumberOfStudyRelatedSeries NumberOfStudyRelatedInstances)

# Asks one query RUNS times; prints "median-ms matches".
ask() { # called-ae port keys...
  local ae="$1" p="$2"; shift 2
  local keys=() k r; for k in "$@"; do keys+=(-k "$k"); done
  # A return key already given as a matching key is left out: findscu's later -k would empty it.
  for r in "${returns[@]}"; do [[ " $* " == *" $r="* ]] || keys+=(-k "$r"); done
  local times=() matches=0 i t0 t1
  for i in $(seq 1 $((runs + 2))); do
    t0=$(date +%s%N)
    matches=$(findscu -v -S -aet BENCH -aec "$ae" 127.0.0.1 "$p" -k QueryRetrieveLevel=STUDY "${keys[@]}" 2>&1 \
      | grep -c 'Find Response: .*(Pending)' || true)
    t1=$(date +%s%N)
    [ "$i" -gt 2 ] && times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v m="$matches" '{ a[NR] = $1 } END { printf "%.1f %d", a[int((NR + 1) / 2)] / 1000, m }'
}

start_tessera() { # name, then environment for the server
  local name="$1"; shift
  env "$@" TESSERA_ADMIN_PASSWORD=bench-password TESSERA__Logging__LogLevel__Default=Warning \
    dotnet "$root/.build/cli/tessera.dll" db migrate --data "$work/tessera-$name" > "$work/migrate-$name.log" 2>&1
  env "$@" TESSERA_ADMIN_PASSWORD=bench-password TESSERA__Logging__LogLevel__Default=Warning \
    dotnet "$root/.build/cli/tessera.dll" serve --data "$work/tessera-$name" --urls "http://127.0.0.1:$port" --dicom-port "$dicom" > "$work/server-$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
  local api=(curl -sf -u admin:bench-password -H 'content-type: application/json')
  "${api[@]}" -d '{"id":"bench"}' "http://127.0.0.1:$port/api/projects" >/dev/null
  "${api[@]}" -X PUT -d '{"host":"127.0.0.1","port":104,"allow":["echo","find"],"project":"bench"}' "http://127.0.0.1:$port/api/dicom/nodes/BENCH" >/dev/null
  token="token:$("${api[@]}" -d '{"name":"bench","expiresInDays":1}' "http://127.0.0.1:$port/api/tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
  bench stow "http://127.0.0.1:$port/dicom-web/studies?project=bench" "$work/files.txt" 4 50 "$token" | sed 's/^/  Tessera '"$name"' ingest: /' >&2
}
start_orthanc() {
  local dir="$work/orthanc"; mkdir -p "$dir"
  cat > "$dir/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$dir/db", "IndexDirectory": "$dir/db",
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
  "HttpPort": $orthanc_port, "DicomPort": $orthanc_dicom, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
  "DicomAlwaysAllowFind": true, "DicomCheckCalledAet": false, "LimitFindResults": 0, "LimitFindInstances": 0,
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" } }
JSON
  /usr/sbin/Orthanc "$dir/orthanc.json" > "$dir/log" 2>&1 & orthanc_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$orthanc_port/system" >/dev/null && break; sleep 0.2; done
  bench stow "http://127.0.0.1:$orthanc_port/dicom-web/studies" "$work/files.txt" 4 50 | sed 's/^/  Orthanc ingest: /' >&2
}
start_postgres() {
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  chmod 755 "$work"; mkdir -p "$work/pg"; chown postgres:postgres "$work/pg"
  runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg/data" -U postgres -A trust >/dev/null
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pg" start >/dev/null
}

measure() { # label called-ae port: one line per query into $work/results-<label>
  local label="$1" ae="$2" p="$3" q
  for q in "${queries[@]}"; do
    IFS='|' read -r -a parts <<< "$q"
    echo "${parts[0]} $(ask "$ae" "$p" "${parts[@]:1}")" >> "$work/results-$label"
  done
}

echo "bench: C-FIND at STUDY level over $count instances, median of $runs runs per query, load1 $(cut -d' ' -f1 /proc/loadavg)"
start_orthanc; measure orthanc ORTHANC "$orthanc_dicom"; stop "$orthanc_pid"; orthanc_pid=""
start_tessera sqlite; measure sqlite TESSERA "$dicom"; stop "$server_pid"; server_pid=""
start_postgres
start_tessera postgres TESSERA__Database__Provider=postgres "TESSERA__Database__ConnectionString=Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
measure postgres TESSERA "$dicom"; stop "$server_pid"; server_pid=""

printf '%-16s %9s %16s %18s %8s %8s\n' query matches "Orthanc ms" "Tessera SQLite ms" "PG ms" "ratios"
paste -d' ' "$work/results-orthanc" "$work/results-sqlite" "$work/results-postgres" | while read -r name o om _ s sm _ p pm; do
  [ "$om" = "$sm" ] && [ "$sm" = "$pm" ] || echo "  warning: $name matched $om (Orthanc), $sm (SQLite), $pm (PostgreSQL)" >&2
  printf '%-16s %9s %16s %18s %8s   Orthanc/SQLite %.2f, Orthanc/PostgreSQL %.2f\n' "$name" "$sm" "$o" "$s" "$p" \
    "$(awk -v a="$o" -v b="$s" 'BEGIN { print a / b }')" "$(awk -v a="$o" -v b="$p" 'BEGIN { print a / b }')"
done
