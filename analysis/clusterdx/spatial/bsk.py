"""Baltagi, Song & Koh (2003) LM tests for random effects and spatial error correlation in a panel.

Model (Baltagi, Song & Koh 2003, *J. Econometrics* 117:123-150, eqs. 2.1-2.3; Anselin 1988)::

    y = Xβ + u,   u = (ι_T ⊗ I_N) μ + ε,   ε_t = λ W ε_t + ν_t,   μ ~ (0, σ²_μ I), ν ~ (0, σ²_ν I),

with X including an intercept, stacked by period (t slow, i fast). As R splm's ``bsktest``
(``test = "LMH" | "LM1" | "LM2" | "CLMlambda" | "CLMmu"``), with J̄_T = J_T/T, E_T = I_T − J̄_T and
b = tr(W² + W'W):

``"LM1"`` (H0: σ²_μ = 0, assuming λ = 0; eq. 2.7, Honda 1985), OLS residuals e:
    LM1 = sqrt(NT / (2(T − 1))) · [e'(J_T ⊗ I_N)e / e'e − 1]  ~ N(0, 1).
``"LM2"`` (H0: λ = 0, assuming σ²_μ = 0; eq. 2.8; Anselin 1988's LM error test, signed):
    LM2 = sqrt(N²T / b) · e'(I_T ⊗ (W + W')/2)e / e'e  ~ N(0, 1).
``"LMH"`` (H0: σ²_μ = 0 and λ = 0, one-sided joint test; eq. 2.11 after Gourieroux, Holly &
    Monfort 1982): LMH = LM1² 1{LM1 > 0} + LM2² 1{LM2 > 0}, distributed as the mixture
    ¼χ²(0) + ½χ²(1) + ¼χ²(2).
``"CLMlambda"`` (H0: λ = 0 allowing σ²_μ ≥ 0; eq. 2.23): with û the residuals of the ML
    random-effects model without spatial correlation, σ̂²_ν = û'(E_T ⊗ I)û/(N(T − 1)),
    σ̂²_1 = û'(J̄_T ⊗ I)û/N and
    D̂ = ½ û'[(σ̂²_ν/σ̂⁴_1)(J̄_T ⊗ (W' + W)) + (1/σ̂²_ν)(E_T ⊗ (W' + W))]û,
    LM_λ = D̂² / ([(T − 1) + σ̂⁴_ν/σ̂⁴_1] b); the statistic is sqrt(LM_λ).
``"CLMmu"`` (H0: σ²_μ = 0 allowing λ ≠ 0; eq. 2.30): with û the residuals of the ML pooled
    spatial error model, B = I − λ̂W, σ̂²_ν = û'(I_T ⊗ B'B)û/(NT),
    D̂_μ = −T/(2σ̂²_ν) tr(B'B) + 1/(2σ̂⁴_ν) û'(J_T ⊗ (B'B)²)û, and with
    d = tr(W'B + B'W), G = (W'B + B'W)(B'B)^{-1}, g = tr G, c = tr G², e = tr (B'B)², h = tr B'B:
    LM_μ = D̂²_μ (2σ̂⁴_ν/T)(Nσ̂⁴_ν c − σ̂⁴_ν g²) /
    (NTσ̂⁴_ν e c − Nσ̂⁴_ν d² − Tσ̂⁴_ν g² e + 2σ̂⁴_ν g h d − σ̂⁴_ν h² c); the statistic is sqrt(LM_μ).

The p-values are those of splm 1.6-5: two-sided normal for LM1, LM2 and the two conditional
statistics (2·P(Z > |z|), i.e. P(χ²₁ > z²), so ``df`` is 1), and 1 − F of the mixture for LMH
(``df`` 2). splm gives 2·P(Z > z) also for a negative LM1 or LM2 (a "p-value" above 1); here the
absolute value is used.

The ML fits of the conditional tests are concentrated likelihoods searched over one parameter
(bounded Brent): the random-effects model over ln φ, φ = σ²_μ/σ²_ν, by quasi-demeaning with
1 − (1 + Tφ)^{-1/2} (splm ``spreml(errors = "re")``, bounds φ ∈ [1e-8, 1e9]); the pooled SEM over
λ ∈ (−0.999, 0.999) with ln|I − λW| from :class:`~clusterdx.spatial.logdet.LogDet` (splm
``spreml(errors = "sem")``). The traces of CLMmu's G are exact up to N = 1,500 (unit vectors)
and Hutchinson estimates through a sparse LU of B'B above; every other trace is exact from the
sparse W. No N × N or NT × NT matrix is formed.

Why hand-written: no Python package has these tests (spreg's LM tests are cross-sectional,
linearmodels and statsmodels have no spatial panel tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
import scipy.optimize as opt
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy import stats

from clusterdx.errors import ConvergenceError, OptionError, PanelError
from clusterdx.options.spatial import (
    DEFAULT_ENTITY,
    DEFAULT_TIME,
)
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.spatial._data import align_weights, stack_panel
from clusterdx.spatial._information import EXACT_MAX_N
from clusterdx.spatial.logdet import LogDet
from clusterdx.spatial.tests import SpecTestResult

BSKTest = Literal["LMH", "LM1", "LM2", "CLMlambda", "CLMmu"]
BSK_TESTS: tuple[str, ...] = get_args(BSKTest)
_SEM_BOUND = 0.999  # splm semmod's bounds on lambda
_PHI_BOUNDS = (1e-8, 1e9)  # splm REmod's bounds on phi

_NAMES = {
    "LMH": ("Baltagi-Song-Koh LM-H joint test", "random effects = 0 and lambda = 0"),
    "LM1": ("Baltagi-Song-Koh LM1 marginal test", "random effects = 0 (assuming lambda = 0)"),
    "LM2": ("Baltagi-Song-Koh LM2 marginal test", "lambda = 0 (assuming no random effects)"),
    "CLMlambda": (
        "Baltagi-Song-Koh conditional LM test of lambda",
        "lambda = 0 (allowing random effects)",
    ),
    "CLMmu": (
        "Baltagi-Song-Koh conditional LM test of random effects",
        "random effects = 0 (allowing lambda != 0)",
    ),
}


def bsk_test(
    panel: pd.DataFrame | PanelFrame,
    y: str,
    x: Sequence[str],
    w: Any,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    test: BSKTest = "LMH",
) -> SpecTestResult:
    """Baltagi, Song & Koh (2003) LM test ``test`` of random effects and spatial error correlation.

    Parameters
    ----------
    panel
        Balanced long panel, or a :class:`clusterdx.paneldata.PanelFrame` with these columns
        (used as it is; its keys must be ``entity`` and ``time``).
    y, x
        Response and regressors (an intercept is added, as splm's formula interface does).
    w
        ``libpysal.weights.W`` or ``(matrix, ids)``; used as given (row-standardise it first, as
        splm's ``mat2listw(usaww)`` does).
    entity, time
        Key columns (default ``"region"``, ``"year"``).
    test
        ``"LMH"`` (joint), ``"LM1"`` / ``"LM2"`` (marginal: random effects / spatial error),
        ``"CLMlambda"`` (spatial error given random effects) or ``"CLMmu"`` (random effects given
        spatial error); formulas in the module docstring.

    Returns
    -------
    SpecTestResult
        ``statistic`` (a standard normal variate, except LMH's χ̄² mixture), ``df`` (1; 2 for
        LMH), ``pvalue``, ``distribution`` (``"normal"`` or ``"chibar2"``).

    Examples
    --------
    Random unit effects and spatially correlated errors (λ = 0.5) on a 7 × 7 lattice:

    >>> import libpysal, numpy as np, pandas as pd
    >>> w = libpysal.weights.lat2W(7, 7); w.transform = "r"
    >>> rng = np.random.default_rng(0)
    >>> n, t = 49, 6
    >>> eps = np.linalg.solve(np.eye(n) - 0.5 * w.full()[0], rng.standard_normal((n, t)))
    >>> x1 = rng.standard_normal((n, t))
    >>> y = 1 + x1 + rng.standard_normal((n, 1)) + eps
    >>> panel = pd.DataFrame({"i": np.repeat(range(n), t), "t": np.tile(range(t), n),
    ...                       "y": y.ravel(), "x1": x1.ravel()})
    >>> for test in ("LMH", "LM1", "LM2", "CLMlambda", "CLMmu"):
    ...     res = bsk_test(panel, "y", ["x1"], w, entity="i", time="t", test=test)
    ...     print(f"{test:9s} {res.distribution:7s} {res.statistic:8.3f}  p = {res.pvalue:.2e}")
    LMH       chibar2  151.734  p = 3.18e-34
    LM1       normal    11.761  p = 6.23e-32
    LM2       normal     3.664  p = 2.48e-04
    CLMlambda normal     7.941  p = 2.00e-15
    CLMmu     normal    14.449  p = 2.54e-47
    """
    if test not in BSK_TESTS:
        raise OptionError(f"test={test!r} is not one of {list(BSK_TESTS)}")
    if isinstance(x, str) or not x:
        raise PanelError(f"x must be a non-empty list of column names, got {x!r}.")
    data = stack_panel(panel, y, list(x), entity, time)
    wmat = align_weights(w, data.entities)
    n, t = data.y.shape
    if t < 2:
        raise PanelError(
            f"the Baltagi-Song-Koh tests need at least two periods; the panel has T={t}"
        )
    design = np.concatenate([np.ones((n, t, 1)), data.x], axis=2)
    name, null = _NAMES[test]
    if test == "CLMlambda":
        stat = np.sqrt(_clm_lambda(data.y, design, wmat))
    elif test == "CLMmu":
        stat = np.sqrt(_clm_mu(data.y, design, wmat))
    else:
        lm1, lm2 = _marginal(data.y, design, wmat)
        if test != "LMH":
            stat = lm1 if test == "LM1" else lm2
        else:
            joint = max(lm1, 0.0) ** 2 + max(lm2, 0.0) ** 2
            pvalue = 0.5 * stats.chi2.sf(joint, 1) + 0.25 * stats.chi2.sf(joint, 2)
            return SpecTestResult(
                name, float(joint), 2, float(pvalue if joint > 0 else 1.0), null, "chibar2"
            )
    pvalue = 2 * stats.norm.sf(abs(stat))
    return SpecTestResult(name, float(stat), 1, float(pvalue), null, "normal")


def _ols_resid(y: np.ndarray, design: np.ndarray) -> np.ndarray:
    """(N, T) residuals of OLS of y on the (N, T, k) design."""
    xf = design.reshape(-1, design.shape[-1])
    beta, *_ = np.linalg.lstsq(xf, y.reshape(-1), rcond=None)
    return y - (xf @ beta).reshape(y.shape)


def _b(wmat: sp.csr_matrix) -> float:
    """b = tr(W² + W'W), exact from the sparse W."""
    return float(wmat.multiply(wmat.T).sum() + wmat.multiply(wmat).sum())


def _marginal(y: np.ndarray, design: np.ndarray, wmat: sp.csr_matrix) -> tuple[float, float]:
    """LM1 and LM2 from the pooled OLS residuals."""
    n, t = y.shape
    e = _ols_resid(y, design)
    ee = float(np.sum(e * e))
    lm1 = np.sqrt(n * t / (2 * (t - 1))) * (float(np.sum(e.sum(axis=1) ** 2)) / ee - 1)
    lm2 = np.sqrt(n**2 * t / _b(wmat)) * float(np.sum(e * (wmat @ e))) / ee
    return float(lm1), float(lm2)


def _search(negll, bounds: tuple[float, float], what: str) -> float:
    res = opt.minimize_scalar(
        negll, bounds=bounds, method="bounded", options={"xatol": 1e-10, "maxiter": 500}
    )
    if not res.success:
        raise ConvergenceError(
            f"the ML search for {what} of the Baltagi-Song-Koh conditional test did not converge "
            f"({res.message})"
        )
    return float(res.x)


def re_ml_resid(y: np.ndarray, design: np.ndarray) -> tuple[np.ndarray, float]:
    """Residuals y − Xβ̂ of the ML random-effects model (no spatial term) and φ̂ = σ²_μ/σ²_ν.

    Concentrated log-likelihood in φ (Baltagi 2005, *Econometric Analysis of Panel Data*, §3.3.3):
    ℓ(φ) = −NT/2 ln σ̂²(φ) − N/2 ln(1 + Tφ), σ̂²(φ) the mean square of the GLS residuals after
    quasi-demeaning with 1 − (1 + Tφ)^{-1/2}.
    """
    n, t = y.shape

    def gls(phi: float) -> tuple[np.ndarray, np.ndarray]:
        theta = 1 - 1 / np.sqrt(1 + t * phi)
        ys = y - theta * y.mean(axis=1, keepdims=True)
        xs = design - theta * design.mean(axis=1, keepdims=True)
        beta, *_ = np.linalg.lstsq(xs.reshape(-1, xs.shape[-1]), ys.reshape(-1), rcond=None)
        return beta, ys - xs @ beta

    def negll(log_phi: float) -> float:
        phi = np.exp(log_phi)
        _, es = gls(phi)
        return n * t / 2 * np.log(np.mean(es**2)) + n / 2 * np.log1p(t * phi)

    phi = float(np.exp(_search(negll, tuple(np.log(_PHI_BOUNDS)), "phi")))
    beta, _ = gls(phi)
    return y - design @ beta, phi


def sem_ml_resid(
    y: np.ndarray, design: np.ndarray, wmat: sp.csr_matrix
) -> tuple[np.ndarray, float]:
    """Residuals y − Xβ̂ of the ML pooled spatial error model and λ̂.

    Concentrated log-likelihood (Anselin 1988, eq. 12.17, per period): ℓ(λ) = −NT/2 ln σ̂²(λ) +
    T ln|I − λW|, σ̂²(λ) the mean square of the OLS residuals of (I_T ⊗ B)y on (I_T ⊗ B)X.
    """
    n, t = y.shape
    wy = wmat @ y
    wx = (wmat @ design.reshape(n, -1)).reshape(design.shape)
    engine = LogDet(wmat)
    # a row-standardised W under "lu": (−1, 1) ⊆ `bounds` gives the same interval once clipped to
    # ±_SEM_BOUND, without ARPACK's smallest eigenvalue (`LogDet.lower_is_provisional`)
    interval = engine.search_interval if engine.lower_is_provisional else engine.bounds
    lower = max(interval[0], -_SEM_BOUND)
    upper = min(interval[1], _SEM_BOUND)

    def gls(lam: float) -> tuple[np.ndarray, np.ndarray]:
        ys, xs = y - lam * wy, design - lam * wx
        beta, *_ = np.linalg.lstsq(xs.reshape(-1, xs.shape[-1]), ys.reshape(-1), rcond=None)
        return beta, ys - xs @ beta

    def negll(lam: float) -> float:
        _, es = gls(lam)
        return n * t / 2 * np.log(np.mean(es**2)) - t * engine(lam)

    lam = _search(negll, (lower, upper), "lambda")
    beta, _ = gls(lam)
    return y - design @ beta, lam


def _clm_lambda(y: np.ndarray, design: np.ndarray, wmat: sp.csr_matrix) -> float:
    """LM_λ of the module docstring (before the square root)."""
    n, t = y.shape
    u, _ = re_ml_resid(y, design)
    means = u.mean(axis=1, keepdims=True)
    sigma_v = float(np.sum(u * (u - means))) / (n * (t - 1))
    sigma_1 = float(np.sum(u * means)) / n
    sym = wmat + wmat.T
    sym_u = sym @ u
    between = np.repeat(sym_u.mean(axis=1, keepdims=True), t, axis=1)  # (J̄_T ⊗ (W + W'))u
    prod = sigma_v / sigma_1**2 * between + (sym_u - between) / sigma_v
    d = 0.5 * float(np.sum(u * prod))
    return d**2 / (((t - 1) + sigma_v**2 / sigma_1**2) * _b(wmat))


def _clm_mu(y: np.ndarray, design: np.ndarray, wmat: sp.csr_matrix) -> float:
    """LM_μ of the module docstring (before the square root)."""
    n, t = y.shape
    u, lam = sem_ml_resid(y, design, wmat)
    b = (sp.identity(n, format="csr") - lam * wmat).tocsr()
    bb = (b.T @ b).tocsc()
    sigma2 = float(np.sum(u * (bb @ u))) / (n * t)
    s4 = sigma2**2
    bb_sum = bb @ u.sum(axis=1)
    trace_bb = float(bb.diagonal().sum())
    d_mu = -t / (2 * sigma2) * trace_bb + float(bb_sum @ bb_sum) / (2 * s4)
    m = (wmat.T @ b + b.T @ wmat).tocsr()
    small_d = float(m.diagonal().sum())
    small_e = float(bb.multiply(bb).sum())  # tr((B'B)²), B'B symmetric
    small_h = trace_bb
    small_g, small_c = _g_traces(m, bb)
    num = 2 * s4 / t * (n * s4 * small_c - s4 * small_g**2)
    den = (
        n * t * s4 * small_e * small_c
        - n * s4 * small_d**2
        - t * s4 * small_g**2 * small_e
        + 2 * s4 * small_g * small_h * small_d
        - s4 * small_h**2 * small_c
    )
    return d_mu**2 * num / den


def _g_traces(m: sp.csr_matrix, bb: sp.csc_matrix) -> tuple[float, float]:
    """tr G and tr G² for G = M (B'B)^{-1}: exact with unit vectors, else Hutchinson probes."""
    n = m.shape[0]
    if n <= EXACT_MAX_N:
        u, scale = np.eye(n), 1.0
    else:
        probes = int(np.clip(500_000 // n, 30, 200))
        u = np.random.default_rng(0).choice(np.array([-1.0, 1.0]), size=(n, probes))
        scale = 1.0 / probes
    lu = spla.splu(bb, permc_spec="MMD_AT_PLUS_A")
    gu = m @ lu.solve(u)
    return scale * float(np.sum(u * gu)), scale * float(np.sum(u * (m @ lu.solve(gu))))
