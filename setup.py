"""The build's one step beyond pyproject.toml: the catalogues' .po files compiled to .mo.

setuptools runs `build_py` for the wheel (the .mo files go into the build folder) and for the
editable install (they go beside the .po files, where the source tree is used); Babel comes
from [build-system] requires. The compiling is scripts/compile_catalogues.py's.
"""

from __future__ import annotations

import runpy
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
LOCALE = HERE / "desktop_app" / "locale"


class BuildWithCatalogues(build_py):
    """build_py, then each desktop_app/locale/<language>/LC_MESSAGES/iris.po compiled."""

    def run(self) -> None:
        super().run()
        compiler = runpy.run_path(str(HERE / "scripts" / "compile_catalogues.py"))
        editable = getattr(self, "editable_mode", False)
        target = None if editable else Path(self.build_lib) / "desktop_app" / "locale"
        compiler["compile_catalogues"](LOCALE, target)


setup(cmdclass={"build_py": BuildWithCatalogues})
