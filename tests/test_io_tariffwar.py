"""The tariffwar world cubes: every cube reads, the axes are the right way round, every elasticity set
comes along, and the seed scenario solves on today's data."""

from __future__ import annotations

import shutil

import h5py
import numpy as np
import pytest

from tariffsim.errors import DataValidationError
from tariffsim.io import read_world
from tariffsim.io.tariffwar import DEFAULT_ELASTICITY, ELASTICITY_SETS, cubes_in, read_cube
from tariffsim.models import Armington, Krugman
from tariffsim.policy import Policy
from tariffsim.purge import purge

SIZES = {"icio": (81, 28), "wiod": (44, 16)}


@pytest.fixture(scope="module")
def folder(data_dir):
    return data_dir / "tariffwar"


@pytest.fixture(scope="module")
def icio2022(folder):
    return read_cube(folder / "ICIO2022.mat")


def _raw(path):
    """An independent read: the arrays exactly as h5py gives them, names decoded by hand."""
    with h5py.File(path, "r") as h5:
        def names(key):
            return ["".join(chr(c) for c in h5[ref][()].ravel()) for ref in h5[key][()].ravel()]
        epsilon = {s: h5[f"data/sigma/{s}/epsilon_S"][()].ravel() for s in ELASTICITY_SETS}
        return names("data/countries"), h5["data/Xjik_3D"][()], h5["data/tjik_3D"][()], epsilon


def test_every_cube_of_the_folder_reads_with_its_year_size_and_eight_elasticity_sets(folder):
    cubes = cubes_in(folder)
    assert [c.name for c in cubes] == [f"icio{y}" for y in range(2011, 2023)] + [f"wiod{y}" for y in range(2000, 2015)]
    for cube in cubes:
        world = read_cube(cube.path)
        assert (world.n_countries, world.n_sectors) == SIZES[cube.family] and world.year == cube.year
        assert world.countries[-1] == "ROW" and set(world.elasticities) == set(ELASTICITY_SETS)
        assert world.elasticity == DEFAULT_ELASTICITY and np.array_equal(world.sigma, world.elasticities["U4"])


def test_the_axes_follow_the_readme_china_us_flows(icio2022):
    china, usa = icio2022.country_index("CHN"), icio2022.country_index("USA")
    assert icio2022.trade[china, usa].sum() / 1e3 == pytest.approx(532, abs=1)  # US$ bn, China's sales to the US
    assert icio2022.trade[usa, china].sum() / 1e3 == pytest.approx(222, abs=1)


@pytest.mark.parametrize("name", ["ICIO2022.mat", "WIOD2014.mat", "WIOD2000.mat"])
def test_cells_and_elasticities_equal_an_independent_h5py_read(folder, name):
    countries, flows, tariffs, epsilon = _raw(folder / name)
    world = read_cube(folder / name)
    assert list(world.countries) == countries
    rng = np.random.default_rng(7)
    for _ in range(50):
        k, importer, exporter = (int(rng.integers(n)) for n in flows.shape)
        assert world.trade[exporter, importer, k] == flows[k, importer, exporter]
        assert world.tariffs[exporter, importer, k] == tariffs[k, importer, exporter]
    us, jp = countries.index("USA"), countries.index("JPN")
    assert world.tariffs[jp, us].tolist() == tariffs[:, us, jp].tolist()  # tariffs the US sets on Japan
    for name_, values in epsilon.items():
        np.testing.assert_array_equal(world.with_elasticity(name_).sigma, values + 1)


def test_names_paths_folders_and_years_all_reach_the_same_cube(folder, icio2022, monkeypatch):
    monkeypatch.setenv("TARIFFSIM_DATA", str(folder.parent))
    for world in (read_world("icio2022"), read_world(folder / "ICIO2022.mat"), read_world(folder, year=2022)):
        assert world.year == 2022 and np.array_equal(world.trade, icio2022.trade)
    assert read_world(folder, year=2012).label.startswith("ICIO 2012")  # ICIO where both have the year
    assert read_world(folder, year=2005).label.startswith("WIOD 2005")
    assert read_world("wiod2014", elasticity="CP").elasticity == "CP"


@pytest.mark.parametrize(("call", "message"), [
    (lambda f: read_world(f), "say which year with --year"),
    (lambda f: read_world(f, year=1999), r"no world cube for 1999 \(years 2000-2022\)"),
    (lambda f: read_world(f / "ICIO2022.mat", elasticity="XX"), "elasticity set 'XX' is not one of U4, CP"),
    (lambda f: read_world("demo", elasticity="CP"), "has one set of elasticities"),
    (lambda f: read_world("demo", year=2019), "synthetic demo world, which has no data year"),
    # a file has its own year: --year does not relabel it; the fix names the folder
    (lambda f: read_world(f / "ICIO2022.mat", year=2019),
     r"ICIO2022\.mat' is the cube of 2022, not of --year 2019 .*fix: leave --year out, or give the folder of cubes "
     r"\('.*tariffwar'\) with --year 2019"),
    (lambda f: read_world(f / "ICIO2022.mat", year=2022), None),  # its own year: read
])
def test_bad_choices_are_refused_with_the_fix(folder, call, message):
    if message is None:
        assert call(folder).year == 2022
        return
    with pytest.raises(DataValidationError, match=message):
        call(folder)


def test_a_cube_name_with_another_year_reads_that_years_cube_of_its_family(folder, monkeypatch):
    monkeypatch.setenv("TARIFFSIM_DATA", str(folder.parent))
    assert read_world("icio2022", year=2019).year == 2019
    assert read_world("icio2022", year=2019).label.startswith("ICIO 2019")
    assert read_world("wiod2014", year=2005).label.startswith("WIOD 2005")  # the family, not ICIO of 2005
    assert read_world("wiod2014", year=2014).year == 2014
    for spec, year, family in (("icio2022", 2005, r"ICIO years found: 2011-2022"),
                               ("wiod2014", 2019, r"WIOD years found: 2000-2014")):
        with pytest.raises(DataValidationError, match=rf"--data {spec} --year {year}: there is no .*{family}.*fix"):
            read_world(spec, year=year)


def test_a_damaged_cube_is_refused_naming_the_dataset(tmp_path, folder):
    copy = tmp_path / "WIOD2014.mat"
    shutil.copy(folder / "WIOD2014.mat", copy)
    with h5py.File(copy, "r+") as h5:
        flows = h5["data/Xjik_3D"][()]
        flows[3, 5, 7] = -1.0
        h5["data/Xjik_3D"][...] = flows
    with pytest.raises(DataValidationError, match=r"WIOD2014\.mat data/Xjik_3D\[3, 5, 7\] \(exporter CHN, importer "
                                                  r"CAN, sector C13T15\) \(value: -1\.0\)"):
        read_cube(copy)
    (tmp_path / "ICIO2000.mat").write_text("not HDF5")
    with pytest.raises(DataValidationError, match="not a readable MATLAB v7.3"):
        read_cube(tmp_path / "ICIO2000.mat")


# ------------------------------------------------------------------ the seed scenario on today's data
def _cars(world):
    """The seed's step: the US adds 25 points on Japanese motor vehicles."""
    cube = np.array(world.tariffs)
    cube[world.country_index("JPN"), world.country_index("USA"), world.sector_indices("C29" if "C29" in world.sectors
                                                                                       else "C29_30")] += 0.25
    return cube


@pytest.mark.parametrize("cube", ["ICIO2022.mat", "WIOD2014.mat"])
@pytest.mark.parametrize("model", [Krugman, Armington])
@pytest.mark.parametrize("purged", [False, True])
def test_the_seed_scenario_solves_on_icio_and_wiod(folder, cube, model, purged):
    world = read_cube(folder / cube)
    world = purge(world) if purged else world
    equilibrium = model().solve(model().calibrate(world), Policy(_cars(world), "zero" if purged else "fixed"))
    assert equilibrium.max_residual <= 1e-10
    japan = world.country_index("JPN")
    assert equilibrium.welfare_hat[japan] < 1  # the tariff hurts Japan in every model and deficit treatment


def test_zero_shock_identity_and_scaling_invariance_on_icio2022(icio2022):
    model = Krugman()
    same = model.solve(model.calibrate(icio2022), Policy(icio2022.tariffs))
    assert same.max_residual <= 1e-10 and np.max(np.abs(same.welfare_hat - 1)) < 1e-9
    scaled = icio2022.replace(trade=icio2022.trade * 1e3)
    cars = Policy(_cars(icio2022))
    original = model.solve(model.calibrate(icio2022), cars)
    rescaled = model.solve(model.calibrate(scaled), cars)
    np.testing.assert_allclose(rescaled.welfare_hat, original.welfare_hat, atol=1e-9)
