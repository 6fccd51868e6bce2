"""The Caliendo-Parro (2015) equilibrium in changes, as pure ``jax.numpy`` functions.

Notation of the paper (CP §2-§3; ``_hat`` = counterfactual / baseline). Countries i, j (N), sectors
n, k, s (S). Given wage changes w_hat (N,):

- input bundle cost (eq. 10): ``log c_hat[j, k] = beta[j, k] log w_hat[j] + sum_n gamma[j, n, k] log P_hat[j, n]``;
- sector price index (eq. 11): ``P_hat[j, s]^(-theta_s) = sum_i pi[i, j, s] (c_hat[i, s] tau_hat[i, j, s])^(-theta_s)``,
  with ``tau_hat = (1 + t') / (1 + t)``;
- trade shares (eq. 12): ``pi'[i, j, s] = pi[i, j, s] (c_hat[i, s] tau_hat[i, j, s] / P_hat[j, s])^(-theta_s)``;
- expenditure (eq. 13): ``X'[j, n] = sum_k gamma[j, n, k] Y'[j, k] + alpha[j, n] I'[j]`` with sales
  ``Y'[i, k] = sum_j pi'[i, j, k] X'[j, k] / (1 + t'[i, j, k])`` and income
  ``I'[j] = w_hat[j] VA[j] + sum_{i,s} t'[i, j, s] pi'[i, j, s] X'[j, s] / (1 + t'[i, j, s]) + D'[j]``;
- labour markets (eq. 14, equivalent to the trade balance): ``w_hat[j] VA[j] = sum_k beta[j, k] Y'[j, k]``;
- numeraire: world value added ``sum_j w_hat[j] VA[j]`` at its baseline value.

Prices given wages are a contraction (inputs cost less than output), and X' given prices is a linear
system whose iteration contracts (intermediate and tariff shares below 1); both are solved as fixed
points with implicit differentiation (explicit tangent maps), so the square system left is the N wages: the unknowns are
``x = log w_hat`` and the residuals [numeraire, labour markets 1..N-1] (Walras' law drops one).
``full_residuals`` checks every equation (price indices and expenditures included).

The baseline does not need to be an equilibrium: X' is found in levels, as in CP's algorithm; the
calibration first solves the model at the data's tariffs (``CaliendoParro.baseline``) so that a zero
shock is the identity.
"""

from __future__ import annotations

from typing import NamedTuple

from jax.custom_derivatives import SymbolicZero

from tariffsim import welfare
from tariffsim._jax import jax, jnp

FIXED_POINT_TOL = 1e-14  # largest change of a log price or a normalised expenditure at convergence
# Tangents (derivatives per unit change of a log wage) are iterated to this precision: Newton with a
# Jacobian this close still gains at least 8 digits a step, and it halves the cost of a Jacobian.
TANGENT_TOL = 1e-10
MAX_ITERATIONS = 5000  # unconverged fixed points are caught by ``full_residuals``


class Baseline(NamedTuple):
    """Baseline arrays (a JAX pytree). N countries, S sectors; levels in data units.

    shares (N,N,S) pi[i,j,s]: tariff-inclusive share of exporter i in importer j's spending on s
        (domestic share 1 where j spends nothing on s); tariffs (N,N,S) t; theta (S,);
    input_shares (N,S,S) gamma[j,n,k]; value_added_shares (N,S) beta; final_shares (N,S) alpha;
    value_added (N,) VA (wage bill); expenditure (N,S) X (starting point of the X' iteration);
    scale (N,) sum_s X[j,s] (normalises expenditure residuals); income (N,) I = VA + tariff revenue
    + deficit (the denominator of E_hat).
    """

    shares: jnp.ndarray
    tariffs: jnp.ndarray
    theta: jnp.ndarray
    input_shares: jnp.ndarray
    value_added_shares: jnp.ndarray
    final_shares: jnp.ndarray
    value_added: jnp.ndarray
    expenditure: jnp.ndarray
    scale: jnp.ndarray
    income: jnp.ndarray


class Outcome(NamedTuple):
    """Counterfactual quantities at ``x = log w_hat`` (shapes as in Baseline)."""

    w_hat: jnp.ndarray  # (N,)
    cost_hat: jnp.ndarray  # (N,S) c_hat
    price_index_sector_hat: jnp.ndarray  # (N,S) P_hat
    shares: jnp.ndarray  # (N,N,S) pi'
    expenditure: jnp.ndarray  # (N,S) X', tariff-inclusive, data units
    trade: jnp.ndarray  # (N,N,S) X'_ijs at world prices, data units
    sales: jnp.ndarray  # (N,S) Y'
    tariff_revenue: jnp.ndarray  # (N,) R'
    income: jnp.ndarray  # (N,) I'
    E_hat: jnp.ndarray  # (N,) I' / I


def baseline_arrays(trade, tariffs, theta, input_shares, value_added_shares, final_shares, value_added,
                    income) -> Baseline:
    """Calibrate shares from flows (N,N,S) at world prices and tariffs; other inputs as in Baseline."""
    trade, tariffs = jnp.asarray(trade, jnp.float64), jnp.asarray(tariffs, jnp.float64)
    spending = (1 + tariffs) * trade
    expenditure = spending.sum(axis=0)  # (N,S) X[j,s]
    domestic = jnp.broadcast_to(jnp.eye(trade.shape[0])[:, :, None], trade.shape)
    shares = jnp.where(expenditure > 0, spending / jnp.where(expenditure > 0, expenditure, 1.0), domestic)
    scale = expenditure.sum(axis=1)
    return Baseline(shares, tariffs, *(jnp.asarray(a, jnp.float64) for a in (
        theta, input_shares, value_added_shares, final_shares, value_added)), expenditure, scale,
                    jnp.asarray(income, jnp.float64))


# ----------------------------------------------------------------------------- fixed points
def _iterate(step, params, z0, tol=FIXED_POINT_TOL):
    """Iterate ``z = step(params, z)`` until no entry changes by more than ``tol``."""

    def unfinished(state):
        k, _, change = state
        return (k < MAX_ITERATIONS) & (change > tol)

    def advance(state):
        k, z, _ = state
        new = step(params, z)
        return k + 1, new, jnp.max(jnp.abs(new - z))

    return jax.lax.while_loop(unfinished, advance, (0, z0, jnp.inf))[1]


def _require_zero(tangents, what: str) -> None:
    """Derivatives flow through wages and the policy only; anything else is refused loudly."""
    if not all(isinstance(t, SymbolicZero) for t in jax.tree.leaves(
            tangents, is_leaf=lambda t: isinstance(t, SymbolicZero))):
        raise NotImplementedError(f"Caliendo-Parro inner solves are differentiable in wages and the policy, not in {what}")


def _dense(tangent, like):
    return jnp.zeros_like(like) if isinstance(tangent, SymbolicZero) else tangent


@jax.custom_jvp
def solve_log_prices(x, base: Baseline, log_tau_hat):
    """(N,S) log P_hat given log wages (N,): the fixed point of CP eqs. 10-11 (a contraction).

    Derivative (implicit function theorem): dlogP[j,s] = sum_i pi'[i,j,s] (dlogc[i,s] + dlogtau[i,j,s])
    with dlogc = beta dx + gamma' dlogP, itself iterated."""
    return _iterate(_price_step, (x, base, log_tau_hat), jnp.zeros_like(base.final_shares))


def _solve_log_prices_jvp(primals, tangents):
    x, base, log_tau_hat = primals
    dx, dbase, dtau = tangents
    _require_zero(dbase, "the baseline arrays")
    log_P = solve_log_prices(x, base, log_tau_hat)
    shares = new_shares(log_cost(x, base, log_P), log_P, base, log_tau_hat)
    dx, dtau = _dense(dx, x), _dense(dtau, log_tau_hat)
    forcing = jnp.einsum("ijs,is->js", shares, base.value_added_shares * dx[:, None]) + (shares * dtau).sum(axis=0)

    def step(b, v):
        return jnp.einsum("ijs,is->js", shares, jnp.einsum("ink,in->ik", base.input_shares, v)) + b

    return log_P, _iterate(step, forcing, forcing, TANGENT_TOL)


solve_log_prices.defjvp(_solve_log_prices_jvp, symbolic_zeros=True)


@jax.custom_jvp
def solve_expenditure(shares, new_tariffs, base: Baseline, fixed_income):
    """(N,S) X' / scale: the solution of the linear CP eq. 13 given trade shares pi' and the income
    that does not depend on X' (w_hat VA + D'), by iteration (a contraction).

    The right-hand side is linear in X', so the derivative iterates the same map with the
    derivative of the right-hand side in (pi', t', fixed income) at the solution as forcing."""
    return _iterate(_expenditure_step, (shares, new_tariffs, base, fixed_income), base.expenditure / base.scale[:, None])


def _solve_expenditure_jvp(primals, tangents):
    shares, new_tariffs, base, fixed_income = primals
    dshares, dtariffs, dbase, dincome = tangents
    _require_zero(dbase, "the baseline arrays")
    z = solve_expenditure(shares, new_tariffs, base, fixed_income)

    def step_at_solution(shares_, tariffs_, income_):
        return _expenditure_step((shares_, tariffs_, base, income_), z)

    _, forcing = jax.jvp(step_at_solution, (shares, new_tariffs, fixed_income),
                         (_dense(dshares, shares), _dense(dtariffs, new_tariffs), _dense(dincome, fixed_income)))
    zero_income = jnp.zeros_like(fixed_income)
    return z, _iterate(lambda b, v: _expenditure_step((shares, new_tariffs, base, zero_income), v) + b,
                       forcing, forcing, TANGENT_TOL)


solve_expenditure.defjvp(_solve_expenditure_jvp, symbolic_zeros=True)


# ----------------------------------------------------------------------------- the equations
def log_cost(x, base: Baseline, log_P):
    """(N,S) log c_hat[j,k] = beta log w_hat + sum_n gamma[j,n,k] log P_hat[j,n] (CP eq. 10)."""
    return base.value_added_shares * x[:, None] + jnp.einsum("jnk,jn->jk", base.input_shares, log_P)


def _exponents(log_c, base: Baseline, log_tau_hat):
    """(N,N,S) -theta_s (log c_hat[i,s] + log tau_hat[i,j,s]) where pi > 0, else -inf."""
    z = -base.theta * (log_c[:, None, :] + log_tau_hat)
    return jnp.where(base.shares > 0, z, -jnp.inf)


def log_price_index(log_c, base: Baseline, log_tau_hat):
    """(N,S) log P_hat[j,s] of CP eq. 11, computed stably (log-sum-exp over exporters)."""
    z = _exponents(log_c, base, log_tau_hat)
    top = jnp.max(z, axis=0)
    return -(top + jnp.log(jnp.sum(base.shares * jnp.exp(z - top), axis=0))) / base.theta


def _price_step(params, log_P):
    x, base, log_tau_hat = params
    return log_price_index(log_cost(x, base, log_P), base, log_tau_hat)


def new_shares(log_c, log_P, base: Baseline, log_tau_hat):
    """(N,N,S) pi' of CP eq. 12."""
    return base.shares * jnp.exp(_exponents(log_c, base, log_tau_hat) + base.theta * log_P)


def _flows(shares, new_tariffs, expenditure):
    """(N,N,S) flows at world prices pi' X'[j,s] / (1 + t')."""
    return shares * expenditure[None, :, :] / (1 + new_tariffs)


def _absorption(trade, new_tariffs, base: Baseline, fixed_income):
    """(N,S) right-hand side of CP eq. 13 and (N,) income I', from flows at world prices."""
    sales = trade.sum(axis=1)
    income = fixed_income + jnp.einsum("ijs,ijs->j", new_tariffs, trade)
    return jnp.einsum("jnk,jk->jn", base.input_shares, sales) + base.final_shares * income[:, None], income


def _expenditure_step(params, z):
    shares, new_tariffs, base, fixed_income = params  # z = X' / scale
    trade = _flows(shares, new_tariffs, z * base.scale[:, None])
    return _absorption(trade, new_tariffs, base, fixed_income)[0] / base.scale[:, None]


def log_tau_hat_of(base: Baseline, policy):
    """(N,N,S) log of the change of delivered cost: tariffs (1 + t')/(1 + t) times iceberg d_hat."""
    log_tau_hat = jnp.log1p(policy.tariffs) - jnp.log1p(base.tariffs)
    return log_tau_hat if policy.trade_cost_hat is None else log_tau_hat + jnp.log(policy.trade_cost_hat)


def outcome(x, base: Baseline, policy) -> Outcome:
    """Counterfactual quantities at ``x = log w_hat`` (N,) under ``policy`` (tariffs t', iceberg
    d_hat, deficits D' = -NX')."""
    new_tariffs, deficits = policy.tariffs, -policy.net_exports
    log_tau_hat = log_tau_hat_of(base, policy)
    log_P = solve_log_prices(x, base, log_tau_hat)
    log_c = log_cost(x, base, log_P)
    shares = new_shares(log_c, log_P, base, log_tau_hat)
    w_hat = jnp.exp(x)
    fixed_income = w_hat * base.value_added + deficits
    expenditure = solve_expenditure(shares, new_tariffs, base, fixed_income) * base.scale[:, None]
    trade = _flows(shares, new_tariffs, expenditure)
    revenue = jnp.einsum("ijs,ijs->j", new_tariffs, trade)
    income = fixed_income + revenue
    return Outcome(w_hat, jnp.exp(log_c), jnp.exp(log_P), shares, expenditure, trade, trade.sum(axis=1),
                   revenue, income, income / base.income)


def welfare_parts(x, base: Baseline, policy):
    """Industry incomes I' and I (N,S), value added plus tariff revenue shared by value added, and the
    consumer price index change P_hat (N,) with final-demand weights (for the games)."""
    out = outcome(x, base, policy)
    no_profits = jnp.zeros(base.theta.shape)
    base_revenue = jnp.einsum("ijs,ijs->j", base.tariffs, base.shares * base.expenditure[None] / (1 + base.tariffs))
    base_sales = (base.shares * base.expenditure[None] / (1 + base.tariffs)).sum(axis=1)
    income_base = welfare.industry_income(base.value_added_shares * base_sales, base_revenue, no_profits)
    income_new = welfare.industry_income(base.value_added_shares * out.sales, out.tariff_revenue, no_profits)
    return income_new, income_base, welfare.price_index_hat(base.final_shares, out.price_index_sector_hat)


def labour_market_residuals(out: Outcome, base: Baseline):
    """(N,) value added paid by sales minus the new wage bill, relative to the baseline wage bill."""
    return (base.value_added_shares * out.sales).sum(axis=1) / base.value_added - out.w_hat


def numeraire_residual(out: Outcome, base: Baseline):
    """World value added at its baseline level (relative)."""
    return (out.w_hat * base.value_added).sum() / base.value_added.sum() - 1


def residuals(x, base: Baseline, policy):
    """(N,) the square system solved: [numeraire, labour markets 1..N-1]."""
    out = outcome(x, base, policy)
    return jnp.concatenate([numeraire_residual(out, base)[None], labour_market_residuals(out, base)[1:]])


def jacobian(x, base: Baseline, policy):
    """(N, N) derivative of ``residuals``: forward mode through the implicit fixed points."""
    return jax.jacfwd(residuals)(x, base, policy)


def full_residuals(x, base: Baseline, policy):
    """(N + 1 + 2NS,) every equation: [labour markets, numeraire, price indices (log), expenditures
    (relative to the country's baseline spending)], rows of the (N,S) blocks in country order."""
    new_tariffs, deficits = policy.tariffs, -policy.net_exports
    out = outcome(x, base, policy)
    log_tau_hat = log_tau_hat_of(base, policy)
    prices = jnp.log(out.price_index_sector_hat) - log_price_index(jnp.log(out.cost_hat), base, log_tau_hat)
    absorption, _ = _absorption(out.trade, new_tariffs, base, out.w_hat * base.value_added + deficits)
    spending = (out.expenditure - absorption) / base.scale[:, None]
    return jnp.concatenate([labour_market_residuals(out, base), numeraire_residual(out, base)[None],
                            prices.ravel(), spending.ravel()])
