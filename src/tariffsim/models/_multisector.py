"""The multi-sector model in changes, shared by ``krugman`` and ``armington`` (MODEL_OSSA2014 §2-§3).

Both declare one ``Kernel`` (``_equations``: residuals, analytic Jacobian, every equation, welfare
parts for the games); they differ only in the profit share of sales.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from tariffsim.models import _equations as eq
from tariffsim.models.base import Calibration, Equations, Kernel, TradeModel, labels
from tariffsim.policy import Policy
from tariffsim.world import World

KERNEL = Kernel(residuals=eq.residuals, jacobian=eq.jacobian, full_residuals=eq.full_residuals,
                outcome=eq.outcome, welfare_parts=eq.welfare_parts, gradients="reverse")


@dataclass(frozen=True)
class MultiSectorModel(TradeModel):
    """Multi-sector trade model in exact hat algebra; subclasses fix how sales split into profits.

    ``calibrate(world)`` then ``solve(calibration, policy)``; every solution is verified against all
    2N+1 equations and a solution whose largest relative residual exceeds ``solver.tol`` raises
    ``ConvergenceError``. Instruments: tariffs, iceberg trade-cost changes, net exports.
    """

    instruments: ClassVar[frozenset[str]] = frozenset({"tariffs", "trade_cost_hat", "net_exports"})
    welfare_parts_title: ClassVar[str] = ("Welfare change and its first-order parts (% of expenditure; parts need not "
                                          "add up for large shocks)")

    def sector_profit_share(self, sigma: np.ndarray) -> np.ndarray:
        """(S,) share of sales that is operating profit."""
        raise NotImplementedError

    def kernel(self) -> Kernel:
        return KERNEL

    def calibrate(self, world: World) -> Calibration:
        share = self.sector_profit_share(world.sigma)
        return Calibration(self, world, eq.baseline_arrays(world.trade, world.tariffs, world.sigma, share), world)

    def equations(self, calibration: Calibration, policy: Policy) -> Equations:
        world = calibration.world
        names = tuple(world.countries)
        return Equations(
            kernel=self.kernel(), params=calibration.params, policy=policy.arrays(world),
            start=np.zeros(2 * world.n_countries),
            unknowns=labels("log w_hat {}", names) + labels("log E_hat {}", names),
            equations=labels("labour market of {}", names) + labels("budget of {}", names) + ("numeraire",),
        )

    def profit_share(self, equilibrium) -> np.ndarray:
        return np.asarray(equilibrium.calibration.params.profit_share)

    def decomposition(self, equilibrium) -> dict[str, np.ndarray]:
        """(N,) terms-of-trade, profit-shifting and trade-volume effects, percent of expenditure (§3.7).

        A differential decomposition at baseline tariffs; for large shocks its parts do not sum to
        the welfare change.
        """
        world = equilibrium.world
        X, t = world.trade, world.tariffs
        E = world.expenditure
        dw = equilibrium.w_hat - 1
        sales = X.sum(axis=1)
        d_profit = np.where(sales > 0, equilibrium.sales / np.where(sales > 0, sales, 1), 1) - 1
        profits = equilibrium.profit_share * sales
        imports = X.sum(axis=2)  # (N_exporter, N_importer)
        tot = (imports * (dw[None, :] - dw[:, None])).sum(axis=0) / E
        prof = (profits * (d_profit - dw[:, None])).sum(axis=1) / E
        trd = np.einsum("ijs,ijs->j", t, (equilibrium.trade - X) - X * dw[:, None, None]) / E
        return {"terms_of_trade": 100 * tot, "profit_shifting": 100 * prof, "trade_volume": 100 * trd}


DECOMPOSITION_PARTS = (
    ("terms_of_trade", "terms of trade", "first-order terms-of-trade effect"),
    ("profit_shifting", "profit shifting", "first-order profit-shifting effect"),
    ("trade_volume", "trade volume", "first-order trade-volume effect"),
)
