"""Equilibrium in changes of the multi-sector trade model, as pure ``jax.numpy`` functions.

One set of equations serves both model classes (MODEL_OSSA2014.md §2-§3):

- ``krugman``: monopolistic competition with a fixed measure of firms; a share ``1/sigma_s`` of
  sales is operating profit, the rest is the wage bill;
- ``armington``: perfect competition; all sales are labour income (profit share 0).

Flows react to costs identically in both (partial trade elasticity ``sigma_s - 1``); the models differ
only in how sales split into wages and profits, the ``profit_share[s]`` parameter below.

Every function takes the ``PolicyArrays`` of the counterfactual (``policy.tariffs`` t',
``policy.trade_cost_hat`` iceberg-cost changes d_hat, ``policy.net_exports`` NX'); iceberg costs enter
the delivered price of every good, w_hat d_hat (1 + t') / (1 + t).

Unknowns are logs of hats, ``u = (log w_hat[0..N-1], log E_hat[0..N-1])``; the system has 2N
equations: the numeraire (world labour income fixed) in place of country 0's labour market, the other
N - 1 labour markets, and N budget constraints. Every residual is relative (divided by the baseline
wage bill or expenditure of its country). ``full_residuals`` adds back the dropped labour market so a
solution can be verified against every equation.
"""

from __future__ import annotations

from typing import NamedTuple

from tariffsim import welfare
from tariffsim._jax import jnp


class Baseline(NamedTuple):
    """Baseline arrays of a calibrated world (a JAX pytree). Shapes: N countries, S sectors.

    trade (N,N,S) X, tariffs (N,N,S) t, sigma (S,), profit_share (S,) pi_s,
    gamma (N,N,S) tariff-inclusive expenditure shares within (importer, sector) (MODEL §2),
    mu (N,S) Cobb-Douglas sector shares of each importer's spending,
    expenditure (N,) E, wage_bill (N,) Y^L, net_exports (N,) NX, all in data units.
    """

    trade: jnp.ndarray
    tariffs: jnp.ndarray
    sigma: jnp.ndarray
    profit_share: jnp.ndarray
    gamma: jnp.ndarray
    mu: jnp.ndarray
    expenditure: jnp.ndarray
    wage_bill: jnp.ndarray
    net_exports: jnp.ndarray


class Outcome(NamedTuple):
    """Counterfactual levels and hats at a point ``u`` (shapes as in Baseline)."""

    w_hat: jnp.ndarray  # (N,) wage
    E_hat: jnp.ndarray  # (N,) tariff-inclusive expenditure
    price_index_sector_hat: jnp.ndarray  # (N,S) P_hat[j, s]
    shares: jnp.ndarray  # (N,N,S) new expenditure shares within (importer, sector)
    trade: jnp.ndarray  # (N,N,S) X' at world prices, data units
    sales: jnp.ndarray  # (N,S) R'
    tariff_revenue: jnp.ndarray  # (N,) T'


def baseline_arrays(trade, tariffs, sigma, profit_share) -> Baseline:
    """Calibrate shares from flows, tariffs and elasticities (MODEL §2). Inputs as numpy or jax arrays."""
    trade, tariffs, sigma, profit_share = (jnp.asarray(a, dtype=jnp.float64)
                                           for a in (trade, tariffs, sigma, profit_share))
    spending = (1 + tariffs) * trade
    sector_spending = spending.sum(axis=0)  # (N,S) E_js
    n = trade.shape[0]
    # A sector nobody in j buys (E_js = 0) keeps uniform shares: they multiply zero spending.
    gamma = jnp.where(sector_spending > 0, spending / jnp.where(sector_spending > 0, sector_spending, 1), 1.0 / n)
    expenditure = sector_spending.sum(axis=1)
    sales = trade.sum(axis=1)  # (N,S) R_is
    wage_bill = ((1 - profit_share) * sales).sum(axis=1)
    net_exports = trade.sum(axis=(1, 2)) - trade.sum(axis=(0, 2))
    return Baseline(trade, tariffs, sigma, profit_share, gamma, sector_spending / expenditure[:, None],
                    expenditure, wage_bill, net_exports)


def outcome(u: jnp.ndarray, base: Baseline, policy) -> Outcome:
    """Counterfactual quantities at log-hats ``u`` (2N,) under ``policy`` (MODEL §3.3)."""
    n = base.trade.shape[0]
    new_tariffs = policy.tariffs
    w_hat, E_hat = jnp.exp(u[:n]), jnp.exp(u[n:])
    exponent = 1 - base.sigma  # (S,)
    tau_hat = (1 + new_tariffs) / (1 + base.tariffs)
    if policy.trade_cost_hat is not None:
        tau_hat = tau_hat * policy.trade_cost_hat
    weighted = base.gamma * (w_hat[:, None, None] * tau_hat) ** exponent  # gamma (w tau)^(1-sigma)
    Q = weighted.sum(axis=0)  # (N,S) = P_hat^(1-sigma)
    shares = weighted / Q
    sector_spending = base.mu * (base.expenditure * E_hat)[:, None]  # (N,S) E'_js
    trade = shares * sector_spending[None, :, :] / (1 + new_tariffs)
    return Outcome(
        w_hat=w_hat,
        E_hat=E_hat,
        price_index_sector_hat=Q ** (1 / exponent),
        shares=shares,
        trade=trade,
        sales=trade.sum(axis=1),
        tariff_revenue=jnp.einsum("ijs,ijs->j", new_tariffs, trade),
    )


def labour_market_residuals(out: Outcome, base: Baseline) -> jnp.ndarray:
    """(N,) wage bill paid by sales minus wage bill at the new wage, relative to the baseline bill."""
    paid = ((1 - base.profit_share) * out.sales).sum(axis=1)
    return paid / base.wage_bill - out.w_hat


def budget_residuals(out: Outcome, base: Baseline, new_net_exports: jnp.ndarray) -> jnp.ndarray:
    """(N,) income minus spending, relative to baseline expenditure (MODEL §3.3 budget constraint)."""
    income = (out.w_hat * base.wage_bill + (base.profit_share * out.sales).sum(axis=1)
              + out.tariff_revenue - new_net_exports)
    return (income - base.expenditure * out.E_hat) / base.expenditure


def numeraire_residual(out: Outcome, base: Baseline) -> jnp.ndarray:
    """World labour income held at its baseline value (relative)."""
    return (base.wage_bill * out.w_hat).sum() / base.wage_bill.sum() - 1


def residuals(u, base: Baseline, policy) -> jnp.ndarray:
    """(2N,) the square system solved: [numeraire, labour markets 1..N-1, budgets 0..N-1]."""
    out = outcome(u, base, policy)
    labour = labour_market_residuals(out, base)
    return jnp.concatenate([numeraire_residual(out, base)[None], labour[1:],
                            budget_residuals(out, base, policy.net_exports)])


def full_residuals(u, base: Baseline, policy) -> jnp.ndarray:
    """(2N+1,) every equation: [labour markets 0..N-1, budgets 0..N-1, numeraire]."""
    out = outcome(u, base, policy)
    return jnp.concatenate([labour_market_residuals(out, base),
                            budget_residuals(out, base, policy.net_exports),
                            numeraire_residual(out, base)[None]])


def welfare_parts(u, base: Baseline, policy):
    """Industry incomes I' and I (N,S) and the price index change P_hat (N,) at ``u`` (MODEL §3.6)."""
    out = outcome(u, base, policy)
    price = welfare.price_index_hat(base.mu, out.price_index_sector_hat)
    base_revenue = jnp.einsum("ijs,ijs->j", base.tariffs, base.trade)
    income_base = welfare.industry_income(base.trade.sum(axis=1), base_revenue, base.profit_share)
    income_new = welfare.industry_income(out.sales, out.tariff_revenue, base.profit_share)
    return income_new, income_base, price


def jacobian(u, base: Baseline, policy) -> jnp.ndarray:
    """(2N, 2N) exact derivative of ``residuals`` with respect to ``u``, from analytic blocks.

    Costs two (N x NS) @ (NS x N) products instead of 2N residual passes (``jax.jacfwd``), which
    matters for large worlds; tests check it against ``jax.jacfwd``. With x = log w_hat, y = log E_hat,
    c_s = 1 - sigma_s: dX'[i,j,s]/dx_k = c_s X'[i,j,s] (1[i=k] - share'[k,j,s]) and
    dX'[i,j,s]/dy_l = X'[i,j,s] 1[j=l].
    """
    new_tariffs = policy.tariffs  # net exports enter the residuals additively
    out = outcome(u, base, policy)
    n = base.trade.shape[0]
    eye = jnp.eye(n)
    c = 1 - base.sigma
    labour_weight = (1 - base.profit_share) * c  # (S,)
    profit_weight = base.profit_share * c
    X, share = out.trade, out.shares
    # cross[i, k] = sum_{j,s} weight_s X'[i,j,s] share'[k,j,s]
    cross_labour = jnp.einsum("ijs,kjs->ik", X * labour_weight, share)
    cross_profit = jnp.einsum("ijs,kjs->ik", X * profit_weight, share)
    own_labour = (labour_weight * out.sales).sum(axis=1)  # sum_s (1-pi) c R'_is
    own_profit = (profit_weight * out.sales).sum(axis=1)
    revenue_by_sector = jnp.einsum("ijs,ijs->js", new_tariffs, X)  # (N,S) sum_i t' X' of importer j
    # d T'_j / d x_k = sum_s c t'[k,j,s] X'[k,j,s] - sum_s c share'[k,j,s] revenue_by_sector[j,s]
    d_revenue_dx = (jnp.einsum("kjs,s->jk", new_tariffs * X, c)
                    - jnp.einsum("kjs,js,s->jk", share, revenue_by_sector, c))

    d_labour_dx = (eye * (own_labour - out.w_hat * base.wage_bill)[:, None] - cross_labour)
    d_labour_dy = jnp.einsum("ils,s->il", X, 1 - base.profit_share)
    d_budget_dx = (eye * (out.w_hat * base.wage_bill + own_profit)[:, None] - cross_profit + d_revenue_dx)
    d_budget_dy = (jnp.einsum("jls,s->jl", X, base.profit_share)
                   + eye * (out.tariff_revenue - base.expenditure * out.E_hat)[:, None])

    labour = jnp.concatenate([d_labour_dx, d_labour_dy], axis=1) / base.wage_bill[:, None]
    budget = jnp.concatenate([d_budget_dx, d_budget_dy], axis=1) / base.expenditure[:, None]
    numeraire = jnp.concatenate([base.wage_bill * out.w_hat, jnp.zeros(n)]) / base.wage_bill.sum()
    return jnp.concatenate([numeraire[None, :], labour[1:], budget], axis=0)
