#!/usr/bin/env bash
# Start Iris: creates .venv and installs Iris on first use; arguments go to the `iris` command.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/scripts/ensure_venv.sh"
exec "$here/.venv/bin/iris" "$@"
