"""A GTK 3 settings dialog for the real-screen test set. Runs under the system Python (python3-gi).

real_screens_dialog.py            show the dialog (until killed)
real_screens_dialog.py --truth F  write the texts it shows to F (JSON list) and exit
"""

from __future__ import annotations

import json
import sys

HEADER = "Power and display settings"
SWITCHES = (
    "Dim the screen when inactive",
    "Turn off the screen after five minutes",
    "Suspend when the lid is closed",
    "Show battery percentage in the top bar",
    "Use automatic brightness",
)
CHOICES = ("Balanced", "Power saver", "Performance")
ENTRY_LABEL = "Computer name"
ENTRY_TEXT = "kitchen-laptop"
BUTTONS = ("Restore defaults", "Cancel", "Apply")


def truth() -> list[str]:
    return [HEADER, *SWITCHES, *CHOICES, ENTRY_LABEL, ENTRY_TEXT, *BUTTONS]


def show() -> None:
    import gi

    gi.require_version("Gtk", "3.0")
    from gi.repository import Gtk

    window = Gtk.Window(title="Settings")
    window.set_default_size(900, 640)
    window.connect("destroy", Gtk.main_quit)
    outer = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=14, margin=24)
    header = Gtk.Label(xalign=0)
    header.set_markup(f"<big><b>{HEADER}</b></big>")
    outer.pack_start(header, False, False, 0)
    grid = Gtk.Grid(row_spacing=12, column_spacing=40)
    for row, text in enumerate(SWITCHES):
        grid.attach(Gtk.Label(label=text, xalign=0), 0, row, 1, 1)
        switch = Gtk.Switch(active=row % 2 == 0, halign=Gtk.Align.END)
        grid.attach(switch, 1, row, 1, 1)
    outer.pack_start(grid, False, False, 0)
    radios = Gtk.Box(spacing=24)
    first = None
    for text in CHOICES:
        button = Gtk.RadioButton.new_with_label_from_widget(first, text)
        first = first or button
        radios.pack_start(button, False, False, 0)
    outer.pack_start(radios, False, False, 0)
    name_row = Gtk.Box(spacing=16)
    name_row.pack_start(Gtk.Label(label=ENTRY_LABEL), False, False, 0)
    entry = Gtk.Entry(text=ENTRY_TEXT, width_chars=24)
    name_row.pack_start(entry, False, False, 0)
    outer.pack_start(name_row, False, False, 0)
    actions = Gtk.Box(spacing=12, halign=Gtk.Align.END)
    for text in BUTTONS:
        actions.pack_start(Gtk.Button(label=text), False, False, 0)
    outer.pack_end(actions, False, False, 0)
    window.add(outer)
    window.show_all()
    window.present()
    actions.get_children()[-1].grab_focus()
    Gtk.main()


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--truth":
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            json.dump(truth(), out)
        return 0
    show()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
