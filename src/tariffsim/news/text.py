"""Article text from a file: plain text or HTML, with page furniture (menus, captions, links) dropped.

The result is an ``Article``: the headline (the first line that reads like one) and the body
paragraphs, in order. Page furniture is recognised line by line: navigation words ("Skip to
content", "Menu", "Also in ..."), photo captions and credits, share/subscribe prompts, and short
lines without a full stop after the headline (menu entries, section names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from tariffsim.errors import TariffsimError

# Elements whose text is never article text.
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                          "button", "select", "figure", "figcaption", "menu", "svg", "iframe", "template"})
# Elements that end a line of text.
BLOCK_TAGS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                        "article", "main", "blockquote", "tr", "td", "th", "table", "title", "hr", "dd", "dt"})
VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "source", "wbr"})
HEADLINE_TAGS = frozenset({"h1"})

FURNITURE = re.compile(
    r"^(skip to (main )?content|skip navigation|jump to|main menu|menu|home|search|sign in|log ?in|"
    r"subscribe|newsletter|advertisement|share( this( article)?)?|print|e-?mail|related( articles| stories)?|"
    r"read more|most (read|popular|viewed)|recommended|also in\b|more from\b|follow us|"
    r"copyright|all rights reserved|cookie|privacy|terms of use|back to top)",
    re.IGNORECASE,
)
FURNITURE_ANYWHERE = re.compile(r"\bon social media\b|\bskip(ping)? (to )?the (main )?(menu|content|navigation)\b|"
                                r"\bmain text area\b|\(c\)|©|\ball rights reserved\b", re.IGNORECASE)
CAPTION = re.compile(r"\((AP|AFP|Reuters|Getty|Kyodo|Bloomberg|EPA|Xinhua)?\s*(Photo|Images?)\b[^)]*\)\s*$|"
                     r"^(photo|image|file photo|caption)\s*[:/]", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
MIN_HEADLINE_WORDS = 4
MIN_BODY_WORDS_WITHOUT_STOP = 12
HTML_HINT = re.compile(r"<(!doctype|html|head|body|p|div|article|main|h1)\b", re.IGNORECASE)
MAX_ARTICLE_BYTES = 2_000_000  # a long news page is ~0.5 MB of HTML; beyond this it is not one article
MAX_NON_TEXT_SHARE = 0.05  # share of undecodable bytes and control characters above which a file is binary
NON_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


@dataclass(frozen=True)
class Article:
    """The readable text of a news page.

    Attributes:
        headline: the page's headline ("" when none was found).
        paragraphs: body paragraphs in page order, furniture removed, whitespace normalised.
        source: where the text came from (a file name), for the draft's ``source``.
    """

    headline: str
    paragraphs: tuple[str, ...]
    source: str = ""


def read_article(path: str | Path) -> Article:
    """Read a news article from a plain-text or HTML file (UTF-8)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise TariffsimError(f"{path} is {size / 1e6:.1f} MB: an article is at most {MAX_ARTICLE_BYTES / 1e6:g} MB; "
                                 "save the article's own text or page, not a whole site or archive")
        with path.open("rb") as handle:
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except FileNotFoundError as error:
        raise TariffsimError(f"article file {str(path)!r} not found") from error
    except IsADirectoryError as error:
        raise TariffsimError(f"{path} is a folder: give the article's file (plain text or HTML)") from error
    except OSError as error:
        raise TariffsimError(f"cannot read the article {path}: {error.strerror or error}") from error
    if len(data) > MAX_ARTICLE_BYTES:  # grew while read, or a device
        raise TariffsimError(f"{path} is over {MAX_ARTICLE_BYTES / 1e6:g} MB: an article is at most "
                             f"{MAX_ARTICLE_BYTES / 1e6:g} MB")
    raw = data.decode("utf-8-sig", errors="replace")
    binary = _binary_reason(data, raw)
    if binary:
        raise TariffsimError(f"{path} is not a text file ({binary}): give the article as plain text or HTML "
                             "(UTF-8), e.g. the page saved from a browser")
    article = parse_article(raw, source=path.name)
    if not article.paragraphs and not article.headline:
        raise TariffsimError(f"{path}: no article text found (empty file, or only menus and links)")
    return article


def _binary_reason(data: bytes, raw: str) -> str:
    """Why ``data`` is not text (NUL bytes, or many undecodable bytes or control characters), or ""."""
    if b"\x00" in data:
        return "it holds NUL bytes"
    bad = len(NON_TEXT.findall(raw))
    if raw and bad / len(raw) > MAX_NON_TEXT_SHARE:
        return f"{bad / len(raw):.0%} of its characters are not UTF-8 text"
    return ""


def parse_article(raw: str, source: str = "") -> Article:
    """An Article from raw text: HTML when it looks like HTML, plain text otherwise."""
    if HTML_HINT.search(raw[:5000]):
        lines, headline = _html_lines(raw)
    else:
        lines, headline = [line.strip() for line in raw.splitlines()], ""
    kept = [_normalise(line) for line in lines if line.strip()]
    kept = [line for line in kept if not _is_furniture(line)]
    if not headline:
        headline = next((line for line in kept if len(line.split()) >= MIN_HEADLINE_WORDS), "")
    body = [line for line in kept if line != headline and _reads_like_text(line)]
    return Article(headline=headline, paragraphs=tuple(body), source=source)


def _normalise(line: str) -> str:
    return re.sub(r"\s+", " ", line.replace("\u00a0", " ")).strip()


def _is_furniture(line: str) -> bool:
    return bool(FURNITURE.match(line) or FURNITURE_ANYWHERE.search(line) or CAPTION.search(line))


def _reads_like_text(line: str) -> bool:
    """Body text ends like a sentence, or is long enough to be prose (not a menu entry)."""
    return bool(SENTENCE_END.search(line)) or len(line.split()) >= MIN_BODY_WORDS_WITHOUT_STOP


def _html_lines(raw: str) -> tuple[list[str], str]:
    parser = _TextParser()
    parser.feed(raw)
    parser.close()
    main = parser.article_lines or parser.lines
    headline = _normalise(parser.headline or parser.title)
    return main, headline


class _TextParser(HTMLParser):
    """Collects text lines outside furniture elements; those inside <article>/<main> apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.article_lines: list[str] = []
        self.headline = ""
        self.title = ""
        self._current: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self._flush()
        if tag not in VOID_TAGS:
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self._flush()
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if any(tag in SKIPPED_TAGS for tag in self._stack):
            return
        self._current.append(data)

    def _flush(self) -> None:
        line = _normalise("".join(self._current))
        self._current = []
        if not line:
            return
        if "title" in self._stack and not self.title:
            self.title = line
            return
        if any(tag in HEADLINE_TAGS for tag in self._stack) and not self.headline:
            self.headline = line
            return
        self.lines.append(line)
        if "article" in self._stack or "main" in self._stack:
            self.article_lines.append(line)

    def close(self) -> None:
        super().close()
        self._flush()
