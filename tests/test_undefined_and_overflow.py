"""Issue 11, items 1-3: zero trade stays exactly zero, a change from zero is undefined (NaN, printed "n/a"
with its reason), a NaN in a defined quantity is an error, and data whose arithmetic overflows is refused."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.errors import ConvergenceError, DataValidationError
from tariffsim.io import read_world, write_long
from tariffsim.models import Armington, Krugman
from tariffsim.policy import Policy
from tariffsim.results import equilibrium_frame, group_table
from tariffsim.synthetic import random_world
from tariffsim.world import World

MODELS = [Krugman(), Armington()]


def isolated(world: World, k: int, *, exports: bool = True, imports: bool = True) -> World:
    """``world`` with country k's foreign sales (row) and/or foreign purchases (column) set to 0."""
    trade = np.array(world.trade)
    others = [j for j in range(world.n_countries) if j != k]
    if exports:
        trade[k, others, :] = 0.0
    if imports:
        trade[others, k, :] = 0.0
    return World(world.countries, world.sectors, trade, world.tariffs, world.sigma, label="isolated")


def shocked(world: World, seed: int) -> Policy:
    rng = np.random.default_rng(seed)
    tariffs = np.maximum(world.tariffs + rng.uniform(-0.2, 0.2, world.tariffs.shape), -0.5)
    idx = np.arange(world.n_countries)
    tariffs[idx, idx, :] = 0.0
    return Policy(tariffs=tariffs, name="shock")


def foreign(cube: np.ndarray) -> np.ndarray:
    out = np.array(cube, dtype=float)
    idx = np.arange(out.shape[0])
    out[idx, idx, :] = 0.0
    return out


# ------------------------------------------------------------------------------- item 1: zero stays zero
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_a_country_without_foreign_trade_has_exactly_zero_exports_and_undefined_changes(model):
    world = isolated(random_world(4, 3, seed=3), 1)
    eq = model.solve(model.calibrate(world), shocked(world, 1))
    assert eq.exports[1] == 0.0 and eq.imports[1] == 0.0
    assert np.all(eq.sector_exports[1] == 0.0) and np.all(eq.sector_imports[1] == 0.0)
    headline = group_table(eq, "headline")
    assert np.isnan(headline.loc["C001", "exports"]) and np.isnan(headline.loc["C001", "imports"])
    assert np.isfinite(headline.drop(index="C001")[["exports", "imports"]].to_numpy()).all()
    frame = equilibrium_frame(eq)
    rows = frame[(frame.level == "country") & (frame.country == "C001")].set_index("variable")["value"]
    assert rows["exports_new"] == 0.0 and rows["imports_new"] == 0.0
    assert np.isnan(rows["exports"]) and np.isnan(rows["imports"])
    glossary = {v.name: v.description for v in model.variables if v.level == "country"}
    assert "baseline is zero" in glossary["exports"] and "undefined" in glossary["imports"]


def test_printed_tables_show_undefined_cells_as_n_a_with_the_reason(capsys):
    from tariffsim.cli._common import print_frame

    frame = pd.DataFrame({"exports": [np.nan, 1.5]}, index=pd.Index(["A", "B"], name="country"))
    print_frame(frame, "t", caption="% change")
    printed = capsys.readouterr().out
    assert "n/a" in printed and "no baseline trade" in printed and "% change" in printed and "nan" not in printed
    print_frame(frame.fillna(0.0), "t", caption="% change")
    assert "n/a" not in capsys.readouterr().out


def test_solve_command_prints_n_a_and_why_for_an_isolated_country(tmp_path):
    world = isolated(random_world(3, 2, seed=5), 0)
    folder = write_long(world, tmp_path / "iso")
    scenario = tmp_path / "s.toml"
    scenario.write_text('title = "shock"\ndescription = "a test"\nsource = "test"\n\n'
                        '[[change]]\ndescription = "C001 adds 10 points on C002"\nsource = "test"\n'
                        'importers = ["C001"]\nexporters = ["C002"]\nadd_points = 10\n')
    result = CliRunner().invoke(app, ["solve", "--data", str(folder), "--scenario", str(scenario), "-c", "C000"])
    assert result.exit_code == 0, result.output
    assert "Equilibrium verified" in result.output
    assert "n/a" in result.output and "no baseline trade" in result.output
    assert "-100.00" not in result.output


def test_a_nan_in_a_defined_quantity_is_an_error_not_a_table():
    model = Krugman()
    world = random_world(3, 2, seed=1)
    eq = model.solve(model.calibrate(world), shocked(world, 2))
    trade = np.array(eq.outcome.trade)
    trade[0, 1, 0] = np.nan
    broken = dataclasses.replace(eq, outcome=eq.outcome._replace(trade=trade))
    with pytest.raises(ConvergenceError, match=r"exports \(country\) is nan for C000"):
        group_table(broken, "headline")
    with pytest.raises(ConvergenceError, match="undefined numbers"):
        broken.to_frame()


# --------------------------------------------------------------------------- items 2-3: overflow refused
def arrays(n=3, s=2):
    world = random_world(n, s, seed=0)
    return world, np.array(world.trade), np.array(world.tariffs)


def test_a_huge_flow_is_refused_naming_the_cell():
    world, trade, tariffs = arrays()
    trade[0, 2, 1] = 1e300
    with pytest.raises(DataValidationError, match=r"too large to compute with \(above 1e200\) at "
                                                  r"trade\[exporter C000, importer C002, sector s01\]"):
        World(world.countries, world.sectors, trade, tariffs, world.sigma)


@pytest.mark.parametrize("tariff", [1e308, 2e6])
def test_an_absurd_tariff_is_refused_with_the_prohibitive_level_to_use(tariff):
    world, trade, tariffs = arrays()
    tariffs[0, 1, 0] = tariff
    with pytest.raises(DataValidationError, match=r"absurdly high .* at tariff\[exporter C000, importer C001, "
                                                  r"sector s00\].*a tariff of 1e6 is already prohibitive: use 1e6"):
        World(world.countries, world.sectors, trade, tariffs, world.sigma)


def test_a_prohibitive_tariff_of_1e6_is_accepted_but_an_overflowing_tariff_inclusive_flow_is_not():
    world, trade, tariffs = arrays()
    tariffs[0, 1, 0] = 1e6
    World(world.countries, world.sectors, trade, tariffs, world.sigma)
    trade = trade / trade.max() * 1e198
    trade[trade < 1e190] = 1e190
    trade[0, 1, 0] = 1e199
    tariffs[0, 1, 0] = 1e3
    with pytest.raises(DataValidationError, match=r"tariff-inclusive flow .* overflows .* at tariff\[exporter C000, "
                                                  r"importer C001, sector s00\]"):
        World(world.countries, world.sectors, trade, tariffs, world.sigma)


def test_a_flow_that_overflows_only_with_an_ordinary_tariff_blames_the_flow():
    """1e200 (just at the flow limit) times a 21% tariff overflows: the message used to say 'lower the
    tariff'; the flow is the slip."""
    world, trade, tariffs = arrays()
    trade[0, 1, 0], tariffs[0, 1, 0] = 1e200, 0.21
    with pytest.raises(DataValidationError, match=r"trade flow with its tariff, \(1 \+ t\) \* X, overflows .* at "
                                                  r"trade\[exporter C000, importer C001, sector s00\].*rescale all flows"):
        World(world.countries, world.sectors, trade, tariffs, world.sigma)


def test_the_reader_locates_a_huge_flow_by_file_line_and_column(tmp_path):
    folder = write_long(random_world(2, 1, seed=0), tmp_path / "w")
    flows = folder / "flows.csv"
    table = pd.read_csv(flows)
    value_column = next(c for c in table.columns if table[c].dtype.kind == "f")
    table.loc[2, value_column] = 1e300
    table.to_csv(flows, index=False)
    with pytest.raises(DataValidationError) as info:
        read_world(folder)
    message = str(info.value)
    assert "too large to compute with" in message and "flows.csv" in message and "line" in message


@pytest.mark.parametrize("flow", [1e18, 1e20])
def test_a_flow_that_makes_a_country_sell_far_more_than_it_buys_is_refused(flow):
    """One flow of 1e18-1e20 in a world of about 1e4 solved to a 'verified' table whose welfare changes were
    rounding noise (0.49%, 7.79% for the exporter): the exporter's purchases and the importer's sales are
    differences of huge numbers. Both countries are named through the flow, with the factor."""
    world, trade, tariffs = arrays()
    trade[0, 1, 1] = flow
    with pytest.raises(DataValidationError) as info:
        World(world.countries, world.sectors, trade, tariffs, world.sigma)
    message = str(info.value)
    assert "2 problem(s)" in message
    assert "the exporter's sales" in message and "the importer's purchases" in message
    assert message.count("at trade[exporter C000, importer C001, sector s01]") == 2
    assert "real economies' sales and purchases differ by far less than 1e8 times" in message


def test_a_large_but_representable_imbalance_is_accepted():
    world, trade, tariffs = arrays()
    own = trade.sum(axis=(0, 2))[0]  # the exporter's purchases
    trade[0, 1, 1] = own * 1e7 - trade[0].sum() + trade[0, 1, 1]  # sales 1e7 times purchases
    World(world.countries, world.sectors, trade, tariffs, world.sigma)


def test_the_embedded_and_cube_worlds_stay_far_below_the_imbalance_limit():
    from tariffsim._validate import MAX_IMBALANCE_FACTOR

    trade = np.asarray(read_world("icio2022").trade)
    sales, purchases = trade.sum(axis=(1, 2)), trade.sum(axis=(0, 2))
    assert (np.maximum(sales, purchases) / np.minimum(sales, purchases)).max() < MAX_IMBALANCE_FACTOR / 1e7


def test_the_shared_data_sets_pass_the_overflow_checks(data_dir):
    for name in ("ossa2014", "cp2015"):
        read_world(data_dir / name)


# ------------------------------------------------------------------------------------ property test
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
@settings(max_examples=12, deadline=None)
@given(n=st.integers(3, 5), s=st.integers(1, 3), seed=st.integers(0, 10_000), cut=st.sampled_from(["both", "sector"]),
       shock=st.integers(0, 1000))
def test_random_worlds_with_zero_trade_report_no_infinite_and_only_undefined_nans(model, n, s, seed, cut, shock):
    world = random_world(n, s, seed=seed)
    k = seed % n
    if cut == "both":  # one country without any foreign trade
        world = isolated(world, k)
    else:  # one country buys nothing abroad in sector 0 (and sells nothing abroad in it)
        trade = np.array(world.trade)
        others = [j for j in range(n) if j != k]
        trade[others, k, 0] = 0.0
        trade[k, others, 0] = 0.0
        world = World(world.countries, world.sectors, trade, world.tariffs, world.sigma)
    assert np.all(world.domestic_sales > 0)
    try:
        eq = model.solve(model.calibrate(world), shocked(world, shock))
    except ConvergenceError:  # refused, not silently wrong: the Newton sometimes fails with an isolated
        reject()              # country (a solver matter, outside this test); the property is about reports

    frame = equilibrium_frame(eq)
    values = frame["value"].to_numpy()
    assert not np.isinf(values).any()
    base_foreign = foreign(world.trade)
    baselines = {
        ("country", "exports"): base_foreign.sum(axis=(1, 2)),
        ("country", "imports"): base_foreign.sum(axis=(0, 2)),
        ("country", "tariff_revenue"): np.einsum("ijs,ijs->j", world.tariffs, world.trade),
        ("country_sector", "output"): world.trade.sum(axis=1).ravel(),
        ("country_sector", "exports"): base_foreign.sum(axis=1).ravel(),
        ("country_sector", "imports"): base_foreign.sum(axis=0).ravel(),
        ("bilateral", "flow"): world.trade.sum(axis=2).ravel(),
    }
    for (level, variable), part in frame[np.isnan(values)].groupby(["level", "variable"]):
        assert (level, variable) in baselines, f"{variable} ({level}) is NaN but is not a percent change"
        assert (frame.loc[part.index, "unit"] == "pct").all()
        rows = frame[(frame.level == level) & (frame.variable == variable)]
        baseline = baselines[level, variable]
        assert np.all(baseline[np.isnan(rows["value"].to_numpy())] == 0.0)
    if cut == "both":
        assert eq.exports[k] == 0.0 and eq.imports[k] == 0.0
        country = frame[(frame.level == "country") & (frame.country == world.countries[k])].set_index("variable")
        assert country.loc["exports_new", "value"] == 0.0 and country.loc["imports_new", "value"] == 0.0
        assert np.isnan(country.loc["exports", "value"]) and np.isnan(country.loc["imports", "value"])
