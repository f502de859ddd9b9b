"""Separate lag, error and Durbin weights matrices (``fit(w_error=, w_durbin=, durbin=)``) on Produc.

Kind of reference: no published output of splm ``spml(..., listw2=)`` or xsmle ``emat()`` on
Produc could be found (R and Stata are not installed here), so the reference is **independent
code written here from the published formulas**, not this package's: a dense N × N log-likelihood
of the fixed-effects SAC model, Elhorst (2014, *Spatial Econometrics*, Springer, eq. 3.9 with the
spatial-error block of §3.3), ℓ = −NT/2 ln(2πσ²) + T ln|I − ρW| + T ln|I − λM| − e'e/(2σ²),
e_t = (I − λM)((I − ρW) ỹ_t − X̃_t β) on the entity-demeaned data, evaluated with dense
``numpy.linalg.slogdet`` and maximised with ``scipy.optimize`` (β and σ² in closed form given
(ρ, λ), Elhorst 2014 eq. 3.8); and the expected information matrix of Lee (2004, *Econometrica*
72:1899-1925) with dense inverses. W is splm's ``usaww`` (first-order contiguity) and M the
row-standardised *second-order* contiguity of the same states (neighbours of neighbours that are
not first-order neighbours), so W ≠ M.

Consistency identities: ``w_error = W`` gives the single-matrix SAC fit (validated against splm's
SEM/SAR in ``test_splm_spatial.py``); the SDM with Durbin terms W_d X_d (a subset, another matrix)
equals a SAR with the columns W_d X_d passed as ordinary regressors (the SDM with the omitted θ
fixed at 0), whose covariance is the same information matrix; impacts with W_d equal the dense
S_k = (I − ρW)^{-1}(β_k I + θ_k W_d) summaries (LeSage & Pace 2009, §2.7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.optimize as opt
import scipy.sparse as sp

from clusterdx.errors import EstimationError, WeightsError
from clusterdx.spatial import fit
from clusterdx.spatial.effects import _draw

X = ["lpcap", "lpc", "lemp", "unemp"]


@pytest.fixture(scope="module")
def mats(usaww: pd.DataFrame):
    w = usaww.to_numpy()
    first = (w > 0).astype(float)
    second = ((first @ first) > 0).astype(float) * (1.0 - first)
    np.fill_diagonal(second, 0.0)
    m = second / second.sum(axis=1, keepdims=True)
    return list(usaww.index), w, m


def _arrays(produc: pd.DataFrame, ids: list[str]):
    """Entity-demeaned y (N, T) and X (N, T, k), entities in the order of ``ids``."""
    frame = produc.set_index(["state", "year"]).sort_index()
    y = frame["lgsp"].unstack().loc[ids].to_numpy()
    x = np.stack([frame[v].unstack().loc[ids].to_numpy() for v in X], axis=2)
    return y - y.mean(axis=1, keepdims=True), x - x.mean(axis=1, keepdims=True)


def _dense_sac(y: np.ndarray, x: np.ndarray, w: np.ndarray, m: np.ndarray):
    """ML of the individual-FE SAC from the dense formulas (module docstring)."""
    n, t, k = x.shape
    eye = np.eye(n)

    def profile(rho, lam):
        a, b = eye - rho * w, eye - lam * m
        ys = (b @ (a @ y)).T.reshape(-1)  # period-stacked B A y
        xs = np.concatenate([b @ x[:, s, :] for s in range(t)])
        beta = np.linalg.lstsq(xs, ys, rcond=None)[0]
        e = ys - xs @ beta
        sigma2 = e @ e / (n * t)
        ll = (
            -n * t / 2 * np.log(2 * np.pi * sigma2)
            + t * np.linalg.slogdet(a)[1]
            + t * np.linalg.slogdet(b)[1]
            - e @ e / (2 * sigma2)
        )
        return ll, beta, sigma2

    res = opt.minimize(
        lambda v: -profile(*v)[0],
        np.array([0.0, 0.0]),
        method="Powell",  # ~280 evaluations (Nelder-Mead at this tolerance: ~16,000)
        options={"xtol": 1e-13, "ftol": 1e-15},
    )
    rho, lam = res.x
    ll, beta, sigma2 = profile(rho, lam)
    # expected information of (β, ρ, λ, σ²), Lee (2004), dense inverses
    a, b = eye - rho * w, eye - lam * m
    g = w @ np.linalg.inv(a)
    h = m @ np.linalg.inv(b)
    gd = b @ g @ np.linalg.inv(b)
    xt = np.concatenate([b @ x[:, s, :] for s in range(t)])
    gxb = np.concatenate([b @ g @ x[:, s, :] @ beta for s in range(t)])
    info = np.zeros((k + 3, k + 3))
    info[:k, :k] = xt.T @ xt / sigma2
    info[:k, k] = info[k, :k] = xt.T @ gxb / sigma2
    info[k, k] = gxb @ gxb / sigma2 + t * (np.trace(gd.T @ gd) + np.trace(gd @ gd))
    info[k, k + 1] = info[k + 1, k] = t * (np.trace(h.T @ gd) + np.trace(h @ gd))
    info[k + 1, k + 1] = t * (np.trace(h.T @ h) + np.trace(h @ h))
    info[k, -1] = info[-1, k] = t * np.trace(g) / sigma2
    info[k + 1, -1] = info[-1, k + 1] = t * np.trace(h) / sigma2
    info[-1, -1] = n * t / (2 * sigma2**2)
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    return np.array([*beta, rho, lam, sigma2]), se, ll


def _fit(produc, ids, w, **kwargs):
    options = {"model": "sac", "effects": "individual", "bias_correction": False, **kwargs}
    return fit(produc, y="lgsp", x=X, w=(w, ids), entity="state", time="year", **options)


def test_sac_with_separate_error_matrix_matches_dense_likelihood(produc, mats):
    ids, w, m = mats
    ref, ref_se, ref_ll = _dense_sac(*_arrays(produc, ids), w, m)
    res = _fit(produc, ids, w, w_error=(m, ids))
    assert res.params.index.tolist() == [*X, "rho", "lambda", "sigma2"]
    np.testing.assert_allclose(res.params.to_numpy(), ref, rtol=1e-6)
    np.testing.assert_allclose(res.bse.to_numpy(), ref_se, rtol=1e-6)
    np.testing.assert_allclose(res.llf, ref_ll, rtol=1e-10)
    assert res.w_error is not None and abs(res.lam - res.rho) > 0.1


def test_sem_with_error_matrix_matches_dense_likelihood(produc, mats):
    # SEM: the error matrix replaces W (xsmle emat()); dense reference with ρ fixed at 0
    ids, w, m = mats
    y, x = _arrays(produc, ids)
    res = fit(
        produc, y="lgsp", x=X, w=(w, ids), entity="state", time="year", model="sem", effects="individual",
        bias_correction=False, w_error=(m, ids),
    )  # fmt: skip
    same = fit(
        produc, y="lgsp", x=X, w=(m, ids), entity="state", time="year", model="sem", effects="individual",
        bias_correction=False,
    )  # fmt: skip
    np.testing.assert_allclose(res.params, same.params, rtol=1e-10)
    np.testing.assert_allclose(res.bse, same.bse, rtol=1e-10)
    n, t, _ = x.shape

    def loglik(lam):
        b = np.eye(n) - lam * m
        ys = (b @ y).T.reshape(-1)
        xs = np.concatenate([b @ x[:, s, :] for s in range(t)])
        e = ys - xs @ np.linalg.lstsq(xs, ys, rcond=None)[0]
        s2 = e @ e / (n * t)
        return -n * t / 2 * (np.log(2 * np.pi * s2) + 1) + t * np.linalg.slogdet(b)[1]

    best = opt.minimize_scalar(lambda v: -loglik(v), bounds=(-0.99, 0.99), method="bounded",
                               options={"xatol": 1e-12})  # fmt: skip
    np.testing.assert_allclose(res.lam, best.x, rtol=1e-6)
    np.testing.assert_allclose(res.llf, -best.fun, rtol=1e-10)


def test_error_matrix_equal_to_w_is_the_single_matrix_fit(produc, mats):
    ids, w, _ = mats
    one = _fit(produc, ids, w)
    two = _fit(produc, ids, w, w_error=(w, ids))
    np.testing.assert_allclose(two.params, one.params, rtol=1e-10, atol=0)
    np.testing.assert_allclose(two.bse, one.bse, rtol=1e-10, atol=0)
    assert two.llf == pytest.approx(one.llf, rel=1e-12)


def test_general_layout_with_m_equal_w_has_the_single_matrix_likelihood(produc, mats):
    # The separate-matrix columns [y, Wy, My, MWy, X, MX] with M = W give the same concentrated
    # likelihood as the one-matrix columns [y, Wy, W²y, X, WX], at any (ρ, λ), to rounding.
    from clusterdx.spatial.models import _design, _Profile

    ids, w, _ = mats
    y, x = _arrays(produc, ids)
    ws = sp.csr_matrix(w)
    logdet = lambda r: float(np.linalg.slogdet(np.eye(len(ids)) - r * w)[1])  # noqa: E731
    profiles = []
    for sep in (False, True):
        z, _ = _design(y, x, X, ws, "sac", "individual", w_error=ws if sep else None)
        zf = z.reshape(-1, z.shape[2])
        profiles.append(_Profile(zf.T @ zf, 4, True, True, zf.shape[0], 17, logdet, logdet, sep))
    for rho, lam in [(0.1, 0.3), (0.4, -0.2), (-0.3, 0.6)]:
        a, b = (p.loglik(rho, lam) for p in profiles)
        assert b == pytest.approx(a, rel=1e-12)


@pytest.mark.parametrize("effects", ["individual", "twoways", "random"])
def test_partial_durbin_with_its_own_matrix_equals_sar_with_those_columns(produc, mats, effects):
    # The SDM with Durbin terms M x for two of the regressors = the SAR with M x of those two
    # passed as ordinary regressors (the SDM with the other θ fixed at 0): same likelihood, same
    # information matrix, so the same estimates and standard errors.
    # Both fits stop where the bounded Brent search on ρ does (tolerance √eps·|ρ| ≈ 5e-9, and the
    # concentrated likelihood is flat to rounding over ~1e-8 in ρ), so for agreement at 1e-8 the
    # lagged columns are built with the same sparse product and entity order as the SDM's own.
    ids, w, m = mats
    order = np.argsort(ids)
    ids, w, m = sorted(ids), w[np.ix_(order, order)], m[np.ix_(order, order)]
    frame = produc.set_index(["state", "year"]).sort_index()
    ms = sp.csr_matrix(m)
    for v in ("lpcap", "unemp"):
        block = frame[v].unstack().loc[ids]
        index = pd.MultiIndex.from_product([ids, block.columns])
        frame[f"W_{v}"] = pd.Series((ms @ block.to_numpy()).ravel(), index=index)
    frame = frame.reset_index()
    options = {"effects": effects, "bias_correction": False}
    sdm = fit(frame, y="lgsp", x=X, w=(w, ids), entity="state", time="year", model="sdm", w_durbin=(m, ids),
              durbin=["unemp", "lpcap"], **options)  # fmt: skip
    sar = fit(frame, y="lgsp", x=[*X, "W_lpcap", "W_unemp"], w=(w, ids), entity="state", time="year",
              model="sar", **options)  # fmt: skip
    assert sdm.params.index.tolist() == sar.params.index.tolist()
    np.testing.assert_allclose(sdm.params, sar.params, rtol=1e-8)
    np.testing.assert_allclose(sdm.bse, sar.bse, rtol=1e-8)
    assert sdm.llf == pytest.approx(sar.llf, rel=1e-12)


def test_impacts_with_durbin_matrix_match_dense_multipliers(produc, mats):
    ids, w, m = mats
    res = fit(produc, y="lgsp", x=X, w=(w, ids), entity="state", time="year", model="sdm", effects="individual",
              w_durbin=(m, ids), durbin=["lpcap", "lpc"])  # fmt: skip
    imp = res.impacts(draws=300, seed=3)
    n = len(ids)

    def dense(beta, theta, rho):
        inv = np.linalg.inv(np.eye(n) - rho * w)
        out = []
        for b, t in zip(beta, theta, strict=True):
            s = inv @ (b * np.eye(n) + t * m)
            out.append([np.trace(s) / n, s.sum() / n])
        return np.array(out)

    beta = res.params[X].to_numpy()
    theta = np.array([res.params.get(f"W_{v}", 0.0) for v in X])
    est = dense(beta, theta, res.rho)
    np.testing.assert_allclose(imp[("direct", "est")], est[:, 0], rtol=1e-10)
    np.testing.assert_allclose(imp[("total", "est")], est[:, 1], rtol=1e-10)
    # the simulated SEs: the same draws pushed through the dense multipliers
    keys = [*X, "W_lpcap", "W_lpc", "rho"]
    sample = _draw(res.params[keys].to_numpy(), res.cov.loc[keys, keys].to_numpy(), 300, 3)
    sims = np.array([dense(d[:4], [d[4], d[5], 0.0, 0.0], d[6]) for d in sample])
    np.testing.assert_allclose(imp[("direct", "se")], sims[:, :, 0].std(axis=0, ddof=1), rtol=1e-8)
    indirect = sims[:, :, 1] - sims[:, :, 0]
    np.testing.assert_allclose(imp[("indirect", "se")], indirect.std(axis=0, ddof=1), rtol=1e-8)


def test_durbin_mean_diagonals_paths_match_dense():
    # eigenvector path for a W not similar to a symmetric matrix (k-nearest neighbours), and the
    # power-series path (no eigenvalues) against dense traces
    import libpysal

    from clusterdx.spatial.effects import _durbin_mean_diagonals
    from clusterdx.spatial.logdet import LogDet

    rng = np.random.default_rng(0)
    knn = libpysal.weights.KNN(rng.uniform(size=(60, 2)), k=4)
    knn.transform = "r"
    lat = libpysal.weights.lat2W(6, 10, rook=False)
    lat.transform = "r"
    w, wd = sp.csr_matrix(knn.sparse), sp.csr_matrix(lat.sparse)
    rho = np.array([-0.3, 0.2, 0.6])
    dense = np.array(
        [np.trace(wd.toarray() @ np.linalg.inv(np.eye(60) - r * w.toarray())) / 60 for r in rho]
    )
    eig = _durbin_mean_diagonals(LogDet(w, "eigen"), wd, rho)
    np.testing.assert_allclose(eig, dense, rtol=1e-8, atol=1e-10)  # eigenvectors: cond. ~1e3
    series = _durbin_mean_diagonals(LogDet(w, "lu"), wd, rho, probes=400)
    np.testing.assert_allclose(series, dense, rtol=0.05, atol=2e-3)


def test_weights_arguments_are_checked(produc, mats):
    ids, w, m = mats
    with pytest.raises(
        WeightsError, match=r"^w_error: panel entities missing from the weights ids"
    ):
        _fit(produc, ids, w, w_error=(m[:-1, :-1], ids[:-1]))
    with pytest.raises(WeightsError, match=r"^w_durbin: weights ids not in the panel: 'X'"):
        big = np.pad(m, ((0, 1), (0, 1)))
        big[-1, 0] = big[0, -1] = 1.0
        fit(
            produc,
            y="lgsp",
            x=X,
            w=(w, ids),
            entity="state",
            time="year",
            model="sdm",
            w_durbin=(big, [*ids, "X"]),
        )
    with pytest.raises(EstimationError, match=r"^w_error is given but model 'sdm' has no spatial"):
        fit(
            produc,
            y="lgsp",
            x=X,
            w=(w, ids),
            entity="state",
            time="year",
            model="sdm",
            w_error=(m, ids),
        )
    with pytest.raises(EstimationError, match=r"^durbin is given but model 'sar' has no Durbin"):
        fit(
            produc,
            y="lgsp",
            x=X,
            w=(w, ids),
            entity="state",
            time="year",
            model="sar",
            durbin=["lpc"],
        )
    with pytest.raises(EstimationError, match=r"not in x: \['gsp'\]"):
        fit(
            produc,
            y="lgsp",
            x=X,
            w=(w, ids),
            entity="state",
            time="year",
            model="sdm",
            durbin=["lpc", "gsp"],
        )
    with pytest.raises(EstimationError, match=r"^durbin='lpc' is a string"):
        fit(
            produc,
            y="lgsp",
            x=X,
            w=(w, ids),
            entity="state",
            time="year",
            model="sdm",
            durbin="lpc",
        )
    with pytest.raises(EstimationError, match=r"^w_durbin are not available with dynamic='time'"):
        fit(produc, y="lgsp", x=X, w=(w, ids), entity="state", time="year", model="sdm", dynamic="time",
            w_durbin=(m, ids))  # fmt: skip
