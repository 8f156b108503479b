#!/usr/bin/env bash
# Run Iris's whole test suite: venv with the test extras, system packages (as root), pytest.
set -euo pipefail
cd "$(dirname "$0")"
# System packages the tests use; installed when running as root on Debian/Ubuntu.
SYSTEM_PACKAGES=()
if [ "${#SYSTEM_PACKAGES[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
scripts/ensure_venv.sh test
exec .venv/bin/python -m pytest "$@"
