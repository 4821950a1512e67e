#!/usr/bin/env bash
# Install the GraphQL-over-HTTP audit suite (graphql-http, pinned in tests/http_audit/package-lock.json)
# unless it is there already. Needs node and npm (Debian's `nodejs` and `npm` packages).
# Prints the directory to run it from; exits non-zero when it cannot install.
set -euo pipefail
dir="$(cd "$(dirname "$0")/../tests/http_audit" && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends nodejs npm >&2
  else
    echo "cannot install the audit: needs node and npm (or root and apt-get)" >&2; exit 1
  fi
fi
if [ ! -f "$dir/node_modules/graphql-http/package.json" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
echo "$dir"
