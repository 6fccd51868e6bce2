"""What the reader found in an article: plain frozen records, each with its evidence sentence."""

from __future__ import annotations

from dataclasses import dataclass

from tariffsim.news.rates import Rate

ACTIONS = ("increase", "threat", "exemption", "retaliation", "cut", "agreement", "negotiation", "deal")
# "deal": a tariff level an agreement sets on one side's goods ("the deal sets a 15% tariff on Japanese
# goods"): a [[change]] with set_percent, not an [[agreement]] (which cuts the members' tariffs).
ALL_PARTNERS = "all"
"""Target of a tariff on every partner's goods ("imports from all countries", "all imported cars")."""
GOODS = "goods"
"""Sector key of a tariff on all goods ("a baseline tariff on all imports", "reciprocal tariffs on Japanese
goods" with no product named): every sector but services."""
# Statuses. Measures that raise tariffs are "in force", "announced" (future tense: "will impose"),
# "threatened" or "suspended"; measures that lower them are "in force", "agreed", "proposed" or
# "under negotiation".
IN_FORCE, THREATENED, SUSPENDED, PROPOSED, NEGOTIATING, AGREED, ANNOUNCED = (
    "in force", "threatened", "suspended", "proposed", "under negotiation", "agreed", "announced")
NOT_IN_FORCE = frozenset({THREATENED, SUSPENDED, ANNOUNCED})
SUSPENDED_THREAT = "what is suspended is a threat: never in force"


@dataclass(frozen=True)
class Action:
    """One trade-policy action stated in one clause of the article.

    Attributes:
        action: one of ``ACTIONS``.
        status: one of the statuses above.
        imposer: ISO3 of the country levying (or cutting) the tariff; None when not said.
        target: ISO3 of the country whose goods are taxed; None when not said.
        members: ISO3 codes of the parties to an agreement or negotiation.
        sectors: sector codes or groups (``tariffsim.news.products``) of the products named.
        products: the product words as written.
        rate: the rate stated for it, or None.
        conditions: conditions attached ("as long as trade negotiations are under way").
        limit: a stated limit ("no bigger concessions than ... the Trans-Pacific Partnership").
        sentence: the sentence it came from.
        notes: how roles were filled where the clause did not say (e.g. from the negotiating pair).
    """

    action: str
    status: str
    sentence: str
    imposer: str | None = None
    target: str | None = None
    members: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    rate: Rate | None = None
    conditions: tuple[str, ...] = ()
    limit: str = ""
    notes: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The scenario step it becomes: ``"agreement"`` or ``"change"``."""
        return "agreement" if self.action in ("agreement", "negotiation") else "change"

    @property
    def lowers_tariffs(self) -> bool:
        return self.action in ("cut", "agreement", "negotiation")


@dataclass(frozen=True)
class Mention:
    """A country or product named in the article, with its code and the first sentence naming it."""

    kind: str
    surface: str
    code: str
    sentence: str


@dataclass(frozen=True)
class Measure:
    """One draft scenario step: the actions of the article that describe the same tariff move."""

    actions: tuple[Action, ...]

    @property
    def first(self) -> Action:
        return self.actions[0]

    def _known(self, field: str) -> str | None:
        return next((getattr(a, field) for a in self.actions if getattr(a, field)), None)

    @property
    def imposer(self) -> str | None:
        return self._known("imposer")

    @property
    def target(self) -> str | None:
        return self._known("target")

    @property
    def rate(self) -> Rate | None:
        return self._known("rate")

    @property
    def sectors(self) -> tuple[str, ...]:
        return next((a.sectors for a in self.actions if a.sectors), ())

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for a in self.actions for m in a.members))

    @property
    def status(self) -> str:
        statuses = [a.status for a in self.actions]
        for status in (SUSPENDED, THREATENED, ANNOUNCED, AGREED, IN_FORCE, NEGOTIATING):
            if status in statuses:
                return status
        return statuses[0]

    @property
    def conditions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for a in self.actions for c in a.conditions))

    @property
    def limits(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.limit for a in self.actions if a.limit))

    @property
    def notes(self) -> tuple[str, ...]:
        """Notes of its actions, less role notes where another action states that role itself."""
        notes = dict.fromkeys(n for a in self.actions for n in a.notes)
        for role, field in (("imposer:", "imposer"), ("target:", "target"), ("parties:", "members")):
            if any(getattr(a, field) and not any(n.startswith(role) for n in a.notes) for a in self.actions):
                notes = {n: None for n in notes if not n.startswith(role)}
        return tuple(notes)

    @property
    def evidence(self) -> Action:
        """The most telling action: one with a condition, limit or rate, and its roles stated."""
        return max(self.actions, key=lambda a: (bool(a.conditions or a.limit), a.rate is not None,
                                                not a.notes, bool(a.imposer and a.target)))

    @property
    def in_force(self) -> bool:
        """False for threats, announced and suspended measures: the draft writes them commented out."""
        return self.status not in NOT_IN_FORCE
