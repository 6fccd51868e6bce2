"""The ``Scenario`` object, and reading it from a TOML file or a dict."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tariffsim.policy import NetExportsRule, Policy
from tariffsim.scenario._apply import apply_steps
from tariffsim.scenario._parse import parse_document
from tariffsim.scenario._steps import Agreement, Step, TariffChange
from tariffsim.toml_schema import read_toml
from tariffsim.world import World

DESCRIBE_COLUMNS = ("step", "description", "action", "source", "cells", "trade",
                    "mean_tariff_before", "mean_tariff_after")


@dataclass(frozen=True)
class Scenario:
    """A checked scenario: what to change in any world's baseline tariffs, by name.

    Attributes:
        title: short name, carried into results as the policy name.
        description: plain-language summary.
        changes: the ``[[change]]`` tables, in file order.
        agreements: the ``[[agreement]]`` tables, in file order.
        source: where the scenario comes from (optional).
        world: name of the data set the scenario was written for (e.g. ``"ossa2014"``), or None.
        net_exports: ``"fixed"`` or ``"zero"``, passed to the Policy.
        origin: the file it was read from, or ``"<dict>"``; used in messages.
    """

    title: str
    description: str
    changes: tuple[TariffChange, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    source: str = ""
    world: str | None = None
    net_exports: NetExportsRule = "fixed"
    origin: str = "<dict>"

    @property
    def steps(self) -> tuple[Step, ...]:
        """Agreements first (they cut baseline tariffs), then changes, each kind in file order."""
        return (*self.agreements, *self.changes)

    def apply(self, world: World) -> Policy:
        """The counterfactual Policy for ``world``: names resolved, steps applied, checks passed."""
        cube, costs, _ = apply_steps(world, self.steps, self.origin)
        policy = Policy(cube, self.net_exports, self.title, trade_cost_hat=costs if np.any(costs != 1) else None)
        policy.check_against(world)
        return policy

    def describe(self, world: World) -> pd.DataFrame:
        """One row per step, in the order applied, saying what it does on ``world``.

        Columns: ``step`` (e.g. ``change 2``), ``description``, ``action`` (in words), ``source``,
        ``cells`` (tariffs touched), ``trade`` (baseline flows on those cells, data units), and
        ``mean_tariff_before`` / ``mean_tariff_after`` (percent, weighted by baseline trade on the
        cells, just before and after this step; NaN where the cells carry no trade).
        """
        _, _, effects = apply_steps(world, self.steps, self.origin)
        rows = [
            (f"{e.step.kind} {e.step.number}", e.step.description, e.step.summary, e.step.source,
             int(e.cells.sum()), e.trade, 100 * e.mean_before, 100 * e.mean_after)
            for e in effects
        ]
        return pd.DataFrame(rows, columns=list(DESCRIBE_COLUMNS))


def scenario_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> Scenario:
    """A Scenario from a dict laid out like the TOML file; ``source`` names it in messages."""
    return Scenario(**parse_document(data, source))


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and check a scenario file (structure only: names are checked by ``Scenario.apply``)."""
    return scenario_from_dict(read_toml(path, "scenario"), str(path))
