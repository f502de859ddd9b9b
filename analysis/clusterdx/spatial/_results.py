"""Result object of the spatial panel ML estimators: estimates, covariance, tests, summary."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from clusterdx._display import ResultDisplay, Summary
from clusterdx.errors import OptionError
from clusterdx.results import Covariance, EstimationResult

if TYPE_CHECKING:
    from clusterdx.spatial.logdet import LogDet

_EFFECT_LABELS = {
    "individual": "individual fixed effects",
    "time": "time fixed effects",
    "twoways": "two-way fixed effects",
    "random": "individual random effects",
    "pooled": "no effects (pooled)",
}


def squared_correlation(actual: np.ndarray, fitted: np.ndarray) -> float | None:
    """Pseudo-R²: the squared Pearson correlation of ``actual`` and ``fitted`` (spreg ``pr2``).

    None when either is constant (the correlation is undefined).

    >>> round(squared_correlation(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 3.0, 2.0, 4.0])), 12)
    0.64
    """
    a, f = np.asarray(actual, dtype=float), np.asarray(fitted, dtype=float)
    if np.ptp(a) == 0 or np.ptp(f) == 0:
        return None
    return float(np.corrcoef(a, f)[0, 1] ** 2)


@dataclass(eq=False, repr=False)
class SpatialPanelResults(ResultDisplay, EstimationResult):
    """Estimates of a spatial panel model fitted by :func:`clusterdx.spatial.fit`.

    Attributes
    ----------
    params : pandas.Series
        Estimates indexed by ``const`` (random / pooled), the x names, ``W_<x>``, ``rho``,
        ``lambda``, ``phi`` (random effects: σ²_μ/σ²) and ``sigma2`` (ML estimate e'e/n).
    cov : pandas.DataFrame
        Asymptotic covariance of ``params``: inverse analytic information matrix for fixed effects
        and pooled models; for random effects GLS for β given (ρ, φ) and the numerical Hessian
        for (ρ, φ), as splm's ``spreml`` (see :mod:`clusterdx.spatial.models`).
    cov_type : str
        Which of the two: ``"analytic information matrix"`` or ``"gls and numerical hessian"``.
    llf : float
        Full Gaussian log-likelihood of the transformed model.
    nobs : int
        Number of observations N·T in the data (before any transformation).
    resid : numpy.ndarray
        Residuals of the demeaned (random effects: quasi-demeaned; pooled: raw) data,
        entity-major (entity i, period t at i·T + t).
    engine : LogDet
        The log-determinant object of W (eigenvalues or moments reused by ``impacts``).
    bias_method : str or None
        Lee-Yu correction applied: ``"transformation"``, ``"direct"`` or None.
    theta_re : float
        Random effects: the quasi-demeaning weight θ = 1 − (1 + Tφ)^{-1/2}; 0 otherwise.
    w_error, w_durbin : scipy.sparse.csr_matrix or None
        The weights matrices of the error process and of the Durbin terms, aligned to
        ``entities``, when they differ from W (``fit(..., w_error=, w_durbin=)``); else None.
    pseudo_r2 : float or None
        Squared correlation of the (transformed) dependent variable and the fitted values
        ŷ = ρWy + Xβ (+ WXθ; the lagged outcomes τy₋₁ + ψWy₋₁ of dynamic models), the spatial
        error process left out: spreg's ``pr2`` of ``ML_Lag`` / ``ML_LagFE`` (ŷ = y − u) and
        ``ML_Error`` (ŷ = Xβ) (Anselin & Rey 2014, *Modern Spatial Econometrics in Practice*,
        §8.3). It is not an R² of a least-squares fit: tables label it 伪R² / Pseudo R².
    n_likelihood : int or None
        Observations the log-likelihood runs over (N(T−1) or (N−1)(T−1) after the Lee-Yu
        transformation; N·T, the default, otherwise); the n of ``bic``.

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
    >>> type(sdm).__name__, sdm.model, sdm.nobs, sdm.n_entities, sdm.n_periods
    ('SpatialPanelResults', 'sdm', 125, 25, 5)
    >>> sdm.params.round(3).to_dict()
    {'x1': 0.993, 'x2': -0.662, 'W_x1': 0.374, 'W_x2': -0.337, 'rho': 0.353, 'sigma2': 0.986}
    >>> round(sdm.rho, 3), round(float(sdm.bse["rho"]), 3), sdm.lam
    (0.353, 0.119, None)
    >>> sdm.conf_int().loc["rho"].round(3).tolist()
    [0.12, 0.586]
    >>> sdm.fixed_effects
    {'entity': True, 'time': True}
    """

    params: pd.Series
    cov: pd.DataFrame
    llf: float
    nobs: int
    n_entities: int
    n_periods: int
    model: str
    effects: str
    bias_correction: bool
    depvar: str
    exog_names: list[str]
    entities: list[Hashable]
    periods: list[Hashable]
    logdet_method: str
    resid: np.ndarray = field(repr=False)
    engine: LogDet = field(repr=False)
    theta_re: float = 0.0
    bias_method: str | None = None
    cov_type: str = Covariance("analytic information matrix", kind="information")
    rsquared: float | None = None
    weights_transform: str = ""
    w_error: Any = field(default=None, repr=False)
    w_durbin: Any = field(default=None, repr=False)
    pseudo_r2: float | None = None
    n_likelihood: int | None = None

    rsquared_within = property(lambda self: None, doc="Not a least-squares fit: None.")

    @property
    def bse(self) -> pd.Series:
        """Standard errors (square roots of the diagonal of ``cov``)."""
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.params.index, name="bse")

    @property
    def tvalues(self) -> pd.Series:
        """z statistics ``params / bse``."""
        return (self.params / self.bse).rename("tvalues")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values from the standard normal distribution."""
        return pd.Series(
            2 * stats.norm.sf(np.abs(self.tvalues.to_numpy())),
            index=self.params.index,
            name="pvalues",
        )

    @property
    def rho(self) -> float | None:
        """Spatial lag coefficient ρ (None when the model has none)."""
        return float(self.params["rho"]) if "rho" in self.params.index else None

    @property
    def lam(self) -> float | None:
        """Spatial error coefficient λ (None when the model has none)."""
        return float(self.params["lambda"]) if "lambda" in self.params.index else None

    @property
    def sigma2(self) -> float:
        """ML estimate of the idiosyncratic error variance."""
        return float(self.params["sigma2"])

    @property
    def df_model(self) -> int:
        """Parameters counted by ``aic`` / ``bic``: every estimate but σ² (β, θ, ρ, λ, φ, τ, ψ).

        spreg's ``akaike`` / ``schwarz`` count the coefficients and the spatial parameter, not σ²
        (``ML_Lag``: ``k += 1`` for ρ), and no fixed effects; so do we, so the numbers compare.
        """
        return int(len(self.params) - ("sigma2" in self.params.index))

    @property
    def aic(self) -> float:
        """Akaike (1974) information criterion 2k − 2 ln L, k = ``df_model`` (spreg ``aic``)."""
        return float(2 * self.df_model - 2 * self.llf)

    @property
    def bic(self) -> float:
        """Schwarz (1978) criterion k ln n − 2 ln L, n = ``n_likelihood`` (spreg ``schwarz``)."""
        n = self.n_likelihood or self.nobs
        return float(self.df_model * np.log(n) - 2 * self.llf)

    @property
    def bias_convention(self) -> str | None:
        """Lee-Yu convention of a fixed-effects model: ``"none"``, ``"transformation"`` or
        ``"direct"``; None for random effects and pooled models (stated in table notes)."""
        if self.effects in ("random", "pooled"):
            return None
        return self.bias_method or "none"

    @property
    def fixed_effects(self) -> dict[str, bool]:
        """Which fixed effects were swept out: ``{"entity": bool, "time": bool}``."""
        return {
            "entity": self.effects in ("individual", "twoways"),
            "time": self.effects in ("time", "twoways"),
        }

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald confidence intervals ``params ± z_{1−α/2} · bse``, columns ``lower`` / ``upper``."""
        if not 0 < alpha < 1:
            raise OptionError(f"alpha={alpha} must lie strictly between 0 and 1")
        half = stats.norm.ppf(1 - alpha / 2) * self.bse
        return pd.DataFrame({"lower": self.params - half, "upper": self.params + half})

    def impacts(self, draws: int = 1000, seed: int = 0):
        """Direct, indirect and total impacts (LeSage & Pace 2009); see :func:`effects.impacts`."""
        from clusterdx.spatial.effects import impacts

        return impacts(self, draws=draws, seed=seed)

    def summary(self) -> Summary:
        """A plain-text table of estimates (a ``str``; HTML in Jupyter, ``.as_latex()``)."""
        table = pd.DataFrame(
            {
                "coef": self.params,
                "std err": self.bse,
                "z": self.tvalues,
                "P>|z|": self.pvalues,
            }
        )
        ci = self.conf_int()
        table["[0.025"] = ci["lower"]
        table["0.975]"] = ci["upper"]
        head = [
            f"Spatial panel ML: {self.model.upper()}, {_EFFECT_LABELS[self.effects]}",
            f"Dependent variable: {self.depvar}",
            f"N = {self.n_entities}, T = {self.n_periods}, observations = {self.nobs}",
            f"Lee-Yu bias correction: {self.bias_method or 'no'}",
            f"Log-likelihood: {self.llf:.4f}   log-determinant: {self.logdet_method}",
            f"AIC: {self.aic:.4f}   BIC: {self.bic:.4f}   pseudo R²: "
            + ("n/a" if self.pseudo_r2 is None else f"{self.pseudo_r2:.4f}"),
            f"Covariance: {self.cov_type}",
        ]
        if self.weights_transform:
            head.append(f"Spatial weights: {self.weights_transform}")
        text = "\n".join(head) + "\n" + table.to_string(float_format=lambda v: f"{v:.6g}")
        return Summary(text, self)

    def __str__(self) -> str:
        return self.summary()
