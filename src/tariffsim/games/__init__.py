"""Tariff games: optimal tariffs, Nash tariff wars, cooperative trade talks."""

from tariffsim.games.nash import NashEquilibrium, Round, nash_tariffs
from tariffsim.games.optimal import OptimalTariffs, SearchOptions, optimal_tariffs
from tariffsim.games.talks import UNRESTRICTED_LOWER, TradeTalks, cooperative_tariffs, rebase

__all__ = ["UNRESTRICTED_LOWER", "NashEquilibrium", "OptimalTariffs", "Round", "SearchOptions", "TradeTalks",
           "cooperative_tariffs", "nash_tariffs", "optimal_tariffs", "rebase"]
