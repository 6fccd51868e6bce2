"""The estimation applications of Yotov, Piermartini, Monteiro and Larch (2016), chapter 1.

Each function takes the book's data (a DataFrame read from its .dta file), runs the book's columns
through ``estimate`` and returns ``(results, table)``: the ``GravityResult`` per column and the
side-by-side table in the book's layout (estimate over standard error, N at the bottom).
Sample years are the book's: 1986, 1990, ..., 2006.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tariffsim.gravity import panel
from tariffsim.gravity.design import GravityDesign
from tariffsim.gravity.estimate import GravityResult, estimate
from tariffsim.gravity.tables import compare

BOOK_YEARS = (1986, 1990, 1994, 1998, 2002, 2006)
STANDARD = ("ln_DIST", "CNTG", "LANG", "CLNY")


def _panel(data: pd.DataFrame) -> pd.DataFrame:
    out = panel.add_gravity_columns(data)
    return out[out["year"].isin(BOOK_YEARS)].copy()


def traditional_gravity(data: pd.DataFrame) -> tuple[dict[str, GravityResult], pd.DataFrame]:
    """Chapter 1, application 1 (Chapter1Application1.dta): OLS (a constant, no fixed effects), OLS with
    remoteness, OLS with exporter-year/importer-year fixed effects, PPML with them; international flows
    only; standard errors clustered by ``pair_id`` (the same for both directions), as the book's code
    (``cluster(pair_id)``)."""
    df = _panel(data)
    y_out = df.groupby(["exporter", "year"])["trade"].transform("sum")
    e_exp = df.groupby(["importer", "year"])["trade"].transform("sum")
    world = df.groupby("year")["trade"].transform("sum")
    df["ln_Y"], df["ln_E"] = np.log(y_out), np.log(e_exp)
    df["ln_REM_EXP"] = np.log((df["DIST"] / (e_exp / world)).groupby([df["exporter"], df["year"]]).transform("sum"))
    df["ln_REM_IMP"] = np.log((df["DIST"] / (y_out / world)).groupby([df["importer"], df["year"]]).transform("sum"))
    df = df[df[panel.BORDER] == 1]
    df["ln_trade"] = np.log(df["trade"].where(df["trade"] > 0))
    rhs = " + ".join(STANDARD)
    by_pair = dict(vcov="pair_id")
    results = {
        "OLS": estimate(df, f"ln_trade ~ {rhs} + ln_Y + ln_E", method="ols", **by_pair),
        "Remoteness": estimate(df, f"ln_trade ~ {rhs} + ln_Y + ln_E + ln_REM_EXP + ln_REM_IMP", method="ols",
                               **by_pair),
        "Fixed Effects": estimate(df, f"ln_trade ~ {rhs} | exp_year + imp_year", method="ols", **by_pair),
        "PPML": estimate(df, f"trade ~ {rhs} | exp_year + imp_year", **by_pair),
    }
    return results, compare(results, list(STANDARD) + ["ln_Y", "ln_E", "ln_REM_EXP", "ln_REM_IMP"])


def distance_puzzle(data: pd.DataFrame) -> tuple[dict[str, GravityResult], pd.DataFrame]:
    """Chapter 1, application 2 (Chapter1Application2.dta): year-specific distance effects by OLS and
    PPML on international flows, then PPML with domestic flows, internal distance, a home dummy and
    country-specific domestic fixed effects. Adds the book's "% change 1986-2006" row."""
    df = _panel(data)
    domestic = df[panel.BORDER] == 0
    dist_terms = [f"ln_DIST_{y}" for y in BOOK_YEARS]
    for y, term in zip(BOOK_YEARS, dist_terms, strict=True):
        df[term] = np.where((df["year"] == y) & ~domestic, df["ln_DIST"], 0.0)
    df["ln_DIST_INTRA"] = np.where(domestic, df["ln_DIST"], 0.0)
    df["SMCTRY"] = domestic.astype(np.int8)
    df["intra"] = np.where(domestic, df["exporter"].astype(str), "international")
    intl = df[~domestic].copy()
    intl["ln_trade"] = np.log(intl["trade"].where(intl["trade"] > 0))
    rhs = " + ".join(dist_terms + ["CNTG", "LANG", "CLNY"])
    results = {
        "OLS": estimate(intl, f"ln_trade ~ {rhs} | exp_year + imp_year", method="ols"),
        "PPML": estimate(intl, f"trade ~ {rhs} | exp_year + imp_year"),
        "Internal Dist": estimate(df, f"trade ~ {rhs} + ln_DIST_INTRA | exp_year + imp_year"),
        "Home bias": estimate(df, f"trade ~ {rhs} + ln_DIST_INTRA + SMCTRY | exp_year + imp_year"),
        "Country FEs": estimate(df, f"trade ~ {rhs} | exp_year + imp_year + intra"),
    }
    table = compare(results, dist_terms + ["CNTG", "LANG", "CLNY", "ln_DIST_INTRA", "SMCTRY"])
    first, last = dist_terms[0], dist_terms[-1]
    change = {
        label: f"{100 * (r.coefficients.loc[last, 'estimate'] / r.coefficients.loc[first, 'estimate'] - 1):.2f}"
        for label, r in results.items()
    }
    table.loc[f"% change {BOOK_YEARS[0]}-{BOOK_YEARS[-1]}"] = pd.Series(change)
    return results, table


def rta_effects(data: pd.DataFrame) -> tuple[dict[str, GravityResult], pd.DataFrame]:
    """RTA effects as in chapter 1, application 3, on Chapter2Application2.dta (the workspace has no
    Chapter1Application3.dta): OLS, PPML, PPML with domestic flows, pair fixed effects, an RTA lead,
    RTA lags (computed from the annual panel: rows whose lag falls before 1986 or lead after 2006
    are dropped and reported), and international-border-by-year dummies."""
    years = dict(years=BOOK_YEARS)
    base = ("ln_DIST", "CNTG", "LANG", "CLNY", "RTA")
    pair = "exporter-year+importer-year+pair"
    df = _panel(data)
    intl = df[df[panel.BORDER] == 1].copy()
    intl["ln_trade"] = np.log(intl["trade"].where(intl["trade"] > 0))
    rhs = " + ".join(base)
    results = {
        "OLS": estimate(intl, f"ln_trade ~ {rhs} | exp_year + imp_year", method="ols"),
        "PPML": estimate(intl, f"trade ~ {rhs} | exp_year + imp_year"),
        "Intra": estimate(df, f"trade ~ {rhs} | exp_year + imp_year"),
        "Endogeneity": estimate(data, GravityDesign(covariates=("RTA",), fixed_effects=pair, domestic=True, **years)),
        "Reverse causality": estimate(data, GravityDesign(covariates=("RTA",), fixed_effects=pair, domestic=True,
                                                          agreement="RTA", leads=(4,), **years)),
        "Phasing-in": estimate(data, GravityDesign(covariates=("RTA",), fixed_effects=pair, domestic=True,
                                                   agreement="RTA", lags=(4, 8, 12), **years)),
        "Globalization": estimate(data, GravityDesign(covariates=("RTA",), fixed_effects=pair, domestic=True,
                                                      agreement="RTA", lags=(4, 8, 12), border_by_year=True, **years)),
    }
    terms = list(base) + ["RTA_LEAD4", "RTA_LAG4", "RTA_LAG8", "RTA_LAG12"]
    terms += [panel.border_year_column(y) for y in BOOK_YEARS[:-1]]
    return results, compare(results, terms)
