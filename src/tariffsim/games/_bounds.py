"""Chosen tariffs on their upper bound, in every game result: there the player would go higher if it
could (a prohibitive or unbounded optimum), so the number is the bound's, not the model's. The command
line warns about them (``tariffsim.cli._games.warn_at_upper_bound``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


def upper_bound_labels(labels: Iterable[Sequence[str]], chosen: Iterable[float], upper: float) -> tuple[str, ...]:
    """``"player partner sector"`` of each chosen tariff on the upper bound (within 1e-9 of it, relative):
    there the player would go higher if it could, so the number is the bound's, not the model's.
    ``labels``: one (player, partner or "*", sector or "*") per chosen tariff, in the order of ``chosen``."""
    floor = upper - 1e-9 * max(1.0, abs(upper))
    return tuple(" ".join(label) for label, x in zip(labels, chosen, strict=True) if x >= floor)


def by_player(labels: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """``{player: ("partner sector", ...)}`` of ``"player partner sector"`` labels, players in order."""
    cells: dict[str, list[str]] = {}
    for label in labels:
        player, _, cell = label.partition(" ")
        cells.setdefault(player, []).append(cell)
    return {player: tuple(found) for player, found in cells.items()}


class OnUpperBound:
    """For game results with ``at_upper_bound`` (``"player partner sector"`` labels) and ``upper``: the
    labels by player, what the command line's upper-bound warning names."""

    @property
    def upper_bound_cells(self) -> dict[str, tuple[str, ...]]:
        """``{player: ("partner sector", ...)}`` of the chosen tariffs on the upper bound."""
        return by_player(self.at_upper_bound)


def fixed_imbalances(world, net_exports: str) -> bool:
    """Whether counterfactuals on ``world`` hold net exports fixed at non-zero levels (more than 1e-9 of
    world spending in some country; a purged world has about 1e-17): what most often pushes optimal and
    Nash tariffs to the upper bound, and the stacked Newton off the first-order conditions."""
    total = float(np.sum(world.expenditure))
    return net_exports == "fixed" and bool(np.max(np.abs(world.net_exports)) > 1e-9 * total)
