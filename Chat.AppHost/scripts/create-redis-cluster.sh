#!/bin/sh
# The `redis-cluster-create` step of Redis:Mode=cluster (see RedisClusterHosting.cs).
# Usage: create-redis-cluster.sh HOST:PORT HOST:PORT HOST:PORT ...
#
# Joins fresh nodes into a cluster with one master per node and every slot assigned, or does
# nothing to nodes that already form one (their nodes.conf survives AppHost restarts, and
# `redis-cli --cluster create` refuses nodes that are "not empty"). Exits 0 only once every node
# reports cluster_state:ok, so whatever waits for this step's completion finds a usable cluster.
# Every wait is bounded by REDIS_CLUSTER_TIMEOUT seconds (default 60).
set -eu

timeout=${REDIS_CLUSTER_TIMEOUT:-60}
node_count=$#

if [ "$node_count" -lt 3 ]; then
  echo "A Redis Cluster needs at least 3 masters; got $node_count node(s): $*" >&2
  exit 2
fi
if ! command -v redis-cli >/dev/null 2>&1; then
  echo "redis-cli is not on PATH; it comes with redis-server (Debian/Ubuntu: apt-get install redis-server)." >&2
  exit 2
fi

cli() { # cli HOST:PORT COMMAND...
  node=$1
  shift
  redis-cli -h "${node%:*}" -p "${node##*:}" "$@"
}

info_field() { # info_field HOST:PORT FIELD: one field of CLUSTER INFO, empty when the node does not answer
  cli "$1" CLUSTER INFO 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

# Polls once a second until "$@" succeeds or the timeout passes.
wait_until() { # wait_until DESCRIPTION COMMAND...
  description=$1
  shift
  waited=0
  until "$@"; do
    if [ "$waited" -ge "$timeout" ]; then
      echo "Gave up after ${timeout}s waiting for $description." >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

answers_ping() { [ "$(cli "$1" PING 2>/dev/null)" = "PONG" ]; }

state_ok() { [ "$(info_field "$1" cluster_state)" = "ok" ]; }

for node in "$@"; do
  wait_until "$node to answer PING" answers_ping "$node"
done

# Fresh nodes know only themselves and serve no slot; nodes of an existing cluster know all of
# them and the slots are assigned. Anything in between (a create that died half way, a port
# changed under an old data directory) is not ours to repair automatically.
fresh=0
joined=0
for node in "$@"; do
  known=$(info_field "$node" cluster_known_nodes)
  assigned=$(info_field "$node" cluster_slots_assigned)
  if [ "$known" = "1" ] && [ "$assigned" = "0" ]; then
    fresh=$((fresh + 1))
  elif [ "$known" = "$node_count" ] && [ "$assigned" = "16384" ]; then
    joined=$((joined + 1))
  else
    echo "$node is in a partial cluster (known nodes: $known, slots assigned: $assigned)." >&2
  fi
done

if [ "$fresh" -eq "$node_count" ]; then
  echo "Creating a cluster of $node_count masters: $*"
  redis-cli --cluster create "$@" --cluster-replicas 0 --cluster-yes
elif [ "$joined" -eq "$node_count" ]; then
  echo "The nodes already form a cluster; nothing to create."
else
  echo "The nodes neither are all fresh nor form one cluster. Stop the AppHost and delete the" \
    "cluster data directory (Redis:DataDirectory/cluster) to start empty." >&2
  exit 1
fi

for node in "$@"; do
  wait_until "$node to report cluster_state:ok" state_ok "$node"
done
echo "Cluster ready: every node reports cluster_state:ok."
