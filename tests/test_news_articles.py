"""from-news on articles written for the tests: a US-China steel story with rates, a free trade agreement,
an HTML page with menus; and the command line."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.news import draft_from_news
from tariffsim.scenario import scenario_from_dict
from tariffsim.synthetic import demo_world

ARTICLES = Path(__file__).resolve().parent / "news_articles"


def steps(toml: str, active_only: bool = True) -> list[dict]:
    text = toml if active_only else re.sub(r"^# (\[\[\w+\]\]|\w+ = .*)$", r"\1", toml, flags=re.MULTILINE)
    data = tomllib.loads(text)
    return data.get("agreement", []) + data.get("change", [])


def test_steel_story_rates_in_force_and_threats_commented_out():
    draft = draft_from_news(ARTICLES / "us_china_steel.txt")
    active = steps(draft.toml)
    assert [(s["importers"], s["exporters"], s["sectors"], s.get("add_points"), s.get("set_percent")) for s in active] == [
        (["USA"], ["CHN"], ["i_s"], 25, None), (["USA"], ["CHN"], ["nfm"], 10, None)]
    threats = [s for s in steps(draft.toml, active_only=False) if s not in active]
    # "China will raise its tariffs on American cars to 40 percent": future tense, announced, not in force
    cars = next(s for s in threats if s["sectors"] == ["mvh"])
    assert (cars["importers"], cars["exporters"], cars.get("add_points"), cars["set_percent"]) == (["CHN"], ["USA"], None, 40)
    assert cars["description"].startswith("Announced") and "# ---- ANNOUNCED, NOT YET IN FORCE" in draft.toml
    electronics = next(s for s in threats if s["sectors"] == ["ele"])
    assert electronics["add_points"] == 10 and electronics["description"].startswith("Threat")
    soy = next(s for s in threats if "soybeans" in s["description"])
    assert soy["sectors"] == ["osd", "omt"] and soy["add_points"] == "TODO"
    # the growth figures are not tariff rates
    assert not re.search(r"\b[36]\b", draft.toml)


def test_free_trade_agreement_removes_tariffs_without_writing_a_number():
    draft = draft_from_news(ARTICLES / "eu_japan_fta.txt", demo_world(), "demo")
    agreement, cut = steps(draft.toml)
    assert agreement["members"] == ["EU", "JPN"] and "cut" not in agreement
    assert agreement["sectors"] == ["mvh", "agriculture"]
    assert draft.findings.pair == ("EU", "JPN")
    assert cut["set_percent"] == 15 and cut["importers"] == ["JPN"] and cut["description"].startswith("Agreed")
    assert cut["sectors"] == "TODO" and "sector 'dry' is not in this world" in draft.toml  # cheese: no dairy in demo


def test_html_page_menus_scripts_captions_and_asides_are_dropped():
    draft = draft_from_news(ARTICLES / "us_eu_cars.html")
    article = draft.findings.article
    assert article.headline == "US threatens 25% tariffs on European cars"
    body = " ".join(article.paragraphs)
    for furniture in ("Skip to content", "Home", "Markets", "Bremerhaven", "Oil prices", "Subscribe", "tracking"):
        assert furniture not in body
    assert not re.search(r"\b(99|5) percent", draft.toml)
    threats = steps(draft.toml, active_only=False)
    assert steps(draft.toml) == []  # nothing in force: both moves are threats
    cars = next(s for s in threats if s["sectors"] == ["mvh"])
    assert (cars["importers"], cars["exporters"], cars["add_points"]) == (["USA"], ["EU"], 25)
    assert not any(a.action == "increase" for a in draft.findings.actions)  # "currently levies" is no change


def fill_and_apply(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Draft ``name`` on the demo world, model every step (threats uncommented), fill each TODO (sectors
    -> electronics, numbers -> 5, countries -> all) and apply it: the baseline and the new tariffs."""
    world = demo_world()
    toml = draft_from_news(ARTICLES / name, world, "demo").toml
    toml = re.sub(r"^(# )?(\[\[\w+\]\]|\w+ = .*)$", r"\2", toml, flags=re.MULTILINE)
    toml = re.sub(r'^sectors = "TODO"', 'sectors = "ele"', toml, flags=re.MULTILINE)
    toml = re.sub(r'^(\w+) = "TODO"', r"\1 = 5", toml, flags=re.MULTILINE).replace('["TODO"]', '"all"')
    return world.tariffs, scenario_from_dict(tomllib.loads(toml), name).apply(world).tariffs


def test_filled_drafts_apply_to_the_demo_world():
    world = demo_world()
    c, s = world.countries.index, world.sectors.index  # tariffs[exporter, importer, sector]
    usa, jpn, chn, eu = c("USA"), c("JPN"), c("CHN"), c("EU")

    base, new = fill_and_apply("us_china_steel.txt")
    want = base.copy()
    want[chn, usa, s("i_s")] += 0.25  # in force: +25 points on Chinese steel
    want[chn, usa, s("ele")] += 0.10 + 0.10  # aluminium (+10, sector filled) and the electronics threat (+10)
    want[usa, chn, s("mvh")] = 0.40  # China's car tariff to 40 percent (from 15)
    want[[usa, jpn, eu, c("ROW")], chn, s("ele")] += 0.05  # retaliation "with tariffs" on goods from TODO -> all
    want[usa, chn, s("ele")] += 0.05  # retaliation on soybeans and pork (sectors and number filled)
    np.testing.assert_allclose(new, want, rtol=0, atol=1e-12)

    base, new = fill_and_apply("eu_japan_fta.txt")
    want = base.copy()
    for i, j in ((eu, jpn), (jpn, eu)):  # the agreement frees cars and farm products (gro in the demo) both ways
        want[i, j, [s("mvh"), s("gro")]] = 0.0
    want[eu, jpn, s("ele")] = 0.15  # Japan's tariff on European cheese to 15 percent (sector filled)
    np.testing.assert_allclose(new, want, rtol=0, atol=1e-12)

    base, new = fill_and_apply("us_eu_cars.html")
    want = base.copy()
    want[eu, usa, s("mvh")] += 0.25  # the threatened 25 percent on EU cars, as points on top
    want[usa, eu, s("ele")] += 0.05  # Brussels' countermeasures on U.S. goods (sector and number filled)
    np.testing.assert_allclose(new, want, rtol=0, atol=1e-12)


runner = CliRunner()


def test_cli_writes_draft_and_json(tmp_path):
    out, found = tmp_path / "draft.toml", tmp_path / "found.json"
    result = runner.invoke(app, ["from-news", str(ARTICLES / "us_china_steel.txt"), "--world", "demo",
                                 "--out", str(out), "--json", str(found)])
    assert result.exit_code == 0, result.output
    assert "Found in us_china_steel.txt" in result.output and f"wrote {out}" in result.output
    document = json.loads(found.read_text())
    assert document["schema"] == "tariffsim.news_findings" and document["world"] == "demo"
    assert all(set(item) == {"kind", "found", "code", "note", "sentence"} for item in document["items"])
    assert 'world = "demo"' in out.read_text()


def test_cli_prints_the_draft_without_out_and_json_to_stdout():
    printed = runner.invoke(app, ["from-news", str(ARTICLES / "eu_japan_fta.txt")])
    assert printed.exit_code == 0 and "[[agreement]]" in printed.output
    as_json = runner.invoke(app, ["from-news", str(ARTICLES / "eu_japan_fta.txt"), "--json", "-"])
    assert json.loads(as_json.output)["pair"] == ["EU", "JPN"]


def test_cli_errors_are_one_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("Menu\nHome\n")
    result = runner.invoke(app, ["from-news", str(empty)])
    assert result.exit_code == 1 and "no article text found" in result.output
    help_ = runner.invoke(app, ["from-news", "--help"])
    assert "Example:" in help_.output and "tariffsim from-news" in help_.output


def test_cli_unknown_world_fails_cleanly(tmp_path):
    result = runner.invoke(app, ["from-news", str(ARTICLES / "eu_japan_fta.txt"), "--world", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "not found" in result.output
