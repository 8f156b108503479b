"""Settings controls made from the settings schema (`settings.schema`): a field's widget, label,
range, choices, placeholder and accessible description come from its declaration, never from
here. bool → a check box whose label wraps, an enum → a combo box of its choices' labels that
can narrow, a number → QSpinBox (percent settings in percent; an optional number's 0 shows its
`none_label`), text → QLineEdit, or QPlainTextEdit for `multiline` text; forms reflow rather
than scroll sideways (`gui.reflowing_controls`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from desktop_app.gui.reflowing_controls import (
    ShrinkingComboBox,
    WrappingCheckBox,
    WrappingLabel,
    keep_characters_in_view,
)
from desktop_app.settings import PERCENT, SchemaField

_PERCENT_SUFFIX = " %"


def make_control(entry: SchemaField, value: Any) -> QWidget:
    """A new control for `entry` showing `value`, named and described as declared."""
    widget: QWidget
    if entry.kind is bool:
        box = WrappingCheckBox(entry.label or "")
        box.setChecked(bool(value))
        widget = box
    elif entry.choices:
        combo = ShrinkingComboBox()
        labels = entry.choice_labels
        combo.addItems(list(labels.values()))
        combo.setCurrentIndex(list(labels).index(value))
        widget = combo
    elif entry.kind in (int, float):
        widget = _spin_box(entry, value)
    elif entry.kind is str and entry.multiline:
        text = QPlainTextEdit(value or "")
        text.setTabChangesFocus(True)
        text.setPlaceholderText(entry.placeholder_text)
        keep_characters_in_view(text)
        widget = text
    elif entry.kind is str:
        line = QLineEdit(value or "")
        line.setPlaceholderText(entry.placeholder_text)
        keep_characters_in_view(line)
        widget = line
    else:
        raise TypeError(f"no control is made for {entry.key}; build its own")
    name_control(entry, widget)
    return widget


def name_control(entry: SchemaField, widget: QWidget) -> None:
    """Give `widget` (made here or by hand) `entry`'s object name, accessible name and
    accessible description."""
    widget.setObjectName(entry.widget or entry.name)
    widget.setAccessibleName(entry.label or "")
    if entry.description:
        widget.setAccessibleDescription(entry.description)


def add_control(form: QFormLayout, entry: SchemaField, value: Any) -> QWidget:
    """`make_control`, added to `form`: a check box as a row of its own, others beside their
    label."""
    widget = make_control(entry, value)
    if isinstance(widget, QCheckBox):
        form.addRow(widget)
    else:
        form_row(form, entry.label or "", widget)
    return widget


def reflowing_form(parent: QWidget | None = None) -> QFormLayout:
    """A form layout whose fields move under their labels when a row is wider than the
    window (large text, a narrow screen), so that the page does not scroll sideways."""
    form = QFormLayout(parent)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


def form_row(form: QFormLayout, label: str, field: QWidget) -> None:
    """A form row whose label is the field's buddy and accessible name; a long label wraps
    onto more lines rather than make the page scroll sideways."""
    field.setAccessibleName(label)
    shown = WrappingLabel(label)
    shown.setBuddy(field)
    form.addRow(shown, field)


def spin_range(entry: SchemaField) -> tuple[int, int, int]:
    """A number's spin box: lowest, highest, step (0: Qt's own step of 1), as shown."""
    if entry.minimum is None or entry.maximum is None:
        raise TypeError(f"{entry.key} has no range to show")
    lowest = 0 if entry.none_label else _shown(entry, entry.minimum)
    return lowest, _shown(entry, entry.maximum), _shown(entry, entry.step or 0)


def _spin_box(entry: SchemaField, value: Any) -> QSpinBox:
    box = QSpinBox()
    lowest, highest, step = spin_range(entry)
    box.setRange(lowest, highest)
    if step:
        box.setSingleStep(step)
    if entry.none_label:
        box.setSpecialValueText(entry.none_label)
    if entry.percent:
        box.setSuffix(_PERCENT_SUFFIX)
    box.setValue(lowest if value is None else _shown(entry, value))
    return box


def _shown(entry: SchemaField, number: float) -> int:
    """`number` as its spin box shows it (percent settings in percent)."""
    return round(number * PERCENT if entry.percent else number)


def control_value(entry: SchemaField, widget: QWidget, original: Any) -> Any:
    """The value `widget` shows for `entry`. Untouched, it keeps `original`: an optional check
    box left off keeps None, a number between the spin box's steps (0.8 of 1.0) stays."""
    if isinstance(widget, QCheckBox):
        checked = widget.isChecked()
        return None if entry.optional and original is None and not checked else checked
    if isinstance(widget, QComboBox) and entry.choices:
        return list(entry.choice_labels)[widget.currentIndex()]
    if isinstance(widget, QSpinBox):
        shown = widget.value()
        if entry.none_label and shown == widget.minimum():
            return None
        if original is not None and shown == _shown(entry, original):
            return original
        return shown / PERCENT if entry.percent else entry.kind(shown)
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        text = widget.currentText().strip()
    elif isinstance(widget, QLineEdit):
        text = widget.text().strip()
    else:
        raise TypeError(f"no value is read from {entry.key}'s {type(widget).__name__}")
    return None if entry.optional and not text else text


def control_problem(entry: SchemaField, widget: QWidget) -> str | None:
    """Why `widget`'s value cannot be saved for `entry`, or None: empty required text, or a
    number below the minimum (an optional number's spin box goes down to 0, for None)."""
    if entry.required and not str(control_value(entry, widget, None) or "").strip():
        return entry.required
    if not (entry.too_small and isinstance(widget, QSpinBox) and entry.minimum is not None):
        return None
    below = widget.minimum() < widget.value() < _shown(entry, entry.minimum)
    return entry.too_small if below else None
