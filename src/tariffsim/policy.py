"""What a counterfactual changes: the new tariff cube and what happens to net exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from tariffsim.errors import ScenarioError
from tariffsim.world import World

NetExportsRule = Literal["fixed", "zero"]


@dataclass(frozen=True, eq=False)
class Policy:
    """A counterfactual for one world.

    Attributes:
        tariffs: (N, N, S) counterfactual tariffs t'[i, j, s] (importer j on exporter i), fractions,
            zero on the diagonal.
        net_exports: ``"fixed"`` (default) keeps every country's net exports at their baseline level
            in units of world labour income (the numeraire), i.e. NX' = NX; ``"zero"`` imposes
            balanced trade NX' = 0 (as in the purge step); or an (N,) array of levels in data units
            that sums to zero.
        name: a label carried into results.
    """

    tariffs: np.ndarray
    net_exports: NetExportsRule | np.ndarray = "fixed"
    name: str = ""

    def __post_init__(self) -> None:
        tariffs = np.array(self.tariffs, dtype=np.float64, copy=True)
        tariffs.setflags(write=False)
        object.__setattr__(self, "tariffs", tariffs)
        if isinstance(self.net_exports, str):
            if self.net_exports not in ("fixed", "zero"):
                raise ScenarioError(
                    f"net_exports must be 'fixed', 'zero' or an array of levels, not {self.net_exports!r}"
                )
        else:
            nx = np.array(self.net_exports, dtype=np.float64, copy=True)
            nx.setflags(write=False)
            object.__setattr__(self, "net_exports", nx)

    @classmethod
    def baseline(cls, world: World, net_exports: NetExportsRule | np.ndarray = "fixed", name: str = "baseline") -> Policy:
        """The world's own tariffs: a zero shock (with ``net_exports="fixed"``)."""
        return cls(world.tariffs, net_exports, name)

    def net_exports_level(self, world: World) -> np.ndarray:
        """(N,) counterfactual net exports NX' in data units, checked against the world."""
        if isinstance(self.net_exports, str):
            return world.net_exports.copy() if self.net_exports == "fixed" else np.zeros(world.n_countries)
        nx = self.net_exports
        if nx.shape != (world.n_countries,):
            raise ScenarioError(
                f"counterfactual net exports have shape {nx.shape}; give one value per country "
                f"({world.n_countries}) in the order {', '.join(world.countries)}"
            )
        scale = float(np.abs(world.expenditure).sum())
        if abs(nx.sum()) > 1e-9 * scale:
            raise ScenarioError(
                f"counterfactual net exports sum to {nx.sum():.6g}, not 0: world exports must equal world "
                "imports. Subtract the mean, or use net_exports='zero'."
            )
        return nx.copy()

    def check_against(self, world: World) -> None:
        """Raise ScenarioError unless the tariff cube fits the world."""
        expected = (world.n_countries, world.n_countries, world.n_sectors)
        if self.tariffs.shape != expected:
            raise ScenarioError(f"policy tariffs have shape {self.tariffs.shape}, the world needs {expected}")
        bad = np.argwhere(~(self.tariffs > -1) | ~np.isfinite(self.tariffs))
        if bad.size:
            i, j, s = bad[0]
            raise ScenarioError(
                f"counterfactual tariff of {world.countries[j]} on {world.sectors[s]} from {world.countries[i]} "
                f"is {self.tariffs[i, j, s]!r}: tariffs must be finite and above -100% (-1)"
            )
        idx = np.arange(world.n_countries)
        own = np.argwhere(self.tariffs[idx, idx, :] != 0)
        if own.size:
            i, s = own[0]
            raise ScenarioError(
                f"counterfactual own tariff of {world.countries[i]} on {world.sectors[s]} is not zero: "
                "countries do not tax their own goods"
            )
