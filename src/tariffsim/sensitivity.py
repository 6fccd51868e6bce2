"""How much an answer depends on the trade elasticity: one scenario solved under every elasticity set.

``solve_under_sets`` calibrates the model to the world with each set's sigma (purging imbalances under
that set first when asked: the purged flows depend on sigma), applies the same scenario and solves;
each solve is verified as always. The sets are independent, so they run through any ``map_`` of
``tariffsim.parallel.executor`` (serially, or on dask). ``range_table`` summarises a variable per country:
the lowest, median and highest value over the sets and the set giving each extreme (``range_summary``
does it for any table of countries x sets; ``games.war_sensitivity`` uses it for tariff wars).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from tariffsim.results import equilibrium_frame, to_json_dict
from tariffsim.world import World


@dataclass(frozen=True)
class SetResult:
    """One elasticity set's solution: its long table, its JSON document and its largest residual."""

    elasticity: str
    frame: pd.DataFrame
    document: dict
    max_residual: float


def solve_under_sets(model, world: World, scenario, *, purge: bool = False, sets: Sequence[str] | None = None,
                     meta: dict | None = None, map_: Callable = map) -> list[SetResult]:
    """The scenario solved under each elasticity set of ``world`` (default: all of ``world.elasticities``).

    Args:
        model: a model object (``tariffsim.models``); the same for every set.
        scenario: a ``tariffsim.scenario.Scenario`` (its ``apply(world)`` gives the policy).
        purge: purge trade imbalances under each set before calibrating.
        meta: the ``scenario`` block of each JSON document.
        map_: ``map``-like callable running the independent solves (``parallel.executor``).
    Returns one ``SetResult`` per set, in the order of ``sets``.
    """
    chosen = list(world.elasticities) if sets is None else list(sets)
    return list(map_(lambda name: _solve_one(model, world.with_elasticity(name), scenario, purge, meta), chosen))


def _solve_one(model, world: World, scenario, purge: bool, meta: dict | None) -> SetResult:
    from tariffsim.purge import purge as purge_world

    baseline = purge_world(world, model) if purge else world
    equilibrium = model.solve(model.calibrate(baseline), scenario.apply(baseline))
    frame = equilibrium_frame(equilibrium)
    return SetResult(world.elasticity, frame, to_json_dict(equilibrium, meta), equilibrium.max_residual)


def range_table(results: Sequence[SetResult], variable: str = "welfare") -> pd.DataFrame:
    """Countries in rows: the variable under each set, its median, lowest and highest value over the sets,
    and the sets giving the extremes (NaN values, undefined changes, are left out of the summary)."""
    by_set = pd.DataFrame({
        r.elasticity: r.frame[(r.frame.level == "country") & (r.frame.variable == variable)].set_index("country")["value"]
        for r in results
    })
    return pd.concat([range_summary(by_set), by_set], axis=1).rename_axis("country")


def range_summary(by_set: pd.DataFrame) -> pd.DataFrame:
    """One value per row (country) and column (elasticity set) -> per row its ``median``, ``lowest`` and
    ``highest`` value over the sets and the sets giving them (``lowest under``, ``highest under``). NaN
    values (undefined changes) are left out; a row with none gets NaN and ``n/a``."""
    defined = by_set.notna().any(axis=1)
    filled = by_set[defined]
    summary = pd.DataFrame({"median": filled.median(axis=1), "lowest": filled.min(axis=1),
                            "highest": filled.max(axis=1), "lowest under": filled.idxmin(axis=1),
                            "highest under": filled.idxmax(axis=1)}, index=by_set.index)
    summary[["lowest under", "highest under"]] = summary[["lowest under", "highest under"]].fillna("n/a")
    return summary
