"""Run a scenario pack and write its report: ``report.html``, ``figures/*.png|svg``, ``tables/*.csv``.

``build_report`` is the one entry point; it calls ``on_step(description)`` before each stage so a
caller can show progress, and returns the files written and the wall time of each stage. The output
targets are checked before any work (``report_outputs``); the page, figures and tables are computed in
memory and put in place together at the end (``tariffsim.outputs``), replacing an earlier report's in
the same folder, so a failure or Ctrl-C leaves the folder as it was. Only the game cache
(``out/cache``) is written as the game runs: it is what a rerun reuses.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tariffsim import maps
from tariffsim.cache import Cache
from tariffsim.errors import DataValidationError, OptionError
from tariffsim.io import read_world
from tariffsim.models import Krugman
from tariffsim.outputs import Outputs
from tariffsim.purge import purge
from tariffsim.report import figures, tables
from tariffsim.report.game import GameView, game_view
from tariffsim.report.html import PageContent, render
from tariffsim.report.pack import Pack, load_pack
from tariffsim.report.run import ScenarioResult, solve_pack

CACHE_FOLDER = "cache"
REPORT_FOLDERS = ("figures", "tables")


@dataclass(frozen=True)
class ReportFiles:
    """What ``build_report`` wrote (paths relative to ``out``) and how long each stage took (seconds)."""

    html: Path
    files: tuple[str, ...]
    seconds: dict[str, float]
    game_reused: bool


def step_count(pack: Pack) -> int:
    """Number of ``on_step`` calls of a report run without cached game results (for progress bars)."""
    return 3 + len(pack.scenarios) + (5 if pack.game else 0) + 2


def build_report(pack_dir: str | Path, out: str | Path, *, data: str | None = None,
                 frontier_points: int | None = None,
                 on_step: Callable[[str], None] = lambda step: None) -> ReportFiles:
    """Solve every scenario of the pack in ``pack_dir``, play its game, and write the report to ``out``.

    Args:
        data: the data set (folder or name under $TARIFFSIM_DATA); default: the pack's ``world``.
        frontier_points: override the pack's number of frontier deals (fewer is faster).
    """
    outputs = report_outputs(out)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = round(now - clock, 3)
        clock = now

    on_step("reading the scenario pack")
    pack = load_pack(pack_dir)
    if frontier_points is not None and pack.game is not None:
        pack = dataclasses.replace(pack, game=dataclasses.replace(pack.game, frontier_points=frontier_points))
    spec = data or pack.world
    if spec is None:
        raise DataValidationError("no data set: give --data DIR or NAME, or world = \"...\" in pack.toml")
    on_step(f"reading the data set {spec}")
    world = read_world(spec)
    on_step("calibrating the model")
    calibration = Krugman().calibrate(world)
    lap("read_and_calibrate")
    results = solve_pack(pack, calibration, lambda item: on_step(f"solving {item.label}"))
    lap("scenarios")
    out = Path(out)
    view = None
    if pack.game is not None:
        on_step("game: removing trade imbalances (purge)")
        purged = Krugman().calibrate(purge(world))
        view = game_view(purged, pack.game, Cache(out / CACHE_FOLDER), on_step)
        lap("game")
    on_step("drawing figures and writing tables")
    content, files = _content(pack, world, spec, results, view, out)
    lap("figures_and_tables")
    on_step("writing the HTML page")
    html = out / "report.html"
    page = render(content)
    outputs.write({html: lambda path: path.write_text(page, encoding="utf-8"),
                   **{out / folder: _folder_writer(files, folder) for folder in REPORT_FOLDERS}})
    lap("html")
    return ReportFiles(html=html, files=("report.html", *content.files), seconds=seconds,
                       game_reused=bool(view and view.reused))


def report_outputs(out: str | Path) -> Outputs:
    """The report's targets in ``out``, checked: ``report.html``, ``figures/`` and ``tables/``. The two
    folders must be missing or empty unless ``out`` holds an earlier report (its ``report.html``): then
    they are that report's and are replaced."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OptionError(f"--out {out}: that is a file, not a folder; give a folder for the report")
    outputs = Outputs()
    earlier = (out / "report.html").is_file()
    outputs.file(out / "report.html", "--out")
    for folder in REPORT_FOLDERS:
        outputs.folder(out / folder, "--out", replace=earlier)
    return outputs


def _folder_writer(files: dict[str, bytes], folder: str):
    """Write the entries ``folder/<name>`` of ``files`` into the (temporary) folder it is given."""
    def write(staging: Path) -> None:
        for relative, data in files.items():
            head, _, name = relative.partition("/")
            if head == folder:
                (staging / name).write_bytes(data)
    return write


def _content(pack: Pack, world, spec: str, results: tuple[ScenarioResult, ...], view: GameView | None,
             out: Path) -> tuple[PageContent, dict[str, bytes]]:
    """Compute every table and figure; the page's content and the files (``tables/x.csv``,
    ``figures/x.png``, ...: contents by path relative to ``out``)."""
    files: dict[str, bytes] = {}

    def table(frame, name: str, index: bool = False) -> None:
        files[f"tables/{name}.csv"] = frame.to_csv(index=index, float_format="%.6g").encode("utf-8")

    pngs: dict[str, bytes] = {}

    def figure(fig, name: str) -> None:
        encoded = figures.encode(fig)
        pngs[name] = encoded["png"]
        files.update({f"figures/{name}.{extension}": data for extension, data in encoded.items()})

    headline = tables.headline(results)
    table(headline, "headline")
    figure(figures.headline_figure(headline, pack.focus), "headline")
    steps = {}
    for result in results:
        stem = Path(result.item.file).stem
        eq = result.equilibrium
        steps[result.item.file] = result.item.scenario.describe(world)
        table(tables.country_changes(eq), f"scenario_{stem}_countries", index=True)
        sectors = [tables.sector_changes(eq, c).assign(country=c) for c in pack.focus]
        table(pd.concat(sectors), f"scenario_{stem}_sectors", index=True)
        table(tables.bilateral_changes(eq), f"scenario_{stem}_bilateral")
        figure(figures.scenario_figure(result, pack.focus), f"scenario_{stem}")
        if maps.drawable(world.countries, world.year):
            figure(maps.equilibrium_map(eq), f"map_{stem}")
    diversion = by_exporter = None
    if pack.diversion is not None:
        by_file = {r.item.file: r.equilibrium for r in results}
        diversion = tables.diversion(by_file[pack.diversion.bilateral], by_file[pack.diversion.multilateral],
                                     pack.diversion)
        by_exporter = tables.diversion_by_exporter(diversion)
        table(diversion, "diversion")
        table(by_exporter, "diversion_by_exporter", index=True)
        figure(figures.diversion_figure(diversion, by_exporter, pack.diversion.importer), "diversion")
    points = None
    if view is not None:
        points = tables.game_points(view)
        table(points, "game_points")
        table(tables.game_tariffs(view), "game_tariffs")
        table(tables.frontier(view), "game_frontier")
        figure(figures.game_figure(view), "game")
    data_flag = f" --data {spec}" if spec != pack.world else ""
    rerun = (f"tariffsim report {pack.folder}{data_flag} --out {out}\n"
             f"# one scenario on its own:\ntariffsim solve --scenario {pack.folder / pack.scenarios[0].file}"
             f" --data {spec} " + " ".join(f"--country {c}" for c in pack.focus))
    return PageContent(pack=pack, world=world, data_label=world.label or spec, results=results,
                       headline=headline, steps=steps, figures=pngs, diversion=diversion,
                       diversion_by_exporter=by_exporter, game=view, game_points=points, rerun=rerun,
                       files=tuple(files)), files
