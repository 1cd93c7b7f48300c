#!/usr/bin/env bash
# A/B of the chat API: an earlier revision against the working tree, same Redis, same generator,
# the shared scenario (closed loop and 50,000 deliveries/s), alternating ROUNDS times so that
# drift on a busy machine hits both alike. Prints the generator's summary lines; compare medians.
#   bench/ab.sh <revision>            e.g. bench/ab.sh 2f7076f
#   ROUNDS=5 bench/ab.sh <revision>
# Per-user limits are off on both sides; AFTER_ENV (and BEFORE_ENV) add settings to one side, e.g.
# the cost of the limits themselves, one build against itself:
#   AFTER_ENV="Limits__Enabled=true Limits__MessagesPerSecond=100000 Limits__MessageBurst=100000" bench/ab.sh HEAD
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
before=${1:?usage: bench/ab.sh <revision>}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  git -C "$root" worktree remove --force "$work/src-before" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v redis-server >/dev/null || { echo "bench/ab.sh needs redis-server (apt-get install redis-server)" >&2; exit 1; }

echo "building $before and the working tree (Release)..."
git -C "$root" worktree add -q --detach "$work/src-before" "$before"
dotnet build -c Release -nodeReuse:false "$work/src-before/Chat.Api" -o "$work/before" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet build -c Release -nodeReuse:false "$root/Chat.Api" -o "$work/after" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet build -c Release -nodeReuse:false "$root/bench/Chat.LoadTest" -o "$work/load" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
load="dotnet $work/load/Chat.LoadTest.dll"

redis_port=6392
redis-server --port $redis_port --bind 127.0.0.1 --dir "$work" --appendonly yes --appendfsync everysec --save "" \
  --logfile "$work/redis.log" &
redis_pid=$!
pids+=("$redis_pid")
for _ in $(seq 50); do redis-cli -p $redis_port ping >/dev/null 2>&1 && break; sleep 0.1; done

scenario=(--rooms 20 --members 10 --senders 2 --size 64 --warmup 2 --duration 8 --drain 2)
signing_key=$(head -c 48 /dev/urandom | base64)
for round in $(seq "$rounds"); do
  for build in before after; do
    extra=BEFORE_ENV; [ "$build" = after ] && extra=AFTER_ENV
    # shellcheck disable=SC2086
    env Limits__Enabled=false ${!extra:-} Auth__SigningKey=$signing_key ConnectionStrings__redis=127.0.0.1:$redis_port \
      ASPNETCORE_URLS=http://127.0.0.1:5191 ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_CONTENTROOT="$work/$build" \
      Logging__LogLevel__Default=Warning "$work/$build/Chat.Api" >>"$work/api-$build.log" 2>&1 &
    api=$!
    pids+=("$api")
    for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:5191/health && break; sleep 0.2; done
    for mode in "--window 16" "--rate 125"; do
      redis-cli -p $redis_port flushall >/dev/null
      echo "== round $round, $build, $mode"
      # shellcheck disable=SC2086
      $load --system chat --url http://127.0.0.1:5191 --server-pid "$api" --redis-pid "$redis_pid" --label "$build" \
        "${scenario[@]}" $mode --output "$work/$build-$round.json" | sed -n 2,5p
    done
    kill "$api"; wait "$api" 2>/dev/null || true
  done
done
