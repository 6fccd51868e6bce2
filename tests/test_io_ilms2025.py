"""read_ilms2025: the real ILMS (2025) folder, the paper's baseline (MODEL_ILMS2025.md §2), the announced
US tariffs, and located errors on broken copies.

Expected numbers are the published checkpoints of the data set's README and of MODEL_ILMS2025.md (§2.2,
§2.5, §3, §16); everything else is recomputed here from the files, independently of the reader.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from tariffsim.errors import DataValidationError
from tariffsim.io.ilms2025 import (
    FILES,
    announced_us_tariffs,
    ilms2025_baseline,
    is_ilms2025_folder,
    read_ilms2025,
)

EU27 = ("AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV", "HUN", "IRL",
        "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "SWE")


@pytest.fixture(scope="module")
def folder(data_dir):
    return data_dir / "ilms2025"


@pytest.fixture(scope="module")
def world(folder):
    return read_ilms2025(folder)


@pytest.fixture(scope="module")
def base(folder):
    return ilms2025_baseline(folder)


@pytest.fixture(scope="module")
def files(folder):
    """The files as an independent pandas read: raw flows (NaN -> 0), GDP in US$, labels."""
    raw = pd.read_csv(folder / "trade_cepii.csv").to_numpy(dtype=float)
    return {"raw": np.nan_to_num(raw), "gdp": pd.read_csv(folder / "gdp.csv")["gdp"].to_numpy(),
            "labels": pd.read_csv(folder / "country_labels.csv")}


@pytest.mark.data
def test_reads_the_real_folder(world, files):
    assert world.trade.shape == (194, 194, 1) and world.n_sectors == 1
    assert world.sectors == ("all",) and world.sector_names == ("All goods",)
    assert world.countries == tuple(files["labels"]["iso3"])
    assert world.country_names == tuple(files["labels"]["CountryName"])
    # README: USA = 185, CHN = 34, CAN = 31, MEX = 115, RUS = 150, ZWE = 194 (1-based)
    assert [world.countries.index(c) + 1 for c in ("USA", "CHN", "CAN", "MEX", "RUS", "ZWE")] == [185, 34, 31, 115,
                                                                                                    150, 194]
    assert world.country_index("United States") == 184
    assert "194 countries x 1 sector" in world.label and "BACI 2023" in world.label
    np.testing.assert_array_equal(world.sigma, [5.0])  # 1 + the paper's trade elasticity 4
    assert not world.tariffs.any()  # the factual economy has no tariffs
    raw = files["raw"]
    assert raw.sum() == pytest.approx(2.17e10, rel=0.005)  # README: total of all cells ~ 2.17e10
    foreign = world.trade[:, :, 0].copy()
    np.fill_diagonal(foreign, 0)
    np.testing.assert_array_equal(foreign, raw)  # exporter rows x importer columns, as in the file
    assert world.exports[184] == pytest.approx(raw[184].sum(), rel=1e-12)
    assert world.imports[184] == pytest.approx(raw[:, 184].sum(), rel=1e-12)


@pytest.mark.data
def test_world_domestic_flows_are_the_baseline_with_the_two_floored_at_zero(world, base):
    domestic, exact = np.diagonal(world.trade[:, :, 0]), np.diagonal(base.trade)
    floored = [world.countries.index(c) for c in ("GMB", "MHL")]
    np.testing.assert_array_equal(domestic[floored], 0.0)
    others = np.setdiff1d(np.arange(194), floored)
    np.testing.assert_array_equal(domestic[others], exact[others])
    assert np.all(domestic[others] > 0)


@pytest.mark.data
def test_baseline_reproduces_the_published_checkpoints(base, files):
    us = base.us
    assert us == 184
    np.testing.assert_allclose(base.nu_eq, [0.114335, 0.270471], atol=1e-6)  # §2.2 and §16
    theta = 4 / 0.67
    np.testing.assert_allclose(1 + (1 + 1 / theta) * base.nu_eq / (1 - base.nu_eq), [1.150719, 1.432848],
                               atol=1e-6)  # Phi{1} of §3
    assert base.nu[us] == base.nu_eq[1] and np.all(np.delete(base.nu, us) == base.nu_eq[0])
    assert base.transfers[us] / base.expenditure[us] == pytest.approx(0.0164, abs=5e-5)  # §2.5
    assert base.income[us] / base.gdp[us] == pytest.approx(1.016, abs=5e-4)  # §2.5
    assert base.expenditure[us] / base.expenditure.sum() == pytest.approx(0.267, abs=5e-4)  # §16
    assert base.floored == ("GMB", "MHL")  # README and §2.3
    for code in ("GMB", "MHL"):
        i = base.countries.index(code)
        assert base.trade[i, i] == 0.0
    assert abs(base.transfers.sum()) <= 1e-12 * base.expenditure.sum()  # Σ T = 0
    np.testing.assert_array_equal(base.gdp, files["gdp"] / 1000)
    np.testing.assert_array_equal(base.raw_trade, files["raw"])


@pytest.mark.data
def test_baseline_satisfies_the_equations_of_section_2(base):
    """The calibration targets hold at nu_eq, and E, Y, T follow from X as §2.3 and §2.5 define them."""
    x, nu, gdp, us = base.raw_trade, base.nu, base.gdp, base.us
    rest = np.delete(np.arange(194), us)
    agg = np.array([[x[np.ix_(rest, rest)].sum(), x[rest, us].sum()], [x[us, rest].sum(), 0.0]])
    nu_a, y_a = base.nu_eq, np.array([gdp[rest].sum(), gdp[us]])
    e_a = y_a + (1 - nu_a) * (agg.sum(axis=0) - agg @ (1 - nu_a))
    r11 = (e_a[0] - agg[1, 0]) / (e_a[0] - agg[1, 0] + agg[0, 1])
    r22 = (e_a[1] - agg[0, 1]) / (e_a[1] - agg[0, 1] + agg[1, 0])
    assert (1 - r11) * nu_a[1] + r11 * nu_a[0] == pytest.approx(0.12, abs=1e-10)
    assert r22 * nu_a[1] + (1 - r22) * nu_a[0] == pytest.approx(0.26, abs=1e-10)
    sales = x @ (1 - nu)
    np.testing.assert_allclose(np.diagonal(base.trade),
                               np.maximum(0, gdp + (1 - nu) * (x.sum(axis=0) - sales) - x.sum(axis=0)), rtol=1e-12)
    np.testing.assert_allclose(base.expenditure, base.trade.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(base.income, base.trade @ (1 - nu) + nu * base.expenditure, rtol=1e-13)
    kept = [i for i, c in enumerate(base.countries) if c not in base.floored]
    # §2.5 quirk: for the countries not floored, Y_j = Y^data_j + ν_j S_j
    np.testing.assert_allclose(base.income[kept], (gdp + nu * sales)[kept], rtol=1e-10)


@pytest.mark.data
def test_announced_us_tariffs(folder, world):
    rates = announced_us_tariffs(folder)
    assert tuple(rates.index) == world.countries
    assert rates["CHN"] == 0.54
    assert rates["RUS"] == 0.1  # 0 in the file; the floor max(0.1, rate)
    assert rates["CAN"] == 0.1 and rates["MEX"] == 0.17  # no USMCA exemption
    assert (rates[list(EU27)] == 0.2).all()
    assert rates["USA"] == 0.0
    assert rates.drop("USA").min() == 0.1 and rates.max() == 0.54
    file_rates = pd.read_csv(folder / "tariffs.csv")["applied_tariff"].to_numpy()
    listed = announced_us_tariffs(folder, floor=0)
    assert listed["RUS"] == 0.0
    np.testing.assert_array_equal(listed.drop("USA").to_numpy(), np.delete(file_rates, 184))
    np.testing.assert_array_equal(rates.drop("USA").to_numpy(), np.maximum(0.1, np.delete(file_rates, 184)))


@pytest.mark.data
def test_is_ilms2025_folder(folder, data_dir, tmp_path):
    assert is_ilms2025_folder(folder)
    assert not is_ilms2025_folder(tmp_path)
    assert not is_ilms2025_folder(folder / "gdp.csv")
    assert not any(is_ilms2025_folder(p) for p in data_dir.iterdir() if p.name != "ilms2025")
    copy = _copy(tmp_path, folder)
    (copy / "tariffs.csv").unlink()
    assert not is_ilms2025_folder(copy)
    with pytest.raises(DataValidationError, match=r"lacks tariffs.csv; fix: an ilms2025 folder holds"):
        read_ilms2025(copy)


def _copy(tmp_path, folder):
    target = tmp_path / "ilms"
    target.mkdir()
    for name in FILES:
        shutil.copyfile(folder / name, target / name)
    return target


def _set(path, line: int, column: int | None, value: str | None) -> None:
    """Set cell ``column`` (1-based) of ``line`` (1-based, as an editor shows it) to ``value``; with no
    column, replace the whole line (``None``: delete it). Line endings are kept."""
    lines = path.read_bytes().decode().splitlines(keepends=True)
    text = lines[line - 1]
    ending = text[len(text.rstrip("\r\n")):]
    if column is None:
        lines[line - 1] = "" if value is None else value + ending
    else:
        cells = text.rstrip("\r\n").split(",")
        cells[column - 1] = value
        lines[line - 1] = ",".join(cells) + ending
    path.write_bytes("".join(lines).encode())


def _edit(path, edit) -> None:
    """Apply ``edit`` to every line's cells (line endings kept)."""
    lines = path.read_bytes().decode().splitlines(keepends=True)
    out = []
    for text in lines:
        ending = text[len(text.rstrip("\r\n")):]
        out.append(",".join(edit(text.rstrip("\r\n").split(","))) + ending)
    path.write_bytes("".join(out).encode())


@pytest.mark.data
@pytest.mark.parametrize(("name", "line", "column", "value", "message"), [
    ("trade_cepii.csv", 10, 5, "-3", (r"trade flow is negative at trade_cepii.csv line 10, column 5 \(value: '-3'\)"
                                     r"; fix: flows are >= 0")),
    ("trade_cepii.csv", 7, 3, "12x", r"value is not a number at trade_cepii.csv line 7, column 3 \(value: '12x'\)"),
    ("trade_cepii.csv", 50, 194, "inf", r"not a finite number at trade_cepii.csv line 50, column 194"),
    ("trade_cepii.csv", 3, 2, "7", (r"domestic cell holds a flow at trade_cepii.csv line 3, column 2 \(value: '7'\); "
                                   r"fix: leave the diagonal empty")),
    ("trade_cepii.csv", 1, 4, "export_ij5", (r"column 4 is named 'export_ij5', expected 'export_ij4' at "
                                            r"trade_cepii.csv line 1, column 4")),
    ("trade_cepii.csv", 1, None, None, r"trade_cepii.csv: line 1 looks like data, not a header"),
    ("trade_cepii.csv", 120, None, None, r"trade_cepii.csv has 193 rows, expected 194"),
    ("trade_cepii.csv", 120, None, "1,2,3", r"row has 3 columns, expected 194 .* at trade_cepii.csv line 120"),
    ("gdp.csv", 20, 1, "-5", r"gdp is not positive at gdp.csv line 20, column 'gdp' \(value: '-5'\)"),
    ("gdp.csv", 21, 1, "0", r"gdp is not positive at gdp.csv line 21, column 'gdp'"),
    ("gdp.csv", 22, 1, "", r"gdp is missing at gdp.csv line 22, column 'gdp'"),
    ("gdp.csv", 23, 1, "n/a", r"gdp is not a number at gdp.csv line 23, column 'gdp' \(value: 'n/a'\)"),
    ("gdp.csv", 195, None, None, r"gdp.csv has 193 data lines, expected 194"),
    ("gdp.csv", 1, None, "GDP_usd", r"gdp.csv lacks required column\(s\) 'gdp'"),
    ("tariffs.csv", 4, 1, "ten", r"applied_tariff is not a number at tariffs.csv line 4, column 'applied_tariff'"),
    ("tariffs.csv", 5, 1, "-0.1", r"applied_tariff is not a fraction >= 0 .* at tariffs.csv line 5"),
    ("country_labels.csv", 6, 2, "6", (r"iso_code is not 5 \(data line 5 is country 5 in every file\) at "
                                      r"country_labels.csv line 6, column 'iso_code' \(value: '6'\)")),
    ("country_labels.csv", 4, 1, "ABW", (r"duplicate country code 'ABW' \(also at country_labels.csv line 2, column "
                                        r"'iso3'\) at country_labels.csv line 4")),
    ("country_labels.csv", 186, 1, "US", r"no country has iso3 'USA'"),
    ("country_labels.csv", 100, None, None, r"country_labels.csv has 193 data lines, expected 194"),
])
def test_broken_copies_give_located_errors(tmp_path, folder, name, line, column, value, message):
    copy = _copy(tmp_path, folder)
    _set(copy / name, line, column, value)
    with pytest.raises(DataValidationError, match=message):
        read_ilms2025(copy)


@pytest.mark.data
def test_a_dropped_column_and_a_swapped_pair_of_lines(tmp_path, folder):
    copy = _copy(tmp_path, folder)
    _edit(copy / "trade_cepii.csv", lambda cells: cells[:-1])
    with pytest.raises(DataValidationError, match=r"(?s)header line has 193 column names, expected 194.*"
                                                  r"trade_cepii.csv has 193 columns, expected 194"):
        read_ilms2025(copy)
    shutil.copyfile(folder / "trade_cepii.csv", copy / "trade_cepii.csv")
    labels = (copy / "country_labels.csv").read_text().splitlines(keepends=True)
    labels[2], labels[3] = labels[3], labels[2]  # lines 3 and 4: iso_code 3 and 2
    (copy / "country_labels.csv").write_text("".join(labels))
    with pytest.raises(DataValidationError, match=r"(?s)2 problem\(s\).*country_labels.csv line 3, column 'iso_code'"
                                                  r" \(value: '3'\).*country_labels.csv line 4"):
        read_ilms2025(copy)


@pytest.mark.data
def test_tariff_errors_reach_announced_us_tariffs_and_blank_trailing_lines_are_no_rows(tmp_path, folder):
    copy = _copy(tmp_path, folder)
    with (copy / "gdp.csv").open("ab") as handle:
        handle.write(b"\r\n\r\n")
    assert read_ilms2025(copy).trade.sum() == pytest.approx(read_ilms2025(folder).trade.sum(), rel=1e-15)
    _set(copy / "tariffs.csv", 35, 1, "")
    with pytest.raises(DataValidationError, match=r"applied_tariff is missing at tariffs.csv line 35"):
        announced_us_tariffs(copy)
