'''News text to a draft scenario: read an article, list what it says about trade policy, write a draft.

``tariffsim from-news ARTICLE --world ossa2014 --out draft.toml`` (or ``draft_from_news``) reads a
news article (plain text or HTML) and finds, each with the sentence it came from:

- countries: names, short forms, demonyms and capitals ("Japan", "U.S.", "Japanese", "Tokyo"), as ISO3
  codes (``pycountry`` plus small tables in ``countries``), mapped to the world's codes (``world_names``:
  EU members to the EU region, others to ROW, or flagged);
- the negotiating pair: the two countries named most often as parties to talks or agreements;
- actions (``actions``): tariff increase, threat, exemption/suspension, retaliation, cut, agreement,
  negotiation, with their status, conditions ("as long as trade negotiations are under way") and
  limits ("no bigger concessions than ... the Trans-Pacific Partnership") (``conditions``);
- products, mapped to sectors by the keyword table in ``products`` (cars, autos, auto parts -> ``mvh``;
  farm or agricultural products -> the ``agriculture`` group; steel -> ``i_s``; aluminium -> ``nfm``);
- rates as written: "25 percent", "25%", "by 10 percentage points", "to 10 percent" (``rates``);
- the 2025 vocabulary (``actions``): "reciprocal tariff" and "baseline 10%" (increases on all goods),
  "Section 232" (the US as imposer), "paused for 90 days" (a suspension with its duration as condition),
  "deal sets 15%" (a level set by a deal: ``set_percent``), and "imports from all countries" / "all
  imported cars" (every partner: exporters = "all").

The draft (``draft``) never holds a number the article does not give: a missing value is the
placeholder "TODO" with a comment saying what to fill, so ``load_scenario`` and ``tariffsim solve``
refuse the draft until it is finished.

Proposed versus in force. The draft is the policy path the article reports: measures in force, and
cuts and agreements that are agreed, proposed or under negotiation, are active ``[[change]]`` /
``[[agreement]]`` tables. Threats (tariff increases or retaliation that are threatened), announced
increases (future tense: "will impose", "is set to raise") and suspended measures (exemptions,
shelved or postponed tariffs) are the alternative the article mentions: they
are written in full but commented out, every line starting with "# ", under a banner such as
``# ---- SUSPENDED, NOT IN FORCE (suspended threat)`` with their conditions. A user removes the "# " to
model the threat carried out; ``solve`` never runs a threat by accident. Each step's
``description`` starts with its status ("In force", "Under negotiation", "Suspended threat", ...).

Reading is rule-based (regular expressions and word tables), deterministic and offline: no model is
downloaded or run. Modules: ``text`` (HTML and page furniture), ``sentences``, ``countries``,
``products``, ``rates``, ``conditions``, ``actions``, ``extract`` (the pipeline and merging into
measures), ``world_names``, ``draft``, ``listing`` (the list of findings).
'''

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tariffsim.news.draft import draft_toml
from tariffsim.news.extract import Findings, read_findings
from tariffsim.news.listing import finding_items
from tariffsim.news.text import Article, parse_article, read_article
from tariffsim.news.world_names import WorldNames
from tariffsim.world import World


@dataclass(frozen=True)
class NewsDraft:
    """What ``draft_from_news`` returns: the findings, the list of items, and the draft TOML text."""

    findings: Findings
    items: list[dict[str, str]]
    toml: str


def draft_from_news(article: Article | str | Path, world: World | None = None,
                    world_spec: str | None = None) -> NewsDraft:
    """Read an article (an ``Article``, or a file path) and draft a scenario for ``world``.

    ``world_spec`` is how the world was named (``"ossa2014"``, ``"demo"``, a folder); it becomes the
    draft's ``world`` key, so ``tariffsim solve`` finds the same data.
    """
    if not isinstance(article, Article):
        article = read_article(article)
    names = WorldNames(world)
    findings = read_findings(article)
    return NewsDraft(findings, finding_items(findings, names), draft_toml(findings, names, world_spec))


__all__ = ["Article", "Findings", "NewsDraft", "draft_from_news", "parse_article", "read_article"]
