"""Scenarios in the web app: from the form's fields or pasted TOML to a checked ``Scenario`` and back to TOML.

The form sends the top-level fields (``title``, ``description``, ``source``, ``net_exports``) and numbered
rows: ``change-K-importers``, ``-exporters``, ``-sectors``, ``-except_sectors``, ``-action``
(add_points, set_percent or scale), ``-value``, ``-description``, ``-source``; and ``agreement-K-members``,
``-sectors``, ``-except_sectors``, ``-cut``, ``-description``, ``-source``. Name lists are comma
separated. A row whose fields are all empty (its action aside) is left out. Values go to ``scenario_from_dict`` as typed
(a number field that holds no number stays text), so every problem is the library's own message, with
``form`` (or ``pasted TOML``) as the file name.

Limits (``MAX_TOML_CHARS``, ``MAX_STEPS``) keep one request from asking for an unbounded amount of work.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from tariffsim.errors import ScenarioError
from tariffsim.scenario import Scenario, scenario_from_dict
from tariffsim.toml_schema import parse_toml

FORM = "form"
PASTED = "pasted TOML"
MAX_TOML_CHARS = 64_000
"""Largest scenario text accepted (the examples are about 1 kB; the 2025 schedule about 20 kB)."""
MAX_STEPS = 400
"""Most [[change]] plus [[agreement]] tables in one scenario."""
ACTIONS = ("add_points", "set_percent", "scale")
CHANGE_FIELDS = ("description", "importers", "exporters", "sectors", "except_sectors", "action", "value", "source")
AGREEMENT_FIELDS = ("description", "members", "sectors", "except_sectors", "cut", "source")
LISTS = {"importers", "exporters", "sectors", "except_sectors", "members"}
TOP = ("title", "description", "source", "net_exports")
ROW_FIELD = re.compile(r"^(change|agreement)-(\d{1,3})-(\w+)$")


def form_document(form: Mapping[str, str]) -> dict[str, Any]:
    """The scenario dict (laid out like the TOML file) of the form's fields."""
    document: dict[str, Any] = {k: form[k].strip() for k in TOP if form.get(k, "").strip()}
    document.setdefault("title", "")
    document.setdefault("description", document["title"])
    rows: dict[tuple[str, int], dict[str, str]] = {}
    for key, value in form.items():
        match = ROW_FIELD.match(key)
        if match and str(value).strip():
            rows.setdefault((match[1], int(match[2])), {})[match[3]] = str(value).strip()
    rows = {key: fields for key, fields in rows.items() if set(fields) - {"action"}}  # a select is never empty
    if len(rows) > MAX_STEPS:
        raise ScenarioError(f"{FORM}: {len(rows)} changes and agreements; at most {MAX_STEPS} in one scenario; fix: "
                            "split the scenario")
    for (kind, _), fields in sorted(rows.items(), key=lambda item: (item[0][0] != "agreement", item[0][1])):
        document.setdefault(kind, []).append(_row(kind, fields))
    return document


def _row(kind: str, fields: dict[str, str]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name, value in fields.items():
        if name in LISTS:
            table[name] = "all" if value.lower() == "all" else [v.strip() for v in value.split(",") if v.strip()]
        elif name in ("value", "cut"):
            table["cut" if name == "cut" else fields.get("action", "add_points")] = _number(value)
        elif name != "action":
            table[name] = value
    table.setdefault("description", _described(kind, fields))
    return table


def _described(kind: str, fields: dict[str, str]) -> str:
    """A description for a row written without one: what it does, in the form's words."""
    if kind == "agreement":
        return f"agreement among {fields.get('members', '?')}"
    return (f"{fields.get('importers', 'all')} on {fields.get('exporters', 'all')}, {fields.get('sectors', 'all')}: "
            f"{fields.get('action', 'add_points')} {fields.get('value', '')}")


def _number(text: str) -> float | int | str:
    """The number in ``text``; the text itself when it is none (the library names the field and the fix)."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def from_form(form: Mapping[str, str]) -> tuple[Scenario, str]:
    """(the checked Scenario, its TOML text) of the form; ScenarioError naming ``form``, the step and the key."""
    document = form_document(form)
    return scenario_from_dict(document, FORM), to_toml(document)


def from_text(text: str, name: str = PASTED) -> tuple[Scenario, str]:
    """(the checked Scenario, the text) of pasted TOML; ScenarioError for text over MAX_TOML_CHARS or not a
    scenario, named ``name``."""
    if len(text) > MAX_TOML_CHARS:
        raise ScenarioError(f"{name}: {len(text):,} characters, more than the {MAX_TOML_CHARS:,} a scenario may "
                            "have here; fix: shorten it or solve it with `tariffsim solve --scenario FILE`")
    document = parse_toml(text.encode("utf-8"), name, "scenario")
    steps = sum(len(document.get(k, [])) for k in ("change", "agreement") if isinstance(document.get(k), list))
    if steps > MAX_STEPS:
        raise ScenarioError(f"{name}: {steps} changes and agreements; at most {MAX_STEPS} in one scenario; fix: "
                            "split the scenario")
    return scenario_from_dict(document, name), text


def to_toml(document: Mapping[str, Any]) -> str:
    """TOML text of a scenario dict: top-level keys, then one ``[[kind]]`` table per step."""
    lines = [f"{key} = {_value(value)}" for key, value in document.items() if not isinstance(value, list)]
    for kind in ("agreement", "change"):
        for table in document.get(kind, []):
            lines += ["", f"[[{kind}]]"] + [f"{key} = {_value(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    """A TOML value: JSON's string escapes and number syntax are TOML's too."""
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
