"""Named groups of sectors that users can write instead of lists of codes.

The GTAP groups below apply to any world whose sectors use GTAP codes (the ``ossa2014`` data, the
synthetic demo world); a group keeps only the codes present in the world, and a group with none is
dropped. Worlds read from long tables may bring their own groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

GTAP_GROUPS: Mapping[str, tuple[str, ...]] = {
    # Crops, livestock and raw-and-processed farm goods (GTAP 57-sector codes 1-12, with GTAP 8
    # aggregates such as "ric" raw-and-processed rice, "sug" raw-and-processed sugar, "dry" dairy).
    "agriculture": ("pdr", "ric", "pcr", "wht", "gro", "v_f", "osd", "c_b", "sug", "sgr", "pfb", "ocr",
                    "ctl", "oap", "rmk", "dry", "mil", "wol"),
    # Processed food, beverages and tobacco.
    "food": ("cmt", "omt", "vol", "ofd", "b_t"),
    "forestry_fishing": ("frs", "fsh"),
    "textiles_apparel": ("tex", "wap", "lea"),
    "metals": ("i_s", "nfm", "fmp"),
    "vehicles": ("mvh", "otn"),
    "manufactures": ("tex", "wap", "lea", "lum", "ppp", "p_c", "crp", "nmm", "i_s", "nfm", "fmp",
                     "mvh", "otn", "ele", "ome", "omf"),
}
GTAP_GROUPS = {**GTAP_GROUPS, "agrifood": GTAP_GROUPS["agriculture"] + GTAP_GROUPS["food"]}


def groups_for(sectors: Sequence[str], groups: Mapping[str, Sequence[str]] = GTAP_GROUPS) -> dict[str, tuple[str, ...]]:
    """The groups restricted to ``sectors`` (in world order); groups left empty are dropped."""
    present = set(sectors)
    result = {}
    for group, members in groups.items():
        kept = set(members) & present
        if kept:
            result[group] = tuple(s for s in sectors if s in kept)
    return result
