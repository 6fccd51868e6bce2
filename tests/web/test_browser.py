"""The web app in real headless Chromium (Debian's /usr/bin/chromium, driven by playwright): build the
seed scenario in the form, run it on the default world, check the table and the map, save it, run a
second scenario, compare. The screenshot is kept under pytest's tmp dir (its path is printed)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from web_helpers import serving

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")]
playwright = pytest.importorskip("playwright.sync_api")


def build_seed(page, title: str, points: str) -> None:
    """Fill the form: the US adds ``points`` points on Japanese motor vehicles."""
    page.fill("#title", title)
    page.fill("input[name=change-0-importers]", "USA")
    page.fill("input[name=change-0-exporters]", "JPN")
    page.fill("input[name=change-0-sectors]", "mvh")
    page.select_option("select[name=change-0-action]", "add_points")
    page.fill("input[name=change-0-value]", points)
    page.fill("input[name=change-0-description]", f"US adds {points} points on Japanese motor vehicles")


def run_and_wait(page) -> None:
    page.click("#run")
    page.wait_for_selector("#headline", timeout=60_000)  # the progress page reloads into the result


def test_build_run_save_and_compare_in_chromium(tmp_path):
    with serving(tmp_path) as (url, _), playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            problems = []
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.goto(url + "/")
            years = page.evaluate("Array.from(document.querySelectorAll('#years option')).map(o => o.value)")
            assert "2022" in years  # the year field offers the default world's years
            build_seed(page, "US tariff on Japanese cars", "25")
            page.click("button[data-table=changes]")  # a second, empty row: left out of the scenario
            assert page.locator("input[name=change-1-importers]").count() == 1
            run_and_wait(page)
            assert page.inner_text("#title") == "US tariff on Japanese cars"
            assert "JPN" in page.inner_text("#headline table")
            assert "ICIO 2022" in page.inner_text("#assumptions")
            deadline = time.monotonic() + 30  # polled from here: the app's CSP forbids eval in the page
            while not page.evaluate("document.getElementById('map-image').complete"):
                assert time.monotonic() < deadline, "the map image did not load"
                time.sleep(0.1)
            assert page.evaluate("document.getElementById('map-image').naturalWidth") > 500
            screenshot = tmp_path / "seed_result.png"
            page.screenshot(path=str(screenshot), full_page=True)
            print(f"screenshot: {screenshot}")
            page.click("#save")
            page.wait_for_url("**/runs/1")

            page.goto(url + "/")
            build_seed(page, "US tariff on Japanese cars, doubled", "50")
            run_and_wait(page)
            page.click("#save")
            page.wait_for_url("**/runs/2")

            page.goto(url + "/runs")
            page.click("#compare")
            page.wait_for_selector("#comparison")
            comparison = page.inner_text("#comparison")
            assert "JPN" in comparison and "run 2 - run 1" in comparison
            assert not problems, problems  # no script error, no refused asset, no missing file
            page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
            print(f"screenshot: {tmp_path / 'compare.png'}")
        finally:
            browser.close()
