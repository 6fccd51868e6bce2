"""Experiment files run end to end on the book's data: same numbers as the book's experiments, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.errors import DataValidationError, ScenarioError, UnknownNameError
from tariffsim.gravity import experiments, ge
from tariffsim.gravity.experiment_file import experiment_from_dict
from tariffsim.gravity.pipeline import fixed_effects_of, run_experiment


def test_no_borders_file_reproduces_the_book_experiment(borders_run, yotov):
    book = experiments.trade_without_borders(yotov("Chapter2Application1"))
    expected = ge.counterfactual(book.economy, book.T_new, reference="DEU")
    np.testing.assert_allclose(borders_run.costs.economy().T, book.economy.T, rtol=1e-12)
    np.testing.assert_allclose(borders_run.costs.T_new(), book.T_new, rtol=1e-12)
    np.testing.assert_allclose(borders_run.result.change_percent(), expected.change_percent(), rtol=1e-10, atol=1e-12)
    assert borders_run.result.max_residual <= 1e-10 and borders_run.stage2 is None


def test_nafta_file_changes_only_member_pairs(nafta_run):
    costs = nafta_run.costs
    b = costs.beta[costs.terms.index("RTA")]
    log_hat = costs.log_T(costs.beta, counterfactual=True) - costs.log_T(costs.beta)
    members = [costs.countries.index(c) for c in ("CAN", "MEX", "USA")]
    expected = np.zeros_like(log_hat)
    for i in members:
        for j in members:
            expected[i, j] = -b * (i != j)  # all three pairs had RTA = 1 in 2006
    np.testing.assert_allclose(log_hat, expected, atol=1e-12)
    assert nafta_run.stage2 is not None and np.isfinite(costs.offset).all()  # separated pairs were predicted
    gdp = dict(zip(costs.countries, nafta_run.result.change_percent()[ge.VARIABLES.index("real_gdp")], strict=True))
    assert max(gdp["CAN"], gdp["MEX"], gdp["USA"]) < 0 < gdp["DEU"]
    assert nafta_run.result.max_residual <= 1e-10


def spec_for_borders(**ge_table):
    return {"title": "t", "estimation": {"formula": "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer",
                                         "years": [2006]},
            "ge": {"year": 2006, **ge_table}, "change": [{"variable": "INTL_BRDR", "value": 0}]}


@pytest.mark.parametrize("edit, error, message", [
    (lambda d: d["change"][0].update(among=["DEU", "FRA", "ITAA"]), UnknownNameError,
     r"change 1: unknown country 'ITAA'.*Did you mean 'ITA'"),
    (lambda d: d["change"][0].update(variable="INTL_BRDER"), ScenarioError,
     r"variable 'INTL_BRDER' is not a column of the data. Did you mean 'INTL_BRDR'"),
    (lambda d: d["ge"].update(year=2030), DataValidationError, r"no rows for year 2030 .*years: 1986-2006"),
    (lambda d: d["estimation"].update(formula="trade ~ INTL_BRDR | exporter + importer + CNTG"), ScenarioError,
     r"fixed effect\(s\) \['CNTG'\]"),
])
def test_mistakes_found_before_estimating(yotov, edit, error, message):
    document = spec_for_borders()
    edit(document)
    with pytest.raises(error, match=message):
        run_experiment(experiment_from_dict(document), yotov("Chapter2Application1"))


def test_change_of_a_variable_outside_the_formula_or_to_its_own_value_is_refused(yotov):
    data = yotov("Chapter2Application1")
    not_a_term = spec_for_borders()
    not_a_term["change"][0]["variable"] = "LANG"
    with pytest.raises(ScenarioError, match=r"'LANG' is not a term of the estimated equation.*Terms: ln_DIST, CNTG"):
        run_experiment(experiment_from_dict(not_a_term), data)
    same = spec_for_borders()
    same["change"][0]["value"] = 1  # international pairs already have INTL_BRDR = 1
    with pytest.raises(ScenarioError, match="the changes leave every trade cost of 2006 as it is"):
        run_experiment(experiment_from_dict(same), data)


def test_trade_cost_change_and_default_reference(yotov):
    document = spec_for_borders(kind="conditional")
    document["change"] = [{"trade_cost_percent": 10, "exporters": ["CHN"], "importers": ["USA"]}]
    run = run_experiment(experiment_from_dict(document), yotov("Chapter2Application1"))
    i, j = run.costs.countries.index("CHN"), run.costs.countries.index("USA")
    ratio = run.costs.T_new() / run.costs.economy().T
    assert ratio[i, j] == pytest.approx(1.1 ** (1 - 7.0), rel=1e-12)
    assert np.count_nonzero(np.abs(ratio - 1) > 1e-15) == 1
    assert run.result.reference == run.costs.countries[int(np.argmax(run.costs.E))] == "USA"
    flows = run.result.bilateral().set_index(["exporter", "importer"])["change_percent"]
    assert flows["CHN", "USA"] < 0 < flows["CHN", "DEU"]  # trade diverted


def test_fixed_effects_of_formula():
    assert fixed_effects_of("trade ~ RTA | exp_year + imp_year + pair") == ("exp_year", "imp_year", "pair")
    assert fixed_effects_of("trade ~ RTA") == ()


def test_design_gives_the_same_experiment_as_its_formula(borders_run, yotov):
    document = spec_for_borders(reference="DEU")
    document["estimation"] = {"covariates": ["ln_DIST", "CNTG", "INTL_BRDR"], "fixed_effects": "exporter+importer",
                              "years": [2006], "domestic": True}
    run = run_experiment(experiment_from_dict(document), yotov("Chapter2Application1"))
    assert run.fit.formula == "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer"
    np.testing.assert_allclose(run.costs.beta, borders_run.costs.beta, rtol=1e-10)
    np.testing.assert_allclose(run.result.change_percent(), borders_run.result.change_percent(), rtol=1e-8)
