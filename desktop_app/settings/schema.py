"""The settings schema: each setting declares once, on its settings dataclass, its type and
default (the field itself) and, with `setting(...)`, its label, help, range or choices and where
the Settings dialog shows it (qutebrowser's configdata.yml is the model).

Loading (`read`), the dataclasses' own checks (`check_minimums`) and the Settings dialog are
made from these declarations, so a setting's rules are written nowhere else. Example::

    rate_wpm: int = setting(
        200, messages.FIELD_RATE, Place.SPEECH, minimum=20, maximum=1000, step=10, widget="rate"
    )
"""

from __future__ import annotations

import enum
import functools
import json
import logging
import math
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass, replace
from typing import Any, TypeVar

from desktop_app.core import i18n, messages

log = logging.getLogger(__name__)

T = TypeVar("T")
_METADATA_KEY = "iris.setting"
PERCENT = 100
"""A `percent` setting keeps 0.0 to 1.0 and is shown as 0 to 100."""
_SHOWN_VALUE_CHARACTERS = 40


class Place(enum.Enum):
    """Where the Settings dialog shows a setting: a page (tab), and a group on it."""

    GENERAL = "general"
    SERVER = "server"
    """The "Where the model runs" panel (gui.server_panel), at the top of the Model page."""
    LOCAL_MODEL = "local_model"
    ANY_MODEL = "any_model"
    """Below both groups of the Model page: used wherever the model runs."""
    HOTKEYS = "hotkeys"
    SPEECH = "speech"
    PROMPTS = "prompts"

    @property
    def page(self) -> str:
        """The title of the page (tab) this place is on."""
        return i18n.translate(_PAGE_TITLES[self])

    @property
    def title(self) -> str:
        """The title of this place's group on its page; "" when it has none."""
        return i18n.translate(_GROUP_TITLES.get(self, ""))


_PAGE_TITLES = {
    Place.GENERAL: messages.TAB_GENERAL,
    Place.SERVER: messages.TAB_MODEL,
    Place.LOCAL_MODEL: messages.TAB_MODEL,
    Place.ANY_MODEL: messages.TAB_MODEL,
    Place.HOTKEYS: messages.TAB_HOTKEYS,
    Place.SPEECH: messages.TAB_SPEECH,
    Place.PROMPTS: messages.TAB_PROMPTS,
}
_GROUP_TITLES = {
    Place.SERVER: messages.SERVER_GROUP_TITLE,
    Place.LOCAL_MODEL: messages.LOCAL_GROUP_TITLE,
}


@dataclass(frozen=True, kw_only=True)
class Setting:
    """What a field declares besides its type and default.

    `label` names it to the user (a `core.messages` constant; None for Iris's own notes, which
    are reset quietly); `place` is where Settings shows it (None: not in the dialog);
    `description` is its control's accessible description, `placeholder` the hint of an
    empty text field (or what makes it when the dialog is built: `placeholder_text`).
    Numbers have `minimum`, `maximum` and `step` (the range Settings offers and the settings
    file may hold; with `strict_minimum` no value below the minimum can be
    made at all). `choices` label an enum's members, in the order shown. An optional number
    shows None as `none_label` (its spin box's 0). `percent`: kept as 0.0 to 1.0, shown
    as percent. `multiline`: a text of several lines. `required`: the problem told when the text
    is empty. `too_small`: the problem told for a number below the minimum. `widget`: the
    control's object name when it is not the field's name. `item_label`: a mapping's entry's
    label, from its key.
    """

    label: str | None
    place: Place | None = None
    description: str = ""
    placeholder: str | Callable[[], str] = ""
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    strict_minimum: bool = False
    choices: tuple[tuple[Any, str], ...] = ()
    none_label: str = ""
    percent: bool = False
    multiline: bool = False
    required: str = ""
    too_small: str = ""
    widget: str = ""
    item_label: Callable[[str], str] | None = None

    @property
    def placeholder_text(self) -> str:
        """The hint of the empty field, made now where it depends on the moment (the
        interface's language)."""
        return self.placeholder() if callable(self.placeholder) else self.placeholder

    @property
    def choice_labels(self) -> dict[Any, str]:
        """The choices' labels by value (enum member), in the order shown."""
        return dict(self.choices)


def setting(
    default: T,
    label: str | None,
    place: Place | None = None,
    *,
    description: str = "",
    placeholder: str | Callable[[], str] = "",
    minimum: float | None = None,
    maximum: float | None = None,
    step: float | None = None,
    strict_minimum: bool = False,
    choices: Mapping[Any, str] | None = None,
    none_label: str = "",
    percent: bool = False,
    multiline: bool = False,
    required: str = "",
    too_small: str = "",
    widget: str = "",
) -> T:
    """A dataclass field with default `default`, declared in the schema (see `Setting`)."""
    declared = Setting(
        label=label,
        place=place,
        description=description,
        placeholder=placeholder,
        minimum=minimum,
        maximum=maximum,
        step=step,
        strict_minimum=strict_minimum,
        choices=tuple((choices or {}).items()),
        none_label=none_label,
        percent=percent,
        multiline=multiline,
        required=required,
        too_small=too_small,
        widget=widget,
    )
    made: T = field(default=default, metadata={_METADATA_KEY: declared})
    return made


def setting_made_by(
    factory: Callable[[], T],
    label: str | None,
    place: Place | None = None,
    *,
    item_label: Callable[[str], str] | None = None,
) -> T:
    """A dataclass field whose default `factory` makes (a section, a mapping), declared in
    the schema."""
    declared = Setting(label=label, place=place, item_label=item_label)
    made: T = field(default_factory=factory, metadata={_METADATA_KEY: declared})
    return made


@dataclass(frozen=True, kw_only=True)
class SchemaField(Setting):
    """A declared field where it sits: `key` is its path ("speech.rate_wpm"), `section` the
    field of the root holding it ("" at the top); `kind` is bool, int, float, str, an enum,
    tuple (of str, or of `record` dataclasses: a list of records), dict (str to str) or a
    settings dataclass (a section); `optional` when None is allowed."""

    key: str
    name: str
    section: str
    kind: type
    optional: bool
    default: Any
    record: type | None = None

    @property
    def is_section(self) -> bool:
        """True for a field that holds a settings dataclass."""
        return is_dataclass(self.kind)

    def value_in(self, root: Any) -> Any:
        """This field's value in `root` (an instance of the schema's root dataclass)."""
        holder = getattr(root, self.section) if self.section else root
        return getattr(holder, self.name)


class Schema:
    """Every field of a settings dataclass and of its sections, in declaration order (a
    section's own entry first, then its fields): the order Settings shows them in."""

    def __init__(self, root: type) -> None:
        self.root = root
        self._declared = tuple(_walk(root, ""))
        self._shown_in = -1
        self._shown: tuple[SchemaField, ...] = ()
        self._by_key: dict[str, SchemaField] = {}

    @property
    def fields(self) -> tuple[SchemaField, ...]:
        """The fields, their words in the interface language (declared ones are English when
        the schema was made before a language was installed)."""
        if self._shown_in != i18n.generation():
            self._shown = tuple(_translated(entry) for entry in self._declared)
            self._by_key = {entry.key: entry for entry in self._shown}
            self._shown_in = i18n.generation()
        return self._shown

    def __iter__(self) -> Iterator[SchemaField]:
        return iter(self.fields)

    def __getitem__(self, key: str) -> SchemaField:
        self.fields  # noqa: B018 (brings the words up to the installed language)
        return self._by_key[key]

    def on(self, place: Place) -> tuple[SchemaField, ...]:
        """The fields Settings shows at `place`, in order."""
        return tuple(entry for entry in self.fields if entry.place is place)


def with_values(root: T, values: Mapping[str, Any]) -> T:
    """`root` with the fields named by schema keys set to `values` (sections are copied)."""
    top: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        section, _, name = key.rpartition(".")
        if section:
            sections.setdefault(section, {})[name] = value
        else:
            top[name] = value
    for section, changes in sections.items():
        top[section] = replace(top.get(section, getattr(root, section)), **changes)
    return replace(root, **top)  # type: ignore[type-var]


def _translated(entry: SchemaField) -> SchemaField:
    """`entry` with its words (label, help, choices, problems) in the interface language."""
    tr = i18n.translate
    return replace(
        entry,
        label=tr(entry.label) if entry.label else entry.label,
        description=tr(entry.description),
        placeholder=entry.placeholder if callable(entry.placeholder) else tr(entry.placeholder),
        choices=tuple((value, tr(label)) for value, label in entry.choices),
        none_label=tr(entry.none_label),
        required=tr(entry.required),
        too_small=tr(entry.too_small),
    )


def _declared(item: Field[Any]) -> Setting:
    declared = item.metadata.get(_METADATA_KEY)
    if not isinstance(declared, Setting):
        raise TypeError(f"the settings field {item.name} is not declared with setting()")
    return declared


def _walk(cls: type, section: str) -> Iterator[SchemaField]:
    for entry in _own_fields(cls, section):
        yield entry
        if entry.is_section:
            if section:
                raise TypeError(f"{entry.key}: sections hold no sections")
            yield from _walk(entry.kind, entry.name)


@functools.cache
def _own_fields(cls: type, section: str) -> tuple[SchemaField, ...]:
    """The declared fields of the dataclass `cls` (not of its sections), found in `section`."""
    hints = typing.get_type_hints(cls)
    found = []
    for item in fields(cls):
        kind, optional = _kind(hints[item.name])
        made_by = item.default_factory
        default = item.default if item.default is not MISSING else made_by()  # type: ignore[operator]
        declared = _declared(item)
        entry = SchemaField(
            **{name.name: getattr(declared, name.name) for name in fields(Setting)},
            key=f"{section}.{item.name}" if section else item.name,
            name=item.name,
            section=section,
            kind=kind,
            optional=optional,
            default=default,
            record=_record_kind(hints[item.name]),
        )
        _check_declaration(entry)
        found.append(entry)
    return tuple(found)


def _kind(hint: Any) -> tuple[type, bool]:
    """The kind of value a type hint allows, and whether None is allowed too."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        others = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(others) != 1:
            raise TypeError(f"unsupported settings type {hint}")
        return _kind(others[0])[0], True
    origin = typing.get_origin(hint)
    if origin is tuple and _record_kind(hint) is None and typing.get_args(hint) != (str, ...):
        raise TypeError(f"unsupported settings type {hint}")
    if origin is dict and typing.get_args(hint) != (str, str):
        raise TypeError(f"unsupported settings type {hint}")
    return origin or hint, False


def _record_kind(hint: Any) -> type | None:
    """The dataclass of a list of records (`tuple[SavedPrompt, ...]`), else None."""
    arguments = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        kind = arguments[0]
        return kind if isinstance(kind, type) and is_dataclass(kind) else None
    return None


def _check_declaration(entry: SchemaField) -> None:
    """Refuse a declaration the loader or the dialog could not use."""
    if isinstance(entry.kind, type) and issubclass(entry.kind, enum.Enum):
        if set(entry.choice_labels) != set(entry.kind) or len(entry.choices) != len(entry.kind):
            raise TypeError(f"{entry.key}: every choice needs one label")
    elif entry.choices:
        raise TypeError(f"{entry.key}: only enums have choices")
    shown_number = entry.place is not None and entry.kind in (int, float)
    if shown_number and (entry.minimum is None or entry.maximum is None):
        raise TypeError(f"{entry.key}: a number shown in Settings needs a minimum and maximum")
    if entry.place is not None and entry.label is None:
        raise TypeError(f"{entry.key}: a setting shown in Settings needs a label")


# -- loading -----------------------------------------------------------------------------------
class Problem(enum.Enum):
    """Why a value from the settings file could not be used."""

    WRONG_TYPE = "wrong type"
    TOO_SMALL = "too small"
    TOO_LARGE = "too large"
    NOT_A_CHOICE = "not a choice"
    EMPTY = "empty"
    BAD_ENTRY = "bad entry"


@dataclass(frozen=True)
class SettingReset:
    """A setting whose saved value could not be used and took its default: its schema `key`,
    its `label`, the `problem`, and `detail`, a phrase telling both (for SETTINGS_RESET)."""

    key: str
    label: str
    problem: Problem
    detail: str


class _BadValue(ValueError):
    def __init__(self, problem: Problem, **fields: Any) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.fields = fields


def read(cls: type[T], data: Mapping[str, Any], resets: list[SettingReset], section: str = "") -> T:
    """An instance of the settings dataclass `cls` from JSON `data`: unknown keys are ignored,
    missing ones take their defaults, and so does each value the schema refuses (a wrong type,
    out of range, not one of the choices), added to `resets`. Sections are read the same way;
    a mapping (hotkeys) is merged over its default, entry by entry."""
    values: dict[str, Any] = {}
    for entry in _own_fields(typing.cast(type, cls), section):
        if entry.name not in data:
            continue
        raw = data[entry.name]
        try:
            if entry.is_section:
                values[entry.name] = read(entry.kind, _mapping(raw), resets, entry.name)
            elif entry.kind is dict:
                values[entry.name] = _merged(entry, _mapping(raw), resets)
            elif entry.record is not None:
                values[entry.name] = _records(entry, raw, resets)
            else:
                values[entry.name] = convert(entry, raw)
        except _BadValue as bad:
            _reset(resets, entry, entry.label, bad, raw)
    return cls(**values)


def convert(entry: SchemaField, raw: Any) -> Any:
    """`raw`, a value from JSON, as `entry`'s value; raises ValueError (a `_BadValue`) when the
    schema refuses it."""
    if raw is None and entry.optional:
        return None
    kind = entry.kind
    if issubclass(kind, enum.Enum):
        for member, _ in entry.choices:
            if isinstance(raw, str) and member.value == raw:
                return member
        raise _BadValue(Problem.NOT_A_CHOICE)
    value = _typed(kind, raw)
    if kind in (int, float):
        if entry.minimum is not None and value < entry.minimum:
            raise _BadValue(Problem.TOO_SMALL, minimum=shown_number(entry, entry.minimum))
        if entry.maximum is not None and value > entry.maximum:
            raise _BadValue(Problem.TOO_LARGE, maximum=shown_number(entry, entry.maximum))
    if kind is str and entry.required and not value.strip():
        raise _BadValue(Problem.EMPTY)
    return value


def _typed(kind: type, raw: Any) -> Any:
    """`raw` when it is a JSON value of `kind` (a float may be written as an integer)."""
    is_number = isinstance(raw, int | float) and not isinstance(raw, bool)
    if kind is bool and isinstance(raw, bool):
        return raw
    if kind is int and is_number and isinstance(raw, int):
        return raw
    if kind is float and is_number and math.isfinite(raw):
        return float(raw)
    if kind is str and isinstance(raw, str):
        return raw
    if kind is tuple and isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return tuple(raw)
    raise _BadValue(Problem.WRONG_TYPE, kind=i18n.translate(_KIND_WORDS[kind]))


def _mapping(raw: Any) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise _BadValue(Problem.WRONG_TYPE, kind=messages.KIND_GROUP)
    return raw


def read_record(kind: type[T], raw: Any) -> tuple[T | None, str]:
    """One record of a list (`kind`, a settings dataclass) from JSON: the record and "",
    or None and a phrase telling what is wrong (each field refused, or required and empty)."""
    if not isinstance(raw, dict):
        return None, messages.PROMPT_ENTRY_NOT_AN_OBJECT
    problems: list[SettingReset] = []
    record = read(kind, raw, problems)
    details = [problem.detail for problem in problems]
    for entry in _own_fields(typing.cast(type, kind), ""):
        value = getattr(record, entry.name)
        if entry.required and entry.name not in raw and not str(value).strip():
            details.append(messages.SETTING_EMPTY.format(label=entry.label))
    if details:
        return None, messages.SETTINGS_RESET_SEPARATOR.join(details)
    return record, ""


def _records(entry: SchemaField, raw: Any, resets: list[SettingReset]) -> tuple[Any, ...]:
    """A list of records: each entry read alone (`read_record`); a bad one is dropped and
    told, the others kept. Records with the same first field (their name) as an earlier one
    are dropped too."""
    if not isinstance(raw, list):
        raise _BadValue(Problem.WRONG_TYPE, kind=messages.KIND_LIST)
    assert entry.record is not None
    kept: list[Any] = []
    names: set[str] = set()
    for number, item in enumerate(raw, start=1):
        record, problem = read_record(entry.record, item)
        if record is not None:
            name = str(getattr(record, fields(record)[0].name)).strip()
            if name.casefold() in names:
                record, problem = None, messages.PROMPT_ENTRY_DUPLICATE.format(name=name)
            names.add(name.casefold())
        if record is None:
            log.warning("setting %s, entry %d dropped: %s", entry.key, number, problem)
            detail = messages.PROMPT_ENTRY_DROPPED.format(
                label=entry.label, number=number, problem=problem
            )
            key = f"{entry.key}.{number}"
            resets.append(SettingReset(key, entry.label or "", Problem.BAD_ENTRY, detail))
            continue
        kept.append(record)
    return tuple(kept)


def _merged(
    entry: SchemaField, data: Mapping[str, Any], resets: list[SettingReset]
) -> dict[str, str]:
    """A str-to-str mapping: the default's entries, replaced by the saved ones that are text
    (others are reset: told for the default's keys, dropped for unknown ones)."""
    merged = dict(entry.default)
    for key, raw in data.items():
        if isinstance(raw, str):
            merged[str(key)] = raw
        elif key in merged:
            label = entry.item_label(key) if entry.item_label else entry.label
            bad = _BadValue(Problem.WRONG_TYPE, kind=messages.KIND_TEXT)
            _reset(resets, replace(entry, key=f"{entry.key}.{key}"), label, bad, raw)
    return merged


def _reset(
    resets: list[SettingReset], entry: SchemaField, label: str | None, bad: _BadValue, raw: Any
) -> None:
    log.warning("setting %s cannot be used (%s); default used", entry.key, bad)
    if label is None:
        return  # Iris's own note, not a setting the user knows
    template = i18n.translate(_DETAILS[bad.problem])
    detail = template.format(label=label, value=shown_value(entry, raw), **bad.fields)
    resets.append(SettingReset(entry.key, label, bad.problem, detail))


def shown_number(entry: Setting, number: float) -> str:
    """`number` as the user sees it for `entry` (in percent for a percent setting)."""
    return f"{number * PERCENT if entry.percent else number:g}"


def shown_value(entry: Setting, raw: Any) -> str:
    """A saved value as told to the user: numbers as shown, others as JSON, shortened."""
    if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
        return shown_number(entry, raw)
    text = json.dumps(raw, ensure_ascii=False)
    if len(text) > _SHOWN_VALUE_CHARACTERS:
        text = text[: _SHOWN_VALUE_CHARACTERS - 1] + "…"
    return text


def check_minimums(instance: Any) -> None:
    """Raise ValueError when a field of `instance` declared `strict_minimum` is below its
    minimum (for a dataclass's `__post_init__`)."""
    for item in fields(instance):
        declared = _declared(item)
        value = getattr(instance, item.name)
        floor = declared.minimum if declared.strict_minimum else None
        if floor is not None and value is not None and value < floor:
            raise ValueError(f"{item.name} must be at least {declared.minimum}")


_KIND_WORDS: dict[type, str] = {
    bool: messages.KIND_ON_OFF,
    int: messages.KIND_WHOLE_NUMBER,
    float: messages.KIND_NUMBER,
    str: messages.KIND_TEXT,
    tuple: messages.KIND_TEXT_LIST,
}
_DETAILS = {
    Problem.WRONG_TYPE: messages.SETTING_WRONG_TYPE,
    Problem.TOO_SMALL: messages.SETTING_TOO_SMALL,
    Problem.TOO_LARGE: messages.SETTING_TOO_LARGE,
    Problem.NOT_A_CHOICE: messages.SETTING_NOT_A_CHOICE,
    Problem.EMPTY: messages.SETTING_EMPTY,
}
"""The detail of each problem `_reset` tells (a dropped entry of a list is told by `_records`)."""
