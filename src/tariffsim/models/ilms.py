"""The Liberation Day model of Ignatenko, Lashkaripour, Macedoni and Simonovska (2025), "Making America Great
Again? The Economic Impacts of Liberation Day Tariffs" (MODEL_ILMS2025.md, from the authors' MATLAB code).

One sector, CES trade shares with elasticity ε, scale economies (unit cost ŵ / L̂^ψ), a share ν_i of
sales into market i paid to market i's labour (so the tariff elasticity φ_i = φ̃ + ς_i exceeds the
pass-through φ̃), labour supply with elasticity κ, transfers T held fixed as a share of world income,
tariff revenue spent by the importer and either replacing an income tax or rebated lump-sum.
Equations: ``_ilms_equations`` (§5) and ``_ilms_io_equations`` (§11, input-output links).

Usage::

    from tariffsim.ilms_data import read_ilms_data
    from tariffsim.ilms_experiments import spec_experiment, us_tariffs
    data = read_ilms_data(folder)                         # the paper's world and ν (or any one-sector World)
    model = Ilms()                                        # get_model("ilms", revenue_use="lump_sum", ...)
    calibration = model.calibrate(data)
    policy = Policy(us_tariffs(data.world, data.announced, {"EU": 0.2, "CHN": 1.45}), name="April 2, CHN 145%")
    equilibrium = model.solve(calibration, policy)
    results_columns(equilibrium)                          # the spec's seven result columns (§5 Outputs)

Options (fields, with the paper's values as defaults): ``trade_elasticity`` ε = 4,
``labour_supply_elasticity`` κ = 0.5, ``scale_elasticity`` ψ = 0.67/4 (kept when ε changes, as B9 does),
``pass_through`` φ̃ = 1, ``revenue_use`` ``"income_tax"`` (lump_sum = 0 in the code) or ``"lump_sum"``,
``eaton_kortum`` (ν = 0, income = sales: B3), ``input_output`` with ``value_added_share`` β = 0.49
(§11), ``transfers`` ``"fixed"`` (T of the data, scaled with world income) or ``"no_us_bilateral"``
(§8's "balanced trade", D2 and D4), ``home`` the country of ν's second value and of ``no_us_bilateral``
(USA), ``nu_targets`` (0.12, 0.26) for worlds calibrated from their own flows.

The spec's experiments as model options plus a Policy (``tariffsim.ilms_experiments.spec_experiment(id,
data)`` builds each one; USTR = the announced US tariffs with their 10% floor, ``us_tariffs``):

    B1  Ilms()                               USTR
    B2  Ilms(pass_through=0.25)              USTR
    B3  Ilms(eaton_kortum=True)              USTR                          (= D1)
    B8  Ilms(revenue_use="lump_sum")         USTR
    B9  Ilms(trade_elasticity=8)             USTR                          (ψ and φ stay at ε = 4: quirk)
    B4  Ilms()                               uniform US tariff optimal_tariff(cal, "expenditure"), nothing else
    B5  Ilms()                               USTR + retaliation(optimal_retaliation_tariff(cal))
    B6  Ilms()                               reciprocal(USTR)
    B7  Ilms()                               uniform optimal_tariff(cal, "income") + the B5 retaliation
    R1  Ilms()                               trade_war: 10% both ways, CHN and the code's 25 EU ids at USTR
    R2  Ilms()                               trade_war: 10% both ways, CHN at USTR both ways
    R3  Ilms()                               trade_war: 10% both ways, CHN at 108% both ways
    D1  Ilms(eaton_kortum=True)              USTR
    D2  Ilms(transfers="no_us_bilateral")    USTR minus the same model at zero tariffs (difference of % changes)
    D3  Ilms(eaton_kortum=True)              USTR + retaliation 1/ε
    D4  Ilms(transfers="no_us_bilateral")    USTR + retaliation 1/((1+ε) φ_US - 1), minus zero tariffs
    IO1 Ilms(input_output=True)              USTR
    IO3 Ilms(input_output=True)              reciprocal(USTR)

Not here: IO2 and IO4 (the paper's MPEC optima: games on this model, ``tariffsim.ilms_games``) and the
multi-sector models MS1, MS2, MIO1, MIO2 (their data, trade_ITPD.csv, is absent).

Games: the Kernel gives the paper's welfare Ŵ as ``welfare_parts`` (``_ilms_equations.paper_welfare_parts``)
and reverse-mode gradients, so every game of ``tariffsim.games`` runs on this model and maximises Ŵ
(``government_welfare_hat`` is Ŵ too; political-economy weights cancel with one sector).

Unknowns are ln ŵ and ln L̂ (Ê in closed form; ln P̂ too with input-output links); the last country's
income equation is replaced by the numeraire (E-weighted mean CPI change = 0; with input-output links,
income-weighted mean wage change = 0). Every solution is checked against every equation, the dropped
one included, except with ``transfers="no_us_bilateral"``, whose world budget does not add up (§8
quirk): there the last country (ZWE) absorbs the gap and its income equation cannot hold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import ClassVar, Literal, get_args

import numpy as np
import pandas as pd

from tariffsim.errors import OptionError
from tariffsim.ilms_data import (
    HOME,
    NU_TARGETS,
    IlmsData,
    baseline_flows,
    ilms_data_from_world,
    input_output_flows,
    no_us_bilateral_transfers,
    one_sector_flows,
    selection_elasticity,
)
from tariffsim.models import _ilms_equations as eq
from tariffsim.models import _ilms_io_equations as io_eq
from tariffsim.models._variables import BILATERAL_VARIABLES, HEADLINE_VARIABLES, LEVEL_VARIABLES, country
from tariffsim.models.base import (
    Calibration,
    Equations,
    Kernel,
    TradeModel,
    Variable,
    labels,
)
from tariffsim.policy import Policy
from tariffsim.world import World

RevenueUse = Literal["income_tax", "lump_sum"]
Transfers = Literal["fixed", "no_us_bilateral"]


def _kernel(module, check_dropped: bool) -> Kernel:
    return Kernel(residuals=module.residuals, jacobian=module.jacobian,
                  full_residuals=partial(module.full_residuals, check_dropped=check_dropped),
                  outcome=module.outcome, welfare_parts=module.welfare_parts, gradients="reverse")


# One Kernel (function objects compiled once) per equation set and check of the dropped equation.
KERNELS: dict[tuple[bool, bool], Kernel] = {(io, check): _kernel(io_eq if io else eq, check)
                                            for io in (False, True) for check in (False, True)}


# ------------------------------------------------------------------------------------ result columns
def deficit_change(equilibrium) -> np.ndarray:
    """(N,) 100 (D' - D) / |D|, D = imports - exports (pre-tariff values; §5 results column 2)."""
    world = equilibrium.world
    before, after = world.imports - world.exports, equilibrium.imports - equilibrium.exports
    return 100 * (after - before) / np.abs(before)


def _to_gdp_change(new_flow, base_flow, equilibrium) -> np.ndarray:
    income = np.asarray(equilibrium.calibration.params.income)
    return 100 * ((new_flow / equilibrium.income_new) / (base_flow / income) - 1)


def exports_to_gdp_change(equilibrium) -> np.ndarray:
    """(N,) % change of exports over income Y' (§5 results column 3)."""
    return _to_gdp_change(equilibrium.exports, equilibrium.world.exports, equilibrium)


def imports_to_gdp_change(equilibrium) -> np.ndarray:
    """(N,) % change of imports (pre-tariff) over income Y' (§5 results column 4)."""
    return _to_gdp_change(equilibrium.imports, equilibrium.world.imports, equilibrium)


def _pct(field: str):
    return lambda e: 100 * (getattr(e, field) - 1)


VARIABLES: tuple[Variable, ...] = (
    country("welfare", "pct",
            "welfare: money-metric utility net of labour disutility, δ Ê/P̂ + (1-δ) ŵL̂/P̂, % change",
            _pct("W_hat"), "welfare", "headline"),
    country("deficit", "pct", "goods trade deficit (imports - exports), change in % of its absolute baseline",
            deficit_change, "deficit", "headline"),
    country("exports_to_gdp", "pct", "exports over income (GDP), % change", exports_to_gdp_change, "exports/GDP",
            "headline"),
    country("imports_to_gdp", "pct", "imports at pre-tariff values over income (GDP), % change",
            imports_to_gdp_change, "imports/GDP", "headline"),
    country("employment", "pct", "employment L, % change", _pct("L_hat"), "employment", "headline"),
    country("price_index", "pct", "consumer price index, % change", _pct("P_hat"), "prices", "headline"),
    country("nominal_wage", "pct",
            "wage in units of the numeraire (mean CPI change 0; with input-output links mean wage change 0), % change",
            _pct("w_hat")),
    country("expenditure", "pct", "nominal spending (tariff revenue included), % change", _pct("E_hat")),
    country("income", "pct", "labour income (GDP) w L, % change", lambda e: 100 * (e.w_hat * e.L_hat - 1)),
    *(replace(v, group="") for v in HEADLINE_VARIABLES if v.name in ("exports", "imports")),
    *(v for v in LEVEL_VARIABLES if v.name != "net_exports_new"),
    country("income_new", "data_units", "counterfactual labour income (GDP) Y'", lambda e: e.income_new),
    *BILATERAL_VARIABLES,
)

RESULT_COLUMNS = ("welfare", "deficit", "exports_to_gdp", "imports_to_gdp", "employment", "price_index")


def results_columns(equilibrium) -> pd.DataFrame:
    """The spec's ``results`` array (§5 Outputs) by country: columns 1-6 in percent and ``revenue`` (column
    7) = counterfactual tariff revenue over baseline spending, a fraction."""
    variables = {v.name: v for v in VARIABLES}
    frame = pd.DataFrame({name: variables[name].compute(equilibrium) for name in RESULT_COLUMNS},
                         index=pd.Index(equilibrium.world.countries, name="country"))
    frame["revenue"] = equilibrium.revenue / np.asarray(equilibrium.calibration.params.expenditure)
    return frame


def world_changes(equilibrium) -> dict[str, float]:
    """The spec's scalar outputs (§5): ``trade_to_gdp`` = d_trade, the % change of world trade (new flows
    gross of tariffs, a quirk) over world income; ``employment`` = d_employment, the income-weighted mean
    employment change (weights: §2.5 income, Y^IO with input-output links)."""
    world, params = equilibrium.world, equilibrium.calibration.params
    foreign_base = world.exports.sum()
    gross = (1 + equilibrium.policy.tariffs) * equilibrium.foreign_trade
    income_ratio = float(np.sum(equilibrium.income_new) / np.sum(params.income))
    weights = np.asarray(params.employment_weights)
    return {"trade_to_gdp": 100 * (gross.sum() / foreign_base / income_ratio - 1),
            "employment": float(weights @ (100 * (equilibrium.L_hat - 1)) / weights.sum())}


# ------------------------------------------------------------------------------------------ the model
@dataclass(frozen=True)
class Ilms(TradeModel):
    """The ILMS (2025) model in changes (see the module docstring for the options and experiments)."""

    name: ClassVar[str] = "ilms"
    instruments: ClassVar[frozenset[str]] = frozenset({"tariffs"})
    variables: ClassVar[tuple[Variable, ...]] = VARIABLES
    headline_caption: ClassVar[str] = ("welfare = money-metric utility net of labour disutility (the paper's W); "
                                       "deficit, exports/GDP and imports/GDP at pre-tariff prices")
    trade_elasticity: float = 4.0
    labour_supply_elasticity: float = 0.5
    scale_elasticity: float = 0.67 / 4
    pass_through: float = 1.0
    revenue_use: RevenueUse = "income_tax"
    eaton_kortum: bool = False
    input_output: bool = False
    value_added_share: float = 0.49
    transfers: Transfers = "fixed"
    home: str = HOME
    nu_targets: tuple[float, float] = NU_TARGETS

    def __post_init__(self) -> None:
        for option, value, allowed in (("revenue_use", self.revenue_use, RevenueUse),
                                       ("transfers", self.transfers, Transfers)):
            if value not in get_args(allowed):
                raise OptionError(f"ilms: {option}={value!r} is not one of "
                                  f"{', '.join(repr(a) for a in get_args(allowed))}")
        for option, low in (("trade_elasticity", 0.0), ("labour_supply_elasticity", None),
                            ("scale_elasticity", None), ("pass_through", 0.0)):
            value = getattr(self, option)
            if not np.isfinite(value) or (low is not None and value <= low) or (low is None and value < 0):
                rule = f"> {low:g}" if low is not None else ">= 0"
                raise OptionError(f"ilms: {option}={value!r} must be a finite number {rule}")
        if not 0 < self.value_added_share <= 1:
            raise OptionError(f"ilms: value_added_share={self.value_added_share!r} must be in (0, 1] (the paper: 0.49)")

    def kernel(self) -> Kernel:
        return KERNELS[(self.input_output, self.transfers == "fixed")]

    def government_welfare_hat(self, equilibrium, weights: np.ndarray) -> np.ndarray:
        """(N,) the games' objective: the paper's welfare change Ŵ (§5; final spending with input-output
        links), as the Kernel's ``welfare_parts`` give it. One sector, so ``weights`` cancel."""
        return np.asarray(equilibrium.W_hat)

    def calibrate(self, source: World | IlmsData) -> Calibration:
        """The baseline of this variant from ``IlmsData`` (``tariffsim.ilms_data.read_ilms_data``: the
        paper's ν) or a one-sector World without tariffs (ν from its own flows, ``nu_from_flows``)."""
        data = source if isinstance(source, IlmsData) else ilms_data_from_world(source, self.nu_targets, self.home)
        world = data.world
        X = one_sector_flows(world)
        home = world.country_index(self.home)
        main_income = baseline_flows(X, data.nu)[1]  # §5: employment weights, also for the EK variant
        nu = np.zeros_like(data.nu) if self.eaton_kortum else data.nu
        if self.input_output:
            X, E, Y, T = input_output_flows(X, nu, self.value_added_share)
            world, weights = world.with_trade(X[:, :, None]), Y
        else:
            E, Y, T = baseline_flows(X, nu)
            weights = main_income
        if self.transfers == "no_us_bilateral":
            T = no_us_bilateral_transfers(X, T, home)
        params = eq.as_arrays(
            shares=X / E[None, :], expenditure=E, income=Y, transfers=T, nu=nu,
            phi=self.pass_through + selection_elasticity(nu, self.scale_elasticity), epsilon=self.trade_elasticity,
            kappa=self.labour_supply_elasticity, psi=self.scale_elasticity,
            tax_relief=1.0 if self.revenue_use == "income_tax" else 0.0, beta=self.value_added_share,
            employment_weights=weights)
        facts = {"nu_rest": float(np.delete(nu, home)[0]), "nu_home": float(nu[home]),
                 "world_budget_gap": float(T.sum() / E.sum())}
        return Calibration(self, world, params, data, facts)

    def equations(self, calibration: Calibration, policy: Policy) -> Equations:
        world = calibration.world
        names = tuple(world.countries)
        unknowns = labels("log w_hat {}", names) + labels("log L_hat {}", names)
        if self.input_output:
            unknowns += labels("log P_hat {}", names)
        income = labels("income of {}", names)
        if self.transfers != "fixed":
            income = income[:-1]  # absorbs the world budget gap (module docstring)
        checks = income + labels("budget of {}", names) + labels("labour supply of {}", names)
        if self.input_output:
            checks += labels("price index of {}", names)
            numeraire = "numeraire (income-weighted mean wage change = 0)"
        else:
            numeraire = "numeraire (spending-weighted mean CPI change = 0)"
        return Equations(
            kernel=self.kernel(), params=calibration.params, policy=policy.arrays(world),
            start=np.zeros(len(unknowns)), unknowns=unknowns, equations=checks + (numeraire,),
            what_to_try=("a smaller shock (tariffs of several hundred percent can leave no equilibrium with "
                         "income-tax relief: the tax removed, revenue over income, must stay below 100%), "
                         "revenue_use='lump_sum', or SolverConfig(max_steps=..., max_log_step=0.5)"))


__all__ = [
    "KERNELS",
    "RESULT_COLUMNS",
    "VARIABLES",
    "Ilms",
    "deficit_change",
    "exports_to_gdp_change",
    "imports_to_gdp_change",
    "results_columns",
    "world_changes",
]
