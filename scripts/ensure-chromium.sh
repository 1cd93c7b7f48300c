# Sourced by test.sh. The browser tests drive a real Chromium through Playwright; Playwright's own
# browser download is never used, so the OS package provides it (Debian/Ubuntu: /usr/bin/chromium).
# CHAT_CHROMIUM names another Chromium executable (e.g. on macOS) and skips the install.

source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

ensure_chromium() {
  local browser="${CHAT_CHROMIUM:-/usr/bin/chromium}"
  if [ -x "$browser" ]; then
    return 0
  fi
  if [ -n "${CHAT_CHROMIUM:-}" ]; then
    echo "CHAT_CHROMIUM is '$CHAT_CHROMIUM', which is not an executable." >&2
    return 1
  fi
  local status=0
  apt_install chromium || status=$?
  [ "$status" -ne 2 ] && return "$status"
  echo "The browser tests need Chromium: install it (Debian/Ubuntu: apt-get install chromium) or set CHAT_CHROMIUM to a Chromium executable." >&2
  return 1
}
