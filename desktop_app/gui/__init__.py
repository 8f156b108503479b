"""The window (filled in by the desktop-app issue): the only package importing QtWidgets."""
