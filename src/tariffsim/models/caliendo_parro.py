"""Multi-sector Ricardian model with input-output links (Caliendo and Parro 2015, RES 82(1)).

Sectoral productivities are Frechet-distributed with dispersion theta_s (the trade elasticity),
production uses labour and every sector's composite good (input-output links), tariff revenue is
rebated to consumers and trade deficits are held fixed in units of world value added (the numeraire).
Equations in ``_cp_equations`` (CP eqs. 10-14); results in ``CPEquilibrium`` (welfare = real income
with final-demand weights, CP's terms-of-trade / volume-of-trade decomposition).

Usage::

    model = CaliendoParro()
    calibration = model.calibrate(io_world)          # the model's baseline at the data's deficits
    equilibrium = model.solve(calibration, policy)   # any Policy on io_world.world
    balanced = model.calibrate(model.balance(io_world))   # CP's variant: aggregate deficits removed first

Data are rarely an exact equilibrium of the model (cp2015's final-demand shares come from another
step of CP's calibration than its flows), so ``calibrate`` first solves the model at the data's own
tariffs and deficits and takes that equilibrium as the baseline (``CaliendoParro.baseline``); its size
is kept in ``Calibration.reconciliation``. Counterfactuals are measured against it, so a zero shock
is exactly the identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np

from tariffsim._jax import jax, jnp
from tariffsim.errors import ConvergenceError
from tariffsim.models import _cp_equations as eq
from tariffsim.models._cp_results import CPEquilibrium
from tariffsim.policy import Policy
from tariffsim.solve import SolverConfig, find_root
from tariffsim.world_io import IOWorld


@jax.jit
def _verify_and_report(x, base, new_tariffs, deficits):
    """Every equation's residual and the counterfactual quantities at ``x``, in one compiled call."""
    return eq.full_residuals(x, base, new_tariffs, deficits), eq.outcome(x, base, new_tariffs, deficits)


def baseline_arrays(io_world: IOWorld) -> eq.Baseline:
    """The equations' baseline arrays of an IOWorld (CP §2 coefficients)."""
    world = io_world.world
    return eq.baseline_arrays(world.trade, world.tariffs, io_world.theta, io_world.input_shares,
                              io_world.value_added_shares, io_world.final_shares, io_world.value_added.sum(axis=1))


@dataclass(frozen=True, eq=False)
class Calibration:
    """An IOWorld that is the model's own baseline equilibrium, and its equation arrays.

    Attributes:
        io_world: the baseline (flows and input-output tables of the model's equilibrium at the
            data's tariffs); ``world`` is its World.
        baseline: arrays for ``_cp_equations``.
        reconciliation: largest |w_hat - 1| of the step from the data to the baseline (0 for data
            that already are an equilibrium).
    """

    model: str
    io_world: IOWorld
    baseline: eq.Baseline
    reconciliation: float

    @property
    def world(self):
        return self.io_world.world


@dataclass(frozen=True)
class CaliendoParro:
    """The Caliendo-Parro model; ``io_links=False`` drops intermediate inputs (value added = sales),
    which is the multi-sector Armington model with sigma = theta + 1."""

    name: ClassVar[str] = "caliendo_parro"
    solver: SolverConfig = field(default_factory=SolverConfig)
    io_links: bool = True

    def baseline(self, io_world: IOWorld, deficits: Literal["data", "zero"] = "data") -> IOWorld:
        """The model's equilibrium at the data's tariffs, as a new IOWorld (flows, inputs, value added
        and final demand all from the equilibrium), with the data's deficits or with none."""
        if deficits not in ("data", "zero"):
            raise ValueError(f"deficits must be 'data' or 'zero', not {deficits!r}")
        io_world = io_world if self.io_links else io_world.without_input_output()
        world = io_world.world
        level = io_world.deficits if deficits == "data" else np.zeros(world.n_countries)
        policy = Policy(world.tariffs, -level, name=f"baseline with {deficits} deficits")
        equilibrium = self._solve(io_world, baseline_arrays(io_world), policy)
        sales = equilibrium.sales
        income = equilibrium.E_hat * equilibrium.income
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
        if not isinstance(io_world, IOWorld):
            raise TypeError("the caliendo_parro model needs an IOWorld (trade flows plus input-output tables); "
                            "read one with tariffsim.io.read_cp2015")
        consistent = self.baseline(io_world, "data")
        wages = consistent.value_added.sum(axis=1) / io_world.value_added.sum(axis=1)
        return Calibration(self.name, consistent, baseline_arrays(consistent), float(np.max(np.abs(wages - 1))))

    def solve(self, calibration: Calibration, policy: Policy) -> CPEquilibrium:
        """The counterfactual equilibrium of ``policy`` (tariffs t', net exports rule) from the baseline."""
        return self._solve(calibration.io_world, calibration.baseline, policy)

    def _solve(self, io_world: IOWorld, base: eq.Baseline, policy: Policy) -> CPEquilibrium:
        world = io_world.world
        policy.check_against(world)
        net_exports = policy.net_exports_level(world)
        args = (base, jnp.asarray(policy.tariffs), jnp.asarray(-net_exports))
        tol = self.solver.tol

        def accept(evaluation) -> bool:
            residuals = np.asarray(evaluation[0])
            return bool(np.all(np.isfinite(residuals)) and np.max(np.abs(residuals)) <= tol)

        root = find_root(eq.residuals, eq.jacobian, _verify_and_report, np.zeros(world.n_countries), args,
                         self.solver, accept)
        residuals = np.asarray(root.evaluation[0])
        if not accept(root.evaluation):
            raise ConvergenceError(self._failure_message(io_world, policy, residuals, root))
        out = root.evaluation[1]
        income = io_world.income
        return CPEquilibrium(
            model=self.name, world=world, policy=policy, profit_share=np.zeros(world.n_sectors),
            w_hat=np.asarray(out.w_hat), E_hat=np.asarray(out.income) / income,
            price_index_sector_hat=np.asarray(out.price_index_sector_hat), trade=np.asarray(out.trade),
            net_exports=net_exports, residuals=residuals, method=root.method, steps=root.steps,
            cost_hat=np.asarray(out.cost_hat), final_shares=io_world.final_shares,
            value_added_shares=io_world.value_added_shares, income=income,
        )

    def _failure_message(self, io_world: IOWorld, policy: Policy, residuals: np.ndarray, root) -> str:
        countries, sectors = io_world.countries, io_world.sectors
        cells = [f"{c}/{s}" for c in countries for s in sectors]
        labels = ([f"labour market of {c}" for c in countries] + ["numeraire"]
                  + [f"price index of {cell}" for cell in cells] + [f"expenditure of {cell}" for cell in cells])
        order = np.argsort(-np.nan_to_num(np.abs(residuals), nan=np.inf))
        failing = [f"{labels[k]}: {residuals[k]:.3g}" for k in order[:5] if not abs(residuals[k]) <= self.solver.tol]
        return (
            f"{self.name} equilibrium for {policy.name or 'the policy'} did not converge: largest relative residual "
            f"{np.nanmax(np.abs(residuals)):.3g} > tolerance {self.solver.tol:g} after {root.steps} {root.method} "
            f"steps. Failing equations: {'; '.join(failing)}. Try: a smaller shock, finite tariffs (1e6 is "
            "prohibitive enough), SolverConfig(max_steps=..., max_log_step=0.5), or check the input-output data "
            "(a sector using almost only its own output converges slowly)."
        )
