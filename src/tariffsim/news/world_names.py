"""Map what the article names (ISO3 codes, GTAP sector codes and groups) to a world's own names.

A country is matched by its ISO3 code, or any of its names, among the world's codes, long names and
aliases. A country the world does not have is reported: an EU member goes to the world's EU region
when it has one; any other goes to the rest-of-world region (``ROW``) when there is one, else it is
flagged as missing. A sector code or group the world does not have is flagged. Without a world the
codes stay ISO3 (``EU`` for the European Union) and GTAP codes and groups. "All partners" and "all goods"
(``findings.ALL_PARTNERS``, ``findings.GOODS``) stay as they are: the draft writes them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from tariffsim.errors import UnknownNameError
from tariffsim.news.countries import EU, EU_MEMBERS, SHORT_FORMS, country_name
from tariffsim.news.findings import ALL_PARTNERS, GOODS
from tariffsim.world import World

ROW_NAMES = ("ROW", "Rest of world", "Rest of the world")
EU_NAMES = (EU, "European Union")


@dataclass(frozen=True)
class Mapped:
    """A name in the world: ``code`` (None when the world has nothing for it) and a note on how."""

    code: str | None
    note: str = ""


class WorldNames:
    """The name mapping for one world (or none: ``WorldNames(None)``)."""

    def __init__(self, world: World | None, label: str = "") -> None:
        self.world = world
        self.label = label or (world.label if world is not None else "")

    def country(self, iso3: str) -> Mapped:
        """The world's code for a country given by ISO3 (or ``EU``)."""
        if self.world is None or iso3 == ALL_PARTNERS:
            return Mapped(iso3)
        names = [iso3, country_name(iso3), *(form for form, code in SHORT_FORMS.items() if code == iso3)]
        code = self._country_code(names)
        if code is not None:
            return Mapped(code)
        if iso3 in EU_MEMBERS and (eu := self._country_code(EU_NAMES)) is not None:
            return Mapped(eu, f"{country_name(iso3)} is part of the world's {eu} region")
        if (row := self._country_code(ROW_NAMES)) is not None:
            return Mapped(row, f"{country_name(iso3)} is not in this world: part of {row}")
        return Mapped(None, f"{country_name(iso3)} is not in this world")

    def sector(self, key: str) -> Mapped:
        """The world's code or group for a GTAP sector code or group."""
        if self.world is None or key == GOODS or key in self.world.sector_groups:
            return Mapped(key)
        try:
            self.world.sector_indices([key])
        except UnknownNameError:
            return Mapped(None, f"sector {key!r} is not in this world")
        return Mapped(key)

    def _country_code(self, names: list[str] | tuple[str, ...]) -> str | None:
        for name in names:
            try:
                return self.world.countries[self.world.country_index(name)]
            except UnknownNameError:
                continue
        return None
