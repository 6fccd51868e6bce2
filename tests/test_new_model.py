"""A new model written in this one module plugs into ``solve``, ``optimal_tariffs`` and the long table
without touching any other file: multi-sector Armington with export taxes (an instrument no built-in
model has).

Economics checked, not only plumbing: with no export taxes the toy equals the built-in Armington model;
Lerner symmetry (with balanced trade, a uniform export tax has the real effects of a uniform import
tariff at the same rate) holds; its optimal tariffs equal Armington's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np
import pytest

from tariffsim import welfare
from tariffsim._jax import jnp
from tariffsim.errors import ScenarioError
from tariffsim.games import optimal_tariffs
from tariffsim.models import Armington
from tariffsim.models.base import Calibration, Equations, Kernel, TradeModel, Variable
from tariffsim.policy import Policy
from tariffsim.solve import solve
from tariffsim.synthetic import random_world


class Params(NamedTuple):
    gamma: jnp.ndarray  # (N,N,S) tariff-inclusive spending shares within (importer, sector)
    mu: jnp.ndarray  # (N,S) sector shares of spending
    tariffs: jnp.ndarray  # (N,N,S) baseline tariffs
    sigma: jnp.ndarray  # (S,)
    expenditure: jnp.ndarray  # (N,)
    wage_bill: jnp.ndarray  # (N,)


class Outcome(NamedTuple):
    w_hat: jnp.ndarray
    E_hat: jnp.ndarray
    price_index_sector_hat: jnp.ndarray
    trade: jnp.ndarray  # (N,N,S) buyer's pre-tariff value (export tax included)
    export_tax_revenue: jnp.ndarray  # (N,)


def export_tax(policy):
    """(N,N,S) the export taxes (PolicyArrays holds None when the policy sets none)."""
    return jnp.zeros_like(policy.tariffs) if policy.export_tax is None else policy.export_tax


def outcome(u, p: Params, policy) -> Outcome:
    n = p.expenditure.shape[0]
    w_hat, E_hat = jnp.exp(u[:n]), jnp.exp(u[n:])
    cost = w_hat[:, None, None] * (1 + export_tax(policy)) * (1 + policy.tariffs) / (1 + p.tariffs)
    weighted = p.gamma * cost ** (1 - p.sigma)
    index = weighted.sum(axis=0)
    spending = p.mu * (p.expenditure * E_hat)[:, None]
    trade = weighted / index * spending[None] / (1 + policy.tariffs)
    tax = (export_tax(policy) / (1 + export_tax(policy)) * trade).sum(axis=(1, 2))
    return Outcome(w_hat, E_hat, index ** (1 / (1 - p.sigma)), trade, tax)


def _parts(u, p: Params, policy):
    out = outcome(u, p, policy)
    wages = (out.trade / (1 + export_tax(policy))).sum(axis=(1, 2))  # producers receive the net price
    income = out.w_hat * p.wage_bill + out.export_tax_revenue + jnp.einsum("ijs,ijs->j", policy.tariffs, out.trade)
    return out, wages / p.wage_bill - out.w_hat, (income - policy.net_exports - p.expenditure * out.E_hat) / p.expenditure


def residuals(u, p, policy):
    out, labour, budget = _parts(u, p, policy)
    numeraire = (p.wage_bill * out.w_hat).sum() / p.wage_bill.sum() - 1
    return jnp.concatenate([numeraire[None], labour[1:], budget])


def full_residuals(u, p, policy):
    out, labour, budget = _parts(u, p, policy)
    numeraire = (p.wage_bill * out.w_hat).sum() / p.wage_bill.sum() - 1
    return jnp.concatenate([labour, budget, numeraire[None]])


def welfare_parts(u, p, policy):
    """Industry income as spending by sector: G_hat with unit weights is real income E_hat / P_hat."""
    out = outcome(u, p, policy)
    return (p.mu * (p.expenditure * out.E_hat)[:, None], p.mu * p.expenditure[:, None],
            welfare.price_index_hat(p.mu, out.price_index_sector_hat))


KERNEL = Kernel(residuals=residuals, full_residuals=full_residuals, outcome=outcome, welfare_parts=welfare_parts)


@dataclass(frozen=True)
class ExportTaxArmington(TradeModel):
    name: ClassVar[str] = "export_tax_armington"
    instruments: ClassVar[frozenset[str]] = frozenset({"tariffs", "export_tax", "net_exports"})
    variables: ClassVar[tuple[Variable, ...]] = (
        Variable("welfare", "country", "pct", "real income, % change", lambda e: 100 * (e.welfare_hat - 1),
                 "welfare", "headline"),
        Variable("export_tax_revenue_new", "country", "data_units", "export-tax revenue",
                 lambda e: e.export_tax_revenue),
        Variable("flow_new", "bilateral", "data_units", "flow summed over sectors", lambda e: e.trade.sum(axis=2)),
    )

    def kernel(self) -> Kernel:
        return KERNEL

    def calibrate(self, world) -> Calibration:
        spending = (1 + world.tariffs) * world.trade
        by_sector = spending.sum(axis=0)
        expenditure = by_sector.sum(axis=1)
        params = Params(jnp.asarray(spending / by_sector), jnp.asarray(by_sector / expenditure[:, None]),
                        jnp.asarray(world.tariffs), jnp.asarray(world.sigma), jnp.asarray(expenditure),
                        jnp.asarray(world.trade.sum(axis=(1, 2))))
        return Calibration(self, world, params, world)

    def equations(self, calibration, policy) -> Equations:
        world = calibration.world
        names = world.countries
        return Equations(self.kernel(), calibration.params, policy.arrays(world), np.zeros(2 * world.n_countries),
                         tuple(f"log w_hat {c}" for c in names) + tuple(f"log E_hat {c}" for c in names),
                         tuple(f"labour {c}" for c in names) + tuple(f"budget {c}" for c in names) + ("numeraire",))


@pytest.fixture(scope="module")
def world():
    return random_world(3, 2, seed=9, balanced=True)


def test_without_export_taxes_the_toy_is_armington(world):
    tariffs = world.tariffs * 1.5
    toy = ExportTaxArmington()
    mine = solve(toy, toy.calibrate(world), Policy(tariffs))
    theirs = Armington().solve(Armington().calibrate(world), Policy(tariffs))
    np.testing.assert_allclose(mine.welfare_hat, theirs.welfare_hat, rtol=1e-12)
    np.testing.assert_allclose(mine.trade, theirs.trade, rtol=1e-10)
    assert mine.max_residual <= 1e-10 and mine.model is toy
    assert list(mine.solution().index[:2]) == ["log w_hat C000", "log w_hat C001"]
    assert mine.residual_frame()["residual"].abs().iloc[0] == mine.max_residual
    assert len(mine.residual_frame()) == 2 * world.n_countries + 1  # every equation, Walras' dropped one too

def test_lerner_symmetry_export_tax_equals_import_tariff(world):
    """Balanced trade, one country: a 20% tax on all its exports = a 20% tariff on all its imports
    (real outcomes; the relative wage absorbs the difference)."""
    toy = ExportTaxArmington()
    calibration = toy.calibrate(world)
    tax = np.zeros(world.trade.shape)
    tax[0, 1:, :] = 0.2
    tariffs = world.tariffs.copy()
    tariffs[1:, 0, :] = (1 + tariffs[1:, 0, :]) * 1.2 - 1
    by_tax = solve(toy, calibration, Policy(world.tariffs, "zero", export_tax=tax))
    by_tariff = solve(toy, calibration, Policy(tariffs, "zero"))
    np.testing.assert_allclose(by_tax.welfare_hat, by_tariff.welfare_hat, rtol=1e-10)
    assert by_tax.export_tax_revenue[0] > 0 and by_tariff.export_tax_revenue[0] == 0


def test_the_toy_plugs_into_optimal_tariffs_and_the_long_table(world):
    toy = ExportTaxArmington()
    calibration = toy.calibrate(world)
    mine = optimal_tariffs(calibration, "C000", mfn=True)
    theirs = optimal_tariffs(Armington().calibrate(world), "C000", mfn=True)
    assert mine.kkt_residual <= 1e-6
    np.testing.assert_allclose(mine.chosen, theirs.chosen, rtol=1e-6)
    frame = solve(toy, calibration, Policy(world.tariffs, export_tax=np.full(world.trade.shape, 0.1))).to_frame()
    assert set(frame["variable"]) == {"welfare", "export_tax_revenue_new", "flow_new"}
    assert len(frame) == 3 + 3 + 9 and set(frame["unit"]) == {"pct", "data_units"}


def test_instruments_a_model_lacks_are_refused_by_name(world):
    armington = Armington()
    with pytest.raises(ScenarioError, match="the armington model does not support export_tax"):
        armington.solve(armington.calibrate(world), Policy(world.tariffs, export_tax=np.full(world.trade.shape, 0.1)))
