#!/usr/bin/env bash
# The cost model's numbers (docs/scaling.md, "Cost model"): what one message costs Redis and the
# API, batched (the defaults) and one message per call (Chat:AppendBatchSize=1,
# Chat:MessagesInFlightPerConnection=1, the round-one path), at 50,000 deliveries/s and in the
# closed loop. Per stored message: Redis commands by name (INFO commandstats counts the commands a
# script runs too), bytes into and out of Redis, Redis and server CPU; per delivery, server CPU.
#   bench/cost.sh            the shared scenario (20 rooms of 10, 2 senders)
#   ROOMS=1 MEMBERS=200 SENDERS=4 bench/cost.sh   another shape
# Everything it starts it stops, by process id.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
command -v redis-server >/dev/null || { echo "bench/cost.sh needs redis-server (apt-get install redis-server)" >&2; exit 1; }

dotnet build -c Release -nodeReuse:false "$root/Chat.Api" -o "$work/api" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
dotnet build -c Release -nodeReuse:false "$root/bench/Chat.LoadTest" -o "$work/load" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
load="dotnet $work/load/Chat.LoadTest.dll"

redis_port=6393
redis-server --port $redis_port --bind 127.0.0.1 --dir "$work" --appendonly yes --appendfsync everysec --save "" \
  --logfile "$work/redis.log" &
redis_pid=$!; pids+=("$redis_pid")
for _ in $(seq 50); do redis-cli -p $redis_port ping >/dev/null 2>&1 && break; sleep 0.1; done

rooms=${ROOMS:-20}; members=${MEMBERS:-10}; senders=${SENDERS:-2}
# Per-sender rate for 50,000 deliveries/s: deliveries = rooms × senders × rate × members.
rate=$((50000 / (rooms * senders * members)))
scenario=(--rooms "$rooms" --members "$members" --senders "$senders" --size 64 --warmup 2 --duration 8 --drain 2)
signing_key=$(head -c 48 /dev/urandom | base64)

echo "| Path | Load | Stored msg/s | Batch (msgs per EVALSHA) | Redis commands per msg | SPUBLISH per msg | Bytes into Redis per msg | Bytes out of Redis per msg | Redis CPU µs per msg | Server CPU µs per msg | Server CPU µs per delivery |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for path in batched single; do
  extra=""; [ "$path" = single ] && extra="Chat__AppendBatchSize=1 Chat__MessagesInFlightPerConnection=1"
  # shellcheck disable=SC2086
  env Limits__Enabled=false $extra Auth__SigningKey=$signing_key ConnectionStrings__redis=127.0.0.1:$redis_port \
    ASPNETCORE_URLS=http://127.0.0.1:5193 ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_CONTENTROOT="$work/api" \
    Logging__LogLevel__Default=Warning "$work/api/Chat.Api" >>"$work/api.log" 2>&1 &
  api=$!; pids+=("$api")
  for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:5193/health && break; sleep 0.2; done
  for mode in "--rate $rate" "--window 16"; do
    redis-cli -p $redis_port flushall >/dev/null
    redis-cli -p $redis_port config resetstat >/dev/null
    # shellcheck disable=SC2086
    $load --system chat --url http://127.0.0.1:5193 --server-pid "$api" --redis-pid "$redis_pid" --label "$path" \
      "${scenario[@]}" $mode --output "$work/result.json" >/dev/null
    redis-cli -p $redis_port info commandstats >"$work/commandstats"
    redis-cli -p $redis_port info stats >"$work/stats"
    python3 - "$work/result.json" "$work/commandstats" "$work/stats" "$path" "$mode" "$members" <<'PY'
import json, re, sys
result = json.load(open(sys.argv[1]))[0]
calls = {m.group(1): int(m.group(2)) for m in re.finditer(r"cmdstat_(\w+):calls=(\d+)", open(sys.argv[2]).read())}
stats = dict(line.strip().split(":", 1) for line in open(sys.argv[3]) if ":" in line)
acked, members = result["acked"], int(sys.argv[6])
# Every command of the run, the scripts' inner ones included, but for this script's own. The
# 200 sockets' sign-ins, joins and presence are in it too: a few thousand commands against the
# tens of thousands of messages a run stores.
message_commands = sum(v for k, v in calls.items() if k not in ("info", "config", "flushall", "ping", "client", "hello", "select", "echo", "cluster", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe"))
stored_per_second = result["deliveredPerSecond"] / members
server_us = result["serverCpuPercent"] / 100 * 1e6 / stored_per_second
redis_us = result["redisCpuPercent"] / 100 * 1e6 / stored_per_second
load = "closed loop, window 16" if "window" in sys.argv[5] else f"{result['deliveredPerSecond']:,.0f} deliveries/s offered open loop"
print(f"| {sys.argv[4]} | {load} | {stored_per_second:,.0f} | {acked / max(calls.get('evalsha', 0) + calls.get('eval', 0), 1):.1f} | "
      f"{message_commands / acked:.2f} | {calls.get('spublish', 0) / acked:.2f} | {int(stats['total_net_input_bytes']) / acked:,.0f} | "
      f"{int(stats['total_net_output_bytes']) / acked:,.0f} | {redis_us:.1f} | {server_us:.1f} | {server_us / members:.2f} |")
PY
  done
  kill "$api"; wait "$api" 2>/dev/null || true
done
