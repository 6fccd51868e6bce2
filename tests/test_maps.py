"""World maps: colours of known values, ROW and group regions in one colour, outside-world grey, the
diverging scale centred on zero, the PNG's pixels, and ``solve --map`` (file written, bad extension refused)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from typer.testing import CliRunner

from tariffsim import maps
from tariffsim.cli import app
from tariffsim.country_groups import eu_members
from tariffsim.errors import OptionError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
GREY = to_rgba(maps.OUTSIDE)


def rgba(figure, code):
    return np.array(maps.colour_of(figure, code))


def test_gains_blue_losses_red_zero_white_and_outside_grey():
    figure = maps.world_map(["USA", "JPN", "BRA", "DEU"], [2.0, -2.0, 0.0, 1.0], title="t")
    scale = matplotlib.colormaps[maps.CMAP]  # symmetric around zero: -2 is its red end, +2 its blue end
    for code, position in {"USA": 1.0, "JPN": 0.0, "BRA": 0.5, "DEU": 0.75}.items():
        assert np.allclose(rgba(figure, code), scale(position)), code
    usa, jpn, bra = (rgba(figure, c) for c in ("USA", "JPN", "BRA"))
    assert usa[2] > usa[0] and jpn[0] > jpn[2] and np.all(bra[:3] > 0.9)  # blue gain, red loss, white zero
    assert tuple(rgba(figure, "CHN")) == GREY and tuple(rgba(figure, "FRA")) == GREY
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert "not in this world" in labels


def test_row_takes_every_other_country_in_one_colour():
    figure = maps.world_map(["USA", "JPN", "ROW"], [1.0, -1.0, 0.5], title="t")
    row = rgba(figure, "FRA")
    assert all(np.allclose(rgba(figure, c), row) for c in ("CHN", "BRA", "ZAF", "AUS"))
    assert not np.allclose(row, rgba(figure, "USA"))
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert any(label.startswith("ROW:") for label in labels) and "not in this world" not in labels


def test_ossa_regions_eu_members_of_2007_in_the_eu_colour():
    figure = maps.world_map(["BRA", "CHN", "EU", "IND", "JPN", "ROW", "USA"], [0, 0.1, -0.3, 0, -1, 0.2, 0.5],
                            title="t")
    eu = rgba(figure, "DEU")
    for member in ("FRA", "POL", "GBR", "ROU"):  # the EU of 2007 had the UK and Romania
        assert np.allclose(rgba(figure, member), eu)
    assert eu[0] > eu[2]  # a loss
    assert np.allclose(rgba(figure, "NOR"), rgba(figure, "ZAF"))  # Norway is ROW
    owner, undrawn = maps.regions(["EU", "ROW", "USA"], year=2022)
    assert owner["FRA"] == "EU" and owner["GBR"] == "ROW" and set(eu_members(2022)) - {"MLT"} <= set(owner)
    assert undrawn == []


def test_undefined_value_is_light_grey_and_small_economies_are_named():
    figure = maps.world_map(["USA", "SGP", "ROW"], [np.nan, 1.0, 0.0], title="t")
    assert tuple(rgba(figure, "USA")) == to_rgba(maps.UNDEFINED)
    texts = [t.get_text() for t in figure.texts]
    assert any("SGP" in t for t in texts)


def test_png_pixels_have_the_countrys_colour(tmp_path):
    figure = maps.world_map(["USA", "BRA"], [3.0, -3.0], title="t")
    maps.save(figure, tmp_path / "m.png")
    figure.canvas.draw()
    image = np.asarray(figure.canvas.buffer_rgba())
    axes = figure.axes[0]
    for code, (lon, lat) in {"USA": (-100.0, 40.0), "BRA": (-50.0, -10.0), "RUS": (90.0, 62.0)}.items():
        x, y = axes.transData.transform((lon, lat))
        pixel = image[image.shape[0] - round(y), round(x)] / 255.0
        assert np.allclose(pixel, maps.colour_of(figure, code), atol=0.02), code
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_world_with_names_instead_of_iso3_codes_is_refused_not_half_drawn():
    countries = ["Argentina", "Korea", "USA", "ROW"]  # cp2015's style: ROW must not take Argentina's shape
    assert not maps.drawable(countries) and maps.unknown_codes(countries) == ["Argentina", "Korea"]
    with pytest.raises(OptionError, match="maps need ISO3 country codes.*Argentina, Korea are not"):
        maps.world_map(countries, [1.0, 2.0, 3.0, 4.0], title="t")
    assert maps.drawable(["SGP", "XKX", "EU", "ROW"])  # ISO3 without a shape at this scale is fine


def test_map_values_real_wage_and_tariff_change_on_the_demo_world():
    from tariffsim.models import Krugman
    from tariffsim.scenario import load_scenario
    from tariffsim.synthetic import demo_world

    world, model = demo_world(), Krugman()
    eq = model.solve(model.calibrate(world), load_scenario(EXAMPLES / "us_autos_japan.toml").apply(world))
    wage, _, _ = maps.map_values(eq, "nominal_wage")
    prices, _, _ = maps.map_values(eq, "price_index")
    real, label, unit = maps.map_values(eq, "real_wage")
    assert label == "real wage" and unit == "% change"
    assert np.allclose(real, 100 * ((1 + wage / 100) / (1 + prices / 100) - 1))
    tariff, _, unit = maps.map_values(eq, "tariff")
    us = world.country_index("USA")
    assert unit == "change, percentage points" and tariff[us] > 0
    assert np.allclose(np.delete(tariff, us), 0.0)  # only the US changes its tariffs
    imports = world.foreign_trade[:, us, :]
    expected = 100 * (imports * (eq.policy.tariffs - world.tariffs)[:, us, :]).sum() / imports.sum()
    assert tariff[us] == pytest.approx(expected)


def test_solve_map_writes_svg_and_refuses_a_bad_extension_before_solving(tmp_path):
    runner = CliRunner()
    scenario = str(EXAMPLES / "us_autos_japan.toml")
    result = runner.invoke(app, ["solve", "--data", "demo", "--scenario", scenario, "--map", str(tmp_path / "w.svg"),
                                 "--map-variable", "exports"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "w.svg").read_text().lstrip().startswith("<?xml") and "exports" in result.output
    bad = runner.invoke(app, ["solve", "--data", "demo", "--scenario", scenario, "--map", str(tmp_path / "w.gif")])
    assert bad.exit_code == 1 and "written as .png or .svg" in bad.output and "w.png" in bad.output
    assert "solving" not in bad.output and not (tmp_path / "w.gif").exists()
    unknown = runner.invoke(app, ["solve", "--data", "demo", "--scenario", scenario, "--map", str(tmp_path / "x.png"),
                                  "--map-variable", "happiness"])
    assert unknown.exit_code == 1 and "'happiness'" in unknown.output and "welfare" in unknown.output
    assert not (tmp_path / "x.png").exists()
