"""Tests of clusterdx.spatial.tests: LR, Wald (common factor, delta method) and spatial Hausman."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from clusterdx.errors import EstimationError
from clusterdx.spatial import fit, hausman, lr_test, wald_test
from clusterdx.spatial._simulate import simulate_panel

libpysal = pytest.importorskip("libpysal", reason="libpysal builds lattice weights")

X = ["x1", "x2"]


@pytest.fixture(scope="module")
def weights():
    w = libpysal.weights.lat2W(9, 9, rook=False)
    w.transform = "r"
    return w.sparse.toarray(), list(range(81))


def _fits(weights, seed, theta, models=("sdm", "sar", "sem")):
    frame = simulate_panel(weights[0], 8, [1.0, -0.5], theta=theta, rho=0.4, seed=seed)
    return {
        m: fit(
            frame, y="y", x=X, w=weights, entity="entity", time="time", model=m, effects="twoways"
        )
        for m in models
    }


def test_lr_statistic_and_rejection(weights):
    fits = _fits(weights, 1, theta=[0.8, 0.5])
    res = lr_test(fits["sdm"], fits["sar"])
    assert res.df == 2
    np.testing.assert_allclose(res.statistic, 2 * (fits["sdm"].llf - fits["sar"].llf), rtol=1e-12)
    np.testing.assert_allclose(res.pvalue, stats.chi2.sf(res.statistic, 2), rtol=1e-12)
    assert res.pvalue < 1e-3  # theta = (0.8, 0.5) is far from zero
    assert "chi2(2)" in str(res)


def test_wald_sar_agrees_with_lr_under_null(weights):
    # Data from an SAR (theta = 0): Wald and LR are asymptotically equivalent; both small.
    fits = _fits(weights, 2, theta=None)
    lr = lr_test(fits["sdm"], fits["sar"])
    wald = wald_test(fits["sdm"], "sar")
    assert wald.df == 2
    theta = fits["sdm"].params[["W_x1", "W_x2"]].to_numpy()
    cov = fits["sdm"].cov.loc[["W_x1", "W_x2"], ["W_x1", "W_x2"]].to_numpy()
    np.testing.assert_allclose(wald.statistic, theta @ np.linalg.solve(cov, theta), rtol=1e-10)
    assert abs(wald.statistic - lr.statistic) < 0.2 * max(lr.statistic, 1.0)


def test_wald_common_factor_matches_numerical_delta_method(weights):
    res = _fits(weights, 3, theta=[0.3, -0.1], models=("sdm",))["sdm"]
    keys = ["x1", "x2", "W_x1", "W_x2", "rho"]
    p0 = res.params[keys].to_numpy()

    def g(p):
        return p[2:4] + p[4] * p[0:2]

    jac = np.empty((2, 5))
    for j in range(5):
        step = np.zeros(5)
        step[j] = 1e-6
        jac[:, j] = (g(p0 + step) - g(p0 - step)) / 2e-6
    cov = jac @ res.cov.loc[keys, keys].to_numpy() @ jac.T
    expected = g(p0) @ np.linalg.solve(cov, g(p0))
    out = wald_test(res, "sem")
    np.testing.assert_allclose(out.statistic, expected, rtol=1e-6)
    assert out.df == 2 and "common factor" in out.null


def test_wald_slx_is_squared_z_of_rho(weights):
    res = _fits(weights, 4, theta=[0.3, -0.1], models=("sdm",))["sdm"]
    out = wald_test(res, "slx")
    np.testing.assert_allclose(out.statistic, res.tvalues["rho"] ** 2, rtol=1e-12)


def test_hausman_statistic(weights):
    frame = simulate_panel(weights[0], 8, [1.0, -0.5], rho=0.3, seed=5)
    fe = fit(
        frame,
        y="y",
        x=X,
        w=weights,
        entity="entity",
        time="time",
        model="sar",
        effects="individual",
    )
    re = fit(
        frame, y="y", x=X, w=weights, entity="entity", time="time", model="sar", effects="random"
    )
    out = hausman(fe, re)
    keys = ["x1", "x2"]
    d = fe.params[keys].to_numpy() - re.params[keys].to_numpy()
    v = fe.cov.loc[keys, keys].to_numpy() - re.cov.loc[keys, keys].to_numpy()
    expected = d @ np.linalg.solve(v, d)
    np.testing.assert_allclose(out.statistic, expected, rtol=1e-8)
    assert out.df == 2
    # x is correlated with the individual effects in simulate_panel: RE is rejected
    assert out.pvalue < 0.01


def test_misuse_is_explained(weights):
    fits = _fits(weights, 6, theta=None, models=("sdm", "sar"))
    with pytest.raises(EstimationError, match="pass the larger model first"):
        lr_test(fits["sar"], fits["sdm"])
    with pytest.raises(EstimationError, match=r"needs an SDM .* got SAR"):
        wald_test(fits["sar"], "sar")
    with pytest.raises(ValueError, match=r"restriction='sac' is not one of"):
        wald_test(fits["sdm"], "sac")
    with pytest.raises(EstimationError, match="fixed-effects fit then a random-effects fit"):
        hausman(fits["sdm"], fits["sar"])


def test_lr_refuses_models_with_different_regressors(weights):
    frame = simulate_panel(weights[0], 8, [1.0, -0.5], theta=[0.8, 0.5], rho=0.4, seed=1)
    sdm = fit(
        frame, y="y", x=X, w=weights, entity="entity", time="time", model="sdm", effects="twoways"
    )
    sar_x1 = fit(
        frame,
        y="y",
        x=["x1"],
        w=weights,
        entity="entity",
        time="time",
        model="sar",
        effects="twoways",
    )
    with pytest.raises(EstimationError, match=r"exog_names differs \(\['x1', 'x2'\] vs \['x1'\]\)"):
        lr_test(sdm, sar_x1)
