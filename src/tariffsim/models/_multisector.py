"""Calibrate and solve the multi-sector model in changes; shared by ``krugman`` and ``armington``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from tariffsim._jax import jax, jnp
from tariffsim.equilibrium import Equilibrium
from tariffsim.errors import ConvergenceError
from tariffsim.models import _equations as eq
from tariffsim.policy import Policy
from tariffsim.solve import SolverConfig, find_root
from tariffsim.world import World


@jax.jit
def _verify_and_report(u, base, new_tariffs, new_net_exports):
    """Every equation's residual and the counterfactual quantities at ``u``, in one compiled call."""
    return (eq.full_residuals(u, base, new_tariffs, new_net_exports), eq.outcome(u, base, new_tariffs))


@dataclass(frozen=True, eq=False)
class Calibration:
    """A world calibrated for one model: the baseline arrays the equations need (MODEL §2)."""

    model: str
    world: World
    baseline: eq.Baseline

    @property
    def profit_share(self) -> np.ndarray:
        return np.asarray(self.baseline.profit_share)


@dataclass(frozen=True)
class MultiSectorModel:
    """Multi-sector trade model in exact hat algebra; subclasses fix how sales split into profits.

    ``calibrate(world)`` then ``solve(calibration, policy)``; every solution is verified against all
    2N+1 equations and a solution whose largest relative residual exceeds ``solver.tol`` raises
    ``ConvergenceError``.
    """

    name: ClassVar[str] = ""
    solver: SolverConfig = field(default_factory=SolverConfig)

    def profit_share(self, sigma: np.ndarray) -> np.ndarray:
        """(S,) share of sales that is operating profit."""
        raise NotImplementedError

    def calibrate(self, world: World) -> Calibration:
        share = self.profit_share(world.sigma)
        return Calibration(self.name, world, eq.baseline_arrays(world.trade, world.tariffs, world.sigma, share))

    def solve(self, calibration: Calibration, policy: Policy) -> Equilibrium:
        world = calibration.world
        policy.check_against(world)
        net_exports = policy.net_exports_level(world)
        args = (calibration.baseline, jnp.asarray(policy.tariffs), jnp.asarray(net_exports))
        tol = self.solver.tol

        def accept(evaluation) -> bool:
            residuals = np.asarray(evaluation[0])
            return bool(np.all(np.isfinite(residuals)) and np.max(np.abs(residuals)) <= tol)

        root = find_root(eq.residuals, eq.jacobian, _verify_and_report, np.zeros(2 * world.n_countries),
                         args, self.solver, accept)
        out = root.evaluation[1]
        residuals = np.asarray(root.evaluation[0])
        if not accept(root.evaluation):
            raise ConvergenceError(self._failure_message(world, policy, residuals, root))
        return Equilibrium(
            model=self.name, world=world, policy=policy, profit_share=calibration.profit_share,
            w_hat=np.asarray(out.w_hat), E_hat=np.asarray(out.E_hat),
            price_index_sector_hat=np.asarray(out.price_index_sector_hat), trade=np.asarray(out.trade),
            net_exports=net_exports, residuals=residuals, method=root.method, steps=root.steps,
        )

    def _failure_message(self, world: World, policy: Policy, residuals: np.ndarray, root) -> str:
        labels = ([f"labour market of {c}" for c in world.countries]
                  + [f"budget of {c}" for c in world.countries] + ["numeraire"])
        order = np.argsort(-np.nan_to_num(np.abs(residuals), nan=np.inf))
        failing = [f"{labels[k]}: {residuals[k]:.3g}" for k in order[:5]
                   if not abs(residuals[k]) <= self.solver.tol]
        return (
            f"{self.name} equilibrium for {policy.name or 'the policy'} did not converge: largest relative "
            f"residual {np.nanmax(np.abs(residuals)):.3g} > tolerance {self.solver.tol:g} after "
            f"{root.steps} {root.method} steps. Failing equations: {'; '.join(failing)}. "
            "Try: check for extreme tariffs (a prohibitive tariff of 1e6 is enough), a smaller shock, "
            "SolverConfig(max_steps=..., max_log_step=0.5), or a looser tol if the data are poorly scaled."
        )
