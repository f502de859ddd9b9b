"""Tests of clusterdx.panel.robustness: the robustness battery of sample and variable variants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import StudySpecError
from clusterdx.panel import fit
from clusterdx.panel.robustness import MUNICIPALITIES, Variant, robustness

BASE = {"formula": "dt ~ demand + gov", "model": "fe", "effects": "twoways", "name": "fe"}
CODES = [110000, 120000, 130000, 140000, 310000, 320000, 330000, 500000, 510000, 520000]


@pytest.fixture(scope="module")
def provinces() -> pd.DataFrame:
    """10 provinces (4 municipalities) x 2011-2020: dt = 0.5 demand - 0.3 gov + effects + noise."""
    rng = np.random.default_rng(5)
    index = pd.MultiIndex.from_product([CODES, range(2011, 2021)], names=["region", "year"])
    frame = index.to_frame(index=False)
    n = len(frame)
    frame["demand"] = rng.standard_t(3, size=n)
    frame["gov"] = rng.normal(size=n)
    effect = frame["region"].map(dict(zip(CODES, rng.normal(size=10), strict=True)))
    frame["dt"] = 0.5 * frame["demand"] - 0.3 * frame["gov"] + effect + rng.normal(size=n)
    frame["dt_alt"] = frame["dt"] + rng.normal(scale=0.1, size=n)
    return frame


def test_variants_equal_fits_on_hand_built_samples(provinces):
    runs = robustness(
        provinces,
        BASE,
        [
            {"name": "no municipalities", "drop_entities": MUNICIPALITIES},
            Variant(name="alt y", y="dt_alt"),
            {"name": "no 2020", "exclude_periods": [2020]},
            {"name": "robust se", "fit": {"cov": "robust"}},
        ],
        entity="region",
        time="year",
    )
    assert list(runs) == ["baseline", "no municipalities", "alt y", "no 2020", "robust se"]
    opts = {"model": "fe", "effects": "twoways"}
    kept = provinces[~provinces["region"].isin([110000, 120000, 310000, 500000])]
    expected = fit(kept, "dt ~ demand + gov", entity="region", time="year", **opts)
    np.testing.assert_allclose(runs["no municipalities"].params, expected.params, rtol=1e-12)
    assert runs["no municipalities"].nobs == 60
    alt = fit(provinces, "dt_alt ~ demand + gov", entity="region", time="year", **opts)
    np.testing.assert_allclose(runs["alt y"].params, alt.params, rtol=1e-12)
    assert runs["alt y"].depvar == "dt_alt"
    assert runs["no 2020"].nobs == 90
    assert "White" in runs["robust se"].cov_type


def test_winsorising_clips_at_quantiles(provinces):
    runs = robustness(
        provinces, BASE, [{"name": "w1", "winsorize": (0.05, 0.95)}], entity="region", time="year"
    )
    clipped = provinces.copy()
    for col in ("dt", "demand", "gov"):
        lo, hi = np.quantile(provinces[col], [0.05, 0.95])
        clipped[col] = provinces[col].clip(lo, hi)
    expected = fit(clipped, "dt ~ demand + gov", entity="region", time="year", effects="twoways")
    np.testing.assert_allclose(runs["w1"].params, expected.params, rtol=1e-12)


def test_lagged_regressors_use_previous_period(provinces):
    holes = provinces.drop(index=[13])  # region 120000, year 2014 missing: 2015 has no lag
    runs = robustness(
        holes, BASE, [{"name": "lag", "lag": ["demand"]}], entity="region", time="year"
    )
    wide = provinces.pivot(index="region", columns="year", values="demand")
    lagged = wide.shift(1, axis=1)
    lagged.loc[120000, 2015] = np.nan
    lagged.loc[120000, 2014] = np.nan
    frame = holes.assign(
        demand=[lagged.loc[r, y] for r, y in zip(holes["region"], holes["year"], strict=True)]
    )
    expected = fit(
        frame, "dt ~ demand + gov", entity="region", time="year", effects="twoways", missing="drop"
    )
    np.testing.assert_allclose(runs["lag"].params, expected.params, rtol=1e-12)
    assert runs["lag"].nobs == 99 - 10 - 1


def test_specs_are_checked(provinces):
    with pytest.raises(StudySpecError, match="unknown keys \\['lags'\\]"):
        robustness(provinces, BASE, [{"name": "x", "lags": True}], entity="region", time="year")
    with pytest.raises(StudySpecError, match="repeated"):
        robustness(provinces, BASE, [{"name": "a"}, {"name": "a"}], entity="region", time="year")
    with pytest.raises(StudySpecError, match="winsorize"):
        robustness(
            provinces, BASE, [{"name": "w", "winsorize": (0.9, 0.1)}], entity="region", time="year"
        )
    with pytest.raises(StudySpecError, match="unknown keys \\['weights'\\]"):
        robustness(provinces, {**BASE, "weights": "queen"}, [], entity="region", time="year")


def test_lag_all_regressors_at_once(provinces):
    """``lag=True`` lags every regressor (several columns at once), each from the previous year."""
    runs = robustness(
        provinces, BASE, [{"name": "lag all", "lag": True}], entity="region", time="year"
    )
    _, exog = BASE["formula"].split("~")
    columns = [c.strip() for c in exog.split("+")]
    lagged = provinces.sort_values(["region", "year"]).copy()
    lagged[columns] = lagged.groupby("region")[columns].shift(1)
    expected = fit(
        lagged.dropna(subset=columns),
        BASE["formula"],
        entity="region",
        time="year",
        **{k: v for k, v in BASE.items() if k not in ("formula", "name")},
    )
    np.testing.assert_allclose(runs["lag all"].params, expected.params, rtol=1e-12)


def test_lag_with_excluded_period_uses_the_excluded_period_value(provinces):
    """Excluding 2018 must not make 2017 the 'previous period' of 2019: its lag is the 2018 value."""
    runs = robustness(
        provinces,
        BASE,
        [{"name": "lag, no 2018", "lag": ["demand"], "exclude_periods": [2018]}],
        entity="region",
        time="year",
    )
    lagged = provinces.sort_values(["region", "year"]).copy()
    lagged["demand"] = lagged.groupby("region")["demand"].shift(1)
    sample = lagged.loc[lagged["year"] != 2018].dropna(subset=["demand"])
    expected = fit(
        sample, BASE["formula"], entity="region", time="year", model="fe", effects="twoways"
    )
    np.testing.assert_allclose(runs["lag, no 2018"].params, expected.params, rtol=1e-12)
    assert runs["lag, no 2018"].nobs == 100 - 10 - 10
