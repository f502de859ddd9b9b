"""Specification tests between fitted spatial panel models: LR, Wald (common factor) and Hausman.

- Likelihood ratio: LR = 2(ℓ_u − ℓ_r) ~ χ²(q) for nested models fitted to the same data (e.g. SDM
  against SAR or SEM; Elhorst 2014, *Spatial Econometrics*, §3.5).
- Wald tests of the restrictions that reduce the SDM (Elhorst 2014, §3.5; LeSage & Pace 2009, §6.1):
  SAR, θ = 0; SEM, the common-factor restriction θ + ρβ = 0 (nonlinear, delta method, Burridge 1981,
  *JRSS B* 43:41-50); SLX, ρ = 0. For the SDEM: SEM, θ = 0; SLX, λ = 0.
  W = g(θ̂)' [J Σ̂ J']^{-1} g(θ̂) ~ χ²(q) with J = ∂g/∂θ'.
- Spatial Hausman test of fixed against random effects (Mutl & Pfaffermayr 2011, *Econometrics
  Journal* 14:48-76; splm ``sphtest``): H = d'(Σ_FE − Σ_RE)^{-1} d on the common slope
  coefficients (as splm, not the spatial parameters), d = β̂_FE − β̂_RE, χ²(q).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from scipy import stats

from clusterdx.errors import EstimationError, OptionError
from clusterdx.results import TestStatistic
from clusterdx.spatial._results import SpatialPanelResults

Restriction = Literal["sar", "sem", "slx"]
RESTRICTIONS: tuple[str, ...] = get_args(Restriction)
_NOT_COMPARED = ("const", "sigma2", "phi", "rho", "lambda")


@dataclass(frozen=True)
class SpecTestResult(TestStatistic):
    """Outcome of a χ² specification test (a `clusterdx.results.TestStatistic`).

    Attributes
    ----------
    name : str
        The test, e.g. ``"LR test"``.
    statistic : float
        The χ² statistic.
    df : int
        Its degrees of freedom.
    pvalue : float
        Upper-tail probability of ``statistic`` under χ²(df).
    null : str
        The null hypothesis in words.
    distribution : str
        Reference distribution of ``statistic``: ``"chi2"`` (χ²(df), the default), ``"normal"``
        (a standard normal statistic with two-sided p = P(χ²₁ > z²), df 1) or ``"chibar2"``
        (the mixture ¼χ²(0) + ½χ²(1) + ¼χ²(2) of a one-sided joint test, df 2).

    Examples
    --------
    >>> import libpysal
    >>> from clusterdx import spatial
    >>> from clusterdx.datasets import spatial_panel
    >>> w = libpysal.weights.lat2W(5, 5); w.transform = "r"
    >>> panel = spatial_panel(w, 5, beta=[1.0, -0.5], theta=[0.5, 0.0], rho=0.4, seed=0)
    >>> sdm = spatial.fit(panel, y="y", x=["x1", "x2"], w=w, model="sdm",
    ...                   effects="twoways")
    >>> test = spatial.wald_test(sdm, "sar")
    >>> test.name, test.df, test.null
    ('Wald test SDM -> SAR', 2, 'theta = 0')
    >>> round(test.statistic, 3), round(test.pvalue, 4)
    (4.703, 0.0952)
    """

    __test__ = False


def _chi2(name: str, stat: float, df: int, null: str) -> SpecTestResult:
    return SpecTestResult(name, float(stat), int(df), float(stats.chi2.sf(stat, df)), null)


def lr_test(unrestricted: SpatialPanelResults, restricted: SpatialPanelResults) -> SpecTestResult:
    """Likelihood-ratio test of a restricted against an unrestricted nested model.

    Both models must be fitted to the same data with the same effects and bias correction;
    the degrees of freedom are the difference in the number of parameters.

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
    >>> sar = spatial.fit(panel, y="y", x=["x1", "x2"], w=w, model="sar",
    ...                   effects="twoways")
    >>> print(spatial.lr_test(sdm, sar))
    LR test: chi2(2) = 4.6271, p = 0.09891 (H0: SAR against SDM)
    >>> round(2 * (sdm.llf - sar.llf), 4)
    4.6271
    """
    for attr in (
        "depvar",
        "nobs",
        "effects",
        "bias_correction",
        "exog_names",
        "entities",
        "periods",
    ):
        a, b = getattr(unrestricted, attr), getattr(restricted, attr)
        if a != b:
            shown = (a, b) if attr not in ("entities", "periods") else ("...", "...")
            raise EstimationError(
                f"lr_test needs models fitted alike, but {attr} differs ({shown[0]!r} vs "
                f"{shown[1]!r})"
            )
    df = len(unrestricted.params) - len(restricted.params)
    if df <= 0:
        raise EstimationError(
            f"the 'unrestricted' {unrestricted.model.upper()} has {len(unrestricted.params)} "
            f"parameters and the 'restricted' {restricted.model.upper()} has "
            f"{len(restricted.params)}; pass the larger model first"
        )
    stat = 2 * (unrestricted.llf - restricted.llf)
    if stat < 0:
        warnings.warn(
            f"the restricted model has the higher log-likelihood (LR = {stat:.4g}); the models "
            "may not be nested or one fit did not reach its maximum",
            RuntimeWarning,
            stacklevel=2,
        )
    null = f"{restricted.model.upper()} against {unrestricted.model.upper()}"
    return _chi2("LR test", max(stat, 0.0), df, null)


def wald_test(res: SpatialPanelResults, restriction: Restriction) -> SpecTestResult:
    """Wald test that an SDM (or SDEM) reduces to ``"sar"``, ``"sem"`` or ``"slx"``.

    SDM → SAR: θ = 0; SDM → SEM: θ + ρβ = 0 (delta method); SDM → SLX: ρ = 0;
    SDEM → SEM: θ = 0; SDEM → SLX: λ = 0.

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
    >>> for restriction in ("sar", "sem", "slx"):
    ...     print(spatial.wald_test(sdm, restriction))
    Wald test SDM -> SAR: chi2(2) = 4.7032, p = 0.09522 (H0: theta = 0)
    Wald test SDM -> SEM: chi2(2) = 23.3100, p = 8.676e-06 (H0: theta + rho * beta = 0 (common factor))
    Wald test SDM -> SLX: chi2(1) = 8.8467, p = 0.002936 (H0: rho = 0)
    """
    if restriction not in RESTRICTIONS:
        raise OptionError(f"restriction={restriction!r} is not one of {list(RESTRICTIONS)}")
    if res.model not in ("sdm", "sdem") or (res.model == "sdem" and restriction == "sar"):
        raise EstimationError(
            f"wald_test(res, {restriction!r}) needs an SDM (sar / sem / slx) or an SDEM (sem / "
            f"slx) fit, got {res.model.upper()}"
        )
    names = list(res.exog_names)
    wnames = [f"W_{v}" for v in names if f"W_{v}" in res.params.index]
    k = len(wnames)
    partial = k < len(names) or getattr(res, "w_durbin", None) is not None
    if partial and restriction == "sem" and res.model == "sdm":
        raise EstimationError(
            "the common-factor test SDM -> SEM needs Durbin terms W x on every regressor with the "
            "lag matrix W; this fit has durbin= or w_durbin= (test 'sar' or 'slx' instead)"
        )
    if restriction == "slx":
        key = "rho" if res.model == "sdm" else "lambda"
        keys = [key]
        g = np.array([res.params[key]])
        jac = np.ones((1, 1))
        null = f"{key} = 0"
    elif restriction == "sar" or res.model == "sdem":
        keys = wnames
        g = res.params[wnames].to_numpy()
        jac = np.eye(k)
        null = "theta = 0"
    else:
        keys = [*names, *wnames, "rho"]
        beta, theta, rho = res.params[names].to_numpy(), res.params[wnames].to_numpy(), res.rho
        g = theta + rho * beta
        jac = np.hstack([rho * np.eye(k), np.eye(k), beta[:, None]])
        null = "theta + rho * beta = 0 (common factor)"
    cov = jac @ res.cov.loc[keys, keys].to_numpy() @ jac.T
    stat = float(g @ np.linalg.solve(cov, g))
    return _chi2(f"Wald test {res.model.upper()} -> {restriction.upper()}", stat, len(g), null)


def hausman(fe_res: SpatialPanelResults, re_res: SpatialPanelResults) -> SpecTestResult:
    """Spatial Hausman test of fixed (``fe_res``) against random (``re_res``) effects.

    Compares the slope coefficients the two fits share (regressors and ``W_<x>``; not ``const``,
    the spatial parameters, ``phi`` or ``sigma2``, as splm's ``sphtest``). If Σ_FE − Σ_RE is not
    positive definite its pseudo-inverse is used, with a warning.

    Examples
    --------
    >>> import libpysal
    >>> from clusterdx import spatial
    >>> from clusterdx.datasets import spatial_panel
    >>> w = libpysal.weights.lat2W(5, 5); w.transform = "r"
    >>> panel = spatial_panel(w, 5, beta=[1.0, -0.5], theta=[0.5, 0.0], rho=0.4, seed=0)
    >>> fe = spatial.fit(panel, y="y", x=["x1", "x2"], w=w, model="sar",
    ...                  effects="individual")
    >>> re = spatial.fit(panel, y="y", x=["x1", "x2"], w=w, model="sar",
    ...                  effects="random")
    >>> test = spatial.hausman(fe, re)
    >>> test.df, round(test.statistic, 3), round(test.pvalue, 4)
    (2, 17.463, 0.0002)
    """
    if fe_res.effects not in ("individual", "twoways", "time") or re_res.effects != "random":
        raise EstimationError(
            f"hausman(fe_res, re_res) needs a fixed-effects fit then a random-effects fit, got "
            f"effects={fe_res.effects!r} and {re_res.effects!r}"
        )
    keys = [p for p in fe_res.params.index if p in re_res.params.index and p not in _NOT_COMPARED]
    if not keys:
        raise EstimationError("the two fits share no coefficients to compare")
    d = fe_res.params[keys].to_numpy() - re_res.params[keys].to_numpy()
    diff = fe_res.cov.loc[keys, keys].to_numpy() - re_res.cov.loc[keys, keys].to_numpy()
    vals = np.linalg.eigvalsh((diff + diff.T) / 2)
    if vals.min() <= 0:
        warnings.warn(
            "the covariance difference of the Hausman test is not positive definite; using its "
            "pseudo-inverse",
            RuntimeWarning,
            stacklevel=2,
        )
        stat = float(d @ np.linalg.pinv(diff) @ d)
    else:
        stat = float(d @ np.linalg.solve(diff, d))
    return _chi2("Spatial Hausman test", stat, len(keys), "random effects are consistent")
