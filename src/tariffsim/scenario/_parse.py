"""Check a parsed scenario document (a dict from TOML) and build the frozen step objects.

Only the structure is checked here (keys, types, required values, placeholders, value ranges), with
the shared rules and wording of ``tariffsim.toml_schema``: names of countries and sectors are checked
against a world when the scenario is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tariffsim import datasets
from tariffsim.errors import ScenarioError
from tariffsim.scenario._select import ALL
from tariffsim.scenario._steps import ACTIONS, Agreement, TariffChange
from tariffsim.toml_schema import Table

NET_EXPORTS_RULES = ("fixed", "zero")
TOP_KEYS = ("title", "description", "source", "world", "net_exports", "change", "agreement")
CHANGE_KEYS = ("description", "source", "importers", "exporters", "except_importers", "except_exporters",
               "sectors", "except_sectors", *ACTIONS)
EXCEPTABLE = ("importers", "exporters", "sectors")
AGREEMENT_KEYS = ("description", "source", "members", "sectors", "except_sectors", "cut")
UNITS = {"add_points": "percentage points, e.g. 25", "set_percent": "a level in percent, e.g. 10",
         "scale": "a factor, e.g. 0.5",
         "trade_cost_points": "ad-valorem points of iceberg trade cost added, e.g. 10", "cut": "the fraction of the tariff removed, e.g. 0.5"}
NAMES_EXAMPLE = "[\"JPN\", \"CHN\"], or \"all\""


def parse_document(data: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """Keyword arguments for ``Scenario`` from a parsed document; ScenarioError on any problem."""
    document = Table.document(data, origin, "scenario")
    document.refuse_placeholders("scenario", order=TOP_KEYS)
    document.only(TOP_KEYS)
    changes = tuple(_change(t, n) for n, t in enumerate(document.tables("change", CHANGE_KEYS), 1))
    agreements = tuple(_agreement(t, n) for n, t in enumerate(document.tables("agreement", AGREEMENT_KEYS), 1))
    if not changes and not agreements:
        raise document.error("the scenario changes nothing: add at least one [[change]] or [[agreement]] table")
    net_exports = document.choice("net_exports", NET_EXPORTS_RULES, "fixed", fix=(
        "write \"fixed\" (the default: trade imbalances stay as in the data) or \"zero\" (balanced trade)"))
    return {
        "title": document.text("title"),
        "description": document.text("description"),
        "source": document.text("source", "", allow_empty=True),
        "world": world_name(document),
        "net_exports": net_exports,
        "changes": changes,
        "agreements": agreements,
        "origin": origin,
    }


def world_name(document: Table) -> str | None:
    """The data set a scenario (or pack) is written for: a name under $TARIFFSIM_DATA, never a path."""
    name = document.text("world", "", allow_empty=True) or None
    problem = None if name is None else datasets.name_problem(name)
    if problem:
        raise document.invalid("world", f"{problem}. world names a data set, e.g. world = \"ossa2014\" (a folder "
                                        f"under ${datasets.ENV_VAR}); to use a folder elsewhere, give it with --data")
    return name


def _change(table: Table, number: int) -> TariffChange:
    actions = [key for key in ACTIONS if key in table]
    if len(actions) != 1:
        found = f"it has {' and '.join(actions)}" if actions else "it has none"
        raise table.error(
            f"give exactly one of add_points (points added), set_percent (new level in percent), "
            f"scale (factor) or trade_cost_points (trade-cost points added); {found}. Split it into two "
            "[[change]] tables if you need both."
        )
    action = actions[0]
    value = table.number(action, unit=UNITS[action])
    if action == "set_percent" and value <= -100:
        raise table.invalid(action, "a tariff must be above -100%")
    if action == "scale" and value < 0:
        raise table.invalid(action, "a scale factor must be 0 or more")
    if action == "trade_cost_points" and value <= -100:
        raise table.invalid(action, "trade costs cannot fall by 100 points or more (goods would arrive for free)")
    importers, exporters = (_who(table, key) for key in ("importers", "exporters"))
    return TariffChange(
        number=number, description=table.text("description"), action=action, value=value,
        importers=importers, exporters=exporters, sectors=_names(table, "sectors", ALL),
        except_importers=_names(table, "except_importers", ()),
        except_exporters=_names(table, "except_exporters", ()),
        except_sectors=_names(table, "except_sectors", ()),
        source=table.text("source", "", allow_empty=True),
    )


def _agreement(table: Table, number: int) -> Agreement:
    members = _names(table, "members")
    if members != ALL and len(set(m.lower() for m in members)) < 2:
        raise table.error(f"members = {list(members)}: an agreement needs at least two countries")
    cut = table.number("cut", 1.0, unit=UNITS["cut"])
    if not 0 < cut <= 1:
        raise table.invalid("cut", "give the fraction of the tariff removed, above 0 and at most 1 "
                                   "(1 = to zero, 0.5 = halve)")
    return Agreement(
        number=number, description=table.text("description"), members=members,
        sectors=_names(table, "sectors", ALL), except_sectors=_names(table, "except_sectors", ()),
        cut=cut, source=table.text("source", "", allow_empty=True),
    )


def _who(table: Table, key: str) -> tuple[str, ...]:
    """importers / exporters: required, unless ``except_<key>`` is given (then they default to all)."""
    if key not in table and f"except_{key}" in table:
        return ALL
    return _names(table, key)


def _names(table: Table, key: str, *default: tuple[str, ...]) -> tuple[str, ...]:
    """A name or list of names, ``"all"`` alone meaning every one; missing -> the default (none: required)."""
    names = table.names(key, *default, example=NAMES_EXAMPLE)
    if len(names) > 1 and "all" in (n.lower() for n in names):
        leave_out = f", with except_{key} to leave some out" if key in EXCEPTABLE else ""
        raise ScenarioError(f"{table.where}: {key} = {list(names)}: \"all\" stands alone: write {key} = \"all\""
                            f"{leave_out}, or list the names")
    return names
