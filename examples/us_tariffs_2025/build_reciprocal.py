"""Write the 2 April 2025 US "reciprocal" tariff schedule as scenario files, from ilms2025/tariffs.csv.

Run from the project root (the output files are committed; rerun after editing a PARAMETER below):

    TARIFFSIM_DATA=../shared/data python examples/us_tariffs_2025/build_reciprocal.py

It writes four files:

- ``reciprocal_april2.toml``: the schedule on ``icio2022`` (81 economies x 28 sectors);
- ``reciprocal_april2_mirror.toml``: the same, and every partner answering with the same rate on US goods
  (the "reciprocal" retaliation variant);
- ``ilms2025/reciprocal_april2.toml`` and ``ilms2025/reciprocal_april2_mirror.toml``: the same two on
  ``ilms2025`` (194 countries x 1 sector).

The rule, as the ILMS (2025) model applies the file (``$TARIFFSIM_DATA/ilms2025/README.md``): the US
adds ``max(10%, applied_tariff)`` to its tariff on goods from each country. ``applied_tariff`` is the
USTR "reciprocal tariff calculation" of 2 April 2025 (Executive Order 14257, Annex I), through the
authors' tariff calculator; the 10% floor is the baseline tariff on every partner from 5 April 2025. The
rates are points added to the data's tariffs (the 2025 tariffs were charged on top of the MFN rates).

How ilms2025 countries map to icio2022 economies:

- a country in both (78 of the 81 economies, all 27 EU members among them) keeps its own rate;
- icio2022's ``ROW`` holds the 116 ilms2025 countries that are not separate icio2022 economies; it gets
  their rates averaged with weights equal to US imports from each (BACI 2023, ``trade_cepii.csv``), so that
  ROW pays on average what its members pay on what they sell to the US;
- ``TWN`` (Taiwan) is in icio2022 but not in ilms2025 (no WDI GDP): it gets its Annex I rate,
  ``TAIWAN_PERCENT`` below;
- ``STP`` (Sao Tome and Principe) is in icio2022 but not in the tariff calculator (not on Annex I): the
  10% baseline, as every partner not on the list.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import defaultdict
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent

# ---- PARAMETERS (each with its default explained) -------------------------------------------------
FLOOR_PERCENT = 10.0
"""The baseline tariff of EO 14257 (in force from 5 April 2025), also the floor the ILMS model puts under
every rate: RUS (0 in the file, as USA) gets 10% from it. In fact the order left Russia, Belarus, Cuba and
North Korea out, and Canada and Mexico were under the separate fentanyl tariffs: to follow the order,
list them in EXEMPT_PARTNERS. The default follows the ILMS paper, so results compare with it."""

EXEMPT_PARTNERS: tuple[str, ...] = ()
"""Partners left out of the schedule altogether (ISO3). Default: none, as in the ILMS paper (which applies
the file's 10% to CAN and 17% to MEX, with no USMCA exemption)."""

TAIWAN_PERCENT = 32.0
"""Taiwan's rate on Annex I of EO 14257 (2 April 2025). Taiwan is not in ilms2025 (no WDI GDP), so the file
has no rate for it; icio2022 has it as a separate economy."""

ICIO_EXEMPT_SECTORS: tuple[str, ...] = ("services", "energy", "C21", "C29")
"""icio2022 sectors the schedule leaves out: services (SERV: the tariffs are on goods); energy (B05 coal,
B06 oil and gas, C19 refined products) and pharmaceuticals (C21), exempt under Annex II of EO 14257; and
motor vehicles and parts (C29), under their own Section 232 tariff from 3 April 2025 (cars_232_all.toml)
and so outside the reciprocal schedule. Steel and aluminium (C24A, C24B), also under Section 232, are
kept in at the reciprocal rates (an approximation: the sectors hold much else, e.g. copper). Annex II's
semiconductors, lumber, copper and bullion are parts of bigger sectors and are not taken out."""
# -----------------------------------------------------------------------------------------------------

DATE = "2 April 2025"
SOURCE = ("Executive Order 14257 of 2 April 2025 ('reciprocal' tariffs), Annex I: the USTR reciprocal tariff "
          "calculation, as in ilms2025/tariffs.csv (ILMS 2025 replication data, via tariffs.inasimonovska.com); "
          f"at least the {FLOOR_PERCENT:g}% baseline in force from 5 April 2025")
US = "USA"


def data_folder(given: str | None) -> Path:
    """The ilms2025 folder: --data, else $TARIFFSIM_DATA/ilms2025."""
    if given:
        return Path(given)
    root = os.environ.get("TARIFFSIM_DATA")
    if not root:
        raise SystemExit("set TARIFFSIM_DATA to the folder holding ilms2025/ (e.g. ../shared/data), or give --data")
    return Path(root) / "ilms2025"


def csv_rates(folder: Path) -> dict[str, float]:
    """ISO3 -> the US rate on that country's goods in percent, max(floor, applied_tariff); USA left out."""
    labels = pd.read_csv(folder / "country_labels.csv")
    tariffs = pd.read_csv(folder / "tariffs.csv")
    if len(labels) != len(tariffs):
        raise SystemExit(f"{folder}: country_labels.csv has {len(labels)} rows but tariffs.csv {len(tariffs)}")
    rates = {}
    for code, fraction in zip(labels["iso3"].str.strip(), tariffs["applied_tariff"], strict=True):
        if code != US and code not in EXEMPT_PARTNERS:
            rates[code] = max(FLOOR_PERCENT, round(100 * float(fraction), 6))
    return rates


def special_sources(members_of_row: int) -> dict[str, str]:
    """Source lines of the icio2022 economies whose rate is not read from the file."""
    return {
        "TWN": f"Executive Order 14257 of {DATE}, Annex I: Taiwan {TAIWAN_PERCENT:g}% (Taiwan is not in ilms2025, "
               "which has no WDI GDP for it; PARAMETER TAIWAN_PERCENT in build_reciprocal.py)",
        "STP": f"Executive Order 14257 of {DATE}: the {FLOOR_PERCENT:g}% baseline on partners not on Annex I "
               "(Sao Tome and Principe is not in the tariff calculator, hence not in ilms2025)",
        "ROW": f"assumption: the mean rate of the {members_of_row} ilms2025 countries inside icio2022's ROW, "
               "weighted by US imports from each (BACI 2023, ilms2025/trade_cepii.csv); their rates: " + SOURCE,
    }


def us_imports(folder: Path) -> dict[str, float]:
    """ISO3 -> US imports from it (BACI 2023, thousand US$): the USA column of trade_cepii.csv."""
    codes = pd.read_csv(folder / "country_labels.csv")["iso3"].str.strip().tolist()
    trade = pd.read_csv(folder / "trade_cepii.csv").fillna(0.0)
    column = trade.iloc[:, codes.index(US)]
    return dict(zip(codes, column.astype(float), strict=True))


def icio_rates(rates: dict[str, float], imports: dict[str, float], economies: list[str]) -> dict[str, float]:
    """The schedule on the icio2022 economies: own rates, TWN's and STP's as stated, ROW the mean of its
    members' rates weighted by US imports from each."""
    result = {}
    for code in economies:
        if code in (US, "ROW") or code in EXEMPT_PARTNERS:
            continue
        if code in rates:
            result[code] = rates[code]
        elif code == "TWN":
            result[code] = TAIWAN_PERCENT
        elif code == "STP":
            result[code] = FLOOR_PERCENT
        else:
            raise SystemExit(f"icio2022 economy {code} is not in ilms2025: say which rate it gets in this script")
    members = [c for c in rates if c not in economies]
    weight = sum(imports[c] for c in members)
    result["ROW"] = round(sum(rates[c] * imports[c] for c in members) / weight, 2)
    return result


def blocks(rates: dict[str, float], sources: dict[str, str]) -> list[tuple[float, str, list[str]]]:
    """(rate, source, countries) from the highest rate down, one block per rate and source; countries in
    alphabetical order. ``sources`` gives the source line of countries whose rate is not the file's."""
    by_rate: dict[tuple[float, str], list[str]] = defaultdict(list)
    for code, rate in sorted(rates.items()):
        by_rate[rate, sources.get(code, SOURCE)].append(code)
    return [(rate, source, codes) for (rate, source), codes in sorted(by_rate.items(), key=lambda item: -item[0][0])]


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def names_list(codes: list[str]) -> str:
    return "[" + ", ".join(q(c) for c in codes) + "]"


def header(world: str, mirror: bool, notes: list[str]) -> list[str]:
    what = ("The US 'reciprocal' tariffs of 2 April 2025, and every partner answering with the same rate on US goods"
            if mirror else "The US 'reciprocal' tariffs of 2 April 2025")
    lines = ["# GENERATED by build_reciprocal.py from ilms2025/tariffs.csv: do not edit by hand; change its",
             "# PARAMETERS and rerun (python examples/us_tariffs_2025/build_reciprocal.py).",
             f"# {what}, on {world}.",
             f"# Rule: the US adds max({FLOOR_PERCENT:g}%, applied_tariff) points on each partner's goods, on top of the",
             "# data's tariffs (the ILMS 2025 model's reading of the file). PARAMETERS (build_reciprocal.py):",
             f"#   FLOOR_PERCENT = {FLOOR_PERCENT:g} (the baseline tariff from 5 April 2025; RUS, 0 in the file, gets it),",
             f"#   EXEMPT_PARTNERS = {list(EXEMPT_PARTNERS)} (none, as in the ILMS paper: CAN 10%, MEX 17%).",
             *(f"# {line}" for line in notes)]
    if mirror:
        lines += ["# ASSUMPTION (the 'reciprocal' retaliation variant): every partner adds the rate the US puts on its",
                  "# goods to its own tariffs on US goods, in the same sectors. No partner did so in full in 2025",
                  "# (China did, see us_china_escalation.toml; the EU and Canada prepared lists); it is the tit-for-tat",
                  "# benchmark. The optimal-retaliation variant is a game: see README.md."]
    return lines


def document(world: str, schedule: dict[str, float], mirror: bool, sector_lines: list[str], notes: list[str],
             titles: tuple[str, str], sources: dict[str, str]) -> str:
    lines = header(world, mirror, notes)
    title, description = titles
    lines += ["", f"title = {q(title)}", f"description = {q(description)}", f"source = {q(SOURCE)}",
              f"world = {q(world)}"]
    for rate, source, codes in blocks(schedule, sources):
        lines += ["", f"# {rate:g}%: {', '.join(codes)}",
                  "[[change]]",
                  f"description = {q(f'US reciprocal tariff, {DATE}: +{rate:g} points on goods from ' + _short(codes))}",
                  f"source = {q(source)}",
                  "importers = [\"USA\"]",
                  f"exporters = {names_list(codes)}",
                  *sector_lines,
                  f"add_points = {rate:g}"]
    if mirror:
        for rate, _, codes in blocks(schedule, sources):
            lines += ["", "[[change]]",
                      f"description = {q(f'Retaliation in kind: +{rate:g} points on US goods by ' + _short(codes))}",
                      f"source = {q(f'assumption: each partner mirrors the US rate on its goods ({DATE} schedule)')}",
                      f"importers = {names_list(codes)}",
                      "exporters = [\"USA\"]",
                      *sector_lines,
                      f"add_points = {rate:g}"]
    return "\n".join(lines) + "\n"


def _short(codes: list[str]) -> str:
    return ", ".join(codes) if len(codes) <= 6 else f"{', '.join(codes[:5])} and {len(codes) - 5} more"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="the ilms2025 folder (default: $TARIFFSIM_DATA/ilms2025)")
    parser.add_argument("--out", default=str(HERE), help="the pack folder (default: this script's)")
    args = parser.parse_args()
    folder, out = data_folder(args.data), Path(args.out)

    from tariffsim.io import read_world

    rates = csv_rates(folder)
    economies = list(read_world("icio2022").countries)
    icio = icio_rates(rates, us_imports(folder), economies)
    in_row = [c for c in rates if c not in economies]
    icio_sectors = ["sectors = \"all\"", f"except_sectors = {names_list(list(ICIO_EXEMPT_SECTORS))}"]
    icio_notes = [
        f"ICIO_EXEMPT_SECTORS = {list(ICIO_EXEMPT_SECTORS)}: services (goods only), energy and pharmaceuticals",
        "(Annex II), cars and parts C29 (Section 232, cars_232_all.toml); steel and aluminium are kept in.",
        "Countries: own rate where ilms2025 and icio2022 both have the country; TWN (not in ilms2025) its",
        f"Annex I rate {TAIWAN_PERCENT:g}% (TAIWAN_PERCENT); STP (not on Annex I) the {FLOOR_PERCENT:g}% baseline; ROW the mean",
        f"rate of the {len(in_row)} ilms2025 countries inside it, weighted by US imports from each (BACI 2023):",
        f"{icio['ROW']:g}%. CHN 54% is the file's: 34% reciprocal plus the 20% fentanyl tariff of February-March 2025.",
    ]
    ilms_notes = [
        "One sector (all goods): no sector is left out; the Annex II and Section 232 exemptions of the",
        "icio2022 file cannot be expressed here, so the rate applies to all goods, as in the ILMS paper.",
        "CHN 54% is the file's: 34% reciprocal plus the 20% fentanyl tariff of February-March 2025.",
    ]
    titles = {False: ("US reciprocal tariffs, 2 April 2025",
                      "The United States adds the 2 April 2025 'reciprocal' tariff rates (at least 10%) to its "
                      "tariffs on goods from every partner."),
              True: ("US reciprocal tariffs, 2 April 2025, and retaliation in kind",
                     "The United States adds the 2 April 2025 'reciprocal' tariff rates (at least 10%) on goods "
                     "from every partner, and every partner adds the same rate on US goods.")}
    (out / "ilms2025").mkdir(parents=True, exist_ok=True)
    for mirror, stem in ((False, "reciprocal_april2"), (True, "reciprocal_april2_mirror")):
        (out / f"{stem}.toml").write_text(
            document("icio2022", icio, mirror, icio_sectors, icio_notes, titles[mirror], special_sources(len(in_row))),
            encoding="utf-8")
        (out / "ilms2025" / f"{stem}.toml").write_text(
            document("ilms2025", rates, mirror, ["sectors = \"all\""], ilms_notes, titles[mirror], {}), encoding="utf-8")
        print(f"wrote {out / f'{stem}.toml'} and {out / 'ilms2025' / f'{stem}.toml'}")
    print(f"icio2022: {len(icio)} partners, ROW {icio['ROW']:g}% ({len(in_row)} ilms2025 countries); "
          f"ilms2025: {len(rates)} partners")


if __name__ == "__main__":
    main()
