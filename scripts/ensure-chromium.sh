# Sourced by test.sh. The browser tests drive a real Chromium through Playwright; Playwright's own
# browser download is never used, so the OS package provides it (Debian/Ubuntu: /usr/bin/chromium).
# CHAT_CHROMIUM names another Chromium executable (e.g. on macOS) and skips the install.

ensure_chromium() {
  local browser="${CHAT_CHROMIUM:-/usr/bin/chromium}"
  if [ -x "$browser" ]; then
    return 0
  fi
  if [ -n "${CHAT_CHROMIUM:-}" ]; then
    echo "CHAT_CHROMIUM is '$CHAT_CHROMIUM', which is not an executable." >&2
    return 1
  fi
  if command -v apt-get >/dev/null 2>&1; then
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "Chromium is missing and installing it needs root: run 'apt-get install chromium' as root." >&2
        return 1
      fi
    fi
    echo "Installing chromium from the OS packages..." >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
    return 0
  fi
  echo "The browser tests need Chromium: install it (Debian/Ubuntu: apt-get install chromium) or set CHAT_CHROMIUM to a Chromium executable." >&2
  return 1
}
