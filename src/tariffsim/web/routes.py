"""The web app's pages and downloads.

Scenario: ``GET /`` (the form; ``?example=NAME`` opens an example), ``POST /scenario/toml`` (show the
form's scenario as TOML), ``POST /scenario/download`` (the TOML as a file), ``POST /run`` (queue the
run; 303 to its page), ``POST /war`` (queue a Nash tariff war, a game: each round is a stage, and a
cancel takes effect at the end of the round under way). Jobs: ``GET /jobs/{id}`` (progress, then the
result page), ``GET /jobs/{id}/status`` (JSON), ``POST /jobs/{id}/cancel``, ``POST /jobs/{id}/save``
(into the runs store; 303 to the saved run). Saved runs: ``GET /runs``, ``GET /runs/{id}``,
``GET /compare?a=&b=``. A result (``/jobs/{id}`` or ``/runs/{id}``) also has ``/map.png?variable=``,
``/results.csv`` and ``/results.json``.

A library error (``TariffsimError``: a scenario, world or option that cannot be used) comes back as the
page it was made on with its message in one box and status 400; an unknown job or run is a 404 page.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from tariffsim.errors import OptionError, TariffsimError
from tariffsim.web import results, scenarios, worlds
from tariffsim.web.jobs import QueueFull

router = APIRouter()
EXAMPLE_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,80}$")
MIN_ROWS = 1
DEFAULT_ROUNDS, MAX_ROUNDS = 20, 60
MAX_PLAYERS_CHARS = 2_000


# ---------------------------------------------------------------------------------------- helpers
def _page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def _not_found(request: Request, what: str) -> HTMLResponse:
    return _page(request, "message.html", 404, heading="Not found", message=what)


def _examples(request: Request) -> list[str]:
    folder = request.app.state.settings.examples
    return sorted(p.stem for p in folder.glob("*.toml")) if folder is not None else []


def _rows(form: dict, kind: str, fields: tuple[str, ...]) -> list[dict]:
    """The form's rows of ``kind`` (values by field), at least MIN_ROWS, for showing the form again."""
    numbers = sorted({int(m[2]) for k in form if (m := scenarios.ROW_FIELD.match(k)) and m[1] == kind})
    rows = [{f: form.get(f"{kind}-{n}-{f}", "") for f in fields} for n in numbers]
    return rows + [dict.fromkeys(fields, "") for _ in range(MIN_ROWS - len(rows))]


def _form_page(request: Request, form: dict, status: int = 200, **context) -> HTMLResponse:
    """The scenario form with ``form``'s values (and an error, a TOML preview, ... in ``context``)."""
    form = {"world": worlds.default_choice().key, "model": worlds.DEFAULT_MODEL, **form}
    return _page(request, "index.html", status, form=form, worlds=worlds.choices(), models=worlds.models(),
                 elasticities=worlds.elasticity_sets(), actions=scenarios.ACTIONS, examples=_examples(request),
                 changes=_rows(form, "change", scenarios.CHANGE_FIELDS),
                 agreements=_rows(form, "agreement", scenarios.AGREEMENT_FIELDS), **context)


async def _form(request: Request) -> dict:
    return {k: str(v) for k, v in (await request.form()).items()}


def _scenario(form: dict):
    """(Scenario, TOML) of the pasted TOML when there is any, else of the form's fields."""
    if form.get("toml", "").strip():
        return scenarios.from_text(form["toml"])
    return scenarios.from_form(form)


def _world_options(form: dict) -> dict:
    """The form's data-set name, model and elasticity set, checked (``worlds``)."""
    row, name = worlds.resolve(form.get("world") or worlds.default_choice().key, form.get("year"))
    return {"world": name, "model": worlds.check_model(form.get("model") or worlds.DEFAULT_MODEL),
            "elasticity": worlds.check_elasticity(row, form.get("elasticity"))}


def _run_request(form: dict) -> results.RunRequest:
    scenario, toml = _scenario(form)
    return results.RunRequest(scenario, toml, **_world_options(form))


def _war_request(form: dict) -> results.WarRequest:
    players = tuple(p.strip() for p in form.get("war-players", "")[:MAX_PLAYERS_CHARS].split(",") if p.strip())
    text = form.get("war-rounds", "").strip() or str(DEFAULT_ROUNDS)
    if not text.isdigit() or not 1 <= int(text) <= MAX_ROUNDS:
        raise OptionError(f"rounds = {text[:20]!r}: the most rounds of best responses must be a whole number from 1 "
                          f"to {MAX_ROUNDS}; fix: e.g. {DEFAULT_ROUNDS}")
    return results.WarRequest(players=players, rounds=int(text), **_world_options(form))


def _store_path(request: Request) -> Path:
    from tariffsim.store import default_path

    return Path(request.app.state.settings.runs_db or default_path())


def _open_store(request: Request):
    from tariffsim.store import Store

    path = _store_path(request)
    return Store(path) if path.exists() else None


def _result_of(request: Request, source: str, key: str) -> results.Result | None:
    """The result of job ``key`` (``source == "jobs"``, when done) or saved run ``key``; None if none."""
    if source == "jobs":
        job = request.app.state.jobs.get(key)
        return job.result if job is not None and job.state == "done" else None
    store = _open_store(request)
    if store is None:
        return None
    with store:
        try:
            return results.from_run(store.get(key))
        except OptionError:
            return None


def _result_page(request: Request, result: results.Result, base: str, **context) -> HTMLResponse:
    countries = result.countries
    country = request.query_params.get("country") or next((c for c in ("JPN", "USA") if c in countries),
                                                         countries[0] if countries else "")
    if country not in countries:
        return _page(request, "message.html", 400, heading="Unknown country",
                     message=f"country = {country[:40]!r}: not a country of this run; fix: choose one of "
                             f"{', '.join(countries[:40])}")
    return _page(request, "result.html", result=result, base=base, country=country, countries=countries,
                 table=result.country_table(), sectors=result.sector_table(country),
                 bilateral=result.bilateral_table(country), **context)


# ---------------------------------------------------------------------------------------- scenario
@router.get("/favicon.ico")
def favicon():
    """No icon (browsers ask for one): an empty answer rather than a 404 in the console."""
    return Response(status_code=204)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, example: str = ""):
    if not example:
        return _form_page(request, {})
    if not EXAMPLE_NAME.match(example) or example not in _examples(request):
        return _form_page(request, {}, 400, error=f"example = {example[:80]!r}: no such example; fix: choose one of "
                                                  f"{', '.join(_examples(request)) or '(none here)'}")
    text = (request.app.state.settings.examples / f"{example}.toml").read_text(encoding="utf-8")
    return _form_page(request, {"toml": text}, notice=f"Opened examples/{example}.toml: edit it below or run it.")


@router.post("/scenario/toml", response_class=HTMLResponse)
async def scenario_toml(request: Request):
    form = await _form(request)
    try:
        _, toml = _scenario(form)
    except TariffsimError as error:
        return _form_page(request, form, 400, error=str(error))
    return _form_page(request, form, preview=toml)


@router.post("/scenario/download")
async def scenario_download(request: Request):
    form = await _form(request)
    try:
        scenario, toml = _scenario(form)
    except TariffsimError as error:
        return _form_page(request, form, 400, error=str(error))
    name = re.sub(r"[^A-Za-z0-9]+", "_", scenario.title).strip("_")[:60] or "scenario"
    return Response(toml, media_type="application/toml",
                    headers={"Content-Disposition": f'attachment; filename="{name}.toml"'})


@router.post("/run")
async def run(request: Request):
    return await _queued(request, _run_request, results.solve)


@router.post("/war")
async def war(request: Request):
    return await _queued(request, _war_request, results.war)


async def _queued(request: Request, parse, work):
    """Queue ``work(job, parse(form))``; 303 to the job's page, or the form again with the error."""
    form = await _form(request)
    try:
        task = parse(form)
    except TariffsimError as error:
        return _form_page(request, form, 400, error=str(error))
    try:
        job = request.app.state.jobs.submit(task.title, lambda job: work(job, task))
    except QueueFull as error:
        return _form_page(request, form, 429, error=str(error))
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


# ---------------------------------------------------------------------------------------- jobs
@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        return _not_found(request, f"no run {job_id[:40]!r} is being solved here (finished runs are kept until the "
                                   "app restarts; saved ones are under Saved runs)")
    if job.state != "done":
        return _page(request, "job.html", job=job)
    return _result_page(request, job.result, f"/jobs/{job.id}", job=job)


@router.get("/jobs/{job_id}/status")
def job_status(request: Request, job_id: str):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        return JSONResponse({"error": f"no job {job_id[:40]!r}"}, status_code=404)
    return job.status()


@router.post("/jobs/{job_id}/cancel")
def job_cancel(request: Request, job_id: str):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        return _not_found(request, f"no job {job_id[:40]!r} to cancel")
    request.app.state.jobs.cancel(job)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/jobs/{job_id}/save")
def job_save(request: Request, job_id: str):
    job = request.app.state.jobs.get(job_id)
    if job is None or job.state != "done":
        return _not_found(request, f"no finished run {job_id[:40]!r} to save")
    try:
        run_id = results.save(job.result, _store_path(request))
    except TariffsimError as error:
        return _page(request, "message.html", 400, heading="Not saved", message=str(error))
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


# ---------------------------------------------------------------------------------------- saved runs
@router.get("/runs", response_class=HTMLResponse)
def runs_list(request: Request):
    store = _open_store(request)
    if store is None:
        return _page(request, "runs.html", runs=[], path=_store_path(request))
    with store:
        frame = store.list()
    return _page(request, "runs.html", runs=list(frame.reset_index().itertuples()), path=store.path)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str):
    result = _result_of(request, "runs", run_id)
    if result is None:
        return _not_found(request, f"no saved run {run_id[:40]!r} (see Saved runs)")
    return _result_page(request, result, f"/runs/{run_id}", run_id=run_id)


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request, a: str = "", b: str = "", variable: str = "welfare"):
    from tariffsim.store import compare as compare_runs

    store = _open_store(request)
    if store is None:
        return _not_found(request, "no runs saved yet: save two runs, then compare them")
    if a == b:
        return _page(request, "message.html", 400, heading="Cannot compare",
                     message=f"a = b = {a[:40]!r}: a run compared with itself; fix: choose two different runs")
    try:
        with store:
            first, second = store.get(a), store.get(b)
        table = compare_runs(first, second, variable)
    except OptionError as error:
        return _page(request, "message.html", 400, heading="Cannot compare", message=str(error))
    return _page(request, "compare.html", table=table, first=first, second=second, variable=variable,
                 variables=sorted(set(first.results.loc[first.results["level"] == "country", "variable"])))


# ---------------------------------------------------------------------------------------- downloads
@router.get("/{source}/{key}/map.png")
def map_image(request: Request, source: str, key: str, variable: str = "welfare"):
    result = _known_result(request, source, key)
    if isinstance(result, Response):
        return result
    try:
        return Response(results.map_png(result, variable), media_type="image/png")
    except TariffsimError as error:
        return Response(str(error), status_code=400, media_type="text/plain")


@router.get("/{source}/{key}/results.csv")
def results_csv(request: Request, source: str, key: str):
    return _download(request, source, key, "csv", "text/csv")


@router.get("/{source}/{key}/results.json")
def results_json(request: Request, source: str, key: str):
    return _download(request, source, key, "json", "application/json")


def _download(request: Request, source: str, key: str, kind: str, media_type: str) -> Response:
    """The result's ``csv()`` or ``json()`` as an attachment named tariffsim_<source>_<key>.<kind>."""
    result = _known_result(request, source, key)
    if isinstance(result, Response):
        return result
    return Response(getattr(result, kind)(), media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="tariffsim_{source}_{key}.{kind}"'})


def _known_result(request: Request, source: str, key: str):
    """The result behind a download URL, or the 404 response saying there is none."""
    result = _result_of(request, source, key) if source in ("jobs", "runs") else None
    if result is None:
        return Response(f"no finished run {key[:40]!r} under /{source[:20]}\n", status_code=404,
                        media_type="text/plain")
    return result
