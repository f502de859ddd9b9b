"""Tests of clusterdx.panel.heterogeneity: subsample fits and tests of equal coefficients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from clusterdx.errors import EstimationError, PanelError
from clusterdx.panel import fit, heterogeneity

TYPES = ("symbiotic", "epiphytic", "parasitic")


def _grouped(slopes: dict[str, float], seed: int, n_entities: int = 90, n_periods: int = 8):
    """y = slope[type] * x + 0.5 w + entity and year effects + N(0, 1); type fixed by entity."""
    rng = np.random.default_rng(seed)
    entity = np.repeat(np.arange(n_entities), n_periods)
    year = np.tile(np.arange(2012, 2012 + n_periods), n_entities)
    kind = np.asarray(list(slopes))[np.arange(n_entities) % len(slopes)][entity]
    n = len(entity)
    x = rng.normal(size=n) + rng.normal(size=n_entities)[entity]
    w = rng.normal(size=n)
    slope = pd.Series(kind).map(slopes).to_numpy()
    y = slope * x + 0.5 * w + rng.normal(size=n_entities)[entity] + 0.1 * (year - 2012)
    y = y + rng.normal(size=n)
    return pd.DataFrame({"id": entity, "year": year, "kind": kind, "x": x, "w": w, "y": y})


def test_equality_rejected_when_slopes_differ_and_not_when_equal():
    differ = _grouped(dict.fromkeys(TYPES, 1.0) | {"parasitic": 1.5}, seed=1)
    same = _grouped(dict.fromkeys(TYPES, 1.0), seed=1)
    res_differ = heterogeneity(
        differ, "y ~ x + w", "kind", entity="id", time="year", test_vars=["x"]
    )
    res_same = heterogeneity(same, "y ~ x + w", "kind", entity="id", time="year", test_vars=["x"])
    assert res_differ.tests.loc["x", "pvalue"] < 0.01
    assert res_same.tests.loc["x", "pvalue"] > 0.10
    assert res_differ.base == "epiphytic"  # first sorted level
    slopes = {k: r.params["x"] for k, r in res_differ.subsamples.items()}
    assert slopes["parasitic"] - slopes["symbiotic"] == pytest.approx(0.5, abs=0.15)


def test_wald_f_equals_classic_f_test_on_lsdv():
    # With unadjusted covariance the Wald F equals the classical F test of the interaction
    # restrictions in the LSDV regression (statsmodels f_test).
    frame = _grouped({"a": 1.0, "b": 1.2, "c": 0.8}, seed=4, n_entities=45)
    res = heterogeneity(frame, "y ~ x + w", "kind", entity="id", time="year", cov="unadjusted")
    dummies = pd.get_dummies(frame[["id", "year"]].astype(str), drop_first=True, dtype=float)
    inter = pd.DataFrame(
        {f"{v}_{k}": frame[v] * frame["kind"].eq(k) for v in ("x", "w") for k in ("b", "c")},
        dtype=float,
    )
    design = sm.add_constant(pd.concat([frame[["x", "w"]], inter, dummies], axis=1))
    ols = sm.OLS(frame["y"], design).fit()
    joint = ols.f_test(", ".join(f"{c} = 0" for c in inter.columns))
    np.testing.assert_allclose(res.tests.loc["joint", "F"], joint.fvalue, rtol=1e-8)
    np.testing.assert_allclose(res.tests.loc["joint", "pvalue"], joint.pvalue, rtol=1e-6)
    only_x = ols.f_test("x_b = 0, x_c = 0")
    np.testing.assert_allclose(res.tests.loc["x", "F"], only_x.fvalue, rtol=1e-8)
    assert res.tests.loc["joint", "df"] == 4


def test_subsamples_equal_separate_fits():
    frame = _grouped({"a": 1.0, "b": 2.0}, seed=2, n_entities=40)
    res = heterogeneity(frame, "y ~ x + w", "kind", entity="id", time="year")
    alone = fit(
        frame[frame["kind"] == "b"], "y ~ x + w", entity="id", time="year", effects="twoways"
    )
    np.testing.assert_allclose(res.subsamples["b"].params, alone.params, rtol=1e-12)
    assert [r.nobs for r in res.results] == [160, 160]
    assert "Heterogeneity by 'kind'" in res.summary()


def test_permutation_test_detects_difference_and_is_seeded():
    differ = _grouped({"a": 1.0, "b": 1.6}, seed=3, n_entities=60)
    same = _grouped({"a": 1.0, "b": 1.0}, seed=3, n_entities=60)
    kwargs = {"test_vars": ["x"], "permutations": 200, "seed": 11}
    first = heterogeneity(differ, "y ~ x + w", "kind", entity="id", time="year", **kwargs)
    again = heterogeneity(differ, "y ~ x + w", "kind", entity="id", time="year", **kwargs)
    null = heterogeneity(same, "y ~ x + w", "kind", entity="id", time="year", **kwargs)
    pd.testing.assert_frame_equal(first.permutation, again.permutation)
    diff = first.subsamples["b"].params["x"] - first.subsamples["a"].params["x"]
    np.testing.assert_allclose(first.permutation.loc["x", "diff"], diff, rtol=1e-9)
    assert first.permutation.loc["x", "pvalue"] < 0.01
    assert null.permutation.loc["x", "pvalue"] > 0.10


def test_group_varying_within_entity_gets_dummies():
    frame = _grouped({"a": 1.0, "b": 1.0}, seed=5, n_entities=30)
    frame["period"] = np.where(frame["year"] < 2016, "early", "late")
    res = heterogeneity(
        frame, "y ~ x + w", "period", entity="id", time="year", effects="individual"
    )
    assert "period_late" in res.interacted.params.index
    with pytest.raises(EstimationError, match="varies within entities"):
        heterogeneity(frame, "y ~ x + w", "period", entity="id", time="year", permutations=10)


def test_inputs_are_checked():
    frame = _grouped({"a": 1.0, "b": 1.0}, seed=6, n_entities=20)
    with pytest.raises(PanelError, match="one level"):
        heterogeneity(frame.assign(kind="a"), "y ~ x", "kind", entity="id", time="year")
    with pytest.raises(PanelError, match="must be regressors"):
        heterogeneity(frame, "y ~ x", "kind", entity="id", time="year", test_vars=["w"])
    with pytest.raises(PanelError, match="base='z'"):
        heterogeneity(frame, "y ~ x", "kind", entity="id", time="year", base="z")
    three = _grouped({"a": 1.0, "b": 1.0, "c": 1.0}, seed=6, n_entities=30)
    with pytest.raises(EstimationError, match="two groups"):
        heterogeneity(three, "y ~ x", "kind", entity="id", time="year", permutations=10)
