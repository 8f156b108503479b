#!/usr/bin/env bash
# Extract Iris's translatable strings into desktop_app/locale/iris.pot, then bring every
# language's iris.po up to date with it (new strings empty, changed ones fuzzy). Needs Babel
# (in the test extras: scripts/ensure_venv.sh test). See TRANSLATING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
version="$("$python" -c 'import desktop_app; print(desktop_app.__version__)')"
"$python" -m babel.messages.frontend extract \
  --mapping-file=babel.cfg \
  --no-default-keywords --keywords="N_ NP_:1,2 gettext ngettext:1,2" \
  --add-comments=Translators: \
  --sort-by-file --add-location=file --width=100 \
  --project=Iris --version="$version" \
  --msgid-bugs-address="https://github.com/iris-desktop/iris/issues" \
  --copyright-holder="The Iris developers" \
  --output-file=desktop_app/locale/iris.pot \
  desktop_app
for po in desktop_app/locale/*/LC_MESSAGES/iris.po; do
  [ -e "$po" ] || continue
  language="$(basename "$(dirname "$(dirname "$po")")")"
  "$python" -m babel.messages.frontend update \
    --domain=iris --input-file=desktop_app/locale/iris.pot \
    --output-dir=desktop_app/locale --locale="$language" --width=100 --ignore-obsolete
done
