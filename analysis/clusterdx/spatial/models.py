"""Maximum-likelihood estimation of static spatial panel models (SAR, SEM, SDM, SAC, SDEM, SLX).

Model family (Elhorst 2014, *Spatial Econometrics*, Springer, ch. 3; LeSage & Pace 2009, ch. 2),
stacked period by period, t = 1..T, with W an N × N weights matrix::

    y_t = ρ W y_t + X_t β + W X_t θ + μ + ξ_t ι + u_t,     u_t = λ W u_t + ε_t,   ε ~ N(0, σ² I)

SAR: θ = 0, λ = 0. SEM: ρ = 0, θ = 0. SDM: λ = 0. SAC: θ = 0. SDEM: ρ = 0. SLX: ρ = λ = 0.

Effects
    ``"individual"`` / ``"time"`` / ``"twoways"``: fixed μ and/or ξ swept out by the within
    transformation of y, Wy and X, WX; ``"random"``: μ_i ~ N(0, σ²_μ) with φ = σ²_μ/σ², estimated
    with an intercept by quasi-demeaning (Elhorst 2014, §3.4; Baltagi, Egger & Pfaffermayr 2007);
    ``"pooled"``: no effects, with an intercept (T = 1 gives the cross-sectional models of Anselin
    1988, *Spatial Econometrics: Methods and Models*, ch. 6).

Likelihood
    With A = I − ρW, B = I − λW and e = B(A y − X β) in the transformed data,
    ℓ = −n/2 ln(2πσ²) + T' ln|A| + T' ln|B| − e'e/(2σ²), where n = N'T' is the number of
    transformed observations. β and σ² = e'e/n (the ML estimate, splm's convention) are concentrated
    out; ρ and/or λ are found by bounded Brent (one parameter) or bounded Nelder-Mead (two). The
    reported ``llf`` is this full Gaussian log-likelihood of the transformed model (the convention of
    xsmle and Elhorst 2014, eq. 3.9 for fixed effects, and of splm's random-effects routine).

    For speed, every quantity of the concentrated likelihood is a quadratic form in the cross-product
    matrix of [y, Wy, W²y, X, WX], computed once: one evaluation costs O(k²) plus ln|A|.

Bias correction (``bias_correction=True``, fixed effects only)
    Lee & Yu (2010, *J. Econometrics* 154:165-185), transformation approach. Individual effects:
    the data are multiplied by F_T', the T × (T−1) orthonormal eigenvectors of the demeaning matrix,
    leaving T' = T − 1 periods. Time effects: each period is multiplied by F_N', leaving N' = N − 1
    units and the log-determinant ln|I − ρW| − ln(1 − ρ); this needs a row-standardised W. Because
    F F' equals the demeaning matrix, every cross-product of the transformed data equals that of the
    demeaned data, so the transformation changes only T', N', the log-determinant and the traces of
    the information matrix. For individual effects this gives the same β and ρ as the direct approach
    and σ² = T/(T−1) times the direct one. Without correction (splm's convention) T' = T, N' = N.

Standard errors
    Inverse of the analytic expected information matrix of (β, ρ, λ, σ²) (Lee 2004, *Econometrica*
    72:1899-1925; Elhorst 2014, eq. 3.11; Lee & Yu 2010): with G = W A^{-1}, H = W B^{-1} and
    G̈ = B G B^{-1}: I_ββ = X̃'X̃/σ², I_βρ = X̃'G̈X̃β/σ², I_ρρ = ‖G̈X̃β‖²/σ² + T'(tr G̈'G̈ + tr G̈²),
    I_ρλ = T'(tr H'G̈ + tr HG̈), I_λλ = T'(tr H'H + tr H²), I_ρσ² = T' tr G/σ², I_λσ² = T' tr H/σ²,
    I_σ²σ² = n/(2σ⁴), with X̃ = BX. The traces are exact for N ≤ 1,500 and Hutchinson estimates
    above (``clusterdx.spatial._information``). Random effects: β conditional on (ρ, φ),
    σ²(X*'X*)^{-1} on the quasi-demeaned data, and (ρ, φ) from the numerical Hessian of the
    concentrated likelihood, as splm's ``spreml``.

Why hand-written: spreg estimates only panel SAR/SEM with fixed effects, with dense N·T matrices;
SDM/SAC/SDEM, two-way and Lee-Yu corrected effects, random effects and large N are not available in
Python (see DESIGN.md, "Decisions").
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.optimize as opt
import scipy.sparse as sp

from clusterdx.errors import ConvergenceError, EstimationError, WeightsError
from clusterdx.spatial._data import align_weights, stack_panel
from clusterdx.spatial._information import spatial_traces
from clusterdx.spatial._results import SpatialPanelResults
from clusterdx.spatial.logdet import LogDet, LogdetMethod, filter_factor

ModelName = Literal["sar", "sem", "sdm", "sac", "sdem", "slx"]
EffectsName = Literal["individual", "time", "twoways", "random", "pooled"]
MODELS: tuple[str, ...] = get_args(ModelName)
EFFECTS: tuple[str, ...] = get_args(EffectsName)

LAG_MODELS = frozenset({"sar", "sdm", "sac"})
ERROR_MODELS = frozenset({"sem", "sac", "sdem"})
DURBIN_MODELS = frozenset({"sdm", "sdem", "slx"})
_BOUND_MARGIN = 1e-7
_BOUND_WARN = 1e-3


def _check_option(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not allowed; choose one of {list(allowed)}")


def _within(a: np.ndarray, entity: bool, time: bool) -> np.ndarray:
    """Demean an (N, T, c) array by entity and/or by period (balanced panel)."""
    out = a
    if entity:
        out = out - out.mean(axis=1, keepdims=True)
    if time:
        out = out - out.mean(axis=0, keepdims=True)
    return out


def _check_rank(x: np.ndarray, names: list[str], effects: str) -> None:
    """Raise EstimationError naming regressors that are collinear after the transformation."""
    flat = x.reshape(-1, x.shape[-1])
    scale = np.sqrt(np.sum(flat**2, axis=0))
    zero = [names[j] for j in np.flatnonzero(scale <= 1e-10 * max(1.0, float(scale.max())))]
    if zero:
        raise EstimationError(
            f"regressor(s) {zero} have no variation left after the {effects!r} effects "
            "transformation (e.g. time-invariant under individual effects); drop them"
        )
    _, r, piv = sla.qr(flat / scale, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int(np.sum(diag > 1e-9 * diag[0]))
    if rank < len(names):
        dependent = sorted(names[j] for j in piv[rank:])
        raise EstimationError(
            f"regressors are perfectly collinear after the {effects!r} effects transformation: "
            f"{dependent} are linear combinations of the others; drop them"
        )


class _Profile:
    """Concentrated log-likelihood of (ρ, λ) from a cross-product matrix (module docstring)."""

    def __init__(
        self,
        gram: np.ndarray,
        k: int,
        has_lag: bool,
        has_err: bool,
        n_eff: float,
        t_eff: float,
        jacobian: Callable[[float], float],
    ) -> None:
        self.gram = gram
        self.k, self.has_lag, self.has_err = k, has_lag, has_err
        self.n_eff, self.t_eff, self.jacobian = n_eff, t_eff, jacobian
        self.iy = 0
        self.iwy = 1
        self.iw2y = 2 if has_lag and has_err else None
        start = 1 + (1 if has_lag or has_err else 0) + (1 if self.iw2y is not None else 0)
        self.ix = np.arange(start, start + k)
        self.iwx = np.arange(start + k, start + 2 * k) if has_err else None

    def weights(self, rho: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
        """Columns c_y, C_X with y* = Z c_y and X* = Z C_X (Z = [y, Wy, W²y, X, WX])."""
        p = self.gram.shape[0]
        cy = np.zeros(p)
        cy[self.iy] = 1.0
        if self.has_lag:
            cy[self.iwy] -= rho
        if self.has_err:
            cy[self.iwy] -= lam
        if self.iw2y is not None:
            cy[self.iw2y] += rho * lam
        cx = np.zeros((p, self.k))
        cx[self.ix, np.arange(self.k)] = 1.0
        if self.iwx is not None:
            cx[self.iwx, np.arange(self.k)] = -lam
        return cy, cx

    def sse(self, rho: float, lam: float, gram: np.ndarray | None = None) -> float:
        g = self.gram if gram is None else gram
        cy, cx = self.weights(rho, lam)
        gxy = cx.T @ g @ cy
        gxx = cx.T @ g @ cx
        beta = np.linalg.solve(gxx, gxy)
        return float(cy @ g @ cy - gxy @ beta)

    def loglik(self, rho: float, lam: float) -> float:
        sse = self.sse(rho, lam)
        if not sse > 0:
            return -np.inf
        jac = (self.jacobian(rho) if self.has_lag else 0.0) + (
            self.jacobian(lam) if self.has_err else 0.0
        )
        return -self.n_eff / 2 * (np.log(2 * np.pi * sse / self.n_eff) + 1) + self.t_eff * jac


def fit(
    panel: pd.DataFrame,
    y: str,
    x: Sequence[str],
    w: Any,
    entity: str,
    time: str,
    model: ModelName = "sar",
    effects: EffectsName = "individual",
    bias_correction: bool = True,
    logdet: LogdetMethod = "auto",
    *,
    maxiter: int = 500,
    seed: int = 0,
) -> SpatialPanelResults:
    """Fit a static spatial panel model by maximum likelihood.

    Parameters
    ----------
    panel
        Long data frame, one row per (entity, time); balanced, no missing values in ``y`` or ``x``.
    y, x
        Dependent variable and regressors (column names).
    w
        ``libpysal.weights.W`` whose ids are the values of ``entity``, or a pair ``(matrix, ids)``.
        W is used as given: row-standardise it first where the model calls for it (the
        ``clusterdx.weights`` constructors do by default). Its rows are reordered to the panel's
        (sorted) entity order by id.
    entity, time
        Columns identifying the cross-sectional unit and the period.
    model
        ``"sar"``, ``"sem"``, ``"sdm"``, ``"sac"``, ``"sdem"`` or ``"slx"`` (module docstring).
    effects
        ``"individual"``, ``"time"``, ``"twoways"`` (fixed), ``"random"`` (SAR / SDM / SLX only)
        or ``"pooled"``.
    bias_correction
        Lee & Yu (2010) transformation approach for fixed effects; ignored for random / pooled.
    logdet
        ``"auto"``, ``"eigen"``, ``"lu"``, ``"chebyshev"`` or ``"barry-pace"``
        (``clusterdx.spatial.logdet``).
    maxiter
        Iteration limit of the optimiser; reaching it raises ``ConvergenceError``.
    seed
        Seed of the random probes of the stochastic trace estimates (large N, approximate logdet).

    Returns
    -------
    SpatialPanelResults
        ``params`` names: ``const`` (random / pooled), the x names, ``W_<x>`` (SDM / SDEM / SLX),
        ``rho``, ``lambda``, ``phi`` (random), ``sigma2``.

    Raises
    ------
    PanelError, WeightsError, EstimationError, ConvergenceError
        Malformed panel, weights not matching the entities, NaN or collinear regressors, or an
        optimiser failure; the message names the column, ids or parameter.

    Examples
    --------
    >>> res = fit(panel, y="dt", x=["demand", "gov"], w=W, entity="region", time="year",
    ...           model="sdm", effects="twoways")  # doctest: +SKIP
    >>> res.impacts(draws=1000, seed=0)  # doctest: +SKIP
    """
    _check_option("model", model, MODELS)
    _check_option("effects", effects, EFFECTS)
    x = list(x)
    if not x:
        raise EstimationError("x is empty; give at least one regressor")
    data = stack_panel(panel, y, x, entity, time)
    wmat = align_weights(w, data.entities)
    n, t = data.y.shape
    entity_fe = effects in ("individual", "twoways")
    time_fe = effects in ("time", "twoways")
    if t < 2 and effects in ("individual", "twoways", "random"):
        raise EstimationError(
            f"effects={effects!r} needs at least two periods; the panel has T={t} (use 'pooled')"
        )
    if effects == "random" and model not in ("sar", "sdm", "slx"):
        raise EstimationError(
            f"effects='random' is implemented for model 'sar', 'sdm' and 'slx', not {model!r}; "
            "use fixed effects ('individual' / 'twoways') for spatial error models"
        )
    correct = bias_correction and (entity_fe or time_fe)
    if correct and time_fe:
        sums = np.asarray(wmat.sum(axis=1)).ravel()
        if not np.allclose(sums, 1.0, atol=1e-10):
            raise WeightsError(
                "the Lee-Yu correction for time effects needs a row-standardised W (rows summing "
                "to 1); row-standardise W or pass bias_correction=False"
            )

    has_lag, has_err = model in LAG_MODELS, model in ERROR_MODELS

    def lag(a: np.ndarray) -> np.ndarray:
        return (wmat @ a.reshape(n, -1)).reshape(a.shape)

    xs, names = data.x, list(x)
    if model in DURBIN_MODELS:
        xs = np.concatenate([xs, lag(xs)], axis=2)
        names += [f"W_{v}" for v in x]
    if effects in ("random", "pooled"):
        xs = np.concatenate([np.ones((n, t, 1)), xs], axis=2)
        names = ["const", *names]
    k = len(names)
    ys = data.y[:, :, None]
    blocks = [ys]
    if has_lag or has_err:
        blocks.append(lag(ys))
    if has_lag and has_err:
        blocks.append(lag(blocks[1]))
    blocks.append(xs)
    if has_err:
        blocks.append(lag(xs))
    z_raw = np.concatenate(blocks, axis=2)
    z = _within(z_raw, entity_fe, time_fe)
    _check_rank(z[:, :, -k:] if not has_err else z[:, :, -2 * k : -k], names, effects)

    t_eff = t - 1 if correct and entity_fe else t
    n_units = n - 1 if correct and time_fe else n
    n_eff = n_units * t_eff
    engine = LogDet(wmat, logdet, seed=seed)
    lower, upper = engine.bounds
    shift = correct and time_fe

    def jacobian(r: float) -> float:
        return engine(r) - (np.log1p(-r) if shift else 0.0)

    zf = z.reshape(n * t, -1)
    gram = zf.T @ zf
    prof = _Profile(gram, k, has_lag, has_err, n_eff, t_eff, jacobian)
    bounds = (lower + _BOUND_MARGIN, upper - _BOUND_MARGIN)
    extra: dict[str, float] = {}

    if effects == "random":
        rho, theta, phi, zf, re_loglik = _fit_random(prof, z_raw, n, t, bounds, maxiter, has_lag)
        lam = 0.0
        extra["phi"] = phi
    else:
        rho, lam = _optimise(prof, bounds, maxiter, has_lag, has_err)
        theta = 0.0

    cy, cx = prof.weights(rho, lam)
    ystar, xstar = zf @ cy, zf @ cx
    beta, *_ = np.linalg.lstsq(xstar, ystar, rcond=None)
    resid = ystar - xstar @ beta
    sse = float(resid @ resid)
    sigma2 = sse / n_eff
    jac = (jacobian(rho) if has_lag else 0.0) + (jacobian(lam) if has_err else 0.0)
    llf = -n_eff / 2 * np.log(2 * np.pi * sigma2) + t_eff * jac - sse / (2 * sigma2)
    if effects == "random":
        llf -= n / 2 * np.log1p(t * extra["phi"])

    for label, value, active in (("rho", rho, has_lag), ("lambda", lam, has_err)):
        if active and min(value - lower, upper - value) < _BOUND_WARN:
            warnings.warn(
                f"{label} = {value:.6f} lies within {_BOUND_WARN} of its bound "
                f"({lower:.4f}, {upper:.4f}); the likelihood may be maximised at the boundary and "
                "the standard errors are unreliable",
                RuntimeWarning,
                stacklevel=2,
            )

    pnames = list(names)
    values = list(beta)
    if has_lag:
        pnames.append("rho")
        values.append(rho)
    if has_err:
        pnames.append("lambda")
        values.append(lam)
    if effects == "random":
        pnames.append("phi")
        values.append(extra["phi"])
    pnames.append("sigma2")
    values.append(sigma2)

    if effects == "random":
        cov = _random_cov(re_loglik, n, t, rho, extra["phi"], xstar, sigma2, has_lag, k)
    else:
        cov = _information_cov(
            wmat,
            z,
            prof,
            beta,
            rho if has_lag else None,
            lam if has_err else None,
            sigma2,
            xstar,
            t_eff,
            n_eff,
            shift,
            seed,
        )
    cov_frame = pd.DataFrame(cov, index=pnames, columns=pnames)
    return SpatialPanelResults(
        params=pd.Series(values, index=pnames, name="params"),
        cov=cov_frame,
        llf=float(llf),
        nobs=n * t,
        n_entities=n,
        n_periods=t,
        model=model,
        effects=effects,
        bias_correction=bool(correct),
        depvar=y,
        exog_names=list(x),
        entities=list(data.entities),
        periods=list(data.periods),
        logdet_method=engine.method,
        resid=resid,
        engine=engine,
        theta_re=theta,
    )


def _optimise(
    prof: _Profile,
    bounds: tuple[float, float],
    maxiter: int,
    has_lag: bool,
    has_err: bool,
) -> tuple[float, float]:
    """Maximise the concentrated likelihood over ρ and/or λ."""
    if not has_lag and not has_err:
        return 0.0, 0.0
    if has_lag != has_err:

        def objective(r: float) -> float:
            return -(prof.loglik(r, 0.0) if has_lag else prof.loglik(0.0, r))

        res = opt.minimize_scalar(
            objective, bounds=bounds, method="bounded", options={"xatol": 1e-10, "maxiter": maxiter}
        )
        if not res.success:
            raise ConvergenceError(
                f"the search for {'rho' if has_lag else 'lambda'} stopped after {res.nfev} "
                f"evaluations without converging ({res.message}); raise maxiter (now {maxiter})"
            )
        value = float(res.x)
        return (value, 0.0) if has_lag else (0.0, value)
    grid = np.linspace(bounds[0], bounds[1], 7)[1:-1] * 0.9
    start = max(
        ((a, b) for a in grid for b in grid), key=lambda ab: prof.loglik(ab[0], ab[1])
    )
    res = opt.minimize(
        lambda v: -prof.loglik(v[0], v[1]),
        np.array(start),
        method="Nelder-Mead",
        bounds=[bounds, bounds],
        options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": maxiter},
    )
    if not res.success:
        raise ConvergenceError(
            f"the search for (rho, lambda) stopped without converging ({res.message}); raise "
            f"maxiter (now {maxiter}) or check the model"
        )
    return float(res.x[0]), float(res.x[1])


def _quasi_demeaned(z_raw: np.ndarray, theta: float) -> np.ndarray:
    return z_raw - theta * z_raw.mean(axis=1, keepdims=True)


def _fit_random(
    prof: _Profile,
    z_raw: np.ndarray,
    n: int,
    t: int,
    bounds: tuple[float, float],
    maxiter: int,
    has_lag: bool,
) -> tuple[float, float, float, np.ndarray, Callable[[float, float], float]]:
    """Spatial random effects ML over (ρ, ln φ): quasi-demeaning by θ = 1 − (1 + Tφ)^{-1/2}."""
    zf = z_raw.reshape(n * t, -1)
    gram_full = zf.T @ zf
    means = z_raw.mean(axis=1)
    gram_between = t * means.T @ means

    def loglik(rho: float, log_phi: float) -> float:
        phi = np.exp(log_phi)
        theta = 1.0 - 1.0 / np.sqrt(1.0 + t * phi)
        gram = gram_full - (2 * theta - theta**2) * gram_between
        sse = prof.sse(rho, 0.0, gram)
        if not sse > 0:
            return -np.inf
        nt = n * t
        ll = -nt / 2 * (np.log(2 * np.pi * sse / nt) + 1) - n / 2 * np.log1p(t * phi)
        return ll + (t * prof.jacobian(rho) if has_lag else 0.0)

    if has_lag:
        res = opt.minimize(
            lambda v: -loglik(v[0], v[1]),
            np.array([0.0, 0.0]),
            method="Nelder-Mead",
            bounds=[bounds, (-20.0, 20.0)],
            options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": maxiter},
        )
        rho, log_phi = float(res.x[0]), float(res.x[1])
    else:
        res = opt.minimize_scalar(
            lambda v: -loglik(0.0, v),
            bounds=(-20.0, 20.0),
            method="bounded",
            options={"xatol": 1e-10, "maxiter": maxiter},
        )
        rho, log_phi = 0.0, float(res.x)
    if not res.success:
        raise ConvergenceError(
            f"the random-effects search over (rho, phi) did not converge ({res.message}); raise "
            f"maxiter (now {maxiter})"
        )
    phi = float(np.exp(log_phi))
    theta = 1.0 - 1.0 / np.sqrt(1.0 + t * phi)
    star = _quasi_demeaned(z_raw, theta).reshape(n * t, -1)
    return rho, theta, phi, star, loglik


def _random_cov(
    loglik: Callable[[float, float], float],
    n: int,
    t: int,
    rho: float,
    phi: float,
    xstar: np.ndarray,
    sigma2: float,
    has_lag: bool,
    k: int,
) -> np.ndarray:
    """Block covariance: β | (ρ, φ) by GLS, (ρ, φ) by numerical Hessian, σ² by 2σ⁴/NT."""
    params = [rho, phi] if has_lag else [phi]

    def ll(v: np.ndarray) -> float:
        return loglik(v[0], np.log(v[1])) if has_lag else loglik(0.0, np.log(v[0]))

    hess = _numerical_hessian(ll, np.array(params))
    m = len(params)
    cov = np.zeros((k + m + 1, k + m + 1))
    cov[:k, :k] = sigma2 * np.linalg.inv(xstar.T @ xstar)
    cov[k : k + m, k : k + m] = np.linalg.inv(-hess)
    cov[-1, -1] = 2 * sigma2**2 / (n * t)
    return cov


def _numerical_hessian(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central-difference Hessian with steps proportional to |x| (fdHess-style)."""
    m = len(x)
    h = 1e-4 * np.maximum(np.abs(x), 1e-2)
    hess = np.empty((m, m))
    for i in range(m):
        for j in range(i, m):
            ei, ej = np.zeros(m), np.zeros(m)
            ei[i], ej[j] = h[i], h[j]
            val = (
                f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)
            ) / (4 * h[i] * h[j])
            hess[i, j] = hess[j, i] = val
    return hess


def _information_cov(
    wmat: sp.csr_matrix,
    z: np.ndarray,
    prof: _Profile,
    beta: np.ndarray,
    rho: float | None,
    lam: float | None,
    sigma2: float,
    xstar: np.ndarray,
    t_eff: int,
    n_eff: int,
    project: bool,
    seed: int,
) -> np.ndarray:
    """Inverse of the analytic information matrix of (β, ρ, λ, σ²) (module docstring)."""
    n, t = z.shape[:2]
    k = len(beta)
    x0 = z[:, :, prof.ix]
    xb = (x0 @ beta).reshape(n, t)
    traces = spatial_traces(wmat, rho, lam, project=project, seed=seed)
    names = ["beta"] * k + (["rho"] if rho is not None else []) + (["lam"] if lam is not None else [])
    m = len(names) + 1
    info = np.zeros((m, m))
    info[:k, :k] = xstar.T @ xstar / sigma2
    pos = k
    if rho is not None:
        gxb = wmat @ filter_factor(wmat, rho).solve(xb)
        if lam is not None:
            gxb = gxb - lam * (wmat @ gxb)
        if project:
            gxb = gxb - gxb.mean(axis=0, keepdims=True)
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
