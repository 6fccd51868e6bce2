"""World maps: a choropleth of one per-country result (welfare, real wage, exports, tariffs, ...).

``world_map(countries, values, ...)`` draws a matplotlib Figure (Agg canvas, no pyplot state) on the
country shapes shipped in ``data/world_shapes.npz`` (Natural Earth 1:110m, public domain; built by
``scripts/build_world_shapes.py``; attribution in ``data/NATURAL_EARTH.md``): nothing is downloaded.

How a world's countries become areas on the map (``regions``):

- an ISO3 code (``JPN``) is that country's shape;
- ``ROW`` (the rest of the world) is every shape that no other country or region of the world claims,
  all in the colour of ROW's value;
- a region named like a country group (``EU`` in ``ossa2014``, or ``EU27``, ``ASEAN``, ...) is its
  members (``tariffsim.country_groups``: the EU of the data year; the EU of 2007, Ossa's data year, when
  the world has no year), all in the region's colour;
- shapes that belong to no country of the world (a world without ``ROW``) are grey, and the legend says
  "not in this world"; an economy too small for the 1:110m shapes (Singapore, Malta, Hong Kong, ...) is
  named in the map's note.

Colours: a diverging scale (red losses, blue gains, as in the report) centred on zero
(``TwoSlopeNorm``), symmetric; a value that is undefined (a change from a zero baseline) is light
hatched grey, "n/a".
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import TwoSlopeNorm, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from tariffsim.country_groups import ROW, group_members
from tariffsim.errors import OptionError

FORMATS = ("png", "svg")
CMAP = "RdBu"
OUTSIDE = "#c8c8c8"
UNDEFINED = "#eeeeee"
EDGE = "#ffffff"
YEAR_UNKNOWN_EU = 2007
"""The EU of this year stands for an ``EU`` region of a world without a data year (ossa2014: 2007 data)."""
LATITUDES = (-58.0, 84.0)
DPI = 110


@dataclass(frozen=True)
class Shapes:
    """Country outlines: ``codes`` (K,) ISO3; ring r belongs to ``codes[ring_country[r]]`` and has the
    points ``points[ring_start[r]:ring_start[r + 1]]`` (longitude, latitude in degrees)."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    ring_country: np.ndarray
    ring_start: np.ndarray
    points: np.ndarray

    def rings(self) -> list[np.ndarray]:
        return [self.points[a:b] for a, b in itertools.pairwise(self.ring_start)]


@functools.cache
def shapes() -> Shapes:
    """The shipped Natural Earth 1:110m country shapes."""
    with resources.files("tariffsim.data").joinpath("world_shapes.npz").open("rb") as handle:
        data = np.load(handle)
        scale = float(data["scale"])
        return Shapes(tuple(data["codes"].tolist()), tuple(data["names"].tolist()), data["ring_country"],
                      data["ring_start"], data["points"].astype(float) / scale)


def regions(countries: Sequence[str], year: int | None = None) -> tuple[dict[str, str], list[str]]:
    """Which world country each drawn shape belongs to (shape code -> country), and the world's countries
    that have no shape at this scale. See the module docstring for ROW and group regions."""
    drawn = set(shapes().codes)
    owner = {c: c for c in countries if c in drawn}
    groups = {g.upper(): m for g, m in group_members(year if year is not None else YEAR_UNKNOWN_EU).items()}
    for region in (c for c in countries if c not in drawn):
        for member in groups.get(region.upper(), ()):
            if member in drawn:
                owner.setdefault(member, region)  # a country of the world itself keeps its own shape
    if ROW in countries:
        for code in drawn - set(owner):
            owner[code] = ROW
    covered = set(owner.values())
    return owner, [c for c in countries if c not in covered]


def unknown_codes(countries: Sequence[str], year: int | None = None) -> list[str]:
    """The world's countries that are neither ISO3 codes (pycountry, or Kosovo's XKX), ROW, nor a known
    group: a map cannot say where they are, nor which shapes ROW leaves to them."""
    import pycountry

    groups = {g.upper() for g in group_members(year if year is not None else YEAR_UNKNOWN_EU)}
    drawn = set(shapes().codes)
    return [c for c in countries if c != ROW and c.upper() not in groups and c not in drawn
            and pycountry.countries.get(alpha_3=c) is None]


def drawable(countries: Sequence[str], year: int | None = None) -> bool:
    """Whether the world can be mapped: every country is an ISO3 code, ROW or a known group."""
    return not unknown_codes(countries, year)


def check_target(path: str | Path, option: str = "--map") -> Path:
    """``path`` if its extension is one of FORMATS, else OptionError naming the file and the fix."""
    path = Path(path)
    if path.suffix.lower().lstrip(".") not in FORMATS:
        raise OptionError(f"{option} {path}: a map is written as .png or .svg (by the file's extension), not "
                          f"'{path.suffix or 'no extension'}'; give e.g. {path.with_suffix('.png')}")
    return path


def world_map(countries: Sequence[str], values: Sequence[float], *, title: str, label: str = "% change",
              year: int | None = None) -> Figure:
    """A choropleth of ``values`` (one per world country, in ``countries`` order) on the world's shapes.

    Raises OptionError if a country is not an ISO3 code, ROW or a known group (``unknown_codes``).
    """
    values = np.asarray(values, dtype=float)
    unknown = unknown_codes(countries, year)
    if unknown:
        raise OptionError(f"maps need ISO3 country codes (or ROW, EU, ...): {', '.join(unknown[:6])}"
                          f"{f' and {len(unknown) - 6} more' if len(unknown) > 6 else ''} are not; map a world "
                          "coded that way (e.g. --data icio2022), or give its countries ISO3 codes")
    owner, undrawn = regions(countries, year)
    value_of = dict(zip(countries, values, strict=True))
    finite = values[np.isfinite(values)]
    bound = max(float(np.max(np.abs(finite))) if finite.size else 0.0, 1e-12)
    norm = TwoSlopeNorm(0.0, -bound, bound)
    figure = Figure(figsize=(11, 5.6), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    cmap = figure.colorbar(_mappable(norm), ax=axes, orientation="horizontal", shrink=0.55, pad=0.02,
                           label=label).cmap
    codes = shapes().codes
    faces, hatched = [], []
    for k in shapes().ring_country:
        country = owner.get(codes[k])
        value = np.nan if country is None else value_of[country]
        faces.append(OUTSIDE if country is None else UNDEFINED if not np.isfinite(value) else cmap(norm(value)))
        hatched.append(country is not None and not np.isfinite(value))
    axes.add_collection(PolyCollection(shapes().rings(), facecolors=faces, edgecolors=EDGE, linewidths=0.3))
    axes.set_xlim(-180, 180)
    axes.set_ylim(*LATITUDES)
    axes.set_aspect("equal")
    axes.set_axis_off()
    axes.set_title(title, loc="left", fontsize=11)
    legend = _legend_entries(owner, countries, any(hatched), len(set(owner)) < len(codes))
    if legend:
        axes.legend(handles=legend, loc="lower left", fontsize=8, frameon=False)
    if undrawn:
        shown = [c for c in undrawn if c != ROW]
        if shown:
            figure.text(0.01, 0.01, "Too small to draw at 1:110m: " + ", ".join(shown[:20])
                        + (f" and {len(shown) - 20} more" if len(shown) > 20 else "") + ".", fontsize=7, color="#555")
    return figure


def _mappable(norm):
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=norm, cmap=CMAP)


def _legend_entries(owner: dict[str, str], countries: Sequence[str], undefined: bool, outside: bool) -> list[Patch]:
    """Legend patches: grey 'not in this world', 'n/a', and a note per region drawn as several countries."""
    entries = []
    sizes = {}
    for region in owner.values():
        sizes[region] = sizes.get(region, 0) + 1
    for region in countries:
        if sizes.get(region, 0) > 1:
            entries.append(Patch(facecolor="none", edgecolor="#555",
                                 label=f"{region}: {sizes[region]} countries, one colour"))
    if outside:
        entries.append(Patch(facecolor=OUTSIDE, label="not in this world"))
    if undefined:
        entries.append(Patch(facecolor=UNDEFINED, edgecolor="#999", label="n/a (zero baseline)"))
    return entries


def colour_of(figure: Figure, code: str) -> tuple[float, float, float, float]:
    """The fill colour (RGBA) of the shape ``code`` on a figure drawn by ``world_map`` (for checks)."""
    collection = next(c for c in figure.axes[0].collections if isinstance(c, PolyCollection))
    ring = list(shapes().ring_country).index(shapes().codes.index(code))
    return tuple(to_rgba(collection.get_facecolors()[ring]))


def save(figure: Figure, path: Path) -> None:
    """Write ``figure`` at ``path`` in the format of its extension (``check_target`` first)."""
    figure.savefig(path, format=check_target(path).suffix.lower().lstrip("."))


def equilibrium_map(equilibrium, variable: str = "welfare") -> Figure:
    """The map of the country result ``variable`` of a solved equilibrium (``map_values``)."""
    values, label, unit = map_values(equilibrium, variable)
    world = equilibrium.world
    title = f"{equilibrium.policy.name or 'counterfactual'}: {label} — {world.label or 'world'}"
    return world_map(world.countries, values, title=title, label=unit, year=world.year)


def map_values(equilibrium, variable: str) -> tuple[np.ndarray, str, str]:
    """(N,) values of ``variable``, its label and unit: any country variable the model declares (percent
    changes, ...), or ``real_wage`` (the nominal wage deflated by the price index, % change) or ``tariff``
    (each importer's mean tariff over partners and sectors, weighted by baseline imports: change in
    percentage points)."""
    from tariffsim.results import declared

    chosen = {v.name: v for v in declared(equilibrium, "country")}
    if variable == "real_wage" and {"nominal_wage", "price_index"} <= set(chosen):
        wage, prices = (np.asarray(chosen[n].compute(equilibrium), dtype=float) for n in ("nominal_wage", "price_index"))
        return 100 * ((1 + wage / 100) / (1 + prices / 100) - 1), "real wage", "% change"
    if variable == "tariff":
        world = equilibrium.world
        weights = world.foreign_trade
        imports = weights.sum(axis=(0, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            change = np.einsum("ijs,ijs->j", weights, equilibrium.policy.tariffs - world.tariffs) / imports
        return 100 * change, "mean tariff (import-weighted)", "change, percentage points"
    if variable not in chosen:
        raise OptionError(f"--map-variable {variable!r}: not a country result of the {equilibrium.model.name} model; "
                          f"use real_wage, tariff or one of {', '.join(chosen)}")
    v = chosen[variable]
    return (np.asarray(v.compute(equilibrium), dtype=float), v.label or v.name,
            "% change" if v.unit == "pct" else v.unit.replace("_", " "))
