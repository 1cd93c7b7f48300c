#!/usr/bin/env bash
# Runs every test: unit tests, integration tests that start the whole AppHost (local
# redis-server, two chat-api replicas, the web frontend) with Aspire.Hosting.Testing, and browser
# tests in a headless Chromium. Installs redis-server and chromium from the OS packages when they
# are missing. Extra arguments go to `dotnet test` (e.g. --filter).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/ensure-redis.sh
# The tests run Redis as a local executable whatever the machine has, so redis-server must exist.
REDIS_REQUIRE_EXECUTABLE=1 ensure_redis
source scripts/ensure-chromium.sh
ensure_chromium

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Chat.sln -nodeReuse:false "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain summary line for CI: "N passed, N failed".
passed=$(sed -nE 's/.*Passed: +([0-9]+),.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(sed -nE 's/.*Failed: +([0-9]+),.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
echo "tests: ${passed} passed, ${failed} failed"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "No test ran." >&2
  exit 1
fi
exit "$status"
