"""Named groups of countries (``EU``, ``EU27``, ``USMCA``, ``ASEAN``, ``G7``, ``BRICS``, ...) by membership in the
data year, and the mapping of a many-country world onto the 7 regions of Ossa (2014).

``country_groups_for(countries, year)`` gives ``World.country_groups`` for a world's ISO3 codes; a scenario
can then write ``exporters = ["EU27"]`` (any case). Each group keeps only the members present in the
world, in world order; a group with no member, or named like one of the countries (``EU`` in ``ossa2014``,
where the EU is one region), is dropped.

The EU, by year (the choice made here):

- ``EU``: the members in the data year: EU15 up to 2003, EU25 in 2004-2006 (the ten of 1 May 2004 count
  from 2004), EU27 in 2007-2012 (with Bulgaria and Romania), EU28 in 2013-2019 (Croatia, 1 July 2013,
  counts from 2013), EU27 again from 2020 (the United Kingdom left on 31 January 2020, so 2020 data are
  without it). Left out when the year is unknown.
- ``EU27``: always the 27 members after Brexit (Eurostat's ``EU27_2020``), whatever the data year, so an
  ``EU27`` scenario means the same countries on 2005 and on 2022 data. In 2007-2012 the EU also had 27
  members, but not these (the UK in, Croatia out): write ``EU`` for the members of the data year.
- ``EU15`` (the members of 1995-2004) and ``EU28`` (2013-2020) are fixed compositions too.

Other groups, fixed membership: ``USMCA`` and ``NAFTA`` (the same three; NAFTA 1994 became USMCA on 1 July
2020, both names work on any year), ``ASEAN`` (the ten members since 1999; Timor-Leste joined in October
2025, after every data year here), ``G7`` and ``BRICS`` (the five of 2010: Brazil, Russia, India, China,
South Africa; the members of 2024 and later are not included).

A group may be incomplete in a world: on WIOD, ``ASEAN`` is Indonesia alone and ``BRICS`` lacks South Africa
(both inside ``ROW``). ``country_group_note(world, group)`` says so, for callers that warn.

The Ossa regions: ``OSSA_REGIONS`` (``BRA``, ``CHN``, ``EU``, ``IND``, ``JPN``, ``ROW``, ``USA``), with
``ossa_regions(world)`` the mapping for ``World.aggregate_countries`` (EU = the members in the data year,
every other economy, and the data's own ``ROW``, into ``ROW``) and ``to_ossa_regions(world)`` the
aggregated world in the order of ``ossa2014``. Ossa's own data are for 2007, when the EU had 27 members
with the UK; an ``icio2022`` aggregate has the EU of 2022.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tariffsim.errors import DataValidationError

EU_ACCESSION: Mapping[str, int] = {
    "BEL": 1958, "DEU": 1958, "FRA": 1958, "ITA": 1958, "LUX": 1958, "NLD": 1958,
    "DNK": 1973, "IRL": 1973, "GBR": 1973,
    "GRC": 1981, "ESP": 1986, "PRT": 1986,
    "AUT": 1995, "FIN": 1995, "SWE": 1995,
    "CYP": 2004, "CZE": 2004, "EST": 2004, "HUN": 2004, "LVA": 2004, "LTU": 2004, "MLT": 2004, "POL": 2004,
    "SVK": 2004, "SVN": 2004,
    "BGR": 2007, "ROU": 2007,
    "HRV": 2013,
}
"""EU member -> first calendar year counted as a member (the year it joined)."""
EU_EXIT: Mapping[str, int] = {"GBR": 2020}
"""Former member -> first calendar year counted as outside (the UK left on 31 January 2020)."""


def eu_members(year: int) -> tuple[str, ...]:
    """The EU members in ``year`` (ISO3 codes, alphabetical)."""
    return tuple(sorted(c for c, joined in EU_ACCESSION.items() if joined <= year < EU_EXIT.get(c, 10_000)))


USMCA = ("CAN", "MEX", "USA")
FIXED_GROUPS: Mapping[str, tuple[str, ...]] = {
    "EU15": eu_members(2003),
    "EU27": eu_members(2020),
    "EU28": eu_members(2013),
    "USMCA": USMCA,
    "NAFTA": USMCA,
    "ASEAN": ("BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM"),
    "G7": ("CAN", "DEU", "FRA", "GBR", "ITA", "JPN", "USA"),
    "BRICS": ("BRA", "CHN", "IND", "RUS", "ZAF"),
}
"""Groups whose membership does not depend on the data year."""

OSSA_REGIONS = ("BRA", "CHN", "EU", "IND", "JPN", "ROW", "USA")
"""The 7 regions of Ossa (2014) in the order of the ``ossa2014`` data."""
ROW = "ROW"


def group_members(year: int | None) -> dict[str, tuple[str, ...]]:
    """Every group with all its members (present in a world or not): ``EU`` of ``year`` (none when the
    year is unknown), then the fixed groups."""
    groups = {"EU": eu_members(year)} if year is not None else {}
    return {**groups, **FIXED_GROUPS}


def country_groups_for(countries: Sequence[str], year: int | None) -> dict[str, tuple[str, ...]]:
    """``World.country_groups`` for a world of ``countries`` (ISO3 codes) in ``year``: each group's members
    present, in world order; groups with none, or named like a country, are dropped."""
    codes = {c.upper() for c in countries}
    result = {}
    for group, members in group_members(year).items():
        kept = [c for c in countries if c.upper() in members]
        if kept and group.upper() not in codes:
            result[group] = tuple(kept)
    return result


def country_group_note(world: Any, group: str) -> str | None:
    """What a reader of results should know about ``group`` in ``world``: members that are not separate
    economies in it (e.g. ``BRICS`` on WIOD: ZAF), and for ``EU27`` in a year whose EU differs; ``None``
    when there is nothing to say or the group is not one of this module's."""
    key = next((g for g in world.country_groups if g.lower() == group.lower()), None)
    all_members = {g.lower(): m for g, m in group_members(world.year).items()}
    if key is None or key.lower() not in all_members:
        return None
    members, present = all_members[key.lower()], set(world.country_groups[key])
    notes = []
    missing = [c for c in members if c not in present]
    if missing:
        where = f" (in {ROW})" if ROW in world.countries else ""
        notes.append(f"{key} has {len(present)} of its {len(members)} members in this world; "
                     f"{', '.join(missing)} are not separate economies{where}")
    if key.upper() == "EU27" and world.year is not None and set(eu_members(world.year)) != set(members):
        notes.append(f"EU27 is the EU after Brexit (Eurostat EU27_2020), not the EU of {world.year} "
                     f"({len(eu_members(world.year))} members): write EU for the members of {world.year}")
    return "; ".join(notes) or None


def ossa_regions(world: Any, year: int | None = None) -> dict[str, tuple[str, ...]]:
    """The mapping for ``world.aggregate_countries`` onto the 7 Ossa regions: BRA, CHN, IND, JPN, USA
    themselves, ``EU`` the members of the data year (``year``, default ``world.year``; a world that has an
    ``EU`` region keeps it), ``ROW`` everything else (including the data's own ``ROW``)."""
    countries = tuple(world.countries)
    year = world.year if year is None else year
    singles = [r for r in OSSA_REGIONS if r not in ("EU", ROW)]
    missing = [r for r in singles if r not in countries]
    if missing:
        raise DataValidationError(f"{getattr(world, 'label', '') or 'this world'} has no {', '.join(missing)}: "
                                  "the Ossa regions need BRA, CHN, IND, JPN and USA as separate economies")
    if "EU" in countries:
        eu: tuple[str, ...] = ("EU",)
    elif year is None:
        raise DataValidationError("the world has no data year, so its EU members are unknown; fix: give "
                                  "year=... (the EU's members by year are in tariffsim.country_groups)")
    else:
        members = set(eu_members(year))
        eu = tuple(c for c in countries if c in members)
    if not eu:
        raise DataValidationError(f"no EU member of {year} is a separate economy in this world")
    taken = set(singles) | set(eu)
    mapping = {r: (r,) for r in singles}
    mapping["EU"] = eu
    mapping[ROW] = tuple(c for c in countries if c not in taken)
    return {r: mapping[r] for r in OSSA_REGIONS if mapping[r]}


def to_ossa_regions(world: Any, year: int | None = None) -> Any:
    """``world`` aggregated onto the Ossa regions (``ossa_regions``), in the order of ``ossa2014``, labelled so
    ("ICIO 2022 (...) aggregated to the 7 Ossa (2014) regions, the EU of 2022"). Country groups are kept only
    where they are whole regions (``EU27`` on 2022 data is the EU region; ``G7``, which would now take all of
    EU and ROW, is dropped)."""
    mapping = ossa_regions(world, year)
    region_of = {c: r for r, members in mapping.items() for c in members}
    whole = {}
    for group, members in world.country_groups.items():
        regions = {region_of[c] for c in members}
        if group.upper() not in OSSA_REGIONS and {c for r in regions for c in mapping[r]} == set(members):
            whole[group] = tuple(r for r in OSSA_REGIONS if r in regions)
    from tariffsim.world import aggregated_label

    merged = world.replace(country_groups={}).aggregate_countries(mapping)
    label = merged.label
    if any(len(members) > 1 for members in mapping.values()):  # not ossa2014 itself
        eu = "" if mapping["EU"] == ("EU",) else f", the EU of {world.year if year is None else year}"
        label = aggregated_label(world.label, f"the {len(mapping)} Ossa (2014) regions{eu}")
    return merged.select(countries=[r for r in OSSA_REGIONS if r in mapping]).replace(country_groups=whole,
                                                                                     label=label)
