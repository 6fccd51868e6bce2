"""The web app's guards: loopback by default, the token off loopback, Host, same origin, POST only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_helpers import SEED_FORM, run

from tariffsim.cli import app as cli
from tariffsim.errors import OptionError
from tariffsim.web import Settings, create_app

TOKEN = "s3cret-token"
REMOTE = "http://tariffsim.example:8000"
"""In-process only (the test client sends nothing over the network): a name the app is served under."""


@pytest.fixture
def remote(tmp_path):
    app = create_app(Settings(host="0.0.0.0", token=TOKEN, runs_db=tmp_path / "runs.sqlite"))
    with TestClient(app, base_url=REMOTE, headers={"Origin": REMOTE}) as client:
        yield client


def test_serving_off_loopback_needs_a_token():
    with pytest.raises(OptionError, match="needs an access token"):
        create_app(Settings(host="0.0.0.0"))
    assert create_app(Settings(host="127.0.0.1")) is not None


def test_cli_refuses_another_address_without_the_flag():
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 1
    assert "--allow-remote" in result.output


@pytest.mark.parametrize("path", ["/", "/runs", "/static/app.css", "/jobs/x/status", "/compare?a=1&b=2"])
def test_a_request_without_the_token_is_refused(remote, path):
    refused = remote.get(path)
    assert refused.status_code == 401 and "access token" in refused.text
    assert remote.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert remote.post("/run", data=SEED_FORM).status_code == 401


def test_the_token_in_a_header_or_cookie_is_accepted(remote):
    assert remote.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert remote.get("/", headers={"X-Tariffsim-Token": TOKEN}).status_code == 200
    first = remote.get(f"/?token={TOKEN}&example=us_autos_japan", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/?example=us_autos_japan"
    assert "HttpOnly" in first.headers["set-cookie"] and "SameSite=strict" in first.headers["set-cookie"]
    assert remote.get("/").status_code == 200  # the cookie now carries it
    run(remote, SEED_FORM)


def test_loopback_needs_no_token_but_a_loopback_host(client):
    assert client.get("/").status_code == 200
    assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 200
    rebound = client.get("/", headers={"Host": "evil.example"})
    assert rebound.status_code == 400 and "not this app's address" in rebound.text


def test_state_changes_need_post_from_the_same_origin(client):
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "http://127.0.0.1:9999"},
                    {"Origin": "", "Referer": "http://evil.example/page"}):
        refused = client.post("/run", data=SEED_FORM, headers=headers)
        assert refused.status_code == 403 and "same origin" in refused.text
    bare = TestClient(client.app, base_url="http://127.0.0.1:8000")
    missing = bare.post("/scenario/toml", data=SEED_FORM)
    assert missing.status_code == 403 and "without an Origin or Referer" in missing.text
    referer = bare.post("/scenario/toml", data=SEED_FORM, headers={"Referer": "http://127.0.0.1:8000/"})
    assert referer.status_code == 200
    for method in ("PUT", "DELETE", "PATCH"):
        other = client.request(method, "/run")
        assert other.status_code == 403 and "only with POST" in other.text
    assert client.get("/run").status_code == 405  # no route changes state on GET


def test_a_bad_content_length_is_refused(client):
    refused = client.post("/run", content=b"a=1", headers={"Content-Length": "999999999",
                                                            "Content-Type": "application/x-www-form-urlencoded"})
    assert refused.status_code == 413


def test_pages_forbid_other_sites_assets_and_framing(client):
    headers = client.get("/").headers
    assert headers["content-security-policy"] == "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
    assert headers["x-content-type-options"] == "nosniff"
