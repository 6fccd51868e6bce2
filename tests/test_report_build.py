"""``tariffsim report`` on the Japan-US 2018 pack and the real data: one command builds the page,
figures and tables; the page is self-contained; headless Chromium renders it with every key element
visible; a rerun reuses the cached game view.

To keep CI time down the game view here uses 2 frontier deals (``--frontier-points 2``); the real
command uses the pack's 7.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.report import build_report, load_pack

PACK = Path(__file__).resolve().parent.parent / "examples" / "japan_us_2018"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]
STEMS = [Path(s.file).stem for s in load_pack(PACK).scenarios]
KEY_ELEMENTS = ["headline", "figure-headline", "diversion", "figure-diversion", "game", "figure-game",
                "assumptions", "rerun", *(f"scenario-{s}" for s in STEMS), *(f"figure-scenario_{s}" for s in STEMS),
                *(f"figure-map_{s}" for s in STEMS)]

pytestmark = [pytest.mark.slow, pytest.mark.data]


@pytest.fixture(scope="module")
def report_dir(data_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(app, ["report", str(PACK), "--out", str(out), "--data", str(data_dir / "ossa2014"),
                                      "--frontier-points", "2"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    return out


def test_one_command_writes_the_page_figures_and_tables(report_dir):
    assert (report_dir / "report.html").stat().st_size > 100_000
    for name in ["headline", "diversion", "game", *(f"scenario_{s}" for s in STEMS), *(f"map_{s}" for s in STEMS)]:
        assert (report_dir / "figures" / f"{name}.png").stat().st_size > 10_000
        assert (report_dir / "figures" / f"{name}.svg").read_text().lstrip().startswith("<?xml")
    for name in ["headline", "diversion", "diversion_by_exporter", "game_points", "game_tariffs", "game_frontier",
                 *(f"scenario_{s}_{part}" for s in STEMS for part in ("countries", "sectors", "bilateral"))]:
        assert (report_dir / "tables" / f"{name}.csv").stat().st_size > 100


def test_the_page_is_self_contained_and_states_its_assumptions(report_dir):
    html = (report_dir / "report.html").read_text()
    assert "<script" not in html.lower()
    assert not re.search(r'(src|href)="(?!data:)', html), "every image is embedded, no links to files or sites"
    for id_ in KEY_ELEMENTS:
        assert f'id="{id_}"' in html, id_
    assert "Section 232" in html and "trade diversion" in html and "Nash bargaining solution" in html
    assert "tariffsim report" in html
    # which data, elasticities and deficit treatment the scenarios and the game used
    assert "elasticities: main, Ossa 2014&#x27;s estimated sigmas; deficits fixed at the data&#x27;s levels" in html
    assert "Game view: the same data and elasticities with balanced trade" in html


def test_the_headline_numbers_are_the_tables_numbers(report_dir):
    import pandas as pd

    headline = pd.read_csv(report_dir / "tables" / "headline.csv")
    row = headline[(headline["scenario"] == "Car threat") & (headline["country"] == "JPN")].iloc[0]
    html = (report_dir / "report.html").read_text()
    assert f"{row.real_income_pct:+.2f}%" in html and row.real_income_pct < 0


def test_a_rerun_reuses_the_cached_game_view(report_dir, data_dir):
    written = build_report(PACK, report_dir, data=str(data_dir / "ossa2014"), frontier_points=2)
    assert written.game_reused


def _chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install it with apt-get install -y chromium (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run([str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=True)


VISIBILITY_PROBE = """<script>
window.addEventListener('load', () => {
  const lines = %s.map(id => {
    const el = document.getElementById(id);
    if (!el) return id + ' missing';
    const box = el.getBoundingClientRect(), style = getComputedStyle(el), img = el.querySelector('img');
    const shown = box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    const picture = img ? (img.complete && img.naturalWidth > 200 ? ' image-ok' : ' image-broken') : '';
    return id + (shown ? ' visible' : ' hidden') + picture;
  });
  const pre = document.createElement('pre');
  pre.id = 'visibility-probe';
  pre.textContent = lines.join('\\n');
  document.body.appendChild(pre);
});
</script>"""


def test_chromium_renders_every_key_element_visible(report_dir, tmp_path):
    """The page as Chromium lays it out: each key element has a box, each figure's image decodes.

    The probe script is added to a copy of the page for this test only; the report has no scripts.
    """
    import json

    probe = tmp_path / "probe.html"
    html = (report_dir / "report.html").read_text()
    probe.write_text(html.replace("</body>", VISIBILITY_PROBE % json.dumps(KEY_ELEMENTS) + "</body>"))
    dom = _chromium("--virtual-time-budget=10000", "--dump-dom", probe.as_uri(), tmp_path=tmp_path).stdout
    found = re.search(r'<pre id="visibility-probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run"
    lines = found.group(1).splitlines()
    assert len(lines) == len(KEY_ELEMENTS)
    for line in lines:
        assert " visible" in line and "image-broken" not in line, line
    figures = [line for line in lines if line.startswith("figure-")]
    assert len(figures) == 3 + 2 * len(STEMS) and all("image-ok" in line for line in figures)  # + maps


def test_chromium_screenshot_of_the_page_is_not_blank(report_dir, tmp_path):
    import numpy as np
    from PIL import Image

    shot = tmp_path / "report.png"
    _chromium(f"--screenshot={shot}", "--window-size=1280,4000", (report_dir / "report.html").as_uri(),
              tmp_path=tmp_path)
    pixels = np.asarray(Image.open(shot).convert("L"))
    assert pixels.shape == (4000, 1280)
    dark_rows = (pixels < 128).any(axis=1)
    assert dark_rows[:300].any(), "the title is drawn at the top"
    assert dark_rows.mean() > 0.3, "text and figures fill the page"


def test_report_command_fails_loudly_on_a_bad_pack(tmp_path):
    result = CliRunner().invoke(app, ["report", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "no pack.toml" in result.output
