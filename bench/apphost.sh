#!/usr/bin/env bash
# The under-AppHost scenario (issue 11): the shared scenario, closed loop (16 in flight per sender)
# and 50,000 deliveries/s, against ONE chat-api replica that the AppHost started the way ./run.sh
# starts it (http launch profile, dashboard on, every resource exporting traces, metrics and logs
# to it over OTLP), addressed on the replica's own port rather than DCP's proxy at :5180. It is
# compared with the same binary run standalone, as bench/run.sh runs it, started fresh right
# before and warmed the same way (label `standalone`), not with bench/run.sh's `chat` runs: those
# come after minutes of sweep, and a fresh process needs about half a minute of load to reach its
# pace (see run_pair), so that comparison would measure warm-up, not the AppHost.
#
#   bench/apphost.sh                        on its own: the standalone server, then the AppHost
#   QUICK=1 bench/apphost.sh                shorter timing, as QUICK=1 bench/run.sh
#   bench/apphost.sh <results-dir> [timing] from bench/run.sh, into <results-dir>
#   LOAD="dotnet …/Chat.LoadTest.dll"       use this generator instead of building one
#   APPHOST_REPLICAS=1                      replicas (default: the AppHost's own, 2, as ./run.sh)
#
# Writes apphost-closed.json and apphost-50k.json (which bench/run.sh's report shows), the
# standalone partner's in apphost-pair/ (kept out of the report's table and chart), and
# apphost.txt: the ratio, the CPU of the
# AppHost's other processes (dashboard, DCP, …) during each run, and the OTEL_* settings the
# replica really runs with. Everything it starts it stops: its own processes by id, the AppHost by
# SIGTERM to its process group, then it waits until every resource the AppHost started has gone.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
out=${1:-$root/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-apphost}
shift $(( $# > 0 ? 1 : 0 ))
mkdir -p "$out"
timing=("$@")
if [ ${#timing[@]} = 0 ]; then
  if [ "${QUICK:-0}" = 1 ]; then timing=(--warmup 2 --duration 5 --drain 2); else timing=(--warmup 3 --duration 10 --drain 2); fi
fi
scenario=(--rooms 20 --members 10 --senders 2 --size 64)
pids=()       # what this script started directly (standalone Redis and server)
runner=""     # `dotnet run` of the AppHost, leader of its own process group
apphost_tree=()

# tree PID: PID and every process below it.
tree() {
  echo "$1"
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do tree "$child"; done
}

# env_of PID NAME: one variable of a running process, from what it was started with.
# A process that is already gone has no variables (and no error: processes come and go here).
env_of() { { tr '\0' '\n' 2>/dev/null <"/proc/$1/environ" || true; } | sed -n "s/^$2=//p" | head -1; }

# The AppHost's processes: `dotnet run`, the AppHost, and DCP with everything it started. DCP
# runs in a session of its own (not below the AppHost, not in its process group); its API server
# names the AppHost it serves in `--monitor <pid>`, which is how this run's DCP is told apart
# from any other AppHost on the machine.
find_apphost_tree() {
  local apphost pid cmdline
  apphost_tree=()
  [ -n "$runner" ] || return 0
  mapfile -t apphost_tree < <(tree "$runner")
  for apphost in $(ps -o pid= --ppid "$runner" 2>/dev/null); do
    for pid in $(ps -eo pid=); do
      cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
      if [[ $cmdline == *"dcp start-apiserver"*"--monitor $apphost "* ]]; then
        mapfile -t -O ${#apphost_tree[@]} apphost_tree < <(tree "$pid")
      fi
    done
  done
}

stop_apphost() {
  [ -n "$runner" ] || return 0
  find_apphost_tree
  local group
  group=$(ps -o pgid= -p "$runner" 2>/dev/null | tr -d ' ') || true
  # A background `dotnet run` ignores SIGINT; SIGTERM to its group reaches it and the AppHost,
  # which then has DCP stop the resources (about 15 s here). Never our own group.
  if [ -n "$group" ] && [ "$group" != "$(ps -o pgid= -p $$ | tr -d ' ')" ]; then
    kill -TERM -- "-$group" 2>/dev/null || true
  fi
  wait "$runner" 2>/dev/null || true
  local pid left
  for _ in $(seq 120); do
    left=()
    for pid in "${apphost_tree[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
    [ ${#left[@]} = 0 ] && break
    sleep 0.5
  done
  if [ ${#left[@]} != 0 ]; then
    echo "apphost: ${left[*]} still running 60 s after the AppHost stopped; killing them" >&2
    kill -KILL "${left[@]}" 2>/dev/null || true
  fi
  runner=""
}

autogroup_file=/proc/sys/kernel/sched_autogroup_enabled
autogroup_was=""
cleanup() {
  [ -n "$autogroup_was" ] && echo "$autogroup_was" >"$autogroup_file" 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_apphost
  rm -rf "$work"
}
trap cleanup EXIT
# Interrupted or stopped (bench/run.sh's caller, a terminal's Ctrl+C), still stop the AppHost:
# it runs in a session of its own, so neither signal reaches it.
trap 'exit 130' INT
trap 'exit 143' TERM

command -v redis-server >/dev/null || { echo "bench/apphost.sh needs redis-server (apt-get install redis-server)" >&2; exit 1; }
# The AppHost's fixed ports (its launch profile, chat-web's and chat-api's): taken means another
# AppHost (./run.sh?) is running, and this one would fail or be measured beside it.
for port in 15170 19170 20170 5170 5180; do
  if [ -n "$(ss -Hltn "sport = :$port")" ]; then
    echo "bench/apphost.sh: port $port is in use; stop the other AppHost (./run.sh?) first" >&2; exit 1
  fi
done

# Linux's autogroup scheduling shares the CPU out per session first, then per thread. DCP starts
# the replica and Redis in a session of their own, so with the generator in ours the two sessions
# got half the machine each: the replica and Redis shared one core while the generator had the
# other. The standalone server, Redis and the generator share one session, and so got the machine
# per thread. That alone made the replica look 0.33-0.61x (measured: the same binary, environment
# and working directory started in our session did 2x what it did in a session of its own, and
# with autogroup off all of them were equal). A server machine has no generator on it, so compare
# per thread on both sides: autogroup off for this script, restored on exit. Without root it
# stays on, and apphost.txt says so.
autogroup="not available"
if [ -r "$autogroup_file" ]; then
  autogroup_was=$(cat "$autogroup_file")
  if [ "$autogroup_was" = 1 ] && ! echo 0 2>/dev/null >"$autogroup_file"; then autogroup_was=""; fi
  if [ "$(cat "$autogroup_file")" = 0 ]; then
    autogroup="off during the runs (kernel.sched_autogroup_enabled=0; was ${autogroup_was:-0}, restored on exit)"
  else
    autogroup="ON: kernel.sched_autogroup_enabled could not be set to 0 (not root?), so the replica and Redis share half the CPU against the generator; the ratio understates the AppHost"
    echo "apphost: warning: $autogroup" >&2
  fi
fi

# Release, as the standalone server in bench/run.sh: DCP runs each project with
# `dotnet run --no-build --configuration <the AppHost's configuration>`.
echo "building the AppHost (Release)..."
dotnet build -c Release -nodeReuse:false Chat.AppHost >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
if [ -z "${LOAD:-}" ]; then
  dotnet build -c Release -nodeReuse:false bench/Chat.LoadTest -o "$work/load" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  LOAD="dotnet $work/load/Chat.LoadTest.dll"
fi
read -r -a load <<<"$LOAD"

# run_pair URL SERVER_PID REDIS_PID REDIS_CLI_ARGS LABEL PREFIX: the two runs bench/run.sh makes of
# every system besides its sweep, each from an empty Redis.
run_pair() {
  local url=$1 server=$2 redis=$3 label=$5 prefix=$6
  local -a cli; read -r -a cli <<<"$4"
  # A fresh process does less in its first half-minute of load (tiered JIT and dynamic PGO, the
  # thread pool and the GC still adapting): five closed loops in a row on a fresh standalone
  # server did 86k, 110k, 109k, 154k, 153k (bench/results/20261128T014125Z/warmup-curve/).
  # bench/run.sh measures the standalone server after minutes of sweep, so this warms each server
  # here with 30 s of closed loop whose result is dropped.
  redis-cli "${cli[@]}" flushall >/dev/null
  echo "== $label: warm-up (closed loop, 30 s, not recorded)"
  "${load[@]}" --system chat --url "$url" --label "$label" "${scenario[@]}" --warmup 2 --duration 30 --drain 2 \
    --window 16 --output "$work/$label-warmup.json" | grep "closed loop" || true
  redis-cli "${cli[@]}" flushall >/dev/null
  echo "== $label: closed loop, 16 in flight per sender"
  sample_start
  "${load[@]}" --system chat --url "$url" --server-pid "$server" --redis-pid "$redis" --label "$label" \
    "${scenario[@]}" "${timing[@]}" --window 16 --output "$prefix-closed.json" | head -4
  sample_end "closed loop"
  redis-cli "${cli[@]}" flushall >/dev/null
  echo "== $label: 50,000 deliveries/s"
  sample_start
  "${load[@]}" --system chat --url "$url" --server-pid "$server" --redis-pid "$redis" --label "$label" \
    "${scenario[@]}" "${timing[@]}" --rate 125 --output "$prefix-50k.json" | head -4
  sample_end "50,000/s"
}

# CPU of the AppHost's processes other than the loaded replica and Redis (the generator reports
# those two), as % of one core over a whole generator invocation, warm-up and drain included.
# Nothing to sample for the standalone server.
sampled=()
declare -A group_of ticks_at_start
ticks() { local stat; stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }; set -- ${stat##*) }; echo $(( ${12} + ${13} )); }
sample_start() {
  started_at=$(date +%s%N)
  local pid; for pid in "${sampled[@]}"; do ticks_at_start[$pid]=$(ticks "$pid"); done
}
sample_end() {
  [ ${#sampled[@]} = 0 ] && return 0
  local elapsed hz pid line="" name
  elapsed=$(( ($(date +%s%N) - started_at) / 1000000 )); hz=$(getconf CLK_TCK)
  declare -A used=()
  for pid in "${sampled[@]}"; do
    used[${group_of[$pid]}]=$(( ${used[${group_of[$pid]}]:-0} + $(ticks "$pid") - ${ticks_at_start[$pid]} ))
  done
  for name in dashboard dcp apphost chat-api-others chat-web dotnet-run other; do
    [ -n "${used[$name]:-}" ] && line+=$(awk -v n="$name" -v t="${used[$name]}" -v hz="$hz" -v ms="$elapsed" 'BEGIN { printf "%s %.0f%%, ", n, t * 100000 / hz / ms }')
  done
  echo "apphost ($1): other processes' CPU, % of one core: ${line%, }" | tee -a "$work/overhead.txt"
}

mkdir -p "$out/apphost-pair"
{
  # The same binary the AppHost runs, configured as bench/run.sh configures its server.
  echo "== standalone (for the ratio)"
  bin=$root/Chat.Api/bin/Release/net10.0
  redis-server --port 6393 --bind 127.0.0.1 --dir "$work" --appendonly yes --appendfsync everysec --save "" \
    --logfile "$work/redis.log" &
  redis_pid=$!; pids+=("$redis_pid")
  for _ in $(seq 50); do redis-cli -p 6393 ping >/dev/null 2>&1 && break; sleep 0.1; done
  Limits__Enabled=false Auth__SigningKey=$(head -c 48 /dev/urandom | base64) ConnectionStrings__redis=127.0.0.1:6393 \
    ASPNETCORE_URLS=http://127.0.0.1:5193 ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_CONTENTROOT="$bin" \
    Logging__LogLevel__Default=Warning "$bin/Chat.Api" >>"$work/chat-api.log" 2>&1 &
  api=$!; pids+=("$api")
  for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:5193/health && break; sleep 0.2; done
  run_pair http://127.0.0.1:5193 "$api" "$redis_pid" "-p 6393" standalone "$out/apphost-pair/standalone"
  kill "$api" "$redis_pid"; wait "$api" "$redis_pid" 2>/dev/null || true
  pids=()
}

# As ./run.sh starts it (`dotnet run --launch-profile http`: dashboard, OTLP, resource service),
# Release and already built. Redis:Mode=local with a data directory of its own, so the user's
# chat data (~/.local/share/chat/redis) is neither read nor flushed. Limits:Enabled=false
# reaches every replica through the AppHost's Limits passthrough (Limits__Enabled). The replica
# signs its own guest tokens with the AppHost's generated key, and the generator sends no Origin
# header, which the origin check lets through (non-browser client), so nothing else is needed.
echo "== apphost: starting the AppHost (Redis:Mode=local, Limits:Enabled=false)"
apphost_args=(--Redis:Mode=local "--Redis:DataDirectory=$work/redis" --Limits:Enabled=false)
[ -n "${APPHOST_REPLICAS:-}" ] && apphost_args+=("--ChatApi:Replicas=$APPHOST_REPLICAS")
# setsid: a process group of its own, so stopping it cannot signal this script or bench/run.sh.
setsid dotnet run --no-build -c Release --project Chat.AppHost --launch-profile http -- "${apphost_args[@]}" \
  >"$work/apphost.log" 2>&1 &
runner=$!

# The replica's direct endpoint: a chat-api replica (OTEL_SERVICE_NAME=chat-api, which the AppHost
# gives each replica) below this AppHost's DCP, its own URL from ASPNETCORE_URLS in
# /proc/<pid>/environ (what Kestrel binds; DCP picks a port per replica and logs none of them at
# the AppHost's log level), and the process listening on that port (the app, not its `dotnet run`).
server="" url="" redis_pid=""
for _ in $(seq 240); do
  kill -0 "$runner" 2>/dev/null || { tail -30 "$work/apphost.log" >&2; echo "the AppHost exited" >&2; exit 1; }
  find_apphost_tree
  for pid in "${apphost_tree[@]}"; do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = redis-server ] && redis_pid=$pid
    if [ -z "$url" ] && [ "$(env_of "$pid" OTEL_SERVICE_NAME)" = chat-api ]; then
      candidate=$(env_of "$pid" ASPNETCORE_URLS | cut -d';' -f1)
      [ -n "$candidate" ] || continue
      port=${candidate##*:}
      # Empty until the replica listens.
      listener=$(ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
      if [ -n "$listener" ] && curl -fs -o /dev/null "http://127.0.0.1:$port/health"; then
        url=http://127.0.0.1:$port server=$listener redis=$(env_of "$pid" ConnectionStrings__redis)
      fi
    fi
  done
  [ -n "$url" ] && [ -n "$redis_pid" ] && break
  sleep 0.5
done
[ -n "$url" ] && [ -n "$redis_pid" ] || { tail -30 "$work/apphost.log" >&2; echo "no healthy chat-api replica after 120 s" >&2; exit 1; }
# Everything the AppHost started is up once chat-web is (it waits for chat-api to be healthy);
# sample the processes from then on.
for _ in $(seq 120); do curl -fs -o /dev/null http://localhost:5170/health && break; sleep 0.5; done
find_apphost_tree
for pid in "${apphost_tree[@]}"; do
  [ "$pid" = "$server" ] && continue
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
  case $comm in
    redis-server) continue ;;
    dcp) group_of[$pid]=dcp ;;
    Aspire.Dashboar*) group_of[$pid]=dashboard ;;
    Chat.AppHost) group_of[$pid]=apphost ;;
    dotnet) group_of[$pid]=dotnet-run ;;
    *) case $(env_of "$pid" OTEL_SERVICE_NAME) in
         chat-api) group_of[$pid]=chat-api-others ;;
         chat-web) group_of[$pid]=chat-web ;;
         *) group_of[$pid]=other ;;
       esac ;;
  esac
  sampled+=("$pid")
done
echo "apphost: replica $url (pid $server), Redis pid $redis_pid (the replica reaches it at $redis), ${#apphost_tree[@]} AppHost processes"

redis_host=${redis%%:*} redis_port=${redis##*:}
run_pair "$url" "$server" "$redis_pid" "-h $redis_host -p $redis_port" apphost "$out/apphost"
otel=$(tr '\0' '\n' <"/proc/$server/environ" | grep '^OTEL_' | sed 's/^\(OTEL_[A-Z_]*HEADERS\)=.*/\1=(not shown)/' | sort)
sampled=()
stop_apphost

# field FILE NAME: one number from a result file (the generator writes one field per line).
field() { sed -n "s/^ *\"$2\": \([-0-9.eE+]*\),\{0,1\}$/\1/p" "$out/$1.json" | head -1; }
summary=$(awk -v ac="$(field apphost-closed deliveredPerSecond)" -v sc="$(field apphost-pair/standalone-closed deliveredPerSecond)" \
  -v acp="$(field apphost-closed p99Ms)" -v scp="$(field apphost-pair/standalone-closed p99Ms)" \
  -v ar="$(field apphost-50k deliveredPerSecond)" -v sr="$(field apphost-pair/standalone-50k deliveredPerSecond)" \
  -v arp="$(field apphost-50k p99Ms)" -v srp="$(field apphost-pair/standalone-50k p99Ms)" '
  function ratio(a, s) { return s > 0 ? sprintf("%.2f×", a / s) : "n/a" }
  BEGIN {
    printf "apphost ÷ standalone: closed loop %s (%.0f/s vs %.0f/s, p99 %.1f vs %.1f ms); at 50,000/s %s (%.0f/s vs %.0f/s, p99 %.1f vs %.1f ms)",
      ratio(ac, sc), ac, sc, acp, scp, ratio(ar, sr), ar, sr, arp, srp }')
case $autogroup in off*) summary+="; autogroup scheduling off" ;; ON*) summary+="; autogroup scheduling ON, which starves the replica (not root?)" ;; esac
{
  echo "$summary"
  echo
  echo "Autogroup scheduling: $autogroup."
  echo
  cat "$work/overhead.txt"
  echo
  echo "The replica's OTEL_* environment (/proc/$server/environ):"
  echo "$otel"
} >"$out/apphost.txt"
echo "$summary"
