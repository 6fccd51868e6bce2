"""``tariffsim nash --method stacked --elasticity all`` (or ``--elasticity CP,U4,LL``): the world war, or
one country's optimum (``--countries USA``), under every elasticity set (``games.war_sensitivity``), with
per country the median and range of tariffs and welfare."""

from __future__ import annotations

import json
from pathlib import Path

from tariffsim.cli._common import load_world, print_frame, stderr, stdout
from tariffsim.cli._world_nash import SUMMARY_COUNTRIES as PINNED

# PINNED: the countries always in the printed table (when in the world); then the widest welfare ranges.

SCHEMA = "tariffsim.games.war_sensitivity"
SCHEMA_VERSION = 1


def is_sweep(elasticity: str | None) -> bool:
    """Whether ``--elasticity`` asks for several sets: ``all`` or a comma-separated list."""
    return elasticity is not None and (elasticity.strip().lower() == "all" or "," in elasticity)


def set_names(elasticity: str) -> list[str] | None:
    """The sets of ``--elasticity``: None for ``all`` (every set of the world), else the listed names."""
    if elasticity.strip().lower() == "all":
        return None
    return [name.strip() for name in elasticity.split(",") if name.strip()]


def run_sweep(*, data: str, model: str, countries: str | None, mode: str, convention: str | None, purge: bool,
              net_exports: str, year: int | None, elasticity: str, json_file: str | None, csv_dir: Path | None,
              check: int, scheduler: str, workers: int) -> None:
    """Check the options and outputs, read the world, play the war under each set on ``scheduler``
    (a line per finished set), print the range table, write the files."""
    from tariffsim.cli._games import country_list
    from tariffsim.games.war_sensitivity import checked_sets, war_settings
    from tariffsim.outputs import Outputs

    outputs = Outputs()
    json_path = outputs.file(None if json_file == "-" else json_file, "--json")
    csv_path = outputs.folder(csv_dir, "--csv")
    world = load_world(data, year=year)
    sets = checked_sets(world, set_names(elasticity))
    settings = war_settings(model=model, mode=mode, players=country_list(world, countries), convention=convention,
                            purge=purge, net_exports=net_exports, check=check)
    if settings.convention.nash_mode is not None and (model not in ("krugman", settings.model) or purge
                                                      or mode not in ("uniform", settings.mode)):
        stderr.print(f"[dim]--convention {settings.convention.name}: {settings.model} model, {settings.mode} tariffs, "
                     "deficits purged first under each set (other --model/--mode/--purge choices are the "
                     "convention's)[/]", highlight=False)
    sweep = _play(world, settings, sets, scheduler, workers)
    _warn_at_upper_bound(sweep, world)
    document = _document(sweep)
    if json_file == "-":
        stdout.print_json(json.dumps(document, allow_nan=True))
    else:
        _print(sweep)
    writers = {json_path: lambda path: path.write_text(json.dumps(document, indent=1, allow_nan=True)),
               csv_path: lambda folder: _write_csv(sweep, folder)}
    for path in outputs.write({path: write for path, write in writers.items() if path is not None}):
        (stderr if json_file == "-" else stdout).print(f"wrote {path}")


def _play(world, settings, sets: list[str], scheduler: str, workers: int):
    """``war_under_sets`` on ``scheduler`` with a progress bar and one line per finished set."""
    from tariffsim.cli._games import progress
    from tariffsim.games.war_sensitivity import war_under_sets
    from tariffsim.parallel import executor

    with progress() as bars, executor(scheduler, workers) as map_:
        task = bars.add_task(f"{_what(settings)} under {len(sets)} elasticity sets", total=len(sets))

        def finished(position: int, war) -> None:
            facts = war.verification
            bars.console.print(f"[dim]{war.elasticity}: verified in {war.seconds:.1f} s ({facts['newton_steps']} "
                               f"Newton steps, largest best-response gain {facts['max_gain']:.1e})[/]",
                               highlight=False)
            bars.advance(task)

        return war_under_sets(world, settings, sets=sets,
                              map_=lambda func, items: map_(func, items, on_result=finished))


def _warn_at_upper_bound(sweep, world) -> None:
    """The upper-bound warning of every game (``cli._games.warn_at_upper_bound``), for each set's war; the
    purge fix when the sets' worlds keep the data's imbalances fixed."""
    from tariffsim.cli._games import fixed_imbalances, warn_at_upper_bound

    settings = sweep.settings
    imbalances = not settings.purge and fixed_imbalances(world, settings.net_exports)
    kind = "optimal tariff" if settings.players and len(settings.players) == 1 else "Nash tariff"
    for war in sweep.wars:
        warn_at_upper_bound([war], imbalances, f"{kind} under elasticity set {war.elasticity}")


def _document(sweep) -> dict:
    """The JSON document: the war, the sets, the summary, and per set its assumptions, verification and
    numbers."""
    settings = sweep.settings

    def records(frame) -> list[dict]:
        return json.loads(frame.to_json(orient="records", double_precision=15))

    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "model": settings.model, "mode": settings.mode,
            "players": list(settings.players) if settings.players else None,
            "convention": settings.convention.facts(), "net_exports": settings.net_exports, "upper": settings.upper,
            "sets": list(sweep.sets), "summary": records(sweep.summary.reset_index()),
            "wars": {war.elasticity: {"assumptions": war.assumptions, "verification": war.verification,
                                      "seconds": war.seconds, "countries": records(war.countries.reset_index()),
                                      "tariffs": records(war.tariffs)}
                     for war in sweep.wars}}


def _write_csv(sweep, folder: Path) -> None:
    """``summary.csv`` (the range per country), ``countries.csv`` and ``tariffs.csv`` (every set's long tables,
    column ``elasticity``)."""
    sweep.summary.reset_index().to_csv(folder / "summary.csv", index=False)
    sweep.countries_long().to_csv(folder / "countries.csv", index=False)
    sweep.tariffs_long().to_csv(folder / "tariffs.csv", index=False)


def shown_rows(summary, limit: int) -> list[str]:
    """At most ``limit`` countries: those of PINNED in the world, then the widest welfare ranges."""
    width = (summary["welfare % highest"] - summary["welfare % lowest"]).fillna(-1)
    pinned = [c for c in PINNED if c in summary.index]
    rest = [c for c in width.sort_values(ascending=False, kind="stable").index if c not in pinned]
    return (pinned + rest)[:limit]


def _data_line(sweep) -> str:
    """The assumptions shared by the sets' wars: data (as prepared), year and the deficits (each set's, if
    they differ)."""
    first = sweep.wars[0].assumptions
    deficits = list(dict.fromkeys(war.assumptions["deficits"] for war in sweep.wars))
    year = f"; year {first['year']}" if first.get("year") else ""
    return f"Data: {first['data']}{year}; {'; '.join(deficits)}."


def _what(settings) -> str:
    """"uniform Nash tariff war of every country", or one player's "uniform optimal tariff of USA ..."."""
    players = settings.players or ()
    if len(players) == 1:
        return f"{settings.mode} optimal tariff of {players[0]} (the others keep theirs)"
    who = "every country" if not players else ", ".join(players) if len(players) <= 3 else f"{len(players)} players"
    return f"{settings.mode} Nash tariff war of {who}"


def _print(sweep) -> None:
    import pandas as pd

    from tariffsim.cli.solve import SHOWN_COUNTRIES

    summary = sweep.summary
    rows = shown_rows(summary, SHOWN_COUNTRIES)

    def span(variable: str) -> pd.Series:
        low, high = summary.loc[rows, f"{variable} lowest"], summary.loc[rows, f"{variable} highest"]
        return pd.Series([f"{a:.2f} to {b:.2f}" for a, b in zip(low, high, strict=True)], index=rows)

    table = pd.DataFrame({"tariff %": summary.loc[rows, "tariff % median"], "tariff range": span("tariff %"),
                          "welfare %": summary.loc[rows, "welfare % median"], "welfare range": span("welfare %"),
                          "lowest / highest under": summary.loc[rows, "welfare % lowest under"] + " / "
                          + summary.loc[rows, "welfare % highest under"]}).rename_axis("country")
    facts = [war.verification for war in sweep.wars]
    settings = sweep.settings
    hidden = len(summary) - len(rows)
    loose = summary.loc[summary["indeterminate under"] != "", "indeterminate under"]
    caption = (
        f"Median over the {len(sweep.sets)} sets ({', '.join(sweep.sets)}), then lowest to highest; the last column "
        "names the sets giving the lowest and highest welfare. Tariff % = import-weighted mean tariff. "
        f"{', '.join(PINNED)} first, then the widest welfare ranges. All {len(facts)} wars verified: equilibrium "
        f"residual at most {max(f['equilibrium_residual'] for f in facts):.1e}, first-order residual at most "
        f"{max(f['foc_residual'] for f in facts):.1e}, best-response gain at most "
        f"{max(f['max_gain'] for f in facts):.1e} (log G)."
        + (f" Convention: {settings.convention.name}." if settings.convention.name != "tariffsim" else "")
        + f"\n{_data_line(sweep)}"
        + (f"\nIndeterminate tariffs (welfare does not depend on them): "
           f"{'; '.join(f'{c} under {s}' for c, s in loose.items())}." if len(loose) else "")
        + (f"\n{hidden} more countries in --csv / --json." if hidden else ""))
    what = _what(settings)
    print_frame(table, f"{what[0].upper()}{what[1:]} under {len(sweep.sets)} elasticity "
                       f"sets — {settings.model} model", digits=2, caption=caption)
