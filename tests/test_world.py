"""World: validation messages, immutability, name lookup, selection and aggregation."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import numpy as np
import pytest

from tariffsim.errors import DataValidationError, UnknownNameError
from tariffsim.synthetic import demo_world, random_world
from tariffsim.world import World


def arrays(n=3, s=2):
    world = random_world(n, s, seed=4)
    return dict(countries=list(world.countries), sectors=list(world.sectors), trade=world.trade.copy(),
                tariffs=world.tariffs.copy(), sigma=world.sigma.copy())


def test_valid_world_is_immutable():
    world = World(**arrays())
    with pytest.raises(ValueError, match="assignment destination is read-only"):
        world.trade[0, 0, 0] = 1.0
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'countries'"):
        world.countries = ("X",)


@pytest.mark.parametrize("edit, match", [
    (lambda a: a["trade"].__setitem__((0, 1, 1), -5.0),
     r"trade flow is negative at trade\[exporter C000, importer C001, sector s01\] \(value: -5.0\); fix: trade flows must be >= 0"),
    (lambda a: a["trade"].__setitem__((2, 0, 0), np.nan),
     r"trade flow is missing \(NaN\) at trade\[exporter C002, importer C000, sector s00\].*fix: fill the cell"),
    (lambda a: a["tariffs"].__setitem__((0, 2, 1), -1.0),
     r"tariff is -100% or lower at tariff\[exporter C000, importer C002, sector s01\] \(value: -1.0\)"),
    (lambda a: a["tariffs"].__setitem__((1, 1, 0), 0.1),
     r"own \(domestic\) tariff is not zero at tariff\[exporter C001, importer C001, sector s00\].*set t\[i, i, s\] to 0"),
    (lambda a: a["sigma"].__setitem__(1, 1.0),
     r"elasticity of substitution must be a number above 1 at sigma\[sector s01\] \(value: 1.0\)"),
    (lambda a: a["sigma"].__setitem__(0, np.nan), r"sigma\[sector s00\] \(value: nan\)"),
    (lambda a: a["trade"].__setitem__((1, slice(None), slice(None)), 0.0),
     r"country sells nothing.*at country C001.*merge or drop the country"),
    (lambda a: a["trade"].__setitem__((slice(None), 2, slice(None)), 0.0),
     r"country buys nothing.*at country C002.*merge or drop the country"),
    (lambda a: a.__setitem__("countries", ["C000", "C000", "C002"]), r"duplicate country code 'C000' \(2 times\)"),
    (lambda a: a.__setitem__("sectors", ["s00", "s00"]), r"duplicate sector code 's00'"),
    (lambda a: a.__setitem__("sigma", np.array([2.0, 3.0, 4.0])),
     r"shape mismatch: elasticities sigma\[s\] has shape \(3,\), expected \(2,\)"),
    (lambda a: a.__setitem__("trade", np.ones((3, 3, 3))), r"shape mismatch: trade flows X\[i, j, s\] has shape \(3, 3, 3\)"),
])
def test_bad_arrays_get_located_messages(edit, match):
    data = arrays()
    edit(data)
    with pytest.raises(DataValidationError, match=match):
        World(**data)


def test_many_problems_are_counted():
    data = arrays()
    data["trade"][:, :, 0] = -1.0
    with pytest.raises(DataValidationError, match=r"9 problem\(s\) found[\s\S]*and 4 more"):
        World(**data)


def test_sector_group_with_unknown_member():
    with pytest.raises(DataValidationError, match=r"group 'farm' names unknown sector 's9'"):
        World(**arrays(), sector_groups={"farm": ["s00", "s9"]})


def test_lookup_by_code_name_alias_and_group():
    world = demo_world()
    assert world.country_index("JPN") == world.country_index("japan") == world.country_index("Japan")
    assert world.country_index("US") == world.country_index("United States") == 0
    assert world.sector_indices(["manufactures"]) == [2, 3, 4, 5]
    assert world.sector_indices("all") == list(range(world.n_sectors))
    assert world.country_indices("all") == list(range(world.n_countries))
    with pytest.raises(UnknownNameError, match=r"unknown country 'Japn'. Did you mean 'Japan' or 'JPN'\?"):
        world.country_index("Japn")
    with pytest.raises(UnknownNameError, match=r"unknown sector or sector group 'agricultur'. Did you mean 'agriculture'"):
        world.sector_indices(["agricultur"])


def test_totals_are_consistent():
    world = demo_world()
    np.testing.assert_allclose(world.expenditure, ((1 + world.tariffs) * world.trade).sum(axis=(0, 2)))
    np.testing.assert_allclose(world.net_exports.sum(), 0, atol=1e-9 * world.expenditure.sum())
    np.testing.assert_allclose(world.exports - world.imports, world.net_exports)
    mean = world.mean_tariff
    j, s = 1, 3
    others = [i for i in range(world.n_countries) if i != j]
    expected = np.average(world.tariffs[others, j, s], weights=world.trade[others, j, s])
    assert mean[j, s] == pytest.approx(expected)


def test_select_keeps_named_countries_and_sectors():
    world = demo_world()
    sub = world.select(countries=["USA", "Japan"], sectors=["manufactures"])
    assert sub.countries == ("USA", "JPN") and sub.sectors == ("i_s", "mvh", "ele", "ome")
    np.testing.assert_array_equal(sub.trade, world.trade[np.ix_([0, 1], [0, 1], [2, 3, 4, 5])])
    assert sub.sector_groups["manufactures"] == sub.sectors and "agriculture" not in sub.sector_groups
    assert sub.country_index("US") == 0


def test_aggregate_sectors_keeps_flows_and_tariff_revenue():
    world = demo_world()
    merged = world.aggregate_sectors({"man": ["manufactures"]})
    assert merged.sectors == ("gro", "ofd", "man")
    np.testing.assert_allclose(merged.trade.sum(axis=2), world.trade.sum(axis=2))
    np.testing.assert_allclose(merged.tariff_revenue, world.tariff_revenue)
    np.testing.assert_allclose(merged.expenditure, world.expenditure)
    members = world.sector_indices("manufactures")
    weights = world.trade.sum(axis=(0, 1))[members]
    assert merged.sigma[2] == pytest.approx(np.average(world.sigma[members], weights=weights))
    assert merged.replace().sector_groups["manufactures"] == ("man",)
    assert world.aggregate_sectors({"man": ["manufactures"]}, sigma={"man": 4.0}).sigma[2] == 4.0


def test_aggregate_countries_makes_intra_trade_domestic():
    world = demo_world()
    merged = world.aggregate_countries({"ASIA": ["JPN", "CHN"]})
    assert merged.countries == ("USA", "ASIA", "EU", "ROW")
    np.testing.assert_allclose(merged.trade.sum(), world.trade.sum())
    assert np.all(merged.tariffs[1, 1, :] == 0)
    # US tariffs on Asian goods: flow-weighted means of the tariffs on Japan and China.
    weights = world.trade[[1, 2], 0, :]
    expected = (world.tariffs[[1, 2], 0, :] * weights).sum(axis=0) / weights.sum(axis=0)
    np.testing.assert_allclose(merged.tariffs[1, 0, :], expected)
    with pytest.raises(DataValidationError, match=r"country 'JPN' is assigned to both 'ASIA' and 'J2'"):
        world.aggregate_countries({"ASIA": ["JPN", "CHN"], "J2": ["JPN"]})


def test_replace_rejects_unknown_fields():
    with pytest.raises(TypeError, match="no field"):
        demo_world().replace(flows=1)
