"""A GTK 3 window for the AT-SPI client's tests. Runs under the system Python (python3-gi).

    a11y_gtk_window.py OUT.json [--focus unlabeled|chart|list|save] [--grid N] [--title T]

The window holds an icon-only button with no accessible name, an image named "chart3", a list
of three named items ("Apple", "Banana", "Cherry") and a "Save" button; with --grid N, also N
labels in a grid ("Cell 1", ...). Once it is active and the control given by --focus has the
keyboard focus (the list's second item, for "list"), it writes OUT.json:
    {"toolkit": "gtk", "pid": ..., "title": ..., "focused": "save",
     "controls": {"save": {"name": "Save", "rect": [x, y, w, h]}, ...}}
with each control's place in screen pixels. It runs until it is killed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("GdkPixbuf", "2.0")
gi.require_version("Pango", "1.0")
from gi.repository import GdkPixbuf, GLib, Gtk, Pango  # noqa: E402

ITEMS = ("Apple", "Banana", "Cherry")
COLUMNS = 50


def build(grid: int) -> tuple[Gtk.Window, dict[str, tuple[str, Gtk.Widget]]]:
    """The window and its controls by key: (accessible name, widget)."""
    window = Gtk.Window()
    window.set_default_size(640, 480)
    window.connect("destroy", Gtk.main_quit)
    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6)
    row = Gtk.Box(spacing=6)
    unlabeled = Gtk.Button()
    icon = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, False, 8, 24, 24)
    icon.fill(0x3366CCFF)  # a picture with no icon name: GTK names icons it knows ("Open")
    unlabeled.set_image(Gtk.Image.new_from_pixbuf(icon))
    unlabeled.set_always_show_image(True)
    chart = Gtk.Image.new_from_icon_name("dialog-information", Gtk.IconSize.DIALOG)
    chart.get_accessible().set_name("chart3")
    chart.set_can_focus(True)
    save = Gtk.Button(label="Save")
    for widget in (unlabeled, chart, save):
        row.pack_start(widget, False, False, 0)
    listbox = Gtk.ListBox()
    rows = []
    for text in ITEMS:
        item = Gtk.ListBoxRow()
        item.add(Gtk.Label(label=text, xalign=0))
        item.get_accessible().set_name(text)
        listbox.add(item)
        rows.append(item)
    box.pack_start(row, False, False, 0)
    box.pack_start(listbox, False, False, 0)
    if grid:
        window.set_default_size(1200, 760)
        table = Gtk.Grid(column_homogeneous=True, row_homogeneous=True)
        for index in range(grid):
            label = Gtk.Label(label=f"Cell {index + 1}")
            label.set_ellipsize(Pango.EllipsizeMode.END)  # all fit on the screen, all showing
            table.attach(label, index % COLUMNS, index // COLUMNS, 1, 1)
        box.pack_start(table, True, True, 0)
    window.add(box)
    controls = {
        "unlabeled": ("", unlabeled),
        "chart": ("chart3", chart),
        "list": ("Banana", rows[1]),
        "save": ("Save", save),
    }
    return window, controls


def geometry(widget: Gtk.Widget) -> list[int]:
    """The widget's rectangle in screen pixels."""
    toplevel = widget.get_toplevel()
    _, origin_x, origin_y = toplevel.get_window().get_origin()
    x, y = widget.translate_coordinates(toplevel, 0, 0)
    allocation = widget.get_allocation()
    return [origin_x + x, origin_y + y, allocation.width, allocation.height]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--focus", default="save")
    parser.add_argument("--grid", type=int, default=0)
    parser.add_argument("--title", default="GTK controls")
    args = parser.parse_args(argv)
    window, controls = build(args.grid)
    window.set_title(args.title)
    window.show_all()
    window.present()
    written = []

    def report() -> bool:
        focused = controls[args.focus][1]
        if not window.is_active():
            return True
        if not focused.has_focus():
            focused.grab_focus()
            return True
        data = {
            "toolkit": "gtk", "pid": os.getpid(), "title": args.title, "focused": args.focus,
            "controls": {
                key: {"name": name, "rect": geometry(widget)}
                for key, (name, widget) in controls.items()
            },
        }  # fmt: skip
        with open(args.out + ".part", "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.replace(args.out + ".part", args.out)
        written.append(True)
        return False

    GLib.timeout_add(50, report)
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
