r"""PSM-DID: logit propensity score, matching, balance table, common support, DID on the matched sample.

Propensity score (Rosenbaum & Rubin 1983, *Biometrika* 70, 41-55): :math:`e(c)=P(T=1\mid c)` by
logit (statsmodels) of the ever-treated indicator on declared covariates, pooled over periods or
period by period. Matching of each treated observation (with replacement, as Stata ``psmatch2``):

* ``"nearest"``: the control with the closest score (ties: the first in data order);
* ``"caliper"``: the nearest control if :math:`|e_i-e_j|\le` ``caliper``, else the treated
  observation is unmatched (off support);
* ``"kernel"``: every control within ``bandwidth`` with Epanechnikov weight
  :math:`K((e_j-e_i)/h)` (Heckman, Ichimura & Todd 1997).

Balance: standardised bias :math:`100(\bar c_T-\bar c_C)/\sqrt{(s^2_T+s^2_C)/2}` before and after
matching, the after-matching control mean weighted by the matching weights and the variances those
of the unmatched sample (Rosenbaum & Rubin 1985, *Am. Stat.* 39, 33-38; ``pstest``). The DID of
:func:`clusterdx.panel.did` is then run on the matched observations (treated on support and the
controls used at least once), the usual PSM-DID of the applied literature.

Why our own: scikit-learn and statsmodels give the score, but no Python package offers
psmatch2-style matching with its balance table; the matching is small and tested against a
brute-force search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from clusterdx.errors import EstimationError, PanelError
from clusterdx.options.common import check_option
from clusterdx.options.panel import (
    DEFAULT_COV,
    DEFAULT_ENTITY,
    DEFAULT_TIME,
    Cov,
)
from clusterdx.options.panel import MATCH_METHODS as METHODS
from clusterdx.options.panel import MATCH_SCOPES as SCOPES
from clusterdx.options.panel import MatchMethod as Method
from clusterdx.options.panel import MatchScope as Scope
from clusterdx.panel.did import did
from clusterdx.panel.models import PanelResult


@dataclass(frozen=True)
class PSMResult:
    """Propensity scores, matching weights, balance and the DID on the matched sample.

    Attributes
    ----------
    did : PanelResult
        TWFE DID on the matched sample (``params["treat_post"]``).
    balance : DataFrame
        Per covariate: treated and control means before and after matching, standardised bias
        (%) before/after and its reduction (%).
    scores : DataFrame
        Entity, time, treated, score, weight (matching weight; 0 = unused) and ``on_support``.
    n_matched, n_off_support : int
        Treated observations matched and left without a match.
    """

    did: PanelResult
    balance: pd.DataFrame
    scores: pd.DataFrame = field(repr=False)
    method: str
    scope: str
    n_matched: int
    n_off_support: int

    def figure(self, lang: Literal["zh", "en"] = "en") -> Any:
        """Common-support figure: score histograms of treated and controls, before and after."""
        import matplotlib.pyplot as plt

        words = {
            "en": ("Propensity score", "Density", "treated", "control", "before", "after"),
            "zh": ("倾向得分", "密度", "处理组", "控制组", "匹配前", "匹配后"),
        }[lang]
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharex=True)
        s = self.scores
        bins = np.linspace(0, 1, 26)
        for ax, after, title in ((axes[0], False, words[4]), (axes[1], True, words[5])):
            t = s[(s["treated"] == 1) & (s["on_support"] if after else True)]
            c = s[(s["treated"] == 0) & ((s["weight"] > 0) if after else True)]
            ax.hist(t["score"], bins=bins, density=True, alpha=0.5, label=words[2])
            ax.hist(c["score"], bins=bins, density=True, alpha=0.5, label=words[3])
            ax.set_title(title)
            ax.set_xlabel(words[0])
        axes[0].set_ylabel(words[1])
        axes[0].legend(frameon=False)
        fig.tight_layout()
        return fig


def psm_did(
    panel: pd.DataFrame,
    y: str,
    treat_year: str,
    covariates: Sequence[str],
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    method: Method = "nearest",
    scope: Scope = "pooled",
    caliper: float = 0.05,
    bandwidth: float = 0.06,
    controls: Sequence[str] = (),
    cov: Cov = DEFAULT_COV,
) -> PSMResult:
    """Propensity-score matching on ``covariates``, then the TWFE DID on the matched sample.

    Parameters
    ----------
    panel, y, treat_year, entity, time
        As :func:`clusterdx.panel.did`; ``treat_year`` missing/0/inf for never-treated entities.
    covariates : sequence of str
        Covariates of the logit propensity score.
    method : {"nearest", "caliper", "kernel"}
    scope : {"pooled", "period"}
        One logit and matching over all observations, or period by period.
    caliper : float
        Largest score distance of a caliper match.
    bandwidth : float
        Epanechnikov bandwidth of kernel matching.
    controls, cov
        Passed to :func:`clusterdx.panel.did`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"region": np.repeat(np.arange(40), 6), "year": np.tile(range(2015, 2021), 40)})
    >>> size = rng.normal(size=40)[df["region"]] + rng.normal(0, 0.1, 240)
    >>> df["size"] = size
    >>> treated = np.arange(40) < 15
    >>> df["pilot"] = np.where(treated[df["region"]], 2018, np.nan)
    >>> df["y"] = size + 0.5 * (df["year"] >= df["pilot"]) + rng.normal(0, 0.2, 240)
    >>> res = psm_did(df, "y", "pilot", ["size"], entity="region", time="year")
    >>> res.n_off_support, round(float(res.did.params["treat_post"]), 2)
    (0, 0.48)
    """
    check_option("method", method, METHODS)
    check_option("scope", scope, SCOPES)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covariates:
        raise PanelError("psm_did needs at least one covariate for the propensity score.")
    missing = [c for c in [y, treat_year, *covariates, entity, time] if c not in panel.columns]
    if missing:
        raise PanelError(f"columns {missing} are not in the panel.")
    frame = panel.reset_index(drop=True)
    cohort = pd.to_numeric(frame[treat_year], errors="coerce").replace([0, np.inf], np.nan)
    treated = cohort.notna().to_numpy().astype(int)
    x = frame[covariates].to_numpy(dtype=float)
    if not np.isfinite(x).all():
        raise PanelError(f"covariates {covariates} have missing values; fill or drop those rows.")
    groups = [np.arange(len(frame))] if scope == "pooled" else [
        np.flatnonzero(frame[time].to_numpy() == t) for t in np.sort(frame[time].unique())
    ]  # fmt: skip
    score = np.empty(len(frame))
    weight = np.zeros(len(frame))
    support = np.zeros(len(frame), dtype=bool)
    for rows in groups:
        score[rows] = _logit(x[rows], treated[rows])
        w, ok = _match(score[rows], treated[rows], method, caliper, bandwidth)
        weight[rows], support[rows] = w, ok
    scores = pd.DataFrame(
        {
            entity: frame[entity],
            time: frame[time],
            "treated": treated,
            "score": score,
            "weight": weight,
            "on_support": support,
        }
    )
    balance = balance_table(x, treated, weight, support, covariates)
    keep = (support & (treated == 1)) | ((treated == 0) & (weight > 0))
    if not (keep & (treated == 1)).any():
        raise EstimationError("no treated observation found a match; widen caliper/bandwidth.")
    fit_ = did(frame.loc[keep], y, treat_year, entity=entity, time=time, controls=controls, cov=cov)
    return PSMResult(
        did=fit_,
        balance=balance,
        scores=scores,
        method=method,
        scope=scope,
        n_matched=int((support & (treated == 1)).sum()),
        n_off_support=int(((~support) & (treated == 1)).sum()),
    )


def balance_table(
    x: np.ndarray,
    treated: np.ndarray,
    weight: np.ndarray,
    support: np.ndarray,
    names: Sequence[str],
) -> pd.DataFrame:
    """Standardised bias (%) of each covariate before and after matching (see module notes)."""
    t, c = treated == 1, treated == 0
    tm = t & support
    rows = []
    for j, name in enumerate(names):
        xt, xc = x[t, j], x[c, j]
        scale = np.sqrt((xt.var(ddof=1) + xc.var(ddof=1)) / 2)
        mean_t_after = x[tm, j].mean() if tm.any() else np.nan
        mean_c_after = np.average(x[c, j], weights=weight[c]) if weight[c].sum() > 0 else np.nan
        before = 100 * (xt.mean() - xc.mean()) / scale
        after = 100 * (mean_t_after - mean_c_after) / scale
        rows.append(
            {
                "covariate": name,
                "treated_before": xt.mean(),
                "control_before": xc.mean(),
                "treated_after": mean_t_after,
                "control_after": mean_c_after,
                "bias_before": before,
                "bias_after": after,
                "reduction": 100 * (1 - abs(after) / abs(before)) if before else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("covariate")


def _logit(x: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """Fitted logit probabilities of ``treated`` on a constant and ``x`` (statsmodels)."""
    from statsmodels.discrete.discrete_model import Logit  # not statsmodels.api: start-up
    from statsmodels.tools.tools import add_constant

    if treated.min() == treated.max():
        raise EstimationError("the propensity score needs treated and control observations.")
    model = Logit(treated, add_constant(x, has_constant="add"))
    try:
        res = model.fit(disp=False, maxiter=200)
    except np.linalg.LinAlgError as err:
        raise EstimationError(f"the logit propensity score could not be fitted: {err}") from err
    return np.asarray(res.predict(), dtype=float)


def _match(
    score: np.ndarray, treated: np.ndarray, method: str, caliper: float, bandwidth: float
) -> tuple[np.ndarray, np.ndarray]:
    """Matching weights of the controls and support flags of the treated, with replacement.

    Each matched treated observation has weight 1 and gives its controls weights summing to 1.
    """
    t_idx, c_idx = np.flatnonzero(treated == 1), np.flatnonzero(treated == 0)
    weight = np.zeros(len(score))
    support = np.zeros(len(score), dtype=bool)
    if not len(c_idx):
        return weight, support
    dist = np.abs(score[t_idx][:, None] - score[c_idx][None, :])
    if method == "kernel":
        u = dist / bandwidth
        k = np.where(u < 1, 0.75 * (1 - u**2), 0.0)
        total = k.sum(axis=1)
        ok = total > 0
        weight[c_idx] = (k[ok] / total[ok, None]).sum(axis=0)
        support[t_idx[ok]] = True
    else:
        nearest = dist.argmin(axis=1)
        ok = np.ones(len(t_idx), dtype=bool)
        if method == "caliper":
            ok = dist[np.arange(len(t_idx)), nearest] <= caliper
        np.add.at(weight, c_idx[nearest[ok]], 1.0)
        support[t_idx[ok]] = True
    weight[t_idx[support[t_idx]]] = 1.0
    return weight, support
