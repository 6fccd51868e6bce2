"""Estimation layer: equal to pyfixest called directly, to statsmodels GLM with dummies, honest about drops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tariffsim.errors import DataValidationError
from tariffsim.gravity import GravityDesign, compare, estimate
from tariffsim.gravity.tables import coefficient_latex

pytestmark = pytest.mark.data

PAIR_FE = GravityDesign(
    covariates=("RTA",),
    fixed_effects="exporter-year+importer-year+pair",
    domestic=True,
    border_by_year=True,
    years=(1986, 1990, 1994, 1998, 2002, 2006),
)


def test_pair_fe_design_equals_pyfixest_called_directly(yotov):
    import pyfixest as pf

    data = yotov("Chapter2Application2")
    ours = estimate(data, PAIR_FE)
    sample = PAIR_FE.prepare(data).reset_index(drop=True)
    with pytest.warns(UserWarning, match="observations removed because of separation"):
        direct = pf.fepois(PAIR_FE.formula(sample), data=sample, vcov={"CRV1": "pair"})
    assert ours.formula == "trade ~ RTA + INTL_BRDR_1986 + INTL_BRDR_1990 + INTL_BRDR_1994 + INTL_BRDR_1998 + " \
                           "INTL_BRDR_2002 | exp_year + imp_year + pair"
    np.testing.assert_allclose(ours.coefficients["estimate"], direct.coef().to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours.coefficients["std_error"], direct.se().to_numpy(), rtol=1e-6)
    assert ours.nobs == direct._N
    # pairs whose trade is zero in every year are separated and reported, row by row
    assert len(ours.dropped) == direct.n_separation_na > 0
    assert ours.dropped["reason"].str.startswith("separation").all()
    dropped_trade = data.loc[ours.dropped["row"], "trade"]
    assert (dropped_trade == 0).all()


def _subsample(cross_section: pd.DataFrame, n: int = 12) -> pd.DataFrame:
    countries = sorted(cross_section["exporter"].unique())[:n]
    keep = cross_section["exporter"].isin(countries) & cross_section["importer"].isin(countries)
    return cross_section[keep & (cross_section["exporter"] != cross_section["importer"])].reset_index(drop=True)


@pytest.mark.parametrize("vcov", ["hetero", "pair"])
def test_equals_statsmodels_glm_with_dummy_fixed_effects(cross_section_2006, vcov):
    import pyfixest as pf
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    small = _subsample(cross_section_2006)
    covariates = "ln_DIST + CNTG + LANG"
    ours = estimate(small, f"trade ~ {covariates} | exporter + importer", vcov=vcov,
                    ssc=pf.ssc(k_adj=False, G_adj=False), tol=1e-12)
    glm = smf.glm(f"trade ~ {covariates} + C(exporter) + C(importer)", data=small, family=sm.families.Poisson())
    if vcov == "hetero":
        ref = glm.fit(tol=1e-14, cov_type="HC0")
    else:
        codes = pd.factorize(small["pair"])[0]
        ref = glm.fit(tol=1e-14, cov_type="cluster", cov_kwds={"groups": codes, "use_correction": False})
    terms = ["ln_DIST", "CNTG", "LANG"]
    np.testing.assert_allclose(ours.coefficients.loc[terms, "estimate"], ref.params[terms], rtol=1e-6)
    np.testing.assert_allclose(ours.coefficients.loc[terms, "std_error"], ref.bse[terms], rtol=1e-6)


def test_dropped_rows_name_their_reason(cross_section_2006):
    data = cross_section_2006.copy()
    data.index = data.index + 1000  # report input labels, not positions
    silent = data["exporter"] == "BOL"
    data.loc[silent, "trade"] = 0.0  # BOL exports nothing: its exporter fixed effect separates
    nan_row = data.index[(data["exporter"] == "USA") & (data["importer"] == "CAN")][0]
    data.loc[nan_row, "CNTG"] = np.nan
    result = estimate(data, "trade ~ ln_DIST + CNTG | exporter + importer")
    reasons = result.dropped.set_index("row")["reason"]
    assert reasons[nan_row] == "missing value in ['CNTG']"
    separated = set(reasons.index[reasons.str.startswith("separation")])
    assert separated == set(data.index[silent])
    assert result.nobs == len(data) - silent.sum() - 1
    assert result.fitted.index.equals(data.index.drop(list(reasons.index)))


def test_fixed_effects_and_coefficients_rebuild_the_fitted_values(cross_section_2006):
    result = estimate(cross_section_2006, "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer")
    fe = result.fixed_effects()
    rows = cross_section_2006.loc[result.fitted.index]
    beta = result.coefficients["estimate"]
    eta = (rows[beta.index].to_numpy() @ beta.to_numpy()
           + fe["exporter"][rows["exporter"]].to_numpy() + fe["importer"][rows["importer"]].to_numpy())
    np.testing.assert_allclose(np.exp(eta), result.fitted.to_numpy(), rtol=1e-8)


def test_tables_csv_and_latex(cross_section_2006, tmp_path):
    a = estimate(cross_section_2006, "trade ~ ln_DIST + CNTG | exporter + importer")
    b = estimate(cross_section_2006, "trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer")
    table = compare({"(1)": a, "(2)": b})
    assert list(table.index) == ["ln_DIST", "ln_DIST (se)", "CNTG", "CNTG (se)", "INTL_BRDR", "INTL_BRDR (se)", "N"]
    assert table.loc["INTL_BRDR", "(1)"] == ""
    assert table.loc["ln_DIST (se)", "(2)"] == f"({b.coefficients.loc['ln_DIST', 'std_error']:.3f})"
    latex = coefficient_latex({"(1)": a, "(2)": b})
    assert "INTL\\_BRDR" in latex and latex.count("\\\\") == len(table) + 1
    a.to_csv(tmp_path / "a.csv")
    back = pd.read_csv(tmp_path / "a.csv")
    np.testing.assert_allclose(back["estimate"], a.to_frame()["estimate"])
    assert "dropped rows: none" in a.summary()


def test_design_and_input_errors_are_explained(cross_section_2006):
    with pytest.raises(DataValidationError, match="border_by_year=True needs domestic=True"):
        GravityDesign(covariates=("RTA",), border_by_year=True)
    with pytest.raises(DataValidationError, match="fixed_effects='pair'"):
        GravityDesign(covariates=("RTA",), fixed_effects="pair")  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match=r"column\(s\) \['clu'\] not in the data"):
        estimate(cross_section_2006, "trade ~ ln_DIST | exporter + importer", vcov="clu")
    with pytest.raises(DataValidationError, match="method='gmm'"):
        estimate(cross_section_2006, "trade ~ ln_DIST | exporter + importer", method="gmm")  # type: ignore[arg-type]


def test_lags_and_leads_come_from_the_panel(yotov):
    from tariffsim.gravity import add_lags

    data = yotov("Chapter2Application2")
    lagged = add_lags(data, "RTA", lags=(4,), leads=(4,))
    row = lagged[(lagged["exporter"] == "USA") & (lagged["importer"] == "MEX") & (lagged["year"] == 1998)].iloc[0]
    usa_mex = data[(data["exporter"] == "USA") & (data["importer"] == "MEX")].set_index("year")["RTA"]
    assert row["RTA_LAG4"] == usa_mex[1994] and row["RTA_LEAD4"] == usa_mex[2002]
    assert lagged.loc[lagged["year"] == 1986, "RTA_LAG4"].isna().all()


@pytest.mark.slow
def test_book_traditional_gravity_table(yotov):
    from tariffsim.gravity import book

    data = yotov("Chapter1Application1")
    results, table = book.traditional_gravity(data)
    intl = data[data["year"].isin(book.BOOK_YEARS) & (data["exporter"] != data["importer"])]
    assert results["OLS"].nobs == (intl["trade"] > 0).sum()  # log-linear OLS loses the zeros
    assert results["PPML"].nobs == len(intl)  # PPML keeps them
    assert list(table.columns) == ["OLS", "Remoteness", "Fixed Effects", "PPML"]
    direct = estimate(intl, "trade ~ ln_DIST + CNTG + LANG + CLNY | exp_year + imp_year")
    assert table.loc["ln_DIST", "PPML"].startswith(f"{direct.coefficients.loc['ln_DIST', 'estimate']:.3f}")
