"""Expected information matrix of spatial panel ML models and the traces of spatial multipliers in it.

With A = I − ρW, B = I − λM, G = W A^{-1}, H = M B^{-1} and G̈ = B G B^{-1} (M = W unless the error
process has its own weights matrix), the expected information
of the SAC model (Lee 2004, *Econometrica* 72:1899-1925; Lee & Yu 2010, *J. Econometrics*
154:165-185, eq. 13) needs tr(G), tr(G̈²), tr(G̈'G̈), tr(H), tr(H²), tr(H'H), tr(HG̈) and tr(H'G̈);
SAR and SEM need the subsets with λ = 0 or ρ = 0.

Every trace is written as a sum of ``u' M u`` over probe vectors u, with M applied through a sparse
LU factorisation of A or B (no N × N inverse is formed). With the N unit vectors as probes the traces
are exact (used for N ≤ ``EXACT_MAX_N``); above that, Hutchinson's estimator with seeded Rademacher
probes gives relative errors of order (probes · N)^{-1/2} for the local weights matrices used in
practice (Hutchinson 1990, *Comm. Stat. Simulation* 19:433-450).

Under the Lee-Yu transformation for time effects the operators act on the N − 1 dimensional space
orthogonal to ι; its traces equal those of P M P with P = I − ιι'/N, applied here by demeaning
(:func:`clusterdx.paneldata.within.demean_cube` over the entities).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from threadpoolctl import threadpool_limits

from clusterdx.errors import EstimationError
from clusterdx.paneldata.within import demean_cube
from clusterdx.spatial.logdet import filter_factor

EXACT_MAX_N = 1_500
#: Most threads the probe solves are split over (SuperLU releases the GIL while it solves; every
#: column is solved on its own, so the numbers do not depend on the split)
_SOLVE_THREADS = 4


def _solve(lu: spla.SuperLU, v: np.ndarray) -> np.ndarray:
    """``lu.solve(v)`` for the columns of ``v``, split over the available cores, C-ordered.

    SuperLU returns Fortran-ordered blocks; each thread copies its own into the C-ordered result,
    the layout scipy's sparse ``W @ V`` needs (it would copy a Fortran-ordered V once more).
    """
    workers = min(_SOLVE_THREADS, os.cpu_count() or 1, max(1, v.shape[1] // 16))
    if workers == 1:
        return np.ascontiguousarray(lu.solve(v))
    blocks = np.array_split(np.arange(v.shape[1]), workers)
    out = np.empty(v.shape)

    def solve_block(cols: np.ndarray) -> None:
        out[:, cols] = lu.solve(np.asfortranarray(v[:, cols]))

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(solve_block, blocks))
    return out


# SuperLU solves with ~200 right-hand sides run up to 40x slower under threaded BLAS
@threadpool_limits.wrap(limits=1, user_api="blas")
def spatial_traces(
    w: sp.csr_matrix,
    rho: float | None,
    lam: float | None,
    *,
    project: bool,
    probes: int | None = None,
    seed: int = 0,
    exact: bool | None = None,
    w_error: sp.csr_matrix | None = None,
    lu_a: spla.SuperLU | None = None,
) -> dict[str, float]:
    """Traces needed by the information matrix, exact for small N and stochastic above.

    Parameters
    ----------
    w
        Sparse N × N weights matrix.
    rho, lam
        Spatial lag and spatial error parameters; ``None`` where the model has none.
    project
        Restrict to the space orthogonal to ι (Lee-Yu transformation for time effects).
    probes, seed
        Number and seed of the Rademacher probes of the stochastic estimates; by default
        500,000 / N clipped to [30, 200] (the relative error falls like (probes · N)^{-1/2}).
    exact
        Use the N unit vectors as probes (exact traces); default: when N ≤ ``EXACT_MAX_N``.
    w_error
        Weights matrix M of the error process (B = I − λM, H = M B^{-1}); default ``w``.
    lu_a
        The sparse LU factorisation of A = I − ρW when the caller has it (`filter_factor`), so
        that it is not factorised twice; default: factorised here.

    Returns
    -------
    dict
        Keys among ``G``, ``GG``, ``GtG``, ``H``, ``HH``, ``HtH``, ``HG``, ``HtG`` (G stands for G̈
        when both parameters are present).
    """
    n = w.shape[0]
    if exact if exact is not None else n <= EXACT_MAX_N:
        u, scale = np.eye(n), 1.0
    else:
        rng = np.random.default_rng(seed)
        m = probes if probes is not None else int(np.clip(500_000 // n, 30, 200))
        u, scale = rng.choice(np.array([-1.0, 1.0]), size=(n, m)), 1.0 / m
    proj = (lambda v: demean_cube(v, entity=False, time=True)) if project else (lambda v: v)
    u = proj(u)
    if lu_a is None and rho is not None:
        lu_a = filter_factor(w, rho)
    m = w if w_error is None else w_error
    lu_b = filter_factor(m, lam) if lam is not None else None

    def g_op(v: np.ndarray) -> np.ndarray:
        out = w @ _solve(lu_a, v)
        if lu_b is not None:
            inner = w @ _solve(lu_a, _solve(lu_b, v))
            out = inner - lam * (m @ inner)
        return proj(out)

    def h_op(v: np.ndarray) -> np.ndarray:
        return proj(m @ _solve(lu_b, v))

    out: dict[str, float] = {}
    if lu_a is not None:
        gu = g_op(u)
        out["G"] = scale * float(np.vdot(u, gu))
        out["GG"] = scale * float(np.vdot(u, g_op(gu)))
        out["GtG"] = scale * float(np.vdot(gu, gu))
    if lu_b is not None:
        hu = h_op(u)
        out["H"] = scale * float(np.vdot(u, hu))
        out["HH"] = scale * float(np.vdot(u, h_op(hu)))
        out["HtH"] = scale * float(np.vdot(hu, hu))
        if lu_a is not None:
            out["HG"] = scale * float(np.vdot(u, h_op(gu)))
            out["HtG"] = scale * float(np.vdot(hu, gu))
    return out


def information_covariance(
    wmat: sp.csr_matrix,
    x: np.ndarray,
    beta: np.ndarray,
    rho: float | None,
    lam: float | None,
    sigma2: float,
    xstar: np.ndarray,
    t_eff: int,
    n_eff: int,
    *,
    project: bool,
    seed: int,
    w_error: sp.csr_matrix | None = None,
    lu_a: spla.SuperLU | None = None,
) -> np.ndarray:
    """Inverse of the expected information matrix of (β, ρ, λ, σ²).

    ``x`` is the transformed design as an (N, T, k) array, ``xstar`` = B x stacked (NT × k);
    ``t_eff`` and ``n_eff`` the numbers of periods and observations after any Lee-Yu
    transformation; ``project`` restricts to the space orthogonal to ι (Lee-Yu time effects);
    ``w_error`` the matrix M of the error process (default ``wmat``); ``lu_a`` the LU
    factorisation of A = I − ρW where the caller has it (default: factorised here).
    Blocks as in :mod:`clusterdx.spatial.models`.
    """
    k = x.shape[2]
    xb = x @ beta
    if lu_a is None and rho is not None:
        lu_a = filter_factor(wmat, rho)  # one factorisation for the traces and G X β
    traces = spatial_traces(wmat, rho, lam, project=project, seed=seed, w_error=w_error, lu_a=lu_a)
    m_err = wmat if w_error is None else w_error
    m = k + (rho is not None) + (lam is not None) + 1
    info = np.zeros((m, m))
    info[:k, :k] = xstar.T @ xstar / sigma2
    pos = k
    if rho is not None:
        gxb = wmat @ lu_a.solve(xb)
        if lam is not None:
            gxb = gxb - lam * (m_err @ gxb)
        if project:
            gxb = demean_cube(gxb, entity=False, time=True)
        gxb = gxb.reshape(-1)
        info[:k, pos] = info[pos, :k] = xstar.T @ gxb / sigma2
        info[pos, pos] = gxb @ gxb / sigma2 + t_eff * (traces["GtG"] + traces["GG"])
        info[pos, -1] = info[-1, pos] = t_eff * traces["G"] / sigma2
        pos += 1
    if lam is not None:
        info[pos, pos] = t_eff * (traces["HtH"] + traces["HH"])
        info[pos, -1] = info[-1, pos] = t_eff * traces["H"] / sigma2
        if rho is not None:
            info[pos - 1, pos] = info[pos, pos - 1] = t_eff * (traces["HtG"] + traces["HG"])
    info[-1, -1] = n_eff / (2 * sigma2**2)
    try:
        return np.linalg.inv(info)
    except np.linalg.LinAlgError as err:
        raise EstimationError(
            "the information matrix is singular; check for collinear regressors or a spatial "
            "parameter on its boundary"
        ) from err
