#!/usr/bin/env bash
# Build, try and test ContainerTools with nothing but the .NET SDK and bash (no pwsh needed).
#
#   ./build.sh build        build the module into out/ContainerTools
#   ./build.sh quickstart   build, make sure an engine answers, run examples/quickstart.ps1
#   ./build.sh test         build, start the private test engine + registry, run every test
#   ./build.sh bench        build, start the test engine, run the benchmarks (ratios, not tests)
#   ./build.sh help         regenerate en-US/ (MAML + about_ text for Get-Help) from docs/*.md; commit the result
#
# build.ps1 does the same for people with pwsh.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIG=${CONFIGURATION:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

build() {
  dotnet build "$ROOT/ContainerTools.slnx" -c "$CONFIG" -nologo -v quiet -clp:NoSummary
  test -f "$ROOT/out/ContainerTools/ContainerTools.psd1"
}

host_exe() { echo "$ROOT/src/ContainerTools.Host/bin/$CONFIG/net10.0/ctpwsh"; }

# An engine for the quickstart: the one DOCKER_HOST (or the default socket) names if it answers,
# else the private engine the tests use.
ensure_engine_for_quickstart() {
  local sock=/var/run/docker.sock
  if [ -n "${DOCKER_HOST:-}" ] && docker info >/dev/null 2>&1; then
    echo "Using the engine at $DOCKER_HOST" >&2
  elif [ -z "${DOCKER_HOST:-}" ] && [ -S "$sock" ] && curl -sf --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; then
    echo "Using the engine at unix://$sock" >&2
  else
    eval "$("$ROOT/tests/engine/test-engine.sh" start)"
    export DOCKER_HOST=$CONTAINERTOOLS_TEST_HOST
  fi
  # The quickstart runs a busybox web server; without a registry, build it locally when it is missing.
  docker image inspect busybox:latest >/dev/null 2>&1 || docker pull -q busybox:latest >/dev/null 2>&1 || "$ROOT/tests/engine/test-engine.sh" base-image
}

run_tests() {
  eval "$("$ROOT/tests/engine/test-engine.sh" start)"
  local results="$ROOT/out/test-results"
  rm -rf "$results"
  set +e
  dotnet test "$ROOT/tests/ContainerTools.Tests/ContainerTools.Tests.csproj" -c "$CONFIG" --no-build -nologo \
    --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory "$results" \
    -- RunConfiguration.TestSessionTimeout=1500000
  local rc=$?
  set -e
  "$ROOT/tests/engine/summarize-results.sh" "$results"/*.trx || true
  return $rc
}

case "${1:-}" in
  build) build ;;
  quickstart) build; ensure_engine_for_quickstart; "$(host_exe)" -File "$ROOT/examples/quickstart.ps1" ;;
  test) build; run_tests ;;
  help) dotnet run --project "$ROOT/src/ContainerTools.HelpBuilder" -c "$CONFIG" -- docs en-US ;;
  bench) build; eval "$("$ROOT/tests/engine/test-engine.sh" start)"; dotnet run --project "$ROOT/bench/ContainerTools.Bench" -c "$CONFIG" -- "${@:2}" ;;
  *) echo "usage: $0 build|quickstart|test|bench|help" >&2; exit 2 ;;
esac
