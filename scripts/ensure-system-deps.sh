#!/usr/bin/env bash
# Install the system packages the test suite needs (Debian's postgresql, chromium, chromium-driver)
# when they are missing. In CI (CI=true) a missing package is installed or the run fails; locally
# it is installed only when we can (root or passwordless sudo), otherwise the suite skips clearly.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ ${#need[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    if [ "${CI:-}" = "true" ]; then echo "CI needs ${need[*]} but cannot install (not root, no sudo)" >&2; exit 1; fi
    echo "note: ${need[*]} missing and not installable here; those tests will be skipped" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then echo "CI needs ${need[*]} but apt-get is missing" >&2; exit 1; fi
  echo "note: ${need[*]} missing (no apt-get); those tests will be skipped" >&2
  exit 0
fi
echo "installing ${need[*]} ..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
