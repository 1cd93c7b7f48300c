#!/usr/bin/env bash
# Runs the whole app: the Aspire AppHost with Redis, two chat-api replicas and the dashboard.
# Needs only the .NET SDK: when neither a container engine nor redis-server is present it installs
# redis-server from the OS packages (Debian/Ubuntu), or says what to install.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/ensure-redis.sh
ensure_redis
exec dotnet run --project Chat.AppHost --launch-profile http -- "$@"
