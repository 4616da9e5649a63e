#!/bin/sh
# Installs Debian's Chromium for the browser tests, only when it is missing (idempotent; needs root and apt).
set -eu
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "browser tests: installing chromium from Debian (once)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || {
  apt-get update >/dev/null
  apt-get install -y --no-install-recommends chromium >/dev/null
}
test -x /usr/bin/chromium
