"""The ilms model (Ignatenko, Lashkaripour, Macedoni and Simonovska 2025) on the ilms2025 data: the data
construction of MODEL_ILMS2025.md §2 against computations written here from the files, every one-sector
experiment of §6-§8 and §11.3 in both tariff-revenue uses and the Eaton-Kortum variant (every equation
re-evaluated here, in numpy, from the spec's text), the zero shock, the analytic Jacobian, and a policy of
the user's own.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import scipy.optimize
from threadpoolctl import threadpool_limits

from tariffsim._jax import jax, jnp
from tariffsim.errors import OptionError
from tariffsim.ilms_data import nu_from_flows, read_ilms_data
from tariffsim.ilms_experiments import EU25, EXPERIMENTS, spec_experiment, us_tariffs
from tariffsim.models import get_model
from tariffsim.models.ilms import Ilms, results_columns, world_changes
from tariffsim.policy import Policy

TOL = 1e-10
ONE_SECTOR = [k for k in EXPERIMENTS if not k.startswith("IO")]


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """One BLAS thread: the Newton steps' LU on 388 unknowns is 30x slower on two busy threads."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def folder(data_dir):
    return data_dir / "ilms2025"


@pytest.fixture(scope="module")
def data(folder):
    return read_ilms_data(folder)


@pytest.fixture(scope="module")
def files(folder):
    """An independent pandas read: raw flows (NaN -> 0), GDP in thousand US$, the file's tariffs, codes."""
    return {"raw": np.nan_to_num(pd.read_csv(folder / "trade_cepii.csv").to_numpy(dtype=float)),
            "gdp": pd.read_csv(folder / "gdp.csv")["gdp"].to_numpy() / 1000,
            "tariffs": pd.read_csv(folder / "tariffs.csv")["applied_tariff"].to_numpy(),
            "iso3": tuple(pd.read_csv(folder / "country_labels.csv")["iso3"])}


# ------------------------------------------------------------------------------- §2 data construction
def _nu_by_fsolve(raw, gdp, us):
    """§2.2 written out again: F1, F2 on the two-region aggregate, solved from another start."""
    rest = np.delete(np.arange(raw.shape[0]), us)
    x = np.array([[raw[np.ix_(rest, rest)].sum(), raw[rest, us].sum()], [raw[us, rest].sum(), 0.0]])
    y = np.array([gdp[rest].sum(), gdp[us]])

    def f(nu):
        e = y + (1 - nu) * (x.sum(axis=0) - x @ (1 - nu))
        r11 = (e[0] - x[1, 0]) / (e[0] - x[1, 0] + x[0, 1])
        r22 = (e[1] - x[0, 1]) / (e[1] - x[0, 1] + x[1, 0])
        return [(1 - r11) * nu[1] + r11 * nu[0] - 0.12, r22 * nu[1] + (1 - r22) * nu[0] - 0.26]

    return scipy.optimize.fsolve(f, [0.3, 0.05], xtol=1e-13)


@pytest.mark.data
def test_nu_and_phi_follow_section_2_2_and_3(data, files):
    us = files["iso3"].index("USA")
    nu_eq = _nu_by_fsolve(files["raw"], files["gdp"], us)
    np.testing.assert_allclose(nu_eq, [0.114335, 0.270471], atol=1e-6)  # §2.2 checkpoint
    expected = np.full(194, nu_eq[0])
    expected[us] = nu_eq[1]
    np.testing.assert_allclose(data.nu, expected, rtol=1e-9)
    params = Ilms().calibrate(data).params
    theta = 4 / 0.67
    np.testing.assert_allclose(params.phi, 1 + (1 + theta) / ((1 - expected) * theta) - 1 / theta - 1, rtol=1e-12)
    np.testing.assert_allclose(params.phi[[0, us]], [1.150719, 1.432848], atol=1e-6)  # §3 checkpoints
    np.testing.assert_allclose(Ilms(pass_through=0.25).calibrate(data).params.phi, params.phi - 0.75, rtol=1e-12)
    # the same targets on the filled matrix of a plain World: the paper's ν but for the floor of GMB and MHL
    np.testing.assert_allclose(nu_from_flows(data.world.trade[:, :, 0], us), expected, atol=1e-6)


@pytest.mark.data
def test_domestic_absorption_is_built_from_gdp_with_its_floor(data, files):
    raw, gdp, nu = files["raw"], files["gdp"], data.nu
    imports = raw.sum(axis=0)
    weighted_sales = np.array([sum((1 - nu[i]) * raw[j, i] for i in range(194)) for j in range(194)])
    first_pass = gdp + (1 - nu) * (imports - weighted_sales) - imports  # E0 - M of §2.3
    domestic = np.diagonal(data.world.trade[:, :, 0])
    np.testing.assert_allclose(domestic, np.maximum(0, first_pass), rtol=1e-12)
    assert [files["iso3"][i] for i in np.flatnonzero(first_pass < 0)] == ["GMB", "MHL"]
    off = data.world.trade[:, :, 0] - np.diag(domestic)
    np.testing.assert_array_equal(off, raw)
    # §2.5 on the filled matrix, and the variants
    X = data.world.trade[:, :, 0]
    params = Ilms().calibrate(data).params
    E = X.sum(axis=0)
    Y = np.array([sum((1 - nu[i]) * X[j, i] for i in range(194)) + nu[j] * E[j] for j in range(194)])
    np.testing.assert_allclose(params.expenditure, E, rtol=1e-12)
    np.testing.assert_allclose(params.income, Y, rtol=1e-12)
    np.testing.assert_allclose(params.transfers, E - Y, rtol=1e-9, atol=1e-6 * E.max())
    assert abs(params.transfers.sum()) < 1e-12 * E.sum()
    us = files["iso3"].index("USA")
    assert params.transfers[us] / E[us] == pytest.approx(0.0164, abs=5e-5)  # §2.5 checkpoint
    ek = Ilms(eaton_kortum=True).calibrate(data).params
    np.testing.assert_allclose(ek.income, X.sum(axis=1), rtol=1e-12)
    np.testing.assert_array_equal(ek.nu, 0.0)
    np.testing.assert_allclose(ek.employment_weights, Y, rtol=1e-12)  # §5: d_employment uses §2.5 Y
    io = Ilms(input_output=True).calibrate(data)
    X_io = X + np.diag(domestic / 0.49 - domestic)
    sales = X_io @ (1 - nu)
    np.testing.assert_allclose(io.world.trade[:, :, 0], X_io, rtol=1e-12)
    np.testing.assert_allclose(io.params.income, 0.49 * sales + nu * X_io.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(io.params.transfers, X_io.sum(axis=0) - io.params.income - 0.51 * sales,
                               rtol=1e-9, atol=1e-6 * E.max())


@pytest.mark.data
def test_the_us_tariff_vector_and_its_floor(data, files):
    us = files["iso3"].index("USA")
    t = us_tariffs(data.world, data.announced)[:, :, 0]
    expected = np.maximum(0.1, files["tariffs"])
    expected[us] = 0.0
    np.testing.assert_array_equal(t[:, us], expected)
    assert not np.delete(t, us, axis=1).any()  # nobody else levies tariffs
    rus, chn = files["iso3"].index("RUS"), files["iso3"].index("CHN")
    assert files["tariffs"][rus] == 0 and t[rus, us] == 0.1
    assert t[chn, us] == 0.54 and t[files["iso3"].index("MEX"), us] == 0.17


# ------------------------------------------------------------------------------- the equations (§5)
def _spec_residuals(e) -> np.ndarray:
    """ERR1 (every country), ERR2 and ERR3 of §5, each scaled by Y, E or 1, from the solution's ŵ, Ê, L̂
    and the baseline arrays alone: an implementation apart from the model's."""
    p, t = e.calibration.params, e.policy.tariffs[:, :, 0]
    w, E_hat, L = e.w_hat, e.E_hat, e.L_hat
    lam, E, Y, T, nu, phi = (np.asarray(a) for a in (p.shares, p.expenditure, p.income, p.transfers, p.nu, p.phi))
    eps, kappa, psi = float(p.epsilon), float(p.kappa), float(p.psi)
    a = lam * ((w / L ** psi) ** -eps)[:, None] * (1 + t) ** (-eps * phi[None, :])
    lam_new = a / a.sum(axis=0)
    P = (E_hat / w) ** (1 - phi) * a.sum(axis=0) ** (-1 / eps)
    E_new, Y_new = E_hat * E, w * L * Y
    X_new = lam_new * E_new / (1 + t)
    R = (t * X_new).sum(axis=0)
    tau = R / Y_new if float(p.tax_relief) else 0.0
    err1 = ((1 - nu) * X_new).sum(axis=1) + nu * X_new.sum(axis=0) - Y_new
    err2 = R + Y_new + T * Y_new.sum() / Y.sum() - E_new
    err3 = L - (w / (1 - tau) / P) ** kappa
    np.testing.assert_allclose(e.P_hat, P, rtol=1e-12)
    return np.concatenate([err1 / Y, err2 / E, err3, [(P - 1) @ E / E.sum()]])


def _solve(model, calibration, policy):
    e = model.solve(calibration, policy)
    assert e.max_residual <= TOL
    return e


@pytest.mark.data
@pytest.mark.parametrize("name", ONE_SECTOR)
def test_spec_experiment_solves_in_both_revenue_uses_and_the_eaton_kortum_variant(data, name):
    ex = spec_experiment(name, data)
    other_use = "lump_sum" if ex.model.revenue_use == "income_tax" else "income_tax"
    for model in (ex.model, replace(ex.model, revenue_use=other_use), replace(ex.model, eaton_kortum=True)):
        calibration = model.calibrate(data)
        e = _solve(model, calibration, ex.policy)
        spec = _spec_residuals(e)
        if abs(calibration.world_budget_gap) < 1e-12:  # Σ T = 0 (with no_us_bilateral: ν = 0 only)
            assert np.max(np.abs(spec)) <= TOL, (model, np.argmax(np.abs(spec)))
        else:  # [QUIRK §8] the world budget does not add up: the last country (ZWE) absorbs the gap
            assert model.transfers == "no_us_bilateral" and abs(calibration.world_budget_gap) > 1e-3
            assert np.max(np.abs(np.delete(spec, 193))) <= TOL and abs(spec[193]) > 1
        if ex.reference is not None:
            _solve(model, calibration, ex.reference)
        table = results_columns(e)
        assert np.isfinite(table.to_numpy()).all() and np.isfinite(list(world_changes(e).values())).all()


@pytest.mark.data
def test_experiment_tariffs_follow_the_spec(data):
    """The schedules of B4-B7, R1, D3, D4 as §6-§8 define them."""
    us, chn = data.world.country_index("USA"), data.world.country_index("CHN")
    ustr = us_tariffs(data.world, data.announced)[:, :, 0]
    b6 = spec_experiment("B6", data).policy.tariffs[:, :, 0]
    np.testing.assert_array_equal(b6[us], ustr[:, us])
    b4 = spec_experiment("B4", data)
    X, p = b4.calibration.world.trade[:, :, 0], b4.calibration.params
    share = X / X.sum(axis=0)
    numerator = sum(X[us, n] * (1 - p.nu[n]) * (1 - share[us, n]) for n in range(194) if n != us)
    for name, level in (("B4", p.expenditure[us]), ("B7", p.income[us])):
        t = spec_experiment(name, data).policy.tariffs[:, :, 0]
        delta = numerator / ((1 - p.nu[us]) * (level - X[us, us]))
        assert t[chn, us] == pytest.approx(1 / ((1 + 4 * delta) * p.phi[us] - 1), rel=1e-12)
        assert len(np.unique(np.delete(t[:, us], us))) == 1
    b5 = spec_experiment("B5", data).policy.tariffs[:, :, 0]
    rest = np.delete(np.arange(194), us)
    xa = np.array([[X[np.ix_(rest, rest)].sum(), X[rest, us].sum()], [X[us, rest].sum(), X[us, us]]])
    lam_a = xa[0, 1] / xa[:, 1].sum()
    delta_a = xa[0, 1] * (1 - p.nu[us]) * (1 - lam_a) / ((1 - p.nu[0]) * (p.income[rest].sum() - xa[0, 0]))
    assert b5[us, chn] == pytest.approx(1 / ((1 + 4 * delta_a) * p.phi[0] - 1), rel=1e-12)
    np.testing.assert_array_equal(b5[:, us], ustr[:, us])
    r1 = spec_experiment("R1", data).policy.tariffs[:, :, 0]
    for code, rate in (("CHN", 0.54), ("DEU", 0.2), ("CZE", 0.1), ("JPN", 0.1)):  # CZE is not in the code's EU
        k = data.world.country_index(code)
        assert r1[k, us] == r1[us, k] == rate
    assert len(EU25) == 25 and "CZE" not in EU25 and "SVK" not in EU25
    d3, d4 = (spec_experiment(k, data).policy.tariffs[:, :, 0] for k in ("D3", "D4"))
    assert d3[us, chn] == 0.25 and d4[us, chn] == pytest.approx(1 / (5 * p.phi[us] - 1), rel=1e-12)


@pytest.mark.data
@pytest.mark.parametrize("model", [Ilms(), Ilms(revenue_use="lump_sum"), Ilms(eaton_kortum=True),
                                   Ilms(input_output=True)], ids=["income_tax", "lump_sum", "eaton_kortum", "io"])
def test_a_zero_shock_is_the_identity(data, model):
    calibration = model.calibrate(data)
    e = _solve(model, calibration, Policy(np.zeros((194, 194, 1)), name="zero"))
    for hat in (e.w_hat, e.E_hat, e.L_hat, e.P_hat, e.W_hat):
        np.testing.assert_allclose(hat, 1.0, atol=1e-12)
    np.testing.assert_allclose(e.trade, calibration.world.trade, rtol=1e-10)
    assert e.steps <= 1


@pytest.mark.data
@pytest.mark.parametrize("model", [Ilms(), Ilms(revenue_use="lump_sum", eaton_kortum=True, pass_through=0.5),
                                   Ilms(input_output=True)], ids=["main", "lump_sum_ek", "io"])
def test_analytic_jacobian_matches_autodiff(data, model):
    calibration = model.calibrate(data)
    kernel = model.kernel()
    policy = spec_experiment("B6", data).policy.arrays(calibration.world)
    u = jnp.asarray(np.random.default_rng(0).normal(0, 0.05, (3 if model.input_output else 2) * 194))
    exact = jax.jit(jax.jacfwd(kernel.residuals))(u, calibration.params, policy)
    np.testing.assert_allclose(jax.jit(kernel.jacobian)(u, calibration.params, policy), exact, atol=1e-12)


@pytest.mark.data
def test_a_users_own_policy_solves(data):
    """The April 2 schedule with the EU at 20% and China at 145%."""
    world = data.world
    tariffs = us_tariffs(world, data.announced, {"EU": 0.2, "CHN": 1.45})
    us, chn = world.country_index("USA"), world.country_index("CHN")
    assert tariffs[chn, us, 0] == 1.45 and tariffs[world.country_index("CZE"), us, 0] == 0.2
    model = get_model("ilms")
    calibration = model.calibrate(data)
    e = _solve(model, calibration, Policy(tariffs, name="April 2, EU 20%, China 145%"))
    b1 = _solve(model, calibration, spec_experiment("B1", data).policy)
    assert e.trade[chn, us, 0] < 0.5 * b1.trade[chn, us, 0]  # China's sales to the US collapse
    assert results_columns(e).loc["CHN", "welfare"] < results_columns(b1).loc["CHN", "welfare"]
    frame = e.to_frame()
    assert {"welfare", "employment", "price_index", "deficit"} <= set(frame["variable"])


@pytest.mark.data
def test_a_plain_world_calibrates_and_options_are_checked(data):
    model = get_model("ilms", revenue_use="lump_sum")
    calibration = model.calibrate(data.world)  # ν from the world's own flows
    assert calibration.nu_home == pytest.approx(data.nu[184], abs=1e-6)
    _solve(model, calibration, spec_experiment("B1", data).policy)
    with pytest.raises(OptionError, match="revenue_use='rebate' is not one of 'income_tax', 'lump_sum'"):
        Ilms(revenue_use="rebate")
    with pytest.raises(OptionError, match="unknown ILMS experiment 'MS1'.*trade_ITPD.csv"):
        spec_experiment("MS1", data)


@pytest.mark.data
@pytest.mark.parametrize("name", ["IO1", "IO3"])
def test_input_output_experiments_solve(data, name):
    ex = spec_experiment(name, data)
    for model in (ex.model, replace(ex.model, revenue_use="lump_sum"), replace(ex.model, eaton_kortum=True)):
        _solve(model, model.calibrate(data), ex.policy)
