"""Welfare measures as pure array functions (jax.numpy; numpy arrays work as inputs).

Used by ``Equilibrium`` for reporting and by the games, which differentiate them (MODEL_OSSA2014.md
§3.5-§3.6). Shapes: N countries, S sectors.
"""

from __future__ import annotations

from tariffsim._jax import jnp


def price_index_hat(sector_weights, price_index_sector_hat):
    """(N,) aggregate price index change prod_s P_js^mu_js; sector_weights mu (N,S), P_js hats (N,S)."""
    return jnp.exp((sector_weights * jnp.log(price_index_sector_hat)).sum(axis=1))


def industry_income(sales, tariff_revenue, profit_share):
    """(N,S) I_js = R_js + delta_js T_j: sales plus tariff revenue shared by wage-bill share delta.

    sales (N,S) R at world prices, tariff_revenue (N,) T, profit_share (S,).
    """
    wage_bill = (1 - profit_share) * sales
    delta = wage_bill / wage_bill.sum(axis=1, keepdims=True)
    return sales + delta * tariff_revenue[:, None]


def government_welfare_hat(weights, income_base, income_new, price_hat):
    """(N,) G_hat_j = (sum_s lambda_js I'_js / sum_s lambda_js I_js) / P_hat_j (§3.6).

    weights lambda (N,S) >= 0; income_base, income_new (N,S) from ``industry_income``; price_hat (N,).
    """
    return (weights * income_new).sum(axis=1) / (weights * income_base).sum(axis=1) / price_hat
