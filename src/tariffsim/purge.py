"""Purge trade imbalances (the Dekle-Eaton-Kortum step, MODEL_OSSA2014.md §4.1).

Solve the model at the world's own tariffs with every country's net exports set to zero, and take the
counterfactual flows as the new baseline. The result is a world with balanced trade in which
counterfactuals with ``net_exports="zero"`` or ``"fixed"`` coincide.
"""

from __future__ import annotations

from tariffsim.equilibrium import Equilibrium
from tariffsim.models import Krugman, MultiSectorModel
from tariffsim.policy import Policy
from tariffsim.world import World


def purge_equilibrium(world: World, model: MultiSectorModel | None = None) -> Equilibrium:
    """The equilibrium at factual tariffs with zero net exports (default model: krugman)."""
    model = model or Krugman()
    return model.solve(model.calibrate(world), Policy(world.tariffs, "zero", name="purge trade imbalances"))


def purge(world: World, model: MultiSectorModel | None = None) -> World:
    """The world with trade imbalances purged: same tariffs, flows X' of ``purge_equilibrium``."""
    purged = purge_equilibrium(world, model)
    label = f"{world.label} (trade imbalances purged)" if world.label else "trade imbalances purged"
    return world.replace(trade=purged.trade, label=label)
