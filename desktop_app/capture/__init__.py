"""Screen capture (filled in by the desktop-app issue): monitors, windows, regions; no Qt widgets."""
