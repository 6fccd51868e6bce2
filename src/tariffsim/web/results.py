"""Solving a scenario or playing a tariff war for the web app, and what a result page shows.

``solve(job, request)`` is a job's work (``tariffsim.web.jobs``): the cached calibration
(``worlds.calibration``), the scenario applied, the equilibrium solved, the JSON document of
``results.to_json_dict`` built, as ``tariffsim solve --json`` would. ``war(job, request)`` plays a Nash
tariff war (``games.nash_tariffs``), reporting each round as the job's stage; a cancel takes effect at
the end of the round under way. ``Result`` is what every result
page reads, whether the run was just solved or comes from the runs store (``from_run``): the long
results table and the facts, so one set of templates serves both.
"""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass, field

import pandas as pd

from tariffsim.errors import TariffsimError
from tariffsim.scenario import Scenario, scenario_warnings
from tariffsim.web import worlds

SHOWN_COUNTRIES = 25
"""Rows of the headline table (the countries the scenario touches and the most affected)."""
SHOWN_PARTNERS = 30


@dataclass(frozen=True)
class RunRequest:
    """What the user asked to solve: the checked scenario and its TOML, a data-set name, elasticity, model."""

    scenario: Scenario
    toml: str
    world: str
    model: str = worlds.DEFAULT_MODEL
    elasticity: str | None = None

    @property
    def title(self) -> str:
        return self.scenario.title


@dataclass(frozen=True)
class WarRequest:
    """A Nash tariff war: the players (empty: every country), at most ``rounds`` rounds of best responses."""

    world: str
    players: tuple[str, ...] = ()
    rounds: int = 20
    model: str = worlds.DEFAULT_MODEL
    elasticity: str | None = None

    @property
    def title(self) -> str:
        return f"Nash tariff war among {', '.join(self.players) if self.players else 'all countries'}"


@dataclass
class Result:
    """A solved or saved run: title, facts and the long results table (``tariffsim.results``)."""

    title: str
    model: str
    assumptions: dict
    solver: dict
    frame: pd.DataFrame = field(repr=False)
    toml: str = ""
    warnings: list = field(default_factory=list)
    document: dict = field(default_factory=dict, repr=False)
    """The facts of ``results.to_json_dict`` (its rows live in ``frame`` only: one copy in memory)."""
    command: str = "solve"
    scenario: dict = field(default_factory=dict)
    """What was run: the scenario's title and description, or a game's facts (players, rounds, ...)."""

    @property
    def countries(self) -> list[str]:
        return list(dict.fromkeys(self.frame.loc[self.frame["level"] == "country", "country"]))

    def country_table(self) -> pd.DataFrame:
        """Countries by the headline percent changes, the most affected first (at most SHOWN_COUNTRIES)."""
        from tariffsim.results import HEADLINE

        wide = self._wide("country", "country")
        headline = [v.name for v in model_variables(self.model, "country") if v.group == HEADLINE]
        columns = [c for c in headline if c in wide.columns] or list(wide.columns[:6])
        wide = wide[columns]
        order = wide.iloc[:, 0].abs().sort_values(ascending=False, na_position="last").index
        return self._labelled(wide.loc[order[:SHOWN_COUNTRIES]], "country")

    def sector_table(self, country: str) -> pd.DataFrame:
        """Sectors of ``country`` by every percent change of the country_sector level."""
        return self._labelled(self._wide("country_sector", "sector", country), "country_sector")

    def bilateral_table(self, country: str) -> pd.DataFrame:
        """Flows from ``country`` to each partner (percent changes), the largest moves first."""
        wide = self._wide("bilateral", "partner", country)
        wide = wide.drop(index=country, errors="ignore")
        if wide.empty:
            return wide
        order = wide.iloc[:, 0].abs().sort_values(ascending=False, na_position="last").index
        return self._labelled(wide.loc[order[:SHOWN_PARTNERS]], "bilateral")

    def map_values(self, variable: str = "welfare") -> pd.Series:
        rows = self.frame[(self.frame["level"] == "country") & (self.frame["variable"] == variable)]
        return rows.set_index("country")["value"].astype(float)

    def csv(self) -> str:
        return self.frame.to_csv(index=False)

    def full_document(self) -> dict:
        """The JSON document: ``document``'s facts (or, for a saved run, its own) and the results rows."""
        facts = self.document or {"title": self.title, "model": self.model, "assumptions": self.assumptions,
                                  "solver": self.solver, "scenario_toml": self.toml}
        return {**facts, "results": json.loads(self.frame.to_json(orient="records"))}

    def json(self) -> str:
        return json.dumps(self.full_document(), indent=1, allow_nan=True)

    def _labelled(self, table: pd.DataFrame, level: str) -> pd.DataFrame:
        """``table`` with its variable columns headed by the model's short labels (``rel. wage``)."""
        labels = {v.name: v.label for v in model_variables(self.model, level) if v.label}
        return table.rename(columns=labels)

    def _wide(self, level: str, index: str, country: str | None = None) -> pd.DataFrame:
        rows = self.frame[(self.frame["level"] == level) & (self.frame["unit"] == "pct")]
        if country is not None:
            rows = rows[rows["country"] == country]
        if rows.empty:
            return pd.DataFrame()
        return rows.pivot_table(index=index, columns="variable", values="value", sort=False, dropna=False)


@functools.cache
def _declared(model: str) -> tuple:
    from tariffsim.models import get_model

    try:
        return tuple(get_model(model).variables)
    except TariffsimError:  # a model this tariffsim no longer has (a saved run): names, no labels
        return ()


def model_variables(model: str, level: str) -> list:
    """The variables ``model`` declares at ``level`` (for labels and the headline group)."""
    return [v for v in _declared(model) if v.level == level]


def solve(job, request: RunRequest) -> Result:
    """A job's work: calibrate (cached), apply, solve, tabulate; ``job.step`` names each stage."""
    job.step(f"reading and calibrating {request.world}")
    solver, world, calibration = worlds.calibration(request.model, request.world, request.elasticity)
    job.step("applying the scenario")
    warnings: list[str] = []
    with scenario_warnings(warnings.append):
        policy = request.scenario.apply(world)
    job.step(f"solving with the {solver.name} model")
    equilibrium = solver.solve(calibration, policy)
    plan = request.scenario
    meta = {"title": plan.title, "description": plan.description, "source": plan.source, "file": "web",
            "purged": False}
    return _tabulated(job, equilibrium, meta, toml=request.toml, warnings=warnings)


def war(job, request: WarRequest) -> Result:
    """A job's work: the Nash tariff war of ``request``; each round is a stage (and a point to cancel)."""
    from tariffsim.games import nash_tariffs

    job.step(f"reading and calibrating {request.world}")
    _, _, calibration = worlds.calibration(request.model, request.world, request.elasticity)
    job.step("round 1 of best responses")

    def on_round(done) -> None:
        job.step(f"round {done.number + 1} of at most {request.rounds} (round {done.number}: largest tariff "
                 f"change {100 * done.max_change:.3f} points, {done.seconds:.1f} s)")

    game = nash_tariffs(calibration, players=list(request.players) or None, max_rounds=request.rounds,
                        on_round=on_round)
    meta = {"title": request.title, "game": "nash", "players": list(game.players), "rounds": len(game.rounds),
            "max_gain": game.max_gain, "solves": game.solves}
    return _tabulated(job, game.equilibrium, meta, command="nash")


def _tabulated(job, equilibrium, meta: dict, *, toml: str = "", warnings=(), command: str = "solve") -> Result:
    """The Result of a solved equilibrium: the document of ``results.to_json_dict`` and its long table."""
    from tariffsim.results import to_json_dict

    job.step("tabulating the results")
    document = to_json_dict(equilibrium, meta)
    frame = pd.DataFrame(document.pop("results"))
    return Result(meta["title"], document["model"], document["assumptions"], document["solver"], frame, toml,
                  list(warnings), document, command, meta)


def from_run(run) -> Result:
    """The Result of a run read from the store (``tariffsim.store.Run``)."""
    meta = run.meta
    return Result(meta["title"], meta.get("model") or "", meta.get("assumptions") or {}, meta.get("solver") or {},
                  run.results, meta.get("scenario_text") or "", command=meta["command"], scenario=meta.get("scenario") or {})


def map_png(result: Result, variable: str = "welfare") -> bytes:
    """The world map (``tariffsim.maps``) of a country result, as PNG bytes."""
    from tariffsim.errors import OptionError
    from tariffsim.maps import world_map

    values = result.map_values(variable)
    if values.empty:
        known = sorted(set(result.frame.loc[result.frame["level"] == "country", "variable"]))
        raise OptionError(f"variable = {variable[:40]!r}: not a country result of this run; fix: choose one of "
                          f"{', '.join(known)}")
    figure = world_map(list(values.index), values.to_numpy(), title=f"{result.title}: {variable}",
                       year=result.assumptions.get("year"))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def save(result: Result, store_path) -> int:
    """Save ``result`` in the runs store (``tariffsim.store``); its run id."""
    from tariffsim.store import Store, run_from_document

    run = run_from_document(result.command, result.full_document(), title=result.title)
    run.meta["scenario_text"] = result.toml
    with Store(store_path) as store:
        return store.save(run)
