"""Tests of clusterdx.paneldata.within: demeaning, and pooled/FE fits against linearmodels and pyfixest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS, PooledOLS

from clusterdx.errors import EstimationError
from clusterdx.panel import fit
from clusterdx.paneldata.within import demean, nested

FORMULA = "dt ~ demand + gov + tech"


def _lsdv_residuals(x: np.ndarray, *codes: np.ndarray) -> np.ndarray:
    """Residuals of x on the dummies of every code array (brute force)."""
    dummies = np.column_stack([np.eye(c.max() + 1)[c] for c in codes])
    return x - dummies @ np.linalg.lstsq(dummies, x, rcond=None)[0]


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_demean_equals_lsdv_residuals(dims):
    rng = np.random.default_rng(dims)
    n = 300
    codes = [rng.integers(0, size, n) for size in (40, 7, 5)[:dims]]
    x = rng.normal(size=(n, 3))
    np.testing.assert_allclose(demean(x, codes), _lsdv_residuals(x, *codes), atol=1e-11)


def test_demean_balanced_grid_and_disconnected_two_way():
    rng = np.random.default_rng(1)
    i, t = np.repeat(np.arange(9), 4), np.tile(np.arange(4), 9)
    x = rng.normal(size=36)
    np.testing.assert_allclose(demean(x, [i, t]), _lsdv_residuals(x, i, t), atol=1e-12)
    # two components: entities 0-4 only in periods 0-1, entities 5-8 only in periods 2-3
    keep = (i < 5) == (t < 2)
    i, t, x = i[keep], t[keep], x[keep]
    t = np.unique(t, return_inverse=True)[1]
    np.testing.assert_allclose(demean(x, [i, t]), _lsdv_residuals(x, i, t), atol=1e-12)


def test_nested():
    assert nested(np.array([0, 0, 1, 1, 2]), np.array([5, 5, 5, 5, 6]))
    assert not nested(np.array([0, 0, 1, 1]), np.array([5, 6, 6, 6]))


def _unbalanced(sim_panel: pd.DataFrame) -> pd.DataFrame:
    return sim_panel.drop(index=sim_panel.index[3:80:7])


@pytest.mark.parametrize("effects", ["individual", "time", "twoways"])
@pytest.mark.parametrize("balanced", [True, False])
def test_fe_equals_linearmodels_panelols(sim_panel, effects, balanced):
    # linearmodels 7.1 PanelOLS(entity_effects, time_effects).fit(cov_type=..., debiased=True)
    frame = sim_panel if balanced else _unbalanced(sim_panel)
    data = frame.set_index(["region", "year"])
    model = PanelOLS(
        data["dt"],
        data[["demand", "gov", "tech"]],
        entity_effects=effects != "time",
        time_effects=effects != "individual",
    )
    for cov, kwargs in [
        ("unadjusted", {"cov_type": "unadjusted"}),
        ("robust", {"cov_type": "robust"}),
        ("driscoll-kraay", {"cov_type": "kernel", "kernel": "bartlett", "bandwidth": 2}),
    ]:
        res = fit(
            frame, FORMULA, entity="region", time="year", model="fe", effects=effects, cov=cov
        )
        ref = model.fit(debiased=True, **kwargs)
        np.testing.assert_allclose(res.params, ref.params, rtol=1e-10)
        np.testing.assert_allclose(res.cov, ref.cov, rtol=1e-10)
        assert res.df_inference == (7 if cov == "driscoll-kraay" else ref.df_resid)
        for ours, theirs in [
            (res.rsquared, ref.rsquared),
            (res.rsquared_within, ref.rsquared_within),
            (res.rsquared_between, ref.rsquared_between),
            (res.rsquared_overall, ref.rsquared_overall),
            (res.llf, ref.loglik),
        ]:
            assert ours == pytest.approx(theirs, rel=1e-10)


@pytest.mark.parametrize("cluster", ["entity", "time", "both", "province"])
def test_pooled_equals_linearmodels_pooledols(sim_panel, cluster):
    frame = _unbalanced(sim_panel)
    data = frame.set_index(["region", "year"]).assign(const=1.0)
    model = PooledOLS(data["dt"], data[["const", "demand", "gov", "tech"]])
    codes = {
        "entity": pd.factorize(data.index.get_level_values(0))[0],
        "time": pd.factorize(data.index.get_level_values(1))[0],
        "province": pd.factorize(data["province"])[0],
    }
    columns = ["entity", "time"] if cluster == "both" else [cluster]
    clusters = pd.DataFrame({c: codes[c] for c in columns}, index=data.index)
    ref = model.fit(cov_type="clustered", clusters=clusters, debiased=True, group_debias=True)
    res = fit(frame, FORMULA, entity="region", time="year", model="pooled", cluster=cluster)
    np.testing.assert_allclose(res.params, ref.params, rtol=1e-10)
    np.testing.assert_allclose(res.cov, ref.cov, rtol=1e-10)
    for ours, theirs in [
        (res.rsquared, ref.rsquared),
        (res.rsquared_within, ref.rsquared_within),
        (res.rsquared_between, ref.rsquared_between),
        (res.rsquared_overall, ref.rsquared_overall),
        (res.llf, ref.loglik),
    ]:
        assert ours == pytest.approx(theirs, rel=1e-10)


@pytest.mark.parametrize("balanced", [True, False])
def test_twoway_crv1_equals_pyfixest(sim_panel, balanced):
    # pyfixest 0.60 feols("dt ~ ... | region + year", vcov={"CRV1": "region"}) without its
    # small-sample factor (ssc(k_adj=False, G_adj=False)), times ours G/(G-1)(n-1)/(n-K) with
    # K = k + T - 1: fixest's default K counts one more (k + T, a nested effect adds back 1).
    import pyfixest as pf

    frame = sim_panel if balanced else _unbalanced(sim_panel)
    res = fit(frame, FORMULA, entity="region", time="year", model="fe", effects="twoways")
    ref = pf.feols(
        f"{FORMULA} | region + year",
        data=frame,
        vcov={"CRV1": "region"},
        ssc=pf.ssc(k_adj=False, G_adj=False),
    )
    n, g, k = len(frame), 12, 3 + 8 - 1
    factor = g / (g - 1) * (n - 1) / (n - k)
    np.testing.assert_allclose(res.params, ref.coef(), rtol=1e-10)
    np.testing.assert_allclose(res.bse, ref.se() * np.sqrt(factor), rtol=1e-8)


def test_bandwidth_beyond_the_periods_is_refused(sim_panel):
    with pytest.raises(EstimationError, match="bandwidth 8 must be below the number of periods, 8"):
        fit(sim_panel, FORMULA, entity="region", time="year", cov="driscoll-kraay", bandwidth=8)
