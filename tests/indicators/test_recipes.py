"""Tests of the indicator recipes added for the mechanism proxies and composites."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import DataError
from clusterdx.indicators import compute_indicators, firm_keyword_index, recipes
from clusterdx.study import Indicator

PANEL = pd.DataFrame(
    {
        "region": [1, 1, 2, 2],
        "year": [2020, 2021, 2020, 2021],
        "u1": [0.2, 0.5, 0.4, 0.1],
        "u2": [0.8, 0.5, 0.4, 0.3],
    }
)
REGISTRY = pd.DataFrame(
    {
        "region": [1, 1, 1, 2],
        "leading_firm": ["F1", "F2", "F2", "F9"],
        "designation_year": [2020, 2021, 2021, 2022],
    }
)
FIRMS = pd.DataFrame(
    {
        "region": [1, 1, 2, 2, 1, 2],
        "year": [2020, 2020, 2020, 2020, 2021, 2021],
        "revenue": [1.0, 3.0, 2.0, 2.0, 5.0, 1.0],
        "kw": [0, 3, 1, 0, 7, 0],
    }
)


def _run(**recipes):
    study = SimpleNamespace(spec=SimpleNamespace(indicators=recipes))
    return compute_indicators(study, PANEL, {"clusters": REGISTRY, "firms": FIRMS})


def test_leading_firms_counts_distinct_designated_by_year():
    got = _run(lead=Indicator(method="leading_firms", source="clusters"))
    # region 1: F1 (2020) -> 1 in 2020; F1, F2 -> 2 in 2021; region 2: F9 only from 2022 -> 0, 0
    assert got["lead"].tolist() == [1.0, 2.0, 0.0, 0.0]


def test_herfindahl_recipe():
    got = _run(hhi=Indicator(method="herfindahl", source="firms", value="revenue"))
    # (1² + 3²)/4² = .625; one firm -> 1; (2² + 2²)/4² = .5; one firm -> 1
    np.testing.assert_allclose(got["hhi"].to_numpy(), [0.625, 1.0, 0.5, 1.0])


def test_coupling_and_topsis_recipes():
    got = _run(
        d=Indicator(method="coupling", subsystems=["u1", "u2"]),
        c=Indicator(method="topsis", positive=["u1", "u2"], normalise="minmax"),
    )
    # first row: C = 2·√(.16)/1 = .8, T = .5, D = √.4
    np.testing.assert_allclose(got.loc[0, "d"], np.sqrt(0.4), rtol=1e-12)
    assert got["c"].between(0, 1).all()


def test_recipe_errors():
    with pytest.raises(ValueError, match="needs subsystems"):
        Indicator(method="coupling")
    with pytest.raises(DataError, match=r"\['key_firm'\] absent from the registry"):
        _run(lead=Indicator(method="leading_firms", source="clusters", key="key_firm"))


def test_firm_keyword_index_rejects_negative_counts():
    # ln(1 + 0 + 3) mean with ln(1 + 1 + 0) etc. is covered by the pipeline; here the error
    with pytest.raises(DataError, match=r"\['kw'\] have negative counts"):
        firm_keyword_index(FIRMS.assign(kw=-1), ["kw"])


def test_ratio_lag_matches_calendar_years_not_rows():
    """Denominator of year t - 1 by calendar year: rows out of order and a gap (region 1, 2021)."""
    panel = pd.DataFrame(
        {
            "region": [2, 1, 2, 1, 1, 2],
            "year": [2021, 2022, 2020, 2020, 2023, 2022],
            "num": [3.0, 2.0, 1.0, 1.0, 4.0, 6.0],
            "den": [30.0, 20.0, 10.0, 5.0, 40.0, 60.0],
        }
    )
    recipe = Indicator(
        method="ratio", numerator="num", denominator="den", denominator_lag=1, scale=100.0
    )
    got = recipes._compute("r", recipe, panel, {})
    # (2, 2021): 100·3/10; (1, 2022): no 2021 base; (1, 2023): 100·4/20; (2, 2022): 100·6/30
    np.testing.assert_allclose(got, [30.0, np.nan, np.nan, np.nan, 20.0, 20.0])
    study = SimpleNamespace(spec=SimpleNamespace(indicators={"r": recipe}))
    with pytest.raises(
        DataError, match=r"for 3 region-year\(s\), e.g. \[\{'region': 1, 'year': 2022\}"
    ):
        compute_indicators(study, panel, {})
