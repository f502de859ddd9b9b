"""Placebo DID by random assignment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clusterdx.errors import EstimationError
from clusterdx.panel import did, placebo


def _panel(effect: float, seed: int, n: int = 30, unbalanced: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {"region": np.repeat(np.arange(n), 8), "year": np.tile(np.arange(2012, 2020), n)}
    )
    if unbalanced:
        frame = frame.sample(frac=0.9, random_state=seed).sort_index()
    cohorts = rng.choice([2015, 2016, 2017], size=n)
    cohorts[n // 2 :] = 0
    frame["pilot"] = cohorts[frame["region"]]
    frame["ctrl"] = rng.normal(size=len(frame))
    alpha = rng.normal(size=n)[frame["region"]]
    treated = (frame["pilot"] > 0) & (frame["year"] >= frame["pilot"])
    frame["y"] = effect * treated + 0.3 * frame["ctrl"] + alpha + 0.05 * frame["year"]
    frame["y"] += rng.normal(size=len(frame))
    return frame


@pytest.mark.parametrize("kind", ["space", "time", "both"])
def test_true_estimate_equals_did_and_draws_are_reproducible(kind):
    frame = _panel(0.5, 1, unbalanced=True)
    ref = did(frame, "y", "pilot", entity="region", time="year", controls=["ctrl"])
    res = placebo(frame, "y", "pilot", entity="region", time="year", controls=["ctrl"], kind=kind, draws=99, seed=4,
                  progress=False)  # fmt: skip
    assert res.estimate == pytest.approx(ref.params["treat_post"], rel=1e-8)
    again = placebo(frame, "y", "pilot", entity="region", time="year", controls=["ctrl"], kind=kind, draws=99, seed=4,
                    progress=False)  # fmt: skip
    np.testing.assert_array_equal(res.placebo, again.placebo)


def test_one_placebo_draw_equals_did_on_the_permuted_assignment():
    frame = _panel(0.5, 2)
    res = placebo(
        frame, "y", "pilot", entity="region", time="year", draws=19, seed=9, progress=False
    )
    rng = np.random.default_rng(9)
    by_entity = frame.groupby("region")["pilot"].first().replace(0, np.nan).to_numpy()
    fake = by_entity[rng.permutation(len(by_entity))]
    permuted = frame.assign(fake=fake[frame["region"]])
    ref = did(permuted, "y", "fake", entity="region", time="year")
    assert res.placebo[0] == pytest.approx(ref.params["treat_post"], rel=1e-8)


@pytest.mark.parametrize("unbalanced", [False, True])
def test_every_draw_equals_did_on_its_assignment_with_controls(unbalanced):
    """The closed-form estimates (no demeaning of the fake indicators) against a regression per
    draw: time and space both randomised, a control, and a panel with missing region-years
    (the partitioned-regression term of D'MD)."""
    frame = _panel(0.5, 5, n=24, unbalanced=unbalanced)
    res = placebo(frame, "y", "pilot", entity="region", time="year", controls=["ctrl"],
                  kind="both", draws=19, seed=3, progress=False)  # fmt: skip
    rng = np.random.default_rng(3)
    by_entity = frame.groupby("region")["pilot"].first().replace(0, np.nan).to_numpy()
    treated = np.isfinite(by_entity)
    periods = np.sort(frame["year"].unique()).astype(float)
    for b in range(6):
        fake = by_entity.copy()
        fake[treated] = rng.choice(periods[1:], size=int(treated.sum()))
        fake = fake[rng.permutation(len(fake))]
        permuted = frame.assign(fake=np.nan_to_num(fake, nan=0.0)[frame["region"]])
        ref = did(permuted, "y", "fake", entity="region", time="year", controls=["ctrl"])
        assert res.placebo[b] == pytest.approx(ref.params["treat_post"], rel=1e-9)


def test_an_absorbed_treatment_is_refused():
    """Every region first treated in the same year: the indicator is a period effect."""
    frame = _panel(0.5, 6)
    frame["pilot"] = 2016
    with pytest.raises(EstimationError, match="absorbed by the two-way effects"):
        placebo(frame, "y", "pilot", entity="region", time="year", draws=19, progress=False)


def test_figure_marks_the_true_estimate():
    res = placebo(
        _panel(0.5, 3), "y", "pilot", entity="region", time="year", draws=49, progress=False
    )
    fig = res.figure(lang="zh")
    assert fig.axes[0].lines[-1].get_xdata()[0] == pytest.approx(res.estimate)
    assert res.summary_frame()["draws"].iloc[0] == 49


def test_bad_draws_raise():
    with pytest.raises(EstimationError, match="draws=5 must be an integer of at least 19"):
        placebo(_panel(0.5, 3), "y", "pilot", entity="region", time="year", draws=5)


@pytest.mark.slow
def test_placebo_pvalue_is_uniform_under_the_null():
    """Null design (no effect, treatment assigned at random): over 300 repeats the permutation
    p-values are uniform (Kolmogorov-Smirnov, 1% level)."""
    pvalues = [
        placebo(
            _panel(0.0, seed),
            "y",
            "pilot",
            entity="region",
            time="year",
            draws=199,
            seed=seed,
            progress=False,
        ).pvalue
        for seed in range(300)
    ]
    assert stats.kstest(pvalues, "uniform").pvalue > 0.01
