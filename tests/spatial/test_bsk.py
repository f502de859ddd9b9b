"""Tests of clusterdx.spatial.bsk: options, the χ̄² p-value, the stochastic traces and the messages.

The statistics themselves are validated on Produc in tests/validation/test_splm_bsk.py.
"""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats

import clusterdx.spatial.bsk as bsk
from clusterdx import spatial
from clusterdx.errors import PanelError
from clusterdx.paneldata import PanelFrame


@pytest.fixture(scope="module")
def lattice_panel():
    w = libpysal.weights.lat2W(5, 5)
    w.transform = "r"
    rng = np.random.default_rng(3)
    n, t = 25, 4
    x1 = rng.standard_normal((n, t))
    y = 0.5 + x1 + rng.standard_normal((n, t))  # no effects, no spatial correlation
    panel = pd.DataFrame(
        {"i": np.repeat(range(n), t), "t": np.tile(range(t), n), "y": y.ravel(), "x1": x1.ravel()}
    )
    return panel, w


def test_every_test_returns_a_spec_test_result(lattice_panel):
    panel, w = lattice_panel
    for test in bsk.BSK_TESTS:
        res = spatial.bsk_test(panel, "y", ["x1"], w, entity="i", time="t", test=test)
        assert isinstance(res, spatial.SpecTestResult)
        assert res.df == (2 if test == "LMH" else 1)
        assert 0 <= res.pvalue <= 1


def test_lmh_is_the_one_sided_mixture(lattice_panel):
    panel, w = lattice_panel
    lm1 = spatial.bsk_test(panel, "y", ["x1"], w, entity="i", time="t", test="LM1").statistic
    lm2 = spatial.bsk_test(panel, "y", ["x1"], w, entity="i", time="t", test="LM2").statistic
    joint = spatial.bsk_test(panel, "y", ["x1"], w, entity="i", time="t", test="LMH")
    expected = max(lm1, 0) ** 2 + max(lm2, 0) ** 2
    assert joint.statistic == pytest.approx(expected, rel=1e-12)
    if expected > 0:
        p = 1 - (0.25 + 0.5 * stats.chi2.cdf(expected, 1) + 0.25 * stats.chi2.cdf(expected, 2))
        assert joint.pvalue == pytest.approx(p, rel=1e-10)
    else:
        assert joint.pvalue == 1.0


def test_stochastic_g_traces_close_to_exact(monkeypatch):
    """Above N = 1,500 CLMmu's tr G and tr G² are Hutchinson estimates: within 2 % here."""
    w = libpysal.weights.lat2W(15, 15)
    w.transform = "r"
    wmat = sparse.csr_matrix(w.sparse)
    b = (sparse.identity(225, format="csr") - 0.4 * wmat).tocsr()
    m = (wmat.T @ b + b.T @ wmat).tocsr()
    bb = (b.T @ b).tocsc()
    exact = bsk._g_traces(m, bb)
    dense = m.toarray() @ np.linalg.inv(bb.toarray())
    np.testing.assert_allclose(exact, [np.trace(dense), np.trace(dense @ dense)], rtol=1e-10)
    monkeypatch.setattr(bsk, "EXACT_MAX_N", 10)
    np.testing.assert_allclose(bsk._g_traces(m, bb), exact, rtol=2e-2)


def test_bad_test_name_lists_the_allowed_ones(lattice_panel):
    panel, w = lattice_panel
    with pytest.raises(
        ValueError,
        match=r"^test='LM3' is not one of \['LMH', 'LM1', 'LM2', 'CLMlambda', 'CLMmu'\]$",
    ):
        spatial.bsk_test(panel, "y", ["x1"], w, entity="i", time="t", test="LM3")


def test_needs_two_periods_and_a_regressor_list(lattice_panel):
    panel, w = lattice_panel
    with pytest.raises(PanelError, match=r"^x must be a non-empty list of column names, got 'x1'"):
        spatial.bsk_test(panel, "y", "x1", w, entity="i", time="t")
    one = panel[panel["t"] == 0]
    with pytest.raises(PanelError, match=r"need at least two periods; the panel has T=1$"):
        spatial.bsk_test(one, "y", ["x1"], w, entity="i", time="t")


def test_a_panel_frame_is_used_as_it_is(lattice_panel):
    panel, w = lattice_panel
    frame = PanelFrame(panel, ["y", "x1"], "i", "t", balanced=True)
    for test in bsk.BSK_TESTS:
        direct = spatial.bsk_test(panel, "y", ["x1"], w, entity="i", time="t", test=test)
        handed = spatial.bsk_test(frame, "y", ["x1"], w, entity="i", time="t", test=test)
        assert (handed.statistic, handed.pvalue) == (direct.statistic, direct.pvalue)


def test_sem_search_on_a_row_standardised_w_needs_no_eigenvalue(monkeypatch):
    """Above N = 1,000 ("lu") the pooled SEM of the BSK tests searches lambda on (-0.999, 0.999),
    inside (1/omega_min, 1) for a row-standardised W, without ARPACK; the same lambda as with the
    exact interval from the eigenvalues (the clip makes them the same interval)."""
    w = libpysal.weights.lat2W(33, 33, rook=False)
    w.transform = "r"
    wmat = sparse.csr_matrix(w.sparse)
    rng = np.random.default_rng(1)
    design = np.stack([np.ones((wmat.shape[0], 3)), rng.standard_normal((wmat.shape[0], 3))], -1)
    y = design @ np.array([0.5, 1.0]) + rng.standard_normal((wmat.shape[0], 3))

    def no_arpack(*args):
        raise AssertionError("ARPACK called")

    monkeypatch.setattr("clusterdx.spatial.logdet._arpack_extreme", no_arpack)
    _, lam = bsk.sem_ml_resid(y, design, wmat)
    monkeypatch.undo()
    monkeypatch.setattr("clusterdx.spatial.bsk.LogDet", lambda w: spatial.LogDet(w, "eigen"))
    _, exact = bsk.sem_ml_resid(y, design, wmat)
    assert lam == pytest.approx(exact, rel=1e-6)
