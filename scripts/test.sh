#!/usr/bin/env bash
# The README's test command: installs what the tests need, starts real services on loopback
# (PostgreSQL, a single-node Slurm; Chromium for the browser tests), runs every test project (the server tests on SQLite and again on PostgreSQL),
# runs each fuzz target for a minute (fuzz/ci.sh; each target counts as one test),
# stops what it started, and ends with "tests: N passed, N failed, N skipped".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work="$(mktemp -d /tmp/tessera-test.XXXXXX)"
chmod 755 "$work"
results="$work/results"
mkdir -p "$results"
pg_port="${TESSERA_TEST_PG_PORT:-35432}"
pg_data="$work/pg"
pg_bin=""

log() { echo "test.sh: $*" >&2; }

cleanup() {
  [ -f "$work/slurm/slurm.conf" ] && "$root/scripts/slurm.sh" stop "$work/slurm" || true
  if [ -n "$pg_bin" ] && [ -d "$pg_data/data" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

install_packages() {
  local missing=()
  command -v dotnet >/dev/null 2>&1 || { log "the .NET 10 SDK is required (dotnet not found)"; exit 2; }
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  command -v dcmdump >/dev/null 2>&1 || missing+=(dcmtk)
  command -v dciodvfy >/dev/null 2>&1 || missing+=(dicom3tools)
  [ -x /usr/sbin/Orthanc ] || missing+=(orthanc)
  [ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || missing+=(orthanc-dicomweb)
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
  command -v socat >/dev/null 2>&1 || missing+=(socat)
  command -v sbatch >/dev/null 2>&1 || missing+=(slurm-wlm)
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || missing+=(runc)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  command -v munged >/dev/null 2>&1 || [ -x /usr/sbin/munged ] || missing+=(munge)
  command -v vips >/dev/null 2>&1 || missing+=(libvips-tools)
  command -v afl-fuzz >/dev/null 2>&1 || missing+=(afl++)
  local lib libraries
  # Read once: `ldconfig -p | grep -q` under pipefail fails at random (grep quits early, SIGPIPE).
  libraries="$(/sbin/ldconfig -p || true)"
  for lib in libturbojpeg.so.0:libturbojpeg0 libopenjp2.so.7:libopenjp2-7 libcharls.so.2:libcharls2 libjxl.so.0.7:libjxl0.7 libopenslide.so.0:libopenslide0; do
    grep -q "${lib%%:*}" <<<"$libraries" || missing+=("${lib##*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      log "missing packages: ${missing[*]} (run as root to install them, or install them yourself)"
      return 1
    fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

start_postgres() {
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  mkdir -p "$pg_data"
  chown postgres:postgres "$pg_data"
  runuser -u postgres -- "$pg_bin/initdb" -D "$pg_data/data" -U postgres -A trust --no-sync >/dev/null
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data/data" -l "$pg_data/server.log" -w \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_data -c fsync=off -c max_connections=300" \
    start >/dev/null
  export TESSERA_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
  log "PostgreSQL on 127.0.0.1:$pg_port"
}

postgres=yes
if ! install_packages || [ "$(id -u)" -ne 0 ]; then
  if [ "${CI:-}" = "true" ]; then
    log "CI=true: PostgreSQL, Slurm, Chromium, npm, dcmtk and Orthanc are required and could not be provided"; exit 1
  fi
  log "PostgreSQL unavailable: the PostgreSQL pass is skipped (browser tests skip without Chromium)"
  postgres=no
fi
[ "$postgres" = yes ] && start_postgres
# Tools never run as root: as root, the server hands them to this account (Pipelines:Local:RunAsUser).
if [ "$(id -u)" -eq 0 ] && ! getent passwd tessera-tool >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tessera-tool
fi

# A single-node Slurm for the slurm executor's tests (its daemons run as root).
if [ "$postgres" = yes ]; then
  if SLURM_CTLD_PORT="${TESSERA_TEST_SLURM_PORT:-36817}" SLURMD_PORT="$(( ${TESSERA_TEST_SLURM_PORT:-36817} + 1 ))" \
      "$root/scripts/slurm.sh" start "$work/slurm" >/dev/null; then
    export TESSERA_TEST_SLURM_CONF="$work/slurm/slurm.conf"
    log "Slurm (single node) with SLURM_CONF=$TESSERA_TEST_SLURM_CONF"
  elif [ "${CI:-}" = "true" ]; then
    log "CI=true: Slurm is required and did not start"; exit 1
  fi
fi

# A checkout without the web packages is what CI and a new user have: its first build must embed them all
# (PageAssetsUiTests proves it on every page). A checkout that has them gets the same proof from a clone of HEAD.
clean_checkout=yes
if [ -d web/node_modules ] || [ -d src/Tessera.Server/wwwroot/lib ]; then clean_checkout=no; fi

log "building"
dotnet build Tessera.slnx -c Release --nologo -v quiet -clp:ErrorsOnly
if command -v npm >/dev/null 2>&1; then
  log "installing the Node test clients (tests/clients)"
  (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

run() { # name project [env...]
  local name="$1" project="$2"; shift 2
  log "running $name"
  env "$@" dotnet test "$project" -c Release --no-build --nologo --filter "Category!=Screenshots" \
    --logger "trx;LogFileName=$results/$name.trx" --results-directory "$results" || true
}

run dicom tests/Tessera.Dicom.Tests/Tessera.Dicom.Tests.csproj
run imaging tests/Tessera.Imaging.Tests/Tessera.Imaging.Tests.csproj
run archive tests/Tessera.Archive.Tests/Tessera.Archive.Tests.csproj
run pipelines tests/Tessera.Pipelines.Tests/Tessera.Pipelines.Tests.csproj
run server-sqlite tests/Tessera.Server.Tests/Tessera.Server.Tests.csproj TESSERA_TEST_DATABASE=sqlite
if [ "$postgres" = yes ]; then
  run server-postgres tests/Tessera.Server.Tests/Tessera.Server.Tests.csproj TESSERA_TEST_DATABASE=postgres
fi

clean_build_runs=0
if [ "$clean_checkout" = no ] && git rev-parse --git-dir >/dev/null 2>&1; then
  log "clean build: a clone of HEAD (no node_modules, no wwwroot/lib) builds and serves every page's assets"
  clean_build_runs=1
  testdata="$(cd "$root/.." && pwd)/shared/testdata"
  if git clone -q "$root" "$work/clean" \
      && (cd "$work/clean" && dotnet build tests/Tessera.Server.Tests/Tessera.Server.Tests.csproj -c Release --nologo -v quiet -clp:ErrorsOnly); then
    env TESSERA_TESTDATA="${TESSERA_TESTDATA:-$testdata}" dotnet test "$work/clean/tests/Tessera.Server.Tests/Tessera.Server.Tests.csproj" \
      -c Release --no-build --nologo --filter "FullyQualifiedName~PageAssetsUiTests" \
      --logger "trx;LogFileName=$results/clean-build.trx" --results-directory "$results" || true
  else
    log "the clean clone did not build"
  fi
else
  log "clean build: this checkout is clean, so the runs above were its first build"
fi

# Each fuzz target briefly, from fresh seeds (FUZZ_SECONDS, default 60), so that the harness stays alive: a target
# that runs counts as a passed test, a broken harness as a failed one. A new finding in a minute of random search is
# reported loudly (inputs in artifacts/fuzz-crashes/, to become a regression test) but fails the run only with
# FUZZ_STRICT=1: the suite's verdict must not depend on the luck of one minute's search.
fuzz_passed=0; fuzz_failed=0; fuzz_skipped=0
if command -v afl-fuzz >/dev/null 2>&1; then
  log "fuzzing each target for ${FUZZ_SECONDS:-60}s (fuzz/ci.sh)"
  FUZZ_WORK="$work/fuzz" fuzz/ci.sh >"$work/fuzz.log" 2>&1 || true
  grep '^fuzz [a-z0-9]*: [0-9]* executions\|inputs copied\|harness failed' "$work/fuzz.log" >&2 || true
  if summary="$(grep -o '^fuzz: [0-9]* targets clean, [0-9]* with findings, [0-9]* harness failures' "$work/fuzz.log")"; then
    clean="$(echo "$summary" | awk '{print $2}')"; findings="$(echo "$summary" | awk '{print $5}')"; broken="$(echo "$summary" | awk '{print $8}')"
    [ "$findings" -gt 0 ] && log "FUZZING FOUND $findings NEW FINDING(S): see artifacts/fuzz-crashes/ and make each a regression test"
    if [ "${FUZZ_STRICT:-}" = 1 ]; then
      fuzz_passed=$clean; fuzz_failed=$((findings + broken))
    else
      fuzz_passed=$((clean + findings)); fuzz_failed=$broken
    fi
  else
    log "fuzz/ci.sh did not finish; the end of its output:"; tail -20 "$work/fuzz.log" >&2
    fuzz_failed=1
  fi
elif [ "${CI:-}" = "true" ]; then
  log "CI=true: afl-fuzz (afl++) is required for the fuzz step"; fuzz_failed=1
else
  log "afl-fuzz unavailable: the fuzz step is skipped"; fuzz_skipped=1
fi

passed=$fuzz_passed; failed=$fuzz_failed; skipped=$fuzz_skipped; runs=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  runs=$((runs + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted)
  passed=$((passed + p)); failed=$((failed + f + e + t + a)); skipped=$((skipped + total - executed))
done
expected_runs=$((4 + clean_build_runs)); [ "$postgres" = yes ] && expected_runs=$((expected_runs + 1))
if [ "$runs" -lt "$expected_runs" ]; then
  log "only $runs of $expected_runs test runs produced results"
  failed=$((failed + expected_runs - runs))
fi
[ "$postgres" = no ] && skipped=$((skipped + 1)) # the whole PostgreSQL pass
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
