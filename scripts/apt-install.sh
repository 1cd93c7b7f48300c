# Sourced by ensure-redis.sh and ensure-chromium.sh: installs one Debian/Ubuntu package, as root
# or through sudo. Returns 2 when apt-get is not there (the caller tries something else), 1 when
# installing needs root that is not available (it says how).

apt_install() {
  local package="$1"
  command -v apt-get >/dev/null 2>&1 || return 2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "$package is missing and installing it needs root: run 'apt-get install $package' as root." >&2
      return 1
    fi
  fi
  echo "Installing $package from the OS packages..." >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$package" >/dev/null
}
