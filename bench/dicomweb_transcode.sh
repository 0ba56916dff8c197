#!/usr/bin/env bash
# WADO-RS transcoding and rendering: Tessera against Orthanc 1.10 + its DICOMweb plugin 1.7 (Debian packages), same
# files, same requests, in the same run. Cases: frame 1 of a JPEG Lossless CT (512x512x16) and of a JPEG 2000 lossless
# MR (1024x1024x16) asked for as multipart/related; type="application/octet-stream" (decoded to Explicit VR Little
# Endian), a 34-frame JPEG Baseline ultrasound instance asked for as type="application/dicom" with transfer-syntax
# 1.2.840.10008.1.2.1 (every frame decoded and the file re-encoded), and /rendered (JPEG) of the CT. Each case runs a
# warm-up, then COUNT requests over THREADS keep-alive connections (Tessera.Bench get). Prints requests/s and the ratio.
#   bench/dicomweb_transcode.sh                  # COUNT=200 THREADS=2
# The corpus is read from TESSERA_TESTDATA (default: ../shared/testdata beside the repository).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${TESSERA_TESTDATA:-$root/../shared/testdata}"
count="${COUNT:-200}"; threads="${THREADS:-2}"
port="${PORT:-18590}"; orthanc_port=$((port + 1)); orthanc_dicom=$((port + 2))
work="$(mktemp -d /tmp/tessera-bench-wado.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
[ -x /usr/sbin/Orthanc ] && [ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] \
  || { echo "bench: Orthanc with its DICOMweb plugin is missing (apt-get install orthanc orthanc-dicomweb)" >&2; exit 2; }
[ -f "$corpus/MANIFEST.tsv" ] || { echo "bench: the test corpus is not at $corpus (set TESSERA_TESTDATA)" >&2; exit 2; }
ct="$corpus/dcm4che/CT-JPEGLosslessSV1.dcm"; mr="$corpus/pydicom-data/MR2_J2KR.dcm"; us="$corpus/orthanc-tests/Issue16.dcm"

dotnet build "$root/bench/Tessera.Bench" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
bench() { dotnet "$root/bench/Tessera.Bench/bin/Release/net10.0/Tessera.Bench.dll" "$@"; }
"$root/tessera" --help >/dev/null   # build first, outside the measurement
echo "load1 $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores" >&2

# Tessera on embedded defaults, the files in a public project (anonymous reads, as Orthanc's are).
env TESSERA_ADMIN_PASSWORD=bench-password TESSERA__Logging__LogLevel__Default=Warning \
  dotnet "$root/.build/cli/tessera.dll" serve --data "$work/tessera" --urls "http://127.0.0.1:$port" --dicom-port 0 > "$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
curl -sf -u admin:bench-password -H 'Content-Type: application/json' -d '{"id":"bench","visibility":"public"}' "http://127.0.0.1:$port/api/projects" >/dev/null

mkdir -p "$work/orthanc"
cat > "$work/orthanc/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$work/orthanc/db", "IndexDirectory": "$work/orthanc/db",
  "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
  "HttpPort": $orthanc_port, "DicomPort": $orthanc_dicom, "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "DicomWeb": { "Enable": true, "Root": "/dicom-web/" } }
JSON
/usr/sbin/Orthanc "$work/orthanc/orthanc.json" > "$work/orthanc/log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$orthanc_port/system" >/dev/null && break; sleep 0.2; done

for f in "$ct" "$mr" "$us"; do
  { printf -- '--b\r\nContent-Type: application/dicom\r\n\r\n'; cat "$f"; printf -- '\r\n--b--\r\n'; } > "$work/body"
  curl -sf -o /dev/null -u admin:bench-password -H 'Content-Type: multipart/related; type="application/dicom"; boundary=b' --data-binary "@$work/body" \
    "http://127.0.0.1:$port/dicom-web/projects/bench/studies"
  curl -sf -o /dev/null --data-binary "@$f" "http://127.0.0.1:$orthanc_port/instances"
done
path_of() { # file -> studies/.../instances/...
  dcmdump -q +P 0020,000d +P 0020,000e +P 0008,0018 "$1" | sed -n 's/.*\[\(.*\)\].*/\1/p' | tr '\n' ' ' \
    | awk '{ printf "studies/%s/series/%s/instances/%s", $1, $2, $3 }'
}
uncompressed='multipart/related; type="application/octet-stream"; transfer-syntax=1.2.840.10008.1.2.1'
instance='multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1'
rate() { sed -n 's/.*requests_per_second=\([0-9.]*\).*failed_requests=\([0-9]*\).*/\1 \2/p'; }
measure() { # label accept resource-path
  local t o tf of
  bench get "http://127.0.0.1:$port/dicom-web/projects/bench/$3" "$2" 20 "$threads" >/dev/null 2>&1 || true
  bench get "http://127.0.0.1:$orthanc_port/dicom-web/$3" "$2" 20 "$threads" >/dev/null 2>&1 || true
  read -r o of <<<"$(bench get "http://127.0.0.1:$orthanc_port/dicom-web/$3" "$2" "$count" "$threads" 2>/dev/null | rate || true)"
  read -r t tf <<<"$(bench get "http://127.0.0.1:$port/dicom-web/projects/bench/$3" "$2" "$count" "$threads" 2>/dev/null | rate || true)"
  if [ "${of:-1}" != 0 ]; then
    printf '| %s | %s req/s | (fails: %s) | — |\n' "$1" "$t" "$(bench get "http://127.0.0.1:$orthanc_port/dicom-web/$3" "$2" 1 1 2>&1 >/dev/null | head -1)"
  else
    printf '| %s | %s req/s | %s req/s | %s |\n' "$1" "$t" "$o" "$(awk -v a="$t" -v b="$o" 'BEGIN { printf "%.2f", a / b }')"
  fi
}
echo
echo "| $count requests, $threads connections | Tessera | Orthanc + DICOMweb | ratio |"
echo "|---|---|---|---|"
measure "frame 1 of a JPEG Lossless CT, to uncompressed" "$uncompressed" "$(path_of "$ct")/frames/1"
measure "frame 1 of a JPEG 2000 lossless MR 1024², to uncompressed" "$uncompressed" "$(path_of "$mr")/frames/1"
measure "34-frame JPEG Baseline US instance, to Explicit VR LE" "$instance" "$(path_of "$us")"
measure "/rendered of the CT (image/jpeg)" "image/jpeg" "$(path_of "$ct")/rendered"
echo "load1 after: $(cut -d' ' -f1 /proc/loadavg)"
