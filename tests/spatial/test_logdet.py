"""Tests of clusterdx.spatial.logdet against dense numpy linear algebra (slogdet, eigvals, inv)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from clusterdx.errors import WeightsError
from clusterdx.spatial.logdet import LogDet, logdet, rho_bounds, symmetrizer

libpysal = pytest.importorskip("libpysal", reason="libpysal builds lattice weights")

RHOS = (-0.6, -0.1, 0.3, 0.7, 0.95)


def _queen(rows: int, cols: int) -> sp.csr_matrix:
    w = libpysal.weights.lat2W(rows, cols, rook=False)
    w.transform = "r"
    return sp.csr_matrix(w.sparse)


def _inverse_distance(n: int, seed: int) -> sp.csr_matrix:
    """Row-standardised inverse distance to the 4 nearest points: not similar to symmetric."""
    pts = np.random.default_rng(seed).uniform(size=(n, 2))
    dist = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    np.fill_diagonal(dist, np.inf)
    keep = np.argsort(dist, axis=1)[:, :4]
    dense = np.zeros((n, n))
    rows = np.arange(n)[:, None]
    dense[rows, keep] = 1 / dist[rows, keep]
    return sp.csr_matrix(dense / dense.sum(axis=1, keepdims=True))


@pytest.mark.parametrize("method", ["eigen", "lu"])
@pytest.mark.parametrize(
    "make", [lambda: _queen(6, 8), lambda: _inverse_distance(60, 1)], ids=["queen", "invdist"]
)
def test_exact_methods_match_slogdet(method, make):
    w = make()
    engine = LogDet(w, method)
    dense = w.toarray()
    for rho in RHOS:
        expected = np.linalg.slogdet(np.eye(w.shape[0]) - rho * dense)[1]
        np.testing.assert_allclose(engine(rho), expected, rtol=1e-10, atol=1e-8)


def test_binary_symmetric_unstandardised_matrix():
    w = libpysal.weights.lat2W(5, 5)
    dense = w.sparse.toarray()
    lower, upper = rho_bounds(dense)
    vals = np.linalg.eigvalsh(dense)
    np.testing.assert_allclose([lower, upper], [1 / vals.min(), 1 / vals.max()], rtol=1e-10)
    rho = 0.5 * upper
    np.testing.assert_allclose(
        logdet(dense, rho, "eigen"), np.linalg.slogdet(np.eye(25) - rho * dense)[1], rtol=1e-10
    )


@pytest.mark.slow
@pytest.mark.parametrize("method", ["chebyshev", "barry-pace"])
def test_approximations_within_one_percent(method):
    # 30 x 30 queen lattice, 100 seeded probes: observed relative errors below 0.3 %; tolerance 1 %.
    w = _queen(30, 30)
    engine = LogDet(w, method, seed=0)
    dense = w.toarray()
    for rho in (-0.5, 0.3, 0.6, 0.9):
        expected = np.linalg.slogdet(np.eye(900) - rho * dense)[1]
        np.testing.assert_allclose(engine(rho), expected, rtol=1e-2)


def test_bounds_from_arpack_match_dense_eigenvalues():
    # N = 1,225 > 1,000 takes the sparse (ARPACK) path
    w = _queen(35, 35)
    engine = LogDet(w, "lu")
    vals = np.linalg.eigvals(w.toarray()).real
    np.testing.assert_allclose(engine.bounds, (1 / vals.min(), 1 / vals.max()), rtol=1e-6)


def test_mean_diagonals_eigen_exact_and_series_close():
    w = _queen(12, 12)
    dense = w.toarray()
    rhos = np.array([-0.4, 0.3, 0.8])
    inv = [np.linalg.inv(np.eye(144) - r * dense) for r in rhos]
    a0 = [np.trace(m) / 144 for m in inv]
    a1 = [np.trace(dense @ m) / 144 for m in inv]
    e0, e1 = LogDet(w, "eigen").mean_diagonals(rhos)
    np.testing.assert_allclose(e0, a0, rtol=1e-10)
    np.testing.assert_allclose(e1, a1, rtol=1e-10)
    # power series with Monte Carlo traces of W^j, j >= 3 (100 probes, N = 144): 2 % tolerance
    s0, s1 = LogDet(w, "lu", seed=1).mean_diagonals(rhos)
    np.testing.assert_allclose(s0, a0, rtol=2e-2)
    np.testing.assert_allclose(s1, a1, rtol=2e-2)


def test_mean_diagonals_series_for_w_not_row_standardised():
    # binary queen W (spectral radius 7.65): the series must run until (|rho| * 7.65)^q is small,
    # not |rho|^q; Monte Carlo traces of W^j (j >= 3, 1,000 probes, N = 144): 3 % tolerance
    w = libpysal.weights.lat2W(12, 12, rook=False)
    w.transform = "b"
    dense = w.sparse.toarray()
    rhos = np.array([-0.08, 0.05, 0.12])
    inv = [np.linalg.inv(np.eye(144) - r * dense) for r in rhos]
    a0 = [np.trace(m) / 144 for m in inv]
    a1 = [np.trace(dense @ m) / 144 for m in inv]
    s0, s1 = LogDet(sp.csr_matrix(dense), "lu", seed=1, probes=1_000).mean_diagonals(rhos)
    np.testing.assert_allclose(s0, a0, rtol=3e-2)
    np.testing.assert_allclose(s1, a1, rtol=3e-2)


def test_symmetrizer_recognises_row_standardised_binary():
    w = _queen(4, 4)
    d = symmetrizer(w)
    counts = np.asarray((w > 0).sum(axis=1)).ravel()
    np.testing.assert_allclose(d, counts)
    assert symmetrizer(_inverse_distance(30, 2)) is None


def test_complex_eigenvalues_path():
    w = _inverse_distance(50, 3)
    engine = LogDet(w, "eigen")
    assert np.iscomplexobj(engine.eigenvalues)
    vals = np.linalg.eigvals(w.toarray())
    real = vals[np.abs(vals.imag) < 1e-12].real
    np.testing.assert_allclose(engine.bounds, (1 / real.min(), 1 / real.max()), rtol=1e-8)


def test_unknown_method_lists_allowed():
    with pytest.raises(ValueError, match=r"logdet='svd' is not one of \['auto', 'eigen', 'lu'"):
        LogDet(_queen(3, 3), "svd")


def test_chebyshev_rejects_non_symmetric_weights():
    with pytest.raises(WeightsError, match="chebyshev"):
        LogDet(_inverse_distance(30, 4), "chebyshev")


def test_auto_picks_by_size():
    assert LogDet(_queen(10, 10)).method == "eigen"
    assert LogDet(_queen(40, 40)).method == "lu"


def test_bounds_of_unstandardised_and_general_matrices_match_dense_eigenvalues():
    # N = 1,089 > 1,000: ARPACK path. Binary queen (symmetric, largest eigenvalue not 1) and a
    # row-standardised inverse-distance W (not similar to a symmetric matrix: Arnoldi on W)
    binary = sp.csr_matrix(libpysal.weights.lat2W(33, 33, rook=False).sparse, dtype=float)
    for w in (binary, _inverse_distance(1_050, 3)):
        engine = LogDet(w, "lu")
        eigenvalues = np.linalg.eigvals(w.toarray())
        vals = eigenvalues.real
        np.testing.assert_allclose(engine.extremes, (vals.min(), vals.max()), rtol=1e-5)
        np.testing.assert_allclose(engine.bounds, (1 / vals.min(), 1 / vals.max()), rtol=1e-5)
        np.testing.assert_allclose(engine.radius, np.abs(eigenvalues).max())


def test_row_standardised_w_upper_bound_and_radius_need_no_eigenvalue(monkeypatch):
    # Perron-Frobenius: a row-standardised W has largest eigenvalue 1 and spectral radius 1
    w = _queen(35, 35)
    vals = np.linalg.eigvals(w.toarray())
    assert abs(vals.real.max() - 1) < 1e-10 and abs(np.abs(vals).max() - 1) < 1e-10

    def no_arpack(*args):
        raise AssertionError("ARPACK called")

    monkeypatch.setattr("clusterdx.spatial.logdet._arpack_extreme", no_arpack)
    engine = LogDet(w, "chebyshev")
    assert engine.upper == 1.0 and engine.radius == 1.0
    # the Chebyshev expansion holds for |rho| < 1, inside (1/omega_min, 1) as omega_min >= -1
    assert engine.search_interval == (-1.0, 1.0)
    assert 1 / vals.real.min() < -1.0


def test_lazy_bounds_equal_dense_eigenvalues_for_a_rook_lattice(monkeypatch):
    # a bipartite rook lattice has omega_min = -1 exactly
    w = libpysal.weights.lat2W(34, 34)
    w.transform = "r"
    engine = LogDet(sp.csr_matrix(w.sparse), "lu")
    calls = _count_arpack(monkeypatch)
    assert engine.lower_is_provisional and engine.search_interval == (-1.0, 1.0) and not calls
    vals = np.linalg.eigvals(w.sparse.toarray()).real
    np.testing.assert_allclose(engine.bounds, (1 / vals.min(), 1.0), rtol=1e-6)
    assert calls == ["S"] and not engine.lower_is_provisional


def _count_arpack(monkeypatch) -> list:
    from clusterdx.spatial import logdet as module

    calls: list = []
    original = module._arpack_extreme

    def counted(*args):
        calls.append(args[-1])
        return original(*args)

    monkeypatch.setattr(module, "_arpack_extreme", counted)
    return calls


@pytest.mark.parametrize(("rho", "searches_below"), [(0.4, False), (-1.6, True)])
def test_lu_fit_asks_for_the_lower_bound_only_when_rho_reaches_minus_one(
    monkeypatch, rho, searches_below
):
    """A row-standardised W under "lu" is searched on (-1, 1) without ARPACK; a search that ends
    at -1 goes on to the exact lower end 1/omega_min (here about -1.9): the same estimate as the
    fit on the exact interval from W's eigenvalues."""
    from clusterdx.spatial import fit
    from clusterdx.spatial._simulate import simulate_panel

    w = _queen(33, 33)  # N = 1,089 > EIGEN_MAX_N: "auto" would pick "lu" too
    frame = simulate_panel(w, 4, [1.0, -0.5], rho=rho, seed=3)
    calls = _count_arpack(monkeypatch)
    options = {
        "y": "y",
        "x": ["x1", "x2"],
        "w": (w, list(range(w.shape[0]))),
        "effects": "individual",
    }
    lu = fit(frame, logdet="lu", entity="entity", time="time", **options)
    assert calls == (["S"] if searches_below else [])
    exact = fit(frame, logdet="eigen", entity="entity", time="time", **options)
    np.testing.assert_allclose(lu.params, exact.params, rtol=1e-6)
    assert (lu.params["rho"] < -1.0) == searches_below


def test_factor_reuses_the_latest_factorisations_only():
    """`LogDet.factor` hands back the LU of one of the latest evaluations (the information matrix
    at ρ̂ reuses the search's) and factorises anything older or new afresh."""
    import clusterdx.spatial.logdet as module

    w = _inverse_distance(60, 1)  # not similar to a symmetric matrix: the search's LUs are cached
    engine = LogDet(w, "lu")
    dense = np.eye(60) - 0.3 * w.toarray()
    first = engine.factor(0.3)
    assert engine.factor(0.3) is first
    assert np.allclose(first.solve(np.ones(60)), np.linalg.solve(dense, np.ones(60)), atol=1e-12)
    for rho in (0.1, 0.2, 0.4)[: module._RECENT_FACTORS]:
        engine(rho)
    assert engine.factor(0.3) is not first  # evicted by the later evaluations
    assert np.isclose(engine(0.3), np.linalg.slogdet(dense)[1], rtol=1e-12)


@pytest.mark.parametrize(
    "make",
    [lambda: _queen(9, 13), lambda: sp.csr_matrix(libpysal.weights.lat2W(9, 13).sparse)],
    ids=["row-standardised", "binary"],
)
def test_symmetric_ldl_log_determinant_matches_slogdet_at_every_rho(make):
    """For W similar to a symmetric matrix, "lu" factorises I − ρS by LDL' once symbolically and
    then numerically per ρ: equal to dense slogdet over the whole admissible interval, in any
    order of evaluation (each refactorisation reuses the first one's analysis)."""
    w = make()
    engine = LogDet(w, "lu")
    lower, upper = engine.bounds
    dense = w.toarray()
    rhos = [0.5 * upper, lower + 1e-6, 0.0, upper - 1e-6, 0.3 * lower, 0.5 * upper]
    for rho in rhos:
        expected = np.linalg.slogdet(np.eye(w.shape[0]) - rho * dense)[1]
        assert engine(rho) == pytest.approx(expected, rel=1e-11, abs=1e-11)
    assert engine._ldl is not None
