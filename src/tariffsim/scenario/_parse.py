"""Check a parsed scenario document (a dict from TOML) and build the frozen step objects.

Only the structure is checked here (keys, types, required values, placeholders, value ranges):
names of countries and sectors are checked against a world when the scenario is applied.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from tariffsim._lookup import suggest
from tariffsim.errors import ScenarioError
from tariffsim.scenario._select import ALL
from tariffsim.scenario._steps import ACTIONS, Agreement, TariffChange, step_label

PLACEHOLDERS = ("todo", "?")
NET_EXPORTS_RULES = ("fixed", "zero")
TOP_KEYS = ("title", "description", "source", "world", "net_exports", "change", "agreement")
CHANGE_KEYS = ("description", "source", "importers", "exporters", "except_importers", "except_exporters",
               "sectors", "except_sectors", *ACTIONS)
EXCEPTABLE = ("importers", "exporters", "sectors")
AGREEMENT_KEYS = ("description", "source", "members", "sectors", "except_sectors", "cut")
UNITS = {"add_points": "percentage points, e.g. 25", "set_percent": "a level in percent, e.g. 10",
         "scale": "a factor, e.g. 0.5", "cut": "the fraction of the tariff removed, e.g. 0.5"}


def parse_document(data: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """Keyword arguments for ``Scenario`` from a parsed document; ScenarioError on any problem."""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{origin}: a scenario is a table of keys, not {type(data).__name__}")
    _refuse_placeholders(data, origin)
    _check_keys(data, TOP_KEYS, origin)
    changes = tuple(_change(t, n, origin) for n, t in enumerate(_tables(data, "change", origin), 1))
    agreements = tuple(_agreement(t, n, origin) for n, t in enumerate(_tables(data, "agreement", origin), 1))
    if not changes and not agreements:
        raise ScenarioError(
            f"{origin}: the scenario changes nothing: add at least one [[change]] or [[agreement]] table"
        )
    net_exports = _text(data, "net_exports", origin, default="fixed")
    if net_exports not in NET_EXPORTS_RULES:
        raise ScenarioError(f"{origin}: net_exports = {net_exports!r}: write \"fixed\" (the default: "
                            "trade imbalances stay as in the data) or \"zero\" (balanced trade)")
    return {
        "title": _text(data, "title", origin),
        "description": _text(data, "description", origin),
        "source": _text(data, "source", origin, default=""),
        "world": _text(data, "world", origin, default="") or None,
        "net_exports": net_exports,
        "changes": changes,
        "agreements": agreements,
        "origin": origin,
    }


def _change(table: Mapping[str, Any], number: int, origin: str) -> TariffChange:
    where = f"{origin}, {step_label('change', number, _description_of(table))}"
    _check_keys(table, CHANGE_KEYS, where)
    actions = [key for key in ACTIONS if key in table]
    if len(actions) != 1:
        found = f"it has {' and '.join(actions)}" if actions else "it has none"
        raise ScenarioError(
            f"{where}: give exactly one of add_points (points added), set_percent (new level in percent) "
            f"or scale (factor); {found}. Split it into two [[change]] tables if you need both."
        )
    action = actions[0]
    value = _number(table, action, where)
    if action == "set_percent" and value <= -100:
        raise ScenarioError(f"{where}: set_percent = {value:g}: a tariff must be above -100%")
    if action == "scale" and value < 0:
        raise ScenarioError(f"{where}: scale = {value:g}: a scale factor must be 0 or more")
    importers, exporters = (_who(table, key, where) for key in ("importers", "exporters"))
    return TariffChange(
        number=number, description=_text(table, "description", where), action=action, value=value,
        importers=importers, exporters=exporters, sectors=_names(table, "sectors", where, ALL),
        except_importers=_names(table, "except_importers", where, ()),
        except_exporters=_names(table, "except_exporters", where, ()),
        except_sectors=_names(table, "except_sectors", where, ()),
        source=_text(table, "source", where, default=""),
    )


def _agreement(table: Mapping[str, Any], number: int, origin: str) -> Agreement:
    where = f"{origin}, {step_label('agreement', number, _description_of(table))}"
    _check_keys(table, AGREEMENT_KEYS, where)
    members = _names(table, "members", where, None)
    if members != ALL and len(set(m.lower() for m in members)) < 2:
        raise ScenarioError(f"{where}: members = {list(members)}: an agreement needs at least two countries")
    cut = _number(table, "cut", where, default=1.0)
    if not 0 < cut <= 1:
        raise ScenarioError(f"{where}: cut = {cut:g}: give the fraction of the tariff removed, above 0 and "
                            "at most 1 (1 = to zero, 0.5 = halve)")
    return Agreement(
        number=number, description=_text(table, "description", where), members=members,
        sectors=_names(table, "sectors", where, ALL), except_sectors=_names(table, "except_sectors", where, ()),
        cut=cut, source=_text(table, "source", where, default=""),
    )


# ------------------------------------------------------------------------------------- values
def _who(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    """importers / exporters: required, unless ``except_<key>`` is given (then they default to all)."""
    if key not in table and f"except_{key}" in table:
        return ALL
    return _names(table, key, where, None)


def _names(table: Mapping[str, Any], key: str, where: str, default: tuple[str, ...] | None) -> tuple[str, ...]:
    """A name or list of names, ``"all"`` alone meaning every one; missing -> default (None = required)."""
    if key not in table:
        if default is None:
            raise ScenarioError(f"{where}: {key} is missing: give a list of names, e.g. {key} = [\"JPN\"], "
                                f"or {key} = \"all\"")
        return default
    value = table[key]
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise ScenarioError(f"{where}: {key} = {value!r}: give a name or a list of names, "
                            f"e.g. {key} = [\"JPN\", \"CHN\"], or \"all\"")
    if not names:
        raise ScenarioError(f"{where}: {key} = []: the list is empty; name at least one, or delete the key")
    names = [n.strip() for n in names]
    if len(names) > 1 and "all" in (n.lower() for n in names):
        leave_out = f", with except_{key} to leave some out" if key in EXCEPTABLE else ""
        raise ScenarioError(f"{where}: {key} = {names}: \"all\" stands alone: write {key} = \"all\"{leave_out}, "
                            "or list the names")
    return tuple(names)


def _number(table: Mapping[str, Any], key: str, where: str, default: float | None = None) -> float:
    if key not in table and default is not None:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(f"{where}: {key} = {value!r}: {key} must be a number ({UNITS[key]})")
    return float(value)


def _text(table: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise ScenarioError(f"{where}: {key} is missing: add {key} = \"...\" in plain language")
        return default
    value = table[key]
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise ScenarioError(f"{where}: {key} = {value!r}: {key} must be text in quotes, e.g. {key} = \"...\"")
    return value.strip()


def _description_of(table: Any) -> str | None:
    text = table.get("description") if isinstance(table, Mapping) else None
    if not isinstance(text, str) or text.strip().lower() in (*PLACEHOLDERS, ""):
        return None
    return text.strip()


# -------------------------------------------------------------------------------- structure
def _tables(data: Mapping[str, Any], kind: str, origin: str) -> list[Mapping[str, Any]]:
    tables = data.get(kind, [])
    if not isinstance(tables, list) or not all(isinstance(t, Mapping) for t in tables):
        raise ScenarioError(f"{origin}: {kind} must be a list of tables: start each one with [[{kind}]] "
                            "(double brackets) on its own line")
    return tables


def _check_keys(table: Mapping[str, Any], valid: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in valid:
            raise ScenarioError(f"{where}: unknown key {key!r}.{suggest(key, valid)} "
                                f"Valid keys here: {', '.join(valid)}.")


def _refuse_placeholders(data: Mapping[str, Any], origin: str) -> None:
    open_ = [f"  {where}: {key} = {value!r}" for where, key, value in _placeholders(data)]
    if open_:
        raise ScenarioError(
            f"{origin}: {len(open_)} open placeholder(s) (\"TODO\" or \"?\"); replace each with a value "
            "before the scenario can be used:\n" + "\n".join(open_)
        )


def _placeholders(data: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(where, key, value) of every "TODO" / "?" string, at the top level and in every table."""
    places = [("top level", data)]
    for kind in ("change", "agreement"):
        tables = data.get(kind)
        if isinstance(tables, list):
            places += [(step_label(kind, n, _description_of(t)), t)
                       for n, t in enumerate(tables, 1) if isinstance(t, Mapping)]
    for where, table in places:
        for key, value in table.items():
            items = value if isinstance(value, list) else [value]
            if any(isinstance(v, str) and v.strip().lower() in PLACEHOLDERS for v in items):
                yield where, key, value
