"""Read any data set by name or path: the demo world, an Ossa-style folder or a long-format folder."""

from __future__ import annotations

import os
from pathlib import Path

from tariffsim import datasets
from tariffsim.errors import DataValidationError
from tariffsim.io import embedded, tariffwar
from tariffsim.io._tables import SUFFIXES
from tariffsim.io.cp2015 import is_cp2015_folder, read_cp2015
from tariffsim.io.ilms2025 import is_ilms2025_folder, read_ilms2025
from tariffsim.io.long import EXPECTED_FILES, folder_contents, read_long_folder
from tariffsim.io.ossa import read_ossa
from tariffsim.synthetic import demo_world
from tariffsim.world import World
from tariffsim.world_io import IOWorld

OSSA_FILES = "trade_ijs.csv, tariff_ijs.csv, sigma_s.csv, regions.csv and labels.csv or sectors.csv"



def read_world(spec: str | os.PathLike[str], *, year: int | None = None, elasticity: str | None = None) -> World:
    """The world named by ``spec``, with ``sigma`` from the elasticity set ``elasticity`` (default: the data
    set's own default; ``World.elasticities`` lists the sets).

    ``"icio2022"``, ``"wiod2014"``, ... are the tariffwar world cubes (``io.tariffwar``), found in
    ``$TARIFFSIM_DATA/tariffwar``; ``"icio2022"`` works without any data set too (``io.embedded``); a path to one ``.mat`` cube reads it, and a folder of cubes needs
    ``year``. ``"demo"`` is the synthetic demo world; anything else is resolved by ``datasets.dataset_path``
    (a path, or a name under TARIFFSIM_DATA) to a folder read by its contents: ``trade_ijs.csv``
    means an Ossa-style folder (``read_ossa``, main sigma), ``flows.*`` a long-format folder
    (``read_long_folder``), ``trade.csv`` with ``intermediate_consumption.csv`` the cp2015 layout
    (``read_cp2015(...).world``; ``read_io_world`` keeps its input-output tables).

    Raises DataValidationError (never TypeError or OSError) for None, a path that is too long, missing
    or unreadable, and a folder of no known layout.
    """
    if isinstance(spec, str | os.PathLike) and str(spec) == datasets.DEMO:
        if year is not None:
            raise DataValidationError(f"--data {datasets.DEMO} is the synthetic demo world, which has no data "
                                      "year: --year does not apply; fix: leave --year out, or name a real world "
                                      "('tariffsim data list' lists them)")
        return _with_elasticity(demo_world(), elasticity, spec)
    path, year = _located(spec, year)
    if path is None:
        return embedded.read_embedded(elasticity)  # the copy inside the package: no data set needed
    try:
        cube = _cube_file(path, year)
        if cube is not None:
            world = tariffwar.read_cube(cube, elasticity or tariffwar.DEFAULT_ELASTICITY)
            return _of_year(world, cube, year) if cube == path else world
        if year is not None:
            raise DataValidationError(f"{datasets.shown(path)}: --year picks a cube in a folder of world cubes; this "
                                      "data set has one year; fix: leave --year out")
        return _with_elasticity(_read_found(path), elasticity, spec)
    except PermissionError as error:
        raise DataValidationError(
            f"{datasets.shown(path)}: permission denied ({datasets.shown(error.filename or path)} cannot be read); "
            "fix: make the data set's folder and files readable"
        ) from None


def cube_file(spec: str | os.PathLike[str], year: int | None = None) -> Path | None:
    """The world-cube file that ``read_world(spec, year=year)`` reads; None when it reads none (the demo world,
    the embedded copy, a folder of another layout)."""
    if str(spec) == datasets.DEMO:
        return None
    path, year = _located(spec, year)
    return None if path is None else _cube_file(path, year)


def _located(spec: object, year: int | None) -> tuple[Path | None, int | None]:
    """(the file or folder of ``spec``, the year still to apply); None for the embedded copy."""
    spec, year = _cube_of_year(spec, year)
    cube = tariffwar.named_cube(spec)
    if cube is None and _is_embedded(spec):
        return None, None
    return (cube.path if cube is not None else datasets.dataset_path(spec)), year


def _cube_file(path: Path, year: int | None) -> Path | None:
    """``path`` when it is a cube file, the cube of ``year`` when it is a folder of cubes, else None."""
    if path.is_file() and path.suffix == ".mat":
        return path
    if path.is_dir() and tariffwar.is_cube_folder(path):
        return tariffwar.cube_for_year(path, year).path
    return None


def _is_embedded(spec: object) -> bool:
    """Whether ``spec`` names the embedded world (``icio2022`` with no such file or folder here)."""
    return spec == embedded.EMBEDDED and not Path(spec).exists()


def _cube_of_year(spec: object, year: int | None) -> tuple[object, int | None]:
    """``(spec, year)`` with a cube name and a different year turned into that year's cube of the same family:
    ``("icio2022", 2019)`` -> ``("icio2019", None)``, when that cube is under ``$TARIFFSIM_DATA`` (or is the
    embedded copy). DataValidationError, naming the years there are, when it is not."""
    from tariffsim.catalog import years_text

    found = tariffwar.NAME_PATTERN.match(spec) if isinstance(spec, str) and year is not None else None
    if found is None or Path(spec).exists():
        return spec, year
    family = found.group(1).lower()
    wanted = f"{family}{year}"
    if int(found.group(2)) == year or tariffwar.named_cube(wanted) is not None or _is_embedded(wanted):
        return (spec if int(found.group(2)) == year else wanted), None
    years = tariffwar.family_years(family)
    if family == "icio" and embedded.EMBEDDED not in (f"icio{y}" for y in years):
        years = sorted({*years, int(embedded.EMBEDDED.removeprefix("icio"))})
    prefix = tariffwar.FAMILIES[family][0]
    root = datasets.data_root()
    where = (f"under {datasets.ENV_VAR}={datasets.shown(root, quote=False)}" if root is not None
             else f"{datasets.ENV_VAR} is not set: the package holds ICIO 2022 alone")
    found_years = years_text(tuple(years)) if years else "none"
    raise DataValidationError(f"--data {spec} --year {year}: there is no {prefix} {year} cube ({where}; {prefix} "
                              f"years found: {found_years}); fix: choose one of those years, or leave --year out, "
                              f"or set {datasets.ENV_VAR} to the folder holding the tariffwar cubes")


def _of_year(world: World, path: Path, year: int | None) -> World:
    """``world`` read from the one cube file ``path`` when ``year`` is None or its year; else the refusal (a
    file holds one year: --year picks a cube in a folder, it does not relabel a file)."""
    if year is None or world.year == year:
        return world
    stated = f"the cube of {world.year}" if world.year is not None else "a cube that states no year"
    raise DataValidationError(f"{datasets.shown(path)} is {stated}, not of --year {year} (one file, one year); fix: "
                              f"leave --year out, or give the folder of cubes ({datasets.shown(path.parent)}) with "
                              f"--year {year}")


def _with_elasticity(world: World, elasticity: str | None, spec: object) -> World:
    """``world`` with sigma from its set ``elasticity`` (None: as read)."""
    if elasticity is None or elasticity == world.elasticity:
        return world
    if not world.elasticities:
        raise DataValidationError(f"{datasets.shown(spec)} has one set of elasticities, not a choice of sets; fix: "
                                  "leave --elasticity out, or use a world cube such as icio2022 (sets: "
                                  f"{', '.join(tariffwar.ELASTICITY_SETS)})")
    return world.with_elasticity(elasticity)


def _read_found(path: Path) -> World:
    if path.is_file():
        what = ("a flows table alone is not a data set" if path.stem == "flows" and path.suffix in SUFFIXES
                else f"{path.name} is a single file, not a data set folder")
        raise DataValidationError(
            f"{path}: {what}; fix: give the folder holding {EXPECTED_FILES} (the sectors table gives"
            f" each sector's sigma), or call tariffsim.io.read_long(flows, sectors)"
        )
    if not path.is_dir():
        raise DataValidationError(f"{path} is neither a folder nor a file; fix: give the folder holding a data set")
    if (path / "trade_ijs.csv").is_file():
        return read_ossa(path)
    if any((path / f"flows{suffix}").is_file() for suffix in SUFFIXES):
        return read_long_folder(path)
    if is_cp2015_folder(path):  # input-output layout: its trade flows, tariffs and sigma = theta + 1
        return read_cp2015(path).world
    if is_ilms2025_folder(path):
        return read_ilms2025(path)
    raise DataValidationError(
        f"{path} matches no known data layout ({folder_contents(path)}); fix: give a"
        f" folder holding either {OSSA_FILES} (Ossa-style), or {EXPECTED_FILES} (long format), or trade.csv"
        " and intermediate_consumption.csv (cp2015 layout), or trade_cepii.csv, gdp.csv, tariffs.csv and "
        "country_labels.csv (ilms2025 layout), or world cubes ICIO2022.mat ... (tariffwar)"
    )


def read_io_world(spec: str | os.PathLike[str]) -> IOWorld:
    """The world with input-output tables named by ``spec`` (a path, or a name under TARIFFSIM_DATA)."""
    path = datasets.dataset_path(spec)
    if not path.is_dir() or not is_cp2015_folder(path):
        raise DataValidationError(
            f"{path} holds no input-output data; fix: the caliendo_parro model needs a cp2015-layout folder "
            "(trade.csv, intermediate_consumption.csv, final_consumption.csv, value_added.csv, deficit.csv, "
            "theta.csv, regions.txt, sectors.txt), e.g. --data cp2015"
        )
    return read_cp2015(path)
