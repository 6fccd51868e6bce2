"""Experiment files: the examples parse; every kind of mistake gets a message naming the place and the fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tariffsim.errors import ScenarioError, UnknownNameError
from tariffsim.gravity.costs import CostChange
from tariffsim.gravity.experiment_file import experiment_from_dict, load_experiment

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "gravity"


def minimal(**overrides):
    document = {"title": "t", "estimation": {"formula": "trade ~ RTA | exp_year + imp_year + pair"},
                "change": [{"variable": "RTA", "value": 0, "among": ["USA", "CAN"]}]}
    document.update(overrides)
    return document


def test_examples_parse_to_what_they_say():
    nafta = load_experiment(EXAMPLES / "nafta.toml")
    assert nafta.estimation.formula == "trade ~ RTA | exp_year + imp_year + pair"
    assert nafta.estimation.years == (1986, 1990, 1994, 1998, 2002, 2006) and nafta.estimation.domestic
    assert (nafta.ge.year, nafta.ge.kind, nafta.ge.imbalance, nafta.ge.reference, nafta.ge.sigma) == (
        2006, "full", "multiplicative", "DEU", 7.0)
    (change,) = nafta.changes
    assert change.variables == ("RTA",) and change.value == 0 and change.among == ("USA", "CAN", "MEX")
    assert (nafta.uncertainty.method, nafta.uncertainty.draws, nafta.uncertainty.seed) == ("monte-carlo", 1000, 2006)
    borders = load_experiment(EXAMPLES / "no_borders.toml")
    assert borders.changes[0].variables == ("INTL_BRDR",) and borders.changes[0].among is None


def test_design_instead_of_formula():
    spec = experiment_from_dict(minimal(estimation={"covariates": ["RTA"], "fixed_effects":
                                                    "exporter-year+importer-year+pair", "years": [2002, 2006]}))
    assert spec.estimation.formula is None
    assert spec.estimation.design.fixed_effects == "exporter-year+importer-year+pair"
    assert spec.estimation.design.years == (2002, 2006)


@pytest.mark.parametrize("document, message", [
    (minimal(titel="x"), r"<dict>: unknown key 'titel'. Did you mean 'title'\?"),
    (minimal(ge={"knd": "full"}), r"\[ge\]: unknown key 'knd'. Did you mean 'kind'\?"),
    (minimal(ge={"kind": "ful"}), r"kind = 'ful' is not one of 'conditional', 'full'. Did you mean 'full'\?"),
    (minimal(ge={"sigma": 0.5}), r"sigma = 0.5: the elasticity of substitution must exceed 1"),
    (minimal(estimation={"formula": "trade ~ RTA", "covariates": ["RTA"]}), r"either formula = .* not both"),
    (minimal(estimation={"formula": "trade ~ RTA", "fixed_effects": "exporter+importer"}),
     r"unknown key 'fixed_effects'.*write fixed effects after \| in the formula"),
    (minimal(estimation={"formula": "trade ~ RTA", "years": [2006.5]}), r"years = \[2006.5\]: give whole numbers"),
    (minimal(change=[{"variable": "RTA", "among": ["USA"]}]), r"change 1: value is missing"),
    (minimal(change=[{"variable": "RTA", "value": 0, "trade_cost_percent": 5}]), r"change 1: give either .* not both"),
    (minimal(change=[{"value": 0, "amoung": ["USA"]}]), r"unknown key 'amoung'. Did you mean 'among'\?"),
    (minimal(change=[{"description": "x", "variable": "RTA", "value": 0, "among": ["USA"], "exporters": ["CAN"]}]),
     r"change 1 \(x\): give among = \[...\] .* not both"),
    (minimal(change=[]), r"the experiment changes nothing"),
    (minimal(uncertainty={"method": "bootstrapp"}), r"Did you mean 'bootstrap'\?"),
    (minimal(uncertainty={"draws": -1}), r"draws must be >= 0"),
    ({"title": "t", "change": [{"variable": "RTA", "value": 0}]}, r"the \[estimation\] table is missing"),
])
def test_mistakes_are_named_with_a_fix(document, message):
    with pytest.raises(ScenarioError, match=message):
        experiment_from_dict(document)


def test_file_errors_name_the_file(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        load_experiment(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text('title = "x\n')
    with pytest.raises(ScenarioError, match=r"broken.toml: not a valid TOML file"):
        load_experiment(broken)


def test_change_pairs_are_international_and_names_are_checked():
    countries = ("CAN", "DEU", "MEX", "USA")
    exp, imp = np.repeat(countries, 4), np.tile(countries, 4)
    among = CostChange("change 1", ("RTA",), 0.0, among=("USA", "CAN", "MEX"))
    chosen = {(e, i) for e, i, m in zip(exp, imp, among.pairs(exp, imp, countries), strict=True) if m}
    assert chosen == {(a, b) for a in ("CAN", "MEX", "USA") for b in ("CAN", "MEX", "USA") if a != b}
    directed = CostChange("change 2", trade_cost_percent=10.0, exporters=("DEU",))
    assert directed.pairs(exp, imp, countries).sum() == 3  # DEU to the three others, not DEU-DEU
    assert CostChange("change 3", ("X",), 0.0).pairs(exp, imp, countries).sum() == 12
    with pytest.raises(UnknownNameError, match=r"change 1: unknown country 'USB'.*Did you mean 'USA'\?"):
        CostChange("change 1", ("RTA",), 0.0, among=("USB", "CAN")).pairs(exp, imp, countries)
