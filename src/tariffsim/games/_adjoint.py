"""Government welfare through the equilibrium of any model, and its exact derivatives in tariffs.

Pure JAX, compiled once per model ``Kernel`` and solver settings. Tariffs chosen by a player are a
vector ``x`` that fills some cells of the tariff cube (``Control``); several cells may share one
variable (an MFN tariff applies to every partner). The equilibrium ``u(x)`` solves
``F(u, t(x)) = 0`` (the model's ``Kernel.residuals``, by the one Newton of ``tariffsim.solve``), so by
the implicit function theorem the derivative of any smooth ``phi(u, t(x))`` is

    d phi / d x = d_x phi - lam^T d_x F,   where   J^T lam = d_u phi,   J = d_u F     (reverse mode),
    d phi / d x = d_x phi + d_u phi du/dx,  where   J du/dx = -d_x F                   (forward mode),

the first costs one linear solve and one vector-Jacobian product whatever the number of tariffs; the
second one tangent per tariff, for models whose inner fixed points have forward derivatives only
(``Kernel.gradients``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from tariffsim import welfare
from tariffsim._jax import jax, jnp
from tariffsim.models.base import Kernel
from tariffsim.policy import Policy
from tariffsim.interrupt import raise_if_interrupted
from tariffsim.solve import SolverConfig, kernel_jacobian, newton


class Control(NamedTuple):
    """Which tariff cells a player sets: cell k = (exporter[k], importer[k], sector[k]) gets x[variable[k]]."""

    exporter: jnp.ndarray
    importer: jnp.ndarray
    sector: jnp.ndarray
    variable: jnp.ndarray


@dataclass(frozen=True, eq=False)
class Problem:
    """The model's pieces a game needs: its kernel and solver settings (static), its calibration
    arrays and the policy whose tariffs the players change, and the start of every Newton solve."""

    kernel: Kernel
    config: SolverConfig
    params: Any
    policy: Any
    start: jnp.ndarray

    @property
    def kwargs(self) -> dict:
        """Keyword arguments of the compiled functions below."""
        return {"kernel": self.kernel, "config": self.config, "params": self.params, "policy": self.policy}

    @property
    def fixed(self) -> jnp.ndarray:
        """(N,N,S) the tariffs outside the players' choice."""
        return self.policy.tariffs


def problem(calibration, tariffs: np.ndarray, net_exports, what: str) -> Problem:
    """The ``Problem`` of a game on ``calibration`` (its own model and solver settings) around the
    tariff cube ``tariffs``; OptionError if the model gives no gradients (``what`` names the game)."""
    model = calibration.model
    model.require_gradients(what)
    equations = model.equations(calibration, Policy(tariffs, net_exports))
    return Problem(equations.kernel, model.solver, equations.params, equations.policy,
                   jnp.asarray(equations.start, dtype=jnp.float64))


def tariff_cube(x, fixed, control: Control):
    """(N,N,S) the fixed cube with the controlled cells set from ``x``."""
    return fixed.at[control.exporter, control.importer, control.sector].set(x[control.variable])


def _with_tariffs(policy, x, control: Control):
    return policy._replace(tariffs=tariff_cube(x, policy.tariffs, control))


def government_welfare(kernel: Kernel, u, params, policy, weights):
    """(N,) G_hat of every country at ``u`` (MODEL_OSSA2014 §3.6); weights lambda (N,S)."""
    income_new, income_base, price = kernel.welfare_parts(u, params, policy)
    return welfare.government_welfare_hat(weights, income_base, income_new, price)


def solve_equilibrium(kernel: Kernel, config: SolverConfig, u0, params, policy):
    """The one Newton from ``u0`` with the model's settings; (u, max |residual|): the caller checks it."""
    raise_if_interrupted()  # a game makes many solves: a swallowed Ctrl-C stops it at the next one
    result = newton(kernel.residuals, kernel_jacobian(kernel), u0, (params, policy), target=config.newton_target,
                    max_steps=config.max_steps, max_backtracks=config.max_backtracks,
                    max_log_step=config.max_log_step)
    return result.u, jnp.max(jnp.abs(result.residuals))


def _derivative(kernel: Kernel, phi, u, x, params, policy, control: Control):
    """(m, K) d phi / d x through the equilibrium u(x); ``phi(u, policy) -> (m,)``."""
    def at(x_):
        return _with_tariffs(policy, x_, control)

    here = at(x)
    J = kernel_jacobian(kernel)(u, params, here)
    if kernel.gradients == "forward":
        d_residuals_dx = jax.jacfwd(lambda x_: kernel.residuals(u, params, at(x_)))(x)
        du_dx = -jnp.linalg.solve(J, d_residuals_dx)
        return (jax.jacfwd(lambda u_: phi(u_, here))(u) @ du_dx
                + jax.jacfwd(lambda x_: phi(u, at(x_)))(x))
    d_u = jax.jacrev(lambda u_: phi(u_, here))(u)  # (m, n)
    multipliers = jnp.linalg.solve(J.T, d_u.T)  # (n, m)

    def lagrangian(x_):
        moved = at(x_)
        return phi(u, moved) - multipliers.T @ kernel.residuals(u, params, moved)

    return jax.jacrev(lagrangian)(x)


@partial(jax.jit, static_argnames=("kernel", "config"))
def weighted_log_welfare(x, u0, *, kernel, config, params, policy, control: Control, weights, country_weights,
                         constraints=None, penalty=0.0, threat=None):
    """Value and gradient in ``x`` of omega . log G_hat - penalty/2 |A log G_hat|^2, through the equilibrium.

    With ``penalty = 0`` this is a weighted sum of log government welfare (a best response when omega
    picks one country); the quadratic term serves augmented-Lagrangian searches with linear
    constraints ``A log G_hat = 0`` on the gains (equal gains in trade talks).

    Args:
        x: (K,) chosen tariffs. u0: (n,) starting unknowns (warm start). policy: the PolicyArrays
            whose tariffs outside ``control`` stay fixed.
        weights: (N,S) political-economy weights. country_weights: (N,) omega.
        constraints: (M,N) matrix A (None: no constraints). penalty: the penalty parameter rho.
        threat: (N,) threat point T: the objective uses log(G_hat - T) (a generalised Nash product
            for bargaining); where any weighted G_hat <= T the value is -1e6 (outside the bargaining set).
    Returns:
        (value, gradient (K,), G_hat (N,), u (n,), max |residual| of the Newton solve).
    """
    here = _with_tariffs(policy, x, control)
    u, residual = solve_equilibrium(kernel, config, u0, params, here)

    def log_gains(u_, policy_):
        g_hat = government_welfare(kernel, u_, params, policy_, weights)
        if threat is None:
            return jnp.log(g_hat)
        surplus = jnp.where(country_weights != 0, g_hat - threat, 1.0)
        return jnp.where(jnp.all(surplus > 0), jnp.log(jnp.where(surplus > 0, surplus, 1.0)), -1e6)

    def objective(u_, policy_):
        log_g = log_gains(u_, policy_)
        value = jnp.sum(country_weights * log_g)
        if constraints is not None:
            value = value - 0.5 * penalty * jnp.sum((constraints @ log_g) ** 2)
        return value[None]

    gradient = _derivative(kernel, objective, u, x, params, policy, control)[0]
    return objective(u, here)[0], gradient, government_welfare(kernel, u, params, here, weights), u, residual


@partial(jax.jit, static_argnames=("kernel", "config"))
def welfare_jacobian(x, u0, *, kernel, config, params, policy, control: Control, weights):
    """(N, K) d G_hat_k / d x at the equilibrium, with G_hat (N,), u and max |residual|."""
    here = _with_tariffs(policy, x, control)
    u, residual = solve_equilibrium(kernel, config, u0, params, here)

    def g_hat(u_, policy_):
        return government_welfare(kernel, u_, params, policy_, weights)

    return _derivative(kernel, g_hat, u, x, params, policy, control), g_hat(u, here), u, residual


@partial(jax.jit, static_argnames=("kernel", "config"))
def income_price_jacobian(x, u0, *, kernel, config, params, policy, control: Control, country):
    """Country ``country``'s industry incomes I'_s and log price index, and their derivatives in ``x``.

    Returns (income (S,), log_price (), d_income (S,K), d_log_price (K,), max |residual|).
    """
    here = _with_tariffs(policy, x, control)
    u, residual = solve_equilibrium(kernel, config, u0, params, here)

    def outputs(u_, policy_):
        income_new, _, price = kernel.welfare_parts(u_, params, policy_)
        return jnp.concatenate([income_new[country], jnp.log(price[country])[None]])

    values = outputs(u, here)
    total = _derivative(kernel, outputs, u, x, params, policy, control)
    return values[:-1], values[-1], total[:-1], total[-1], residual
