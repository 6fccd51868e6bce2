"""Issue 11, weak items: a counterfactual that fails because a country cannot keep (or drop) its trade
imbalance says so and gives the options that help (CLI and Python API apart); a scenario step that
changes only cells without baseline trade is a ScenarioWarning; World.exports / imports are sums of the
cross-border cells, so a country without foreign trade has exactly 0."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.errors import ConvergenceError
from tariffsim.io import read_world, write_long
from tariffsim.models import Armington, Krugman
from tariffsim.policy import Policy
from tariffsim.purge import purge
from tariffsim.report.tables import sector_changes
from tariffsim.scenario import ScenarioWarning, load_scenario, scenario_from_dict, scenario_warnings
from tariffsim.solve import SolverConfig
from tariffsim.synthetic import random_world
from tariffsim.world import World

MODELS = [Krugman(), Armington()]
K = 1  # the country made (almost) isolated: C001
OTHERS = [0, 2, 3]


def few_imports(fraction: float, *, seed: int = 3) -> World:
    """A 4-country world in which C001's imports are ``fraction`` of what they were: a surplus country
    with (almost) no imports when ``fraction`` is small, none at all when it is 0."""
    base = random_world(4, 3, seed=seed)
    trade = np.array(base.trade)
    trade[OTHERS, K, :] *= fraction
    return World(base.countries, base.sectors, trade, base.tariffs, base.sigma, label="few imports")


def hit_exports(world: World, points: float) -> Policy:
    """Everyone adds ``points`` percentage points to the tariffs on C001's goods."""
    tariffs = np.array(world.tariffs)
    tariffs[K, OTHERS, :] += points / 100
    return Policy(tariffs, name="hit C001")


def failure(model, world: World, policy: Policy) -> str:
    with pytest.raises(ConvergenceError) as caught:
        model.solve(model.calibrate(world), policy)
    return str(caught.value)


# ---------------------------------------------------------------- the cause of a failed counterfactual
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_a_surplus_country_with_almost_no_imports_gets_the_cause_and_the_options_that_help(model):
    world = few_imports(1e-4)
    assert world.net_exports[K] > 0 and world.imports[K] < 1e-3 * world.net_exports[K]
    policy = hit_exports(world, 200)
    message = failure(model, world, policy)
    assert "C001 has net exports of" in message and "surplus" in message
    assert "almost no imports" in message and "cannot keep that surplus" in message
    assert "--purge" in message and 'net_exports = "zero" in the scenario' in message
    assert "Command line:" in message and "Python API:" in message
    assert "SolverConfig is for the Python API only" in message and "command line has no option" in message
    # the options named really help: with balanced trade (either way) the same shock solves
    zero = Policy(policy.tariffs, "zero", name="hit C001, balanced")
    assert model.solve(model.calibrate(world), zero).max_residual < 1e-9
    purged = purge(world, model)
    assert model.solve(model.calibrate(purged), hit_exports(purged, 200)).max_residual < 1e-9


def test_a_deficit_country_with_almost_no_exports_gets_the_cause_too():
    base = random_world(4, 3, seed=3)
    trade = np.array(base.trade)
    trade[K, OTHERS, :] *= 1e-4  # C001 sells (almost) nothing abroad: a deficit
    world = World(base.countries, base.sectors, trade, base.tariffs, base.sigma)
    tariffs = np.array(world.tariffs)
    tariffs[OTHERS, K, :] += 1e4 / 100  # C001 taxes everything it buys
    message = failure(Krugman(), world, Policy(tariffs, name="C001 closes"))
    assert "C001 has net exports of -" in message and "deficit" in message
    assert "almost no exports" in message and "--purge" in message and 'net_exports = "zero"' in message


def test_with_no_imports_at_all_balancing_cannot_help_and_the_message_says_so():
    model = Krugman()
    world = few_imports(0.0)
    assert world.imports[K] == 0.0 and world.exports[K] > 0
    message = failure(model, world, hit_exports(world, 200))
    assert "C001 has net exports of" in message and "no imports at all" in message
    assert "--purge and net_exports = \"zero\" cannot help" in message and "in the data" in message
    assert "Command line: run with --purge" not in message
    # and indeed: balanced trade needs C001's exports to vanish, so purging fails, saying why
    purge_failure = failure(model, world, Policy(world.tariffs, "zero", name="purge"))
    assert "C001 has exports" in purge_failure and "cannot balance" in purge_failure


def test_a_failure_without_an_imbalance_cause_keeps_the_generic_hint_marked_as_python_api():
    world = random_world(3, 2, seed=0)
    model = Krugman(solver=SolverConfig(max_steps=0, fallback=False))
    tariffs = np.array(world.tariffs) + 0.5
    tariffs[np.arange(3), np.arange(3), :] = 0.0
    message = failure(model, world, Policy(tariffs, name="shock"))
    assert "Likely cause" not in message and "--purge" not in message
    assert "Try: check for extreme tariffs" in message
    assert "SolverConfig is for the Python API only: Krugman(solver=SolverConfig(...))" in message


def test_the_solve_command_prints_the_cause_and_purge_or_zero_net_exports_then_solve(tmp_path):
    folder = write_long(few_imports(1e-4), tmp_path / "few")
    changes = ('[[change]]\ndescription = "everyone adds 200 points on C001"\nimporters = "all"\n'
               'exporters = ["C001"]\nadd_points = 200\n')
    fixed, zero = tmp_path / "fixed.toml", tmp_path / "zero.toml"
    fixed.write_text(f'title = "hit"\ndescription = "test"\n\n{changes}')
    zero.write_text(f'title = "hit"\ndescription = "test"\nnet_exports = "zero"\n\n{changes}')
    runner = CliRunner()
    failed = runner.invoke(app, ["solve", "--data", str(folder), "--scenario", str(fixed)])
    assert failed.exit_code == 1, failed.output
    text = " ".join(failed.output.split())
    assert "C001 has net exports of" in text and "almost no imports" in text
    assert "run with --purge" in text and 'net_exports = "zero" in the scenario' in text
    for args in (["--scenario", str(fixed), "--purge"], ["--scenario", str(zero)]):
        result = runner.invoke(app, ["solve", "--data", str(folder), *args])
        assert result.exit_code == 0, result.output
        assert "Equilibrium verified" in result.output


# ------------------------------------------------------------------ steps on cells without trade
def _scenario(**change):
    return scenario_from_dict({"title": "t", "description": "d",
                               "change": [{"description": "the step", "add_points": 10, **change}]}, "test.toml")


def _without_pair(world: World, exporter: str, importer: str, sector: str) -> World:
    trade = np.array(world.trade)
    trade[world.country_index(exporter), world.country_index(importer), world.sector_indices([sector])[0]] = 0.0
    return world.replace(trade=trade)


def test_a_step_on_cells_without_trade_warns_naming_the_step_and_a_normal_one_does_not(data_dir):
    world = read_world(data_dir / "ossa2014")
    step = _scenario(importers=["USA"], exporters=["JPN"], sectors=["mvh"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        step.apply(world)  # the real data trade the cell: no warning
        load_scenario("examples/us_autos_japan.toml").apply(world)
    untraded = _without_pair(world, "JPN", "USA", "mvh")
    with pytest.warns(ScenarioWarning) as caught:
        policy = step.apply(untraded)
    (warning,) = caught
    text = str(warning.message)
    assert text.startswith("test.toml, [[change]] #1") and "'the step'" in text
    assert "has no effect" in text and "no baseline trade" in text
    assert "exporter JPN, importer USA, sector mvh" in text
    assert not np.array_equal(policy.tariffs, untraded.tariffs)  # still applied: a warning, not an error


def test_a_step_touching_some_traded_cells_does_not_warn_and_trade_cost_steps_do():
    world = random_world(3, 2, seed=5)
    trade = np.array(world.trade)
    trade[0, 1, :] = 0.0  # C000 sells nothing to C001
    world = world.replace(trade=trade)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _scenario(importers="all", exporters=["C000"]).apply(world)  # C002 still buys from C000
    with pytest.warns(ScenarioWarning, match=r"\[\[change\]\] #1.*no baseline trade on any of the 2 tariffs"):
        _scenario(importers=["C001"], exporters=["C000"]).apply(world)
    barrier = scenario_from_dict({"title": "t", "description": "d", "change": [
        {"description": "a barrier", "importers": ["C001"], "exporters": ["C000"], "sectors": ["s00"],
         "trade_cost_points": 10}]})
    with pytest.warns(ScenarioWarning, match="the one trade cost it changes"):
        barrier.apply(world)


def test_scenario_warnings_hands_scenario_warnings_to_the_caller_and_lets_others_through():
    world = random_world(3, 2, seed=5)
    trade = np.array(world.trade)
    trade[0, 1, :] = 0.0
    world = world.replace(trade=trade)
    shown: list[str] = []

    def apply_and_warn() -> None:
        with scenario_warnings(shown.append):
            _scenario(importers=["C001"], exporters=["C000"]).apply(world)
            warnings.warn("something else", RuntimeWarning, stacklevel=1)

    with pytest.warns(RuntimeWarning, match="something else") as caught:
        apply_and_warn()
    assert [w.category for w in caught] == [RuntimeWarning]  # the ScenarioWarning went to `shown` only
    assert len(shown) == 1 and "[[change]] #1" in shown[0] and "no baseline trade" in shown[0]


# ------------------------------------------------------------------------ exports of zero are 0.0
def test_world_exports_and_imports_are_exactly_zero_without_foreign_trade():
    base = random_world(4, 3, seed=11)
    trade = np.array(base.trade)
    trade[K, OTHERS, :] = 0.0  # no exports
    trade[[0, 1, 3], 2, :] = 0.0  # C002: no imports
    trade *= 1 + 1e-3 * np.random.default_rng(0).standard_normal(trade.shape)  # awkward floats
    world = World(base.countries, base.sectors, trade, base.tariffs, base.sigma)
    assert world.exports[K] == 0.0 and world.imports[2] == 0.0
    assert world.exports[2] > 0 and world.imports[K] > 0
    assert world.net_exports[K] == -world.imports[K] and world.net_exports[2] == world.exports[2]
    idx = np.arange(4)
    assert np.allclose(world.exports, trade.sum(axis=(1, 2)) - trade[idx, idx].sum(axis=1))
    assert np.all(np.isnan(world.mean_tariff[2])) and np.all(np.isfinite(world.mean_tariff[K]))
    with pytest.raises(ValueError):
        world.foreign_trade[0, 1, 0] = 1.0  # read-only, like the flows it comes from


def test_report_sector_table_has_exactly_zero_baseline_exports_for_a_country_without_them():
    base = random_world(4, 3, seed=11)
    trade = np.array(base.trade)
    trade[K, OTHERS, :] = 0.0
    world = World(base.countries, base.sectors, trade, base.tariffs, base.sigma)
    tariffs = np.array(world.tariffs)
    tariffs[0, 2, :] += 0.1
    model = Krugman()
    table = sector_changes(model.solve(model.calibrate(world), Policy(tariffs, name="t")), "C001")
    assert (table["baseline_exports_usd_m"] == 0.0).all() and (table["exports_usd_m"] == 0.0).all()
    assert table["exports_pct"].isna().all() and table["imports_pct"].notna().all()
