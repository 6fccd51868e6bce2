"""Exact derivatives of every country's government welfare with respect to any tariffs."""

from __future__ import annotations

import numpy as np

from tariffsim._jax import jnp
from tariffsim.errors import ConvergenceError
from tariffsim.games import _adjoint
from tariffsim.models import Calibration
from tariffsim.policy import NetExportsRule


def government_welfare_gradient(calibration: Calibration, tariffs: np.ndarray | None = None,
                                weights: np.ndarray | None = None,
                                net_exports: NetExportsRule = "fixed") -> tuple[np.ndarray, np.ndarray]:
    """G_hat and its gradient with respect to every off-diagonal tariff, through the equilibrium.

    Args:
        calibration: calibrated world. tariffs: (N,N,S) where to evaluate (default: the world's).
        weights: (N,S) political-economy weights (default ones: G_hat = welfare under balanced trade).
    Returns:
        ``(G_hat, gradient)``: (N,) government welfare changes and (N, N, N, S) array whose
        ``[k, i, j, s]`` is dG_hat_k / dt'_ijs (zero for the own cells i == j). Exact (implicit function
        theorem on the equilibrium conditions), not finite differences.
    """
    world = calibration.world
    n, s = world.n_countries, world.n_sectors
    tariffs = world.tariffs if tariffs is None else np.asarray(tariffs, dtype=float)
    weights = np.ones((n, s)) if weights is None else np.asarray(weights, dtype=float)
    exporter, importer, sector = np.nonzero(~np.eye(n, dtype=bool)[:, :, None] & np.ones((n, n, s), dtype=bool))
    control = _adjoint.Control(jnp.asarray(exporter), jnp.asarray(importer), jnp.asarray(sector),
                               jnp.arange(exporter.size))
    x = tariffs[exporter, importer, sector]
    game = _adjoint.problem(calibration, tariffs, net_exports, "the welfare gradient")
    jacobian, g_hat, _, residual = _adjoint.welfare_jacobian(jnp.asarray(x), game.start, **game.kwargs,
                                                             control=control, weights=jnp.asarray(weights))
    if not float(residual) <= game.config.tol:
        raise ConvergenceError(f"equilibrium for the welfare gradient did not converge (residual {float(residual):.2e})")
    gradient = np.zeros((n, n, n, s))
    gradient[:, exporter, importer, sector] = np.asarray(jacobian)
    return np.asarray(g_hat), gradient
