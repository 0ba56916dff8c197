#!/usr/bin/env bash
# Tiles: random 256-pixel IIIF tiles at full resolution from a SIZE x SIZE pyramidal JPEG TIFF (libvips
# tiffsave, 256-pixel tiles, Q85), served by Tessera and by Debian's iipimage-server (iipsrv, FastCGI behind
# lighttpd) in the same run, under wrk with bounded time; and the time to build that pyramid from a flat TIFF, by
# `vips tiffsave --pyramid` and by Tessera (uploaded, then built in the background), also in the same run.
#   sudo apt-get install -y libvips-tools iipimage-server lighttpd wrk curl iproute2
#   bench/tiles.sh                      # SIZE=20000 DUR=10s CONN=8
# Runs inside a private network namespace (loopback only); every process it starts is stopped by PID.
set -euo pipefail
if [ -z "${IN_NETNS:-}" ]; then exec unshare -n env IN_NETNS=1 bash "$0" "$@"; fi
ip link set lo up
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size="${SIZE:-20000}"; duration="${DUR:-10s}"; connections="${CONN:-8}"
port=18891; iip_port=18892
work="$(mktemp -d /tmp/tessera-bench-tiles.XXXXXX)"; chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
for tool in vips lighttpd wrk curl; do command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install libvips-tools iipimage-server lighttpd wrk curl)" >&2; exit 2; }; done
[ -x /usr/lib/iipimage-server/iipsrv.fcgi ] || { echo "bench: iipsrv is missing (apt-get install iipimage-server)" >&2; exit 2; }
"$root/tessera" --help >/dev/null   # build first, outside the measurement
echo "load1 $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores" >&2

# A synthetic slide: smooth colour structure plus noise, so JPEG tiles are of realistic size.
for s in 1 2 3; do vips perlin "$work/p$s.v" "$size" "$size" --cell-size 192 --uchar --seed "$s"; done
vips bandjoin "$work/p1.v $work/p2.v $work/p3.v" "$work/rgb.v"
vips gaussnoise "$work/n.v" "$size" "$size" --mean 0 --sigma 12
vips add "$work/rgb.v" "$work/n.v" "$work/sum.v"
vips cast "$work/sum.v" "$work/src.v" uchar
rm -f "$work"/p?.v "$work/rgb.v" "$work/n.v" "$work/sum.v"
mkdir -p "$work/www"
# The flat picture both pyramids are built from: one resolution, JPEG strips (as a scanner or a stitcher writes).
vips tiffsave "$work/src.v" "$work/flat.tif" --compression jpeg --Q 95 --bigtiff
rm -f "$work/src.v"
t0=$(date +%s%N)
vips tiffsave "$work/flat.tif" "$work/www/slide.tif" --tile --pyramid --compression jpeg --Q 85 --tile-width 256 --tile-height 256 --bigtiff
t1=$(date +%s%N)
build_ms=$(( (t1 - t0) / 1000000 ))
echo "pyramid: vips tiffsave ${build_ms} ms, $(du -m "$work/www/slide.tif" | cut -f1) MB from a $(du -m "$work/flat.tif" | cut -f1) MB flat TIFF" >&2

# iipsrv behind lighttpd, as Debian ships it.
cat > "$work/lighttpd.conf" <<CONF
server.document-root = "$work/www"
server.bind = "127.0.0.1"
server.port = $iip_port
server.modules = ( "mod_fastcgi" )
server.max-connections = 1024
server.errorlog = "$work/lighttpd-error.log"
fastcgi.server = ( "/fcgi-bin/iipsrv.fcgi" => ((
  "socket" => "$work/iipsrv.sock", "check-local" => "disable",
  "bin-path" => "/usr/lib/iipimage-server/iipsrv.fcgi", "max-procs" => 2,
  "bin-environment" => ( "LOGFILE" => "$work/iipsrv.log", "VERBOSITY" => "0", "FILESYSTEM_PREFIX" => "$work/www/",
    "JPEG_QUALITY" => "85", "MAX_IMAGE_CACHE_SIZE" => "10", "MAX_CVT" => "5000" ) )) )
CONF
lighttpd -D -f "$work/lighttpd.conf" & pids+=($!)

# Tessera on embedded defaults, the slide in a public project.
env TESSERA_ADMIN_PASSWORD=bench-password TESSERA__Logging__LogLevel__Default=Warning \
  dotnet "$root/.build/cli/tessera.dll" serve --data "$work/tessera" --urls "http://127.0.0.1:$port" --dicom-port 0 > "$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
api="http://127.0.0.1:$port/api"
curl -sf -u admin:bench-password -H 'Content-Type: application/json' -d '{"id":"bench","visibility":"public"}' "$api/projects" >/dev/null
id=$(curl -sf -u admin:bench-password -X PUT -H 'Content-Type: image/tiff' --data-binary "@$work/www/slide.tif" \
  "$api/projects/bench/resources/slides/files/slide.tif" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$iip_port/fcgi-bin/iipsrv.fcgi?IIIF=slide.tif/info.json" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$port/iiif/3/$id/info.json"

# Tessera's own pyramid of the flat picture: from the upload's answer until info.json says it is ready.
flat=$(curl -sf -u admin:bench-password -X PUT -H 'Content-Type: image/tiff' --data-binary "@$work/flat.tif" \
  "$api/projects/bench/resources/flat/files/flat.tif" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t0=$(date +%s%N)
state=pending
for _ in $(seq 1 6000); do
  # curl and grep only: a python per poll would take CPU from the build it waits for.
  state=$(curl -s "http://127.0.0.1:$port/iiif/3/$flat/info.json" | grep -o '"state": *"[a-z]*"' | grep -o '[a-z]*"$' | tr -d '"' || true)
  case "$state" in ready|failed) break;; esac
  sleep 0.1
done
t1=$(date +%s%N)
tessera_build_ms=$(( (t1 - t0) / 1000000 ))
echo "pyramid: Tessera ${tessera_build_ms} ms ($state)" >&2
[ "$state" = ready ] || { echo "bench: Tessera's pyramid did not build ($state); see $work/server.log" >&2; exit 1; }

# Random whole tiles of the full-resolution level (the partial last row and column left out for both).
tiles=$(( size / 256 ))
lua() { # file path-prefix
  cat > "$1" <<LUA
math.randomseed(1377)
request = function()
  local x = math.random(0, $tiles - 1) * 256; local y = math.random(0, $tiles - 1) * 256
  return wrk.format("GET", "$2" .. x .. "," .. y .. ",256,256/256,/0/default.jpg")
end
LUA
}
lua "$work/iip.lua" "/fcgi-bin/iipsrv.fcgi?IIIF=slide.tif/"
lua "$work/tessera.lua" "/iiif/3/$id/"
# Off the stored grid by half a tile: four stored tiles decoded, cropped and encoded again (no pass-through).
cat > "$work/offgrid.lua" <<LUA
math.randomseed(1377)
request = function()
  local x = math.random(0, $tiles - 2) * 256 + 128; local y = math.random(0, $tiles - 2) * 256 + 128
  return wrk.format("GET", "/iiif/3/$id/" .. x .. "," .. y .. ",256,256/256,/0/default.jpg")
end
LUA
measure() { # label url lua -> "rps p50_ms p99_ms"
  local out; out=$(wrk -t2 -c"$connections" -d"$duration" --latency -s "$3" "$2")
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  errors=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  echo "$1: $rps tiles/s, p50 $p50, p99 $p99${errors:+, non-2xx $errors}" >&2
  echo "$rps $p50 $p99"
}
to_ms() { case "$1" in *us) echo "${1%us}" | awk '{ print $1 / 1000 }';; *ms) echo "${1%ms}";; *s) echo "${1%s}" | awk '{ print $1 * 1000 }';; esac; }
read -r iip_rps iip_p50 iip_p99 <<<"$(measure "iipsrv " "http://127.0.0.1:$iip_port" "$work/iip.lua")"
read -r tes_rps tes_p50 tes_p99 <<<"$(measure "tessera" "http://127.0.0.1:$port" "$work/tessera.lua")"
read -r off_rps off_p50 off_p99 <<<"$(measure "tessera off-grid" "http://127.0.0.1:$port" "$work/offgrid.lua")"
stored=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/iiif/3/$id/2560,2560,256,256/256,/0/default.jpg" | grep -ci '^x-tessera-tile: stored' || true)
echo
echo "| ${size}² JPEG pyramid, random 256-px tiles, wrk -c$connections -d$duration | tiles/s | p50 | p99 |"
echo "|---|---|---|---|"
echo "| iipsrv (FastCGI behind lighttpd, 2 processes) | $iip_rps | $iip_p50 | $iip_p99 |"
echo "| Tessera (stored tiles sent as stored: $([ "$stored" -gt 0 ] && echo yes || echo no)) | $tes_rps | $tes_p50 | $tes_p99 |"
echo "| Tessera, regions off the stored grid (decoded and encoded) | $off_rps | $off_p50 | $off_p99 |"
awk -v a="$tes_rps" -v b="$iip_rps" -v p="$(to_ms "$tes_p99")" -v q="$(to_ms "$iip_p99")" \
  'BEGIN { printf "ratio: %.2fx iipsrv'"'"'s tiles per second (target >= 1.5); p99 %.2f ms vs %.2f ms (target: no worse)\n", a / b, p, q }'
echo
echo "| pyramid of a ${size}² flat JPEG-strip TIFF | ms |"
echo "|---|---|"
echo "| vips tiffsave --pyramid | $build_ms |"
echo "| Tessera (queued on upload, built in the background, until info.json says ready) | $tessera_build_ms |"
awk -v a="$tessera_build_ms" -v b="$build_ms" 'BEGIN { printf "ratio: pyramid build %.2fx vips tiffsave --pyramid (target <= 1.2)\n", a / b }'
