"""Tariff games: optimal tariffs, Nash tariff wars, cooperative trade talks."""

from tariffsim.games.nash import NashEquilibrium, Round, nash_tariffs
from tariffsim.games.optimal import OptimalTariffs, SearchOptions, optimal_tariffs

__all__ = ["NashEquilibrium", "OptimalTariffs", "Round", "SearchOptions", "nash_tariffs", "optimal_tariffs"]
