"""Multi-sector Ricardian model with input-output links (Caliendo and Parro 2015, RES 82(1)).

Sectoral productivities are Frechet-distributed with dispersion theta_s (the trade elasticity),
production uses labour and every sector's composite good (input-output links), tariff revenue is
rebated to consumers and trade deficits are held fixed in units of world value added (the numeraire).
Equations in ``_cp_equations`` (CP eqs. 10-14); welfare = real income with final-demand weights; the
paper's terms-of-trade / volume-of-trade decomposition is declared as result variables.

Usage::

    model = CaliendoParro()
    calibration = model.calibrate(io_world)          # the model's baseline at the data's deficits
    equilibrium = model.solve(calibration, policy)   # any Policy on io_world.world
    balanced = model.calibrate(model.balance(io_world))   # CP's variant: aggregate deficits removed first

Data are rarely an exact equilibrium of the model (cp2015's final-demand shares come from another
step of CP's calibration than its flows), so ``calibrate`` first solves the model at the data's own
tariffs and deficits and takes that equilibrium as the baseline (``CaliendoParro.baseline``); its size
is kept in ``calibration.facts["reconciliation"]``. Counterfactuals are measured against it, so a zero
shock is exactly the identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from tariffsim.errors import DataValidationError, OptionError
from tariffsim.models import _cp_equations as eq
from tariffsim.models._variables import tariffs_only, trade_variables
from tariffsim.models.base import Calibration, Equations, Kernel, TradeModel, Variable, labels
from tariffsim.policy import Policy
from tariffsim.solve import solve
from tariffsim.world_io import IOWorld

KERNEL = Kernel(residuals=eq.residuals, jacobian=eq.jacobian, full_residuals=eq.full_residuals,
                outcome=eq.outcome, welfare_parts=eq.welfare_parts, gradients="forward")


def baseline_arrays(io_world: IOWorld) -> eq.Baseline:
    """The equations' baseline arrays of an IOWorld (CP §2 coefficients)."""
    world = io_world.world
    return eq.baseline_arrays(world.trade, world.tariffs, io_world.theta, io_world.input_shares,
                              io_world.value_added_shares, io_world.final_shares, io_world.value_added.sum(axis=1),
                              io_world.income)


def decomposition_parts(equilibrium) -> dict[str, np.ndarray]:
    """(N, N, S) terms-of-trade and volume-of-trade effects of country j (first axis) by partner i
    and sector n, as fractions of j's baseline income (CP eq. 22-23, deficits held fixed):

    - terms of trade: (E[j,i,n] (c_hat[j,n] - 1) - M[i,j,n] (c_hat[i,n] - 1)) / I[j], E exports,
      M imports at world prices (domestic terms cancel);
    - volume of trade: t[i,j,n] M[i,j,n] (M_hat[i,j,n] - c_hat[i,n]) / I[j].

    The differentials are evaluated with discrete changes (hat - 1), as in the authors' code and
    their published tables; the parts sum to d ln W to first order, and for a shock as large as
    NAFTA's for Mexico they differ from the exact welfare change (reported beside them).
    """
    world = equilibrium.world
    flows, tariffs = world.trade, world.tariffs
    income = np.asarray(equilibrium.calibration.params.income)
    cost_hat = equilibrium.cost_hat
    cost_change = cost_hat - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        flow_hat = np.where(flows > 0, equilibrium.trade / np.where(flows > 0, flows, 1), 1.0)
    exports = flows * cost_change[:, None, :]  # [j, i, n]: j sells to i
    imports = np.swapaxes(flows * cost_change[:, None, :], 0, 1)  # [j, i, n]: j buys from i
    volume = np.swapaxes(tariffs * flows * (flow_hat - cost_hat[:, None, :]), 0, 1)
    return {"terms_of_trade": (exports - imports) / income[:, None, None],
            "trade_volume": volume / income[:, None, None]}


def decomposition_frame(equilibrium) -> pd.DataFrame:
    """Long table of the decomposition: country, partner, sector, component, value (% of income)."""
    world = equilibrium.world
    n, s = world.n_countries, world.n_sectors
    frames = [pd.DataFrame({"country": np.repeat(world.countries, n * s),
                            "partner": np.tile(np.repeat(world.countries, s), n),
                            "sector": np.tile(world.sectors, n * n), "component": name,
                            "value": 100 * part.ravel()})
              for name, part in decomposition_parts(equilibrium).items()]
    return pd.concat(frames, ignore_index=True)


def _parts(name):
    return lambda e: e.decomposition_pct[name]


def _part(name, description, compute, label) -> Variable:
    return Variable(name, "country", "pct_of_income", description, compute, label, available=tariffs_only)


CP_WELFARE_PARTS = (
    _part("terms_of_trade", "terms-of-trade effect (CP eq. 22-23, discrete changes)", _parts("terms_of_trade"), "ToT"),
    _part("trade_volume", "volume-of-trade effect (CP eq. 22-23, discrete changes)", _parts("trade_volume"), "VoT"),
    _part("paper_welfare", "terms of trade + volume of trade: the paper's welfare measure",
          lambda e: e.decomposition_pct["terms_of_trade"] + e.decomposition_pct["trade_volume"],
          "sum (paper's measure)"),
    Variable("real_wage", "country", "pct", "wage deflated by the consumer price index, % change",
             lambda e: 100 * (e.real_wage_hat - 1), "real wage"),
)


@dataclass(frozen=True)
class CaliendoParro(TradeModel):
    """The Caliendo-Parro model; ``io_links=False`` drops intermediate inputs (value added = sales),
    which is the multi-sector Armington model with sigma = theta + 1.

    Instruments: tariffs, iceberg trade-cost changes, net exports. Games differentiate it in forward
    mode (its inner fixed points have forward derivatives only): fine for MFN and uniform tariffs.
    """

    name: ClassVar[str] = "caliendo_parro"
    instruments: ClassVar[frozenset[str]] = frozenset({"tariffs", "trade_cost_hat", "net_exports"})
    variables: ClassVar[tuple[Variable, ...]] = trade_variables(decomposition=CP_WELFARE_PARTS)
    welfare_parts_table: ClassVar[tuple[tuple[str, str], ...]] = (
        ("terms_of_trade", "ToT"), ("trade_volume", "VoT"), ("paper_welfare", "sum (paper's measure)"),
        ("welfare", "exact"), ("real_wage", "real wage"))
    welfare_parts_title: ClassVar[str] = (
        "Welfare (% change): Caliendo-Parro terms-of-trade (ToT) and volume-of-trade (VoT) parts")
    welfare_parts_caption: ClassVar[str] = (
        "ToT + VoT is the paper's welfare measure (its differential formula, eq. 23, with discrete changes); "
        "exact = real income change. They agree for small shocks, not for large ones. "
        "real wage = wage / consumer price index.")
    needs_input_output: ClassVar[bool] = True  # calibrates on an IOWorld (read_io_world), its own purge: balance
    io_links: bool = True

    def kernel(self) -> Kernel:
        return KERNEL

    def baseline(self, io_world: IOWorld, deficits: Literal["data", "zero"] = "data") -> IOWorld:
        """The model's equilibrium at the data's tariffs, as a new IOWorld (flows, inputs, value added
        and final demand all from the equilibrium), with the data's deficits or with none."""
        if deficits not in ("data", "zero"):
            raise OptionError(f"deficits must be 'data' or 'zero', not {deficits!r}")
        io_world = self._require_io_world(io_world)
        io_world = io_world if self.io_links else io_world.without_input_output()
        world = io_world.world
        level = io_world.deficits if deficits == "data" else np.zeros(world.n_countries)
        policy = Policy(world.tariffs, -level, name=f"baseline with {deficits} deficits")
        data = Calibration(self, world, baseline_arrays(io_world), io_world)
        equilibrium = solve(self, data, policy)
        sales = equilibrium.sales
        income = equilibrium.income
        suffix = "" if deficits == "data" else ", aggregate deficits removed"
        return io_world.replace(
            world=world.replace(trade=equilibrium.trade, label=f"{world.label} (model baseline{suffix})"),
            intermediate=io_world.input_shares * sales[:, None, :],
            value_added=io_world.value_added_shares * sales,
            final_demand=io_world.final_shares * income[:, None],
        )

    def balance(self, io_world: IOWorld) -> IOWorld:
        """CP's first step for the zero-deficit variant: the baseline with every deficit set to 0."""
        return self.baseline(io_world, "zero")

    def calibrate(self, io_world: IOWorld) -> Calibration:
        """Calibrate to the model's baseline equilibrium at the data's tariffs and deficits."""
        io_world = self._require_io_world(io_world)
        consistent = self.baseline(io_world, "data")
        wages = consistent.value_added.sum(axis=1) / io_world.value_added.sum(axis=1)
        return Calibration(self, consistent.world, baseline_arrays(consistent), consistent,
                           {"reconciliation": float(np.max(np.abs(wages - 1)))})

    def equations(self, calibration: Calibration, policy: Policy) -> Equations:
        world = calibration.world
        countries = tuple(world.countries)
        cells = labels("{}", tuple(f"{c}/{s}" for c in countries for s in world.sectors))
        return Equations(
            kernel=self.kernel(), params=calibration.params, policy=policy.arrays(world),
            start=np.zeros(world.n_countries), unknowns=labels("log w_hat {}", countries),
            equations=(labels("labour market of {}", countries) + ("numeraire",)
                       + labels("price index of {}", cells) + labels("expenditure of {}", cells)),
            what_to_try=("a smaller shock, finite tariffs (1e6 is prohibitive enough), SolverConfig(max_steps=..., "
                         "max_log_step=0.5), or check the input-output data (a sector using almost only its own "
                         "output converges slowly)"),
        )

    # ------------------------------------------------------------------ what Equilibrium asks the model
    def sector_weights(self, equilibrium) -> np.ndarray:
        """(N, S) final-demand shares alpha: intermediate purchases do not enter real income."""
        return np.asarray(equilibrium.calibration.params.final_shares)

    def industry_income_share(self, equilibrium) -> np.ndarray:
        """(N, S) value added per unit of gross output (beta): industry income is value added."""
        return np.asarray(equilibrium.calibration.params.value_added_shares)

    def decomposition(self, equilibrium) -> dict[str, np.ndarray]:
        """(N,) terms-of-trade and volume-of-trade effects, percent of income (CP eq. 22-23)."""
        return {k: 100 * v.sum(axis=(1, 2)) for k, v in decomposition_parts(equilibrium).items()}

    @staticmethod
    def _require_io_world(io_world) -> IOWorld:
        if not isinstance(io_world, IOWorld):
            raise DataValidationError(
                "the caliendo_parro model needs an IOWorld (trade flows plus input-output tables), not a "
                f"{type(io_world).__name__}; read one with tariffsim.io.read_cp2015 or read_io_world")
        return io_world
