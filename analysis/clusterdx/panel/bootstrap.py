r"""Wild cluster bootstrap p-values and confidence intervals for one coefficient of a panel model.

The restricted wild cluster bootstrap (WCR, Cameron, Gelbach & Miller 2008, *REStat* 90, 414-427)
of the CRV1 t statistic of :math:`H_0:\beta_j=r`, in the closed form of Roodman, Nielsen,
MacKinnon & Webb (2019, *Stata J.* 19, 4-60, "fast and wild", §3): with the fixed effects projected
out, the restricted residuals :math:`\tilde u(r)` are linear in r, and so are the bootstrap
numerators :math:`\sum_g c_g v_{gb}` and cluster scores :math:`c_h v_{hb}-\sum_g D_{hg}v_{gb}`
(:math:`c_g=a'X_g'\tilde u_g`, :math:`D_{hg}=a'X_h'X_hA X_g'\tilde u_g`, :math:`A=(X'X)^{-1}`,
:math:`a=Ae_j`), so a test costs :math:`O(G^2B)` and the confidence interval is found by inverting
the test in r with the same weights (boottest's method). The small-sample factor cancels from the
p-value. Weights: Rademacher (±1; all :math:`2^G` sign vectors when that is no more than ``reps``,
as ``wildboottest`` and boottest do) or Webb's six-point distribution (Webb 2023, *Can. J. Econ.*).

Why our own: ``wildboottest`` (and pyfixest's ``wildboottest()``, built on it) return the p-value
of :math:`\beta_j=0` only, without confidence intervals; the test here agrees with it (see
``tests/panel/test_bootstrap.py``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from clusterdx.errors import EstimationError
from clusterdx.options.common import check_option
from clusterdx.options.panel import BOOTSTRAP_WEIGHTS as WEIGHTS
from clusterdx.options.panel import BootstrapWeights as Weights

_WEBB = np.array([-1, -1, -1, 1, 1, 1]) * np.sqrt(np.array([3, 2, 1, 1, 2, 3]) / 2)


@dataclass(frozen=True)
class WildBootstrapResult:
    """Wild cluster bootstrap of one coefficient.

    Attributes
    ----------
    param : str
    estimate, tstat : float
        The coefficient and its CRV1 t statistic of :math:`\\beta=r`.
    pvalue : float
        Symmetric bootstrap p-value :math:`B^{-1}\\sum_b 1(|t^*_b|>|t|)`.
    conf_int : tuple of float
        ``1 - alpha`` interval by test inversion (``nan`` where the p-value never drops to alpha
        within ±50 standard errors).
    reps, n_clusters : int
        Bootstrap draws used (2^G under full enumeration) and clusters G.
    weights : str
    full_enumeration : bool
    """

    param: str
    estimate: float
    null: float
    tstat: float
    pvalue: float
    conf_int: tuple[float, float]
    alpha: float
    reps: int
    n_clusters: int
    weights: str
    full_enumeration: bool
    seed: int


def wild_bootstrap(
    result: Any,
    param: str,
    *,
    cluster: str | None = None,
    null: float = 0.0,
    reps: int = 9999,
    weights: Weights = "rademacher",
    seed: int = 0,
    alpha: float = 0.05,
) -> WildBootstrapResult:
    """Wild cluster bootstrap (WCR) p-value and confidence interval of ``param``.

    Parameters
    ----------
    result : FixestResult or PanelResult
        An OLS fit of :func:`clusterdx.panel.fit` with ``model="pooled"`` or ``"fe"`` (any
        ``effects`` or ``absorb``); IV fits are not supported.
    param : str
        Coefficient name.
    cluster : str, optional
        ``"entity"`` (default), ``"time"`` or a column of the estimation sample.
    null : float
        r of :math:`H_0: \\beta = r`.
    reps : int
        Bootstrap draws B (a multiple of 1/alpha minus one, e.g. 9999, avoids ties).
    weights : {"rademacher", "webb"}
    seed : int
    alpha : float

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from clusterdx.panel import fit
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"region": np.repeat(np.arange(12), 6), "year": np.tile(np.arange(6), 12)})
    >>> df["x"] = rng.normal(size=72)
    >>> df["y"] = 0.3 * df["x"] + rng.normal(size=72)
    >>> res = fit(df, "y ~ x", entity="region", time="year", effects="twoways")
    >>> boot = wild_bootstrap(res, "x", reps=999, seed=1)
    >>> boot.full_enumeration, boot.reps, round(boot.pvalue, 3)
    (False, 999, 0.002)
    """
    check_option("weights", weights, WEIGHTS)
    if reps < 9 or not 0 < alpha < 1:
        raise EstimationError(f"reps={reps!r} must be at least 9 and alpha in (0, 1).")
    x, y, frame = _design(result)
    names = list(result.params.index)
    if param not in names:
        raise EstimationError(f"param={param!r} is not a coefficient; use one of {names}.")
    j = names.index(param)
    cluster = "entity" if cluster is None else cluster
    key = {"entity": frame.columns[0], "time": frame.columns[1]}.get(cluster, cluster)
    if key not in frame.columns:
        raise EstimationError(
            f"cluster={cluster!r} is neither 'entity', 'time' nor a column of the sample."
        )
    groups = pd.factorize(frame[key])[0]
    n_groups = int(groups.max()) + 1
    if n_groups < 2:
        raise EstimationError("the wild cluster bootstrap needs at least two clusters.")
    v, full = _draw(weights, n_groups, reps, seed)
    test = _Test(x, y, groups, n_groups, j)
    p0 = test.pvalue(null, v)
    beta, se = test.beta[j], test.se
    lower = _invert(test, v, alpha, beta - 50 * se)
    upper = _invert(test, v, alpha, beta + 50 * se)
    return WildBootstrapResult(
        param=param,
        estimate=float(beta),
        null=float(null),
        tstat=float(test.tstat(null)),
        pvalue=p0,
        conf_int=(lower, upper),
        alpha=alpha,
        reps=v.shape[1],
        n_clusters=n_groups,
        weights=weights,
        full_enumeration=full,
        seed=seed,
    )


class _Test:
    """Precomputed pieces of the WCR test of coefficient ``j`` (linear in the null value)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int, j: int):
        self.j = j
        a_inv = np.linalg.inv(x.T @ x)
        self.beta = a_inv @ x.T @ y
        a = a_inv[:, j]
        others = np.delete(x, j, axis=1)
        # restricted residuals u(r) = u0 - r * ux
        u0 = y - others @ np.linalg.lstsq(others, y, rcond=None)[0] if others.size else y
        col = x[:, j]
        ux = col - others @ np.linalg.lstsq(others, col, rcond=None)[0] if others.size else col
        xa = x @ a
        onehot = np.zeros((len(y), n_groups))
        onehot[np.arange(len(y)), groups] = 1.0
        self.c0, self.cx = onehot.T @ (xa * u0), onehot.T @ (xa * ux)
        q = np.stack([a_inv @ (x[groups == g].T @ xa[groups == g]) for g in range(n_groups)])
        s0 = np.stack([x[groups == g].T @ u0[groups == g] for g in range(n_groups)])
        sx = np.stack([x[groups == g].T @ ux[groups == g] for g in range(n_groups)])
        self.d0, self.dx = q @ s0.T, q @ sx.T
        resid = y - x @ self.beta
        scores = onehot.T @ (xa * resid)
        self.se = float(np.sqrt(scores @ scores))

    def tstat(self, r: float) -> float:
        """Unscaled CRV1 t statistic of the original sample (the factor cancels)."""
        return float((self.beta[self.j] - r) / self.se)

    def pvalue(self, r: float, v: np.ndarray) -> float:
        """Share of bootstrap |t*| at least |t|."""
        c = self.c0 - r * self.cx
        d = self.d0 - r * self.dx
        numer = c @ v
        scores = c[:, None] * v - d @ v
        t_boot = numer / np.sqrt((scores**2).sum(axis=0))
        # strictly greater, as Roodman et al. (2019, eq. 8) and wildboottest; the draws v = ±1
        # reproduce |t| itself up to rounding, hence the relative margin
        return float(np.mean(np.abs(t_boot) > abs(self.tstat(r)) * (1 + 1e-10)))


def _invert(test: _Test, v: np.ndarray, alpha: float, far: float) -> float:
    """The null value between the estimate and ``far`` where the p-value falls to alpha."""
    beta = float(test.beta[test.j])

    def gap(r: float) -> float:
        return test.pvalue(r, v) - alpha

    if gap(far) > 0:
        return float("nan")
    return float(optimize.bisect(gap, min(far, beta), max(far, beta), xtol=1e-10 * test.se))


def _draw(weights: str, n_groups: int, reps: int, seed: int) -> tuple[np.ndarray, bool]:
    """Bootstrap weights (G × B) and whether all Rademacher sign vectors are enumerated."""
    if weights == "rademacher" and 2**n_groups <= reps:
        signs = np.array(list(itertools.product([1.0, -1.0], repeat=n_groups))).T
        return signs, True
    rng = np.random.default_rng(seed)
    if weights == "rademacher":
        return rng.choice([-1.0, 1.0], size=(n_groups, reps)), False
    return rng.choice(_WEBB, size=(n_groups, reps)), False


def _design(result: Any) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Demeaned regressors and response of an OLS fit, and its sample (entity, time first)."""
    from clusterdx.panel.iv import FixestResult, fit_fixest

    if isinstance(result, FixestResult):
        if result.endog:
            raise EstimationError("wild_bootstrap covers OLS fits; this result is an IV fit.")
        fixest = result
    else:
        if result.model not in ("pooled", "fe"):
            raise EstimationError(
                f"wild_bootstrap covers model='pooled' or 'fe', not {result.model!r}."
            )
        data = result.data.reset_index()
        exog = [name for name in result.exog_names if name != "const"]
        effects = None if result.model == "pooled" else result.effects
        entity, time = result.data.index.names
        fixest = fit_fixest(
            data, f"{result.depvar} ~ {' + '.join(exog)}", entity, time, result.model, effects,
            cov="robust",
        )  # fmt: skip
    raw = fixest.raw
    frame = fixest.data
    return np.asarray(raw._X, float), np.asarray(raw._Y, float).ravel(), frame
