"""The one solved-equilibrium type, for every model, and the economics derived from it.

``tariffsim.solve.solve`` returns an ``Equilibrium``: the model object, its calibration, the policy,
the model's outcome arrays at the solution and the solver's facts (every equation's residual). The
model declares its result variables (``model.variables``, see ``tariffsim.models.base.Variable``);
``tariffsim.results`` builds the long table, JSON, CSV and Parquet from that declaration.

All hats are counterfactual / baseline ratios; levels are in the world's data units at world
(pre-tariff) prices. Formulas cite MODEL_OSSA2014.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from tariffsim import welfare as _welfare
from tariffsim.policy import Policy
from tariffsim.world import World


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """Counterfactual equilibrium of ``calibration.world`` under ``policy``, verified by its residuals.

    Attributes:
        model: the model object that solved it (``model.name``, ``model.variables``).
        calibration: the model's calibration (baseline).
        policy: the counterfactual.
        outcome: the model's outcome at the solution (a NamedTuple of numpy arrays with at least
            ``trade`` (N,N,S) X' at world prices, ``w_hat`` (N,), ``E_hat`` (N,) and
            ``price_index_sector_hat`` (N,S)); its fields are attributes of the equilibrium
            (``eq.w_hat``, ``eq.trade``; ``eq.cost_hat`` for a model whose outcome has ``cost_hat``).
        unknowns: (n,) the solution of the square system, labelled by ``unknown_labels``
            (``solution()`` gives them as a labelled Series).
        residuals: (m,) relative residuals of every equation at the solution, labelled by
            ``equations``; ``max_residual`` is their largest absolute value (``residual_frame()``).
        method: the solver that found the solution; steps: its Newton steps (or evaluations).
    """

    model: Any
    calibration: Any
    policy: Policy
    outcome: Any
    unknowns: np.ndarray
    residuals: np.ndarray
    equations: tuple[str, ...]
    method: str
    steps: int
    unknown_labels: tuple[str, ...] = ()

    def __getattr__(self, name: str):
        outcome = self.__dict__.get("outcome")
        if outcome is not None and name in getattr(outcome, "_fields", ()):
            return getattr(outcome, name)
        raise AttributeError(f"{type(self).__name__} of the {getattr(self.__dict__.get('model'), 'name', '?')} "
                             f"model has no attribute {name!r}")

    @property
    def world(self) -> World:
        return self.calibration.world

    @property
    def max_residual(self) -> float:
        return float(np.max(np.abs(self.residuals)))

    def solution(self):
        """The unknowns at the solution as a Series indexed by their labels (``log w_hat JPN``, ...)."""
        import pandas as pd

        return pd.Series(self.unknowns, index=pd.Index(self.unknown_labels or range(self.unknowns.size),
                                                       name="unknown"))

    def residual_frame(self):
        """Every equation's relative residual at the solution, largest first (equation, residual)."""
        import pandas as pd

        frame = pd.DataFrame({"equation": self.equations, "residual": self.residuals})
        return frame.reindex(frame["residual"].abs().sort_values(ascending=False).index).reset_index(drop=True)

    @cached_property
    def net_exports(self) -> np.ndarray:
        """(N,) counterfactual net exports NX' imposed, data units."""
        return self.policy.net_exports_level(self.world)

    # ------------------------------------------------------------------ prices and welfare (§3.5)
    @cached_property
    def profit_share(self) -> np.ndarray:
        """(S,) share of sales that is operating profit (the model's)."""
        return self.model.profit_share(self)

    @cached_property
    def sector_weights(self) -> np.ndarray:
        """(N, S) weights of each country's consumer price index (the model's)."""
        return self.model.sector_weights(self)

    @cached_property
    def price_index_hat(self) -> np.ndarray:
        """(N,) aggregate price index change, prod_s P_js^weight_js."""
        return np.asarray(_welfare.price_index_hat(self.sector_weights, self.price_index_sector_hat))

    @cached_property
    def welfare_hat(self) -> np.ndarray:
        """(N,) real expenditure change E_hat / P_hat (real income when net exports are zero)."""
        return self.E_hat / self.price_index_hat

    @cached_property
    def real_wage_hat(self) -> np.ndarray:
        """(N,) w_hat / P_hat."""
        return self.w_hat / self.price_index_hat

    @cached_property
    def relative_wage_hat(self) -> np.ndarray:
        """(N,) wage change relative to the world average: w_hat - mean(w_hat) + 1 (MODEL §5.1)."""
        return self.w_hat - self.w_hat.mean() + 1

    # ------------------------------------------------------------------------------- flows
    @cached_property
    def sales(self) -> np.ndarray:
        """(N, S) counterfactual sales R' of each exporter and sector (output at world prices)."""
        return self.trade.sum(axis=1)

    @cached_property
    def tariff_revenue(self) -> np.ndarray:
        """(N,) counterfactual tariff revenue T'_j = sum t' X', data units."""
        return np.einsum("ijs,ijs->j", self.policy.tariffs, self.trade)

    @cached_property
    def foreign_trade(self) -> np.ndarray:
        """(N, N, S) counterfactual flows with the domestic cells X'[i, i, s] set to exactly 0."""
        return foreign(self.trade)

    @cached_property
    def exports(self) -> np.ndarray:
        """(N,) counterfactual exports (cross-border cells only; exactly 0 without foreign sales), world prices."""
        return self.foreign_trade.sum(axis=(1, 2))

    @cached_property
    def imports(self) -> np.ndarray:
        """(N,) counterfactual imports at world prices (cross-border cells only; exactly 0 without any)."""
        return self.foreign_trade.sum(axis=(0, 2))

    @cached_property
    def sector_exports(self) -> np.ndarray:
        """(N, S) counterfactual exports by exporter and sector (cross-border cells only)."""
        return self.foreign_trade.sum(axis=1)

    @cached_property
    def sector_imports(self) -> np.ndarray:
        """(N, S) counterfactual imports by importer and sector (cross-border cells only)."""
        return self.foreign_trade.sum(axis=0)

    @cached_property
    def profits_per_wage_hat(self) -> np.ndarray:
        """(N,) aggregate profits deflated by the own wage (MODEL §5.1); NaN without profits."""
        base = (self.profit_share * self.world.trade.sum(axis=1)).sum(axis=1)
        new = (self.profit_share * self.sales).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(base > 0, new / np.where(base > 0, base, 1) / self.w_hat, np.nan)

    @cached_property
    def decomposition_pct(self) -> dict[str, np.ndarray]:
        """(N,) the model's first-order parts of the welfare change, percent (``model.decomposition``)."""
        return self.model.decomposition(self)

    # ------------------------------------------------------------- government welfare (§3.6)
    def government_welfare_hat(self, weights: np.ndarray | None = None) -> np.ndarray:
        """(N,) G_hat, the games' objective, as the model defines it (``model.government_welfare_hat``):
        weighted industry income (industry sales income + wage-bill share of tariff revenue) over P_hat,
        or the model's own welfare (ilms: the paper's Ŵ).

        Args:
            weights: (N, S) political-economy weights lambda >= 0 (None: all ones, so G_hat = W_hat
                when trade is balanced). Only relative weights within a country matter.
        """
        weights = np.ones(self.sales.shape) if weights is None else np.asarray(weights, dtype=float)
        return self.model.government_welfare_hat(self, weights)

    # ------------------------------------------------------------------------- presentation
    def to_frame(self):
        """The canonical long table: level, country, partner, sector, variable, value, unit."""
        from tariffsim.results import equilibrium_frame

        return equilibrium_frame(self)

    def country_table(self):
        """One row per country, one column per percent-change variable the model declares."""
        from tariffsim.results import country_table

        return country_table(self)

    def summary(self) -> str:
        """A plain-text table of the headline results."""
        from tariffsim.results import summary_text

        return summary_text(self)


def _diagonal(cube: np.ndarray) -> np.ndarray:
    """(N, S) the domestic entries cube[i, i, s]."""
    idx = np.arange(cube.shape[0])
    return cube[idx, idx, :]


def foreign(cube: np.ndarray) -> np.ndarray:
    """A copy of ``cube`` (N, N, S) with the domestic cells [i, i, s] set to 0: summing it gives exports
    and imports from the cross-border cells alone, so a country without foreign trade has exactly 0
    (total minus domestic would leave a rounding residue such as -4.7e-10, printed as -100%)."""
    out = np.array(cube, dtype=float, copy=True)
    idx = np.arange(out.shape[0])
    out[idx, idx, :] = 0.0
    return out
