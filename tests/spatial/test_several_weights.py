"""Separate error / Durbin matrices and partial Durbin terms: impacts, tests and checks on a lattice.

The likelihood and information matrix are validated against dense formulas on Produc in
``tests/validation/test_several_weights.py``; here the pieces around them.
"""

from __future__ import annotations

import libpysal
import numpy as np
import pytest

from clusterdx.errors import EstimationError, WeightsError
from clusterdx.spatial import fit, wald_test
from clusterdx.spatial._simulate import simulate_panel

X = ["x1", "x2"]


@pytest.fixture(scope="module")
def lattice():
    w = libpysal.weights.lat2W(6, 6)
    w.transform = "r"
    m = libpysal.weights.lat2W(6, 6, rook=False)
    m.transform = "r"
    panel = simulate_panel(w.sparse, 6, beta=[1.0, -0.5], theta=[0.5, 0.0], rho=0.3, seed=2)
    return w, m, panel


def _fit(panel, w, **kwargs):
    return fit(panel, y="y", x=X, w=w, entity="entity", time="time", **kwargs)


def test_sdem_partial_durbin_impacts_are_the_coefficients(lattice):
    w, m, panel = lattice
    res = _fit(panel, w, model="sdem", w_error=m, durbin=["x1"])
    assert res.params.index.tolist() == ["x1", "x2", "W_x1", "lambda", "sigma2"]
    imp = res.impacts()
    np.testing.assert_allclose(imp[("direct", "est")], res.params[X], rtol=1e-12)
    np.testing.assert_allclose(imp[("direct", "se")], res.bse[X], rtol=1e-12)
    assert imp.loc["x1", ("indirect", "est")] == res.params["W_x1"]
    assert imp.loc["x2", ("indirect", "est")] == 0.0
    assert np.isnan(imp.loc["x2", ("indirect", "se")])
    var = res.cov.loc["x1", "x1"] + res.cov.loc["W_x1", "W_x1"] + 2 * res.cov.loc["x1", "W_x1"]
    assert imp.loc["x1", ("total", "se")] == pytest.approx(np.sqrt(var), rel=1e-12)


def test_durbin_listing_all_regressors_is_the_full_sdm(lattice):
    w, _, panel = lattice
    full = _fit(panel, w, model="sdm")
    listed = _fit(panel, w, model="sdm", durbin=["x2", "x1"], w_durbin=w)
    np.testing.assert_array_equal(full.params, listed.params)
    np.testing.assert_array_equal(full.bse, listed.bse)
    assert listed.w_durbin is None  # equal to W: the one-matrix model


def test_wald_tests_with_partial_durbin(lattice):
    w, m, panel = lattice
    res = _fit(panel, w, model="sdm", durbin=["x1"], w_durbin=m)
    out = wald_test(res, "sar")
    assert out.df == 1
    z = res.params["W_x1"] / res.bse["W_x1"]
    assert out.statistic == pytest.approx(z**2, rel=1e-10)
    with pytest.raises(EstimationError, match=r"common-factor test SDM -> SEM needs Durbin terms"):
        wald_test(res, "sem")


def test_lee_yu_time_correction_needs_row_standardised_error_matrix(lattice):
    w, _, panel = lattice
    binary = libpysal.weights.lat2W(6, 6, rook=False)
    with pytest.raises(WeightsError, match=r"needs a row-standardised w_error"):
        _fit(panel, w, model="sac", effects="twoways", w_error=binary)


def test_lambda_is_searched_within_the_error_matrix_bounds(lattice):
    # a non-standardised M (row sums 3 to 8) has bounds (1/ω_min, 1/ω_max) well inside (-1, 1)
    w, _, panel = lattice
    binary = libpysal.weights.lat2W(6, 6, rook=False)
    res = _fit(panel, w, model="sem", effects="individual", w_error=binary, bias_correction=False)
    top = 1 / np.max(np.linalg.eigvals(binary.full()[0]).real)
    assert -1 < res.lam < top < 0.2
