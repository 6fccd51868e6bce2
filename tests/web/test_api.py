"""Every endpoint of the web app through the framework's test client: good requests and each bad input."""

from __future__ import annotations

import html
import io
import json
import re
import threading
import time
import tomllib

import pandas as pd
import pytest
from web_helpers import SEED_FORM, make_client, run, wait

from tariffsim.errors import ScenarioError
from tariffsim.scenario import scenario_from_dict
from tariffsim.web import scenarios, worlds


def error_box(page: str) -> str:
    """The text of the page's error box (unescaped)."""
    found = re.search(r'<div class="error" role="alert">(.*?)</div>', page, re.DOTALL)
    assert found, page[:2000]
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip().removeprefix("Error:").strip()


def test_form_page_lists_worlds_models_and_examples(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'value="icio2022"' in page.text or 'value="icio"' in page.text
    assert 'value="demo"' in page.text
    assert "<option>krugman</option>" in page.text or "krugman</option>" in page.text
    assert "/?example=us_autos_japan" in page.text
    assert '<link rel="stylesheet" href="/static/app.css">' in page.text
    assert not re.search(r'(src|href)="(https?:)?//', page.text), "no asset may come from another site"


def test_static_assets_are_served(client):
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/favicon.ico").status_code == 204
    assert client.get("/static/nothing.js").status_code == 404
    assert client.get("/static/../app.py").status_code == 404
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "addRow" in script.text


def test_example_opens_in_the_form(client):
    page = client.get("/?example=us_autos_japan")
    assert page.status_code == 200
    assert "add_points = 25" in html.unescape(page.text)


@pytest.mark.parametrize("name", ["nope", "../pyproject", "..%2Fpyproject", "a" * 200])
def test_unknown_or_path_example_is_refused(client, name):
    page = client.get(f"/?example={name}")
    assert page.status_code == 400
    assert "no such example" in error_box(page.text)


def test_form_as_toml_preview_and_download(client):
    page = client.post("/scenario/toml", data=SEED_FORM)
    assert page.status_code == 200
    preview = html.unescape(re.search(r'<pre id="preview">(.*?)</pre>', page.text, re.DOTALL).group(1))
    document = tomllib.loads(preview)
    assert document["change"][0] == {"importers": ["USA"], "exporters": ["JPN"], "sectors": ["mvh"], "add_points": 25,
                                     "description": "US adds 25 points on Japanese motor vehicles"}
    download = client.post("/scenario/download", data=SEED_FORM)
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="US_tariff_on_Japanese_cars.toml"'
    assert download.text == preview
    assert scenario_from_dict(tomllib.loads(download.text)).changes[0].value == 25


def test_form_with_agreement_and_several_changes_round_trips(client):
    form = {**SEED_FORM, "change-1-importers": "JPN", "change-1-exporters": "USA", "change-1-action": "scale",
            "change-1-value": "0.5", "agreement-0-members": "USA, EU", "agreement-0-except_sectors": "gro",
            "agreement-0-cut": "0.5"}
    download = client.post("/scenario/download", data=form)
    scenario = scenario_from_dict(tomllib.loads(download.text))
    assert [c.action for c in scenario.changes] == ["add_points", "scale"]
    assert scenario.agreements[0].members == ("USA", "EU") and scenario.agreements[0].cut == 0.5
    assert scenario.agreements[0].except_sectors == ("gro",)


def test_seed_run_shows_tables_map_assumptions_and_downloads(client):
    url = run(client, SEED_FORM)
    page = client.get(url)
    assert page.status_code == 200
    assert "<th>JPN</th>" in page.text and "<th>USA</th>" in page.text
    for heading in ("Headline", "Welfare map", "Assumptions", "JPN: sectors and bilateral flows"):
        assert heading in page.text
    assert "Deficits" in page.text and "Residual" in page.text
    image = client.get(f"{url}/map.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    usa = client.get(f"{url}?country=USA")
    assert "USA: sectors and bilateral flows" in usa.text and "<th>mvh</th>" in usa.text
    table = pd.read_csv(io.StringIO(client.get(f"{url}/results.csv").text), keep_default_na=False)
    assert set(table["level"]) == {"country", "country_sector", "bilateral"}
    document = json.loads(client.get(f"{url}/results.json").text)
    assert document["schema"] == "tariffsim.equilibrium" and document["scenario"]["title"] == SEED_FORM["title"]
    japan = table[(table["level"] == "country") & (table["country"] == "JPN") & (table["variable"] == "welfare")]
    assert len(japan) == 1
    to_usa = table[(table["level"] == "bilateral") & (table["country"] == "JPN") & (table["partner"] == "USA")
                   & (table["unit"] == "pct")]
    assert (to_usa["value"].astype(float) < 0).all(), to_usa  # Japan sells less to the US


def test_pasted_toml_runs(client):
    text = (client.app.state.settings.examples / "us_autos_japan.toml").read_text()
    url = run(client, {"world": "demo", "toml": text})
    assert "US tariff on Japanese cars" in client.get(url).text


def test_html_in_a_title_is_shown_as_text(client):
    form = {**SEED_FORM, "title": "<script>alert(1)</script>"}
    url = run(client, form)
    for page in (client.get(url).text, client.post("/scenario/toml", data=form).text):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    saved = client.post(f"{url}/save", follow_redirects=True)
    assert "<script>alert(1)</script>" not in saved.text
    assert "<script>alert(1)</script>" not in client.get("/runs").text


@pytest.mark.parametrize("world", ["../shared/data/ossa2014", "/etc", "ossa2014/../../etc", "~/data", "C:\\data"])
def test_a_path_in_the_world_field_is_refused(client, world):
    page = client.post("/run", data={**SEED_FORM, "world": world})
    assert page.status_code == 400
    message = error_box(page.text)
    assert "never a path" in message and "choose one of" in message


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("world", "nosuch", "world = 'nosuch': not a data set of this app"),
    ("year", "1850", "has no data for it"),
    ("year", "soon", "year = 'soon': not a whole number"),
    ("model", "magic", "model = 'magic': unknown model; fix: choose one of krugman"),
    ("elasticity", "ZZ", "elasticity = 'ZZ'"),
])
def test_bad_world_options_are_refused(client, field, value, expected):
    form = {**SEED_FORM, field: value}
    if field == "year":
        form["world"] = worlds.default_choice().key  # icio (with the data sets) or the embedded icio2022
    page = client.post("/run", data=form)
    assert page.status_code == 400
    assert expected in error_box(page.text)


def test_world_without_years_refuses_a_year(client):
    page = client.post("/run", data={**SEED_FORM, "world": "demo", "year": "2020"})
    assert page.status_code == 400 and "year = 2020: demo has no data for it; fix: leave the year empty" in error_box(page.text)


def library_message(document: dict, origin: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(document, origin)
    return str(caught.value)


@pytest.mark.parametrize(("changes", "needle"), [
    ({"change-0-value": "lots"}, "add_points"),
    ({"title": ""}, "title"),
    ({"change-0-action": "explode"}, "explode"),
])
def test_form_errors_are_the_library_message(client, changes, needle):
    form = {**SEED_FORM, **changes}
    page = client.post("/scenario/toml", data=form)
    assert page.status_code == 400
    message = error_box(page.text)
    assert message == library_message(scenarios.form_document(form), scenarios.FORM)
    assert message.startswith("form") and needle in message


def test_unknown_country_names_the_step_and_suggests(client):
    page = client.post("/run", data={**SEED_FORM, "change-0-exporters": "JPNN"}, follow_redirects=False)
    status = wait(client, page.headers["location"])
    assert status["state"] == "failed"
    assert "JPNN" in status["error"] and "change" in status["error"]
    assert status["error"] in error_box(client.get(page.headers["location"]).text)


def test_pasted_toml_errors_are_the_library_message(client, tmp_path):
    text = 'title = "t"\ndescription = "d"\n[[change]]\ndescription = "x"\nimporters = ["USA"]\nadd_points = "25%"\n'
    page = client.post("/run", data={"world": "demo", "toml": text})
    assert page.status_code == 400
    path = tmp_path / "s.toml"
    path.write_text(text)
    from tariffsim.scenario import load_scenario

    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert error_box(page.text) == str(caught.value).replace(str(path), scenarios.PASTED)
    broken = client.post("/run", data={"world": "demo", "toml": "title = \n"})
    assert broken.status_code == 400 and error_box(broken.text).startswith("pasted TOML: not a valid TOML file")


def test_scenario_size_limits(client):
    long_text = 'title = "t"\ndescription = "' + "x" * scenarios.MAX_TOML_CHARS + '"\n'
    page = client.post("/run", data={"world": "demo", "toml": long_text})
    assert page.status_code == 400 and "more than the 64,000 a scenario may have" in error_box(page.text)
    many = 'title = "t"\ndescription = "d"\n' + '[[change]]\ndescription = "x"\nadd_points = 1\n' * (scenarios.MAX_STEPS + 1)
    page = client.post("/run", data={"world": "demo", "toml": many})
    assert page.status_code == 400 and f"at most {scenarios.MAX_STEPS}" in error_box(page.text)
    rows = {f"change-{k}-value": "1" for k in range(scenarios.MAX_STEPS + 1)}
    page = client.post("/run", data={**SEED_FORM, **rows})
    assert page.status_code == 400 and f"at most {scenarios.MAX_STEPS}" in error_box(page.text)


def test_request_body_limit(tmp_path):
    with make_client(tmp_path, max_body=10_000) as small:
        big = small.post("/run", data={"world": "demo", "toml": "x" * 20_000})
        assert big.status_code == 413 and "limit of 10,000" in big.text

        def chunks():
            for _ in range(30):
                yield b"toml=" + b"x" * 1000

        streamed = small.post("/run", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert streamed.status_code == 413 and "limit of 10,000" in streamed.text


def test_job_status_and_unknown_jobs(client):
    url = run(client, SEED_FORM)
    status = client.get(f"{url}/status").json()
    assert status["state"] == "done" and status["elapsed_seconds"] >= 0
    assert client.get("/jobs/nope").status_code == 404
    assert client.get("/jobs/nope/status").status_code == 404
    assert client.post("/jobs/nope/cancel").status_code == 404
    assert client.post("/jobs/nope/save").status_code == 404
    for tail in ("map.png", "results.csv", "results.json"):
        assert client.get(f"/jobs/nope/{tail}").status_code == 404
        assert client.get(f"/elsewhere/1/{tail}").status_code == 404
    assert client.get(f"{url}?country=XXX").status_code == 400
    bad_map = client.get(f"{url}/map.png?variable=nothing")
    assert bad_map.status_code == 400 and "not a country result" in bad_map.text


def blocker(client):
    """Occupy the only worker until the returned event is set."""
    release = threading.Event()
    client.app.state.jobs.submit("blocker", lambda job: release.wait(30))
    return release


def test_queued_job_can_be_cancelled(client):
    release = blocker(client)
    try:
        response = client.post("/run", data=SEED_FORM, follow_redirects=False)
        url = response.headers["location"]
        assert client.get(f"{url}/status").json()["state"] == "queued"
        assert "Cancel" in client.get(url).text
        assert client.post(f"{url}/cancel", follow_redirects=False).status_code == 303
        assert client.get(f"{url}/status").json()["state"] == "cancelled"
        assert "cancelled" in client.get(url).text
        assert client.post(f"{url}/save").status_code == 404
    finally:
        release.set()


def test_running_job_cancelled_between_stages():
    from tariffsim.web.jobs import Cancelled, JobQueue

    queue, started, go_on = JobQueue(), threading.Event(), threading.Event()

    def work(job):
        started.set()
        go_on.wait(10)
        job.step("next stage")
        raise AssertionError("not reached: cancelled")

    job = queue.submit("long", work)
    assert started.wait(10)
    queue.cancel(job)
    go_on.set()
    job.future.result(10)
    assert job.state == "cancelled" and job.result is None
    assert issubclass(Cancelled, Exception)
    queue.shutdown()


def test_bounded_queue_refuses_one_more(tmp_path):
    with make_client(tmp_path, queue=2) as small:
        release = blocker(small)
        try:
            assert small.post("/run", data=SEED_FORM, follow_redirects=False).status_code == 303
            refused = small.post("/run", data=SEED_FORM)
            assert refused.status_code == 429
            assert "2 runs are queued or running already" in error_box(refused.text)
        finally:
            release.set()


def test_save_list_show_compare_and_export(client):
    first = run(client, SEED_FORM)
    saved = client.post(f"{first}/save", follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/runs/1"
    second = run(client, {**SEED_FORM, "title": "Twice the tariff", "change-0-value": "50"})
    assert client.post(f"{second}/save", follow_redirects=False).headers["location"] == "/runs/2"
    listing = client.get("/runs").text
    assert "Twice the tariff" in listing and 'href="/runs/1"' in listing
    shown = client.get("/runs/1")
    assert shown.status_code == 200 and "<th>JPN</th>" in shown.text and "Saved run 1" in shown.text
    assert "add_points = 25" in html.unescape(shown.text)
    assert client.get("/runs/1/map.png").content.startswith(b"\x89PNG")
    exported = pd.read_csv(io.StringIO(client.get("/runs/1/results.csv").text), keep_default_na=False)
    live = pd.read_csv(io.StringIO(client.get(f"{first}/results.csv").text), keep_default_na=False)
    assert len(exported) == len(live)
    assert json.loads(client.get("/runs/2/results.json").text)["title"] == "Twice the tariff"
    compared = client.get("/compare?a=1&b=2")
    assert compared.status_code == 200 and "run 2 - run 1" in compared.text and "<th>JPN</th>" in compared.text
    exports = client.get("/compare?a=1&b=2&variable=exports")
    assert exports.status_code == 200 and "exports, % change" in exports.text


def test_bad_run_ids_and_compare_inputs(client):
    assert client.get("/runs").status_code == 200  # no store yet: an empty list
    assert client.get("/compare?a=1&b=2").status_code == 404
    assert client.get("/runs/1").status_code == 404
    client.post(f"{run(client, SEED_FORM)}/save")
    for bad in ("999", "abc", "1;drop"):
        assert client.get(f"/runs/{bad}").status_code == 404
    assert client.get("/compare?a=1&b=1").status_code == 400
    missing = client.get("/compare?a=1&b=999")
    assert missing.status_code == 400 and "no run 999" in error_box(missing.text)
    wrong = client.get("/compare?a=1&b=abc")
    assert wrong.status_code == 400 and "whole numbers" in error_box(wrong.text)
    client.post(f"{run(client, SEED_FORM)}/save")
    variable = client.get("/compare?a=1&b=2&variable=nothing")
    assert variable.status_code == 400 and "no such country result" in error_box(variable.text)


def test_nash_war_runs_as_a_job_with_rounds_and_saves(client):
    response = client.post("/war", data={"world": "demo", "war-players": "USA, JPN", "war-rounds": "10"},
                           follow_redirects=False)
    assert response.status_code == 303
    url = response.headers["location"]
    assert wait(client, url)["state"] == "done"
    page = client.get(url).text
    assert "Nash tariff war among USA, JPN" in page and "<th>JPN</th>" in page
    document = json.loads(client.get(f"{url}/results.json").text)
    assert document["scenario"]["game"] == "nash" and document["scenario"]["players"] == ["USA", "JPN"]
    assert "Nash tariff war among USA, JPN" in page and "Game" in page
    assert client.post(f"{url}/save", follow_redirects=False).headers["location"] == "/runs/1"
    assert "nash" in client.get("/runs").text
    assert "Nash tariff war among USA, JPN: " in client.get("/runs/1").text


@pytest.mark.parametrize(("fields", "expected"), [
    ({"war-rounds": "0"}, "rounds = '0'"), ({"war-rounds": "many"}, "rounds = 'many'"),
    ({"war-rounds": "61"}, "from 1 to 60"), ({"world": "/etc"}, "never a path")])
def test_bad_war_inputs_are_refused(client, fields, expected):
    page = client.post("/war", data={"world": "demo", **fields})
    assert page.status_code == 400 and expected in error_box(page.text)


def test_war_with_unknown_player_fails_with_the_library_message(client):
    response = client.post("/war", data={"world": "demo", "war-players": "USA, XYZ"}, follow_redirects=False)
    status = wait(client, response.headers["location"])
    assert status["state"] == "failed" and "XYZ" in status["error"]


def test_running_war_is_cancelled_at_the_end_of_a_round(client):
    response = client.post("/war", data={"world": "demo", "war-rounds": "60"}, follow_redirects=False)
    url = response.headers["location"]
    deadline = time.monotonic() + 60
    while "round 2" not in client.get(f"{url}/status").json()["stage"]:  # round 1 done: the war is under way
        assert time.monotonic() < deadline, client.get(f"{url}/status").json()
        time.sleep(0.05)
    assert client.post(f"{url}/cancel", follow_redirects=False).status_code == 303
    status = wait(client, url)
    assert status["state"] == "cancelled", status
    assert client.get(f"{url}/results.csv").status_code == 404
