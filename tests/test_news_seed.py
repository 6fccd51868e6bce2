"""from-news on the seed article (Kyodo, 2018): the pair, the suspended car-tariff threat, the TPP-limited
farm concession, each with its evidence sentence; no number the article does not give; drafts that load."""

from __future__ import annotations

import re
import tomllib

import numpy as np
import pytest

from tariffsim.errors import ScenarioError
from tariffsim.news import draft_from_news
from tariffsim.scenario import load_scenario, scenario_from_dict
from tariffsim.synthetic import demo_world

SEED = "000_7cada958b4131956.txt"


@pytest.fixture(scope="module")
def seed(seed_dir):
    path = seed_dir / SEED
    return path.read_text(encoding="utf-8"), draft_from_news(path, demo_world(), "demo")


def _numbers(text: str) -> set[str]:
    return {n.rstrip(".") for n in re.findall(r"\d+(?:\.\d+)?", text)}


def fill_todos(toml: str, uncomment: bool = False) -> str:
    """Replace every TODO with a number (and, if asked, switch on the commented-out steps)."""
    if uncomment:
        toml = re.sub(r"^# (\[\[\w+\]\]|\w+ = .*)$", r"\1", toml, flags=re.MULTILINE)
    toml = re.sub(r'^(\w+) = "TODO"', lambda m: f"{m.group(1)} = {'0.5' if m.group(1) in ('scale', 'cut') else '10'}",
                  toml, flags=re.MULTILINE)
    return toml.replace('["TODO"]', '"all"')


def test_negotiating_pair_is_japan_and_the_us(seed):
    _, draft = seed
    assert set(draft.findings.pair) == {"JPN", "USA"}
    assert "trade talks" in draft.findings.pair_sentence
    pair = next(i for i in draft.items if i["kind"] == "negotiating pair")
    assert pair["code"] == "JPN, USA" and pair["sentence"]


def test_car_tariff_threat_is_suspended_while_negotiations_go_on(seed):
    _, draft = seed
    cars = [m for m in draft.findings.measures if m.sectors == ("mvh",)]
    assert len(cars) == 1
    threat = cars[0]
    assert (threat.imposer, threat.target, threat.status, threat.in_force) == ("USA", "JPN", "suspended", False)
    assert "as long as trade negotiations are under way" in threat.conditions
    assert threat.evidence.sentence.startswith("Abe said he confirmed with Trump that Japan will be exempted")
    products = {p for a in threat.actions for p in a.products}
    assert {"cars", "auto parts"} <= products
    # written commented out, labelled, with its condition and evidence
    block = draft.toml[draft.toml.index("SUSPENDED, NOT IN FORCE"):]
    assert "# Condition: as long as trade negotiations are under way" in block
    assert '# importers = ["USA"]' in block and '# exporters = ["JPN"]' in block and '# sectors = ["mvh"]' in block


def test_farm_concession_is_limited_by_the_tpp(seed):
    _, draft = seed
    farm = next(m for m in draft.findings.measures if m.sectors == ("agriculture",))
    assert (farm.first.action, farm.imposer, farm.target, farm.in_force) == ("cut", "JPN", "USA", True)
    assert "Trans-Pacific Partnership" in farm.limits[0] and farm.limits[0].startswith("not make bigger concessions")
    assert farm.first.sentence.startswith("For agriculture produce")
    assert "# Limit: not make bigger concessions" in draft.toml


def test_every_number_in_the_draft_is_in_the_article(seed):
    text, draft = seed
    assert _numbers(draft.toml.replace(SEED, "")) <= _numbers(text)
    assert all(i["kind"] != "rate" for i in draft.items)  # the seed states no tariff rate


def test_every_item_has_its_evidence_sentence_from_the_article(seed):
    text, draft = seed
    flat = " ".join(text.split())
    assert all(i["sentence"] and i["sentence"] in flat for i in draft.items)
    kinds = {i["kind"] for i in draft.items}
    assert {"negotiating pair", "country", "product", "action: negotiation", "action: exemption", "action: cut"} <= kinds


def test_solve_refuses_the_draft_until_placeholders_are_filled(seed, tmp_path):
    _, draft = seed
    path = tmp_path / "draft.toml"
    path.write_text(draft.toml)
    with pytest.raises(ScenarioError, match=r"(?s)2 open placeholder\(s\).*scale = 'TODO'.*cut = 'TODO'"):
        load_scenario(path)
    path.write_text(fill_todos(draft.toml))
    world = demo_world()
    policy = load_scenario(path).apply(world)
    usa, jpn = world.country_index("USA"), world.country_index("JPN")
    expected = world.tariffs.copy()
    expected[[usa, jpn], [jpn, usa], :] *= 0.5  # the agreement under negotiation, cut = 0.5 filled in
    expected[usa, jpn, world.sector_indices("agriculture")] *= 0.5  # then JPN's farm cut, scale = 0.5 filled in
    np.testing.assert_allclose(policy.tariffs, expected, rtol=1e-15, atol=0)
    assert np.count_nonzero(policy.tariffs != world.tariffs) == 2 * world.n_sectors  # nothing else changes


def test_the_threat_switched_on_also_applies(seed):
    _, draft = seed
    scenario = scenario_from_dict(tomllib.loads(fill_todos(draft.toml, uncomment=True)))
    assert len(scenario.changes) == 2
    world = demo_world()
    cube = scenario.apply(world).tariffs
    usa, jpn, mvh = world.country_index("USA"), world.country_index("JPN"), world.sectors.index("mvh")
    assert cube[jpn, usa, mvh] == pytest.approx(0.5 * world.tariffs[jpn, usa, mvh] + 0.10)  # agreement, then threat


def test_ossa2014_codes_and_rest_of_world(seed_dir, data_dir):
    from tariffsim.io import read_world

    draft = draft_from_news(seed_dir / SEED, read_world(data_dir / "ossa2014"), "ossa2014")
    codes = {i["found"]: i for i in draft.items if i["kind"] == "country"}
    assert codes["South Korean, South Korea"]["code"] == "ROW" and "part of ROW" in codes["South Korean, South Korea"]["note"]
    assert 'world = "ossa2014"' in draft.toml and 'members = ["JPN", "USA"]' in draft.toml


def test_deterministic(seed_dir):
    first, second = (draft_from_news(seed_dir / SEED) for _ in range(2))
    assert first.toml == second.toml and first.items == second.items
