"""Tests of clusterdx.spatial.models: transformations, Lee-Yu correction, model variants, bad input.

Reference quantities here are computed in the tests themselves by direct dense formulas (explicit
dummy variables, explicit F_T / F_N transformation matrices, numpy's slogdet and lstsq), which share
no code with the estimator's cross-product and sparse-LU implementation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.optimize as opt

from clusterdx.errors import ConvergenceError, EstimationError, PanelError, WeightsError
from clusterdx.paneldata import PanelFrame
from clusterdx.spatial import fit
from clusterdx.spatial._simulate import simulate_panel

libpysal = pytest.importorskip("libpysal", reason="libpysal builds lattice weights")

X = ["x1", "x2"]


@pytest.fixture(scope="module")
def lattice():
    w = libpysal.weights.lat2W(7, 7, rook=False)
    w.transform = "r"
    return w.sparse.toarray(), list(range(49))


@pytest.fixture(scope="module")
def sar_panel(lattice):
    dense, _ = lattice
    return simulate_panel(dense, 8, [1.0, -0.5], rho=0.4, seed=3)


def _fit(frame, lattice, **kwargs):
    return fit(frame, y="y", x=X, w=lattice, entity="entity", time="time", **kwargs)


def _arrays(frame):
    frame = frame.sort_values(["entity", "time"])
    n, t = frame["entity"].nunique(), frame["time"].nunique()
    y = frame["y"].to_numpy().reshape(n, t)
    x = frame[X].to_numpy().reshape(n, t, len(X))
    return y, x


def _orthonormal_complement(m: int) -> np.ndarray:
    """F (m × (m−1)): eigenvectors of I − J/m with eigenvalue one (Lee & Yu 2010)."""
    vals, vecs = np.linalg.eigh(np.eye(m) - np.ones((m, m)) / m)
    return vecs[:, vals > 0.5]


def _max_concentrated(y_list, x_list, w_list, t_count, extra_logdet=None):
    """Brute-force ML of y = ρWy + Xβ + e over dense stacked data; returns (ρ, β, σ², llf)."""
    ys = np.concatenate(y_list)
    wys = np.concatenate([w @ y for w, y in zip(w_list, y_list, strict=True)])
    xs = np.concatenate(x_list)
    n = len(ys)
    w0 = w_list[0]

    def negll(r):
        e = ys - r * wys
        b, *_ = np.linalg.lstsq(xs, e, rcond=None)
        res = e - xs @ b
        s2 = res @ res / n
        ld = np.linalg.slogdet(np.eye(len(w0)) - r * w0)[1]
        return -(-n / 2 * np.log(2 * np.pi * s2) - n / 2 + t_count * ld), b, s2

    out = opt.minimize_scalar(
        lambda r: negll(r)[0], bounds=(-0.99, 0.99), method="bounded", options={"xatol": 1e-10}
    )
    value, b, s2 = negll(out.x)
    return out.x, b, s2, -value


def test_lee_yu_individual_equals_direct_up_to_sigma(sar_panel, lattice):
    direct = _fit(sar_panel, lattice, model="sar", effects="individual", bias_correction=False)
    ly = _fit(sar_panel, lattice, model="sar", effects="individual", bias_correction=True)
    np.testing.assert_allclose(ly.params[[*X, "rho"]], direct.params[[*X, "rho"]], rtol=1e-7)
    np.testing.assert_allclose(ly.sigma2, 8 / 7 * direct.sigma2, rtol=1e-7)


def test_lee_yu_individual_explicit_f_t(sar_panel, lattice):
    # Transform each entity's time series by F_T' (T-1 rows) and evaluate sigma2 at the estimates.
    dense, _ = lattice
    ly = _fit(sar_panel, lattice, model="sar", effects="individual", bias_correction=True)
    y, x = _arrays(sar_panel)
    f_t = _orthonormal_complement(8)
    wy = dense @ y
    e = (y - ly.rho * wy - x @ ly.params[X].to_numpy()) @ f_t
    np.testing.assert_allclose(ly.sigma2, np.sum(e**2) / (49 * 7), rtol=1e-8)


def test_lee_yu_twoways_equals_explicit_transformation(lattice):
    # Lee & Yu (2010): y*_t = F_N' y F_T, W* = F_N' W F_N, N-1 units and T-1 periods; brute-force
    # ML on those data with the dense log-determinant of I - rho W*.
    dense, _ = lattice
    frame = simulate_panel(dense, 6, [1.0, -0.5], rho=0.3, seed=11)
    res = _fit(frame, lattice, model="sar", effects="twoways", bias_correction=True)
    y, x = _arrays(frame)
    f_n, f_t = _orthonormal_complement(49), _orthonormal_complement(6)
    w_star = f_n.T @ dense @ f_n
    ys = [f_n.T @ (y @ f_t)[:, s] for s in range(5)]
    xs = [f_n.T @ np.einsum("ntk,ts->nsk", x, f_t)[:, s, :] for s in range(5)]
    rho, beta, s2, llf = _max_concentrated(ys, xs, [w_star] * 5, 5)
    np.testing.assert_allclose(res.rho, rho, rtol=1e-6)
    np.testing.assert_allclose(res.params[X], beta, rtol=1e-6)
    np.testing.assert_allclose(res.sigma2, s2, rtol=1e-6)
    np.testing.assert_allclose(res.llf, llf, rtol=1e-9)


def test_time_effects_direct_equals_dummy_variables(sar_panel, lattice):
    # Direct approach: time dummies estimated jointly (N T observations, T log-determinants).
    dense, _ = lattice
    res = _fit(sar_panel, lattice, model="sar", effects="time", bias_correction=False)
    y, x = _arrays(sar_panel)
    dummies = np.eye(8)
    ys = [y[:, s] for s in range(8)]
    xs = [np.hstack([x[:, s, :], np.tile(dummies[s], (49, 1))]) for s in range(8)]
    rho, beta, s2, llf = _max_concentrated(ys, xs, [dense] * 8, 8)
    np.testing.assert_allclose(res.rho, rho, rtol=1e-6)
    np.testing.assert_allclose(res.params[X], beta[:2], rtol=1e-6)
    np.testing.assert_allclose(res.sigma2, s2, rtol=1e-6)
    np.testing.assert_allclose(res.llf, llf, rtol=1e-9)


def test_slx_is_least_squares_on_x_and_wx(sar_panel, lattice):
    dense, _ = lattice
    res = _fit(sar_panel, lattice, model="slx", effects="individual", bias_correction=False)
    y, x = _arrays(sar_panel)
    wx = np.einsum("ij,jtk->itk", dense, x)
    design = np.concatenate([x, wx], axis=2)
    design = (design - design.mean(axis=1, keepdims=True)).reshape(-1, 4)
    yy = (y - y.mean(axis=1, keepdims=True)).reshape(-1)
    beta, *_ = np.linalg.lstsq(design, yy, rcond=None)
    s2 = np.sum((yy - design @ beta) ** 2) / len(yy)
    np.testing.assert_allclose(res.params[["x1", "x2", "W_x1", "W_x2"]], beta, rtol=1e-9)
    np.testing.assert_allclose(res.sigma2, s2, rtol=1e-9)
    se = np.sqrt(np.diag(s2 * np.linalg.inv(design.T @ design)))
    np.testing.assert_allclose(res.bse[["x1", "x2", "W_x1", "W_x2"]], se, rtol=1e-9)


def _sac_loglik(y, x, dense, rho, lam):
    """Concentrated SAC log-likelihood with individual effects, dense and direct."""
    n, t = y.shape
    yd = y - y.mean(axis=1, keepdims=True)
    xd = x - x.mean(axis=1, keepdims=True)
    a = np.eye(n) - rho * dense
    b = np.eye(n) - lam * dense
    ys = (b @ a @ yd).reshape(-1)
    xs = np.einsum("ij,jtk->itk", b, xd).reshape(-1, x.shape[2])
    beta, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    s2 = np.sum((ys - xs @ beta) ** 2) / (n * t)
    ld = np.linalg.slogdet(a)[1] + np.linalg.slogdet(b)[1]
    return -n * t / 2 * (np.log(2 * np.pi * s2) + 1) + t * ld


def test_sac_maximises_the_dense_likelihood(lattice):
    dense, _ = lattice
    frame = simulate_panel(dense, 8, [1.0, -0.5], rho=0.3, lam=0.4, seed=5)
    res = _fit(frame, lattice, model="sac", effects="individual", bias_correction=False)
    y, x = _arrays(frame)
    best = _sac_loglik(y, x, dense, res.rho, res.lam)
    np.testing.assert_allclose(res.llf, best, rtol=1e-10)
    for dr, dl in [(1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3)]:
        assert _sac_loglik(y, x, dense, res.rho + dr, res.lam + dl) < best


def _numerical_cov(loglik, point, step=1e-4):
    m = len(point)
    hess = np.empty((m, m))
    for i in range(m):
        for j in range(m):
            ei, ej = np.eye(m)[i] * step, np.eye(m)[j] * step
            hess[i, j] = (
                loglik(point + ei + ej)
                - loglik(point + ei - ej)
                - loglik(point - ei + ej)
                + loglik(point - ei - ej)
            ) / (4 * step**2)
    return np.linalg.inv(-hess)


def test_sac_information_matrix_close_to_observed_information(lattice):
    # The analytic expected information and the numerical observed information of the full
    # likelihood agree up to sampling noise (here N T = 392): tolerance 10 %.
    dense, _ = lattice
    frame = simulate_panel(dense, 8, [1.0, -0.5], rho=0.3, lam=0.4, seed=5)
    res = _fit(frame, lattice, model="sac", effects="individual", bias_correction=False)
    y, x = _arrays(frame)
    n, t = y.shape
    yd = (y - y.mean(axis=1, keepdims=True)).T
    xd = (x - x.mean(axis=1, keepdims=True)).transpose(1, 0, 2)

    def loglik(p):
        b1, b2, rho, lam, s2 = p
        a, b = np.eye(n) - rho * dense, np.eye(n) - lam * dense
        e = (b @ (a @ yd.T - (xd @ np.array([b1, b2])).T)).reshape(-1)
        ld = np.linalg.slogdet(a)[1] + np.linalg.slogdet(b)[1]
        return -n * t / 2 * np.log(2 * np.pi * s2) + t * ld - e @ e / (2 * s2)

    point = res.params[[*X, "rho", "lambda", "sigma2"]].to_numpy()
    numeric = np.sqrt(np.diag(_numerical_cov(loglik, point)))
    np.testing.assert_allclose(res.bse[[*X, "rho", "lambda", "sigma2"]], numeric, rtol=0.1)


def test_sdem_maximises_the_dense_likelihood(lattice):
    dense, _ = lattice
    frame = simulate_panel(dense, 8, [1.0, -0.5], theta=[0.4, 0.2], lam=0.5, seed=7)
    res = _fit(frame, lattice, model="sdem", effects="individual", bias_correction=False)
    y, x = _arrays(frame)
    xw = np.concatenate([x, np.einsum("ij,jtk->itk", dense, x)], axis=2)
    best = _sac_loglik(y, xw, dense, 0.0, res.lam)
    np.testing.assert_allclose(res.llf, best, rtol=1e-10)
    for dl in (1e-3, -1e-3):
        assert _sac_loglik(y, xw, dense, 0.0, res.lam + dl) < best


def test_monte_carlo_sdm_twoways_recovers_truth():
    # 10 x 10 queen lattice, T = 10, 6 seeded replications, Lee-Yu corrected two-way FE SDM.
    w = libpysal.weights.lat2W(10, 10, rook=False)
    w.transform = "r"
    truth = {"x1": 1.0, "x2": -0.5, "W_x1": 0.5, "W_x2": 0.3, "rho": 0.4, "sigma2": 1.0}
    estimates, ses = [], []
    for rep in range(6):
        frame = simulate_panel(
            w.sparse, 10, [1.0, -0.5], theta=[0.5, 0.3], rho=0.4, sigma=1.0, seed=100 + rep
        )
        res = fit(
            frame,
            y="y",
            x=X,
            w=(w.sparse, list(range(100))),
            entity="entity",
            time="time",
            model="sdm",
            effects="twoways",
            bias_correction=True,
        )
        estimates.append(res.params[list(truth)].to_numpy())
        ses.append(res.bse[list(truth)].to_numpy())
    mean = np.mean(estimates, axis=0)
    # mean of 6 replications: its standard error is about se / sqrt(6); allow 3 of those
    tolerance = 3 * np.mean(ses, axis=0) / np.sqrt(6)
    assert np.all(np.abs(mean - np.array(list(truth.values()))) < tolerance), (mean, tolerance)


def test_results_interface(sar_panel, lattice):
    res = _fit(sar_panel, lattice, model="sdm", effects="twoways")
    assert list(res.params.index) == ["x1", "x2", "W_x1", "W_x2", "rho", "sigma2"]
    assert res.fixed_effects == {"entity": True, "time": True}
    assert res.nobs == 49 * 8 and res.n_entities == 49 and res.n_periods == 8
    ci = res.conf_int(alpha=0.05)
    np.testing.assert_allclose(ci["upper"] - res.params, 1.959963984540054 * res.bse, rtol=1e-12)
    np.testing.assert_allclose(res.tvalues, res.params / res.bse, rtol=1e-12)
    text = res.summary()
    assert "SDM, two-way fixed effects" in text and "W_x2" in text and "rho" in text
    assert res.lam is None and res.rho == res.params["rho"]


def test_random_effects_slx_reduces_to_pooled_when_phi_small(lattice):
    # With no individual effects in the data, phi is estimated near zero and the RE coefficients
    # approach pooled OLS on [1, X, WX].
    dense, _ = lattice
    rng = np.random.default_rng(0)
    frame = simulate_panel(dense, 8, [1.0, -0.5], theta=[0.3, 0.1], seed=2)
    _, x = _arrays(frame)
    wx = np.einsum("ij,jtk->itk", dense, x)
    design = np.concatenate([np.ones((49, 8, 1)), x, wx], axis=2).reshape(-1, 5)
    yy = design @ np.array([0.5, 1.0, -0.5, 0.3, 0.1]) + rng.standard_normal(49 * 8)
    frame = frame.sort_values(["entity", "time"]).assign(y=yy)
    res = _fit(frame, lattice, model="slx", effects="random")
    beta, *_ = np.linalg.lstsq(design, yy, rcond=None)
    assert res.params["phi"] < 0.05
    np.testing.assert_allclose(
        res.params[["const", "x1", "x2", "W_x1", "W_x2"]], beta, rtol=0.05, atol=0.02
    )


def test_random_effects_phi_at_lower_bound_warns(lattice):
    # Errors demeaned within entity leave no between variation: phi goes to its lower bound.
    dense, ids = lattice
    rng = np.random.default_rng(0)
    frame = simulate_panel(dense, 8, [1.0, -0.5], seed=2).sort_values(["entity", "time"])
    design = np.column_stack([np.ones(len(frame)), frame[X].to_numpy()])
    noise = rng.standard_normal((49, 8))
    noise -= noise.mean(axis=1, keepdims=True)
    frame = frame.assign(y=design @ np.array([0.5, 1.0, -0.5]) + noise.reshape(-1))
    with pytest.warns(RuntimeWarning, match=r"phi = .* is at its lower bound.*effects='pooled'"):
        res = fit(
            frame,
            y="y",
            x=X,
            w=(dense, ids),
            entity="entity",
            time="time",
            model="slx",
            effects="random",
        )
    assert res.params["phi"] < 1e-6


# ---------------------------------------------------------------- bad input


def test_weights_ids_missing_from_panel_named(sar_panel, lattice):
    dense, ids = lattice
    with pytest.raises(WeightsError, match=r"weights ids not in the panel: 48"):
        _fit(sar_panel[sar_panel["entity"] < 48], (dense, ids), model="sar")


def test_panel_ids_missing_from_weights_named(sar_panel, lattice):
    dense, ids = lattice
    with pytest.raises(
        WeightsError, match=r"panel entities missing from the weights ids: 48 \(1 in all\)"
    ):
        _fit(sar_panel, (dense, [*ids[:-1], "a"]), model="sar")


def test_islands_named(sar_panel, lattice):
    dense, ids = lattice
    broken = dense.copy()
    broken[5] = 0.0
    with pytest.raises(WeightsError, match=r"islands .*: 5 \(1 in all\)"):
        _fit(sar_panel, (broken, ids), model="sar")


def test_nan_in_y_named(sar_panel, lattice):
    frame = sar_panel.copy()
    frame.loc[(frame["entity"] == 3) & (frame["time"] == 2), "y"] = np.nan
    with pytest.raises(PanelError, match=r"column 'y' .* first at \(entity=3, time=2\)"):
        _fit(frame, lattice, model="sar")


def test_time_invariant_regressor_under_individual_effects(sar_panel, lattice):
    frame = sar_panel.assign(x2=sar_panel["entity"] * 1.0)
    with pytest.raises(EstimationError, match=r"\['x2'\] have no variation left"):
        _fit(frame, lattice, model="sar", effects="individual")


def test_collinear_regressors_named(sar_panel, lattice):
    frame = sar_panel.assign(x3=sar_panel["x1"] - 2 * sar_panel["x2"])
    with pytest.raises(EstimationError, match=r"perfectly collinear .*\['x\d'\]"):
        fit(
            frame, y="y", x=["x1", "x2", "x3"], w=lattice, entity="entity", time="time", model="sar"
        )


def test_unbalanced_panel_lists_missing_pairs(sar_panel, lattice):
    frame = sar_panel.drop(index=sar_panel.index[[0, 9]])
    with pytest.raises(PanelError, match=r"unbalanced: 2 .* \(0, 0\), \(1, 1\) \(2 in all\)"):
        _fit(frame, lattice, model="sar")


def test_duplicate_rows_rejected(sar_panel, lattice):
    frame = pd.concat([sar_panel, sar_panel.iloc[[4]]])
    with pytest.raises(
        PanelError, match=r"2 rows sharing an \(entity, time\) pair, first \[\(0, 4\)\]"
    ):
        _fit(frame, lattice, model="sar")


def test_unknown_option_lists_allowed(sar_panel, lattice):
    with pytest.raises(ValueError, match=r"model='sarr' is not allowed; choose one of \['sar'"):
        _fit(sar_panel, lattice, model="sarr")


def test_rho_near_bound_warns(lattice):
    dense, _ = lattice
    frame = simulate_panel(dense, 8, [1.0, -0.5], rho=0.9995, sigma=0.01, seed=1)
    with pytest.warns(RuntimeWarning, match=r"rho = 0\.99\d+ lies within 0\.001 of its bound"):
        _fit(frame, lattice, model="sar", effects="pooled")


def test_non_convergence_raises(sar_panel, lattice):
    with pytest.raises(ConvergenceError, match=r"rho.*raise maxiter \(now 2\)"):
        _fit(sar_panel, lattice, model="sar", maxiter=2)


def test_random_effects_error_models_rejected(sar_panel, lattice):
    with pytest.raises(EstimationError, match=r"effects='random' is implemented for model"):
        _fit(sar_panel, lattice, model="sem", effects="random")


def test_lee_yu_time_effects_need_row_standardised_w(sar_panel, lattice):
    dense, ids = lattice
    with pytest.raises(WeightsError, match="row-standardised"):
        _fit(sar_panel, (dense * 2, ids), model="sar", effects="time", bias_correction=True)


def test_sar_individual_matches_spreg_panel_fe_lag(sar_panel, lattice):
    # spreg 1.9 Panel_FE_Lag (Elhorst 2003 ML, individual effects, no bias correction); data stacked
    # period by period as spreg expects.
    spreg = pytest.importorskip("spreg", reason="spreg is the Python peer for panel SAR")
    dense, ids = lattice
    res = _fit(sar_panel, lattice, model="sar", effects="individual", bias_correction=False)
    stacked = sar_panel.sort_values(["time", "entity"])
    peer = spreg.Panel_FE_Lag(
        stacked[["y"]].to_numpy(), stacked[X].to_numpy(), libpysal.weights.full2W(dense, ids=ids)
    )
    np.testing.assert_allclose(res.params[[*X, "rho"]], peer.betas.ravel(), rtol=1e-5)
    np.testing.assert_allclose(res.bse[[*X, "rho"]], np.sqrt(np.diag(peer.vm)), rtol=1e-5)


@pytest.mark.parametrize(
    ("model", "kwargs"), [("sem", {"lam": 0.4}), ("sac", {"rho": 0.3, "lam": 0.3})]
)
def test_lee_yu_twoways_error_models_maximise_transformed_likelihood(lattice, model, kwargs):
    # Explicit Lee-Yu data (N-1 units, T-1 periods, W* = F_N' W F_N): our llf equals the dense
    # likelihood there at our estimates, and moving rho or lambda lowers it.
    dense, _ = lattice
    frame = simulate_panel(dense, 6, [1.0, -0.5], seed=13, **kwargs)
    res = _fit(frame, lattice, model=model, effects="twoways", bias_correction=True)
    y, x = _arrays(frame)
    f_n, f_t = _orthonormal_complement(49), _orthonormal_complement(6)
    w_star = f_n.T @ dense @ f_n
    ys = f_n.T @ y @ f_t
    xs = np.einsum("in,ntk,ts->isk", f_n.T, x, f_t)
    eye = np.eye(48)

    def loglik(rho, lam):
        a, b = eye - rho * w_star, eye - lam * w_star
        yy = (b @ a @ ys).reshape(-1)
        xx = np.einsum("ij,jtk->itk", b, xs).reshape(-1, 2)
        beta, *_ = np.linalg.lstsq(xx, yy, rcond=None)
        s2 = np.sum((yy - xx @ beta) ** 2) / yy.size
        ld = np.linalg.slogdet(a)[1] + np.linalg.slogdet(b)[1]
        return -yy.size / 2 * (np.log(2 * np.pi * s2) + 1) + 5 * ld, beta, s2

    rho = res.rho or 0.0
    best, beta, s2 = loglik(rho, res.lam)
    np.testing.assert_allclose(res.llf, best, rtol=1e-10)
    np.testing.assert_allclose(res.params[X], beta, rtol=1e-8)
    np.testing.assert_allclose(res.sigma2, s2, rtol=1e-8)
    assert loglik(rho, res.lam + 1e-3)[0] < best and loglik(rho, res.lam - 1e-3)[0] < best
    if model == "sac":
        assert loglik(rho + 1e-3, res.lam)[0] < best and loglik(rho - 1e-3, res.lam)[0] < best


@pytest.mark.slow
def test_stochastic_traces_close_to_exact():
    # Hutchinson's estimator (used by default above N = 1,500) with 200 probes at N = 900;
    # tolerance 2 %.
    from clusterdx.spatial._information import spatial_traces

    w = libpysal.weights.lat2W(30, 30, rook=False)
    w.transform = "r"
    matrix = w.sparse.tocsr()
    for project in (False, True):
        approx = spatial_traces(matrix, 0.4, 0.3, project=project, exact=False)
        exact = spatial_traces(matrix, 0.4, 0.3, project=project, exact=True)
        for key, value in exact.items():
            np.testing.assert_allclose(approx[key], value, rtol=2e-2, err_msg=key)


@pytest.mark.parametrize("method", ["chebyshev", "barry-pace", "lu"])
def test_logdet_methods_give_the_same_fit(method):
    w = libpysal.weights.lat2W(20, 20, rook=False)
    w.transform = "r"
    frame = simulate_panel(w.sparse, 5, [1.0, -0.5], rho=0.5, seed=21)
    ids = (w.sparse, list(range(400)))
    exact = fit(frame, y="y", x=X, w=ids, entity="entity", time="time", model="sar", logdet="eigen")
    other = fit(frame, y="y", x=X, w=ids, entity="entity", time="time", model="sar", logdet=method)
    assert other.logdet_method == method
    # approximate log-determinants move rho by less than a tenth of its standard error
    assert abs(other.rho - exact.rho) < 0.1 * exact.bse["rho"]
    np.testing.assert_allclose(other.bse, exact.bse, rtol=2e-2)


def test_time_column_as_trend_regressor(sar_panel, lattice):
    # x may name the time column itself (a linear trend): same fit as a copy of it under a new name
    trend = sar_panel.assign(trend=sar_panel["time"])
    direct = fit(
        sar_panel,
        y="y",
        x=["x1", "time"],
        w=lattice,
        entity="entity",
        time="time",
        effects="pooled",
    )
    copied = fit(
        trend, y="y", x=["x1", "trend"], w=lattice, entity="entity", time="time", effects="pooled"
    )
    np.testing.assert_allclose(direct.params.to_numpy(), copied.params.to_numpy(), rtol=1e-12)
    assert direct.params.index.tolist() == ["const", "x1", "time", "rho", "sigma2"]


def test_single_string_x_rejected_not_split_into_characters(sar_panel, lattice):
    with pytest.raises(EstimationError, match=r"x='x1' is a string; pass a list .*\['x1'\]"):
        fit(sar_panel, y="y", x="x1", w=lattice, entity="entity", time="time")


def test_non_numeric_regressor_named(sar_panel, lattice):
    frame = sar_panel.assign(x2=sar_panel["x2"].astype(str))
    with pytest.raises(PanelError, match=r"column 'x2' has dtype .*not numeric"):
        _fit(frame, lattice, model="sar")


def test_sdem_information_matrix_close_to_observed_information(lattice):
    # As for the SAC: analytic expected against numerical observed information, tolerance 10 %.
    dense, _ = lattice
    frame = simulate_panel(dense, 8, [1.0, -0.5], theta=[0.4, 0.2], lam=0.5, seed=7)
    res = _fit(frame, lattice, model="sdem", effects="individual", bias_correction=False)
    y, x = _arrays(frame)
    n, t = y.shape
    xw = np.concatenate([x, np.einsum("ij,jtk->itk", dense, x)], axis=2)
    yd = y - y.mean(axis=1, keepdims=True)
    xd = xw - xw.mean(axis=1, keepdims=True)

    def loglik(p):
        beta, lam, s2 = p[:4], p[4], p[5]
        b = np.eye(n) - lam * dense
        e = (b @ (yd - xd @ beta)).reshape(-1)
        return -n * t / 2 * np.log(2 * np.pi * s2) + t * np.linalg.slogdet(b)[1] - e @ e / (2 * s2)

    keys = ["x1", "x2", "W_x1", "W_x2", "lambda", "sigma2"]
    numeric = np.sqrt(np.diag(_numerical_cov(loglik, res.params[keys].to_numpy())))
    np.testing.assert_allclose(res.bse[keys], numeric, rtol=0.1)


# --- convention="splm": W(Qy) for the outcome, Q(WX) for Durbin terms (issue 12) -------------
# splm fits a Durbin model as a lag model whose regressors include WX computed from the raw X
# (SDPDmod does the same: R/SDPDm.R lags X before demeaning and y after). So an SDM under
# convention="splm" must equal the SAR under convention="splm" with the WX columns supplied as
# ordinary regressors; the SAR two-way "splm" estimator itself is validated against splm in
# tests/validation/test_splm_spatial.py::test_sar_twoways_reproduces_splm_convention.
PRODUC_X = ["lpcap", "lpc", "lemp", "unemp"]


@pytest.fixture(scope="module")
def produc_wx(produc, usaww):
    """Produc with raw spatial lags W_<x> of each year's X, and usaww (columns not summing to 1)."""
    wmat = usaww.to_numpy()
    frame = produc.sort_values(["year", "state"]).copy()
    order = {s: i for i, s in enumerate(usaww.index)}
    for _year, part in frame.groupby("year"):
        idx = part.index[np.argsort([order[s] for s in part["state"]])]
        lagged = wmat @ frame.loc[idx, PRODUC_X].to_numpy()
        frame.loc[idx, [f"W_{v}" for v in PRODUC_X]] = lagged
    return frame, (wmat, list(usaww.index))


@pytest.mark.parametrize("effects", ["twoways", "time"])
def test_splm_convention_sdm_lags_raw_x(produc_wx, effects):
    frame, w = produc_wx
    wx = [f"W_{v}" for v in PRODUC_X]
    kwargs = {"effects": effects, "bias_correction": False, "convention": "splm"}
    sdm = fit(frame, y="lgsp", x=PRODUC_X, w=w, entity="state", time="year", model="sdm", **kwargs)
    sar = fit(
        frame, y="lgsp", x=PRODUC_X + wx, w=w, entity="state", time="year", model="sar", **kwargs
    )
    np.testing.assert_allclose(sdm.params, sar.params[sdm.params.index], rtol=1e-6)
    np.testing.assert_allclose(sdm.bse, sar.bse[sdm.params.index], rtol=1e-6)


def test_splm_convention_time_effects_lags_the_demeaned_outcome(produc_wx):
    # splm's time-effects within estimator: period-demean y and X, lag the demeaned y, W(Q_t y);
    # written out densely, period by period, and maximised by brute force (no constant).
    frame, w = produc_wx
    wmat, ids = w
    order = {s: i for i, s in enumerate(ids)}
    ys, xs = [], []
    for _, part in frame.groupby("year"):
        part = part.iloc[np.argsort([order[s] for s in part["state"]])]
        ys.append(part["lgsp"].to_numpy() - part["lgsp"].mean())
        xs.append(part[PRODUC_X].to_numpy() - part[PRODUC_X].to_numpy().mean(axis=0))
    rho, beta, s2, _ = _max_concentrated(ys, xs, [wmat] * len(ys), len(ys))
    res = fit(
        frame,
        y="lgsp",
        x=PRODUC_X,
        w=w,
        entity="state",
        time="year",
        model="sar",
        effects="time",
        bias_correction=False,
        convention="splm",
    )
    np.testing.assert_allclose(
        [*res.params[PRODUC_X], res.rho, res.sigma2], [*beta, rho, s2], rtol=1e-6
    )
    ml = fit(
        frame,
        y="lgsp",
        x=PRODUC_X,
        w=w,
        entity="state",
        time="year",
        model="sar",
        effects="time",
        bias_correction=False,
    )
    assert abs(ml.rho / res.rho - 1) > 1e-4  # the convention is no longer ignored


def test_random_effects_covariance_labelled_gls_and_numerical_hessian(sar_panel, lattice):
    # Spatial RE standard errors are GLS for β and a numerical Hessian for (ρ, φ), not the
    # analytic information matrix (issue 12); the table note says so in both languages.
    from clusterdx.report import RegressionTable

    re_fit = _fit(sar_panel, lattice, model="sar", effects="random")
    fe_fit = _fit(sar_panel, lattice, model="sar", effects="individual")
    assert re_fit.cov_type == "gls and numerical hessian"
    assert fe_fit.cov_type == "analytic information matrix"
    en = RegressionTable([re_fit], lang="en").to_markdown()
    assert "GLS for β given ρ and φ, numerical Hessian for ρ and φ" in en
    zh = RegressionTable([re_fit], lang="zh").to_markdown()
    assert "β为GLS标准误，ρ、φ基于数值Hessian矩阵" in zh


def test_table_notes_state_the_bias_correction_convention(sar_panel, lattice):
    from clusterdx.report import RegressionTable

    corrected = _fit(sar_panel, lattice, model="sar", effects="twoways")
    direct = _fit(sar_panel, lattice, model="sar", effects="twoways", bias_correction="direct")
    plain = _fit(sar_panel, lattice, model="sar", effects="individual", bias_correction=False)
    assert (corrected.bias_convention, direct.bias_convention) == ("transformation", "direct")
    en = RegressionTable([corrected], lang="en").to_markdown()
    assert "Spatial fixed-effects models with the Lee-Yu (2010) bias correction, " in en
    assert "transformation approach" in en
    zh = RegressionTable([corrected, direct, plain], lang="zh").to_markdown()
    assert "第(1)列空间固定效应模型采用Lee和Yu（2010）变换法偏误修正" in zh
    assert "第(2)列空间固定效应模型采用Lee和Yu（2010）直接法偏误修正" in zh
    assert "第(3)列空间固定效应模型未作Lee和Yu（2010）偏误修正" in zh


@pytest.mark.parametrize(
    ("model", "peer_name", "kwargs", "k_spreg_misses"),
    [
        ("sar", "ML_LagFE", {}, 0),
        ("sdm", "ML_LagFE", {"slx_lags": 1}, 0),
        ("sem", "ML_ErrorFE", {}, 1),
    ],
)
def test_aic_bic_pseudo_r2_match_spreg_panel_fe(
    sar_panel, lattice, model, peer_name, kwargs, k_spreg_misses
):
    # spreg 1.9 ML_LagFE / ML_ErrorFE (Elhorst 2003 ML, individual effects): logll, aic, schwarz,
    # pr2 = corr(y, ŷ)² with ŷ = ρWy + Xβ (lag) or Xβ (error) on the demeaned data. spreg's error
    # models leave λ out of k; we count it, so our AIC and BIC are higher by 2 and ln(NT).
    spreg = pytest.importorskip("spreg", reason="spreg is the Python peer for panel ML")
    dense, ids = lattice
    res = _fit(sar_panel, lattice, model=model, effects="individual", bias_correction=False)
    stacked = sar_panel.sort_values(["time", "entity"])
    peer = getattr(spreg, peer_name)(
        stacked[["y"]].to_numpy(),
        stacked[X].to_numpy(),
        libpysal.weights.full2W(dense, ids=ids),
        **kwargs,
    )
    np.testing.assert_allclose(res.llf, peer.logll, rtol=1e-10)
    np.testing.assert_allclose(res.aic, peer.aic + 2 * k_spreg_misses, rtol=1e-10)
    np.testing.assert_allclose(
        res.bic, peer.schwarz + k_spreg_misses * np.log(res.nobs), rtol=1e-10
    )
    np.testing.assert_allclose(res.pseudo_r2, peer.pr2, rtol=1e-7)
    assert f"AIC: {res.aic:.4f}" in res.summary()


def test_aic_bic_pseudo_r2_match_spreg_ml_lag_on_columbus():
    # spreg 1.9 ML_Lag (cross-section, Anselin 1988 ML) on Columbus: a one-period pooled SAR.
    spreg = pytest.importorskip("spreg", reason="spreg is the Python peer for ML_Lag")
    frame = libpysal.io.open(libpysal.examples.get_path("columbus.dbf")).to_df()
    w = libpysal.weights.Queen.from_shapefile(libpysal.examples.get_path("columbus.shp"))
    w.transform = "r"
    frame = frame.assign(id=range(len(frame)), t=0)
    res = fit(
        frame, y="CRIME", x=["INC", "HOVAL"], w=(w.sparse.toarray(), list(range(len(frame)))),
        entity="id", time="t", model="sar", effects="pooled",
    )  # fmt: skip
    peer = spreg.ML_Lag(frame[["CRIME"]].to_numpy(), frame[["INC", "HOVAL"]].to_numpy(), w=w)
    np.testing.assert_allclose(res.llf, peer.logll, rtol=1e-10)
    np.testing.assert_allclose([res.aic, res.bic], [peer.aic, peer.schwarz], rtol=1e-10)
    np.testing.assert_allclose(res.pseudo_r2, peer.pr2, rtol=1e-7)


def test_a_panel_frame_is_used_as_it_is(sar_panel, lattice):
    # the DataFrame validated by each call and a PanelFrame validated once give the same numbers
    direct = _fit(sar_panel, lattice, model="sdm", effects="twoways")
    frame = PanelFrame(sar_panel, ["y", *X], "entity", "time", balanced=True)
    handed = _fit(frame, lattice, model="sdm", effects="twoways")
    pd.testing.assert_series_equal(direct.params, handed.params)
    pd.testing.assert_series_equal(direct.bse, handed.bse)
    assert direct.llf == handed.llf
    by_formula = fit(
        frame,
        "y ~ x1 + x2",
        w=lattice,
        entity="entity",
        time="time",
        model="sdm",
        effects="twoways",
    )
    pd.testing.assert_series_equal(direct.params, by_formula.params)


def test_a_panel_frame_with_other_keys_columns_or_gaps_is_refused(sar_panel, lattice):
    frame = PanelFrame(sar_panel, ["y", "x1"], "entity", "time")
    keys = r"entity='region', time='year' differ from the keys the PanelFrame was built with "
    with pytest.raises(PanelError, match=keys + r"\('entity', 'time'\); pass those"):
        fit(frame, y="y", x=["x1"], w=lattice)
    with pytest.raises(PanelError, match=r"columns \['x2'\] are not in the validated panel"):
        _fit(frame, lattice)
    gapped = PanelFrame(sar_panel.iloc[1:], ["y", *X], "entity", "time")
    with pytest.raises(PanelError, match=r"unbalanced: 1 \(entity, time\) pairs are missing"):
        _fit(gapped, lattice)
