"""What a result assumed: the data set, its year, the elasticity set and the treatment of trade deficits.

The same scenario gives Japan -0.15% on purged ossa2014 and -0.33% with fixed deficits: every table
caption, JSON document and report says which it is. The deficit treatment is read from the arrays, not
from a flag: a baseline whose net exports are all (numerically) zero is balanced, whether it was purged
or came that way; the counterfactual's rule is the policy's ``net_exports``.
"""

from __future__ import annotations

import numpy as np

from tariffsim.io.ossa import SIGMA_VERSION_SOURCES
from tariffsim.io.tariffwar import ELASTICITY_SOURCES
from tariffsim.world import World

BALANCED = 1e-9
"""A baseline is balanced when every |net exports| is below this share of world expenditure."""


def balanced(world: World) -> bool:
    """Whether the baseline's trade is balanced (every country's net exports ~ 0)."""
    return bool(np.max(np.abs(world.net_exports)) <= BALANCED * float(world.expenditure.sum()))


def elasticity_source(name: str) -> str | None:
    """Where the elasticity set ``name`` comes from (tariffwar cube sets, Ossa's sigma versions)."""
    return ELASTICITY_SOURCES.get(name) or SIGMA_VERSION_SOURCES.get(name)


def elasticity_text(world: World) -> str:
    """The elasticity set of ``world.sigma``, with its source where known."""
    if not world.elasticity:
        return "the data set's own"
    source = elasticity_source(world.elasticity)
    return f"{world.elasticity}, {source}" if source else world.elasticity


def title_text(world: World) -> str:
    """What a table title adds after the data set's label: the year (where the label does not give it) and
    the elasticity set, e.g. ", elasticities U4" or ", year 2014, elasticities CP"."""
    year = f", year {world.year}" if world.year and str(world.year) not in (world.label or "") else ""
    return f"{year}, {f'elasticities {world.elasticity}' if world.elasticity else 'its own elasticities'}"


def deficit_text(world: World, net_exports: str) -> str:
    """How trade deficits are treated: in the baseline and under the counterfactual's rule."""
    if balanced(world):
        return "balanced trade (no deficits in the baseline)"
    if net_exports == "zero":
        return "deficits of the data closed in the counterfactual (net exports set to zero)"
    return "deficits fixed at the data's levels (net exports held constant)"


def assumptions(world: World, net_exports: str) -> dict[str, object]:
    """The assumptions as JSON values: ``data``, ``year``, ``elasticity`` (set and source), ``deficits``."""
    return {"data": world.label, "year": world.year, "elasticity_set": world.elasticity or None,
            "elasticity": elasticity_text(world), "deficits": deficit_text(world, net_exports),
            "net_exports": net_exports, "balanced_baseline": balanced(world)}


def assumptions_line(world: World, net_exports: str) -> str:
    """One line for a caption: "Data: ...; year 2022; elasticities: U4, ...; deficits fixed at ..."."""
    return assumptions_text(assumptions(world, net_exports))


def assumptions_text(facts: dict) -> str:
    """The caption line of an ``assumptions`` dict (as a JSON document carries it)."""
    year = f"; year {facts['year']}" if facts.get("year") else ""
    return f"Data: {facts['data']}{year}; elasticities: {facts['elasticity']}; {facts['deficits']}."
