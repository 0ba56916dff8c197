#!/usr/bin/env bash
# Uploads and downloads a file through Tessera's REST API and, in the same run, measures the
# peers: a raw fsync'd disk write of the same bytes and a raw loopback HTTP transfer into a sink
# that discards them. Rounds alternate peer and Tessera runs; prints the median MB/s of each, the
# ratios, and the server's peak RSS.
#   bench/upload_download.sh            # 1 GiB
#   SIZE_MB=10240 ROUNDS=1 bench/upload_download.sh   # the 10 GiB flat-memory check
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size_mb="${SIZE_MB:-1024}"
rounds="${ROUNDS:-3}"
port="${PORT:-18480}"
sink_port=$((port + 1))
work="$(mktemp -d /tmp/tessera-bench.XXXXXX)"
server_pid=""; sink_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
rate() { awk -v mb="$size_mb" -v s="$1" 'BEGIN { printf "%.0f", mb / s }'; }

echo "bench: generating $size_mb MiB of random data" >&2
head -c "$((size_mb * 1024 * 1024))" /dev/urandom > "$work/input.bin"
sum="$(openssl dgst -sha256 -binary "$work/input.bin" | base64)"

cat > "$work/sink.py" <<'PY'
import http.server, sys
class Sink(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        left = int(self.headers["Content-Length"])
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 20))
            if not chunk: break
            left -= len(chunk)
        self.send_response(201); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
python3 "$work/sink.py" "$sink_port" & sink_pid=$!

"$root/tessera" --help >/dev/null   # build first, outside the measurement
TESSERA_ADMIN_PASSWORD=bench-password TESSERA__Logging__LogLevel__Default=Warning \
  dotnet "$root/.build/cli/tessera.dll" serve --data "$work/data" --urls "http://127.0.0.1:$port" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
api="http://127.0.0.1:$port/api/projects/bench"
curl -sf -u admin:bench-password -H 'content-type: application/json' -d '{"id":"bench"}' "http://127.0.0.1:$port/api/projects" >/dev/null

# A long-running server is measured warm: one untimed 64 MiB round trip lets the JIT settle.
head -c $((64 * 1024 * 1024)) "$work/input.bin" > "$work/warm.bin"
curl -sf -u admin:bench-password -T "$work/warm.bin" "$api/resources/R/files/warm.bin" -o /dev/null
curl -sf -u admin:bench-password "$api/resources/R/files/warm.bin" -o /dev/null

timed() { local t0 t1; t0=$(now); "$@"; t1=$(now); awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
disk_runs=(); http_runs=(); up_runs=(); down_runs=()
for round in $(seq 1 "$rounds"); do
  # Peer 1: raw durable disk write (same filesystem as the blob store).
  disk_runs+=("$(timed dd if="$work/input.bin" of="$work/raw.bin" bs=1M conv=fsync status=none)")
  rm -f "$work/raw.bin"
  # Peer 2: raw loopback HTTP transfer into a sink that reads and discards.
  http_runs+=("$(timed curl -sf -T "$work/input.bin" "http://127.0.0.1:$sink_port/x" -o /dev/null)")
  # Tessera: a new path each round, so every round stores and commits a file.
  up_runs+=("$(timed curl -sf -u admin:bench-password -T "$work/input.bin" \
    -H "Content-Digest: sha-256=:$sum:" "$api/resources/R/files/input-$round.bin" -o /dev/null)")
  down_runs+=("$(timed curl -sf -u admin:bench-password "$api/resources/R/files/input-$round.bin" -o "$work/output.bin")")
  cmp -s "$work/input.bin" "$work/output.bin" || { echo "bench: downloaded bytes differ!" >&2; exit 1; }
  rm -f "$work/output.bin"
done
rss_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status")

disk=$(rate "$(median "${disk_runs[@]}")"); http=$(rate "$(median "${http_runs[@]}")")
up=$(rate "$(median "${up_runs[@]}")"); down=$(rate "$(median "${down_runs[@]}")")
echo "size: $size_mb MiB   rounds: $rounds (medians)   load1: $(cut -d' ' -f1 /proc/loadavg)"
echo "raw fsync'd disk write:   $disk MB/s"
echo "raw loopback HTTP upload: $http MB/s"
echo "tessera upload:           $up MB/s  ($(awk -v a="$up" -v b="$disk" 'BEGIN { printf "%.0f", 100 * a / b }')% of disk, $(awk -v a="$up" -v b="$http" 'BEGIN { printf "%.0f", 100 * a / b }')% of HTTP)"
echo "tessera download:         $down MB/s"
echo "tessera peak RSS:         $((rss_kb / 1024)) MB"
