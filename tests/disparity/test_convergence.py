"""σ- and β-convergence equal the regressions they are (statsmodels OLS, cdx.panel.fit, cdx.spatial.fit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import clusterdx as cdx
from clusterdx.disparity import (
    beta_convergence,
    growth_frame,
    sigma_convergence,
    spatial_beta_convergence,
)
from clusterdx.errors import DataError


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(5)
    ids = cdx.regions.provinces()["code"].tolist()
    rows = []
    for code in ids:
        y = rng.lognormal(0, 0.5)
        for year in range(2011, 2021):
            rows.append((code, year, y, rng.normal()))
            y = np.exp(np.log(y) + 0.1 - 0.2 * np.log(y) + rng.normal(0, 0.05))
    return pd.DataFrame(rows, columns=["region", "year", "dt", "gov"])


def test_sigma_trend_is_ols(frame):
    out = sigma_convergence(frame, "dt")
    cv = frame.groupby("year").dt.agg(lambda v: v.std(ddof=1) / v.mean())
    ref = sm.OLS(cv.to_numpy(), sm.add_constant(cv.index.to_numpy(dtype=float))).fit()
    assert out.attrs["slope"] == pytest.approx(ref.params[1], rel=1e-12)
    assert out.attrs["p"] == pytest.approx(ref.pvalues[1], rel=1e-10)
    assert out.attrs["slope"] < 0  # the simulated process converges


def test_growth_frame(frame):
    g = growth_frame(frame, "dt")
    one = frame[frame.region == 110000].sort_values("year").dt.to_numpy()
    got = g[g.region == 110000].growth.to_numpy()
    assert np.abs(got - np.log(one[1:] / one[:-1])).max() < 1e-14
    assert len(g) == len(frame) - frame.region.nunique()


@pytest.mark.parametrize("controls", [[], ["gov"]])
def test_beta_equals_panel_fit(frame, controls):
    res = beta_convergence(frame, "dt", controls=controls)
    data = frame.sort_values(["region", "year"]).copy()
    data["growth"] = np.log(data.groupby("region").dt.shift(-1) / data.dt)
    data["ln_y"] = np.log(data.dt)
    data = data.dropna(subset=["growth"])
    ref = cdx.panel.fit(
        data,
        " + ".join(["growth ~ ln_y", *controls]),
        entity="region",
        time="year",
        model="fe",
        effects="twoways",
        cov="cluster",
    )
    assert res.beta == pytest.approx(ref.params["ln_y"], rel=1e-12)
    assert np.abs(res.fit.bse - ref.bse).max() < 1e-12
    assert res.speed == pytest.approx(-np.log(1 + ref.params["ln_y"]), rel=1e-12)
    assert res.half_life == pytest.approx(np.log(2) / res.speed, rel=1e-12)
    assert res.beta < 0


def test_spatial_beta_equals_spatial_fit(frame):
    w = cdx.weights.contiguity(cdx.regions.provinces())
    res = spatial_beta_convergence(frame, "dt", w, model="sar")
    data = growth_frame(frame, "dt")
    ref = cdx.spatial.fit(
        data,
        y="growth",
        x=["ln_y"],
        w=w,
        entity="region",
        time="year",
        model="sar",
        effects="twoways",
    )
    assert res.beta == pytest.approx(ref.params["ln_y"], rel=1e-12)
    assert res.fit.rho == pytest.approx(ref.rho, rel=1e-12)


def test_gap_is_named():
    t = pd.DataFrame({"region": [1, 1], "year": [2011, 2013], "y": [1.0, 2.0]})
    with pytest.raises(DataError, match="convergence: column 'year' has gaps within regions"):
        growth_frame(t, "y")
