"""Tests of clusterdx.spatial.effects: impacts against dense S_k matrices and the delta method."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.spatial import fit
from clusterdx.spatial._simulate import simulate_panel

libpysal = pytest.importorskip("libpysal", reason="libpysal builds lattice weights")

X = ["x1", "x2"]


@pytest.fixture(scope="module")
def lattice():
    w = libpysal.weights.lat2W(8, 8, rook=False)
    w.transform = "r"
    return w.sparse.toarray(), list(range(64))


@pytest.fixture(scope="module")
def sdm(lattice):
    dense, ids = lattice
    frame = simulate_panel(dense, 6, [1.0, -0.5], theta=[0.4, 0.2], rho=0.45, seed=4)
    return fit(
        frame,
        y="y",
        x=X,
        w=(dense, ids),
        entity="entity",
        time="time",
        model="sdm",
        effects="twoways",
    )


def _dense_impacts(dense, rho, beta, theta):
    """LeSage & Pace (2009) summaries of S_k = (I - rho W)^-1 (beta_k I + theta_k W), densely."""
    n = len(dense)
    inv = np.linalg.inv(np.eye(n) - rho * dense)
    out = []
    for b, t in zip(beta, theta, strict=True):
        s = inv @ (b * np.eye(n) + t * dense)
        direct, total = np.trace(s) / n, s.sum() / n
        out.append([direct, total - direct, total])
    return np.array(out)


def test_sdm_impacts_match_dense_matrices(sdm, lattice):
    dense, _ = lattice
    imp = sdm.impacts(draws=200, seed=0)
    expected = _dense_impacts(
        dense, sdm.rho, sdm.params[X].to_numpy(), sdm.params[["W_x1", "W_x2"]].to_numpy()
    )
    ours = imp.xs("est", axis=1, level="stat")[["direct", "indirect", "total"]].to_numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-10)


def test_sar_impacts_match_dense_matrices(lattice):
    dense, ids = lattice
    frame = simulate_panel(dense, 6, [1.0, -0.5], rho=0.3, seed=8)
    res = fit(
        frame,
        y="y",
        x=X,
        w=(dense, ids),
        entity="entity",
        time="time",
        model="sar",
        effects="individual",
    )
    imp = res.impacts(draws=200, seed=0)
    expected = _dense_impacts(dense, res.rho, res.params[X].to_numpy(), np.zeros(2))
    ours = imp.xs("est", axis=1, level="stat")[["direct", "indirect", "total"]].to_numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-10)


def test_impacts_without_row_standardisation_match_dense_matrices():
    """A W whose rows do not sum to 1: the total is not (beta + theta) / (1 - rho)."""
    binary = libpysal.weights.lat2W(6, 6, rook=False)
    binary.transform = "b"
    dense = binary.sparse.toarray() / 10.0
    frame = simulate_panel(dense, 5, [1.0, -0.5], theta=[0.5, 0.0], rho=0.4, seed=0)
    res = fit(
        frame,
        y="y",
        x=X,
        w=(dense, list(range(36))),
        entity="entity",
        time="time",
        model="sdm",
        effects="twoways",
        bias_correction=False,
    )
    imp = res.impacts(draws=50, seed=0)
    expected = _dense_impacts(
        dense, res.rho, res.params[X].to_numpy(), res.params[["W_x1", "W_x2"]].to_numpy()
    )
    ours = imp.xs("est", axis=1, level="stat")[["direct", "indirect", "total"]].to_numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-10)


def test_layout_and_z_p(sdm):
    imp = sdm.impacts(draws=200, seed=1)
    assert list(imp.index) == X and imp.index.name == "variable"
    assert imp.columns.names == ["impact", "stat"]
    assert list(imp.columns.get_level_values(0).unique()) == ["direct", "indirect", "total"]
    np.testing.assert_allclose(imp[("total", "z")], imp[("total", "est")] / imp[("total", "se")])
    z = imp[("direct", "z")].to_numpy()
    from scipy import stats

    np.testing.assert_allclose(imp[("direct", "p")], 2 * stats.norm.sf(np.abs(z)))


def test_simulation_is_seeded(sdm):
    a = sdm.impacts(draws=300, seed=5)
    b = sdm.impacts(draws=300, seed=5)
    c = sdm.impacts(draws=300, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a[("direct", "se")], c[("direct", "se")])


def test_simulated_se_close_to_delta_method(sdm, lattice):
    # With 20,000 draws the simulated SE of the total impact (b+t)/(1-rho) is within Monte Carlo
    # error (about 0.5 %) plus nonlinearity of the delta-method value: tolerance 5 %.
    imp = sdm.impacts(draws=20_000, seed=0)
    keys = ["x1", "W_x1", "rho"]
    b, t, r = sdm.params[keys].to_numpy()
    grad = np.array([1 / (1 - r), 1 / (1 - r), (b + t) / (1 - r) ** 2])
    delta = np.sqrt(grad @ sdm.cov.loc[keys, keys].to_numpy() @ grad)
    np.testing.assert_allclose(imp.loc["x1", ("total", "se")], delta, rtol=0.05)


def test_series_traces_close_to_eigenvalues(lattice):
    dense, ids = lattice
    frame = simulate_panel(dense, 6, [1.0, -0.5], theta=[0.4, 0.2], rho=0.45, seed=4)
    exact = fit(
        frame, y="y", x=X, w=(dense, ids), entity="entity", time="time", model="sdm", logdet="eigen"
    )
    approx = fit(
        frame, y="y", x=X, w=(dense, ids), entity="entity", time="time", model="sdm", logdet="lu"
    )
    # lu leaves the impacts to the power series with Monte Carlo traces of W^j (j >= 3): 1 %
    a = exact.impacts(draws=100, seed=0).xs("est", axis=1, level="stat")
    b = approx.impacts(draws=100, seed=0).xs("est", axis=1, level="stat")
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=1e-2)


@pytest.mark.parametrize("model", ["sem", "sdem", "slx"])
def test_models_without_lag_use_coefficients(lattice, model):
    dense, ids = lattice
    frame = simulate_panel(dense, 6, [1.0, -0.5], theta=[0.4, 0.2], lam=0.3, seed=9)
    res = fit(
        frame,
        y="y",
        x=X,
        w=(dense, ids),
        entity="entity",
        time="time",
        model=model,
        effects="individual",
    )
    imp = res.impacts()
    beta = res.params[X].to_numpy()
    np.testing.assert_allclose(imp[("direct", "est")], beta)
    np.testing.assert_allclose(imp[("direct", "se")], res.bse[X])
    if model == "sem":
        np.testing.assert_allclose(imp[("total", "est")], beta)
        assert imp[("indirect", "se")].isna().all()
    else:
        keys = ["x2", "W_x2"]
        cov = res.cov.loc[keys, keys].to_numpy()
        np.testing.assert_allclose(imp.loc["x2", ("indirect", "est")], res.params["W_x2"])
        np.testing.assert_allclose(imp.loc["x2", ("total", "se")], np.sqrt(cov.sum()))
