#!/usr/bin/env bash
# Create .venv if missing and (re)install Iris into it when pyproject.toml or the extras change.
# Usage: scripts/ensure_venv.sh [EXTRAS]   e.g. scripts/ensure_venv.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${IRIS_PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
  done
fi
if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Iris needs Python 3.11 or newer (python3.11 on Debian/Ubuntu)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      rm -rf .venv && "$python" -m venv .venv
    else
      echo "Cannot create a virtual environment: install python3-venv (sudo apt install python3-venv)." >&2
      exit 1
    fi
  fi
fi
spec="."
[ -n "$extras" ] && spec=".[$extras]"
# Reinstall when pyproject.toml changed, or when extras are asked for that are not installed
# (a venv made by ./test.sh, with the test extras, also serves ./run.sh).
digest="$(sha256sum pyproject.toml | cut -c1-16)"
stamp="$digest-$extras"
installed="$(cat .venv/.iris-installed 2>/dev/null || true)"
if [ "$installed" != "$stamp" ] && { [ -n "$extras" ] || [ "${installed%%-*}" != "$digest" ]; }; then
  echo "Installing Iris into .venv (first time: a few minutes)..." >&2
  # pip's output goes to a log that is shown only when the install fails. On success it holds
  # nothing to act on: setuptools' "Editable installation" notice (a BuildBackendWarning box;
  # this flat layout is installed with a meta path finder, which is fine) and the local
  # package mirror's "is ignored" lines.
  log="$(mktemp "${TMPDIR:-/tmp}/iris-install.XXXXXX")"
  trap 'rm -f "$log"' EXIT
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec" >"$log" 2>&1 \
    || ! .venv/bin/python -c "import desktop_app, torch, transformers" >>"$log" 2>&1; then
    cat "$log" >&2
    echo "Installing Iris into .venv failed; the messages above say why." >&2
    exit 1
  fi
  echo "$stamp" > .venv/.iris-installed
fi
# The catalogues (.po) compiled to .mo for the editable install, again whenever one changed.
if ! .venv/bin/python scripts/compile_catalogues.py; then
  echo "The translations could not be compiled; Iris shows English until they are." >&2
fi
