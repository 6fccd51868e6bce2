"""One sentence per action type, per rate form, per condition and per kind of page furniture."""

from __future__ import annotations

import pytest

from tariffsim.news.extract import read_findings
from tariffsim.news.rates import find_rates
from tariffsim.news.sentences import split_sentences
from tariffsim.news.text import parse_article


def actions(text: str):
    return read_findings(parse_article(text)).actions


@pytest.mark.parametrize(("sentence", "action", "status", "imposer", "target", "sectors"), [
    ("The United States imposed tariffs on Chinese steel on Friday.", "increase", "in force", "USA", "CHN", ("i_s",)),
    ("Trump threatened to slap tariffs on cars imported from Germany.", "threat", "threatened", None, "DEU", ("mvh",)),
    ("Canada will be exempted from the new tariffs on aluminium.", "exemption", "suspended", None, "CAN", ("nfm",)),
    ("Beijing retaliated with tariffs on American soybeans.", "retaliation", "in force", "CHN", "USA", ("osd",)),
    ("India cut its tariffs on U.S. motorcycles last week.", "cut", "in force", "IND", "USA", ("otn",)),
    ("Mexico and Canada signed a free trade agreement covering farm products.", "agreement", "agreed", None, None,
     ("agriculture",)),
    ("Brazil and Argentina began trade talks in Buenos Aires.", "negotiation", "under negotiation", None, None, ()),
])
def test_each_action_type(sentence, action, status, imposer, target, sectors):
    (found,) = actions(sentence)
    assert (found.action, found.status, found.imposer, found.target, found.sectors) == (
        action, status, imposer, target, sectors)
    assert found.sentence == sentence


def test_agreement_and_negotiation_parties():
    (agreement,) = actions("Mexico and Canada signed a free trade agreement covering farm products.")
    (talks,) = actions("Brazil and Argentina began trade talks in Buenos Aires.")
    assert agreement.members == ("MEX", "CAN") and talks.members == ("BRA", "ARG")


@pytest.mark.parametrize(("text", "form", "value", "previous"), [
    ("a 25 percent tariff", "plain", 25, None),
    ("a 25% tariff", "plain", 25, None),
    ("a 25 per cent duty", "plain", 25, None),
    ("raised by 10 percentage points", "points", 10, None),
    ("a 10-point increase", "points", 10, None),
    ("cut to 10 percent", "level", 10, None),
    ("raised to 25 percent from 10 percent", "level", 25, 10),
    ("from 2.5% to 25%", "level", 25, 2.5),
    ("raised by 5 percent", "by", 5, None),
    ("will eliminate tariffs on cars", "zero", 0, None),
    ("duty-free access", "zero", 0, None),
])
def test_each_rate_form(text, form, value, previous):
    (rate,) = find_rates(text)
    assert (rate.form, rate.value, rate.previous) == (form, value, previous)


@pytest.mark.parametrize(("sentence", "line"), [
    ("The US imposed a 25 percent tariff on Japanese cars.", "add_points = 25"),
    ("The US raised its tariff on Japanese cars by 10 percentage points.", "add_points = 10"),
    ("Japan cut its tariff on US beef by 10 percentage points.", "add_points = -10"),
    ("The US raised its tariff on Japanese cars to 10 percent.", "set_percent = 10"),
    ("Japan will eliminate its tariffs on US cars.", "set_percent = 0"),
    ("The US raised its tariff on Japanese cars by 5 percent.", 'add_points = "TODO"'),
    ("The US imposed tariffs on Japanese cars.", 'add_points = "TODO"'),
    ("Japan cut its tariffs on US beef.", 'scale = "TODO"'),
])
def test_each_rate_form_in_the_draft(sentence, line):
    from tariffsim.news import draft_from_news

    assert f"\n{line}" in draft_from_news(parse_article(sentence)).toml


@pytest.mark.parametrize(("sentence", "condition"), [
    ("Japan will be exempted from car tariffs as long as negotiations are under way.",
     "as long as negotiations are under way"),
    ("The US will hold off on tariffs on Chinese electronics until the talks end.", "until the talks end"),
    ("Tariffs on Korean steel are suspended while the negotiations continue.", "while the negotiations continue"),
    ("The EU will delay tariffs on US whiskey for now.", "for now"),
])
def test_conditions(sentence, condition):
    (found,) = actions(sentence)
    assert found.conditions == (condition,) and found.status == "suspended"


def test_sentences_keep_abbreviations_and_quotes():
    text = ('Japan agreed with the U.S. on Sept. 26 to start talks. "It can only be better for the United '
            'States...I think it\'s going to be better," Trump said. Mr. Abe agreed.')
    assert len(split_sentences(text)) == 3


def test_plain_text_furniture_is_dropped():
    page = ("Skip to main content\nMenu\nWorld\nJapan, US to enter trade talks on cars\n\n"
            "Leaders meet in New York. (AP Photo/Staff)\n\nJapan and the US agreed to start trade talks.\n\n"
            "Also in The Paper\nShare this article\nThe Paper on social media\nCopyright 2018 The Paper\n")
    article = parse_article(page, "page.txt")
    assert article.headline == "Japan, US to enter trade talks on cars"
    assert article.paragraphs == ("Japan and the US agreed to start trade talks.",)


def test_non_trade_numbers_and_sentences_give_nothing():
    assert actions("The economy grew 3 percent as exports of cars rose.") == ()
    assert actions("Trump said he wants to meet Kim again, and North Korea agreed.") == ()


@pytest.mark.parametrize(("sentence", "surface", "why"), [
    ("The US imposed a -25 percent tariff on Japanese cars.", "-25 percent", "a figure with a minus sign"),
    ("The US imposed a \u221225% tariff on Japanese cars.", "\u221225%", "a figure with a minus sign"),
    ("The US imposed a 10-25 percent tariff on Japanese cars.", "10-25 percent", "a range, not one number"),
])
def test_a_signed_figure_or_a_range_is_a_todo_quoting_it_never_a_number_without_its_sign(sentence, surface, why):
    from tariffsim.news import draft_from_news

    (rate,) = find_rates(sentence)
    assert rate.form == "unclear" and rate.surface == surface
    toml = draft_from_news(parse_article(sentence)).toml
    assert f'\nadd_points = "TODO"  # the article says "{surface}", {why}' in toml
    assert "add_points = 25" not in toml


def test_a_dated_future_cut_is_not_in_force():
    (found,) = actions("Starting Monday, Japan cuts its tariffs on US beef.")
    assert (found.action, found.status) == ("cut", "proposed")
