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
    row-standardised W). With the lags as regressors Z = [y_{t−1}, W y_{t−1}, X, WX] the
    concentrated log-likelihood is ℓ(ρ) = −n/2 ln(e(ρ)'e(ρ)/n) + T' ln|I − ρW| with
    e(ρ) = e_0 − ρ e_d (OLS residuals of y and of Wy on Z), n = N'T', T' = T − 1; ρ is found by
    bounded Brent search with the exact log-determinant (eigenvalues of W).

Bias correction (``bias_correction=True``)
    θ̂₁ = θ̂ + Σ̂^{-1} b̂ / T' (Yu, de Jong & Lee 2008, eq. 21 and Theorem 3), with Σ the information
    matrix per observation (below), S = I − ρW, G = W S^{-1}, A = S^{-1}(τ I + ψ W) and B = A less its
    eigen-components with eigenvalue above 1 − 1/N (Lee & Yu 2010a, unit roots). The bias b has
    b_τ = tr((I − B)^{-1} S^{-1})/N, b_ψ = tr(W (I − B)^{-1} S^{-1})/N,
    b_ρ = tr(G (τ I + ψ W)(I − B)^{-1} S^{-1})/N + tr(G)/N, b_σ² = 1/(2σ²), b_β = b_θ = 0, plus
    T'/(2(1 − ρ)) · m/N on τ, ψ, ρ when m eigenvalues are near one. This is the correction of
    R SDPDmod 0.0.6 (``LYtrans = TRUE``) except that SDPDmod first passes Σ̂ through
    ``Matrix::nearPD``, which alters an already positive-definite matrix whose condition number
    exceeds 10^8 (see tests/spatial/test_dynamic.py).

Standard errors
    Σ^{-1} + Σ^{-1} Ω Σ^{-1}, divided by n (Yu, de Jong & Lee 2008, Theorem 2), at the corrected
    estimates, with Σ = [Z'Z/σ², Z'(I⊗G)Zβ/σ², ...]/n as for the static SAR (Lee 2004) and
    Ω = (μ₄ − 3σ⁴)/σ⁴ · [diag(G)'diag(G)/N, tr(G)/(2σ²N); ., 1/(4σ⁴)] on the (ρ, σ²) block,
    μ₄ the fourth moment of the reduced-form residuals y − S^{-1}Zβ (SDPDmod's convention).

Stationarity
    The process is stable when every eigenvalue of (I − ρW)^{-1}(τ I + ψ W) has modulus below one;
    for a row-standardised W this includes τ + ρ + ψ < 1 (Elhorst 2014, eq. 4.6). A fit outside the
    stationary region raises ``EstimationError``; long-run effects would not exist.

Why hand-written: no Python package estimates dynamic spatial panels (spreg and pysal have none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.optimize as opt
from scipy import stats

from clusterdx.errors import ConvergenceError, EstimationError, OptionError, WeightsError
from clusterdx.results import Covariance
from clusterdx.spatial._data import align_weights, stack_panel
from clusterdx.spatial._results import SpatialPanelResults
from clusterdx.spatial.logdet import LogDet
from clusterdx.spatial.options import DYNAMIC, DynamicName

_BOUND_MARGIN = 1e-7
IMPACT_HORIZONS = ("short", "long")
IMPACT_TYPES = ("direct", "indirect", "total")
IMPACT_STATS = ("est", "se", "z", "p")


@dataclass(eq=False)
class DynamicSpatialResults(SpatialPanelResults):
    """Estimates of a dynamic spatial panel model (:func:`fit_dynamic`).

    Adds to :class:`SpatialPanelResults`: ``dynamic`` (``"time"`` / ``"spacetime"`` / ``"both"``),
    ``params_uncorrected`` (the ML estimates before the bias correction) and the weights ``w``
    (dense, panel order) used by :meth:`impacts`, which returns short- and long-run effects.
    """

    dynamic: str = "both"
    params_uncorrected: pd.Series | None = None
    w: np.ndarray | None = field(default=None, repr=False)

    def impacts(self, draws: int = 1000, seed: int = 0) -> pd.DataFrame:
        """Short- and long-run direct / indirect / total effects; see :func:`dynamic_impacts`."""
        return dynamic_impacts(self, draws=draws, seed=seed)


def _design(y: np.ndarray, x: np.ndarray, w: np.ndarray, model: str, dynamic: str):
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
        blocks.append(np.einsum("ij,jtk->itk", w, xt))
    return np.concatenate(blocks, axis=2), names


def _complement_basis(n: int) -> np.ndarray:
    """F_N: N × (N − 1) orthonormal columns orthogonal to ι (F F' = I − ιι'/N)."""
    q, _ = np.linalg.qr(np.column_stack([np.ones(n), np.eye(n)[:, : n - 1]]))
    return q[:, 1:]


def _information(z, beta, rho, sigma2, w, t_eff):
    """Σ of (β, ρ, σ²) per observation (Lee 2004; SDPDmod ``f_SIG`` divided by n) and G, S^{-1}."""
    n = w.shape[0]
    s_inv = np.linalg.inv(np.eye(n) - rho * w)
    g = w @ s_inv
    zf = z.reshape(-1, z.shape[-1])
    gzb = np.einsum("ij,jt->it", g, z @ beta).reshape(-1)
    kz = zf.shape[1]
    nobs = zf.shape[0]
    info = np.zeros((kz + 2, kz + 2))
    info[:kz, :kz] = zf.T @ zf / sigma2
    info[:kz, kz] = info[kz, :kz] = zf.T @ gzb / sigma2
    info[kz, kz] = gzb @ gzb / sigma2 + t_eff * np.sum(g * g.T + g * g)
    info[kz, kz + 1] = info[kz + 1, kz] = t_eff * np.trace(g) / sigma2
    info[kz + 1, kz + 1] = nobs / (2 * sigma2**2)
    return info / nobs, g, s_inv


def _omega(g, sigma2, mu4, kz):
    """Ω of Yu, de Jong & Lee (2008, Theorem 2): non-normal fourth-moment part of the variance."""
    n = g.shape[0]
    om = np.zeros((kz + 2, kz + 2))
    dg = np.diag(g)
    om[kz, kz] = dg @ dg / n
    om[kz, kz + 1] = om[kz + 1, kz] = np.trace(g) / (2 * sigma2 * n)
    om[kz + 1, kz + 1] = 1 / (4 * sigma2**2)
    return (mu4 - 3 * sigma2**2) / sigma2**2 * om


def _bias(lag_names, coefs, rho, sigma2, w, g, s_inv, t_eff):
    """b̂ of the module docstring (order: Z columns, ρ, σ²)."""
    n = w.shape[0]
    eye = np.eye(n)
    tau = coefs[lag_names.index("tau")] if "tau" in lag_names else 0.0
    psi = coefs[lag_names.index("psi")] if "psi" in lag_names else 0.0
    a = s_inv @ (tau * eye + psi * w)
    vals, vecs = np.linalg.eig(a)
    near = vals.real > 1 - 1 / n
    m = int(near.sum())
    b_mat = a
    if m:
        b_mat = a - np.real(vecs[:, near] @ np.diag(vals[near]) @ np.linalg.inv(vecs)[near, :])
    core = np.linalg.solve(eye - b_mat, s_inv)
    kz = len(coefs)
    bias = np.zeros(kz + 2)
    unit = t_eff / (2 * (1 - rho)) * m / n
    if "tau" in lag_names:
        bias[lag_names.index("tau")] = np.trace(core) / n + unit
    if "psi" in lag_names:
        bias[lag_names.index("psi")] = np.trace(w @ core) / n + unit
    bias[kz] = np.trace(g @ (tau * eye + psi * w) @ core) / n + np.trace(g) / n + unit
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


def stationarity(w: np.ndarray, rho: float, tau: float, psi: float) -> float:
    """Largest modulus of the eigenvalues of (I − ρW)^{-1}(τ I + ψ W); below 1 means stable.

    >>> import numpy as np
    >>> w = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> round(stationarity(w, rho=0.3, tau=0.5, psi=0.1), 6)   # (τ + ψ)/(1 − ρ) at ω = 1
    0.857143
    """
    n = w.shape[0]
    a = np.linalg.solve(np.eye(n) - rho * w, tau * np.eye(n) + psi * w)
    return float(np.max(np.abs(np.linalg.eigvals(a))))


def fit_dynamic(
    panel: pd.DataFrame,
    y: str,
    x: Sequence[str],
    w: Any,
    entity: str,
    time: str,
    model: Literal["sar", "sdm"] = "sdm",
    effects: Literal["individual", "twoways"] = "twoways",
    dynamic: DynamicName = "both",
    bias_correction: bool = True,
    *,
    maxiter: int = 500,
) -> DynamicSpatialResults:
    """Fit a dynamic spatial panel model by conditional ML (module docstring).

    Parameters are those of :func:`clusterdx.spatial.fit` plus ``dynamic``; ``model`` is
    ``"sar"`` or ``"sdm"``, ``effects`` ``"individual"`` or ``"twoways"``. The panel needs T ≥ 3.

    Returns
    -------
    DynamicSpatialResults
        ``params`` named: the x names, ``W_<x>`` (SDM), ``tau``, ``psi``, ``rho``, ``sigma2``.

    Examples
    --------
    >>> import libpysal
    >>> from clusterdx.spatial._simulate import simulate_dynamic_panel
    >>> w = libpysal.weights.lat2W(6, 6); w.transform = "r"
    >>> panel = simulate_dynamic_panel(w.sparse, 12, beta=[1.0], theta=[0.5], rho=0.3, tau=0.4,
    ...                                psi=0.1, seed=1)
    >>> res = fit_dynamic(panel, "y", ["x1"], w, "entity", "time")
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
    x = list(x)
    data = stack_panel(panel, y, x, entity, time)
    wsp = align_weights(w, data.entities)
    wd = wsp.toarray()
    n, t = data.y.shape
    if t < 3:
        raise EstimationError(
            f"a dynamic spatial panel needs at least three periods; the panel has T={t}"
        )
    z, lag_names = _design(data.y, data.x, wd, model, dynamic)
    yt = data.y[:, 1:]
    names = list(x) + ([f"W_{v}" for v in x] if model == "sdm" else [])
    znames = lag_names + names
    t_eff = t - 1
    two_way = effects == "twoways"
    if two_way and bias_correction and not np.allclose(wd.sum(axis=1), 1.0, atol=1e-10):
        raise WeightsError(
            "the Lee-Yu transformation for two-way effects needs a row-standardised W (rows "
            "summing to 1); row-standardise W or pass bias_correction=False"
        )
    # sweep the individual effects (demean over t = 2..T); two-way: also the period means
    yt = yt - yt.mean(axis=1, keepdims=True)
    z = z - z.mean(axis=1, keepdims=True)
    wf = wd
    if two_way:
        if bias_correction:
            f = _complement_basis(n)
            yt, z, wf = f.T @ yt, np.einsum("in,ntk->itk", f.T, z), f.T @ wd @ f
        else:
            yt, z = yt - yt.mean(axis=0), z - z.mean(axis=0)
    n_eff = wf.shape[0]
    nobs = n_eff * t_eff
    wy = wf @ yt
    engine = LogDet(wsp, "eigen")
    shift = two_way and bias_correction
    lower, upper = engine.bounds
    if shift:
        lower = max(lower, 0.0)

    def jacobian(r: float) -> float:
        return engine(r) - (np.log1p(-r) if shift else 0.0)

    zf = z.reshape(-1, z.shape[-1])
    b0, *_ = np.linalg.lstsq(zf, yt.reshape(-1), rcond=None)
    bd, *_ = np.linalg.lstsq(zf, wy.reshape(-1), rcond=None)
    e0 = yt.reshape(-1) - zf @ b0
    ed = wy.reshape(-1) - zf @ bd

    def negll(r: float) -> float:
        e = e0 - r * ed
        return nobs / 2 * np.log(e @ e / nobs) - t_eff * jacobian(r)

    rho = _search_rho(negll, (lower + _BOUND_MARGIN, upper - _BOUND_MARGIN), maxiter)
    coefs = b0 - rho * bd
    e = e0 - rho * ed
    sigma2 = float(e @ e / nobs)
    theta = np.concatenate([coefs, [rho, sigma2]])
    kz = len(coefs)
    info, g, s_inv = _information(z, coefs, rho, sigma2, wf, t_eff)
    uncorrected = theta.copy()
    if bias_correction:
        bias = _bias(lag_names, coefs, rho, sigma2, wf, g, s_inv, t_eff)
        theta = theta + _bias_step(info, bias) / t_eff
        coefs, rho, sigma2 = theta[:kz], float(theta[kz]), float(theta[kz + 1])
        info, g, s_inv = _information(z, coefs, rho, sigma2, wf, t_eff)
    # fourth moment of the reduced-form residuals y − S^{-1} Z β (SDPDmod's convention)
    reduced = yt - s_inv @ (z @ coefs)
    mu4 = float(np.mean(reduced**4))
    info_inv = np.linalg.inv(info)
    cov = (info_inv + info_inv @ _omega(g, sigma2, mu4, kz) @ info_inv) / nobs

    tau = coefs[lag_names.index("tau")] if "tau" in lag_names else 0.0
    psi = coefs[lag_names.index("psi")] if "psi" in lag_names else 0.0
    modulus = stationarity(wd, rho, tau, psi)
    if not modulus < 1:
        raise EstimationError(
            f"the fitted process is not stationary: tau + rho + psi = {tau + rho + psi:.4f} and "
            f"the largest eigenvalue modulus of (I - rho W)^-1 (tau I + psi W) is {modulus:.4f} "
            "(both must be < 1); the long-run effects do not exist. Check for a unit root in "
            f"{y!r} (difference it) or use a static model"
        )
    resid = (yt - rho * (wf @ yt) - z @ coefs).reshape(-1)
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
        w=wd,
    )


def _effects(vals, a, b, beta, theta, rho, tau, psi, long):
    """Mean direct and total effects from the eigen-decomposition W = V diag(ω) V^{-1}.

    tr(f(W))/N = mean f(ω) and ι'f(W)ι/N = Σ a_i b_i f(ω_i)/N with a = V'ι, b = V^{-1}ι, for
    f(ω) = (β + θω)/(1 − ρω) (short run) or (β + θω)/((1 − τ) − (ρ + ψ)ω) (long run).
    """
    num = beta[..., None] + theta[..., None] * vals
    if long:
        den = (1 - tau)[..., None] - (rho + psi)[..., None] * vals
    else:
        den = 1 - rho[..., None] * vals
    ratio = num / den
    n = len(vals)
    direct = np.real(ratio.sum(axis=-1)) / n
    total = np.real((ratio * (a * b)).sum(axis=-1)) / n
    return direct, total


def dynamic_impacts(res: DynamicSpatialResults, draws: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Short- and long-run direct, indirect and total effects with simulated inference.

    Short run: ∂E[y_t]/∂x_k' = (I − ρW)^{-1}(β_k I + θ_k W); long run:
    ((1 − τ)I − (ρ + ψ)W)^{-1}(β_k I + θ_k W) (Debarsy, Ertur & LeSage 2012, *Regional Science and
    Urban Economics* 42:1084-1097; Elhorst 2014, §4.3, Table 4.1). Direct = mean diagonal, total =
    mean row sum, indirect = total − direct. ``est`` is the effect at the estimates; ``se`` the
    standard deviation over ``draws`` parameter vectors from N(θ̂, Σ̂) (``default_rng(seed)``).

    Returns
    -------
    pandas.DataFrame
        Rows = regressors; columns = (horizon ``short``/``long``, impact, stat ``est``/``se``/``z``/``p``).
    """
    from clusterdx.spatial.effects import _draw

    params = res.params
    x = res.exog_names
    vals, vecs = np.linalg.eig(res.w)
    ones = np.ones(len(vals))
    a = vecs.T @ ones
    b = np.linalg.solve(vecs, ones)

    def pick(p: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
        def col(v: str) -> np.ndarray:
            if v in names:
                return p[..., names.index(v)]
            return np.zeros(p.shape[:-1])

        return {
            "beta": np.stack([col(v) for v in x], axis=-1),
            "theta": np.stack([col(f"W_{v}") for v in x], axis=-1),
            "rho": col("rho")[..., None],
            "tau": col("tau")[..., None],
            "psi": col("psi")[..., None],
        }

    names = list(params.index)
    point = pick(params.to_numpy()[None, :], names)
    sims = pick(_draw(params.to_numpy(), res.cov.to_numpy(), draws, seed), names)
    blocks = {}
    for horizon in IMPACT_HORIZONS:
        long = horizon == "long"
        est_d, est_t = _effects(vals, a, b, **point, long=long)
        sim_d, sim_t = _effects(vals, a, b, **sims, long=long)
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
