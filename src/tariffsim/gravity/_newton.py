"""Damped Newton with an analytic Jacobian, explicit tolerances and convergence facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tariffsim.errors import ConvergenceError


@dataclass(frozen=True)
class SolverConfig:
    """``atol``: max-abs residual to reach; ``max_steps``: Newton steps allowed; ``polish_steps``: extra
    full steps after ``atol`` is reached, kept while they lower the residual (to machine precision)."""

    atol: float = 1e-12
    max_steps: int = 100
    polish_steps: int = 2


@dataclass(frozen=True)
class SolverReport:
    """Convergence facts: steps taken and the max-abs residual reached."""

    steps: int
    max_residual: float


def newton(
    fun: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    x0: np.ndarray,
    what: str,
    config: SolverConfig = SolverConfig(),
) -> tuple[np.ndarray, SolverReport]:
    """Solve fun(x)[0] = 0 from x0; ``fun`` returns (residual, Jacobian). Backtracks on the residual norm.

    Raises ConvergenceError naming ``what``, the residual reached and what to try.
    """
    x = np.asarray(x0, dtype=float)
    r, jac = fun(x)
    for step in range(config.max_steps + 1):
        worst = float(np.max(np.abs(r)))
        if worst <= config.atol:
            return _polish(fun, x, r, jac, step, config.polish_steps)
        try:
            dx = np.linalg.solve(jac, -r)
        except np.linalg.LinAlgError as err:
            raise ConvergenceError(
                f"{what}: singular Jacobian at step {step} (max residual {worst:.3g}). The data probably leave "
                "the equilibrium undetermined: check for countries without trade links or zero output."
            ) from err
        norm, t = float(np.linalg.norm(r)), 1.0
        while t > 1e-10:
            r_try, jac_try = fun(x + t * dx)
            if np.all(np.isfinite(r_try)) and np.linalg.norm(r_try) < (1 - 1e-4 * t) * norm:
                break
            t /= 2
        else:
            raise ConvergenceError(
                f"{what}: line search failed at step {step} with max residual {worst:.3g} (tolerance "
                f"{config.atol:g}). The shock may be too large for the model (trade costs that go to 0 or "
                "infinity); try a smaller shock or check the cost coefficients."
            )
        x, r, jac = x + t * dx, r_try, jac_try
    raise ConvergenceError(
        f"{what}: no convergence in {config.max_steps} Newton steps (max residual {worst:.3g}, tolerance "
        f"{config.atol:g}); raise SolverConfig(max_steps=...) or check the data."
    )


def _polish(fun, x, r, jac, step, polish_steps) -> tuple[np.ndarray, SolverReport]:
    """Extra Newton steps once converged: cheap (quadratic convergence) and they make the answer as
    accurate as floating point allows, so checks of derived equations in levels pass too."""
    for extra in range(polish_steps):
        try:
            x_try = x + np.linalg.solve(jac, -r)
        except np.linalg.LinAlgError:
            break
        r_try, jac_try = fun(x_try)
        if not np.linalg.norm(r_try) < np.linalg.norm(r):
            break
        x, r, jac, step = x_try, r_try, jac_try, step + 1
    return x, SolverReport(steps=step, max_residual=float(np.max(np.abs(r))))
