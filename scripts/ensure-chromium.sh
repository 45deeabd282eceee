#!/usr/bin/env bash
# Browser tests drive Debian's Chromium. Install it when missing and we are root.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium and a Japanese font for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-ipaexfont >/dev/null
  exit 0
fi
cat >&2 <<'MSG'
The browser tests need Chromium at /usr/bin/chromium, and this user cannot install it.
Ask an administrator to run:   sudo apt-get install -y chromium fonts-ipaexfont
MSG
exit 1
