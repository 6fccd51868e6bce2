"""Sector and country vocabulary that travels (issue 12 item 2): the named sector groups and GTAP-code groups
on ICIO, WIOD and GTAP worlds, country groups by membership in the data year, and the 7 Ossa regions."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from tariffsim.country_groups import (
    FIXED_GROUPS,
    OSSA_REGIONS,
    country_group_note,
    country_groups_for,
    eu_members,
    ossa_regions,
    to_ossa_regions,
)
from tariffsim.errors import DataValidationError, ScenarioWarning, UnknownNameError
from tariffsim.scenario import load_scenario
from tariffsim.sector_groups import (
    APPROXIMATE,
    GTAP_GROUPS,
    ICIO_GROUPS,
    ICIO_SECTORS,
    VOCABULARIES,
    WIOD_GROUPS,
    WIOD_SECTORS,
    approximation_note,
    groups_for,
    vocabulary,
)

REPO = Path(__file__).resolve().parent.parent
SEED_SCENARIO = REPO / "examples" / "us_autos_japan.toml"
NAMED = ("agriculture", "food", "agrifood", "forestry_fishing", "textiles_apparel", "metals", "vehicles",
         "manufactures", "mining", "energy", "services")
GTAP_CODES = {code for members in GTAP_GROUPS.values() for code in members}
ICIO_TO_WIOD = {"A01": "A01T03", "A02": "A01T03", "A03": "A01T03", "B05": "B05T09", "B06": "B05T09",
                "B07": "B05T09", "B08": "B05T09", "B09": "B05T09", "C16": "C16T18", "C17_18": "C16T18",
                "C20": "C20_21", "C21": "C20_21", "C22": "C22_23", "C23": "C22_23", "C24A": "C24", "C24B": "C24",
                "C29": "C29_30", "C301": "C29_30", "C302T309": "C29_30"}


@pytest.fixture(scope="module")
def worlds(data_dir, monkeypatch_module):
    from tariffsim.io import read_world

    monkeypatch_module.setenv("TARIFFSIM_DATA", str(data_dir))
    return {name: read_world(name) for name in ("icio2022", "wiod2014", "wiod2004", "ossa2014")}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def wiod_of(icio_codes) -> set[str]:
    return {ICIO_TO_WIOD.get(code, code) for code in icio_codes}


def icio_inside(wiod_codes) -> list[str]:
    return [code for code in ICIO_SECTORS if ICIO_TO_WIOD.get(code, code) in set(wiod_codes)]


# ------------------------------------------------------------------------------------ definitions
def test_vocabulary_is_picked_by_the_codes_present():
    assert vocabulary(ICIO_SECTORS) == "icio" and vocabulary(WIOD_SECTORS) == "wiod"
    assert vocabulary(("ric", "mvh", "otn")) == "gtap" and vocabulary(("x", "y")) is None
    assert vocabulary(("C29", "SERV")) == "icio" and vocabulary(("C29_30", "SERV")) == "wiod"
    assert groups_for(("x", "y")) == {}
    assert groups_for(("gro", "mvh", "ele"))["vehicles"] == ("mvh",)  # GTAP worlds as before
    assert groups_for(("SERV", "C29", "C10T12")) == {"food": ("C10T12",), "agrifood": ("C10T12",),
                                                     "manufactures": ("C29",), "vehicles": ("C29",),
                                                     "services": ("SERV",), "mvh": ("C29",)}


def test_every_group_names_codes_of_its_vocabulary_and_the_names_travel():
    for groups, codes in ((ICIO_GROUPS, ICIO_SECTORS), (WIOD_GROUPS, WIOD_SECTORS), (GTAP_GROUPS, GTAP_CODES)):
        for group, members in groups.items():
            assert members and set(members) <= set(codes), group
            assert group.lower() not in {c.lower() for c in codes}, group
            assert group in NAMED or group in GTAP_CODES, group  # a named group or a GTAP code
    assert set(NAMED) <= set(ICIO_GROUPS) and set(NAMED) <= set(GTAP_GROUPS)
    assert set(NAMED) - set(WIOD_GROUPS) == {"forestry_fishing"}  # A01T03 is 89% agriculture
    for name, notes in APPROXIMATE.items():
        assert set(notes) <= set(VOCABULARIES[name]), name
    # the cube groups cover the same goods: each WIOD group is the ICIO group seen through WIOD's sectors
    for group in set(ICIO_GROUPS) & set(WIOD_GROUPS):
        exact = group not in APPROXIMATE["wiod"] or group in APPROXIMATE["icio"]  # ele: C26 on both
        assert wiod_of(ICIO_GROUPS[group]) == set(WIOD_GROUPS[group]), group
        assert (set(icio_inside(WIOD_GROUPS[group])) == set(ICIO_GROUPS[group])) is exact, group
    assert ICIO_GROUPS["manufactures"] == tuple(c for c in ICIO_SECTORS if c.startswith("C") and c != "C10T12")


def test_a_group_named_like_a_sector_is_dropped():
    groups = groups_for(ICIO_SECTORS + ("mvh",))
    assert "mvh" not in groups and groups["vehicles"] == ("C29", "C301", "C302T309")


def test_eu_membership_by_year():
    assert len(eu_members(2003)) == 15 and "POL" not in eu_members(2003)
    assert len(eu_members(2004)) == len(eu_members(2006)) == 25 and "BGR" not in eu_members(2006)
    assert len(eu_members(2007)) == 27 and {"BGR", "ROU", "GBR"} <= set(eu_members(2012))
    assert "HRV" not in eu_members(2012) and "HRV" in eu_members(2013)
    assert len(eu_members(2013)) == len(eu_members(2019)) == 28 and "GBR" in eu_members(2019)
    assert len(eu_members(2020)) == 27 and "GBR" not in eu_members(2020) and "HRV" in eu_members(2020)
    assert FIXED_GROUPS["EU27"] == eu_members(2022) and set(eu_members(2012)) != set(FIXED_GROUPS["EU27"])


def test_country_groups_keep_members_present_and_never_a_country_code():
    ossa = ("BRA", "CHN", "EU", "IND", "JPN", "ROW", "USA")
    groups = country_groups_for(ossa, 2007)
    assert "EU" not in groups and "EU27" not in groups  # the EU is a region there; no EU27 member is
    assert groups["G7"] == ("JPN", "USA") and groups["BRICS"] == ("BRA", "CHN", "IND")
    assert all(groups.values()) and not set(groups) & set(ossa)
    assert "EU" not in country_groups_for(("DEU", "FRA"), None) and country_groups_for(("DEU",), 2010)["EU"] == ("DEU",)
    assert country_groups_for(("X", "Y"), 2010) == {}
    mixed = country_groups_for(("EU", "DEU", "USA"), 2010)  # an EU region beside a member: no EU group
    assert "EU" not in mixed and mixed["G7"] == ("DEU", "USA")


# ------------------------------------------------------------------------------------ real worlds
def test_sector_groups_resolve_on_icio2022(worlds):
    icio = worlds["icio2022"]
    groups = icio.sector_groups
    assert groups["mvh"] == ("C29",) and groups["otn"] == ("C301", "C302T309") and groups["i_s"] == ("C24A",)
    assert groups["vehicles"] == ("C29", "C301", "C302T309") and groups["services"] == ("SERV",)
    assert groups["agrifood"] == ("A01", "C10T12") and groups["crp"] == ("C20", "C21", "C22")
    assert "C10T12" not in groups["manufactures"] and len(groups["manufactures"]) == 18
    assert icio.sector_indices("mvh") == [icio.sectors.index("C29")]
    assert icio.sector_indices(["metals"]) == [icio.sectors.index(c) for c in ("C24A", "C24B", "C25")]
    assert approximation_note(icio, "mvh") is None and approximation_note(icio, "vehicles") is None
    assert "C26" in approximation_note(icio, "ele")
    with pytest.raises(UnknownNameError, match="wht"):
        icio.sector_indices("wht")  # one farm product is not a whole ICIO sector


def test_sector_groups_resolve_on_wiod2014_with_the_approximation_visible(worlds):
    wiod = worlds["wiod2014"]
    groups = wiod.sector_groups
    assert groups["mvh"] == groups["vehicles"] == ("C29_30",) and groups["i_s"] == ("C24",)
    assert groups["metals"] == ("C24", "C25") and groups["agriculture"] == ("A01T03",)
    assert "otn" not in groups and "forestry_fishing" not in groups
    assert wiod.sector_indices("mvh") == [wiod.sectors.index("C29_30")]
    note = approximation_note(wiod, "mvh")
    assert note and "C29_30" in note and "otn" in note
    assert approximation_note(wiod, "vehicles") is None and approximation_note(wiod, "C29_30") is None
    assert "nfm" in approximation_note(wiod, "i_s")
    with pytest.raises(UnknownNameError, match="otn"):
        wiod.sector_indices("otn")
    # a world whose own mvh group is something else gets no note
    assert approximation_note(wiod.replace(sector_groups={"mvh": ("C29_30", "C28")}), "mvh") is None


def test_ossa2014_keeps_its_gtap_groups(worlds):
    ossa = worlds["ossa2014"]
    assert ossa.sector_groups["vehicles"] == ("mvh", "otn")
    assert set(ossa.sector_groups) == {"agriculture", "food", "agrifood", "forestry_fishing", "textiles_apparel",
                                       "metals", "vehicles", "manufactures"}  # no services, mining, energy codes
    assert approximation_note(ossa, "vehicles") is None


def test_wiod_gtap_code_groups_follow_the_icio2014_shares(data_dir, monkeypatch):
    """A GTAP code maps onto WIOD sectors where it is at least half of their world trade (ICIO 2014 shows
    the split), and each note's 'about N%' is that share of other goods."""
    from tariffsim.io import read_world

    monkeypatch.setenv("TARIFFSIM_DATA", str(data_dir))
    icio = read_world("icio2014")
    flows = dict(zip(icio.sectors, icio.foreign_trade.sum(axis=(0, 1))))

    def share(codes, of) -> float:
        return sum(flows[c] for c in codes) / sum(flows[c] for c in of)

    for code in set(ICIO_GROUPS) & GTAP_CODES:
        members = ICIO_GROUPS[code]
        inside = icio_inside(wiod_of(members))
        assert bool(share(members, inside) >= 0.5) is (code in WIOD_GROUPS), code
    for group, note in APPROXIMATE["wiod"].items():
        if match := re.search(r"about (\d+)%", note):
            icio_members = {"energy": ("B05", "B06")}.get(group, ICIO_GROUPS[group])
            of = icio_inside(["B05T09"]) if group == "energy" else icio_inside(WIOD_GROUPS[group])
            assert int(match.group(1)) == pytest.approx(100 * (1 - share(icio_members, of)), abs=1), group


def test_country_groups_by_data_year(worlds):
    w2004, w2014, i2022 = worlds["wiod2004"], worlds["wiod2014"], worlds["icio2022"]
    eu04, eu14, eu22 = (set(w.country_groups["EU"]) for w in (w2004, w2014, i2022))
    assert len(eu04) == 25 and not {"BGR", "ROU", "HRV"} & eu04 and "GBR" in eu04
    assert len(eu14) == 28 and {"BGR", "ROU", "HRV", "GBR"} <= eu14
    assert len(eu22) == 27 and "GBR" not in eu22 and "HRV" in eu22
    for world in (w2004, w2014, i2022):
        assert set(world.country_groups["EU27"]) == set(FIXED_GROUPS["EU27"])
        assert world.country_indices("eu27") == [world.countries.index(c) for c in world.country_groups["EU27"]]
    assert "GBR" not in w2004.country_groups["EU27"] and "GBR" in w2004.country_groups["EU"]
    assert country_group_note(i2022, "EU27") is None and "EU of 2004" in country_group_note(w2004, "EU27")
    assert set(i2022.country_groups["USMCA"]) == set(i2022.country_groups["NAFTA"]) == {"CAN", "MEX", "USA"}
    assert len(i2022.country_groups["ASEAN"]) == 10 and w2014.country_groups["ASEAN"] == ("IDN",)
    assert set(w2014.country_groups["G7"]) == {"CAN", "DEU", "FRA", "GBR", "ITA", "JPN", "USA"}
    assert "ZAF" not in w2014.country_groups["BRICS"] and "ZAF" in country_group_note(w2014, "BRICS")
    assert set(i2022.country_groups["BRICS"]) == {"BRA", "CHN", "IND", "RUS", "ZAF"}
    assert country_group_note(i2022, "BRICS") is None
    for world in worlds.values():
        assert not {g.lower() for g in world.country_groups} & {c.lower() for c in world.countries}


# ------------------------------------------------------------------------------------ Ossa regions
@pytest.mark.parametrize("name", ["icio2022", "wiod2014"])
def test_the_ossa_regions_aggregate_keeps_world_trade(worlds, name):
    world, ossa = worlds[name], worlds["ossa2014"]
    mapping = ossa_regions(world)
    assert set(mapping["EU"]) == set(world.country_groups["EU"])
    assert "ROW" in mapping["ROW"] and "KOR" in mapping["ROW"] and ("GBR" in mapping["ROW"]) is (world.year >= 2020)
    merged = world.aggregate_countries(mapping)
    assert set(merged.countries) == set(OSSA_REGIONS) == set(ossa.countries)
    assert merged.trade.sum() == pytest.approx(world.trade.sum(), rel=1e-12)
    region = np.array([next(r for r, ms in mapping.items() if c in ms) for c in world.countries])
    across = region[:, None] != region[None, :]  # flows between regions: their tariff revenue is kept
    assert merged.tariff_revenue.sum() == pytest.approx((world.tariffs * world.trade)[across].sum(), rel=1e-12)
    usa, new_usa = world.country_index("USA"), merged.country_index("USA")
    for total in ("exports", "imports", "tariff_revenue", "expenditure"):
        assert getattr(merged, total)[new_usa] == pytest.approx(getattr(world, total)[usa], rel=1e-12), total
    eu, new_eu = world.country_indices("EU"), merged.country_index("EU")
    np.testing.assert_allclose(merged.trade[new_eu, new_eu], world.trade[np.ix_(eu, eu)].sum(axis=(0, 1)), rtol=1e-12)
    row = world.country_indices(mapping["ROW"])
    np.testing.assert_allclose(merged.trade[merged.country_index("ROW"), new_usa],
                               world.trade[row, usa].sum(axis=0), rtol=1e-12)
    ordered = to_ossa_regions(world)
    assert ordered.countries == ossa.countries
    assert ordered.trade.sum() == pytest.approx(world.trade.sum(), rel=1e-12)
    whole = "EU27" if world.year >= 2020 else "EU28"
    assert ordered.country_groups == {whole: ("EU",)}  # G7, BRICS, ... would take whole regions: dropped


def test_ossa_regions_of_ossa2014_are_itself_and_a_world_without_a_year_is_refused(worlds):
    ossa = worlds["ossa2014"]
    assert ossa_regions(ossa) == {r: (r,) for r in OSSA_REGIONS}
    np.testing.assert_array_equal(to_ossa_regions(ossa).trade, ossa.trade)
    with pytest.raises(DataValidationError, match="no data year"):
        ossa_regions(worlds["icio2022"].replace(year=None))
    with pytest.raises(DataValidationError, match="IND"):
        ossa_regions(worlds["icio2022"].select(countries=["USA", "JPN", "CHN", "BRA", "DEU", "ROW"]))


# ------------------------------------------------------------------------------------ the seed scenario
@pytest.mark.parametrize("name, sector", [("icio2022", "C29"), ("wiod2014", "C29_30"), ("ossa2014", "mvh")])
def test_the_seed_scenario_applies_on_every_world(worlds, name, sector):
    world = worlds[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        policy = load_scenario(SEED_SCENARIO).apply(world)
    notes = [str(w.message) for w in caught if issubclass(w.category, ScenarioWarning)]
    # only WIOD's mvh is approximate (transport equipment), and the user is told so
    assert (notes != []) == (name == "wiod2014") and all("ships, aircraft" in note for note in notes)
    changed = np.argwhere(policy.tariffs != world.tariffs)
    expected = [world.country_index("JPN"), world.country_index("USA"), world.sectors.index(sector)]
    assert changed.tolist() == [expected]
    i, j, s = expected
    assert policy.tariffs[i, j, s] == pytest.approx(world.tariffs[i, j, s] + 0.25)


def test_an_aggregated_world_says_so_in_its_label_and_its_results(worlds):
    from tariffsim.models import Krugman

    world = worlds["icio2022"]
    assert world.label.endswith(": 81 economies x 28 sectors")
    merged = world.aggregate_countries(ossa_regions(world))
    assert merged.label == "ICIO 2022 (OECD flows, Teti tariffs) aggregated to 7 regions"
    ordered = to_ossa_regions(world)
    assert ordered.label == ("ICIO 2022 (OECD flows, Teti tariffs) aggregated to the 7 Ossa (2014) regions, the EU "
                             "of 2022")
    assert to_ossa_regions(worlds["ossa2014"]).label == worlds["ossa2014"].label  # nothing merged: as it was
    assert world.aggregate_countries({"US": ["USA"]}).label == world.label  # a renaming is not an aggregation
    model = Krugman()
    result = model.solve(model.calibrate(ordered), load_scenario(SEED_SCENARIO).apply(ordered))
    assert result.summary().splitlines()[0].startswith(
        "US tariff on Japanese cars — krugman model on ICIO 2022 (OECD flows, Teti tariffs) aggregated to the 7 Ossa")


def test_the_side_by_side_of_docs_data_md_runs(data_dir, monkeypatch, capsys):
    """The Python block under "Comparing an 81-country world with the 7 Ossa regions", run as written."""
    text = (REPO / "docs" / "data.md").read_text()
    code = re.search(r"## Comparing an 81-country world.*?```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.setenv("TARIFFSIM_DATA", str(data_dir))
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    exec(compile(code, "docs/data.md", "exec"), namespace)
    table = namespace["pd"].DataFrame(namespace["welfare"])
    assert list(table.index) == list(OSSA_REGIONS) and list(table.columns) == ["icio2022, 7 regions", "ossa2014"]
    assert (table.loc["JPN"] < 0).all()  # Japan loses on both
    printed = capsys.readouterr().out
    assert "aggregated to the 7 Ossa (2014) regions, the EU of 2022, year 2022" in printed and "year 2007" in printed
