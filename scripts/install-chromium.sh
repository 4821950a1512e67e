#!/usr/bin/env bash
# Install Debian's chromium (headless browser for the GraphiQL test) unless one is on PATH.
# Prints the browser's path; exits non-zero when it cannot install (no root, no apt, offline).
set -euo pipefail
for name in chromium chromium-browser; do
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; exit 0; fi
done
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install chromium: needs root and apt-get" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium >&2
command -v chromium
