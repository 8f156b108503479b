"""Iris: describes screens and images with a vision-language model on your own computer."""

__version__ = "0.1.0"
"""Iris's version, written here only: pyproject.toml reads it (setuptools' dynamic version),
and so do `iris --version`, the macOS Info.plist and the Windows programs' version resource
(packaging/iris_app.py), from which the Windows installer takes its own."""

APP_ID = "io.github.irisdesktop.Iris"
"""Iris's reverse-DNS id: the name of its .desktop file, AppStream metainfo, icons, Wayland
app id, macOS LaunchAgent and bundle identifier."""
