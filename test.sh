#!/usr/bin/env bash
# Run Iris's whole test suite: venv with the test extras, system packages (as root), pytest.
set -euo pipefail
cd "$(dirname "$0")"
# System packages the tests use; installed when running as root on Debian/Ubuntu.
SYSTEM_PACKAGES=(
  # a real X display for capture, hotkeys and the window; Qt's xcb plugin needs these
  xvfb xdotool x11-utils imagemagick libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0
  libegl1 libfontconfig1 libdbus-1-3
  # speech: pyttsx3 drives espeak-ng; sox measures the WAV files it writes
  libespeak-ng1 espeak-ng-data alsa-utils sox speech-dispatcher speech-dispatcher-espeak-ng
  # the text reader: OpenCV loads libGL and GLib; its test screens use these fonts
  libgl1 libglib2.0-0 fonts-dejavu-core fonts-liberation fontconfig
  # reading the window back as a screen reader does (AT-SPI)
  dbus dbus-x11 at-spi2-core python3-pyatspi gir1.2-atspi-2.0
  # the launcher and AppStream files are validated as distributions do; GLib (python3-gi) reads
  # back the autostart entry's command as GNOME does
  desktop-file-utils appstream python3-gi
  # the catalogues: msgfmt --check (tests/unit/test_catalogues.py)
  gettext
  # PyInstaller (the one-folder app's test, tests/packaging/test_packaging.py) runs objdump
  binutils
  # the real Orca on a private headless desktop (tests/helpers/orca_desktop.py): a window
  # manager, PulseAudio with null sinks (parec records them; aplay reaches them through ALSA's
  # pulse plugin), GSettings kept in dconf, a GTK 3 window as "another program"
  orca openbox pulseaudio pulseaudio-utils libasound2-plugins dconf-gsettings-backend
  gsettings-desktop-schemas gir1.2-gtk-3.0
)
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
