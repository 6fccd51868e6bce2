"""Named groups of sectors that users can write instead of lists of codes, in three vocabularies.

A scenario names sectors by code or by group: ``sectors = ["vehicles"]`` or ``sectors = ["mvh"]``. The
same names work on worlds coded differently:

- **GTAP** (``GTAP_GROUPS``): the ``ossa2014`` data and the synthetic demo world use GTAP sector codes
  (``mvh`` motor vehicles, ``otn`` other transport, ...); the groups collect those codes.
- **ICIO** (``ICIO_GROUPS``): the OECD ICIO cubes (``icio2011`` ... ``icio2022``, 28 sectors ``A01`` ...
  ``SERV``). The named groups, plus groups named by GTAP codes (``mvh`` -> ``C29``), so a scenario
  written with GTAP codes runs unchanged.
- **WIOD** (``WIOD_GROUPS``): the WIOD cubes (``wiod2000`` ... ``wiod2014``, 16 sectors ``A01T03`` ...
  ``SERV``), the same way.

``groups_for(sectors)`` picks the vocabulary from the codes present (``vocabulary``) and keeps, per
group, only the codes present (a group left empty is dropped; a group whose name is one of the sector
codes is dropped too, since World refuses it).

Named groups (same names in every vocabulary; a group is missing where the sectors cannot express it):

======================  ==============================  ===============================  ======================
group                   GTAP                            ICIO                             WIOD
======================  ==============================  ===============================  ======================
agriculture             crops, livestock, ric/sug/dry   A01                              A01T03 (approximate)
food                    cmt omt vol ofd b_t             C10T12                           C10T12
agrifood                agriculture + food              A01 C10T12                       A01T03 C10T12 (approx.)
forestry_fishing        frs fsh                         A02 A03                          (none: in A01T03)
textiles_apparel        tex wap lea                     C13T15                           C13T15
metals                  i_s nfm fmp                     C24A C24B C25                    C24 C25
vehicles                mvh otn                         C29 C301 C302T309                C29_30
manufactures            tex ... omf (no food)           C13T15 ... C31T33 (no C10T12)    C13T15 ... C31T33
mining                  coa oil gas omn                 B05 B06 B07 B08 B09              B05T09
energy                  coa oil gas p_c                 B05 B06 C19                      B05T09 C19 (approx.)
services                ely ... dwe                     SERV                             SERV
======================  ==============================  ===============================  ======================

``energy`` is fossil fuels and their refined products: electricity and gas distribution are services
in the ICIO and WIOD cubes (inside ``SERV``), so they are left out in every vocabulary.

GTAP-code groups on the cubes: a GTAP code becomes a group where the smallest set of cube sectors that
holds the GTAP sector is mostly that sector (at least half of world trade, measured on ICIO 2014,
where the finer sectors show the split); it is **approximate** where those cube sectors also hold other
goods. ``APPROXIMATE`` lists the approximate groups with a note, ``approximation_note(world, group)``
returns the note for a world's group (``None`` when the group is exact), for callers that warn.

====  ===============================  ================================================================
code  ICIO                             WIOD
====  ===============================  ================================================================
mvh   C29                              C29_30, approximate: transport equipment, 75% motor vehicles
otn   C301 C302T309                    (none: other transport is 25% of C29_30)
i_s   C24A                             C24, approximate: basic metals, 53% iron and steel
nfm   C24B                             (none: 47% of C24)
fmp   C25                              C25
crp   C20 C21 C22                      C20_21 C22_23, approximate: also non-metallic minerals
nmm   C23                              (none: 31% of C22_23)
p_c   C19                              C19
ppp   C17_18                           C16T18, approximate: also wood products
lum   C16                              (none: 34% of C16T18)
ele   C26, approximate (instruments)   C26, approximate (instruments)
ome   C27 C28, approximate             C27 C28, approximate (instruments are in C26)
omf   C31T33, approximate (repair)     C31T33, approximate (repair)
frs   A02                              (none: in A01T03)
fsh   A03                              (none: in A01T03)
coa   B05                              (none: in B05T09)
omn   B07 B08                          (none: in B05T09)
====  ===============================  ================================================================

Single farm and food products (``wht``, ``ofd``, ...), ``tex``/``wap``/``lea`` and ``oil``/``gas`` have no
GTAP-code group on the cubes: one cube sector holds many of them (a tariff on wheat would hit all of
``A01``); use ``agriculture``, ``food`` or ``textiles_apparel`` there. Worlds read from long tables may
bring their own groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
    "mining": ("coa", "oil", "gas", "omn"),
    # Fossil fuels and refined products (electricity "ely" and gas distribution "gdt" are services, as in
    # the ICIO and WIOD cubes).
    "energy": ("coa", "oil", "gas", "p_c"),
    "services": ("ely", "gdt", "wtr", "cns", "trd", "otp", "wtp", "atp", "cmn", "ofi", "isr", "obs", "ros",
                 "osg", "dwe"),
}
GTAP_GROUPS = {**GTAP_GROUPS, "agrifood": GTAP_GROUPS["agriculture"] + GTAP_GROUPS["food"]}

ICIO_SECTORS = ("A01", "A02", "A03", "B05", "B06", "B07", "B08", "B09", "C10T12", "C13T15", "C16", "C17_18",
                "C19", "C20", "C21", "C22", "C23", "C24A", "C24B", "C25", "C26", "C27", "C28", "C29", "C301",
                "C302T309", "C31T33", "SERV")
WIOD_SECTORS = ("A01T03", "B05T09", "C10T12", "C13T15", "C16T18", "C19", "C20_21", "C22_23", "C24", "C25",
                "C26", "C27", "C28", "C29_30", "C31T33", "SERV")

_ICIO_MANUFACTURES = tuple(code for code in ICIO_SECTORS if code.startswith("C") and code != "C10T12")
ICIO_GROUPS: Mapping[str, tuple[str, ...]] = {
    "agriculture": ("A01",),
    "food": ("C10T12",),
    "agrifood": ("A01", "C10T12"),
    "forestry_fishing": ("A02", "A03"),
    "textiles_apparel": ("C13T15",),
    "metals": ("C24A", "C24B", "C25"),
    "vehicles": ("C29", "C301", "C302T309"),
    "manufactures": _ICIO_MANUFACTURES,
    "mining": ("B05", "B06", "B07", "B08", "B09"),
    "energy": ("B05", "B06", "C19"),
    "services": ("SERV",),
    # GTAP codes
    "mvh": ("C29",),
    "otn": ("C301", "C302T309"),
    "i_s": ("C24A",),
    "nfm": ("C24B",),
    "fmp": ("C25",),
    "crp": ("C20", "C21", "C22"),
    "nmm": ("C23",),
    "p_c": ("C19",),
    "ppp": ("C17_18",),
    "lum": ("C16",),
    "ele": ("C26",),
    "ome": ("C27", "C28"),
    "omf": ("C31T33",),
    "frs": ("A02",),
    "fsh": ("A03",),
    "coa": ("B05",),
    "omn": ("B07", "B08"),
}

_WIOD_MANUFACTURES = tuple(code for code in WIOD_SECTORS if code.startswith("C") and code != "C10T12")
WIOD_GROUPS: Mapping[str, tuple[str, ...]] = {
    "agriculture": ("A01T03",),
    "food": ("C10T12",),
    "agrifood": ("A01T03", "C10T12"),
    "textiles_apparel": ("C13T15",),
    "metals": ("C24", "C25"),
    "vehicles": ("C29_30",),
    "manufactures": _WIOD_MANUFACTURES,
    "mining": ("B05T09",),
    "energy": ("B05T09", "C19"),
    "services": ("SERV",),
    # GTAP codes
    "mvh": ("C29_30",),
    "i_s": ("C24",),
    "fmp": ("C25",),
    "crp": ("C20_21", "C22_23"),
    "p_c": ("C19",),
    "ppp": ("C16T18",),
    "ele": ("C26",),
    "ome": ("C27", "C28"),
    "omf": ("C31T33",),
}

VOCABULARIES: Mapping[str, Mapping[str, tuple[str, ...]]] = {"gtap": GTAP_GROUPS, "icio": ICIO_GROUPS,
                                                             "wiod": WIOD_GROUPS}
"""vocabulary name -> its groups (``vocabulary(sectors)`` names the one a world uses)."""

_INSTRUMENTS = ("also holds optical, medical and precision instruments and watches (C26), which GTAP puts "
                "in ome")
APPROXIMATE: Mapping[str, Mapping[str, str]] = {
    "icio": {
        "ele": f"ele (GTAP electronic equipment) is ICIO C26, which {_INSTRUMENTS}",
        "ome": "ome (GTAP machinery and equipment n.e.c.) is ICIO C27 and C28; the optical and precision "
               "instruments GTAP counts in ome are in C26 (ele)",
        "omf": "omf (GTAP manufactures n.e.c.) is ICIO C31T33, which also holds repair and installation of "
               "machinery (C33)",
    },
    "wiod": {
        "mvh": "mvh (motor vehicles and parts) is WIOD C29_30, transport equipment: it also holds ships, "
               "aircraft and railway equipment (GTAP otn; about 25% of the sector's world trade in ICIO 2014)",
        "i_s": "i_s (iron and steel) is WIOD C24, basic metals: it also holds non-ferrous metals (GTAP nfm; "
               "about 47% of the sector's world trade in ICIO 2014)",
        "crp": "crp (chemicals, rubber, plastics) is WIOD C20_21 and C22_23: C22_23 also holds non-metallic "
               "mineral products (GTAP nmm; about 9% of the two sectors' world trade in ICIO 2014)",
        "ppp": "ppp (paper products, publishing) is WIOD C16T18, which also holds wood products (GTAP lum; "
               "about 34% of the sector's world trade in ICIO 2014)",
        "ele": f"ele (GTAP electronic equipment) is WIOD C26, which {_INSTRUMENTS}",
        "ome": "ome (GTAP machinery and equipment n.e.c.) is WIOD C27 and C28; the optical and precision "
               "instruments GTAP counts in ome are in C26 (ele)",
        "omf": "omf (GTAP manufactures n.e.c.) is WIOD C31T33, which also holds repair and installation of "
               "machinery (C33)",
        "agriculture": "agriculture is WIOD A01T03, which also holds forestry and fishing (about 11% of the "
                       "sector's world trade in ICIO 2014)",
        "agrifood": "agrifood takes WIOD A01T03, which also holds forestry and fishing",
        "energy": "energy is WIOD B05T09 and C19: B05T09 is all mining, also metal ores and quarrying (about "
                  "17% of mining's world trade in ICIO 2014)",
    },
}
"""vocabulary -> group -> what the group holds besides (or lacks of) what its name says."""


def vocabulary(sectors: Sequence[str]) -> str | None:
    """The vocabulary (``"gtap"``, ``"icio"``, ``"wiod"``) whose codes cover most of ``sectors``; ``None``
    when none of them has any of the codes. Ties go to GTAP, then ICIO (codes such as ``C10T12`` or
    ``SERV`` are in both cube vocabularies, with the same groups)."""
    present = set(sectors)
    codes = {"gtap": {c for members in GTAP_GROUPS.values() for c in members},
             "icio": set(ICIO_SECTORS), "wiod": set(WIOD_SECTORS)}
    best, count = None, 0
    for name, known in codes.items():
        overlap = len(present & known)
        if overlap > count:
            best, count = name, overlap
    return best


def groups_for(sectors: Sequence[str],
               groups: Mapping[str, Sequence[str]] | None = None) -> dict[str, tuple[str, ...]]:
    """The groups restricted to ``sectors`` (members in world order); groups left empty, and groups named
    like one of the sectors, are dropped. ``groups`` defaults to the vocabulary of ``sectors``
    (``vocabulary``): GTAP, ICIO or WIOD; no groups when the codes are in none of them."""
    if groups is None:
        name = vocabulary(sectors)
        groups = VOCABULARIES[name] if name else {}
    present = set(sectors)
    codes = {s.lower() for s in sectors}
    result = {}
    for group, members in groups.items():
        kept = set(members) & present
        if kept and group.lower() not in codes:
            result[group] = tuple(s for s in sectors if s in kept)
    return result


def approximation_note(world: Any, group: str) -> str | None:
    """The note on ``group`` in ``world`` when it is one of the ``APPROXIMATE`` groups of the world's
    vocabulary and still has its standard members (e.g. ``mvh`` on WIOD: transport equipment); ``None``
    for an exact group, a sector code, or a group the world defines otherwise."""
    name = vocabulary(world.sectors)
    notes = APPROXIMATE.get(name or "", {})
    if group not in notes or group not in world.sector_groups:
        return None
    standard = groups_for(world.sectors, {group: VOCABULARIES[name][group]}).get(group)
    return notes[group] if standard == tuple(world.sector_groups[group]) else None
