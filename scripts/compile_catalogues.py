"""Compile Iris's catalogues: each desktop_app/locale/<language>/LC_MESSAGES/iris.po to iris.mo.

Run by the build (setup.py's build_py, into the wheel and the one-folder app) and by
scripts/ensure_venv.sh for the editable development install. Uses Babel; without it, GNU
msgfmt. A catalogue whose .mo is newer than its .po is left alone.

    python scripts/compile_catalogues.py [--into FOLDER]   # FOLDER: a copy of desktop_app/locale
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "desktop_app" / "locale"
DOMAIN = "iris"


def catalogues(source: Path = LOCALE) -> list[Path]:
    """Every language's .po file under `source`."""
    return sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compile_catalogues(source: Path = LOCALE, target: Path | None = None) -> list[Path]:
    """Compile each .po of `source` to its .mo under `target` (default: beside it); returns
    the .mo files written."""
    written = []
    for po in catalogues(source):
        mo = (target or source) / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        _compile(po, mo)
        written.append(mo)
    return written


def _compile(po: Path, mo: Path) -> None:
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError:
        msgfmt = shutil.which("msgfmt")
        if msgfmt is None:
            raise RuntimeError(f"cannot compile {po}: install Babel (pip install babel)") from None
        subprocess.run([msgfmt, "--check", "-o", str(mo), str(po)], check=True)
        return
    with po.open("rb") as source:
        catalogue = read_po(source, domain=DOMAIN)
    with mo.open("wb") as compiled:
        write_mo(compiled, catalogue, use_fuzzy=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, help="write the .mo files under this folder")
    args = parser.parse_args()
    for mo in compile_catalogues(LOCALE, args.into):
        print(f"compiled {mo}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
