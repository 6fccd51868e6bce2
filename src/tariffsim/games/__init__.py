"""Tariff games: optimal tariffs, Nash tariff wars, cooperative trade talks."""

from tariffsim.games.bargaining import Bargaining, Deal, bargain
from tariffsim.games.nash import NashEquilibrium, Round, nash_tariffs
from tariffsim.games.optimal import OptimalTariffs, SearchOptions, optimal_tariffs
from tariffsim.games.talks import UNRESTRICTED_LOWER, TradeTalks, cooperative_tariffs, rebase
from tariffsim.games.weights import PoliticalWeights, WeightsFit, calibrate_weights

__all__ = ["UNRESTRICTED_LOWER", "Bargaining", "Deal", "NashEquilibrium", "PoliticalWeights", "WeightsFit",
           "bargain", "calibrate_weights", "OptimalTariffs", "Round", "SearchOptions", "TradeTalks",
           "cooperative_tariffs", "nash_tariffs", "optimal_tariffs", "rebase"]
