"""from-news on the 2025 vocabulary: 'reciprocal tariff', 'Section 232', 'baseline 10%', 'paused for 90 days',
'deal sets 15%'; one sentence each, then a short 2025-style article whose draft solves on icio2022 as written."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.news import draft_from_news
from tariffsim.news.extract import read_findings
from tariffsim.news.text import parse_article

ARTICLE = Path(__file__).resolve().parent / "news_articles" / "us_tariffs_2025.txt"


def actions(text: str):
    return read_findings(parse_article(text)).actions


@pytest.mark.parametrize(("sentence", "action", "status", "imposer", "target", "sectors", "rate"), [
    ("The U.S. imposed a 24% reciprocal tariff on Japanese goods.", "increase", "in force", "USA", "JPN", ("goods",), 24),
    ("Reciprocal tariffs on Chinese goods take effect on April 9.", "increase", "announced", None, "CHN", ("goods",), None),
    ("A 25% tariff on all imported cars under Section 232 took effect on Thursday.", "increase", "in force", "USA", "all",
     ("mvh",), 25),
    ("The United States imposed a baseline 10% tariff on imports from all countries.", "increase", "in force", "USA",
     "all", ("goods",), 10),
    ("The higher reciprocal tariffs on Japanese goods were paused for 90 days.", "exemption", "suspended", None, "JPN",
     ("goods",), None),
    ("The U.S.-Japan trade deal sets a 15% tariff on Japanese goods, including cars.", "deal", "agreed", "USA", "JPN",
     ("goods",), 15),
])
def test_each_2025_phrase(sentence, action, status, imposer, target, sectors, rate):
    (found,) = actions(sentence)
    assert (found.action, found.status, found.imposer, found.target, found.sectors) == (
        action, status, imposer, target, sectors)
    assert (found.rate.value if found.rate else None) == rate


def test_paused_for_90_days_is_a_condition_and_never_a_rate():
    (paused,) = actions("The higher reciprocal tariffs on Japanese goods were paused for 90 days.")
    assert paused.conditions == ("for 90 days",) and paused.rate is None
    (pause,) = actions("Trump announced a 90-day pause of the higher tariffs on Vietnamese goods.")
    assert pause.action == "exemption" and pause.conditions == ("90-day",) and pause.rate is None


@pytest.mark.parametrize(("sentence", "lines"), [
    ("The U.S.-Japan trade deal sets a 15% tariff on Japanese goods.", ["set_percent = 15", 'exporters = ["JPN"]']),
    ("The United States imposed a baseline 10% tariff on imports from all countries.",
     ["add_points = 10", 'exporters = "all"', 'importers = ["USA"]']),
    ("A 25% tariff on all imported cars under Section 232 took effect on Thursday.",
     ['sectors = ["mvh"]', "add_points = 25", 'exporters = "all"']),
])
def test_each_2025_phrase_in_the_draft(sentence, lines):
    toml = draft_from_news(parse_article(sentence)).toml
    for line in lines:
        assert f"\n{line}" in toml, line
    data = tomllib.loads(toml)
    assert len(data["change"]) == 1 and data["change"][0]["sectors"] in ("all", ["mvh"])


def test_a_deal_without_a_rate_or_a_cut_under_a_deal_is_not_a_deal():
    assert [a.action for a in actions("The United States and Japan reached a trade deal on Tuesday.")] == ["agreement"]
    (cut,) = actions("Under the deal, Japan will lower its tariff on European cheese to 15 percent.")
    assert cut.action == "cut"


def _numbers(text: str) -> set[str]:
    return {n.rstrip(".") for n in re.findall(r"\d+(?:\.\d+)?", text)}


@pytest.fixture(scope="module")
def icio_draft():
    from tariffsim.io import read_world

    return draft_from_news(ARTICLE, read_world("icio2022"), "icio2022")


def test_the_2025_article_drafts_three_steps_in_force_and_the_pause_commented_out(icio_draft):
    steps = tomllib.loads(icio_draft.toml)["change"]
    got = [(s["importers"], s["exporters"], s["sectors"], s.get("except_sectors"), s.get("add_points"),
            s.get("set_percent")) for s in steps]
    assert got == [(["USA"], "all", "all", ["services"], 10, None),       # the baseline 10% on all goods
                   (["USA"], "all", ["mvh"], None, 25, None),             # Section 232: cars from everyone
                   (["USA"], ["JPN"], "all", ["services"], None, 15)]     # the deal sets 15% on Japanese goods
    assert "# ---- SUSPENDED, NOT IN FORCE" in icio_draft.toml and "# Condition: for 90 days" in icio_draft.toml
    assert "TODO" not in "\n".join(line for line in icio_draft.toml.splitlines() if not line.startswith("#"))


def test_every_number_in_the_2025_draft_is_in_the_article(icio_draft):
    article = ARTICLE.read_text(encoding="utf-8")
    # the world's name and label are the user's choice (--world icio2022), not the article's
    draft = "\n".join(line for line in icio_draft.toml.splitlines()
                      if not line.startswith(("# World:", "world = ")))
    assert _numbers(draft.replace(ARTICLE.name, "")) <= _numbers(article)


def test_the_2025_draft_solves_on_icio2022(tmp_path):
    runner = CliRunner()
    draft = tmp_path / "draft.toml"
    made = runner.invoke(app, ["from-news", str(ARTICLE), "--world", "icio2022", "--out", str(draft)])
    assert made.exit_code == 0, made.output
    solved = runner.invoke(app, ["solve", "--scenario", str(draft), "--data", "icio2022", "--country", "JPN"])
    assert solved.exit_code == 0, solved.output
    assert "Equilibrium verified" in solved.output and "JPN by sector" in solved.output


def test_without_a_world_all_goods_says_how_to_leave_services_out():
    toml = draft_from_news(parse_article("The U.S. imposed a 24% reciprocal tariff on Japanese goods.")).toml
    assert '\nsectors = "all"  # all goods: on a world with a services sector add except_sectors = ["services"]' in toml
