"""from-news on hostile input (issue 11): numbers exactly as written (thousands separators, no float
reformatting, no part of a longer figure), binary and oversized files, articles with no trade content."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tariffsim.cli import app
from tariffsim.errors import TariffsimError
from tariffsim.news import draft_from_news, parse_article, read_article
from tariffsim.news.rates import find_rates
from tariffsim.news.text import MAX_ARTICLE_BYTES

VALUE_LINE = re.compile(r"^(?:# )?(add_points|set_percent|scale|cut) = (-?[0-9][0-9.]*)\b", re.MULTILINE)
runner = CliRunner()


def draft(sentence: str) -> str:
    return draft_from_news(parse_article(sentence)).toml


def values(toml: str) -> list[tuple[str, str]]:
    return VALUE_LINE.findall(toml)


@pytest.mark.parametrize(("written", "line"), [
    ("1,000", "add_points = 1000"),
    ("1234567", "add_points = 1234567"),
    ("12,500.5", "add_points = 12500.5"),
    ("2.50", "add_points = 2.50"),
    ("0.5", "add_points = 0.5"),
])
def test_numbers_are_copied_as_written(written, line):
    toml = draft(f"The United States imposed a {written} percent tariff on Japanese cars.")
    assert f"\n{line}  #" in toml
    assert f'the article says "{written} percent"' in toml
    tomllib.loads(toml)


@pytest.mark.parametrize("written", ["2.5.3", "1,0000", "12,34", "1 000", ".5", "05", "1,000,00", "25x"])
def test_parts_of_longer_figures_are_no_numbers(written):
    sentence = f"The United States imposed a {written} percent tariff on Japanese cars."
    rates = find_rates(sentence)
    toml = draft(sentence)
    assert values(toml) == [] and '\nadd_points = "TODO"' in toml
    if written == "25x":  # not a figure before a rate word at all
        assert rates == []
    else:  # a figure that is no number: read as unclear, quoted, never a value
        assert [(r.form, r.number, r.surface) for r in rates] == [("unclear", "", f"{written} percent")]
        assert f'the article says "{written} percent", which is no clear number' in toml


def test_a_year_before_a_rate_is_not_a_thousands_group():
    (rate,) = find_rates("In 2018 25 percent tariffs were imposed on steel.")
    assert (rate.form, rate.number) == ("plain", "25")


def test_from_to_with_separators():
    (rate,) = find_rates("raised from 1,250 percent to 2,500.75 percent")
    assert (rate.form, rate.number, rate.previous_number) == ("level", "2500.75", "1250")
    assert (rate.value, rate.previous) == (2500.75, 1250)


def _written(integer: int, grouped: bool, decimals: str) -> str:
    text = f"{integer:,}" if grouped else str(integer)
    return f"{text}.{decimals}" if decimals else text


numbers = st.builds(_written, st.integers(0, 10**12), st.booleans(),
                    st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=6)))
TEMPLATES = (
    "The United States will raise tariffs on Japanese cars by {n} percent.",
    "The United States raised tariffs on Japanese cars by {n} percentage points.",
    "The United States raised its tariff on Japanese cars to {n} percent.",
    "The United States imposed a {n}% tariff on Japanese cars.",
    "The United States threatened a {n} percent tariff on Japanese cars.",
    "Japan cut its tariff on US beef by {n} points.",
)


@settings(max_examples=300, deadline=None)
@given(numbers, st.sampled_from(TEMPLATES))
def test_every_number_in_the_draft_is_the_one_the_sentence_states(written, template):
    sentence = template.format(n=written)
    toml = draft(sentence)
    stated = written.replace(",", "")
    for key, value in values(toml):
        # verbatim: the article's digits (less thousands separators), never re-formatted
        assert value.lstrip("-") == stated, (sentence, key, value)
        assert value.lstrip("-") in sentence.replace(",", "")
        assert Decimal(value.lstrip("-")) == Decimal(stated)
    if "by {n} percent." not in template:  # "by N percent" is ambiguous: a TODO, no number
        assert len(values(toml)) == 1, toml
    # every number anywhere in the draft occurs in the article (once separators are removed)
    found = set(re.findall(r"\d+(?:\.\d+)?", toml.replace("ISO3", "").replace(",", "")))
    assert found <= set(re.findall(r"\d+(?:\.\d+)?", sentence.replace(",", "")))
    active = re.sub(r"^# (\[\[\w+\]\]|\w+ = .*)$", r"\1", toml, flags=re.MULTILINE)
    for step in tomllib.loads(active).get("change", []):
        for key in ("add_points", "set_percent"):
            if isinstance(step.get(key), (int, float)):
                assert Decimal(str(abs(step[key]))) == Decimal(stated) or float(stated) == abs(step[key])


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"GIF89a\x00\x01\x02" + bytes(range(256)) * 20)
    with pytest.raises(TariffsimError, match=r"is not a text file \(it holds NUL bytes\)"):
        read_article(path)
    noisy = tmp_path / "noisy.txt"
    noisy.write_bytes(b"Tariffs on cars. " + bytes(range(0x80, 0x100)) * 10)
    with pytest.raises(TariffsimError, match=r"not a text file \(\d+% of its characters are not UTF-8 text\)"):
        read_article(noisy)
    result = runner.invoke(app, ["from-news", str(path)])
    assert result.exit_code == 1 and "not a text file" in result.output and "Traceback" not in result.output


def test_latin1_accents_and_a_bom_are_text(tmp_path):
    path = tmp_path / "story.txt"
    path.write_bytes("\ufeffThe US imposed a 25 percent tariff on Japanese cars, said Mr. Müller.".encode())
    assert read_article(path).headline.startswith("The US imposed")


def test_oversized_article_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_ARTICLE_BYTES + 1)
    with pytest.raises(TariffsimError, match=r"is 2\.0 MB: an article is at most 2 MB"):
        read_article(path)


def test_no_trade_content_writes_no_draft(tmp_path):
    path, out = tmp_path / "weather.txt", tmp_path / "draft.toml"
    path.write_text("The weather was nice in Tokyo today, said the mayor.\n")
    result = runner.invoke(app, ["from-news", str(path), "--out", str(out)])
    assert result.exit_code == 1 and "no trade-policy step found" in result.output and "no draft is written" in result.output
    assert not out.exists()
    assert "# NOTHING FOUND" in draft_from_news(path).toml  # the library's draft says so too


@pytest.mark.parametrize(("sentence", "status"), [
    ("The United States will impose a 25 percent tariff on Japanese cars.", "announced"),
    ("The United States is set to raise tariffs on Japanese cars to 25 percent.", "announced"),
    ("Tariffs on Japanese cars will rise by 10 percentage points, the United States said.", "announced"),
    ("China will retaliate with tariffs on U.S. soybeans.", "announced"),
    ("Starting next week, the United States imposes a 25 percent tariff on Japanese cars.", "announced"),
    ("The United States imposes a 25 percent tariff on Japanese cars from Monday.", "announced"),
    ("The United States raises its tariffs on Japanese cars by 10 percentage points tomorrow.", "announced"),
    ("The United States imposed a 25 percent tariff on Japanese cars.", "in force"),
    ("The United States would impose a 25 percent tariff on Japanese cars.", "threatened"),
])
def test_future_tense_is_announced_not_in_force(sentence, status):
    found = draft_from_news(parse_article(sentence))
    (measure,) = found.findings.measures
    assert measure.status == status and measure.in_force == (status == "in force")
    if status == "announced":
        assert "# ---- ANNOUNCED, NOT YET IN FORCE" in found.toml
        assert "\n[[change]]" not in found.toml and "\n# [[change]]" in found.toml


@settings(max_examples=300, deadline=None)
@given(st.text("0123456789., ", min_size=1, max_size=14), st.sampled_from(TEMPLATES))
def test_hostile_figures_never_become_other_numbers(figure, template):
    sentence = template.format(n=figure)
    toml = draft(sentence)
    tomllib.loads(re.sub(r"^# (\[\[\w+\]\]|\w+ = .*)$", r"\1", toml, flags=re.MULTILINE))  # always valid TOML
    for _, value in values(toml):
        value = value.lstrip("-")
        # a whole figure of the article (not a piece of "2.5.3" or "1 000"), less its thousands separators
        pieces = [m.group().replace(",", "") for m in re.finditer(r"[\d.,]*\d", sentence)]
        assert value in pieces, (sentence, value)
        match = next(m for m in re.finditer(r"[\d.,]*\d", sentence) if m.group().replace(",", "") == value)
        written, before, after = match.group(), sentence[:match.start()], sentence[match.end():]
        assert "," not in written or re.fullmatch(r"[1-9]\d{0,2}(,\d{3})+(\.\d+)?", written), (sentence, value)
        # nor one group of a space-grouped figure ("1 000")
        assert not re.match(r"\s\d{3}(?!\d)", after), (sentence, value)
        assert not (re.search(r"\d\s$", before) and re.fullmatch(r"\d{3}", written)), (sentence, value)
