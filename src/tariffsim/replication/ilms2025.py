"""Replication of Ignatenko, Lashkaripour, Macedoni and Simonovska (2025), "Making America Great Again? The
Economic Impacts of Liberation Day Tariffs": every table the shared data allow, built as the authors' code
builds it (MODEL_ILMS2025.md §14), from the experiments of ``tariffsim.ilms_experiments``.

``run_experiments`` solves the spec's experiments (B1-B9, R1-R3, D1-D4, IO1-IO4) and keeps, for each, the
spec's ``results`` columns per country (``models.ilms.results_columns``: welfare, deficit, exports/GDP,
imports/GDP, employment, prices in percent; revenue as a fraction of baseline spending), its scalar
outputs (``world_changes``), its largest equation residual and its time. D2 and D4 report the percent
changes under the policy minus those under zero tariffs, as the paper does.

``tables`` turns them into the paper's tables (rows and columns as printed, rounded to the printed digits;
the formats of §14). Cells whose experiment cannot be run here are left empty and listed in ``MISSING``
with the reason: MS1, MS2, MIO1, MIO2 need ``trade_ITPD.csv``, absent from the data.

IO2 and IO4 (Table 4's column (2)) are optima of the input-output model. The paper found them by MPEC
(fmincon on the equilibrium equations and the tariffs together, finite-difference gradients); here the
game engine finds them (``tariffsim.ilms_games``: L-BFGS-B with exact gradients of the paper's welfare
through the equilibrium, every equilibrium solved, the optimum's first-order residual checked). IO2: the
per-partner optimum of US welfare with tariffs in [0, 0.25], of which the paper keeps only the last
element (ZWE's) and applies it to every exporter [QUIRK]; IO4: USTR and the tariffs on US goods, one per
country in [0, 0.5], that maximise the non-US countries' income-weighted mean welfare. Both are then
solved like every other experiment. An MPEC that stopped early (IO4 allowed 200 iterations) would print
other numbers.

Quirks of the tables (``TableQuirks``, all on by default, as the paper): the EU rows average 25 members
(CZE and SVK left out, the code's ``id_EU``); Table 10's non-US welfare is an unweighted mean, and its
panel (4) shows panel (3)'s. ``TableQuirks(False, False, False)`` gives the corrected tables (EU27,
spending-weighted welfare, panel (4)'s own). Quirks inside the experiments (R1's EU of 25, D4's phi, B9's
parameters) are those of ``ilms_experiments``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tariffsim.ilms_data import HOME, IlmsData
from tariffsim.ilms_experiments import EU25, EXPERIMENTS, spec_experiment
from tariffsim.world import World

COLUMNS = {"welfare": ("welfare", 2), "deficit": ("deficit", 1), "exports_to_gdp": ("exports/GDP", 1),
           "imports_to_gdp": ("imports/GDP", 1), "employment": ("employment", 2), "price_index": ("prices", 1)}
"""results column -> (printed header, printed decimals) of Tables 1, 4 and 9 (§14)."""

MISSING = {
    "MS1": "multi-sector model: needs data/ITPDS/trade_ITPD.csv, absent from the shared data (§13)",
    "MS2": "multi-sector model: needs data/ITPDS/trade_ITPD.csv, absent from the shared data (§13)",
    "MIO1": "multi-sector input-output model: needs data/ITPDS/trade_ITPD.csv, absent (§13)",
    "MIO2": "multi-sector input-output model: needs data/ITPDS/trade_ITPD.csv, absent (§13)",
}
EU27 = tuple(sorted((*EU25, "CZE", "SVK")))
FEDERAL_BUDGET_SHARE = 0.23
"""Federal spending over GDP used by Table 3's "% of Federal Budget" row (the code's 0.23)."""


@dataclass(frozen=True)
class TableQuirks:
    """The tables' quirks of the authors' code (True: as the paper prints them)."""

    eu_of_25: bool = True
    table10_unweighted_welfare: bool = True
    table10_panel4_shows_panel3: bool = True


@dataclass(frozen=True)
class ExperimentResult:
    """One experiment's outputs.

    Attributes:
        name: the spec's id (``B1`` ...). results: countries in rows, the spec's results columns (percent;
            ``revenue`` a fraction of baseline spending). changes: ``trade_to_gdp`` and ``employment`` (world,
            percent). residual: the largest relative equation residual (both solves for D2, D4). seconds: wall
            time. expenditure: (N,) the calibration's baseline spending E (the tables' weights).
    """

    name: str
    results: pd.DataFrame
    changes: dict
    residual: float
    seconds: float
    expenditure: np.ndarray


def run_experiments(data: IlmsData, names: Sequence[str] | None = None,
                    on_result: Callable[[ExperimentResult], None] | None = None) -> dict[str, ExperimentResult]:
    """Solve the spec's experiments ``names`` (default: all of ``EXPERIMENTS``), each verified by its model's
    solve (every equation within tolerance, else ConvergenceError)."""
    from tariffsim.models.ilms import results_columns, world_changes

    out = {}
    for name in names or EXPERIMENTS:
        clock = time.perf_counter()
        experiment = spec_experiment(name, data)
        solve = experiment.model.solve
        equilibrium = solve(experiment.calibration, experiment.policy)
        results, changes, residual = results_columns(equilibrium), world_changes(equilibrium), equilibrium.max_residual
        if experiment.reference is not None:  # D2, D4: percent changes minus those at zero tariffs
            zero = solve(experiment.calibration, experiment.reference)
            results = results - results_columns(zero)
            at_zero = world_changes(zero)
            changes = {k: v - at_zero[k] for k, v in changes.items()}
            residual = max(residual, zero.max_residual)
        params = experiment.calibration.params
        out[name] = ExperimentResult(name, results, changes, float(residual), time.perf_counter() - clock,
                                     np.asarray(params.expenditure))
        if on_result is not None:
            on_result(out[name])
    return out


def _average(frame: pd.DataFrame, members: Sequence[str], weights: pd.Series) -> pd.Series:
    """Rows ``members`` of ``frame`` averaged with ``weights``."""
    rows = frame.loc[list(members)]
    w = weights.loc[list(members)]
    return rows.mul(w, axis=0).sum() / w.sum()


def _regions(result: ExperimentResult, rows: Sequence[str], eu: Sequence[str],
             weights: pd.Series | None = None) -> pd.DataFrame:
    """The table rows ``rows`` (``USA``, ``CHN``, ``EU``, ``non-US (average)``, ``RoW``) of one experiment,
    averaged with the baseline spending E (or ``weights``)."""
    frame = result.results
    countries = list(frame.index)
    spending = pd.Series(result.expenditure, index=countries) if weights is None else weights
    groups = {"EU": list(eu), "non-US (average)": [c for c in countries if c != HOME],
              "RoW": [c for c in countries if c not in (HOME, "CHN", *eu)]}
    return pd.DataFrame({row: frame.loc[row] if row in countries else _average(frame, groups[row], spending)
                         for row in rows}).T


def _panel(results: dict[str, ExperimentResult], name: str, label: str, rows: Sequence[str], columns: Sequence[str],
           eu: Sequence[str], weights: pd.Series | None = None) -> pd.DataFrame:
    """One panel of a table: ``rows`` x ``columns`` (printed headers, rounded), or empty cells with the
    reason when the experiment is missing."""
    headers = [COLUMNS[c][0] for c in columns]
    if name in MISSING:
        frame = pd.DataFrame(np.nan, index=list(rows), columns=headers)
    else:
        frame = _regions(results[name], rows, eu, weights)[list(columns)]
        frame = pd.DataFrame({COLUMNS[c][0]: frame[c].round(COLUMNS[c][1]) for c in columns})
    frame.insert(0, "experiment", name)
    frame.insert(0, "panel", label)
    frame["note"] = MISSING.get(name, "")
    return frame.rename_axis("row").reset_index()


def tables(results: dict[str, ExperimentResult], world: World, gdp: np.ndarray,
           quirks: TableQuirks = TableQuirks()) -> dict[str, pd.DataFrame]:
    """The paper's Tables 1, 2, 3, 4, 8, 9, 10 and 11 and the two map files from ``results`` (which must hold
    every experiment of ``EXPERIMENTS``), as long tables: panel, experiment, row, the printed columns, note.

    ``world`` gives the country names of the map files; ``gdp`` (N,) the raw WDI GDP / 1000
    (``io.ilms2025.ilms2025_baseline(folder).gdp``), the weights of Table 4's IO rows [QUIRK §14]."""
    eu = EU25 if quirks.eu_of_25 else EU27
    six = list(COLUMNS)
    four = ["welfare", "deficit", "employment", "price_index"]
    us_rest = ("USA", "non-US (average)")

    def panels(specs, rows, columns, weights=None):
        return pd.concat([_panel(results, name, label, rows, columns, eu, weights) for label, name in specs],
                         ignore_index=True)

    gdp = pd.Series(np.asarray(gdp, dtype=float), index=list(world.countries))
    return {
        "table1": panels([("Case 1", "B1"), ("Case 2", "B8"), ("Case 3", "B4")], us_rest, six),
        "table2": panels([("(1)", "B6"), ("(3)", "B5"), ("(4)", "B7")], ("USA", "CHN", "EU", "non-US (average)"),
                         four),
        "table3": _table3(results),
        "table4": panels([("pre-retaliation (1) one sector", "IO1"), ("pre-retaliation (2) one sector", "IO2"),
                          ("pre-retaliation (3) multiple sectors", "MIO1"),
                          ("post-retaliation (1) one sector", "IO3"), ("post-retaliation (2) one sector", "IO4"),
                          ("post-retaliation (3) multiple sectors", "MIO2")], us_rest, six, weights=gdp),
        "table8": panels([("Case 1", "R1"), ("Case 2", "R2"), ("Case 3", "R3")], ("USA", "CHN", "EU", "RoW"), four),
        "table9": panels([("Baseline", "B1"), ("Alternative 1: multiple sectors", "MS1"),
                          ("Alternative 2: phi = 0.25", "B2"), ("Alternative 3: epsilon = 8", "B9"),
                          ("Alternative 4: EKK (phi = 1, nu = 0)", "B3")], us_rest, six),
        "table10": _table10(results, quirks),
        "table11": _table11(results),
        "output_map": _map(results["B1"], world),
        "output_map_retal": _map(results["B5"], world),
    }


def _table3(results: dict[str, ExperimentResult]) -> pd.DataFrame:
    """US tariff revenue: % of baseline spending [QUIRK: labelled % of GDP] and % of the federal budget."""
    revenue = {name: float(results[name].results.loc[HOME, "revenue"]) for name in ("B1", "B4", "B5", "B6")}
    return pd.DataFrame({"row": ["% of GDP", "% of Federal Budget"],
                         **{name: [round(100 * r, 2), round(100 * r / FEDERAL_BUDGET_SHARE, 2)]
                            for name, r in revenue.items()}})


def _table10(results: dict[str, ExperimentResult], quirks: TableQuirks) -> pd.DataFrame:
    """Deficit frameworks D1-D4: welfare, exports/GDP, imports/GDP, employment, prices; the non-US welfare is
    the unweighted mean [QUIRK], panel (4)'s taken from panel (3) [QUIRK]."""
    rows = []
    columns = ["welfare", "exports_to_gdp", "imports_to_gdp", "employment", "price_index"]
    us_digits = {"welfare": 2, "exports_to_gdp": 1, "imports_to_gdp": 1, "employment": 2, "price_index": 1}
    rest_digits = {**us_digits, "imports_to_gdp": 2}
    for panel, name in (("(1)", "D1"), ("(2)", "D2"), ("(3)", "D3"), ("(4)", "D4")):
        result = results[name]
        regions = _regions(result, ("USA", "non-US (average)"), EU25)
        others = [c for c in result.results.index if c != HOME]
        welfare_source = results["D3"] if name == "D4" and quirks.table10_panel4_shows_panel3 else result
        if quirks.table10_unweighted_welfare:
            regions.loc["non-US (average)", "welfare"] = welfare_source.results.loc[others, "welfare"].mean()
        else:
            regions.loc["non-US (average)", "welfare"] = _regions(welfare_source, ("non-US (average)",),
                                                                  EU25).loc["non-US (average)", "welfare"]
        for row, digits in (("USA", us_digits), ("non-US (average)", rest_digits)):
            rows.append({"panel": panel, "experiment": name, "row": row,
                         **{COLUMNS[c][0]: round(float(regions.loc[row, c]), digits[c]) for c in columns}})
    return pd.DataFrame(rows)


def _table11(results: dict[str, ExperimentResult]) -> pd.DataFrame:
    """World trade-to-GDP (1 decimal) and employment (2 decimals) changes before and after (reciprocal)
    retaliation: main (B1, B6), IO (IO1, IO3), multi (MS1, MS2) and multi + IO (MIO1, MIO2)."""
    cases = {"main": ("B1", "B6"), "IO": ("IO1", "IO3"), "multi": ("MS1", "MS2"), "multi + IO": ("MIO1", "MIO2")}
    rows = []
    for quantity, key, digits in (("global trade-to-GDP", "trade_to_gdp", 1), ("global employment", "employment", 2)):
        for when, k in (("before retaliation", 0), ("after retaliation", 1)):
            rows.append({"row": f"change in {quantity}", "when": when,
                         **{column: (np.nan if pair[k] in MISSING else round(results[pair[k]].changes[key], digits))
                            for column, pair in cases.items()}})
    return pd.DataFrame(rows)


def _map(result: ExperimentResult, world: World) -> pd.DataFrame:
    """``output_map*.csv``: Country and Value_1..Value_7 (the results columns; Value_7 the revenue fraction)."""
    frame = result.results
    out = pd.DataFrame({"Country": list(world.country_names)})
    for k, column in enumerate([*COLUMNS, "revenue"], start=1):
        out[f"Value_{k}"] = frame[column].to_numpy()
    return out


def write_replication(results: dict[str, ExperimentResult], written: dict[str, pd.DataFrame], out, *, data: str,
                      quirks: TableQuirks, seconds: float) -> list[str]:
    """Write the tables and maps as CSV and run.json (residuals, timings, what is missing and why) into
    ``out``, all or nothing (``atomic.atomic_folder``). Returns the file names written."""
    import json
    from dataclasses import asdict
    from pathlib import Path

    from tariffsim.atomic import atomic_folder
    from tariffsim.replication.ossa2014_output import OUT_FIX, software_versions

    files = [f"{stem}.csv" for stem in written] + ["run.json"]
    document = {"schema": "tariffsim.replicate_ilms2025", "schema_version": 1, "data": data,
                "paper": "Ignatenko, Lashkaripour, Macedoni and Simonovska (2025), Making America Great Again? "
                         "The Economic Impacts of Liberation Day Tariffs, Journal of International Economics",
                "table_quirks": asdict(quirks), "seconds": seconds, "software": software_versions(),
                "worst_residual": max(r.residual for r in results.values()),
                "experiments": {name: {"description": EXPERIMENTS[name], "residual": r.residual,
                                       "seconds": round(r.seconds, 3), **r.changes} for name, r in results.items()},
                "missing": MISSING, "files": sorted(files)}
    with atomic_folder(Path(out), OUT_FIX) as folder:
        for stem, frame in written.items():
            frame.to_csv(folder / f"{stem}.csv", index=False)
        (folder / "run.json").write_text(json.dumps(document, indent=2, allow_nan=True), encoding="utf-8")
    return sorted(files)
