# Sourced by run.sh and test.sh. Makes sure the AppHost can get a Redis:
# a healthy container engine, or redis-server on PATH (installed here from the OS packages when
# possible). REDIS_REQUIRE_EXECUTABLE=1 skips the container check (the tests always run redis-server).

container_engine_answers() {
  local engine="${ASPIRE_CONTAINER_RUNTIME:-docker}"
  command -v "$engine" >/dev/null 2>&1 && timeout 5 "$engine" info >/dev/null 2>&1
}

source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

ensure_redis() {
  if [ "${REDIS_REQUIRE_EXECUTABLE:-0}" != "1" ] && container_engine_answers; then
    return 0
  fi
  if command -v redis-server >/dev/null 2>&1; then
    return 0
  fi
  local status=0
  apt_install redis-server || status=$?
  [ "$status" -ne 2 ] && return "$status"
  if command -v brew >/dev/null 2>&1; then
    echo "Installing redis with Homebrew..." >&2
    brew install redis
    return 0
  fi
  echo "No Redis available. Start Docker or Podman, or install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), or run with Redis:Mode=external and ConnectionStrings:redis set." >&2
  return 1
}
