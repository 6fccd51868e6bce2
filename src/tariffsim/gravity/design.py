"""Ready-made structural gravity designs: a formula in pyfixest/fixest syntax plus the sample it needs.

A design is a frozen description; ``design.prepare(data)`` returns the estimation sample (derived
columns added, domestic flows and years selected) and ``design.formula(sample)`` the formula.
Anything a design cannot say can be said with a plain formula string passed to ``estimate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import pandas as pd

from tariffsim.errors import DataValidationError
from tariffsim.gravity import panel

FixedEffects = Literal["exporter-year+importer-year", "exporter-year+importer-year+pair", "exporter+importer", "none"]



@dataclass(frozen=True)
class GravityDesign:
    """A standard gravity specification.

    outcome         trade-flow column (levels; PPML) -- ``trade`` in the book's data
    covariates      cost covariates as written in the formula (``ln_DIST``, ``CNTG``, ``RTA`` ...)
    fixed_effects   which fixed effects absorb multilateral resistances (and pair costs)
    domestic        keep domestic flows (exporter == importer); required for border effects
    border_by_year  add ``INTL_BRDR_<year>`` for every sample year except the last (the base)
    agreement       a 0/1 agreement column whose lags/leads are added (e.g. ``RTA``)
    lags, leads     years of lags/leads of ``agreement`` (``RTA_LAG4``, ``RTA_LEAD4``)
    years           keep only these years (e.g. 1986, 1990, ..., 2006); None keeps all
    """

    outcome: str = "trade"
    covariates: tuple[str, ...] = ()
    fixed_effects: FixedEffects = "exporter-year+importer-year"
    domestic: bool = False
    border_by_year: bool = False
    agreement: str | None = None
    lags: tuple[int, ...] = ()
    leads: tuple[int, ...] = ()
    years: tuple[int, ...] | None = None
    exporter: str = "exporter"
    importer: str = "importer"
    year: str = "year"

    def __post_init__(self) -> None:
        if self.fixed_effects not in get_args(FixedEffects):
            raise DataValidationError(
                f"fixed_effects={self.fixed_effects!r} is not one of {get_args(FixedEffects)}"
            )
        if self.border_by_year and not self.domestic:
            raise DataValidationError(
                "border_by_year=True needs domestic=True: international-border dummies are identified "
                "only against domestic flows (exporter == importer)."
            )
        if (self.lags or self.leads) and self.agreement is None:
            raise DataValidationError("lags/leads need agreement=<column>, e.g. agreement='RTA'")

    def prepare(self, data: pd.DataFrame) -> pd.DataFrame:
        """The estimation sample: lags/leads (from the full panel), then years and domestic rows selected."""
        out = data
        if self.agreement is not None and (self.lags or self.leads):
            out = panel.add_lags(out, self.agreement, lags=self.lags, leads=self.leads,
                                 exporter=self.exporter, importer=self.importer, year=self.year)
        out = panel.add_gravity_columns(out, exporter=self.exporter, importer=self.importer, year=self.year)
        if self.years is not None:
            out = out[out[self.year].isin(self.years)]
            if out.empty:
                raise DataValidationError(f"no rows for years {self.years} in column {self.year!r}")
        if not self.domestic:
            out = out[out[panel.BORDER] == 1]
        return out

    def terms(self, sample: pd.DataFrame) -> list[str]:
        """Right-hand-side terms (before ``|``) for this sample."""
        terms = list(self.covariates)
        if self.agreement is not None:
            terms += [f"{self.agreement}_LEAD{k}" for k in self.leads]
            terms += [f"{self.agreement}_LAG{k}" for k in self.lags]
        if self.border_by_year:
            complete = sample[terms].notna().all(axis=1)  # rows whose lags/leads exist
            years = sorted(sample.loc[complete, self.year].unique())
            terms += [panel.border_year_column(y) for y in years[:-1]]
        if not terms:
            raise DataValidationError("the design has no covariates: give covariates=(...) or border_by_year=True")
        return terms

    def formula(self, sample: pd.DataFrame) -> str:
        """The pyfixest formula, e.g. ``trade ~ RTA + INTL_BRDR_1986 | exp_year + imp_year + pair``."""
        rhs = " + ".join(self.terms(sample))
        fe = {
            "exporter-year+importer-year": f"{panel.EXP_YEAR} + {panel.IMP_YEAR}",
            "exporter-year+importer-year+pair": f"{panel.EXP_YEAR} + {panel.IMP_YEAR} + {panel.PAIR}",
            "exporter+importer": f"{self.exporter} + {self.importer}",
            "none": "",
        }[self.fixed_effects]
        return f"{self.outcome} ~ {rhs}" + (f" | {fe}" if fe else "")
