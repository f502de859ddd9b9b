"""The results contract: what every clusterdx estimation result offers the tables and the user.

Shape taken from linearmodels' ``panel/results.py`` (one results family) and ``shared/hypotheses.py``
(one test-statistic type):

- `EstimationResult`: the base of estimation results. Subclasses provide ``params``, ``bse``,
  ``pvalues`` (Series by term), ``nobs``, ``depvar``, ``model`` (the model code), ``fixed_effects``
  (``{"entity": bool, "time": bool}`` or None), ``cov_type`` (a `Covariance`), ``rsquared`` /
  ``rsquared_within`` / ``llf`` (None where they do not apply); the base adds ``tvalues``,
  ``covariance`` and ``model_label(lang)``.
- `Covariance`: how the covariance was estimated, structured (``kind``, ``cluster``), that is a
  ``str`` (its English description, as ``cov_type`` always was) and renders itself in Chinese or
  English with ``describe``.
- `TestStatistic`: a χ² (or other) test: name, statistic, df, p-value, null hypothesis.
- `ForwardingResult`: the base of wrapper results (moderation, event study, threshold) that hold
  the regression in ``fit`` and forward the contract to it.

Examples
--------
>>> from clusterdx.results import Covariance
>>> cov = Covariance("clustered by province (G = 31), CRV1 factor", kind="cluster", cluster="province")
>>> cov.split(",")[0], cov.kind
('clustered by province (G = 31)', 'cluster')
>>> cov.describe("zh", {"province": "省份"})
'在省份层面聚类的稳健标准误'
>>> Covariance("analytic information matrix", kind="information").describe("en")
'maximum-likelihood (analytic information matrix)'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from clusterdx.errors import EstimationError

Lang = Literal["zh", "en"]

CovKind = Literal[
    "unadjusted",
    "robust",
    "cluster",
    "driscoll-kraay",
    "information",
    "gls-hessian",
    "sandwich",
    "influence",
    "other",
]

#: Wording of each covariance kind (a cluster names its level: ``{name}``).
COV_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "unadjusted": "常规标准误",
        "robust": "异方差稳健标准误",
        "cluster": "在{name}层面聚类的稳健标准误",
        "driscoll-kraay": "Driscoll-Kraay标准误",
        "information": "基于解析信息矩阵的极大似然标准误",
        "gls-hessian": "极大似然标准误（β为GLS标准误，ρ、φ基于数值Hessian矩阵）",
        "sandwich": "Yu等（2008）的三明治稳健标准误",
        "influence": "基于影响函数、在个体层面聚类的标准误（Callaway和Sant'Anna，2021）",
    },
    "en": {
        "information": "maximum-likelihood (analytic information matrix)",
        "gls-hessian": (
            "maximum-likelihood (GLS for β given ρ and φ, numerical Hessian for ρ and φ)"
        ),
        "sandwich": "sandwich (Yu, de Jong & Lee 2008, Theorem 2)",
    },
}
_CLUSTER_LEVELS_ZH = {"entity": "个体", "time": "时间", "both": "个体和时间"}

#: Display names of the model codes; a code not listed (the spatial ones: SAR, SDM, ...) displays
#: upper-cased.
MODEL_NAMES: dict[str, dict[str, str]] = {
    "zh": {
        "pooled": "混合OLS",
        "fe": "固定效应",
        "re": "随机效应",
        "between": "组间估计",
        "fd": "一阶差分",
        "event study": "事件研究",
        "callaway-sant'anna": "异质性稳健DID",
        "twfe": "双向固定效应",
    },
    "en": {
        "pooled": "Pooled OLS",
        "fe": "FE",
        "re": "RE",
        "between": "Between",
        "fd": "FD",
        "event study": "Event study",
        "callaway-sant'anna": "Callaway-Sant'Anna",
        "twfe": "TWFE",
    },
}


class Covariance(str):
    """A covariance convention: its English description (the ``str``) plus its structure.

    Parameters
    ----------
    text : str
        The full description, with small-sample factors (``"clustered by entity (G = 31), ..."``).
    kind : {"unadjusted", "robust", "cluster", "driscoll-kraay", "information", "gls-hessian",
        "sandwich", "influence", "other"}
    cluster : str, optional
        The cluster variable of ``kind="cluster"`` (``"entity"``, ``"time"``, ``"both"`` or a
        column), named in the Chinese wording through the table's labels.
    """

    kind: str
    cluster: str | None

    def __new__(cls, text: str, kind: CovKind = "other", cluster: str | None = None) -> Covariance:
        obj = super().__new__(cls, text)
        obj.kind, obj.cluster = kind, cluster
        return obj

    def describe(self, lang: Lang, labels: Mapping[str, str] | None = None) -> str:
        """The convention in words for a table note (English: the description itself)."""
        words = COV_WORDS[lang].get(self.kind)
        if words is None:
            return str(self)
        if self.kind == "cluster":
            level = self.cluster or "entity"
            name = _CLUSTER_LEVELS_ZH.get(level) or (labels or {}).get(level, level)
            return words.format(name=name)
        return words


@dataclass(frozen=True)
class TestStatistic:
    """Outcome of a test: ``statistic`` ~ ``distribution`` with ``df`` degrees of freedom.

    ``pvalue`` is its upper-tail probability; ``null`` the null hypothesis in words.
    """

    __test__ = False  # not a pytest class

    name: str
    statistic: float
    df: int
    pvalue: float
    null: str

    #: The reference distribution: "chi2" (χ²(df)), "normal" (a standard normal statistic with
    #: a two-sided p) or "chibar2" (the mixture ¼χ²(0) + ½χ²(1) + ¼χ²(2) of a one-sided joint test).
    distribution: str = "chi2"

    def __str__(self) -> str:
        law = {"normal": "N(0,1)", "chibar2": "chibar2(0,1,2)"}.get(
            self.distribution, f"chi2({self.df})"
        )
        return f"{self.name}: {law} = {self.statistic:.4f}, p = {self.pvalue:.4g} (H0: {self.null})"


class EstimationResult:
    """Base of the estimation results (the attributes are listed in the module docstring)."""

    params: pd.Series
    bse: pd.Series
    pvalues: pd.Series
    nobs: int
    depvar: str
    model: str
    cov_type: str
    fixed_effects: dict[str, bool] | None
    rsquared: float | None
    rsquared_within: float | None
    llf: float | None
    #: First differences: whether the differenced equation has an intercept (None otherwise).
    fd_intercept: bool | None = None
    #: Spatial fixed effects: the Lee-Yu convention of the estimates (None otherwise).
    bias_convention: str | None = None
    #: Spatial models: squared correlation of fitted and actual (tables: 伪R²; None otherwise).
    pseudo_r2: float | None = None

    @property
    def tvalues(self) -> pd.Series:
        """Coefficients divided by their standard errors."""
        return self.params / self.bse

    @property
    def covariance(self) -> Covariance:
        """``cov_type`` as a `Covariance` (kind ``"other"`` when only words are known)."""
        cov = self.cov_type
        return cov if isinstance(cov, Covariance) else Covariance(str(cov or ""))

    def model_label(self, lang: Lang) -> str:
        """Display name of ``model`` (``"fe"`` -> ``"固定效应"``); unknown codes upper-cased."""
        return MODEL_NAMES[lang].get(self.model.lower(), self.model.upper())


class StudentTResult(EstimationResult):
    """Base of the linear-regression results whose inference uses Student's t with
    ``df_inference`` degrees of freedom (the residual or the cluster count, as Stata/fixest)."""

    df_inference: float

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values from Student's t with ``df_inference`` degrees of freedom."""
        from scipy import stats

        p = 2 * stats.t.sf(np.abs(self.tvalues.to_numpy()), self.df_inference)
        return pd.Series(p, index=self.params.index, name="pvalue")

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals ``params ± t_{1-alpha/2, df_inference} * bse``."""
        if not 0 < alpha < 1:
            raise EstimationError(f"alpha={alpha!r} must lie strictly between 0 and 1.")
        from scipy import stats

        q = stats.t.ppf(1 - alpha / 2, self.df_inference)
        return pd.DataFrame(
            {"lower": self.params - q * self.bse, "upper": self.params + q * self.bse}
        )


#: The attributes a `ForwardingResult` takes from its ``fit``.
FORWARDED = (
    "params",
    "bse",
    "tvalues",
    "pvalues",
    "nobs",
    "model",
    "effects",
    "depvar",
    "fixed_effects",
    "cov_type",
    "rsquared",
    "rsquared_within",
    "llf",
)


class ForwardingResult(EstimationResult):
    """Base of results that wrap a regression ``fit`` (an `EstimationResult`) and add detail.

    Each attribute of `FORWARDED` is the fit's; a subclass overrides one by defining it.
    """

    fit: Any


def _forward(name: str) -> property:
    return property(lambda self: getattr(self.fit, name), doc=f"``fit.{name}``.")


for _name in FORWARDED:
    setattr(ForwardingResult, _name, _forward(_name))
ForwardingResult.fd_intercept = _forward("fd_intercept")
ForwardingResult.bias_convention = _forward("bias_convention")
