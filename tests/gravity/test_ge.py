"""One-sector GE: the book's chapter 2 experiments end to end, equations at the solution, invariances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffsim.errors import ConvergenceError, DataValidationError
from tariffsim.gravity import experiments, ge
from tariffsim.models.gravity_ge import GravityGE
from tariffsim.solve import SolverConfig, solve
from tariffsim.gravity.economy import GravityEconomy


@pytest.fixture(scope="module")
def borders(yotov):
    return experiments.trade_without_borders(yotov("Chapter2Application1"))


@pytest.fixture(scope="module")
def nafta(yotov):
    return experiments.nafta(yotov("Chapter2Application2"))


def _check_equations(result: ge.GEResult, T_new: np.ndarray, economy: GravityEconomy) -> None:
    """The GE equations written out again, independently of ge.equilibrium_residual."""
    s, cf, base = economy.sigma, result.counterfactual, result.baseline
    world = cf.Y.sum()
    np.testing.assert_allclose(cf.X.sum(axis=1), cf.Y, rtol=1e-10)  # market clearing
    np.testing.assert_allclose(cf.X.sum(axis=0), cf.E, rtol=1e-10)  # budgets
    np.testing.assert_allclose(cf.Pi ** (1 - s), (T_new * cf.E / world / cf.P ** (1 - s)).sum(axis=1), rtol=1e-10)
    np.testing.assert_allclose(cf.P ** (1 - s), (T_new * (cf.Y / world / cf.Pi ** (1 - s))[:, None]).sum(axis=0),
                               rtol=1e-10)
    if result.kind == "full":  # factory-gate prices: Y_i / Y_w = (gamma_i p_i Pi_i)^(1-sigma)
        gamma = base.Y / base.Y.sum() / base.Pi ** (1 - s)
        np.testing.assert_allclose(cf.Y / world, gamma * (cf.p * cf.Pi) ** (1 - s), rtol=1e-10)
        np.testing.assert_allclose(cf.Y, economy.Y * cf.p, rtol=1e-12)
    else:
        np.testing.assert_array_equal(cf.Y, economy.Y)
    assert cf.P[economy.index(result.reference)] == pytest.approx(1, abs=1e-12)
    assert result.max_residual <= 1e-10


@pytest.mark.parametrize("kind, imbalance", [("conditional", "multiplicative"), ("full", "multiplicative"),
                                             ("full", "additive")])
def test_trade_without_borders_end_to_end(borders, kind, imbalance):
    result = ge.counterfactual(borders.economy, borders.T_new, reference="DEU", kind=kind, imbalance=imbalance)
    _check_equations(result, borders.T_new, borders.economy)
    table = result.country_table().pivot(index="country", columns="variable", values="change_percent")
    assert (table["exports"] > 0).all() and (table["domestic_trade"] < 0).all()  # borders gone: trade goes abroad
    if kind == "full":
        assert (table["real_gdp"] > 0).all()  # everybody gains from removing borders
        n = len(borders.economy.countries)
        frame = result.to_frame()  # the one long table of every model: 15 country variables, 2 bilateral ones
        assert list(frame.columns) == ["level", "country", "partner", "sector", "variable", "value", "unit"]
        assert len(frame) == 15 * n + 2 * n * n
        gdp = frame.query("level == 'country' and variable == 'real_gdp'").set_index("country")["value"]
        np.testing.assert_allclose(gdp.loc[list(borders.economy.countries)], table.loc[list(borders.economy.countries),
                                   "real_gdp"], rtol=1e-12)


def test_nafta_end_to_end(nafta):
    result = ge.counterfactual(nafta.economy, nafta.T_new, reference="DEU")
    _check_equations(result, nafta.T_new, nafta.economy)
    flows = result.bilateral().set_index(["exporter", "importer"])["change_percent"]
    assert flows["USA", "MEX"] < 0 and flows["MEX", "CAN"] < 0  # members lose the agreement's preference
    gdp = result.country_table().query("variable == 'real_gdp'").set_index("country")["change_percent"]
    assert gdp[["CAN", "MEX", "USA"]].max() < 0 < gdp.drop(["CAN", "MEX", "USA"]).median()
    assert "real_gdp" in result.summary()


@pytest.mark.parametrize("imbalance", ["multiplicative", "additive"])
def test_reference_country_changes_no_real_result(nafta, imbalance):
    a = ge.counterfactual(nafta.economy, nafta.T_new, reference="DEU", imbalance=imbalance)
    b = ge.counterfactual(nafta.economy, nafta.T_new, reference="USA", imbalance=imbalance)
    np.testing.assert_allclose(a.counterfactual.Y / a.counterfactual.P, a.baseline.Y / a.baseline.P
                               * (b.counterfactual.Y / b.counterfactual.P) / (b.baseline.Y / b.baseline.P), rtol=1e-9)
    shares = [r.counterfactual.X / r.counterfactual.E for r in (a, b)]
    np.testing.assert_allclose(shares[0], shares[1], rtol=1e-9)
    ratio = a.counterfactual.p / b.counterfactual.p
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)  # nominal prices move by one common factor


def test_rescaling_trade_values_changes_no_percent_change(borders):
    eco = borders.economy
    scaled = GravityEconomy(eco.countries, eco.T, eco.Y * 1e6, eco.E * 1e6, eco.sigma)
    a = ge.counterfactual(eco, borders.T_new, reference="DEU").country_table()
    b = ge.counterfactual(scaled, borders.T_new, reference="DEU").country_table()
    np.testing.assert_allclose(a["change_percent"], b["change_percent"], atol=1e-8)
    np.testing.assert_allclose(b.query("variable == 'output'")["baseline"], 1e6 * eco.Y)


def test_mrs_from_fixed_effects_equal_solved_mrs(borders):
    fit = borders.estimates[0]
    fe = fit.fixed_effects()
    Pi, P = ge.mrs_from_fixed_effects(borders.economy, fe["exporter"], fe["importer"], "DEU")
    base = ge.baseline(borders.economy, "DEU")
    # limited by pyfixest's fixed-effect demeaning tolerance, not by the GE solver
    np.testing.assert_allclose(Pi, base.Pi, rtol=1e-5)
    np.testing.assert_allclose(P, base.P, rtol=1e-5)
    fitted = fit.fitted.to_numpy().reshape(base.X.shape)  # rows are sorted exporter, importer in the book's data
    np.testing.assert_allclose(base.X, fitted, rtol=1e-5)


def _economy(T: np.ndarray, Y=None, E=None) -> GravityEconomy:
    n = T.shape[0]
    Y = np.ones(n) if Y is None else Y
    return GravityEconomy(tuple(f"C{i}" for i in range(n)), T, Y, Y if E is None else E, 5.0)


def test_ill_posed_data_are_refused_with_the_reason():
    with pytest.raises(DataValidationError, match=r"zero domestic trade \(T\[i, i\] = 0\) for \['C1'\]"):
        _economy(np.array([[1.0, 0.5], [0.5, 0.0]]))
    with pytest.raises(DataValidationError, match=r"splits into 2 disconnected groups \[\['C0', 'C1'\], \['C2'\]\]"):
        _economy(np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    with pytest.raises(DataValidationError, match="output Y of C0 is 0.0"):
        _economy(np.eye(2) + 0.1, Y=np.array([0.0, 2.0]), E=np.array([1.0, 1.0]))
    with pytest.raises(DataValidationError, match="sigma = 1.0"):
        GravityEconomy(("A", "B"), np.ones((2, 2)), np.ones(2), np.ones(2), 1.0)


def test_solver_failure_is_an_error_that_says_what_to_try(nafta):
    one_step = SolverConfig(max_steps=1, fallback=False)
    with pytest.raises(ConvergenceError, match=r"multilateral resistances did not converge: largest residual .* after 1 "
                       r"newton steps.*SolverConfig\(max_steps"):
        ge.counterfactual(nafta.economy, nafta.T_new, reference="DEU", config=one_step)
    base = ge.baseline(nafta.economy, "DEU")
    model = GravityGE(reference="DEU", solver=one_step)
    with pytest.raises(ConvergenceError, match=r"gravity_ge equilibrium for NAFTA did not converge: largest relative "
                       r"residual .* after 1 newton steps. Failing equations: market clearing of .*Try: .*"
                       r"SolverConfig\(max_steps"):
        solve(model, model.calibrate(ge.world(nafta.economy, base)),
              ge.trade_cost_policy(nafta.economy, nafta.T_new, name="NAFTA"))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 6), seed=st.integers(0, 2**31 - 1), imbalance=st.sampled_from(["multiplicative", "additive"]))
def test_random_economies_solve_and_zero_shock_changes_nothing(n, seed, imbalance):
    rng = np.random.default_rng(seed)
    T = np.exp(rng.normal(size=(n, n)) * 1.5)  # costs over 2-3 orders of magnitude, as in the book's data
    Y = np.exp(rng.normal(size=n) * 2)
    E = Y * np.exp(rng.normal(size=n) * 0.3)
    E *= Y.sum() / E.sum()
    eco = _economy(T, Y, E)
    same = ge.counterfactual(eco, T, reference="C0", imbalance=imbalance)
    np.testing.assert_allclose(same.counterfactual.X, same.baseline.X, rtol=1e-9)
    shocked = T * np.exp(rng.normal(size=(n, n)))
    _check_equations(ge.counterfactual(eco, shocked, reference="C0", imbalance=imbalance), shocked, eco)
