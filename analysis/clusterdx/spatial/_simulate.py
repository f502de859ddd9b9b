"""Simulate a balanced spatial panel with known parameters (for Monte Carlo tests and benchmarks).

Data-generating process, period by period (Elhorst 2014, *Spatial Econometrics*, eq. 3.1):
y_t = (I − ρW)^{-1} [X_t β + W X_t θ + μ + ξ_t ι + (I − λW)^{-1} ε_t], with X_t ~ N(0, 1)
independently plus 0.5·μ (regressors correlated with the individual effects, as fixed effects
assume), μ_i ~ N(0, 1), ξ_t ~ N(0, 1) and ε ~ N(0, σ²). Solves use a sparse LU factorisation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterdx.spatial.logdet import filter_factor


def simulate_panel(
    w: sp.spmatrix,
    n_periods: int,
    beta: Sequence[float],
    *,
    theta: Sequence[float] | None = None,
    rho: float = 0.0,
    lam: float = 0.0,
    sigma: float = 1.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Return a long panel with columns ``entity``, ``time``, ``y``, ``x1``..``xk``.

    Entities are numbered 0..N−1 in the order of the rows of ``w``.
    """
    w = sp.csr_matrix(w, dtype=float)
    n, k = w.shape[0], len(beta)
    rng = np.random.default_rng(seed)
    mu = rng.standard_normal(n)
    xi = rng.standard_normal(n_periods)
    x = rng.standard_normal((n, n_periods, k)) + 0.5 * mu[:, None, None]
    signal = x @ np.asarray(beta, dtype=float)
    if theta is not None:
        wx = (w @ x.reshape(n, -1)).reshape(x.shape)
        signal = signal + wx @ np.asarray(theta, dtype=float)
    eps = sigma * rng.standard_normal((n, n_periods))
    if lam != 0.0:
        eps = filter_factor(w, lam).solve(eps)
    total = signal + mu[:, None] + xi[None, :] + eps
    y = filter_factor(w, rho).solve(total) if rho != 0.0 else total
    frame = pd.DataFrame(
        {
            "entity": np.repeat(np.arange(n), n_periods),
            "time": np.tile(np.arange(n_periods), n),
            "y": y.reshape(-1),
        }
    )
    for j in range(k):
        frame[f"x{j + 1}"] = x[:, :, j].reshape(-1)
    return frame


def simulate_dynamic_panel(
    w: sp.spmatrix,
    n_periods: int,
    beta: Sequence[float],
    *,
    theta: Sequence[float] | None = None,
    rho: float = 0.0,
    tau: float = 0.0,
    psi: float = 0.0,
    sigma: float = 1.0,
    burn: int = 50,
    seed: int = 0,
) -> pd.DataFrame:
    """Long panel from y_t = ρWy_t + τy_{t−1} + ψWy_{t−1} + X_tβ + WX_tθ + μ + ξ_t + ε_t.

    ``burn`` periods are discarded first so that the kept periods are near the stationary path.
    Columns ``entity``, ``time``, ``y``, ``x1``..``xk``; entities 0..N−1 in the order of ``w``.
    """
    w = sp.csr_matrix(w, dtype=float)
    n, k = w.shape[0], len(beta)
    total_t = n_periods + burn
    rng = np.random.default_rng(seed)
    mu = rng.standard_normal(n)
    xi = rng.standard_normal(total_t)
    x = rng.standard_normal((n, total_t, k)) + 0.5 * mu[:, None, None]
    signal = x @ np.asarray(beta, dtype=float)
    if theta is not None:
        wx = (w @ x.reshape(n, -1)).reshape(x.shape)
        signal = signal + wx @ np.asarray(theta, dtype=float)
    eps = sigma * rng.standard_normal((n, total_t))
    factor = filter_factor(w, rho)
    y = np.zeros((n, total_t))
    prev = np.zeros(n)
    for t in range(total_t):
        rhs = signal[:, t] + mu + xi[t] + eps[:, t] + tau * prev + psi * (w @ prev)
        y[:, t] = factor.solve(rhs) if rho != 0.0 else rhs
        prev = y[:, t]
    y, x = y[:, burn:], x[:, burn:, :]
    frame = pd.DataFrame(
        {
            "entity": np.repeat(np.arange(n), n_periods),
            "time": np.tile(np.arange(n_periods), n),
            "y": y.reshape(-1),
        }
    )
    for j in range(k):
        frame[f"x{j + 1}"] = x[:, :, j].reshape(-1)
    return frame
