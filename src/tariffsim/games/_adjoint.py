"""Government welfare through the equilibrium, and its exact gradient with respect to tariffs.

Pure JAX, compiled. Tariffs chosen by a player are a vector ``x`` that fills some cells of the tariff
cube (``Control``); several cells may share one variable (an MFN tariff applies to every partner).
The equilibrium ``u(x)`` solves ``F(u, t(x)) = 0`` (models/_equations.py), so by the implicit function
theorem the gradient of any smooth ``phi(u, t)`` is

    d phi / d t = d_t phi - (d_t F)^T lam,   where   J^T lam = d_u phi,   J = d_u F,

one linear solve with the Jacobian Newton already uses, and one vector-Jacobian product of the
residuals: the cost of about two equilibrium evaluations, whatever the number of tariffs.
"""

from __future__ import annotations

from typing import NamedTuple

from tariffsim import welfare
from tariffsim._jax import jax, jnp
from tariffsim.models import _equations as eq
from tariffsim.solve import newton

NEWTON_TARGET = 1e-13
NEWTON_MAX_STEPS = 60
NEWTON_BACKTRACKS = 40
NEWTON_MAX_LOG_STEP = 1.0


class Control(NamedTuple):
    """Which tariff cells a player sets: cell k = (exporter[k], importer[k], sector[k]) gets x[variable[k]]."""

    exporter: jnp.ndarray
    importer: jnp.ndarray
    sector: jnp.ndarray
    variable: jnp.ndarray


def tariff_cube(x, fixed, control: Control):
    """(N,N,S) the fixed cube with the controlled cells set from ``x``."""
    return fixed.at[control.exporter, control.importer, control.sector].set(x[control.variable])


def government_welfare(u, tariffs, base: eq.Baseline, weights):
    """(N,) G_hat of every country at log-hats ``u`` and tariffs t' (MODEL §3.6); weights lambda (N,S)."""
    out = eq.outcome(u, base, tariffs)
    price = welfare.price_index_hat(base.mu, out.price_index_sector_hat)
    base_revenue = jnp.einsum("ijs,ijs->j", base.tariffs, base.trade)
    income_base = welfare.industry_income(base.trade.sum(axis=1), base_revenue, base.profit_share)
    income_new = welfare.industry_income(out.sales, out.tariff_revenue, base.profit_share)
    return welfare.government_welfare_hat(weights, income_base, income_new, price)


def solve_equilibrium(u0, base, tariffs, net_exports):
    """Compiled Newton from ``u0``; returns (u, max |residual|) — the caller checks the residual."""
    result = newton(eq.residuals, eq.jacobian, u0, (base, tariffs, net_exports), target=NEWTON_TARGET,
                    max_steps=NEWTON_MAX_STEPS, max_backtracks=NEWTON_BACKTRACKS, max_log_step=NEWTON_MAX_LOG_STEP)
    return result.u, jnp.max(jnp.abs(result.residuals))


def _adjoint_gradient(objective, u, tariffs, base, net_exports):
    """d objective(u, t) / d t at the equilibrium u(t), shape (N,N,S)."""
    d_u, d_t = jax.grad(objective, argnums=(0, 1))(u, tariffs)
    multiplier = jnp.linalg.solve(eq.jacobian(u, base, tariffs, net_exports).T, d_u)
    _, residuals_vjp = jax.vjp(lambda t: eq.residuals(u, base, t, net_exports), tariffs)
    return d_t - residuals_vjp(multiplier)[0]


def _gather(gradient_cube, control: Control, n_variables: int):
    """Chain rule through ``tariff_cube``: add up the cube's gradient over cells sharing a variable."""
    cells = gradient_cube[control.exporter, control.importer, control.sector]
    return jnp.zeros(n_variables).at[control.variable].add(cells)


@jax.jit
def weighted_log_welfare(x, u0, base, fixed, control: Control, weights, country_weights, net_exports,
                         constraints=None, penalty=0.0, threat=None):
    """Value and gradient in ``x`` of omega . log G_hat - penalty/2 |A log G_hat|^2, through the equilibrium.

    With ``penalty = 0`` this is a weighted sum of log government welfare (a best response when omega
    picks one country); the quadratic term serves augmented-Lagrangian searches with linear
    constraints ``A log G_hat = 0`` on the gains (equal gains in trade talks).

    Args:
        x: (K,) chosen tariffs. u0: (2N,) starting log-hats (warm start). fixed: (N,N,S) other tariffs.
        weights: (N,S) political-economy weights. country_weights: (N,) omega.
        constraints: (M,N) matrix A (None: no constraints). penalty: the penalty parameter rho.
        threat: (N,) threat point T: the objective uses log(G_hat - T) (a generalised Nash product
            for bargaining); where any weighted G_hat <= T the value is -1e6 (outside the bargaining set).
    Returns:
        (value, gradient (K,), G_hat (N,), u (2N,), max |residual| of the Newton solve).
    """
    tariffs = tariff_cube(x, fixed, control)
    u, residual = solve_equilibrium(u0, base, tariffs, net_exports)

    def objective(u_, t_):
        g_hat = government_welfare(u_, t_, base, weights)
        if threat is None:
            log_g = jnp.log(g_hat)
        else:
            surplus = jnp.where(country_weights != 0, g_hat - threat, 1.0)
            log_g = jnp.where(jnp.all(surplus > 0), jnp.log(jnp.where(surplus > 0, surplus, 1.0)), -1e6)
        value = jnp.sum(country_weights * log_g)
        if constraints is not None:
            value = value - 0.5 * penalty * jnp.sum((constraints @ log_g) ** 2)
        return value

    gradient = _gather(_adjoint_gradient(objective, u, tariffs, base, net_exports), control, x.shape[0])
    return objective(u, tariffs), gradient, government_welfare(u, tariffs, base, weights), u, residual


@jax.jit
def welfare_jacobian(x, u0, base, fixed, control: Control, weights, net_exports):
    """(N, K) d G_hat_k / d x at the equilibrium, with G_hat (N,), u and max |residual|."""
    tariffs = tariff_cube(x, fixed, control)
    u, residual = solve_equilibrium(u0, base, tariffs, net_exports)
    n = base.trade.shape[0]

    def row(k):
        def objective(u_, t_):
            return government_welfare(u_, t_, base, weights)[k]

        return _gather(_adjoint_gradient(objective, u, tariffs, base, net_exports), control, x.shape[0])

    return jax.vmap(row)(jnp.arange(n)), government_welfare(u, tariffs, base, weights), u, residual


@jax.jit
def income_price_jacobian(x, u0, base, fixed, control: Control, net_exports, country):
    """Country ``country``'s industry incomes I'_s and log price index, and their derivatives in ``x``.

    Forward-mode implicit differentiation: du/dx = -J^-1 dF/dx (K columns), cheap for few variables.
    Returns (income (S,), log_price (), d_income (S,K), d_log_price (K,), max |residual|).
    """
    u, residual = solve_equilibrium(u0, base, tariff_cube(x, fixed, control), net_exports)

    def outputs(u_, x_):
        tariffs = tariff_cube(x_, fixed, control)
        out = eq.outcome(u_, base, tariffs)
        income = welfare.industry_income(out.sales, out.tariff_revenue, base.profit_share)[country]
        log_price = jnp.log(welfare.price_index_hat(base.mu, out.price_index_sector_hat)[country])
        return jnp.concatenate([income, log_price[None]])

    d_residual_dx = jax.jacfwd(lambda x_: eq.residuals(u, base, tariff_cube(x_, fixed, control), net_exports))(x)
    du_dx = -jnp.linalg.solve(eq.jacobian(u, base, tariff_cube(x, fixed, control), net_exports), d_residual_dx)
    total = jax.jacfwd(outputs, argnums=0)(u, x) @ du_dx + jax.jacfwd(outputs, argnums=1)(u, x)
    values = outputs(u, x)
    return values[:-1], values[-1], total[:-1], total[-1], residual
