"""Dynamic spatial panel models (SAR / SDM with τ y_{t−1} and / or ψ W y_{t−1}) by conditional ML.

Model (Yu, de Jong & Lee 2008, *J. Econometrics* 146:118-134; Lee & Yu 2010a, *Econometric Theory*
26:564-597; Elhorst 2014, *Spatial Econometrics*, §4.2), for t = 2..T::

    y_t = ρ W y_t + τ y_{t−1} + ψ W y_{t−1} + X_t β + W X_t θ + μ + ξ_t ι + ε_t,   ε ~ (0, σ² I)

``dynamic="time"`` keeps τ (ψ = 0), ``"spacetime"`` keeps ψ (τ = 0), ``"both"`` keeps both;
``model="sar"`` has θ = 0. The first period is conditioned on (its y is the lag of period 2).

Estimation
    Fixed effects are swept out: individual effects by demeaning over t = 2..T; two-way effects
    additionally by the orthonormal transformation F_N' of each period (Lee & Yu 2010a), which keeps
    N − 1 units, the weights F_N'WF_N and the log-determinant ln|I − ρW| − ln(1 − ρ) (needs a
    row-standardised W). F_N is never formed: with P = I − ιι'/N = F_N F_N' and Wι = ι,
    F_N'W = (F_N'WF_N)F_N', so every quadratic form, trace and solve of the transformed model equals
    its counterpart on cross-sectionally demeaned vectors with PWP (e.g. tr(F_N'MF_N) = tr(PMP)).
    With the lags as regressors Z = [y_{t−1}, W y_{t−1}, X, WX] the concentrated log-likelihood is
    ℓ(ρ) = −n/2 ln(e(ρ)'e(ρ)/n) + T' ln|I − ρW| with e(ρ) = e_0 − ρ e_d (OLS residuals of y and
    of Wy on Z), n = N'T', T' = T − 1; ρ is found by bounded Brent search with the exact
    log-determinant (:class:`~clusterdx.spatial.logdet.LogDet`, ``"auto"``: eigenvalues up to
    N = 1,000, sparse LU above). W stays sparse throughout: no N × N matrix is inverted or
    decomposed for large N.

Bias correction (``bias_correction=True``)
    θ̂₁ = θ̂ + Σ̂^{-1} b̂ / T' (Yu, de Jong & Lee 2008, eq. 21 and Theorem 3), with Σ the information
    matrix per observation (below), S = I − ρW, G = W S^{-1}, A = S^{-1}(τ I + ψ W) and B = A less its
    eigen-components with eigenvalue above 1 − 1/N (Lee & Yu 2010a, unit roots). The bias b has
    b_τ = tr((I − B)^{-1} S^{-1})/N, b_ψ = tr(W (I − B)^{-1} S^{-1})/N,
    b_ρ = tr(G (τ I + ψ W)(I − B)^{-1} S^{-1})/N + tr(G)/N, b_σ² = 1/(2σ²), b_β = b_θ = 0, plus
    T'/(2(1 − ρ)) · m/N on τ, ψ, ρ when m eigenvalues are near one. Every matrix here is a rational
    function of W, so with the eigenvalues ω_i of W the traces are sums of scalar functions of ω_i
    (N ≤ 1,000). Above that, the eigenvalues of A are f(ω) = (τ + ψω)/(1 − ρω), monotone between
    the extreme eigenvalues of a W with real spectrum, so m = 0 is read from the two extremes; then
    (I − B)^{-1}S^{-1} = ((1 − τ)I − (ρ + ψ)W)^{-1} and the traces are Hutchinson estimates through
    sparse LU solves (exact with unit vectors up to N = 1,500, as
    :func:`~clusterdx.spatial._information.spatial_traces`). This is the correction of
    R SDPDmod 0.0.6 (``LYtrans = TRUE``) except that SDPDmod first passes Σ̂ through
    ``Matrix::nearPD``, which alters an already positive-definite matrix whose condition number
    exceeds 10^8 (see tests/spatial/test_dynamic.py).

Standard errors
    Σ^{-1} + Σ^{-1} Ω Σ^{-1}, divided by n (Yu, de Jong & Lee 2008, Theorem 2), at the corrected
    estimates, with Σ = [Z'Z/σ², Z'(I⊗G)Zβ/σ², ...]/n as for the static SAR (Lee 2004) and
    Ω = (μ₄ − 3σ⁴)/σ⁴ · [Σ_j a_jj²/N', tr(G)/(2σ²N'); ., 1/(4σ⁴)] on the (ρ, σ²) block, a_jj the
    diagonal of G (of F_N'GF_N under the two-way transformation, N' = N − 1), μ₄ the fourth moment
    of the reduced-form residuals y − S^{-1}Zβ (in F_N coordinates under the transformation;
    SDPDmod's convention). These two terms depend on the choice of F_N; F_N is the Helmert basis
    (the QR basis of [ι, e_1, …, e_{N−1}] without ι), applied in O(N) per vector. Above N = 1,500
    Σ_j a_jj² is estimated without bias by the product of two independent Hutchinson diagonal
    estimates.

Stationarity
    The process is stable when every eigenvalue of (I − ρW)^{-1}(τ I + ψ W) has modulus below one;
    for a row-standardised W this includes τ + ρ + ψ < 1 (Elhorst 2014, eq. 4.6). A fit outside the
    stationary region raises ``EstimationError``; long-run effects would not exist.

Why hand-written: no Python package estimates dynamic spatial panels (spreg and pysal have none).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.optimize as opt
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy import stats

from clusterdx.errors import ConvergenceError, EstimationError, OptionError, WeightsError
from clusterdx.options.spatial import (
    DEFAULT_DYNAMIC_EFFECTS,
    DEFAULT_ENTITY,
    DEFAULT_SEED,
    DEFAULT_TIME,
    DYNAMIC,
    DynamicName,
)
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.paneldata.within import demean_cube
from clusterdx.results import Covariance
from clusterdx.spatial._data import align_weights, stack_panel
from clusterdx.spatial._information import EXACT_MAX_N, spatial_traces
from clusterdx.spatial._results import SpatialPanelResults, squared_correlation
from clusterdx.spatial.logdet import LogDet, filter_factor

_BOUND_MARGIN = 1e-7
IMPACT_HORIZONS = ("short", "long")
IMPACT_TYPES = ("direct", "indirect", "total")
IMPACT_STATS = ("est", "se", "z", "p")


@dataclass(eq=False)
class DynamicSpatialResults(SpatialPanelResults):
    """Estimates of a dynamic spatial panel model (:func:`fit_dynamic`).

    Adds to :class:`SpatialPanelResults`: ``dynamic`` (``"time"`` / ``"spacetime"`` / ``"both"``),
    ``params_uncorrected`` (the ML estimates before the bias correction) and the weights ``w``
    (dense, panel order, built on demand from the sparse ``engine.w``); :meth:`impacts` returns
    short- and long-run effects.
    """

    dynamic: str = "both"
    params_uncorrected: pd.Series | None = None

    @property
    def w(self) -> np.ndarray:
        """W in panel order as a dense array (the fit itself keeps it sparse in ``engine.w``)."""
        return self.engine.w.toarray()

    def impacts(self, draws: int = 1000, seed: int = 0) -> pd.DataFrame:
        """Short- and long-run direct / indirect / total effects; see :func:`dynamic_impacts`."""
        return dynamic_impacts(self, draws=draws, seed=seed)


def _design(y: np.ndarray, x: np.ndarray, w: sp.csr_matrix, model: str, dynamic: str):
    """Z = [y_{t−1}, W y_{t−1}, X_t, W X_t] on t = 2..T (blocks as the model asks) and its names."""
    lag = y[:, :-1]
    blocks, names = [], []
    if dynamic in ("time", "both"):
        blocks.append(lag[:, :, None])
        names.append("tau")
    if dynamic in ("spacetime", "both"):
        blocks.append((w @ lag)[:, :, None])
        names.append("psi")
    xt = x[:, 1:, :]
    blocks.append(xt)
    if model == "sdm":
        blocks.append((w @ xt.reshape(xt.shape[0], -1)).reshape(xt.shape))
    return np.concatenate(blocks, axis=2), names


def _project(v: np.ndarray) -> np.ndarray:
    """P v with P = I − ιι'/N (over the first axis): the two-way transformation without F_N."""
    return demean_cube(v, entity=False, time=True)


def _identity(v: np.ndarray) -> np.ndarray:
    return v


class _Operators:
    """S = I − ρW (sparse LU) and the projection of the transformed model, applied to N × m blocks."""

    def __init__(self, w: sp.csr_matrix, rho: float, project: bool) -> None:
        self.w = w
        self.rho = rho
        self.proj = _project if project else _identity
        self.n_eff = w.shape[0] - int(project)
        self._lu = filter_factor(w, rho)

    def g(self, v: np.ndarray) -> np.ndarray:
        """(P) G (P) v with G = W S^{-1}."""
        return self.proj(self.w @ self._lu.solve(self.proj(v)))

    def s_inv(self, v: np.ndarray) -> np.ndarray:
        return self.proj(self._lu.solve(v))


def _probes(n: int, seed: int) -> tuple[np.ndarray, bool]:
    """Unit vectors (exact) up to ``EXACT_MAX_N``, else seeded Rademacher probes; and which."""
    if n <= EXACT_MAX_N:
        return np.eye(n), True
    m = int(np.clip(500_000 // n, 30, 200))
    rng = np.random.default_rng(seed)
    return rng.choice(np.array([-1.0, 1.0]), size=(n, m)), False


def _helmert_t(v: np.ndarray) -> np.ndarray:
    """F_N'v (over the first axis) for the Helmert basis F_N of the complement of ι, in O(N).

    F_N is the Gram-Schmidt (QR) basis of [ι, e_1, …, e_{N−1}] with the ι column dropped:
    (F_N'v)_j = sqrt((m_j − 1)/m_j) (v_j − mean_{i>j} v_i), m_j = N − j + 1 (j = 1..N−1).
    """
    n = v.shape[0]
    m = (n - np.arange(n - 1)).astype(float).reshape(-1, *([1] * (v.ndim - 1)))
    tail = np.cumsum(v[::-1], axis=0)[::-1][1:]  # Σ_{i>j} v_i
    return np.sqrt((m - 1) / m) * (v[:-1] - tail / (m - 1))


def _helmert(u: np.ndarray) -> np.ndarray:
    """F_N u for u with N − 1 rows (the adjoint of :func:`_helmert_t`)."""
    k = u.shape[0]
    m = (k + 1 - np.arange(k)).astype(float).reshape(-1, *([1] * (u.ndim - 1)))
    s = np.sqrt((m - 1) / m)
    head = np.concatenate([u / s, np.zeros((1, *u.shape[1:]))], axis=0)
    running = np.cumsum(u / (m * s), axis=0)
    return head - np.concatenate([running, running[-1:]], axis=0)


def _diag_square_sum(ops: _Operators, seed: int) -> float:
    """Σ_j a_jj² for the operator a of the score's quadratic form: G, or F_N'GF_N (Helmert F_N).

    Exact from unit vectors up to ``EXACT_MAX_N``; above, with Rademacher u, E[u_j (a u)_j] = a_jj
    (Bekas, Kokiopoulou & Saad 2007, *Appl. Numer. Math.* 57:1214-1229), and the product of two
    independent such estimates is unbiased for a_jj².
    """
    project = ops.proj is _project

    def apply(u: np.ndarray) -> np.ndarray:
        return _helmert_t(ops.g(_helmert(u))) if project else ops.g(u)

    u, exact = _probes(ops.n_eff, seed)
    if exact:
        return float(np.sum(np.diag(apply(u)) ** 2))
    half = u.shape[1] // 2
    d = [np.mean(part * apply(part), axis=1) for part in (u[:, :half], u[:, half : 2 * half])]
    return float(d[0] @ d[1])


def _information(z, beta, sigma2, ops: _Operators, t_eff, traces):
    """Σ of (β, ρ, σ²) per observation (Lee 2004; SDPDmod ``f_SIG`` divided by n)."""
    zf = z.reshape(-1, z.shape[-1])
    gzb = ops.g(z @ beta).reshape(-1)
    kz = zf.shape[1]
    nobs = ops.n_eff * t_eff
    info = np.zeros((kz + 2, kz + 2))
    info[:kz, :kz] = zf.T @ zf / sigma2
    info[:kz, kz] = info[kz, :kz] = zf.T @ gzb / sigma2
    info[kz, kz] = gzb @ gzb / sigma2 + t_eff * (traces["GG"] + traces["GtG"])
    info[kz, kz + 1] = info[kz + 1, kz] = t_eff * traces["G"] / sigma2
    info[kz + 1, kz + 1] = nobs / (2 * sigma2**2)
    return info / nobs


def _omega(diag_sq, trace_g, n_eff, sigma2, mu4, kz):
    """Ω of Yu, de Jong & Lee (2008, Theorem 2): non-normal fourth-moment part of the variance."""
    om = np.zeros((kz + 2, kz + 2))
    om[kz, kz] = diag_sq / n_eff
    om[kz, kz + 1] = om[kz + 1, kz] = trace_g / (2 * sigma2 * n_eff)
    om[kz + 1, kz + 1] = 1 / (4 * sigma2**2)
    return (mu4 - 3 * sigma2**2) / sigma2**2 * om


def _spectrum(engine: LogDet, project: bool) -> np.ndarray:
    """Eigenvalues of W (of F_N'WF_N under the projection: one eigenvalue 1 removed)."""
    vals = engine.eigenvalues
    if project:
        vals = np.delete(vals, int(np.argmin(np.abs(vals - 1.0))))
    return vals


def _extremes(engine: LogDet) -> tuple[float, float] | None:
    """Smallest and largest eigenvalue of W when its spectrum is real (else None)."""
    if engine._d is None:
        return None
    lower, upper = engine.bounds
    return 1.0 / lower, 1.0 / upper


def _bias_spectral(vals, lag_names, coefs, rho, sigma2, t_eff):
    """b̂ of the module docstring from the eigenvalues ω_i of the (transformed) W."""
    n = len(vals)
    tau = coefs[lag_names.index("tau")] if "tau" in lag_names else 0.0
    psi = coefs[lag_names.index("psi")] if "psi" in lag_names else 0.0
    a = (tau + psi * vals) / (1 - rho * vals)
    near = a.real > 1 - 1 / n
    m = int(near.sum())
    core = 1 / ((1 - np.where(near, 0.0, a)) * (1 - rho * vals))
    gv = vals / (1 - rho * vals)
    kz = len(coefs)
    bias = np.zeros(kz + 2)
    unit = t_eff / (2 * (1 - rho)) * m / n
    if "tau" in lag_names:
        bias[lag_names.index("tau")] = np.sum(core).real / n + unit
    if "psi" in lag_names:
        bias[lag_names.index("psi")] = np.sum(vals * core).real / n + unit
    bias[kz] = np.sum(gv * (tau + psi * vals) * core).real / n + np.sum(gv).real / n + unit
    bias[kz + 1] = 1 / (2 * sigma2)
    return bias


def _bias(engine, lag_names, coefs, rho, sigma2, ops: _Operators, t_eff, trace_g, seed):
    """b̂ of the module docstring: spectral when the eigenvalues are known, else sparse solves."""
    project = ops.proj is _project
    if engine.eigenvalues is not None:
        return _bias_spectral(_spectrum(engine, project), lag_names, coefs, rho, sigma2, t_eff)
    tau = coefs[lag_names.index("tau")] if "tau" in lag_names else 0.0
    psi = coefs[lag_names.index("psi")] if "psi" in lag_names else 0.0
    n = ops.n_eff
    if _largest_real(engine, rho, tau, psi) > 1 - 1 / n:
        # possible eigenvalues near one: the exact spectral form (dense eigenvalues, rare)
        exact = LogDet(engine.w, "eigen")
        return _bias_spectral(_spectrum(exact, project), lag_names, coefs, rho, sigma2, t_eff)
    w = ops.w
    u, exact = _probes(w.shape[0], seed)
    u = ops.proj(u)
    core = filter_factor(w, (rho + psi) / (1 - tau)).solve(u) / (1 - tau)  # ((1−τ)I − (ρ+ψ)W)^{-1}u
    w_core = w @ core
    scale = 1.0 if exact else 1.0 / u.shape[1]

    def trace(v: np.ndarray) -> float:
        return scale * float(np.sum(u * ops.proj(v)))

    kz = len(coefs)
    bias = np.zeros(kz + 2)
    if "tau" in lag_names:
        bias[lag_names.index("tau")] = trace(core) / n
    if "psi" in lag_names:
        bias[lag_names.index("psi")] = trace(w_core) / n
    rho_term = w @ ops._lu.solve(tau * core + psi * w_core)
    bias[kz] = trace(rho_term) / n + trace_g / n
    bias[kz + 1] = 1 / (2 * sigma2)
    return bias


def _search_rho(negll, bounds: tuple[float, float], maxiter: int) -> float:
    """Minimise the negative concentrated log-likelihood over ρ (bounded Brent search)."""
    res = opt.minimize_scalar(
        negll, bounds=bounds, method="bounded", options={"xatol": 1e-10, "maxiter": maxiter}
    )
    if not res.success:
        raise ConvergenceError(
            f"the search for rho stopped after {res.nfev} evaluations without converging "
            f"({res.message}); raise maxiter (now {maxiter})"
        )
    return float(res.x)


def _bias_step(info: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Σ̂^{-1} b̂, the bias of the ML estimates times T' (Yu, de Jong & Lee 2008, eq. 21)."""
    return np.linalg.solve(info, bias)


def _operator_a(w: sp.csr_matrix, rho: float, tau: float, psi: float) -> spla.LinearOperator:
    """A = (I − ρW)^{-1}(τ I + ψ W) as a linear operator (one sparse LU of I − ρW)."""
    lu = filter_factor(w, rho)
    return spla.LinearOperator(w.shape, matvec=lambda v: lu.solve(tau * v + psi * (w @ v)))


def _arpack(op: spla.LinearOperator, which: str) -> complex:
    start = np.random.default_rng(0).standard_normal(op.shape[0])
    return spla.eigs(op, k=1, which=which, v0=start, return_eigenvectors=False)[0]


def _largest_real(engine: LogDet, rho: float, tau: float, psi: float) -> float:
    """Largest real part of the eigenvalues f(ω) = (τ + ψω)/(1 − ρω) of A (W without eigenvalues).

    f is monotone between the extreme eigenvalues of a real spectrum; else ARPACK on A.
    """
    ends = _extremes(engine)
    if ends is not None:
        return float(max((tau + psi * o) / (1 - rho * o) for o in ends))
    return float(_arpack(_operator_a(engine.w, rho, tau, psi), "LR").real)


def _modulus(engine: LogDet, rho: float, tau: float, psi: float) -> float:
    """Largest |eigenvalue| of (I − ρW)^{-1}(τ I + ψ W): f(ω) = (τ + ψω)/(1 − ρω) over W's spectrum.

    All eigenvalues when known; else the two extremes of a real spectrum (f is monotone between
    them); else ARPACK on the operator through a sparse LU of I − ρW.
    """
    if engine.eigenvalues is not None:
        vals = engine.eigenvalues
        return float(np.max(np.abs((tau + psi * vals) / (1 - rho * vals))))
    ends = _extremes(engine)
    if ends is not None:
        return float(max(abs((tau + psi * o) / (1 - rho * o)) for o in ends))
    return float(np.abs(_arpack(_operator_a(engine.w, rho, tau, psi), "LM")))


def stationarity(w: Any, rho: float, tau: float, psi: float) -> float:
    """Largest modulus of the eigenvalues of (I − ρW)^{-1}(τ I + ψ W); below 1 means stable.

    ``w`` is a dense or sparse N × N matrix.

    >>> import numpy as np
    >>> w = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> round(stationarity(w, rho=0.3, tau=0.5, psi=0.1), 6)   # (τ + ψ)/(1 − ρ) at ω = 1
    0.857143
    """
    return _modulus(LogDet(sp.csr_matrix(w, dtype=float)), rho, tau, psi)


def fit_dynamic(
    panel: pd.DataFrame | PanelFrame,
    y: str,
    x: Sequence[str],
    w: Any,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    model: Literal["sar", "sdm"] = "sdm",
    effects: Literal["individual", "twoways"] = DEFAULT_DYNAMIC_EFFECTS,
    dynamic: DynamicName = "both",
    bias_correction: bool = True,
    maxiter: int = 500,
    seed: int = DEFAULT_SEED,
) -> DynamicSpatialResults:
    """Fit a dynamic spatial panel model by conditional ML (module docstring).

    Parameters are those of :func:`clusterdx.spatial.fit` plus ``dynamic``; ``model`` is
    ``"sar"`` or ``"sdm"``, ``effects`` ``"individual"`` or ``"twoways"``. The panel needs T ≥ 3;
    ``panel`` is a long DataFrame or a :class:`clusterdx.paneldata.PanelFrame` with ``y`` and
    ``x``, used as it is (its keys must be ``entity`` and ``time``), as in ``fit``.
    ``seed`` seeds the Rademacher probes of the stochastic traces used above N = 1,500 (the fit
    is exact, and ``seed`` unused, below).

    Returns
    -------
    DynamicSpatialResults
        ``params`` named: the x names, ``W_<x>`` (SDM), ``tau``, ``psi``, ``rho``, ``sigma2``.

    Examples
    --------
    >>> import libpysal
    >>> from clusterdx.datasets import dynamic_spatial_panel
    >>> w = libpysal.weights.lat2W(6, 6); w.transform = "r"
    >>> panel = dynamic_spatial_panel(w, 12, beta=[1.0], theta=[0.5], rho=0.3, tau=0.4,
    ...                               psi=0.1, seed=1)
    >>> res = fit_dynamic(panel, "y", ["x1"], w)
    >>> res.params.round(2).to_dict()
    {'x1': 1.03, 'W_x1': 0.58, 'tau': 0.38, 'psi': 0.24, 'rho': 0.22, 'sigma2': 1.02}
    """
    for name, value, allowed in (
        ("model", model, ("sar", "sdm")),
        ("effects", effects, ("individual", "twoways")),
        ("dynamic", dynamic, DYNAMIC),
    ):
        if value not in allowed:
            raise OptionError(
                f"{name}={value!r} is not allowed with dynamic={dynamic!r}; choose one of "
                f"{list(allowed)}"
            )
    data = stack_panel(panel, y, x, entity, time)
    x = list(x)
    wsp = sp.csr_matrix(align_weights(w, data.entities), dtype=float)
    n, t = data.y.shape
    if t < 3:
        raise EstimationError(
            f"a dynamic spatial panel needs at least three periods; the panel has T={t}"
        )
    z, lag_names = _design(data.y, data.x, wsp, model, dynamic)
    yt = data.y[:, 1:]
    names = list(x) + ([f"W_{v}" for v in x] if model == "sdm" else [])
    znames = lag_names + names
    t_eff = t - 1
    two_way = effects == "twoways"
    row_sums = np.asarray(wsp.sum(axis=1)).ravel()
    if two_way and bias_correction and not np.allclose(row_sums, 1.0, atol=1e-10):
        raise WeightsError(
            "the Lee-Yu transformation for two-way effects needs a row-standardised W (rows "
            "summing to 1); row-standardise W or pass bias_correction=False"
        )
    # sweep the individual effects (demean over t = 2..T); two-way: also the period means
    yt = demean_cube(yt, entity=True, time=two_way)
    z = demean_cube(z, entity=True, time=two_way)
    project = two_way and bias_correction
    proj = _project if project else _identity
    n_eff = n - int(project)
    nobs = n_eff * t_eff
    wy = proj(wsp @ yt)
    engine = LogDet(wsp)
    lower, upper = engine.search_interval
    if project:
        lower = max(lower, 0.0)

    def jacobian(r: float) -> float:
        return engine(r) - (np.log1p(-r) if project else 0.0)

    zf = z.reshape(-1, z.shape[-1])
    b0, *_ = np.linalg.lstsq(zf, yt.reshape(-1), rcond=None)
    bd, *_ = np.linalg.lstsq(zf, wy.reshape(-1), rcond=None)
    e0 = yt.reshape(-1) - zf @ b0
    ed = wy.reshape(-1) - zf @ bd

    def negll(r: float) -> float:
        e = e0 - r * ed
        return nobs / 2 * np.log(e @ e / nobs) - t_eff * jacobian(r)

    rho = _search_rho(negll, (lower + _BOUND_MARGIN, upper - _BOUND_MARGIN), maxiter)
    if lower < 0 and engine.stopped_at_provisional_lower(rho):  # search on to 1/ω_min
        lower = engine.bounds[0]
        rho = _search_rho(negll, (lower + _BOUND_MARGIN, upper - _BOUND_MARGIN), maxiter)
    coefs = b0 - rho * bd
    e = e0 - rho * ed
    sigma2 = float(e @ e / nobs)
    theta = np.concatenate([coefs, [rho, sigma2]])
    kz = len(coefs)

    def at(r: float) -> tuple[_Operators, dict[str, float]]:
        ops = _Operators(wsp, r, project)  # its LU of I − rW serves the traces too
        return ops, spatial_traces(wsp, r, None, project=project, seed=seed, lu_a=ops._lu)

    ops, traces = at(rho)
    uncorrected = theta.copy()
    if bias_correction:
        info = _information(z, coefs, sigma2, ops, t_eff, traces)
        bias = _bias(engine, lag_names, coefs, rho, sigma2, ops, t_eff, traces["G"], seed)
        theta = theta + _bias_step(info, bias) / t_eff
        coefs, rho, sigma2 = theta[:kz], float(theta[kz]), float(theta[kz + 1])
        ops, traces = at(rho)
    info = _information(z, coefs, sigma2, ops, t_eff, traces)
    # fourth moment of the reduced-form residuals y − S^{-1} Z β (SDPDmod's convention)
    reduced = yt - ops.s_inv(z @ coefs)
    mu4 = float(np.mean((_helmert_t(reduced) if project else reduced) ** 4))
    info_inv = np.linalg.inv(info)
    omega = _omega(_diag_square_sum(ops, seed), traces["G"], n_eff, sigma2, mu4, kz)
    cov = (info_inv + info_inv @ omega @ info_inv) / nobs

    tau = coefs[lag_names.index("tau")] if "tau" in lag_names else 0.0
    psi = coefs[lag_names.index("psi")] if "psi" in lag_names else 0.0
    modulus = _modulus(engine, rho, tau, psi)
    if not modulus < 1:
        raise EstimationError(
            f"the fitted process is not stationary: tau + rho + psi = {tau + rho + psi:.4f} and "
            f"the largest eigenvalue modulus of (I - rho W)^-1 (tau I + psi W) is {modulus:.4f} "
            "(both must be < 1); the long-run effects do not exist. Check for a unit root in "
            f"{y!r} (difference it) or use a static model"
        )
    resid = (yt - rho * proj(wsp @ yt) - z @ coefs).reshape(-1)
    llf = (
        -nobs / 2 * np.log(2 * np.pi * sigma2)
        + t_eff * jacobian(rho)
        - resid @ resid / (2 * sigma2)
    )

    pnames = [*znames, "rho", "sigma2"]
    order = [pnames.index(v) for v in [*names, *lag_names, "rho", "sigma2"]]
    ordered = [pnames[i] for i in order]
    return DynamicSpatialResults(
        params=pd.Series(theta[order], index=ordered, name="params"),
        cov=pd.DataFrame(cov[np.ix_(order, order)], index=ordered, columns=ordered),
        llf=float(llf),
        nobs=n * t,
        n_entities=n,
        n_periods=t,
        model=model,
        effects=effects,
        bias_correction=bool(bias_correction),
        depvar=y,
        exog_names=list(x),
        entities=list(data.entities),
        periods=list(data.periods),
        logdet_method=engine.method,
        resid=resid,
        engine=engine,
        # Yu, de Jong & Lee (2008, Theorem 2)
        cov_type=Covariance("dynamic sandwich", kind="sandwich"),
        dynamic=dynamic,
        params_uncorrected=pd.Series(uncorrected[order], index=ordered, name="uncorrected"),
        pseudo_r2=squared_correlation(yt.reshape(-1), yt.reshape(-1) - resid),
        n_likelihood=int(nobs),
    )


def _effects(engine: LogDet, beta, theta, kappa, scale):
    """Mean direct and total effects of scale · (I − κW)^{-1}(βI + θW), vectorised over draws.

    tr((I − κW)^{-1})/N and tr(W(I − κW)^{-1})/N come from ``engine.mean_diagonals`` (eigenvalues,
    or the moment series), the row sums from :func:`clusterdx.spatial.effects._mean_row_sums`.
    """
    from clusterdx.spatial.effects import _mean_row_sums

    a0, a1 = engine.mean_diagonals(kappa)
    s0, s1 = _mean_row_sums(engine.w, kappa)
    direct = scale[:, None] * (beta * a0[:, None] + theta * a1[:, None])
    total = scale[:, None] * (beta * s0[:, None] + theta * s1[:, None])
    return direct, total


def dynamic_impacts(res: DynamicSpatialResults, draws: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Short- and long-run direct, indirect and total effects with simulated inference.

    Short run: ∂E[y_t]/∂x_k' = (I − ρW)^{-1}(β_k I + θ_k W); long run:
    ((1 − τ)I − (ρ + ψ)W)^{-1}(β_k I + θ_k W) = (1 − τ)^{-1}(I − κW)^{-1}(β_k I + θ_k W) with
    κ = (ρ + ψ)/(1 − τ) (Debarsy, Ertur & LeSage 2012, *Regional Science and Urban Economics*
    42:1084-1097; Elhorst 2014, §4.3, Table 4.1). Direct = mean diagonal, total = mean row sum,
    indirect = total − direct, from the eigenvalues of W or its moments (as
    :func:`clusterdx.spatial.impacts`; no N × N inverse). ``est`` is the effect at the estimates;
    ``se`` the standard deviation over ``draws`` parameter vectors from N(θ̂, Σ̂)
    (``default_rng(seed)``).

    Returns
    -------
    pandas.DataFrame
        Rows = regressors; columns = (horizon ``short``/``long``, impact, stat ``est``/``se``/``z``/``p``).
    """
    from clusterdx.spatial.effects import _draw

    params = res.params
    x = res.exog_names

    def pick(p: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
        def col(v: str) -> np.ndarray:
            if v in names:
                return p[..., names.index(v)]
            return np.zeros(p.shape[:-1])

        return {
            "beta": np.stack([col(v) for v in x], axis=-1),
            "theta": np.stack([col(f"W_{v}") for v in x], axis=-1),
            "rho": col("rho"),
            "tau": col("tau"),
            "psi": col("psi"),
        }

    def filters(p: dict[str, np.ndarray], horizon: str) -> tuple[np.ndarray, np.ndarray]:
        if horizon == "long":
            return (p["rho"] + p["psi"]) / (1 - p["tau"]), 1 / (1 - p["tau"])
        return p["rho"], np.ones_like(p["rho"])

    names = list(params.index)
    point = pick(params.to_numpy()[None, :], names)
    sims = pick(_draw(params.to_numpy(), res.cov.to_numpy(), draws, seed), names)
    every = [filters(p, h)[0] for p in (point, sims) for h in IMPACT_HORIZONS]
    # moments of W once, to the order the largest κ needs (then reused); a divergent series is
    # reported below for the horizon concerned
    with contextlib.suppress(EstimationError):
        res.engine.mean_diagonals(np.concatenate(every))
    blocks = {}
    for horizon in IMPACT_HORIZONS:
        out = []
        for p in (point, sims):
            kappa, scale = filters(p, horizon)
            try:
                out.append(_effects(res.engine, p["beta"], p["theta"], kappa, scale))
            except EstimationError as err:
                raise EstimationError(
                    f"the {horizon}-run effects of some draws are undefined ({err}); the fit is "
                    "too close to the stationarity bound for simulated inference"
                ) from err
        (est_d, est_t), (sim_d, sim_t) = out
        for kind, est, sim in (
            ("direct", est_d, sim_d),
            ("indirect", est_t - est_d, sim_t - sim_d),
            ("total", est_t, sim_t),
        ):
            e = est[0]
            se = sim.std(axis=0, ddof=1)
            z = e / se
            blocks[(horizon, kind)] = np.column_stack([e, se, z, 2 * stats.norm.sf(np.abs(z))])
    data = np.concatenate([blocks[(h, k)] for h in IMPACT_HORIZONS for k in IMPACT_TYPES], axis=1)
    columns = pd.MultiIndex.from_product(
        [IMPACT_HORIZONS, IMPACT_TYPES, IMPACT_STATS], names=["horizon", "impact", "stat"]
    )
    return pd.DataFrame(data, index=pd.Index(x, name="variable"), columns=columns)
