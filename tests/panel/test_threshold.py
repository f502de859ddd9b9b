"""Tests of clusterdx.panel.threshold: Hansen (1999) panel threshold regression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from clusterdx.errors import EstimationError, PanelError, StudySpecError
from clusterdx.panel import threshold
from clusterdx.panel.threshold import _Data, lr_critical_value
from clusterdx.paneldata.frame import PanelFrame


def _simulate(n_entities: int, n_periods: int, gammas: tuple[float, ...], slopes, seed: int):
    """y = mu_i + slope_r * x in regime r of q ~ U(0, 1) + 0.5 c + N(0, 0.5²)."""
    rng = np.random.default_rng(seed)
    n = n_entities * n_periods
    entity = np.repeat(np.arange(n_entities), n_periods)
    q = rng.uniform(0, 1, n)
    x = rng.normal(size=n)
    c = rng.normal(size=n)
    regime = np.searchsorted(np.asarray(gammas), q, side="left")
    slope = np.asarray(slopes)[regime]
    y = rng.normal(size=n_entities)[entity] + slope * x + 0.5 * c + rng.normal(scale=0.5, size=n)
    return pd.DataFrame(
        {"id": entity, "year": np.tile(np.arange(2000, 2000 + n_periods), n_entities)}
    ).assign(y=y, x=x, q=q, c=c)


@pytest.fixture(scope="module")
def one_threshold() -> pd.DataFrame:
    return _simulate(120, 10, (0.5,), (1.0, -1.0), seed=11)


def test_lr_critical_value_is_hansens():
    # Hansen (1999), p. 353: c(0.05) = 7.35, c(0.10) = 5.94, c(0.01) = 10.59.
    assert lr_critical_value(0.05) == pytest.approx(7.35, abs=5e-3)
    assert lr_critical_value(0.10) == pytest.approx(5.94, abs=5e-3)
    assert lr_critical_value(0.01) == pytest.approx(10.59, abs=5e-3)


@pytest.mark.parametrize("effects", ["individual", "twoways"])
def test_closed_form_ssr_equals_lsdv_regressions(effects):
    # Independent computation: statsmodels OLS with entity (and year) dummies at grid points.
    frame = _simulate(25, 6, (0.5,), (1.0, -1.0), seed=2)
    frame["x2"] = np.random.default_rng(3).normal(size=len(frame))
    used = PanelFrame(frame, ["y", "x", "x2", "c", "q"], "id", "year").data
    data = _Data(used, "y", ["x", "x2"], ["c"], "q", effects, 0.05, 40)
    yw = data.within(data.y)
    dummies = pd.get_dummies(frame["id"].astype(str), drop_first=True, dtype=float)
    if effects == "twoways":
        years = pd.get_dummies(frame["year"].astype(str), drop_first=True, dtype=float)
        dummies = pd.concat([dummies, years], axis=1)
    xs = frame[["x", "x2"]].to_numpy()
    for fixed in [(), (10,)]:
        curve = data.ssr_curve(yw, fixed)
        for g in (3, 20, 30):
            parts = [xs] + [
                xs * (frame["q"].to_numpy() <= data.grid[j])[:, None] for j in sorted({*fixed, g})
            ]
            design = np.column_stack([*parts, frame["c"], dummies, np.ones(len(frame))])
            ols = sm.OLS(frame["y"].to_numpy(), design).fit()
            np.testing.assert_allclose(curve[g], ols.ssr, rtol=1e-10)


def test_recovers_known_threshold_and_slopes(one_threshold):
    res = threshold(
        one_threshold,
        "y",
        "x",
        "q",
        controls=["c"],
        entity="id",
        time="year",
        grid=200,
        bootstrap=50,
        seed=5,
    )
    step = np.diff(res.grid).max()
    assert abs(res.thresholds["gamma1"] - 0.5) <= 2 * step
    # the interval is a set of grid points: it covers 0.5 up to the grid resolution
    assert res.ci.loc["gamma1", "lower"] - step <= 0.5 <= res.ci.loc["gamma1", "upper"] + step
    np.testing.assert_allclose(res.params[["x_r1", "x_r2", "c"]], [1.0, -1.0, 0.5], atol=0.08)
    assert res.tests.loc["0 vs 1", "pvalue"] == 0.0
    assert res.regimes["nobs"].sum() == res.nobs == 1200
    assert res.lr_critical == pytest.approx(7.35, abs=5e-3)
    assert list(res.lr.columns) == ["threshold", "gamma", "lr"]
    assert res.lr["lr"].min() == pytest.approx(0.0, abs=1e-9)


def test_f_statistic_by_hand(one_threshold):
    # F1 = (S0 - S1) / (S1 / (n(T-1))), S0 and S1 from statsmodels LSDV regressions.
    res = threshold(
        one_threshold,
        "y",
        "x",
        "q",
        controls=["c"],
        entity="id",
        time="year",
        grid=100,
        bootstrap=0,
    )
    frame = one_threshold
    dummies = pd.get_dummies(frame["id"].astype(str), dtype=float)
    s0 = sm.OLS(frame["y"], pd.concat([frame[["x", "c"]], dummies], axis=1)).fit().ssr
    below = (frame["q"] <= res.thresholds["gamma1"]).astype(float)
    design = pd.concat(
        [frame[["c"]], frame["x"] * below, frame["x"] * (1 - below), dummies], axis=1
    )
    s1 = sm.OLS(frame["y"], design).fit().ssr
    np.testing.assert_allclose(res.tests.loc["0 vs 1", "F"], (s0 - s1) / (s1 / (120 * 9)))
    assert np.isnan(res.tests.loc["0 vs 1", "pvalue"])


def test_bootstrap_pvalue_reproducible_with_seed():
    frame = _simulate(40, 6, (0.5,), (0.3, 0.1), seed=8)
    kwargs = {"grid": 50, "bootstrap": 60, "n_thresholds": 2}
    first = threshold(
        frame, "y", "x", "q", controls=["c"], entity="id", time="year", seed=123, **kwargs
    )
    again = threshold(
        frame, "y", "x", "q", controls=["c"], entity="id", time="year", seed=123, **kwargs
    )
    other = threshold(
        frame, "y", "x", "q", controls=["c"], entity="id", time="year", seed=124, **kwargs
    )
    pd.testing.assert_frame_equal(first.tests, again.tests)
    assert not first.tests[["crit90", "crit95", "crit99"]].equals(
        other.tests[["crit90", "crit95", "crit99"]]
    )


def test_two_thresholds_are_found_and_tested():
    frame = _simulate(150, 10, (0.3, 0.7), (1.0, 0.0, -1.0), seed=21)
    res = threshold(
        frame,
        "y",
        "x",
        "q",
        controls=["c"],
        entity="id",
        time="year",
        n_thresholds=2,
        grid=100,
        bootstrap=40,
        seed=1,
    )
    step = np.diff(res.grid).max()
    np.testing.assert_allclose(res.thresholds, [0.3, 0.7], atol=2 * step)
    assert (res.tests["pvalue"] == 0.0).all()
    np.testing.assert_allclose(res.params[["x_r1", "x_r2", "x_r3"]], [1, 0, -1], atol=0.1)


def test_no_threshold_is_not_rejected():
    frame = _simulate(60, 8, (0.5,), (1.0, 1.0), seed=4)
    res = threshold(
        frame,
        "y",
        "x",
        "q",
        controls=["c"],
        entity="id",
        time="year",
        grid=60,
        bootstrap=100,
        seed=9,
    )
    assert res.tests.loc["0 vs 1", "pvalue"] > 0.10


def test_three_thresholds_run_and_summary(one_threshold):
    res = threshold(
        one_threshold,
        "y",
        "x",
        "q",
        controls=["c"],
        entity="id",
        time="year",
        n_thresholds=3,
        grid=60,
        bootstrap=5,
        seed=0,
        effects="twoways",
    )
    assert list(res.thresholds.index) == ["gamma1", "gamma2", "gamma3"]
    assert res.thresholds.is_monotonic_increasing
    assert list(res.tests.index) == ["0 vs 1", "1 vs 2", "2 vs 3"]
    assert res.fixed_effects == {"entity": True, "time": True}
    assert "Hansen 1999" in res.summary()


def test_inputs_are_checked(one_threshold):
    with pytest.raises(EstimationError, match=r"trim=0\.3"):
        threshold(one_threshold, "y", "x", "q", entity="id", time="year", trim=0.3)
    with pytest.raises(EstimationError, match="n_thresholds=4"):
        threshold(one_threshold, "y", "x", "q", entity="id", time="year", n_thresholds=4)
    with pytest.raises(StudySpecError, match="'individual', 'twoways'"):
        threshold(one_threshold, "y", "x", "q", entity="id", time="year", effects="time")
    with pytest.raises(PanelError, match="balanced panel"):
        threshold(one_threshold.iloc[1:], "y", "x", "q", entity="id", time="year")
    constant = one_threshold.assign(size=one_threshold["id"] * 2.0)
    with pytest.raises(EstimationError, match=r"\['size'\] are identically zero"):
        threshold(constant, "y", "x", "q", controls=["c", "size"], entity="id", time="year")
    with pytest.raises(EstimationError, match="outside"):
        threshold(one_threshold, "y", "x", "q", entity="id", time="year", grid=[0.5, 2.0])
