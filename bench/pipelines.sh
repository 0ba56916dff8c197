#!/usr/bin/env bash
# Pipelines: dispatch latency (a job's submission to its tool's first instruction) and throughput
# (trivial jobs per second) on the local executor (bubblewrap sandbox) and the slurm executor
# (a single-node Slurm started here), beside their bare peers in the same run: `bwrap true` with the
# sandbox's own options, `srun`, and `sbatch --wrap` (what the slurm executor submits). Latency is the median of RUNS sequential jobs; throughput is a
# batch of BURST jobs with CONCURRENCY at once (the peers run as many at once with xargs -P).
#   bench/pipelines.sh                 # RUNS=30 BURST=100 CONCURRENCY=4
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-30}"; burst="${BURST:-100}"; concurrency="${CONCURRENCY:-4}"
port="${PORT:-18890}"
work="$(mktemp -d /tmp/tessera-bench-pipelines.XXXXXX)"
chmod 755 "$work"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  "$root/scripts/slurm.sh" stop "$work/slurm" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root (Slurm's daemons)" >&2; exit 2; }
for tool in bwrap socat srun sbatch python3; do command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install bubblewrap socat slurm-wlm munge python3)" >&2; exit 2; }; done
echo "load1 $(cut -d' ' -f1 /proc/loadavg)" >&2
eval "$(SLURM_CTLD_PORT=$((port + 10)) SLURMD_PORT=$((port + 11)) "$root/scripts/slurm.sh" start "$work/slurm")"
"$root/tessera" --help >/dev/null   # build first, outside the measurement

median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }'; }
sandbox=(--ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --tmpfs /run --unshare-all --die-with-parent --new-session
  --cap-drop ALL --uid 65534 --gid 65534)

# Peers: the time from before the launch to the first instruction, and launches per second.
peer_latency() { # command...
  local i t0 t1 out=()
  for i in $(seq 1 $((runs + 2))); do
    t0=$(date +%s%N); t1=$("$@" /bin/sh -c 'date +%s%N')
    [ "$i" -gt 2 ] && out+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${out[@]}" | awk '{ print $1 / 1000 }' | median
}
peer_rate() { # command...
  local t0 t1; t0=$(date +%s%N)
  seq 1 "$burst" | xargs -P "$concurrency" -I{} "$@" /bin/true
  t1=$(date +%s%N)
  awk -v n="$burst" -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f", n / (ns / 1e9) }'
}
bwrap_latency=$(peer_latency bwrap "${sandbox[@]}" --)
bwrap_rate=$(peer_rate bwrap "${sandbox[@]}" --)
srun_latency=$(peer_latency srun -n1 --quiet)
srun_rate=$(peer_rate srun -n1 --quiet)
# sbatch: what the slurm executor submits (a batch job, scheduled by slurmctld), without Tessera.
sbatch_latency() {
  local i t0 out=() f
  for i in $(seq 1 $((runs + 2))); do
    f="$work/sbatch-$i"; t0=$(date +%s%N)
    sbatch --quiet -o /dev/null --wrap "date +%s%N > $f.tmp && mv $f.tmp $f"
    until [ -s "$f" ]; do sleep 0.005; done
    [ "$i" -gt 2 ] && out+=($(( ($(cat "$f") - t0) / 1000 )))
  done
  printf '%s\n' "${out[@]}" | awk '{ print $1 / 1000 }' | median
}
sbatch_rate() {
  local i t0 t1; t0=$(date +%s%N)
  for i in $(seq 1 "$burst"); do sbatch --quiet -o /dev/null --wrap true; done
  until [ -z "$(squeue -h -o %i)" ]; do sleep 0.05; done
  t1=$(date +%s%N)
  awk -v n="$burst" -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f", n / (ns / 1e9) }'
}
sbatch_latency=$(sbatch_latency)
sbatch_rate=$(sbatch_rate)

env TESSERA_ADMIN_PASSWORD=bench-password TESSERA__Logging__LogLevel__Default=Warning \
  TESSERA__Pipelines__MaxConcurrentJobs="$concurrency" TESSERA__Pipelines__Slurm__Enabled=true \
  TESSERA__Pipelines__Slurm__Conf="$SLURM_CONF" TESSERA__Pipelines__Slurm__RunningPollMilliseconds=1000 \
  dotnet "$root/.build/cli/tessera.dll" serve --data "$work/tessera" --urls "http://127.0.0.1:$port" --dicom-port 0 > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
local_json=$(python3 "$root/bench/pipelines_driver.py" "http://127.0.0.1:$port" admin bench-password local "$runs" "$burst" "$concurrency")
slurm_json=$(python3 "$root/bench/pipelines_driver.py" "http://127.0.0.1:$port" admin bench-password slurm "$runs" "$burst" "$concurrency")
field() { echo "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }

printf '%-34s %12s %12s\n' "" "latency ms" "jobs/s"
printf '%-34s %12s %12s\n' "bwrap true (bare sandbox)" "$bwrap_latency" "$bwrap_rate"
printf '%-34s %12s %12s\n' "Tessera local (bwrap sandbox)" "$(field "$local_json" latency_median_ms)" "$(field "$local_json" jobs_per_s)"
printf '%-34s %12s %12s\n' "srun (bare Slurm)" "$srun_latency" "$srun_rate"
printf '%-34s %12s %12s\n' "sbatch --wrap (bare Slurm)" "$sbatch_latency" "$sbatch_rate"
printf '%-34s %12s %12s\n' "Tessera slurm (sbatch + job-run)" "$(field "$slurm_json" latency_median_ms)" "$(field "$slurm_json" jobs_per_s)"
echo "local p90 $(field "$local_json" latency_p90_ms) ms; slurm p90 $(field "$slurm_json" latency_p90_ms) ms"
