"""Products named in news text, mapped to GTAP sector codes or sector groups.

``PRODUCTS`` is the keyword table: each entry is a regular expression (matched case-insensitively,
whole words, plurals allowed) and the sector code or group it stands for. Codes are GTAP codes, as
in the ``ossa2014`` data and the demo world; groups are those of ``tariffsim.sector_groups``
("agriculture", "food", "agrifood", "metals", "manufactures", ...). Whether a code or group exists in
the chosen world is checked later (``tariffsim.news.world_names``). The first matching entry wins
where entries overlap ("auto parts" is one product, not "auto" and "parts").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

PRODUCTS: tuple[tuple[str, str], ...] = (
    # motor vehicles and parts
    (r"auto(mobile|motive)? parts|car parts|vehicle parts|auto(mobile)?s?|cars?|automotive|"
     r"motor vehicles?|(electric )?vehicles?|trucks?|automakers?|carmakers?", "mvh"),
    # farm and food groups
    (r"agri-?food|agricultural and food products|farm and food products", "agrifood"),
    (r"agricultur(e|al)( products| goods| produce| imports| exports)?|farm( products| goods| produce| exports|"
     r" imports)?|agri(culture)? produce", "agriculture"),
    (r"processed food|food products|foodstuffs?|food", "food"),
    # single farm and food products
    (r"rice", "ric"), (r"wheat", "wht"), (r"corn|maize|grains?|cereals?|barley|sorghum", "gro"),
    (r"soy ?beans?|soya|soy|oil ?seeds?|canola|rapeseed", "osd"), (r"sugar", "sug"), (r"cotton", "pfb"),
    (r"fruits?|vegetables?|nuts|apples?|oranges?|cherries|almonds|citrus", "v_f"),
    (r"cattle|livestock", "ctl"), (r"beef", "cmt"), (r"pork|poultry|chicken|meat", "omt"),
    (r"dairy|milk|cheese|butter", "dry"), (r"vegetable oils?|palm oil", "vol"),
    (r"wine|beer|whiske?y|bourbon|spirits|tobacco|cigarettes|beverages?", "b_t"),
    (r"wool|silk", "wol"), (r"fish|seafood", "fsh"), (r"timber|lumber|wood products", "lum"),
    # manufactures
    (r"(iron and )?steel|iron ore", "i_s"), (r"alumini?um|copper|nickel|zinc", "nfm"),
    (r"metal products", "fmp"), (r"chemicals?|plastics?|rubber|pharmaceuticals?|medicines?", "crp"),
    (r"cement|glass|ceramics?", "nmm"), (r"textiles?|fabrics?|yarn", "tex"),
    (r"clothing|apparel|garments?|clothes", "wap"), (r"leather|shoes|footwear", "lea"), (r"paper", "ppp"),
    (r"aircraft|airplanes?|planes?|ships?|motorcycles?|railway equipment", "otn"),
    (r"electronics?|semiconductors?|(computer )?chips|smartphones?|phones?|computers?|televisions?|"
     r"solar panels?|batteries", "ele"),
    (r"machinery|machines|industrial equipment", "ome"), (r"furniture|toys", "omf"),
    (r"manufactured goods|industrial (goods|products)|manufactures", "manufactures"),
)


@dataclass(frozen=True)
class ProductMention:
    """A product named in a text (``text[start:end] == surface``) and its sector code or group."""

    surface: str
    sector: str
    start: int
    end: int


@cache
def _pattern() -> re.Pattern[str]:
    alternatives = "|".join(f"(?P<p{n}>{regex})" for n, (regex, _) in enumerate(PRODUCTS))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def find_products(text: str) -> list[ProductMention]:
    """Every product named in ``text``, in order of appearance."""
    mentions = []
    for match in _pattern().finditer(text):
        number = int(next(name for name, value in match.groupdict().items() if value is not None)[1:])
        mentions.append(ProductMention(match.group(), PRODUCTS[number][1], match.start(), match.end()))
    return mentions
