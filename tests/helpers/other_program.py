"""Another program for screen reader tests: a plain GTK 3 window with one text area.

Runs under the system Python (python3-gi, gir1.2-gtk-3.0), as a user's other program would:
    other_program.py TITLE [--text TEXT] [--entry] [--font "Sans 22"]
The window is titled TITLE and takes the focus; its text area (a GtkTextView, or a one-line
GtkEntry with --entry) holds TEXT and has the keyboard focus, the cursor at the start.
It runs until it is killed or its window is closed.
"""

from __future__ import annotations

import argparse
import sys

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import Gtk  # noqa: E402


def build(title: str, text: str, entry: bool, font: str = "") -> Gtk.Window:
    """The window, shown and focused; its text in `font` (a Pango description) if given."""
    window = Gtk.Window(title=title)
    window.set_default_size(640, 400)
    window.connect("destroy", Gtk.main_quit)
    if entry:
        area = Gtk.Entry()
        area.set_text(text)
        window.add(area)
    else:
        area = Gtk.TextView()
        area.get_buffer().set_text(text)
        area.get_buffer().place_cursor(area.get_buffer().get_start_iter())
        scrolled = Gtk.ScrolledWindow()
        scrolled.add(area)
        window.add(scrolled)
    if font:
        from gi.repository import Pango

        area.override_font(Pango.FontDescription(font))
    window.show_all()
    area.grab_focus()
    if entry:
        area.set_position(0)
    window.present()
    return window


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("title")
    parser.add_argument("--text", default="")
    parser.add_argument("--entry", action="store_true")
    parser.add_argument("--font", default="")
    args = parser.parse_args(argv)
    build(args.title, args.text, args.entry, args.font)
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
