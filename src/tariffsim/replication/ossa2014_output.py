"""Tables and files of an Ossa (2014) replication run (MODEL_OSSA2014.md §5).

Table files (percent, rounded half away from zero as printed; rows = 7 regions + ``average`` unless said):

- ``table1.csv``: ``industry,sigma,Brazil,...,US``, industries by sigma (descending) + ``avg``, 2 decimals;
  ``table1_top5.csv``: ``rank,Brazil,...,US``, each country's five industries with the highest lambda.
- ``table2.csv``: ``c1,c2,c3``, the 4 x 3 US +50 pp example, 2 decimals (as the reference file).
- ``table3{a,b}.csv`` / ``table8{a,b}.csv`` (discriminatory / MFN unilateral optimal tariffs):
  ``region,G_own,G_others,W_own,W_others,relwage_own,relwage_others,profits_own,profits_others,median_tariff``.
- ``table4{a,b}.csv`` / ``table9{a,b}.csv`` (discriminatory / MFN Nash, relative to factual):
  ``region,G,W,relwage,profits,median_tariff``.
- ``table5{a,b}.csv`` / ``table10{a,b}.csv`` (restricted discriminatory / MFN talks): ``region,G_nash,
  G_factual,G_free,W_nash,...,relwage_*,profits_*``: each effect relative to the Nash, factual and
  free-trade baseline it started from; ``G_free``, ``W_free`` to 2 decimals.
- ``table{3,4,5,8,9,10}c.csv``: ``case,sigma_mean,<columns of panel a>``, rows ``BAS low``, ``BAS med``,
  ``BAS high``, ``POL low``, ``POL med``, ``POL high`` (versions run): the ``average`` row of panel a or
  b under that version; ``sigma_mean`` unrounded.

Panels a and b of the main version are at the top; every other version's are in ``versions/<version>/``.
``cubes/<version>/*.npy`` hold what was found: ``targets.npy`` (S,N), ``lambda.npy`` (N,S),
``{mfn_,}optimal_{bas,pol}.npy`` (N,N,N,S; [k] = the cube with k's column at its optimum),
``{mfn_,}nash_{bas,pol}.npy`` (N,N,S) and ``{unrestricted_,}{mfn_,}talks_{bas,pol}_{nash,factual,free}.npy``
(N,N,S). ``run.json``: the lambda calibration (``weights``: ``paper``, the paper's heuristic, or ``exact``),
timings per stage, solver residuals (and each country's weights fit) and software versions.
Everything is written to a temporary folder first and renamed into place: nothing half-written.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tariffsim.atomic import atomic_folder, check_free_folder
from tariffsim.replication.ossa2014 import (TALKS_BASELINES, parameters_table, round_half_away, table2,
                                            talks_table, top_weights_table, unilateral_table, war_table)
from tariffsim.replication.ossa2014_pipeline import PANELS, VersionRun

SENSITIVITY_VERSIONS = ("low", "med", "high")
PANEL_NAME = {"a": "bas", "b": "pol"}
TWO_DECIMALS = {"G_free", "W_free"}  # free-trade baselines: small numbers, printed with 2 decimals
OUT_FIX = "give a new --out folder or remove it"


def version_panels(run: VersionRun, tables: Sequence[int]) -> dict[str, pd.DataFrame]:
    """Panels a and b (unrounded) of ``tables`` computed from one version's run: {"table3a": frame, ...}."""
    frames = {}
    for panel in run.optimal:
        weights = run.panel_weights(panel)
        if 3 in tables:
            frames[f"table3{panel}"] = unilateral_table(run.world, run.optimal[panel]["discriminatory"].cubes, weights)
        if 8 in tables:
            frames[f"table8{panel}"] = unilateral_table(run.world, run.optimal[panel]["mfn"].cubes, weights)
        for number, kind in ((4, "discriminatory"), (9, "mfn")):
            if number in tables and panel in run.nash:
                frames[f"table{number}{panel}"] = war_table(run.world, run.nash[panel][kind].tariffs, weights)
        for number, kind in ((5, "discriminatory"), (10, "mfn")):
            if number in tables and panel in run.talks:
                outcomes = [(run.baselines[panel][b], run.talks[panel][b][kind].tariffs) for b in TALKS_BASELINES]
                frames[f"table{number}{panel}"] = talks_table(outcomes, weights)
    return frames


def sensitivity_panels(panels: dict[str, dict[str, pd.DataFrame]],
                       runs: Sequence[VersionRun]) -> dict[str, pd.DataFrame]:
    """Panels c: {"table3c": frame, ...} from the low/med/high versions' panels a and b."""
    sigma = {run.version: float(run.world.sigma.mean()) for run in runs}
    versions = [v for v in SENSITIVITY_VERSIONS if v in panels]
    frames = {}
    for name in sorted({k[:-1] for v in versions for k in panels[v]}):
        rows = {}
        for panel in PANELS:
            for v in versions:
                if f"{name}{panel}" in panels[v]:
                    row = panels[v][f"{name}{panel}"].loc["average"]
                    rows[f"{PANEL_NAME[panel].upper()} {v}"] = pd.concat([pd.Series({"sigma_mean": sigma[v]}), row])
        frames[f"{name}c"] = pd.DataFrame(rows).T.rename_axis("case")
    return frames


def printed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` rounded as the paper prints table ``name``: 1 decimal (2 for tables 1, 2 and the
    free-trade welfare columns), half away from zero; ``sigma_mean`` unrounded."""
    out = frame.copy()
    for column in out.columns:
        if column == "sigma_mean" or not pd.api.types.is_numeric_dtype(out[column]):
            continue
        decimals = 2 if name in ("table1", "table2") or column in TWO_DECIMALS else 1
        out[column] = round_half_away(out[column].to_numpy(), decimals)
    return out


def cube_arrays(run: VersionRun) -> dict[str, np.ndarray]:
    """Every array the run found, by file stem (see the module docstring)."""
    arrays = {"targets": run.targets}
    if run.weights is not None:
        arrays["lambda"] = run.weights.weights
    for panel, name in PANEL_NAME.items():
        for kind, optima in run.optimal.get(panel, {}).items():
            arrays[f"{'mfn_' if kind == 'mfn' else ''}optimal_{name}"] = optima.cubes
        for kind, war in run.nash.get(panel, {}).items():
            arrays[f"{'mfn_' if kind == 'mfn' else ''}nash_{name}"] = war.tariffs
        for baseline, kinds in run.talks.get(panel, {}).items():
            for kind, talks in kinds.items():
                stem = {"discriminatory": "", "mfn": "mfn_", "unrestricted": "unrestricted_",
                        "unrestricted_mfn": "unrestricted_mfn_"}[kind]
                arrays[f"{stem}talks_{name}_{baseline}"] = talks.tariffs
    return arrays


def all_tables(runs: Sequence[VersionRun], tables: Sequence[int]) -> dict[str, pd.DataFrame]:
    """Every table file (unrounded) by relative path stem: main panels and tables 1, 2 at the top,
    other versions' panels under ``versions/<version>/``, panels c from the low/med/high versions."""
    panels = {run.version: version_panels(run, tables) for run in runs}
    out: dict[str, pd.DataFrame] = {}
    for run in runs:
        prefix = "" if run.version == "main" else f"versions/{run.version}/"
        out.update({prefix + name: frame for name, frame in panels[run.version].items()})
        if run.version == "main" and 1 in tables and run.weights is not None:
            out["table1"] = parameters_table(run.world, run.weights.weights)
            out["table1_top5"] = top_weights_table(run.world, run.weights.weights)
        if run.version == "main" and 2 in tables:
            out["table2"] = table2(run.world)
    out.update(sensitivity_panels(panels, runs))
    return out


def software_versions() -> dict[str, str]:
    """Versions of Python and the numerical stack, for run.json."""
    import jax
    import scipy

    import tariffsim

    return {"tariffsim": tariffsim.__version__, "jax": jax.__version__, "scipy": scipy.__version__,
            "numpy": np.__version__, "pandas": pd.__version__, "python": platform.python_version()}


def check_out_folder(out: Path) -> None:
    """Raise OptionError unless ``out`` is free (missing or an empty folder): checked before computing."""
    check_free_folder(out, OUT_FIX)


def write_replication(runs: Sequence[VersionRun], tables: Sequence[int], out: str | Path, *,
                      data: str, seconds: float, weights: str | None = None) -> dict[str, pd.DataFrame]:
    """Write the tables (rounded as printed), cubes and run.json to ``out``, atomically.

    ``weights`` names the lambda calibration for run.json (default: the runs' own ``weights_method``).

    Returns the tables as written (rounded), by path stem relative to ``out`` (``"table3a"``,
    ``"versions/novar/table4b"``, ...).
    """
    out = Path(out)
    frames = {stem: printed(Path(stem).name, frame) for stem, frame in all_tables(runs, tables).items()}
    files = []
    with atomic_folder(out, OUT_FIX) as folder:
        for stem, frame in frames.items():
            path = folder / f"{stem}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            frame.to_csv(path, index=stem != "table2")
            files.append(f"{stem}.csv")
        for run in runs:
            (folder / "cubes" / run.version).mkdir(parents=True)
            for stem, array in cube_arrays(run).items():
                np.save(folder / "cubes" / run.version / f"{stem}.npy", array)
                files.append(f"cubes/{run.version}/{stem}.npy")
        methods = sorted({run.weights_method for run in runs})
        document = {"schema": "tariffsim.replicate_ossa2014", "data": data, "tables": list(tables),
                    "weights": weights or (methods[0] if len(methods) == 1 else methods),
                    "versions": [run.version for run in runs], "seconds": seconds,
                    "software": software_versions(), "worst": worst_residuals(runs),
                    "runs": {run.version: run.facts() for run in runs}, "files": sorted(files) + ["run.json"]}
        (folder / "run.json").write_text(json.dumps(document, indent=2, allow_nan=True), encoding="utf-8")
    return frames


def worst_residuals(runs: Sequence[VersionRun]) -> dict[str, float]:
    """The largest KKT residual of any optimum or best response, the largest remaining Nash gain and the
    largest equal-gain and KKT residuals of any talks, over all versions; stages not run have no entry."""
    optima = [float(o.kkt_residuals.max()) for r in runs for v in r.optimal.values() for o in v.values()]
    wars = [w for r in runs for v in r.nash.values() for w in v.values()]
    talks = [t for r in runs for v in r.talks.values() for kinds in v.values() for t in kinds.values()]
    measures = {"optimal_kkt": optima, "nash_kkt": [w.kkt_residual for w in wars],
                "nash_gain": [w.max_gain for w in wars], "talks_equal_gain": [t.equal_gain_residual for t in talks],
                "talks_kkt": [t.kkt_residual for t in talks]}
    return {name: float(max(values)) for name, values in measures.items() if values}
