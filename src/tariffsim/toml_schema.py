"""Read and check TOML files written by people: one set of rules and one wording for every kind of file.

Scenario files (``tariffsim.scenario``), gravity experiment files (``tariffsim.gravity.experiment_file``)
and scenario-pack files (``tariffsim.report.pack``) are read with ``read_toml`` and checked through a
``Table``: a parsed table together with the place it stands in, so that every message names the file,
the table and the key, quotes the value and says what to write instead::

    war.toml, [[change]] #2 ('Japan hits back'): add_points = '25%': add_points must be a number (...)
    nafta.toml, [ge]: unknown key 'knd'. Did you mean 'kind'? Valid keys here: year, kind, ...

Only the shape of a file is checked here (keys, types, required values, placeholders); what the
values mean (a tariff above -100%, a country known to the data) is checked by each file's parser.

This module is public (it replaces the private ``tariffsim._toml``): a new kind of input file should
be read with it, so that it gives the same messages and the same "did you mean" suggestions.

Usage::

    KEYS = ("title", "change")
    document = Table.document(read_toml(path, "scenario"), str(path), "scenario")
    document.refuse_placeholders("scenario", order=KEYS)  # "TODO" / "?" left in a draft: all listed
    document.only(KEYS)                           # unknown keys: "Did you mean ...?"
    title = document.text("title")                # required, non-empty text
    for change in document.tables("change", keys=("description", "add_points")):
        points = change.number("add_points", unit="percentage points, e.g. 25")
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tariffsim._lookup import suggest
from tariffsim.datasets import shown
from tariffsim.errors import ScenarioError

PLACEHOLDERS = ("todo", "?")
"""Strings (any case, blanks around them ignored) that stand for a value still to be filled in."""

REQUIRED: Any = object()
"""Default of a key that must be given (a missing one is an error)."""

Labeller = Callable[[str, int, Mapping[str, Any]], str]
"""How an array-of-tables entry is named in messages: ``(key, number from 1, table) -> label``."""


MAX_TOML_BYTES = 10_000_000
"""Largest TOML file read (10 MB): scenario, experiment and pack files are a few kilobytes."""

MAX_NESTING = 32
"""Deepest nesting of tables and lists accepted (these files need 3 levels)."""

_BOM = b"\xef\xbb\xbf"


def read_toml(path: str | os.PathLike[str], kind: str) -> dict[str, Any]:
    """The parsed document; ScenarioError naming the file (a ``kind`` file, e.g. "scenario") on failure.

    A UTF-8 byte-order mark at the start is accepted (editors on Windows write one). A file that is
    missing, a folder, unreadable, not UTF-8, not TOML or nested too deeply is refused with a message
    naming the file and the fix, never with a Python traceback.
    """
    if path is None:
        raise ScenarioError(f"no {kind} file given (None); fix: give the path of a {kind} .toml file")
    if not isinstance(path, str | os.PathLike):
        raise ScenarioError(f"{kind} file {path!r}: a path must be text or a pathlib.Path, not "
                            f"{type(path).__name__}; fix: give the path of a {kind} .toml file")
    return parse_toml(_read_bytes(path, kind), _shown(path), kind)


def parse_toml(raw: bytes, name: str, kind: str) -> dict[str, Any]:
    """The parsed document of ``raw`` (a file's bytes, or text pasted into the web app), named ``name`` in
    messages; ScenarioError for text that is not UTF-8, not TOML or nested too deeply (callers limit the size)."""
    raw = raw.removeprefix(_BOM)  # a UTF-8 byte-order mark, as some editors write
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise ScenarioError(
            f"{name}: not a UTF-8 text file (byte 0x{raw[error.start]:02x} on line {line}, byte {error.start + 1} "
            f"of the file, is not UTF-8); fix: save the {kind} file as UTF-8 text (in most editors: Save As, encoding UTF-8)"
        ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{name}: not a valid TOML file: {error}. Check quotes around text, "
                            "[[change]] headers and one key = value per line.") from None
    except RecursionError:
        raise ScenarioError(_too_deep(name, kind)) from None
    if _depth(document) > MAX_NESTING:
        raise ScenarioError(_too_deep(name, kind))
    return document


def _shown(path: str | os.PathLike[str]) -> str:
    """The path as given, shortened in the middle when very long (messages stay one readable line)."""
    return shown(path, quote=False)


def _read_bytes(path: str | os.PathLike[str], kind: str) -> bytes:
    """The file's bytes (at most MAX_TOML_BYTES); ScenarioError for every reason it cannot be read."""
    name, quoted = _shown(path), shown(path)
    fix = f"give the path of a {kind} .toml file"
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_TOML_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(f"{kind} file {quoted} not found") from None
    except IsADirectoryError:
        raise ScenarioError(f"{name}: is a folder, not a {kind} file; fix: {fix} inside it") from None
    except PermissionError:
        raise ScenarioError(f"{name}: permission denied: the {kind} file cannot be read; fix: make it "
                            f"readable (chmod u+r) or copy it somewhere you can read") from None
    except (OSError, ValueError) as error:  # name too long, embedded NUL, a device, ...
        reason = getattr(error, "strerror", None) or str(error)
        raise ScenarioError(f"{kind} file {quoted} cannot be read ({reason}); fix: {fix}") from None
    if len(raw) > MAX_TOML_BYTES:
        raise ScenarioError(f"{name}: more than {MAX_TOML_BYTES // 1_000_000} MB, too large for a {kind} file; "
                            f"fix: {fix} (a few kilobytes of key = value lines)")
    return raw


def _too_deep(name: str, kind: str) -> str:
    return (f"{name}: tables or lists nested too deeply (more than {MAX_NESTING} levels); a {kind} file needs "
            "only a few; fix: use [table] and [[array]] headers with key = value lines")


def _depth(value: object) -> int:
    """How deeply tables and lists nest in a parsed document (iteratively: no recursion limit)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_NESTING:
            break
        if isinstance(item, Mapping):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def is_placeholder(value: object) -> bool:
    """True for the strings "TODO" and "?" (any case, blanks around them ignored)."""
    return isinstance(value, str) and value.strip().lower() in PLACEHOLDERS


def array_label(key: str, number: int, description: str | None = None) -> str:
    """How messages name the ``number``-th (from 1) ``[[key]]`` table: ``[[change]] #2 ('Japan retaliates')``."""
    label = f"[[{key}]] #{number}"
    return f"{label} ({description!r})" if description else label


def description_of(table: object) -> str | None:
    """The table's ``description`` when it is real text (not missing, blank or a placeholder), else None."""
    text = table.get("description") if isinstance(table, Mapping) else None
    if not isinstance(text, str) or not text.strip() or is_placeholder(text):
        return None
    return text.strip()


def described(key: str, number: int, table: Mapping[str, Any]) -> str:
    """The default ``Labeller``: ``array_label`` with the table's description, if it has one."""
    return array_label(key, number, description_of(table))


class Table:
    """One table of a TOML document and where it stands (``"war.toml, [[change]] #2"``), for messages.

    Every getter takes the key and an optional default; without a default the key is required. Values
    of the wrong type, missing required keys and unknown keys raise ``ScenarioError`` with the place,
    the key, the value and the fix.
    """

    def __init__(self, data: Mapping[str, Any], where: str):
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{where}: expected a table of keys (key = value lines), not {type(data).__name__}")
        self.data = data
        self.where = where

    @classmethod
    def document(cls, data: object, origin: str, kind: str) -> Table:
        """The top level of a ``kind`` file (e.g. "scenario") read from ``origin``."""
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{origin}: a {kind} is a table of keys, not {type(data).__name__}")
        return cls(data, origin)

    def __repr__(self) -> str:
        return f"Table({self.where!r}, keys={list(self.data)})"

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def get(self, key: str, default: Any = None) -> Any:
        """The raw value of ``key`` (unchecked), or ``default``."""
        return self.data.get(key, default)

    # ------------------------------------------------------------------------------ messages
    def error(self, message: str) -> ScenarioError:
        """A ScenarioError prefixed with this table's place: ``raise table.error("...")``."""
        return ScenarioError(f"{self.where}: {message}")

    def invalid(self, key: str, fix: str) -> ScenarioError:
        """The usual message for a value that is given but wrong: ``where: key = value: fix``."""
        return self.error(f"{key} = {self.data[key]!r}: {fix}")

    def _given(self, key: str, default: Any, fix: str) -> bool:
        """Whether ``key`` is given; False when absent with a default; the error (with ``fix``) when required."""
        if key in self.data:
            return True
        if default is REQUIRED:
            raise self.error(f"{key} is missing: {fix}")
        return False

    # ------------------------------------------------------------------------------ structure
    def only(self, valid: Sequence[str], hint: str = "") -> Table:
        """Refuse keys not in ``valid`` (suggesting the closest); ``hint`` ends the message. Returns self."""
        for key in self.data:
            if key not in valid:
                raise self.error(f"unknown key {key!r}.{suggest(str(key), valid)} "
                                 f"Valid keys here: {', '.join(valid)}{hint}.")
        return self

    def table(self, key: str, keys: Sequence[str] | None = None, *, required: bool = False) -> Table:
        """The sub-table ``[key]`` (empty when absent and not required), its keys checked against ``keys``."""
        where = f"{self.where}, [{key}]"
        if key not in self.data:
            if required:
                raise self.error(f"the [{key}] table is missing: add a [{key}] line, then its key = value lines")
            return Table({}, where)
        if not isinstance(self.data[key], Mapping):
            raise self.invalid(key, f"{key} must be a table: write [{key}] on its own line, then key = value lines")
        table = Table(self.data[key], where)
        return table if keys is None else table.only(keys)

    def tables(self, key: str, keys: Sequence[str] | None = None, *, label: Labeller = described) -> list[Table]:
        """The ``[[key]]`` tables, in file order (none when absent), each named by ``label``."""
        items = self.data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(t, Mapping) for t in items):
            raise self.error(f"{key} must be a list of tables: start each one with [[{key}]] "
                             "(double brackets) on its own line")
        tables = [Table(t, f"{self.where}, {label(key, n, t)}") for n, t in enumerate(items, 1)]
        return tables if keys is None else [t.only(keys) for t in tables]

    def refuse_placeholders(self, kind: str = "file", label: Labeller = described,
                            order: Sequence[str] = ()) -> None:
        """Refuse a document with any "TODO" / "?" value, listing every one (call it on the top level).

        The top level comes first, then its [tables] and [[arrays of tables]], in the order of their keys
        in ``order`` (e.g. the valid keys; others after them, in file order)."""
        found = [f"  {where}: {key} = {value!r}" for where, key, value in self._placeholders(label, order)]
        if found:
            raise self.error(f"{len(found)} open placeholder(s) (\"TODO\" or \"?\"); replace each with a value "
                             f"before the {kind} can be used:\n" + "\n".join(found))

    def _placeholders(self, label: Labeller, order: Sequence[str]) -> Iterator[tuple[str, str, Any]]:
        """(place, key, value) of every placeholder: top level, [tables] and [[arrays of tables]]."""
        places: list[tuple[str, Mapping[str, Any]]] = [("top level", self.data)]
        rank = {key: n for n, key in enumerate(order)}
        for key in sorted(self.data, key=lambda k: rank.get(k, len(rank))):
            value = self.data[key]
            if isinstance(value, Mapping):
                places.append((f"[{key}]", value))
            elif isinstance(value, list) and value and all(isinstance(t, Mapping) for t in value):
                places += [(label(key, n, t), t) for n, t in enumerate(value, 1)]
        for where, table in places:
            for key, value in table.items():
                items = value if isinstance(value, list) else [value]
                if any(is_placeholder(v) for v in items):
                    yield where, key, value

    # ------------------------------------------------------------------------------ values
    def text(self, key: str, default: Any = REQUIRED, *, allow_empty: bool = False) -> str:
        """Text in quotes, blanks around it removed; blank text only with ``allow_empty``."""
        if not self._given(key, default, f"add {key} = \"...\""):
            return default
        value = self.data[key]
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise self.invalid(key, f"{key} must be text in quotes, e.g. {key} = \"...\"")
        return value.strip()

    def number(self, key: str, default: Any = REQUIRED, *, unit: str = "") -> float:
        """A finite number (not true/false); ``unit`` (e.g. "percent, e.g. 10") is quoted in messages."""
        about = f" ({unit})" if unit else ""
        if not self._given(key, default, f"add {key} = ..., a number{about}"):
            return default
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.invalid(key, f"{key} must be a number{about}")
        return float(value)

    def integer(self, key: str, default: Any = REQUIRED, *, minimum: int | None = None) -> int:
        """A whole number (not true/false), at least ``minimum`` when given."""
        at_least = "" if minimum is None else f" of at least {minimum}"
        if not self._given(key, default, f"add {key} = ..., a whole number{at_least}"):
            return default
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
            raise self.invalid(key, f"give a whole number{at_least}, e.g. {key} = {max(minimum or 0, 1)}")
        return value

    def integers(self, key: str, default: Any = REQUIRED, *, example: str = "2006 or [1986, 1990]") -> tuple[int, ...]:
        """One whole number or a non-empty list of them."""
        if not self._given(key, default, f"add {key} = {example}"):
            return default
        value = self.data[key]
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            raise self.invalid(key, f"give whole numbers, e.g. {key} = {example}")
        return tuple(items)

    def names(self, key: str, default: Any = REQUIRED, *, example: str = "[\"USA\", \"CAN\"]") -> tuple[str, ...]:
        """A name or a non-empty list of names (non-blank text), blanks around each removed."""
        if not self._given(key, default, f"give a name or a list of names, e.g. {key} = {example}"):
            return default
        value = self.data[key]
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise self.invalid(key, f"give a name or a list of names, e.g. {key} = {example}")
        if not names:
            raise self.invalid(key, "the list is empty; name at least one, or delete the key")
        return tuple(n.strip() for n in names)

    def flag(self, key: str, default: Any = REQUIRED) -> bool:
        """true or false."""
        if not self._given(key, default, f"add {key} = true or {key} = false"):
            return default
        if not isinstance(self.data[key], bool):
            raise self.invalid(key, f"write {key} = true or {key} = false")
        return self.data[key]

    def choice(self, key: str, options: Sequence[str], default: Any = REQUIRED, *, fix: str = "") -> str:
        """One of ``options`` (exact spelling), suggesting the closest; ``fix`` replaces the list of options."""
        listed = ", ".join(map(repr, options))
        if not self._given(key, default, fix or f"add {key} = one of {listed}"):
            return default
        value = self.data[key]
        if isinstance(value, str) and value in options:
            return value
        hint = suggest(value, options) if isinstance(value, str) else ""
        if fix:
            raise self.invalid(key, f"{fix}.{hint}")
        raise self.error(f"{key} = {value!r} is not one of {listed}.{hint}")

