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


BOOK_YEARS = (1986, 1990, 1994, 1998, 2002, 2006)
STANDARD = ["ln_DIST", "CNTG", "LANG", "CLNY"]


def _traditional_sample(data: pd.DataFrame) -> pd.DataFrame:
    """Chapter 1, application 1 built here from the raw file, by matrices, without tariffsim: the book's
    years; output Y_i = sum_j X_ij and expenditure E_j = sum_i X_ij (domestic sales included);
    remoteness REM_EXP_i = sum_j DIST_ij / (E_j / Y_world), REM_IMP_j = sum_i DIST_ij / (Y_i / Y_world);
    then international flows only."""
    df = data[data["year"].isin(BOOK_YEARS)].copy()
    df["year"] = df["year"].astype(int)
    pieces = []
    for year, rows in df.groupby("year"):
        X = rows.pivot(index="exporter", columns="importer", values="trade")
        D = rows.pivot(index="exporter", columns="importer", values="DIST").loc[X.index, X.columns]
        Y, E, world = X.sum(axis=1), X.sum(axis=0), X.to_numpy().sum()
        rem_exp = (D / (E / world)).sum(axis=1)  # divides column j by E_j / world
        rem_imp = (D.T / (Y / world)).sum(axis=1)
        pieces.append(pd.DataFrame({"exporter": X.index, "year": year}).assign(
            ln_Y=np.log(Y.to_numpy()), ln_REM_EXP=np.log(rem_exp.to_numpy())).set_index(["exporter", "year"]))
        pieces.append(pd.DataFrame({"importer": X.columns, "year": year}).assign(
            ln_E=np.log(E.to_numpy()), ln_REM_IMP=np.log(rem_imp.to_numpy())).set_index(["importer", "year"]))
    by_exporter = pd.concat(pieces[0::2])
    by_importer = pd.concat(pieces[1::2])
    df = df.join(by_exporter, on=["exporter", "year"]).join(by_importer, on=["importer", "year"])
    df = df[df["exporter"] != df["importer"]].copy()
    df["ln_DIST"] = np.log(df["DIST"])
    df["ln_trade"] = np.log(df["trade"].where(df["trade"] > 0))
    df["ey"] = df["exporter"] + "/" + df["year"].astype(str)
    df["iy"] = df["importer"] + "/" + df["year"].astype(str)
    df["directed_pair"] = df["exporter"] + ">" + df["importer"]
    return df.reset_index(drop=True)


def _cell(estimate: float, p_value: float) -> str:
    return f"{estimate:.3f}" + ("***" if p_value < 0.01 else "**" if p_value < 0.05 else "*" if p_value < 0.1 else "")


@pytest.mark.slow
def test_book_traditional_gravity_table(yotov):
    """Every cell of the book table equals pyfixest called directly on a sample built independently, with
    the book's four specifications (OLS with a constant only, clustered by pair_id); the coefficients of
    every column and every N are the book's printed numbers."""
    import pyfixest as pf

    from tariffsim.gravity import book

    data = yotov("Chapter1Application1")
    results, table = book.traditional_gravity(data)
    sample = _traditional_sample(data)
    rhs = " + ".join(STANDARD)
    cluster = {"CRV1": "pair_id"}
    direct = {
        "OLS": pf.feols(f"ln_trade ~ {rhs} + ln_Y + ln_E", data=sample, vcov=cluster),
        "Remoteness": pf.feols(f"ln_trade ~ {rhs} + ln_Y + ln_E + ln_REM_EXP + ln_REM_IMP", data=sample, vcov=cluster),
        "Fixed Effects": pf.feols(f"ln_trade ~ {rhs} | ey + iy", data=sample, vcov=cluster),
        "PPML": pf.fepois(f"trade ~ {rhs} | ey + iy", data=sample, vcov=cluster),
    }
    terms = STANDARD + ["ln_Y", "ln_E", "ln_REM_EXP", "ln_REM_IMP"]
    assert list(table.columns) == list(direct)
    assert list(table.index) == [row for t in terms for row in (t, f"{t} (se)")] + ["N"]
    for label, fit in direct.items():
        coef, se, p = fit.coef(), fit.se(), fit.pvalue()
        ours = results[label].coefficients
        assert list(ours.index) == list(coef.index), label
        np.testing.assert_allclose(ours["estimate"], coef.to_numpy(), rtol=1e-6, err_msg=label)
        np.testing.assert_allclose(ours["std_error"], se.to_numpy(), rtol=1e-6, err_msg=label)
        assert results[label].nobs == fit._N
        for term in terms:
            want = (_cell(coef[term], p[term]), f"({se[term]:.3f})") if term in coef.index else ("", "")
            assert (table.loc[term, label], table.loc[f"{term} (se)", label]) == want, (label, term)
        assert table.loc["N", label] == str(fit._N)
    # The book's printed numbers (Yotov et al. 2016, chapter 1, table of traditional gravity estimates):
    # OLS loses the 2,463 zero flows, PPML keeps all 28,152 international flows.
    assert table.loc["N"].tolist() == ["25689", "25689", "25689", "28152"]
    printed = {"OLS": [-1.002, 0.574, 0.802, 0.735, 1.190, 0.908],
               "Remoteness": [-1.185, 0.247, 0.739, 0.842, 1.164, 0.903],
               "Fixed Effects": [-1.216, 0.223, 0.661, 0.670], "PPML": [-0.841, 0.437, 0.247, -0.222]}
    for label, values in printed.items():
        shown = STANDARD + ["ln_Y", "ln_E"] if label in ("OLS", "Remoteness") else STANDARD
        np.testing.assert_allclose(results[label].coefficients.loc[shown, "estimate"], values, rtol=0, atol=5e-4,
                                   err_msg=label)


