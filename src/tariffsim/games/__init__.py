"""Tariff games: optimal tariffs, Nash tariff wars, cooperative trade talks."""

from tariffsim.games.optimal import OptimalTariffs, SearchOptions, optimal_tariffs

__all__ = ["OptimalTariffs", "SearchOptions", "optimal_tariffs"]
