"""Direct, indirect and total impacts of the regressors in spatial panel models (LeSage & Pace 2009).

For a model with a spatial lag (SAR, SDM, SAC) the N × N matrix of partial derivatives of E[y_t]
with respect to regressor k is S_k(ρ) = (I − ρW)^{-1}(β_k I + θ_k W) (θ_k = 0 without Durbin terms).
LeSage & Pace (2009, *Introduction to Spatial Econometrics*, CRC, §2.7) summarise it by

- direct  = tr S_k / N = β_k · tr((I − ρW)^{-1})/N + θ_k · tr(W(I − ρW)^{-1})/N,
- total   = ι'S_k ι / N = (β_k + θ_k)/(1 − ρ) for a row-standardised W,
- indirect = total − direct.

With a Durbin weights matrix W_d ≠ W (``fit(..., w_durbin=)``) S_k(ρ) = (I − ρW)^{-1}(β_k I + θ_k W_d):
the direct effect needs tr(W_d (I − ρW)^{-1})/N = Σ_i c_i/(1 − ρω_i)/N with c_i the diagonal of
V^{-1} W_d V (W = V diag(ω) V^{-1}), exact for N ≤ 1,000 (``logdet.EIGEN_MAX_N``), else the power
series Σ_j ρ^j tr(W_d W^j)/N (exact for j ≤ 1, Hutchinson above); the total effect
ι'(I − ρW)^{-1}W_d ι/N, which is 1/(1 − ρ) when both matrices are row-standardised. With Durbin
terms on a subset of the regressors (``durbin=``) θ_k = 0 for the others.

For a W whose rows do not sum to one (e.g. raw inverse distances) the total is
β_k · ι'(I − ρW)^{-1}ι/N + θ_k · ι'W(I − ρW)^{-1}ι/N, from one sparse solve (I − ρW)v = ι per ρ.

The traces come from the eigenvalues of W (Σ 1/(1 − ρω_i), Σ ω_i/(1 − ρω_i)) when they are known,
else from the power series in the moments tr(W^j)/N (exact for j ≤ 2, Monte Carlo above; LeSage &
Pace 2009, §4.3). No N × N matrix is inverted.

Inference simulates the sampling distribution: the parameters (β, θ, ρ) are drawn ``draws`` times
from N(θ̂, Σ̂) (the estimated asymptotic covariance) with ``numpy.random.default_rng(seed)``, the
impacts are computed for each draw (vectorised), and the standard error is the standard deviation
of the draws (LeSage & Pace 2009, §5.6.2; the method of spatialreg / splm ``impacts``). ``est`` is
the impact at the estimates.

For models without a spatial lag (SEM, SDEM, SLX) the impacts are linear in the coefficients:
direct = β_k, indirect = θ_k, total = β_k + θ_k, with exact (delta-method) standard errors;
``draws`` is then not used. For the SEM the indirect impact is 0 by construction and its ``se``,
``z`` and ``p`` are NaN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from clusterdx.errors import EstimationError, OptionError
from clusterdx.spatial.logdet import filter_factor

if TYPE_CHECKING:
    from clusterdx.spatial._results import SpatialPanelResults

IMPACT_TYPES = ("direct", "indirect", "total")
IMPACT_STATS = ("est", "se", "z", "p")


def _frame(names: list[str], est: np.ndarray, se: np.ndarray) -> pd.DataFrame:
    """Assemble the impacts table: rows = regressors, columns = (impact type, statistic)."""
    z = est / se
    p = 2 * stats.norm.sf(np.abs(z))
    columns = pd.MultiIndex.from_product([IMPACT_TYPES, IMPACT_STATS], names=["impact", "stat"])
    data = np.stack([est, se, z, p], axis=-1).reshape(len(names), -1)
    return pd.DataFrame(data, index=pd.Index(names, name="variable"), columns=columns)


def _draw(mean: np.ndarray, cov: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """Multivariate normal draws through a symmetric square root (robust to near-singular Σ)."""
    vals, vecs = np.linalg.eigh((cov + cov.T) / 2)
    root = vecs * np.sqrt(np.clip(vals, 0.0, None))
    rng = np.random.default_rng(seed)
    return mean + rng.standard_normal((draws, len(mean))) @ root.T


def _mean_row_sums(w: sp.csr_matrix, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ι'(I − ρW)^{-1}ι/N and ι'W(I − ρW)^{-1}ι/N for each ρ; 1/(1 − ρ) twice if W is row-standardised."""
    sums = np.asarray(w.sum(axis=1)).ravel()
    if np.allclose(sums, 1.0, rtol=0, atol=1e-10):
        return 1.0 / (1.0 - rho), 1.0 / (1.0 - rho)
    ones = np.ones(w.shape[0])
    v = np.stack([filter_factor(w, r).solve(ones) for r in rho], axis=1)
    return v.mean(axis=0), np.asarray(w @ v).mean(axis=0)


#: Largest condition number of W's eigenvector matrix for which the eigenvector path of
#: `_durbin_mean_diagonals` is used; above it (a W that is not diagonalisable in practice, e.g.
#: k-nearest neighbours: about 3e8 for k = 4 on 60 points) its error reaches 1e-4 and depends on the
#: LAPACK kernel of the machine, so the power series with exact moments is used instead.
EIGENVECTOR_COND_MAX = 1e6


def _durbin_mean_diagonals(
    engine, wd: sp.csr_matrix, rho: np.ndarray, seed: int = 0, probes: int = 100
) -> np.ndarray:
    """tr(W_d (I − ρW)^{-1})/N for each ρ.

    For N ≤ 1,000 (eigenvalues known): from the eigenvectors of W, or, when their matrix is
    ill-conditioned (`EIGENVECTOR_COND_MAX`), from the power series Σ_j ρ^j tr(W_d W^j)/N with the
    moments computed exactly from dense powers of W; above, the same series with Hutchinson
    estimates of the moments (``probes`` Rademacher vectors) beyond j = 1.
    """
    w = engine.w
    n = w.shape[0]
    rho = np.asarray(rho, dtype=float)
    top = float(np.max(np.abs(rho))) * engine.radius if rho.size else 0.0
    order = int(min(2_000, max(10, np.ceil(np.log(1e-10) / np.log(max(top, 1e-3))))))
    moments = np.empty(order + 1)
    moments[0] = wd.diagonal().sum() / n
    moments[1] = float(wd.multiply(w.T).sum()) / n
    if engine.eigenvalues is not None:
        d = engine._d
        if d is not None:  # W = D^{-1/2} Q diag(ω) Q' D^{1/2}
            root = np.sqrt(d)
            sym = root[:, None] * w.toarray() / root[None, :]
            vals, q = np.linalg.eigh((sym + sym.T) / 2)
            inner = q.T @ (root[:, None] * (wd @ (q / root[:, None])))
            c = np.diag(inner)
            return np.real(np.sum(c / (1.0 - rho[..., None] * vals), axis=-1)) / n
        dense = w.toarray()
        vals, vecs = np.linalg.eig(dense)
        if np.linalg.cond(vecs) <= EIGENVECTOR_COND_MAX:
            c = np.diag(np.linalg.solve(vecs, wd @ vecs))
            return np.real(np.sum(c / (1.0 - rho[..., None] * vals), axis=-1)) / n
        left = wd.T.toarray()  # tr(W_d W^j) = Σ (W_d')_{ik} (W^j)_{ik}
        power = dense
        for j in range(2, order + 1):
            power = power @ dense
            moments[j] = np.sum(left * power) / n
        return rho[..., None] ** np.arange(order + 1) @ moments
    u = np.random.default_rng(seed).choice(np.array([-1.0, 1.0]), size=(n, probes))
    left = np.asarray(wd.T @ u)  # u' W_d W^j u = (W_d' u)' W^j u
    cur = w @ u
    for j in range(2, order + 1):
        cur = w @ cur
        moments[j] = np.sum(left * cur) / (probes * n)
    return rho[..., None] ** np.arange(order + 1) @ moments


def _durbin_mean_row_sums(w: sp.csr_matrix, wd: sp.csr_matrix, rho: np.ndarray) -> np.ndarray:
    """ι'(I − ρW)^{-1} W_d ι/N for each ρ; 1/(1 − ρ) when W and W_d are row-standardised."""
    sums, sums_d = (np.asarray(m.sum(axis=1)).ravel() for m in (w, wd))
    if np.allclose(sums, 1.0, rtol=0, atol=1e-10) and np.allclose(sums_d, 1.0, rtol=0, atol=1e-10):
        return 1.0 / (1.0 - rho)
    target = np.asarray(wd.sum(axis=1)).ravel()
    return np.array([filter_factor(w, r).solve(target).mean() for r in rho])


def impacts(res: SpatialPanelResults, draws: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Direct, indirect and total impacts with simulated (or exact) inference.

    Parameters
    ----------
    res
        A fitted :class:`~clusterdx.spatial._results.SpatialPanelResults`.
    draws
        Number of parameter draws for the simulated standard errors (spatial lag models).
    seed
        Seed of ``numpy.random.default_rng`` for the draws.

    Returns
    -------
    pandas.DataFrame
        One row per regressor (index name ``variable``); columns are a two-level MultiIndex
        ``(impact, stat)`` with ``impact`` in ``direct``, ``indirect``, ``total`` and ``stat`` in
        ``est`` (impact at the estimates), ``se``, ``z`` (= est/se) and ``p`` (two-sided, normal).
        Select e.g. ``imp["direct"]`` or ``imp.xs("est", axis=1, level="stat")``.

    Examples
    --------
    A 5 × 5 lattice observed for 5 periods, simulated from an SDM with ρ = 0.4, β = (1, −0.5)
    and θ = (0.5, 0):

    >>> import libpysal
    >>> from clusterdx import spatial
    >>> from clusterdx.datasets import spatial_panel
    >>> w = libpysal.weights.lat2W(5, 5); w.transform = "r"
    >>> panel = spatial_panel(w, 5, beta=[1.0, -0.5], theta=[0.5, 0.0], rho=0.4, seed=0)
    >>> sdm = spatial.fit(panel, y="y", x=["x1", "x2"], w=w, model="sdm",
    ...                   effects="twoways")
    >>> imp = spatial.impacts(sdm, draws=200, seed=0)
    >>> imp.index.tolist(), imp.columns.get_level_values("impact").unique().tolist()
    (['x1', 'x2'], ['direct', 'indirect', 'total'])
    >>> imp.loc["x1", "direct"].round(3).to_dict()
    {'est': 1.082, 'se': 0.11, 'z': 9.868, 'p': 0.0}
    >>> imp.xs("est", axis=1, level="stat").loc["x1"].round(3).to_dict()
    {'direct': 1.082, 'indirect': 1.032, 'total': 2.114}

    The total impact is (β + θ)/(1 − ρ); without a spatial lag the impacts are the
    coefficients themselves:

    >>> round(float(sdm.params["x1"] + sdm.params["W_x1"]) / (1 - sdm.rho), 3)
    2.114
    >>> slx = spatial.fit(panel, y="y", x=["x1", "x2"], w=w, model="slx")
    >>> spatial.impacts(slx)[("indirect", "est")].round(3).tolist()
    [0.23, -0.479]
    >>> slx.params[["W_x1", "W_x2"]].round(3).tolist()
    [0.23, -0.479]
    """
    if draws < 2:
        raise OptionError(f"draws={draws} must be at least 2")
    names = list(res.exog_names)
    k = len(names)
    wnames = [f"W_{v}" for v in names if f"W_{v}" in res.params.index]
    has_theta = np.array([f"W_{v}" in res.params.index for v in names])
    # θ of the regressors without a Durbin term is 0: embed the estimated ones in k columns
    embed = np.zeros((len(wnames), k))
    embed[np.arange(len(wnames)), np.flatnonzero(has_theta)] = 1.0
    beta = res.params[names].to_numpy()
    theta = res.params[wnames].to_numpy() @ embed
    if res.rho is None:
        keys = names + wnames
        cov = res.cov.loc[keys, keys].to_numpy()
        jac_t = np.hstack([np.zeros((len(wnames), k)), np.eye(len(wnames))]).T @ embed
        jac_b = np.vstack([np.eye(k), np.zeros((len(wnames), k))])
        var_b = np.einsum("ik,ij,jk->k", jac_b, cov, jac_b)
        var_t = np.einsum("ik,ij,jk->k", jac_t, cov, jac_t)
        cov_bt = np.einsum("ik,ij,jk->k", jac_b, cov, jac_t)
        est = np.stack([beta, theta, beta + theta], axis=1)
        se = np.sqrt(np.stack([var_b, var_t, var_b + var_t + 2 * cov_bt], axis=1))
        se[~has_theta, 1] = np.nan
        return _frame(names, est, se)

    rho = res.rho
    upper = res.engine.upper
    if not rho < upper:
        raise EstimationError(
            f"rho = {rho:.4f} is not below 1/(largest eigenvalue of W) = {upper:.4f}; impacts are "
            "undefined"
        )
    wd = getattr(res, "w_durbin", None)

    def multipliers(r: np.ndarray) -> tuple[np.ndarray, ...]:
        a0, a1 = res.engine.mean_diagonals(r)
        s0, s1 = _mean_row_sums(res.engine.w, r)
        if wd is not None:
            a1 = _durbin_mean_diagonals(res.engine, wd, r, seed=res.engine.seed)
            s1 = _durbin_mean_row_sums(res.engine.w, wd, r)
        return a0, a1, s0, s1

    a0, a1, s0, s1 = multipliers(np.array([rho]))
    direct = beta * a0[0] + theta * a1[0]
    total = beta * s0[0] + theta * s1[0]
    est = np.stack([direct, total - direct, total], axis=1)

    keys = names + wnames + ["rho"]
    sample = _draw(res.params[keys].to_numpy(), res.cov.loc[keys, keys].to_numpy(), draws, seed)
    b_d = sample[:, :k]
    t_d = sample[:, k : k + len(wnames)] @ embed
    r_d = sample[:, -1]
    if np.any(r_d >= upper):
        raise EstimationError(
            f"{int(np.sum(r_d >= upper))} of {draws} draws of rho reach {upper:.4f}, the upper "
            f"bound of rho (rho = {rho:.4f}, se = "
            f"{float(np.sqrt(res.cov.loc['rho', 'rho'])):.4f}); simulated impacts are undefined"
        )
    a0_d, a1_d, s0_d, s1_d = multipliers(r_d)
    direct_d = b_d * a0_d[:, None] + t_d * a1_d[:, None]
    total_d = b_d * s0_d[:, None] + t_d * s1_d[:, None]
    sims = np.stack([direct_d, total_d - direct_d, total_d], axis=2)
    se = sims.std(axis=0, ddof=1)
    return _frame(names, est, se)
