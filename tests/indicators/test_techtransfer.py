"""Tests of the technology-transfer rates: lags by calendar year, undefined years reported."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import DataError
from clusterdx.indicators import tech_transfer_rate, tech_transfer_rates

PANEL = pd.DataFrame(
    {
        "region": [1, 1, 1, 2, 2],
        "year": [2020, 2021, 2022, 2020, 2022],
        "tech_market": [1.0, 2.0, 3.0, 4.0, 5.0],
        "gdp": [10.0, 20.0, 40.0, 50.0, 80.0],
    }
)


def test_no_lag_worked_example():
    got = tech_transfer_rate(PANEL, scale=100.0)
    np.testing.assert_allclose(got.to_numpy(), [10.0, 10.0, 7.5, 8.0, 6.25])
    assert got.attrs["undefined"] == []


def test_lag_matches_calendar_years_and_reports_missing():
    # region 1: 2021 -> 100·2/10, 2022 -> 100·3/20; region 2 has no 2021, so 2022 is undefined
    with pytest.warns(UserWarning, match="undefined for 3 region-year"):
        got = tech_transfer_rate(PANEL, lag=1, scale=100.0)
    np.testing.assert_allclose(got.to_numpy(), [np.nan, 20.0, 15.0, np.nan, np.nan])
    assert got.attrs["undefined"] == [(1, 2020), (2, 2020), (2, 2022)]
    assert got.name == "tech_market_gdp_lag1"


def test_three_standard_rates():
    frame = pd.DataFrame(
        {
            "region": [1],
            "year": [2020],
            "tech_market": [2.0],
            "gdp": [10.0],
            "rd": [0.5],
            "patent_transfers": [3.0],
            "patents": [12.0],
        }
    )
    got = tech_transfer_rates(frame).iloc[0]
    np.testing.assert_allclose(got.to_numpy(), [2 / 10, 2 / 0.5, 3 / 12])


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (PANEL, {"denominator": "rd"}, r"\['rd'\] absent"),
        (pd.concat([PANEL, PANEL.head(1)]), {}, "duplicate region-year"),
        (PANEL.assign(gdp=[10.0, -1.0, 1.0, 1.0, 1.0]), {}, "'gdp' is missing or negative"),
        (PANEL.assign(gdp=0.0), {}, "is 0"),
        (PANEL, {"lag": -1}, "lag must be an integer >= 0"),
    ],
)
def test_bad_input(frame, kwargs, message):
    with pytest.raises(DataError, match=message):
        tech_transfer_rate(frame, **kwargs)


def test_rates_warn_in_the_order_of_the_columns():
    """One warning per undefined rate, in the order of ``columns`` on every run (not set order)."""
    numerators = [f"n{j}" for j in range(8)]
    t = pd.DataFrame({"region": 1, "year": [2020, 2021], "den": [4.0, 5.0]})
    t = t.assign(**dict.fromkeys(numerators, 1.0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tech_transfer_rates(t, lag=1, columns={n: (n, "den") for n in numerators})
    got = [str(w.message).split()[1] for w in caught]
    assert got == [f"{n}_den_lag1" for n in numerators]
