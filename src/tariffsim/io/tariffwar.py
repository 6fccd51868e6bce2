"""The tariffwar world cubes: ICIO 2011-2022 (81 economies x 28 sectors) and WIOD 2000-2014 (44 x 16).

One MATLAB v7.3 (HDF5) file per year, read with h5py (see ``../shared/data/tariffwar/README.md``):
``data/Xjik_3D`` (S, importer, exporter) flows in US$ million with domestic absorption on the
diagonal, ``data/tjik_3D`` (S, importer, exporter) applied tariffs (Teti), ``data/countries`` and
``data/sectors`` (references to character arrays), and eight trade-elasticity sets
``data/sigma/<SET>/epsilon_S``. MATLAB writes column-major, so h5py shows the axes reversed; here they
become tariffsim's ``trade[exporter, importer, sector]``.

Names: ``icio2022``, ``wiod2014``, ... (``cube_name``) are files ``ICIO2022.mat`` ... in the folder
``tariffwar`` under ``$TARIFFSIM_DATA`` (or in ``$TARIFFSIM_DATA`` itself). A folder of cubes with a
year picks that year's cube, ICIO where both exist (2011-2014).

Elasticities: every set is carried into the ``World`` as sigma = epsilon + 1 (``World.elasticities``);
the default set is ``DEFAULT_ELASTICITY`` = ``U4``, a uniform trade elasticity of 4 (Simonovska and
Waugh 2014): the value Ignatenko, Lashkaripour, Macedoni and Simonovska (2025) use, the same for every
sector, so that a result does not hinge on one sector's outlying estimate (CP has 64.85 for mining).
``--elasticity all`` shows how much an answer depends on the choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tariffsim.country_groups import country_groups_for
from tariffsim.errors import DataValidationError
from tariffsim.sector_groups import groups_for
from tariffsim.world import World, check_arrays

ELASTICITY_SETS = ("U4", "CP", "IS", "BSY", "GYY", "Shap", "FGO", "LL")
DEFAULT_ELASTICITY = "U4"
ELASTICITY_SOURCES = {
    "U4": "uniform trade elasticity 4 (Simonovska and Waugh 2014)",
    "CP": "Caliendo and Parro (2015)",
    "IS": "in-sample (WIOD: Lashkaripour 2021; ICIO: the tariffwar package's Caliendo-Parro estimator)",
    "BSY": "Bagwell, Staiger and Yurukoglu (2021)",
    "GYY": "Giri, Yi and Yilmazkuday (2021)",
    "Shap": "Shapiro (2016)",
    "FGO": "Fontagne, Guimbard and Orefice (2022)",
    "LL": "Lashkaripour and Lugovskyy (2023)",
}
FAMILIES = {
    "icio": ("ICIO", "OECD", "OECD Inter-Country Input-Output tables, 2023 edition (OECD 2023; reuse with attribution)"),
    "wiod": ("WIOD", "WIOD", "World Input-Output Database, 2016 release (Timmer et al. 2015; CC BY 4.0)"),
}
"""family -> (file prefix, short source for labels, full source and terms)."""
TARIFF_SOURCE = "Teti Global Tariff Database (Teti 2024, ECARES WP 2024-04)"
FOLDER = "tariffwar"
NAME_PATTERN = re.compile(r"^(icio|wiod)(\d{4})$", re.IGNORECASE)
FILE_PATTERN = re.compile(r"^(ICIO|WIOD)(\d{4})\.mat$")
SERVICES = "SERV"

ICIO_SECTOR_NAMES = {
    "A01": "Crop and animal production, hunting", "A02": "Forestry and logging", "A03": "Fishing and aquaculture",
    "B05": "Mining of coal and lignite", "B06": "Crude petroleum and natural gas", "B07": "Mining of metal ores",
    "B08": "Other mining and quarrying", "B09": "Mining support services",
    "C10T12": "Food products, beverages and tobacco", "C13T15": "Textiles, apparel, leather",
    "C16": "Wood and cork products", "C17_18": "Paper products and printing", "C19": "Coke and refined petroleum",
    "C20": "Chemicals", "C21": "Pharmaceuticals", "C22": "Rubber and plastics", "C23": "Other non-metallic minerals",
    "C24A": "Basic iron and steel", "C24B": "Basic precious and non-ferrous metals", "C25": "Fabricated metal products",
    "C26": "Computer, electronic and optical products", "C27": "Electrical equipment", "C28": "Machinery n.e.c.",
    "C29": "Motor vehicles, trailers and semi-trailers", "C301": "Ships and boats",
    "C302T309": "Other transport equipment", "C31T33": "Other manufacturing; repair", SERVICES: "Services (aggregate)",
}
WIOD_SECTOR_CODES = {  # the file's names -> ISIC Rev. 4 codes in the ICIO style
    "Agriculture, forestry, fishing": "A01T03", "Mining and quarrying": "B05T09", "Food, beverages, tobacco": "C10T12",
    "Textiles, apparel, leather": "C13T15", "Wood, paper, printing": "C16T18", "Coke and refined petroleum": "C19",
    "Chemicals, pharmaceuticals": "C20_21", "Rubber, plastics, non-metallic minerals": "C22_23",
    "Basic metals": "C24", "Fabricated metals": "C25", "Computer, electronic, optical": "C26",
    "Electrical equipment": "C27", "Machinery and equipment n.e.c.": "C28", "Transport equipment": "C29_30",
    "Other manufacturing; repair": "C31T33", "Services (aggregate)": SERVICES,
}


@dataclass(frozen=True)
class Cube:
    """One cube file: ``family`` ("icio" or "wiod"), ``year`` and ``path``."""

    family: str
    year: int
    path: Path

    @property
    def name(self) -> str:
        return f"{self.family}{self.year}"


def named_cube(spec: object) -> Cube | None:
    """The cube a data-set name such as ``icio2022`` denotes, when such a file exists under
    ``$TARIFFSIM_DATA/tariffwar`` (or ``$TARIFFSIM_DATA``); None for any other spec."""
    found = NAME_PATTERN.match(spec) if isinstance(spec, str) else None
    if found is None or Path(spec).exists():
        return None
    file_name = f"{found.group(1).upper()}{found.group(2)}.mat"
    for folder in _data_folders():
        if (folder / file_name).is_file():
            return Cube(found.group(1).lower(), int(found.group(2)), folder / file_name)
    return None


def _data_folders() -> tuple[Path, ...]:
    """Where named cubes are looked for: ``$TARIFFSIM_DATA/tariffwar``, then ``$TARIFFSIM_DATA`` (none when unset)."""
    from tariffsim.datasets import data_root

    root = data_root()
    return () if root is None else (root / FOLDER, root)


def family_years(family: str) -> list[int]:
    """The years of the ``family`` ("icio" or "wiod") cubes found under ``$TARIFFSIM_DATA``."""
    return sorted({c.year for folder in _data_folders() for c in cubes_in(folder) if c.family == family.lower()})


def cube_of(path: Path) -> Cube | None:
    """The cube a file name denotes (``ICIO2022.mat``), or None."""
    found = FILE_PATTERN.match(path.name)
    return Cube(found.group(1).lower(), int(found.group(2)), path) if found else None


def cubes_in(folder: Path) -> list[Cube]:
    """Every cube file in ``folder``, sorted by family and year."""
    found = [cube_of(p) for p in folder.glob("*.mat")] if folder.is_dir() else []
    return sorted((c for c in found if c is not None), key=lambda c: (c.family, c.year))


def is_cube_folder(folder: Path) -> bool:
    return bool(cubes_in(folder))


def cube_for_year(folder: Path, year: int | None) -> Cube:
    """The cube of ``year`` in a folder of cubes (ICIO where ICIO and WIOD both have it)."""
    cubes = cubes_in(folder)
    years = sorted({c.year for c in cubes})
    if year is None:
        raise DataValidationError(f"{folder} holds world cubes for {years[0]}-{years[-1]}: say which year with "
                                  f"--year (Python: year=...), or name one, e.g. --data icio{years[-1]}")
    matching = [c for c in cubes if c.year == year]
    if not matching:
        raise DataValidationError(f"{folder}: no world cube for {year} (years {years[0]}-{years[-1]}); fix: "
                                  "choose a year the folder has")
    return min(matching, key=lambda c: c.family != "icio")


@dataclass(frozen=True)
class CubeArrays:
    """A cube file's contents as read, before its values are checked: trade and tariffs (exporter x importer x
    sector), the trade elasticities epsilon by set, names and year."""

    family: str
    year: int | None
    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    trade: np.ndarray
    tariffs: np.ndarray
    epsilon: dict[str, np.ndarray]

    @property
    def sets(self) -> dict[str, np.ndarray]:
        """sigma = epsilon + 1 by elasticity set."""
        return {name: 1.0 + eps for name, eps in self.epsilon.items()}


def read_cube_arrays(path: str | Path) -> CubeArrays:
    """The arrays of one cube file in tariffsim's axis order; DataValidationError for a file that is not a
    complete cube (no HDF5, a missing array, a wrong shape, an unknown sector), not for bad values."""
    import h5py

    path = Path(path)
    cube = cube_of(path)
    family = cube.family if cube else "icio"
    try:
        with h5py.File(path, "r") as h5:
            data = _group(h5, path)
            countries, raw_sectors = _names(h5, data, "countries", path), _names(h5, data, "sectors", path)
            flows, tariffs = (_cube(data, key, path, len(countries), len(raw_sectors)) for key in ("Xjik_3D", "tjik_3D"))
            epsilon = {name: _vector(data, f"sigma/{name}/epsilon_S", path, len(raw_sectors)) for name in ELASTICITY_SETS}
            year = int(np.asarray(data["year"]).ravel()[0]) if "year" in data else (cube.year if cube else None)
    except OSError as error:
        raise DataValidationError(f"{path}: not a readable MATLAB v7.3 (HDF5) file ({error}); fix: give one of the "
                                  "tariffwar cubes, e.g. ICIO2022.mat") from None
    return CubeArrays(family, year, countries, _sectors(raw_sectors, family), flows.transpose(2, 1, 0),
                      tariffs.transpose(2, 1, 0), epsilon)  # (k, importer, exporter) -> (i, j, k)


def read_cube(path: str | Path, elasticity: str = DEFAULT_ELASTICITY) -> World:
    """The world of one cube file, its sigma from ``elasticity`` (one of ``ELASTICITY_SETS``)."""
    path = Path(path)
    if elasticity not in ELASTICITY_SETS:
        raise DataValidationError(_unknown_set(elasticity))
    arrays = read_cube_arrays(path)
    codes, sets = arrays.sectors, arrays.sets
    check_arrays(arrays.trade, arrays.tariffs, sets[elasticity], arrays.countries, codes,
                 locate=_locator(path, arrays.countries, codes), header=f"{path.name}: invalid world data")
    for name, sigma in sets.items():
        if not np.all(np.isfinite(sigma)) or np.any(sigma <= 1):
            bad = int(np.flatnonzero(~(np.isfinite(sigma) & (sigma > 1)))[0])
            raise DataValidationError(f"{path}: data/sigma/{name}/epsilon_S[{bad + 1}] = {arrays.epsilon[name][bad]!r} "
                                      f"(sector {codes[bad]}) is not a positive number; fix: repair the elasticity set")
    return cube_world(arrays.family, arrays.year, arrays.countries, codes, arrays.trade, arrays.tariffs, sets,
                      elasticity)


def cube_world(family: str, year: int | None, countries: tuple[str, ...], sectors: tuple[str, ...], trade: np.ndarray,
               tariffs: np.ndarray, sets: dict[str, np.ndarray], elasticity: str, note: str = "") -> World:
    """The World of a cube's arrays (trade and tariffs exporter x importer x sector, sigma by set): sector
    names, groups, country groups of the year and the label (with ``note``, e.g. "embedded copy")."""
    if elasticity not in sets:
        raise DataValidationError(_unknown_set(elasticity))
    prefix, short, _ = FAMILIES[family]
    names = tuple(ICIO_SECTOR_NAMES.get(c, c) for c in sectors) if family == "icio" else \
        tuple({code: name for name, code in WIOD_SECTOR_CODES.items()}[c] for c in sectors)
    return World(countries=countries, sectors=sectors, trade=trade, tariffs=tariffs, sigma=sets[elasticity],
                 sector_names=names, elasticities=sets, elasticity=elasticity, year=year,
                 sector_groups=groups_for(sectors), country_groups=country_groups_for(countries, year),
                 label=f"{prefix} {year} ({short} flows, Teti tariffs{note}): {len(countries)} economies x "
                       f"{len(sectors)} sectors")


def _unknown_set(name: str) -> str:
    return (f"elasticity set {name!r} is not one of {', '.join(ELASTICITY_SETS)}; fix: choose one (or 'all' to "
            f"solve under every set); the default is {DEFAULT_ELASTICITY}")


def _group(h5, path: Path):
    if "data" not in h5:
        raise DataValidationError(f"{path}: no group 'data' (found: {', '.join(list(h5)[:5])}); fix: give one of the "
                                  "tariffwar cubes, whose arrays sit under 'data'")
    return h5["data"]


def _names(h5, data, key: str, path: Path) -> tuple[str, ...]:
    """A cell array of MATLAB strings: references to uint16 character codes."""
    if key not in data:
        raise DataValidationError(f"{path}: data/{key} is missing; fix: give a complete tariffwar cube")
    return tuple("".join(map(chr, np.asarray(h5[ref]).ravel())) for ref in np.asarray(data[key]).ravel())


def _cube(data, key: str, path: Path, n: int, s: int) -> np.ndarray:
    if key not in data:
        raise DataValidationError(f"{path}: data/{key} is missing; fix: give a complete tariffwar cube")
    array = np.asarray(data[key], dtype=np.float64)
    if array.shape != (s, n, n):
        raise DataValidationError(f"{path}: data/{key} has shape {array.shape}, expected ({s}, {n}, {n}) for {s} "
                                  f"sectors and {n} countries (sector, importer, exporter as h5py reads it); fix: "
                                  "give a complete tariffwar cube")
    return array


def _vector(data, key: str, path: Path, s: int) -> np.ndarray:
    if key not in data:
        raise DataValidationError(f"{path}: data/{key} is missing; fix: give a tariffwar cube with all eight "
                                  f"elasticity sets ({', '.join(ELASTICITY_SETS)})")
    vector = np.asarray(data[key], dtype=np.float64).ravel()
    if vector.size != s:
        raise DataValidationError(f"{path}: data/{key} has {vector.size} values for {s} sectors; fix: one per sector")
    return vector


def _sectors(raw: tuple[str, ...], family: str) -> tuple[str, ...]:
    """Short codes of the cube's sectors (WIOD's long names become ISIC-style codes)."""
    if family == "wiod":
        unknown = [name for name in raw if name not in WIOD_SECTOR_CODES]
        if unknown:
            raise DataValidationError(f"unknown WIOD sector {unknown[0]!r}; fix: use a tariffwar WIOD cube")
        return tuple(WIOD_SECTOR_CODES[name] for name in raw)
    return tuple(SERVICES if name.startswith("Services") else name for name in raw)


def _locator(path: Path, countries, sectors):
    """Where a bad cell sits, in the file's own terms (h5py order) and in names."""
    keys = {"trade": "Xjik_3D", "tariff": "tjik_3D"}

    def locate(cell) -> str:
        kind, *index = cell
        if kind in keys:
            i, j, s = index
            return (f"{path.name} data/{keys[kind]}[{s}, {j}, {i}] (exporter {countries[i]}, importer {countries[j]}, "
                    f"sector {sectors[s]})")
        if kind == "sigma":
            return f"{path.name} elasticity of sector {sectors[index[0]]}"
        return f"{path.name} {kind} {index}"

    return locate
