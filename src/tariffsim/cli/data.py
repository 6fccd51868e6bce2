"""``tariffsim data``: the data sets found (list), what one holds (info), its data quality (check), and a
world built from a raw OECD ICIO release (build)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from tariffsim.cli._common import (
    Elasticity,
    Year,
    friendly_errors,
    load_world,
    print_frame,
    status,
    stderr,
    stdout,
)

if TYPE_CHECKING:
    from tariffsim.catalog import DataSet
    from tariffsim.data_check import CheckReport, Finding
    from tariffsim.world import World

app = typer.Typer(help="Data sets: list what is found, describe one, check its data quality, build one from a raw "
                       "OECD ICIO release.", no_args_is_help=True)

NAME_HELP = ("Data set: a name from 'tariffsim data list' (ossa2014, icio2022, wiod2014, ...), a folder, a world "
             "cube (.mat), or 'demo'.")
JSON_HELP = "Also write the result as JSON to this file ('-': JSON alone on stdout)."
SHOWN_CELLS = 10


@app.command("list")
def list_(
    ctx: typer.Context,
    every_cube: bool = typer.Option(False, "--all", help="One row per world cube (icio2011, icio2012, ...), not "
                                    "one per cube family."),
    json_file: str = typer.Option(None, "--json", help=JSON_HELP),
) -> None:
    """List every data set found under $TARIFFSIM_DATA, and the demo world: name, layout, years, countries x
    sectors, source and size on disk, then each one's citation and terms.

    Sizes are counted without reading the data (a cube's N, S and year scalars; label files; small tables).

    Example: [bold]tariffsim data list[/]
    """
    with friendly_errors(ctx):
        import pandas as pd

        from tariffsim.catalog import discover, size_text
        from tariffsim.datasets import ENV_VAR, data_root
        from tariffsim.outputs import Outputs

        outputs = Outputs()
        json_path = outputs.file(None if json_file == "-" else json_file, "--json")
        with status("looking for data sets"):
            found = discover(per_cube=every_cube)
        for path, reason in found.skipped:
            stderr.print(f"skipped {path}: {reason}", highlight=False, markup=False)
        root = data_root()
        if root is not None and not root.is_dir():
            stderr.print(f"{ENV_VAR}={root} is not a folder: no data sets found there", highlight=False,
                         markup=False)
        document = {"schema": "tariffsim.data_list", "root": str(root) if root else None,
                    "datasets": [d.to_json_dict() for d in found.datasets]}
        if json_file == "-":
            stdout.print_json(json.dumps(document))
        else:
            frame = pd.DataFrame({"years": [d.years_text for d in found.datasets],
                                  "countries x sectors": [d.shape_text for d in found.datasets],
                                  "source": [d.short or d.source for d in found.datasets],
                                  "size": [size_text(d.size) for d in found.datasets]},
                                 index=pd.Index([d.name for d in found.datasets], name="name"))
            where = (f"under {ENV_VAR}={root}" if root else f"{ENV_VAR} is not set: the worlds that ship with "
                     "tariffsim; set it to the folder holding the data sets for more")
            print_frame(frame, f"Data sets ({where})",
                        caption="--data takes each name (icio2011 ... icio2022: any year of the range; or the "
                                "folder tariffwar with --year). Sizes: countries x sectors; on disk.")
            _print_about(found.datasets)
        _write(outputs, {json_path: _text(json.dumps(document, indent=2))}, json_file)


def _print_about(entries: list[DataSet]) -> None:
    """Source, citation and terms, one line per distinct source (the cubes of a family share one)."""
    groups: dict[tuple[str, str, str, str], list[DataSet]] = {}
    for entry in entries:
        groups.setdefault((entry.kind, entry.source, entry.citation, entry.terms), []).append(entry)
    for (kind, source, citation, terms), members in groups.items():
        names = [n for entry in members for n in (entry.names or (entry.name,))]
        label = names[0] if len(names) == 1 else f"{names[0]} ... {names[-1]}"
        problems = "; ".join(e.problem for e in members if e.problem)
        stdout.print(f"[bold]{escape(label)}[/] ({kind}): {escape(source)}. Cite: {escape(citation)}."
                     + (f" [dim]Terms: {escape(terms)}.[/]" if terms else "")
                     + (f" [yellow]({escape(problems)})[/]" if problems else ""), highlight=False)


@app.command("info", no_args_is_help=True)
def info(
    ctx: typer.Context,
    name: str = typer.Argument(..., help=NAME_HELP, show_default=False),
    year: Year = None,
    elasticity: Elasticity = None,
) -> None:
    """What a data set holds (as [bold]tariffsim info[/] shows it: countries, spending, trade balances,
    tariffs, sectors and groups), plus its year, elasticity sets (per set: source and min / median / max
    sigma), source and citation.

    Example: [bold]tariffsim data info icio2022 --elasticity CP[/]
    """
    with friendly_errors(ctx):
        from tariffsim.catalog import about, entry_for
        from tariffsim.cli.info import print_summary

        world = load_world(name, year=year, elasticity=elasticity)
        print_summary(world, name)
        entry = entry_for(name)
        known = about(Path(name).name if entry is None else _key(entry), entry.path if entry and entry.path and
                      entry.path.is_dir() else None)
        years = (world.year,) if world.year else (entry.years if entry else ()) or known.years
        stdout.print(f"Year: {', '.join(map(str, years)) or 'not stated in the data'}", highlight=False)
        _print_elasticities(world)
        stdout.print(f"Source: {(entry.source if entry else known.source)}", highlight=False)
        stdout.print(f"Citation: {(entry.citation if entry else known.citation)}", highlight=False)
        terms = entry.terms if entry else known.terms
        if terms:
            stdout.print(f"Terms: {terms}", highlight=False)


def _key(entry: DataSet) -> str:
    """The ``catalog.about`` key of an entry: a cube's name, else its folder name."""
    return entry.names[0] if entry.names else entry.name


def _print_elasticities(world: World) -> None:
    import numpy as np
    import pandas as pd

    from tariffsim.assumptions import elasticity_source

    sets = dict(world.elasticities) or {world.elasticity or "(the data's)": world.sigma}
    frame = pd.DataFrame({
        "min": [float(np.min(s)) for s in sets.values()],
        "median": [float(np.median(s)) for s in sets.values()],
        "max": [float(np.max(s)) for s in sets.values()],
        "in use": ["yes" if name == world.elasticity or len(sets) == 1 else "" for name in sets],
    }, index=pd.Index(list(sets), name="set"))
    sources = "\n".join(f"{name}: {elasticity_source(name) or 'the data set'}" for name in sets)
    picks = "\n--elasticity SET picks one (Python: read_world(..., elasticity=SET))." if len(sets) > 1 else ""
    print_frame(frame, f"Elasticity sets: sigma = epsilon + 1 by sector ({len(sets)})", digits=2,
                caption=sources + picks)


@app.command("check", no_args_is_help=True)
def check(
    ctx: typer.Context,
    name: str = typer.Argument(..., help=NAME_HELP, show_default=False),
    year: Year = None,
    tariff_above: float = typer.Option(0.5, "--tariff-above", help="List tariffs above this fraction (0.5 = 50%)."),
    json_file: str = typer.Option(None, "--json", help="Write the report, every cell included, as JSON to this file "
                                  "('-': JSON alone on stdout)."),
    shown: int = typer.Option(SHOWN_CELLS, "--show", min=0, help="Cells shown per finding (0: all)."),
) -> None:
    """Check a data set's quality and list what deserves a look, with the cells (exporter, importer, sector,
    value): tariffs above --tariff-above, import subsidies, zero domestic absorption, zero or tiny sectors
    (below 1e-4 of world sales), trade elasticities epsilon = sigma - 1 below 1 in any set, the share of
    trade involving ROW, and countries with no imports or exports.

    Errors make the command exit with status 1: data the reader refuses (a negative or missing flow, named
    by file and cell), tariffs of 1,000% or more, a country with no trade at all. Everything else is a
    warning.

    Example: [bold]tariffsim data check icio2022 --tariff-above 0.9[/]
    """
    with friendly_errors(ctx):
        from tariffsim.data_check import check_data, to_json_dict
        from tariffsim.outputs import Outputs

        outputs = Outputs()
        json_path = outputs.file(None if json_file == "-" else json_file, "--json")
        with status(f"checking {name}"):
            report = check_data(name, year=year, tariff_above=tariff_above)
        document = to_json_dict(report)
        if json_file == "-":
            stdout.print_json(json.dumps(document, allow_nan=True))
        else:
            _print_report(report, shown)
        _write(outputs, {json_path: _text(json.dumps(document, indent=2, allow_nan=True))}, json_file)
    if report.errors:
        raise typer.Exit(1)


def _print_report(report: CheckReport, shown: int) -> None:
    world = report.world
    what = report.spec if world is None else (
        (world.label or f"{report.spec}: {world.n_countries} countries x {world.n_sectors} sectors")
        + (f", year {world.year}" if world.year and str(world.year) not in world.label else ""))
    stdout.print(f"[bold]Data check of {escape(what)}[/]", highlight=False)
    for finding in report.findings:
        colour = "red" if finding.level == "error" else "yellow"
        stdout.print(f"[bold {colour}]{finding.level}[/] [bold]{finding.kind}[/]: {escape(finding.message)}",
                     highlight=False)
        if finding.cells:
            _print_cells(finding, shown)
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = ("errors: no result should be computed from these data until they are fixed" if errors
               else "no errors")
    stdout.print(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}: "
                 f"{verdict}", highlight=False)


def _print_cells(finding: Finding, shown: int) -> None:
    from tariffsim.data_check import cells_table

    table = cells_table(finding)
    total = len(table)
    if shown and total > shown:
        table = table.head(shown)
    caption = f"{total - len(table):,} more not shown (--show 0 for all, --json FILE for every cell)" \
        if len(table) < total else None
    index = table.columns[0]
    print_frame(table.set_index(index), f"{finding.kind} ({total:,} cell{'s' if total != 1 else ''})",
                digits=4 if finding.kind in ("tiny_sector", "row_share") else 2, caption=caption)


@app.command("build", no_args_is_help=True)
def build(
    ctx: typer.Context,
    icio: Path = typer.Option(..., "--icio", help="One year of the OECD ICIO release: the CSV file (rows AUS_A01 "
                              "..., TLS, VA, OUT; use columns by country and industry, final use by country: "
                              "HFCE, NPISH, GGFC, GFCF, INVNT, DPABR; OUT).", show_default=False),
    tariffs: Path = typer.Option(..., "--tariffs", help="Tariff table (CSV, Parquet or Stata): exporter, importer, "
                                 "sector, tariff (fraction, set by the importer; cells without a row: 0).",
                                 show_default=False),
    out: Path = typer.Option(..., "--out", "-o", help="New (or empty) folder for the world (long format).",
                             show_default=False),
    year: int = typer.Option(None, "--year", "-y", help="Data year of the release (default: the year in the --icio "
                             "file name, e.g. 2019.csv).", show_default=False),
    sigma: float = typer.Option(5.0, "--sigma", help="Elasticity of substitution of every sector (5 = trade "
                                "elasticity 4, the cubes' default set U4)."),
    services: str = typer.Option("aggregate", "--services", help="aggregate: merge the service industries (D-T) "
                                 "into one sector SERV, as in the tariffwar cubes; keep: keep them apart."),
    format: str = typer.Option("csv", "--format", help="Table format: csv or parquet."),
) -> None:
    """Build a world from a raw OECD ICIO release file and a tariff table, and write it as a long-format
    folder that --data reads (flows, sectors, countries, groups, plus dataset.json and README.md).

    Bilateral sales by sector = the exporter's row summed over the importer's intermediate- and final-use
    columns; the diagonal is domestic absorption. Negative sums (inventories run down) become 0.

    Where to get the releases (see docs/data.md): the OECD Inter-Country Input-Output tables, 2023 edition
    (oecd.org, "Inter-Country Input-Output tables"; one CSV per year; reuse with attribution to the OECD);
    applied tariffs from the Teti Global Tariff Database (feodorateti.github.io; cite Teti 2024); the WIOD
    2016 release (rug.nl/ggdc, CC BY 4.0) for 2000-2014.

    Example: [bold]tariffsim data build --icio 2019.csv --tariffs tariffs2019.csv --out icio2019-built[/]
    """
    with friendly_errors(ctx):
        from tariffsim.errors import OptionError
        from tariffsim.io.icio_release import build_world
        from tariffsim.outputs import Outputs

        if format not in ("csv", "parquet"):
            raise OptionError(f"--format {format!r}: use csv or parquet")
        outputs = Outputs()
        folder = outputs.folder(out, "--out")
        with status(f"reading {icio}"):
            world, release = build_world(icio, tariffs, year=year, sigma=sigma, services=services)
        if release.merged:
            stderr.print(f"merged the split country parts {', '.join(release.merged)} into CHN / MEX",
                         highlight=False)
        if release.negative_cells:
            stderr.print(f"{release.negative_cells:,} cells summed to less than 0 (inventories run down) and were "
                         "set to 0", highlight=False)
        stderr.print(f"final use summed: {', '.join(release.final_use) or 'none'}", highlight=False)
        outputs.write({folder: _world_folder(world, folder.name, icio, tariffs, release, format)})
        stdout.print(f"built {world.label}", highlight=False)
        stdout.print(f"wrote {folder} (read it with --data {folder}; check it with tariffsim data check {folder})",
                     highlight=False)


def _world_folder(world: World, name: str, icio: Path, tariffs: Path, release, format: str) -> Callable[[Path], None]:
    """Write the world's long-format tables, its ``dataset.json`` (read by ``data list`` / ``data info``) and a
    README.md into ``folder`` (the temporary that ``Outputs`` renames to the target ``name``)."""
    def write(folder: Path) -> None:
        from tariffsim.io import write_long

        write_long(world, folder, format=format)  # type: ignore[arg-type]
        meta = {"name": name, "year": world.year, "label": world.label,
                "source": f"OECD Inter-Country Input-Output tables ({icio.name}), tariffs from {tariffs.name}; "
                          "built by tariffsim data build",
                "short": f"OECD ICIO release {icio.name}",
                "citation": "OECD (2023) Inter-Country Input-Output tables, 2023 edition; cite the tariff source "
                            "(e.g. Teti 2024, ECARES WP 2024-04)",
                "terms": "OECD: reuse with attribution; tariffs: the terms of their source",
                "inputs": {"icio": str(icio), "tariffs": str(tariffs)},
                "final_use": list(release.final_use), "negative_cells_set_to_zero": release.negative_cells,
                "countries": world.n_countries, "sectors": world.n_sectors, "sigma": float(world.sigma[0])}
        (folder / "dataset.json").write_text(json.dumps(meta, indent=2) + "\n")
        (folder / "README.md").write_text(
            f"# {world.label}\n\nBuilt by `tariffsim data build` from `{icio.name}` (OECD ICIO release) and "
            f"`{tariffs.name}` (tariffs).\n\n- flows: bilateral sales by sector (US$ million), exporter x importer x "
            "sector: the exporter's row summed over the importer's intermediate- and final-use columns "
            f"({', '.join(release.final_use)}); domestic absorption on exporter = importer rows; "
            f"{release.negative_cells} negative sums set to 0.\n- tariff: the importer's tariff (fraction); 0 "
            f"where the table has no row.\n- sigma: {float(world.sigma[0]):g} in every sector.\n\nCite: OECD (2023) "
            "Inter-Country Input-Output tables, 2023 edition, and the tariff source. OECD data: reuse with "
            "attribution.\n")
    return write


# ------------------------------------------------------------------------------------ helpers
def _text(text: str) -> Callable[[Path], object]:
    return lambda path: path.write_text(text + "\n")


def _write(outputs, writers: dict, json_file: str | None) -> None:
    """Write the declared outputs together and say what was written (on stderr when stdout carries JSON)."""
    for path in outputs.write({path: write for path, write in writers.items() if path is not None}):
        (stderr if json_file == "-" else stdout).print(f"wrote {path}", highlight=False)
