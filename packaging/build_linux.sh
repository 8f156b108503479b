#!/usr/bin/env bash
# Build Iris's one-folder app for Linux into dist/iris/ and print the build time and its size.
#
#   packaging/build_linux.sh                    the app, with the text reader's models
#   IRIS_BUNDLE_MODEL=FOLDER_OR_HUB_ID packaging/build_linux.sh
#                                               ... and a vision-language model in dist/iris/models/
#
# The app is built from its own virtual environment, build/app-venv, made by
# packaging/make_app_venv.py from packaging/requirements-app.txt (torch's CPU-only build, no
# torchvision) and remade when that file changes. PyInstaller's work files go to
# build/pyinstaller/. IRIS_PYTHON chooses the Python (3.11 or newer). The time and size are
# also written to build/app-build.json: {"seconds", "bytes", "files"}.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s.%N)  # seconds since 1970, as Python's time.time()
python="${IRIS_PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
  done
fi
if ! command -v objdump >/dev/null || ! command -v ldd >/dev/null; then
  echo "PyInstaller needs objdump and ldd: install binutils (sudo apt install binutils)." >&2
  exit 1
fi
"$python" packaging/make_app_venv.py >/dev/null
venv=build/app-venv
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --workpath build/pyinstaller --distpath dist packaging/iris-linux.spec
"$venv/bin/python" - "$started" <<'REPORT'
import json, os, sys, time
from pathlib import Path

files = [Path(root) / name for root, _, names in os.walk("dist/iris") for name in names]
size = sum(path.lstat().st_size for path in files)
seconds = time.time() - float(sys.argv[1])
report = {"seconds": round(seconds, 1), "bytes": size, "files": len(files)}
Path("build/app-build.json").write_text(json.dumps(report) + "\n")
print(f"Built dist/iris/ in {seconds:.0f} s: {size / 1e6:.0f} MB in {len(files)} files.")
REPORT
