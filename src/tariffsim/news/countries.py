"""Countries named in a sentence: names, short forms, demonyms and capitals, as ISO3 codes.

Country names and their official and common forms come from ``pycountry`` (ISO 3166); the short
forms news text uses ("U.S.", "Britain"), demonyms ("Japanese") and capitals and seats standing for their
governments ("Tokyo", "Washington", "Brussels", "White House") and the US trade laws ("Section 232",
"Section 301", "IEEPA": the US levies under them) come from the small tables below. The European
Union is the code ``EU``. Matching is case-sensitive (names are capitalised: "US" but not "us"),
whole-word, longest name first; bare "Korean" is left out (North or South?), and names that are
common first names or US states (Jordan, Chad, Georgia) are not matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

EU = "EU"
SHORT_FORMS = {
    "US": "USA", "U.S.": "USA", "U.S.A.": "USA", "USA": "USA", "America": "USA", "United States": "USA",
    "UK": "GBR", "U.K.": "GBR", "Britain": "GBR", "Great Britain": "GBR",
    "EU": EU, "E.U.": EU, "European Union": EU, "Europe": EU,
    "South Korea": "KOR", "North Korea": "PRK", "Russia": "RUS", "Vietnam": "VNM", "Taiwan": "TWN",
    "Iran": "IRN", "Syria": "SYR", "Laos": "LAO", "Turkey": "TUR", "Czech Republic": "CZE",
    "Holland": "NLD", "the Netherlands": "NLD",
}
DEMONYMS = {
    "American": "USA", "Americans": "USA", "Japanese": "JPN", "Chinese": "CHN", "European": EU,
    "Europeans": EU, "Canadian": "CAN", "Mexican": "MEX", "British": "GBR", "German": "DEU",
    "French": "FRA", "Italian": "ITA", "Spanish": "ESP", "Dutch": "NLD", "Belgian": "BEL", "Swedish": "SWE",
    "Polish": "POL", "Irish": "IRL", "Austrian": "AUT", "Danish": "DNK", "Finnish": "FIN", "Greek": "GRC",
    "Portuguese": "PRT", "Swiss": "CHE", "Norwegian": "NOR", "Indian": "IND", "Brazilian": "BRA",
    "Russian": "RUS", "Australian": "AUS", "Vietnamese": "VNM", "Indonesian": "IDN", "Thai": "THA",
    "Malaysian": "MYS", "Singaporean": "SGP", "Philippine": "PHL", "Filipino": "PHL", "Taiwanese": "TWN",
    "Turkish": "TUR", "Argentine": "ARG", "Argentinian": "ARG", "Chilean": "CHL", "Saudi": "SAU",
    "South Korean": "KOR", "North Korean": "PRK", "South African": "ZAF", "Pakistani": "PAK",
    "Ukrainian": "UKR", "Israeli": "ISR", "Egyptian": "EGY", "Nigerian": "NGA", "Colombian": "COL",
    "Peruvian": "PER", "New Zealand": "NZL",
}
CAPITALS = {
    "Washington": "USA", "Tokyo": "JPN", "Beijing": "CHN", "Brussels": EU, "Ottawa": "CAN",
    "Mexico City": "MEX", "Seoul": "KOR", "Pyongyang": "PRK", "London": "GBR", "Berlin": "DEU",
    "Paris": "FRA", "Moscow": "RUS", "New Delhi": "IND", "Canberra": "AUS", "Brasilia": "BRA",
    "Ankara": "TUR", "Hanoi": "VNM", "Taipei": "TWN", "White House": "USA", "Kremlin": "RUS",
    "Downing Street": "GBR",
}
LAWS = {"Section 232": "USA", "Section 301": "USA", "IEEPA": "USA"}
"""US trade laws named in 2025 news ("under Section 232"): the government that levies under them."""
NOT_MATCHED = frozenset({"Jordan", "Chad", "Georgia"})
EU_MEMBERS = frozenset({
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
    "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
})


@dataclass(frozen=True)
class CountryMention:
    """One country named in a text: ``text[start:end] == surface``; ``kind`` is name/demonym/capital."""

    surface: str
    iso3: str
    start: int
    end: int
    kind: str


@cache
def _gazetteer() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """One regex of every known form (longest first), and form -> (ISO3, kind)."""
    import pycountry

    forms: dict[str, tuple[str, str]] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name and "," not in name:
                forms.setdefault(re.sub(r"\s*\(.*\)", "", name), (country.alpha_3, "name"))
    forms.update({form: (code, "name") for form, code in SHORT_FORMS.items()})
    forms.update({form: (code, "demonym") for form, code in DEMONYMS.items()})
    forms.update({form: (code, "capital") for form, code in CAPITALS.items()})
    forms.update({form: (code, "law") for form, code in LAWS.items()})
    for form in NOT_MATCHED:
        forms.pop(form, None)
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9.])(?:{alternatives})(?![A-Za-z0-9])"), forms


def find_countries(text: str) -> list[CountryMention]:
    """Every country named in ``text``, in order of appearance."""
    pattern, forms = _gazetteer()
    mentions = []
    for match in pattern.finditer(text):
        iso3, kind = forms[match.group()]
        mentions.append(CountryMention(match.group(), iso3, match.start(), match.end(), kind))
    return mentions


def country_name(iso3: str) -> str:
    """A readable name for an ISO3 code (or ``EU``)."""
    import pycountry

    if iso3 == EU:
        return "European Union"
    country = pycountry.countries.get(alpha_3=iso3)
    return getattr(country, "common_name", None) or country.name if country else iso3
