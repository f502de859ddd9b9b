"""Spatial random effects ML: the likelihood over (ρ, φ) and its block covariance.

Model (Elhorst 2014, *Spatial Econometrics*, Springer, §3.4; Baltagi, Egger & Pfaffermayr 2007):
y_t = ρ W y_t + X_t β + μ + ε_t with μ_i ~ N(0, σ²_μ), φ = σ²_μ/σ². With θ = 1 − (1 + Tφ)^{-1/2}
the quasi-demeaned data z* = z − θ z̄_i have spherical errors, and
ℓ = −NT/2 ln(2πσ²) − N/2 ln(1 + Tφ) + T ln|I − ρW| − e*'e*/(2σ²).
Because (I − θP)'(I − θP) = I − (2θ − θ²)P with P the entity-mean projector, the cross-products of
z* follow from those of z and of the entity means, computed once.

The search is nested (profile likelihood): for each ρ the inner bounded Brent search over ln φ
costs only p × p cross-product algebra, and the outer bounded Brent search over ρ evaluates
ln|I − ρW| once per step (about 25 log-determinants instead of ~300 for a joint Nelder-Mead over
(ρ, ln φ)); max_ρ max_φ ℓ is the joint maximum. The log-determinants are kept by ρ within one fit,
so the Hessian's repeated ρ values do not refactorise I − ρW.

Covariance as splm's ``spreml``: β conditional on (ρ, φ), σ²(X*'X*)^{-1}; (ρ, φ) from the numerical
Hessian of the concentrated likelihood; σ² from 2σ⁴/NT; zero covariance between the blocks.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import scipy.optimize as opt

from clusterdx.errors import ConvergenceError

if TYPE_CHECKING:
    from clusterdx.spatial.models import _Profile

_LOG_PHI_BOUNDS = (-20.0, 20.0)


def _quasi_demeaned(z_raw: np.ndarray, theta: float) -> np.ndarray:
    return z_raw - theta * z_raw.mean(axis=1, keepdims=True)


def fit_random(
    prof: _Profile,
    z_raw: np.ndarray,
    bounds: tuple[float, float],
    maxiter: int,
    has_lag: bool,
) -> tuple[float, float, float, np.ndarray, Callable[[float, float], float]]:
    """Spatial random effects ML over (ρ, ln φ): quasi-demeaning by θ = 1 − (1 + Tφ)^{-1/2}.

    ``z_raw`` is the untransformed (N, T, p) array [y, Wy, X]; returns ρ, θ, φ, the quasi-demeaned
    data (NT × p) and the concentrated log-likelihood of (ρ, ln φ).
    """
    n, t = z_raw.shape[:2]
    zf = z_raw.reshape(n * t, -1)
    gram_full = zf.T @ zf
    means = z_raw.mean(axis=1)
    gram_between = t * means.T @ means

    log_dets: dict[float, float] = {}

    def log_det(rho: float) -> float:
        if rho not in log_dets:
            log_dets[rho] = t * prof.jacobian(rho) if has_lag else 0.0
        return log_dets[rho]

    def core(rho: float, log_phi: float) -> float:
        phi = np.exp(log_phi)
        theta = 1.0 - 1.0 / np.sqrt(1.0 + t * phi)
        gram = gram_full - (2 * theta - theta**2) * gram_between
        sse = prof.sse(rho, 0.0, gram)
        if not sse > 0:
            return -np.inf
        nt = n * t
        return -nt / 2 * (np.log(2 * np.pi * sse / nt) + 1) - n / 2 * np.log1p(t * phi)

    def loglik(rho: float, log_phi: float) -> float:
        return core(rho, log_phi) + log_det(rho)

    def inner(rho: float) -> opt.OptimizeResult:
        return opt.minimize_scalar(
            lambda v: -core(rho, v),
            bounds=_LOG_PHI_BOUNDS,
            method="bounded",
            options={"xatol": 1e-10, "maxiter": maxiter},
        )

    rho = 0.0
    if has_lag:
        outer = opt.minimize_scalar(
            lambda r: inner(r).fun - log_det(r),
            bounds=bounds,
            method="bounded",
            options={"xatol": 1e-10, "maxiter": maxiter},
        )
        rho = float(outer.x)
    res = inner(rho)
    if has_lag and not outer.success:
        res = outer
    log_phi = float(res.x)
    if not res.success:
        raise ConvergenceError(
            f"the random-effects search over (rho, phi) did not converge ({res.message}); raise "
            f"maxiter (now {maxiter})"
        )
    if log_phi - _LOG_PHI_BOUNDS[0] < 1e-3:
        warnings.warn(
            f"phi = {np.exp(log_phi):.3g} is at its lower bound: the data show no individual random "
            "effect, the model reduces to effects='pooled' and the standard errors of phi and "
            "rho are unreliable (NaN where the likelihood is undefined below 0); fit "
            "effects='pooled' instead",
            RuntimeWarning,
            stacklevel=3,
        )
    phi = float(np.exp(log_phi))
    theta = 1.0 - 1.0 / np.sqrt(1.0 + t * phi)
    star = _quasi_demeaned(z_raw, theta).reshape(n * t, -1)
    return rho, theta, phi, star, loglik


def random_covariance(
    loglik: Callable[[float, float], float],
    nobs: int,
    rho: float,
    phi: float,
    xstar: np.ndarray,
    sigma2: float,
    has_lag: bool,
) -> np.ndarray:
    """Block covariance: β | (ρ, φ) by GLS, (ρ, φ) by numerical Hessian, σ² by 2σ⁴/NT."""
    params = [rho, phi] if has_lag else [phi]

    def ll(v: np.ndarray) -> float:
        return loglik(v[0], np.log(v[1])) if has_lag else loglik(0.0, np.log(v[0]))

    hess = _numerical_hessian(ll, np.array(params))
    m, k = len(params), xstar.shape[1]
    cov = np.zeros((k + m + 1, k + m + 1))
    cov[:k, :k] = sigma2 * np.linalg.inv(xstar.T @ xstar)
    cov[k : k + m, k : k + m] = np.linalg.inv(-hess)
    cov[-1, -1] = 2 * sigma2**2 / nobs
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
            val = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * h[i] * h[j]
            )
            hess[i, j] = hess[j, i] = val
    return hess
