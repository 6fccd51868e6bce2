"""What a counterfactual changes: tariffs, iceberg trade costs, export taxes and net exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from tariffsim._lookup import refuse_unknown_fields
from tariffsim.errors import ScenarioError
from tariffsim.world import World

NetExportsRule = Literal["fixed", "zero"]


@dataclass(frozen=True, eq=False)
class Policy:
    """A counterfactual for one world. Every array is (N, N, S) over exporter i, importer j, sector s.

    Attributes:
        tariffs: counterfactual tariffs t'[i, j, s] (importer j on exporter i), fractions, zero on
            the diagonal.
        trade_cost_hat: iceberg trade-cost changes d_hat[i, j, s] = d'/d (1 = unchanged; 1.1 = a
            non-tariff barrier with an ad-valorem equivalent of 10 points more; an RTA effect
            estimated by PPML as exp(-beta / (sigma - 1))). None: no change.
        export_tax: ad-valorem export taxes x[i, j, s] of exporter i on sales to j (negative:
            subsidies), for models that have them. None: none.
        net_exports: ``"fixed"`` (default) keeps every country's net exports at their baseline level
            in units of world labour income (the numeraire), i.e. NX' = NX; ``"zero"`` imposes
            balanced trade NX' = 0 (as in the purge step); or an (N,) array of levels in data units
            that sums to zero.
        name: a label carried into results.

    A model that does not have an instrument the policy uses refuses it by name
    (``instruments_used``); tariffs equal to the world's and ``"fixed"`` net exports count as unused.
    """

    tariffs: np.ndarray
    net_exports: NetExportsRule | np.ndarray = "fixed"
    name: str = ""
    trade_cost_hat: np.ndarray | None = None
    export_tax: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("tariffs", "trade_cost_hat", "export_tax"):
            value = getattr(self, name)
            if value is None:
                continue
            array = np.array(value, dtype=np.float64, copy=True)
            array.setflags(write=False)
            object.__setattr__(self, name, array)
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

    def replace(self, **changes) -> Policy:
        """A copy with some fields changed (``tariffs=...``, ``trade_cost_hat=...``, ``name=...``)."""
        fields = {"tariffs": self.tariffs, "net_exports": self.net_exports, "name": self.name,
                  "trade_cost_hat": self.trade_cost_hat, "export_tax": self.export_tax}
        refuse_unknown_fields("Policy", changes, list(fields))
        return Policy(**{**fields, **changes})

    def instruments_used(self, world: World | None = None) -> tuple[str, ...]:
        """The instruments this policy moves: ``tariffs`` always (a tariff cube is always given; pass
        ``world`` to count it only when it differs from the world's), ``trade_cost_hat`` unless all
        ones, ``export_tax`` unless all zeros, ``net_exports`` unless ``"fixed"``."""
        used = []
        if world is None or not np.array_equal(self.tariffs, world.tariffs):
            used.append("tariffs")
        if self.trade_cost_hat is not None and np.any(self.trade_cost_hat != 1):
            used.append("trade_cost_hat")
        if self.export_tax is not None and np.any(self.export_tax != 0):
            used.append("export_tax")
        if not (isinstance(self.net_exports, str) and self.net_exports == "fixed"):
            used.append("net_exports")
        return tuple(used)

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
        """Raise ScenarioError unless every array fits the world and holds sensible values."""
        expected = (world.n_countries, world.n_countries, world.n_sectors)
        for name in ("tariffs", "trade_cost_hat", "export_tax"):
            value = getattr(self, name)
            if value is not None and value.shape != expected:
                raise ScenarioError(f"policy {name} have shape {value.shape}, the world needs {expected}")
        self._check_cells(world, self.tariffs, "tariff", lambda a: (a > -1) & np.isfinite(a),
                          "tariffs must be finite and above -100% (-1)")
        if self.export_tax is not None:
            self._check_cells(world, self.export_tax, "export tax", lambda a: (a > -1) & np.isfinite(a),
                              "export taxes must be finite and above -100% (-1)")
        if self.trade_cost_hat is not None:
            self._check_cells(world, self.trade_cost_hat, "trade-cost change", lambda a: (a > 0) & np.isfinite(a),
                              "trade-cost changes d'/d must be finite and positive (1 = unchanged)")
        idx = np.arange(world.n_countries)
        own = np.argwhere(self.tariffs[idx, idx, :] != 0)
        if own.size:
            i, s = own[0]
            raise ScenarioError(
                f"counterfactual own tariff of {world.countries[i]} on {world.sectors[s]} is not zero: "
                "countries do not tax their own goods"
            )

    @staticmethod
    def _check_cells(world: World, array: np.ndarray, what: str, valid, rule: str) -> None:
        bad = np.argwhere(~valid(array))
        if bad.size:
            i, j, s = bad[0]
            raise ScenarioError(
                f"counterfactual {what} of {world.countries[j]} on {world.sectors[s]} from {world.countries[i]} "
                f"is {array[i, j, s]!r}: {rule}"
            )

    def arrays(self, world: World):
        """The ``PolicyArrays`` pytree the models' kernels take, checked against ``world`` (once per
        world: the policy and the world are immutable). Instruments the policy does not move are None."""
        cached = self.__dict__.get("_arrays")
        if cached is not None and cached[0] is world:
            return cached[1]
        from tariffsim._jax import jnp
        from tariffsim.models.base import PolicyArrays

        self.check_against(world)
        used = self.instruments_used()
        arrays = PolicyArrays(
            jnp.asarray(self.tariffs),
            jnp.asarray(self.trade_cost_hat) if "trade_cost_hat" in used else None,
            jnp.asarray(self.export_tax) if "export_tax" in used else None,
            jnp.asarray(self.net_exports_level(world)))
        object.__setattr__(self, "_arrays", (world, arrays))
        return arrays
