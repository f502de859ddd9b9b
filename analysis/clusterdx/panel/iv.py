r"""Panel IV / 2SLS and high-dimensional fixed effects, estimated by pyfixest, with weak-IV tests.

``clusterdx.panel.fit`` sends a formula with an instrument block, ``"y ~ x1 + [dt ~ z1 + z2]"``
(linearmodels' syntax), or an ``absorb=[...]`` list of fixed effects here.

Why pyfixest and not "demean, then linearmodels IV2SLS": pyfixest (Fischer et al., a port of R
fixest, validated against it at 1e-8) absorbs any number of fixed-effect dimensions by alternating
projections, drops singletons, and counts the absorbed parameters in the small-sample factors the
way fixest/Stata do (effects nested in a cluster are not counted). Demeaning and handing the data to
IV2SLS would need all of that re-done here, and IV2SLS would count the wrong degrees of freedom.
pyfixest, however, reports only the first-stage F, so the identification statistics below are
ours, computed from pyfixest's own demeaned matrices; each is tested against an independent
reference (linearmodels IV2SLS/IVGMM, Stata ``ivreg2`` figures, auxiliary regressions). pyfixest
supports one endogenous regressor, and so does this module.

Identification statistics (one endogenous regressor :math:`x`, :math:`L` excluded instruments
:math:`Z_2`; a tilde marks variables with the fixed effects and the included exogenous regressors
partialled out; first stage :math:`\tilde x = \tilde Z_2\pi + v`):

* first-stage partial F: :math:`\hat\pi'\hat V(\hat\pi)^{-1}\hat\pi/L` with the covariance of the
  model (iid, robust, clustered or Driscoll-Kraay), as Stata ``ivreg2`` / pyfixest.
* Kleibergen-Paap rk Wald F (Kleibergen & Paap 2006, *J. Econometrics* 133, 97-126): with one
  endogenous regressor the rk statistic of :math:`\pi` is that same robust Wald statistic
  (Baum, Schaffer & Stillman 2007, *Stata J.* 7, 465-506, §7); its small-sample factor counts the
  k parameters of the *second* stage, as ivreg2, where the first-stage F counts the first stage's.
* Kleibergen-Paap rk LM (underidentification): the score statistic of :math:`\pi=0`,
  :math:`(\tilde Z_2'\tilde x)'\hat S_0^{-1}(\tilde Z_2'\tilde x)` with :math:`\hat S_0` the
  (robust / cluster / kernel) variance of the scores :math:`\tilde z_i\tilde x_i` under the null,
  :math:`\chi^2(L)`; under iid errors it is Anderson's canonical-correlation LM :math:`nR^2`.
* Cragg-Donald Wald F (Cragg & Donald 1993): the iid first-stage F,
  :math:`(\tilde x'P\tilde x/L)/(\tilde x'M\tilde x/(n-k))` (k of the second stage), compared with the Stock & Yogo (2005)
  TSLS-size critical values (their Table 5.2, shipped in ``panel/data``), which assume iid errors.
* Hansen J (over-identified models; Hansen 1982): :math:`n\bar g'\hat S^{-1}\bar g` at the
  two-step efficient GMM estimate, :math:`\hat S` from the 2SLS residuals (robust / cluster /
  kernel); Sargan's :math:`\hat u'P_Z\hat u/(\hat u'\hat u/n)` under iid errors. :math:`\chi^2(L-1)`.
* Anderson-Rubin (1949) test and confidence set: AR(:math:`\beta_0`) is the F statistic of
  :math:`Z_2` in the regression of :math:`\tilde y-\beta_0\tilde x` on :math:`\tilde Z_2` with the
  model's covariance; the set :math:`\{\beta_0: AR(\beta_0)\le F_{1-\alpha}(L, df)\}` is found by
  scanning a grid of ±50 standard errors and refining the crossings by root finding; it is valid
  whatever the strength of the instruments and may be unbounded or a union of intervals.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from clusterdx.errors import EstimationError, PanelError
from clusterdx.options.common import check_option
from clusterdx.panel._formula import parse_formula
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.results import Covariance, EstimationResult, StudentTResult

FixestAdjustment = Literal["crv1", "crv3"]
FIXEST_ADJUSTMENTS: tuple[str, ...] = ("crv1", "crv3")
FIXEST_MODELS: tuple[str, ...] = ("pooled", "fe")
_AR_SPAN = 50.0
_AR_GRID = 2001


@dataclass(frozen=True)
class FirstStage(EstimationResult):
    """First-stage regression of the endogenous regressor on all instruments.

    ``params``/``bse`` cover the excluded instruments and the included exogenous regressors
    (common result interface, so :class:`clusterdx.report.RegressionTable` prints it as the
    first-stage column); ``f``/``f_pvalue`` is the partial F of the excluded instruments.
    """

    params: pd.Series
    bse: pd.Series
    pvalues: pd.Series
    f: float
    f_pvalue: float
    partial_r2: float
    nobs: int
    depvar: str
    fixed_effects: dict[str, bool]
    cov_type: str
    rsquared: float
    rsquared_within: float | None
    model: str = "ols"
    llf: float | None = None

    @property
    def tvalues(self) -> pd.Series:
        """Coefficients divided by their standard errors."""
        return self.params / self.bse


@dataclass(frozen=True)
class IVDiagnostics:
    """Identification and over-identification statistics of an IV fit (see the module notes)."""

    first_stage_f: float
    kp_wald_f: float
    kp_lm: float
    kp_lm_pvalue: float
    cragg_donald_f: float
    stock_yogo: dict[str, float] | None
    hansen_j: float | None
    hansen_j_pvalue: float | None
    hansen_j_df: int
    anderson_rubin_f: float
    anderson_rubin_pvalue: float
    anderson_rubin_set: list[tuple[float, float]]
    alpha: float

    def table(self) -> pd.DataFrame:
        """The statistics as a (statistic, value, p-value) frame for reports."""
        rows = [
            ("first-stage F", self.first_stage_f, np.nan),
            ("Kleibergen-Paap rk Wald F", self.kp_wald_f, np.nan),
            ("Kleibergen-Paap rk LM", self.kp_lm, self.kp_lm_pvalue),
            ("Cragg-Donald Wald F", self.cragg_donald_f, np.nan),
        ]
        for size, value in (self.stock_yogo or {}).items():
            rows.append((f"Stock-Yogo critical value, {size} maximal IV size", value, np.nan))
        if self.hansen_j is not None:
            rows.append(
                (f"Hansen J (df = {self.hansen_j_df})", self.hansen_j, self.hansen_j_pvalue)
            )
        rows.append(
            ("Anderson-Rubin F (H0: β = 0)", self.anderson_rubin_f, self.anderson_rubin_pvalue)
        )
        return pd.DataFrame(rows, columns=["statistic", "value", "pvalue"])


@dataclass(frozen=True)
class FixestResult(StudentTResult):
    """A linear panel model estimated by pyfixest: IV/2SLS and/or high-dimensional fixed effects.

    Same core interface as :class:`clusterdx.panel.PanelResult` (``params``, ``bse``, ``cov``,
    ``pvalues``, ``conf_int``, ``nobs``, ``model``, ``fixed_effects``, ``cov_type``, ``summary``)
    plus ``absorb`` (the absorbed effects), ``singletons`` (observations dropped because they are
    alone in a fixed-effect group, Correia 2015), and for IV fits ``endog``, ``instruments``,
    ``first_stage`` and ``diagnostics``.
    """

    params: pd.Series
    bse: pd.Series
    cov: pd.DataFrame
    nobs: int
    model: str
    effects: str
    depvar: str
    exog_names: list[str]
    cov_type: str
    df_inference: float
    rsquared: float
    rsquared_within: float | None
    llf: float | None
    fixed_effects: dict[str, bool]
    absorb: list[str]
    dropped: int
    singletons: int
    n_entities: int
    n_periods: int
    endog: list[str]
    instruments: list[str]
    first_stage: FirstStage | None
    diagnostics: IVDiagnostics | None
    raw: Any = field(repr=False)
    data: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        """A plain-text coefficient table, the sample, and the IV statistics."""
        head = [
            f"{'IV/2SLS' if self.endog else 'OLS'} (pyfixest); dependent: {self.depvar}; "
            f"absorbed: {', '.join(self.absorb) or 'none'}",
            f"Observations: {self.nobs} ({self.dropped} rows with missing values and "
            f"{self.singletons} singletons dropped)",
            f"Covariance: {self.cov_type}",
        ]
        table = pd.DataFrame(
            {"coef": self.params, "std err": self.bse, "t": self.tvalues, "P>|t|": self.pvalues}
        )
        parts = [*head, table.to_string(float_format=lambda v: f"{v:.6g}")]
        if self.diagnostics is not None:
            parts.append(self.diagnostics.table().to_string(index=False))
        return "\n".join(parts)


def has_instruments(formula: object) -> bool:
    """Whether ``formula`` carries a ``[endog ~ instruments]`` block."""
    return isinstance(formula, str) and ("[" in formula or "]" in formula)


def check_cov_options(
    cov: str, cluster: str | None, adjustment: str | None, bandwidth: float | None
) -> None:
    """Raise `EstimationError` when an option of one covariance is passed with another.

    Shared by `fit_fixest` and `clusterdx.panel.fit`, which take the same covariance options.
    """
    if cov != "cluster" and (cluster is not None or adjustment is not None):
        raise EstimationError(
            f"cluster/cluster_adjustment apply only to cov='cluster', not cov={cov!r}; "
            "leave them out or use cov='cluster'."
        )
    if cov != "driscoll-kraay" and bandwidth is not None:
        raise EstimationError(
            f"bandwidth applies only to cov='driscoll-kraay', not cov={cov!r}; leave it out."
        )
    if bandwidth is not None and not bandwidth >= 0:
        raise EstimationError(f"bandwidth={bandwidth!r} must be a non-negative number.")


def driscoll_kraay_bandwidth(bandwidth: float | None, n_periods: int) -> float:
    """The Driscoll-Kraay bandwidth: ``bandwidth``, or Newey-West's rule floor(4 (T/100)^(2/9))."""
    return math.floor(4 * (n_periods / 100) ** (2 / 9)) if bandwidth is None else bandwidth


def parse_iv_formula(
    formula: str, columns: Sequence[str]
) -> tuple[str, list[str], list[str], list[str]]:
    """Split ``"y ~ x1 + x2 + [dt ~ z1 + z2]"`` into response, exogenous, endogenous, instruments.

    Examples
    --------
    >>> parse_iv_formula("y ~ x1 + [dt ~ z1 + z2]", ["y", "x1", "dt", "z1", "z2"])
    ('y', ['x1'], ['dt'], ['z1', 'z2'])
    >>> parse_iv_formula("y ~ [dt ~ z1]", ["y", "dt", "z1"])
    ('y', [], ['dt'], ['z1'])
    """
    if (
        formula.count("[") != 1
        or formula.count("]") != 1
        or formula.index("[") > formula.index("]")
    ):
        raise PanelError(
            f"formula {formula!r} needs exactly one instrument block in brackets, as in "
            "'dt ~ demand + [digital ~ phones_1984 + post_1984]'."
        )
    start, end = formula.index("["), formula.index("]")
    block, rest = formula[start + 1 : end], formula[:start] + formula[end + 1 :]
    if "+" in block.split("~")[0]:
        raise PanelError(
            f"formula {formula!r} instruments several regressors; pyfixest, and so clusterdx, "
            "estimates IV with one endogenous regressor: '[endog ~ z1 + z2]'."
        )
    endog_part, instruments = parse_formula(block, columns)
    if rest.count("~") != 1:
        raise PanelError(f"formula {formula!r} must read 'y ~ x1 + ... + [endog ~ z1 + ...]'.")
    lhs, rhs = (part.strip() for part in rest.split("~"))
    terms = [t.strip() for t in rhs.split("+") if t.strip()]
    if terms:
        depvar, exog = parse_formula(f"{lhs} ~ {' + '.join(terms)}", columns)
    else:
        depvar, _ = parse_formula(f"{lhs} ~ {endog_part}", columns)
        exog = []
    clash = sorted({endog_part, depvar, *exog} & set(instruments))
    if clash or endog_part in exog or endog_part == depvar:
        raise PanelError(
            f"formula {formula!r}: {clash or [endog_part]} appear both as instruments (or "
            "endogenous) and as regressors; an excluded instrument must not be a regressor."
        )
    return depvar, exog, [endog_part], instruments


def fit_fixest(
    panel: pd.DataFrame,
    formula: str,
    entity: str,
    time: str,
    model: str = "fe",
    effects: str | None = None,
    cov: str | None = None,
    cluster: str | Sequence[str] | None = None,
    *,
    cluster_adjustment: str | None = None,
    bandwidth: float | None = None,
    missing: str = "raise",
    absorb: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> FixestResult:
    r"""Fit 2SLS (with a ``[endog ~ z]`` block) or OLS with absorbed effects, via pyfixest.

    Model: :math:`y_{it}=x_{it}'\beta+d_{it}\gamma+\sum_h \alpha_{h(i,t)}+u_{it}` with
    :math:`E[z_{it}u_{it}]=0`; 2SLS :math:`\hat\theta=(X'P_ZX)^{-1}X'P_Zy` on the data with the
    fixed effects projected out (Frisch-Waugh; Correia 2017 for the alternating projections).

    Parameters
    ----------
    panel, formula, entity, time
        As :func:`clusterdx.panel.fit`; ``formula`` may carry one ``[endog ~ z1 + z2]`` block.
    model : {"pooled", "fe"}
        ``"pooled"``: no fixed effects (an intercept); ``"fe"``: ``effects`` or ``absorb``.
    effects : {"individual", "time", "twoways"}, optional
        Entity, period or both effects (default ``"individual"``); leave out with ``absorb``.
    absorb : list of str, optional
        Fixed effects to absorb, each a column or an interaction ``"a^b"`` of columns
        (``["firm", "industry^year", "province^year"]``), replacing ``effects``.
    cov : {"unadjusted", "robust", "cluster", "driscoll-kraay"}, optional
        Default ``"cluster"``. pyfixest's ``iid`` / ``hetero`` (HC1) / CRV1 or CRV3 with fixest's
        small-sample factors (:math:`(n-1)/(n-k)` with k counting the effects not nested in a
        cluster, :math:`G/(G-1)`, and ``min(G)`` for two-way clustering, Cameron, Gelbach &
        Miller 2011); Driscoll & Kraay (1998): Bartlett kernel on the period sums of the 2SLS
        scores :math:`\hat x_{it}\hat u_{it}`, factor :math:`n/(n-k)`, computed here.
    cluster : "entity", "time", "both", a column, or a list of one or two columns
        Cluster variables of ``cov="cluster"`` (default ``"entity"``).
    cluster_adjustment : {"crv1", "crv3"}, optional
        CRV1 (default) or the jackknife CRV3 (Bell & McCaffrey 2002; MacKinnon, Nielsen & Webb
        2023), one-way clustering and OLS only.
    bandwidth : float, optional
        Driscoll-Kraay bandwidth (default :math:`\lfloor 4(T/100)^{2/9}\rfloor`).
    missing : {"raise", "drop"}
    alpha : float
        Level of the Anderson-Rubin confidence set.

    Returns
    -------
    FixestResult

    References
    ----------
    Kleibergen & Paap (2006); Stock & Yogo (2005); Cameron, Gelbach & Miller (2008, 2011);
    Correia (2015) on singletons; see the module notes for the statistics.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> n = 40 * 6
    >>> df = pd.DataFrame({"region": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(6), 40)})
    >>> df["z"] = rng.normal(size=n)
    >>> e = rng.normal(size=n)
    >>> df["d"] = 0.8 * df["z"] + 0.5 * e + rng.normal(size=n)
    >>> df["y"] = 1.0 * df["d"] + e
    >>> res = fit_fixest(df, "y ~ [d ~ z]", "region", "year", effects="twoways")
    >>> round(float(res.params["d"]), 2), res.diagnostics.stock_yogo["10%"]
    (1.06, 16.38)
    """
    check_option("model", model, FIXEST_MODELS)
    cov = "cluster" if cov is None else cov
    check_option("cov", cov, ("unadjusted", "robust", "cluster", "driscoll-kraay"))
    check_option("missing", missing, ("raise", "drop"))
    if not 0 < alpha < 1:
        raise EstimationError(f"alpha={alpha!r} must lie strictly between 0 and 1.")
    check_cov_options(cov, cluster, cluster_adjustment, bandwidth)
    adjustment = "crv1" if cluster_adjustment is None else cluster_adjustment
    check_option("cluster_adjustment", adjustment, FIXEST_ADJUSTMENTS)
    if not isinstance(panel, pd.DataFrame):
        raise PanelError(f"panel must be a pandas DataFrame, got {type(panel).__name__}.")
    columns = list(map(str, panel.columns))
    if has_instruments(formula):
        depvar, exog, endog, instruments = parse_iv_formula(formula, columns)
    else:
        depvar, exog = parse_formula(formula, columns)
        endog, instruments = [], []
    fe_terms = _fe_terms(model, effects, absorb, entity, time)
    fe_columns = list(dict.fromkeys(c for term in fe_terms for c in term.split("^")))
    unknown = [c for c in fe_columns if c not in panel.columns]
    if unknown:
        raise PanelError(f"absorb names {unknown}, which are not columns of the panel.")
    cluster_cols = _cluster_columns(cov, cluster, entity, time, panel)
    if adjustment == "crv3" and (endog or len(cluster_cols) != 1):
        raise EstimationError(
            "cluster_adjustment='crv3' needs one cluster variable and no instruments (pyfixest "
            "offers CRV3 for OLS only); use 'crv1'."
        )
    numeric = [depvar, *exog, *endog, *instruments]
    validated = PanelFrame(
        panel, numeric, entity, time, missing=missing, extra=[*fe_columns, *cluster_cols]
    )
    frame, dropped = validated.data, validated.dropped
    if frame.empty:
        raise PanelError("no rows are left after dropping missing values; check the data.")
    frame = frame.reset_index()
    codes = pd.DataFrame(
        {
            name: frame.groupby(term.split("^"), sort=True).ngroup()
            for name, term in zip(_fixed_effect_names(len(fe_terms)), fe_terms, strict=True)
        },
        index=frame.index,
    )
    keep = _drop_singletons(codes)
    singletons = int((~keep).sum())
    frame, codes = frame.loc[keep].reset_index(drop=True), codes.loc[keep].reset_index(drop=True)

    alias = {name: f"v{j}" for j, name in enumerate(dict.fromkeys(numeric))}
    data = frame[list(alias)].rename(columns=alias)
    data = pd.concat([data, codes], axis=1)
    for j, col in enumerate(cluster_cols):
        data[f"c{j}"] = pd.factorize(frame[col])[0]
    rhs = " + ".join(alias[x] for x in exog) or "1"
    fml = f"{alias[depvar]} ~ {rhs}"
    if fe_terms:
        fml += " | " + " + ".join(codes.columns)
    if endog:
        fml += f" | {alias[endog[0]]} ~ {' + '.join(alias[z] for z in instruments)}"
    vcov: Any = {"unadjusted": "iid", "robust": "hetero", "driscoll-kraay": "iid"}.get(cov)
    if cov == "cluster":
        vcov = {adjustment.upper(): "+".join(f"c{j}" for j in range(len(cluster_cols)))}
    raw = _pyfixest().feols(fml, data=data, vcov=vcov, fixef_rm="none")
    if int(raw._N) != len(data):
        raise EstimationError(
            f"pyfixest used {raw._N} of {len(data)} rows; some regressors must be collinear."
        )
    back = {v: k for k, v in alias.items()} | {"Intercept": "const"}
    names = [back[str(c)] for c in raw._coefnames]
    if len(names) != len(set(names)) or len(names) < len(exog) + len(endog):
        raise EstimationError(
            f"pyfixest dropped collinear regressors {sorted(set(exog + endog) - set(names))}; "
            "drop them from the formula."
        )
    if endog:
        kept = {back.get(str(c)) for c in raw._coefnames_z}
        lost = [z for z in instruments if z not in kept]
        if lost:
            raise EstimationError(
                f"instruments {lost} are collinear with the other instruments or regressors, or "
                "absorbed by the fixed effects (e.g. a national series under time effects); "
                "drop them or interact them with a cross-section."
            )
    periods = frame[time].to_numpy()
    n_periods = int(pd.Series(periods).nunique())
    vcov_matrix = np.asarray(raw._vcov)
    df_inference = float(raw._df_t)
    if cov == "unadjusted":
        label = "unadjusted (pyfixest iid), s² = SSR/(n−k)"
    elif cov == "robust":
        label = "heteroskedasticity-robust (pyfixest HC1), factor (n−1)/(n−k)"
    elif cov == "cluster":
        n_groups = min(int(data[f"c{j}"].nunique()) for j in range(len(cluster_cols)))
        what = "both" if cluster == "both" else "+".join(cluster_cols)
        label = (
            f"clustered by {what} (G = {n_groups}), {adjustment.upper()} (pyfixest/fixest), factor "
            "G/(G−1)·(n−1)/(n−k), k without effects nested in the clusters"
        )
    else:
        bw = driscoll_kraay_bandwidth(bandwidth, n_periods)
        vcov_matrix = _driscoll_kraay(raw, periods, bw)
        df_inference = float(n_periods - 1)
        label = f"Driscoll-Kraay, Bartlett kernel, bandwidth {bw:g}, factor n/(n−k)"
    label = Covariance(label, kind=cov, cluster=what if cov == "cluster" else None)
    cov_frame = pd.DataFrame(vcov_matrix, index=names, columns=names)
    fixed = dict.fromkeys(fe_terms, True)
    if model == "fe" and absorb is None:
        fixed = {"entity": entity in fe_terms, "time": time in fe_terms}
    first_stage = diagnostics = None
    if endog:
        kernel = (periods, bw) if cov == "driscoll-kraay" else None
        first_stage, diagnostics = _iv_statistics(
            raw, back, endog[0], cov, data, cluster_cols, kernel, alpha, fixed
        )
        first_stage = FirstStage(**{**first_stage, "cov_type": label})
    r2_within = float(raw._r2_within) if fe_terms and np.isfinite(raw._r2_within) else None
    return FixestResult(
        params=pd.Series(np.asarray(raw._beta_hat), index=names, name="coef"),
        bse=pd.Series(np.sqrt(np.diag(vcov_matrix)), index=names, name="std err"),
        cov=cov_frame,
        nobs=int(raw._N),
        model="2sls" if endog else model,
        effects=effects or ("absorb" if absorb else "none"),
        depvar=depvar,
        exog_names=names,
        cov_type=label,
        df_inference=df_inference,
        rsquared=float(raw._r2),
        rsquared_within=r2_within,
        llf=None,
        fixed_effects=fixed,
        absorb=list(fe_terms),
        dropped=dropped,
        singletons=singletons,
        n_entities=int(frame[entity].nunique()),
        n_periods=n_periods,
        endog=endog,
        instruments=instruments,
        first_stage=first_stage,
        diagnostics=diagnostics,
        raw=raw,
        data=frame,
    )


def stock_yogo_critical_values(n_instruments: int) -> dict[str, float] | None:
    """Stock & Yogo (2005, Table 5.2) TSLS-size critical values, one endogenous regressor.

    Keys are the maximal actual sizes of a nominal 5% Wald test; ``None`` beyond 30 instruments.

    >>> stock_yogo_critical_values(1)
    {'10%': 16.38, '15%': 8.96, '20%': 6.66, '25%': 5.53}
    """
    table = pd.read_csv(
        resources.files("clusterdx.panel").joinpath("data/stock_yogo_2005_table_5_2.csv").open(),
        comment="#",
        index_col="k2",
    )
    if n_instruments not in table.index:
        return None
    row = table.loc[n_instruments]
    return {f"{round(float(size) * 100)}%": float(row[size]) for size in table.columns}


def _pyfixest() -> Any:
    """pyfixest, imported on first use (it loads numba)."""
    import pyfixest

    return pyfixest


def _fe_terms(
    model: str, effects: str | None, absorb: Sequence[str] | None, entity: str, time: str
) -> list[str]:
    """The absorbed fixed effects as ``"col"`` or ``"a^b"`` terms."""
    if absorb is not None:
        if model != "fe" or effects is not None:
            raise EstimationError(
                "absorb= lists every absorbed effect itself; use it with model='fe' and leave "
                "effects out (put the entity or time column in absorb to absorb them)."
            )
        if (
            isinstance(absorb, str)
            or not absorb
            or not all(isinstance(a, str) and a for a in absorb)
        ):
            raise PanelError(
                f"absorb={absorb!r} must be a non-empty list of column names or 'a^b' "
                "interactions, e.g. ['firm', 'industry^year']."
            )
        if len(set(absorb)) != len(absorb):
            raise PanelError(f"absorb={list(absorb)!r} repeats an effect; list each once.")
        return [a.replace(" ", "") for a in absorb]
    if model == "pooled":
        if effects is not None:
            raise EstimationError(f"effects={effects!r} does not apply to model='pooled'.")
        return []
    effects = "individual" if effects is None else effects
    check_option("effects", effects, ("individual", "time", "twoways"))
    return {"individual": [entity], "time": [time], "twoways": [entity, time]}[effects]


def _fixed_effect_names(count: int) -> list[str]:
    """Column names for ``count`` fixed effects that pyfixest demeans in the formula's order.

    pyfixest (0.60) keeps the fixed effects of a formula in a ``set``, so the order of its
    alternating projections follows Python's string hashing, which changes with every process
    (``PYTHONHASHSEED``); its projections stop when the changes fall below 1e-6, so two
    processes gave estimates that differed in the eighth digit (a weak instrument shows it in the
    printed standard errors). The names chosen here iterate, in this process, in the formula's
    order (and sort in it: ``f0_…`` < ``f1_…``), so every process demeans in the same order.
    """
    for attempt in itertools.count():
        names = [f"f{j}_{attempt}" for j in range(count)]
        if list(set(names)) == names:
            return names
    raise AssertionError("unreachable")


def _cluster_columns(
    cov: str, cluster: str | Sequence[str] | None, entity: str, time: str, panel: pd.DataFrame
) -> list[str]:
    """Columns that define the clusters."""
    if cov != "cluster":
        return []
    cluster = "entity" if cluster is None else cluster
    named = {"entity": [entity], "time": [time], "both": [entity, time]}
    cols = named.get(cluster, [cluster]) if isinstance(cluster, str) else list(cluster)
    if not 1 <= len(cols) <= 2:
        raise EstimationError(f"cluster={cluster!r}: give one or two cluster variables.")
    missing = [c for c in cols if c not in panel.columns]
    if missing:
        raise PanelError(
            f"cluster={cluster!r} names {missing}, neither 'entity', 'time', 'both' nor columns."
        )
    return cols


def _drop_singletons(codes: pd.DataFrame) -> np.ndarray:
    """Rows kept after iteratively dropping observations alone in a fixed-effect group."""
    keep = np.ones(len(codes), dtype=bool)
    while codes.shape[1]:
        before = keep.sum()
        for col in codes.columns:
            values = codes[col].to_numpy()
            counts = np.bincount(values[keep], minlength=values.max() + 1)
            keep &= counts[values] > 1
        if keep.sum() == before:
            break
    return keep


def _driscoll_kraay(raw: Any, periods: np.ndarray, bandwidth: float) -> np.ndarray:
    """Driscoll-Kraay covariance of pyfixest's coefficients (OLS or 2SLS), factor n/(n−k)."""
    x = np.asarray(raw._X, dtype=float)
    if getattr(raw, "_is_iv", False):
        z, xx = np.asarray(raw._Z, float), np.asarray(raw._X, float)
        x = z @ np.linalg.solve(z.T @ z, z.T @ xx)
    scores = x * np.asarray(raw._u_hat, float).reshape(-1, 1)
    meat = _kernel_meat(scores, periods, bandwidth)
    bread = np.linalg.inv(x.T @ x)
    n = x.shape[0]
    return n / (n - int(raw._df_k)) * bread @ meat @ bread


def _kernel_meat(scores: np.ndarray, periods: np.ndarray, bandwidth: float) -> np.ndarray:
    """Bartlett-weighted sum of the autocovariances of the period sums of ``scores``."""
    order = np.sort(pd.unique(periods))
    sums = pd.DataFrame(scores).groupby(periods).sum().reindex(order).to_numpy()
    meat = sums.T @ sums
    for lag in range(1, math.floor(bandwidth) + 1):
        weight = 1 - lag / (bandwidth + 1)
        gamma = sums[lag:].T @ sums[:-lag]
        meat += weight * (gamma + gamma.T)
    return meat


def _meat(scores: np.ndarray, cov: str, groups: list[np.ndarray], kernel: Any) -> np.ndarray:
    """Variance of the sum of the score rows: robust, (two-way) clustered or kernel."""
    if cov in ("unadjusted", "robust"):
        return scores.T @ scores
    if cov == "driscoll-kraay":
        return _kernel_meat(scores, kernel[0], kernel[1])
    total = np.zeros((scores.shape[1], scores.shape[1]))
    terms = [(g, 1.0) for g in groups]
    if len(groups) == 2:
        terms.append((pd.factorize(pd.MultiIndex.from_arrays(groups))[0], -1.0))
    for codes, sign in terms:
        sums = pd.DataFrame(scores).groupby(codes).sum().to_numpy()
        total += sign * sums.T @ sums
    return total


def _wald_f(
    target: np.ndarray,
    z: np.ndarray,
    cov: str,
    groups: list[np.ndarray],
    kernel: Any,
    k_total: int,
) -> tuple[float, np.ndarray]:
    """F of all coefficients of ``target`` on ``z`` (partialled data), with the model's covariance.

    Small-sample factors as pyfixest (:func:`_factor`); iid s² = SSR/(n−k).
    """
    n, ell = z.shape
    zz_inv = np.linalg.inv(z.T @ z)
    coef = zz_inv @ z.T @ target
    resid = target - z @ coef
    if cov == "unadjusted":
        v = resid @ resid / (n - k_total) * zz_inv
    else:
        meat = _meat(z * resid[:, None], cov, groups, kernel)
        v = zz_inv @ meat @ zz_inv * _factor(cov, n, k_total, groups)
    wald = float(coef @ np.linalg.solve(v, coef))
    return wald / ell, coef


def _factor(cov: str, n: int, k: int, groups: list[np.ndarray]) -> float:
    """Small-sample factor of a sandwich: HC1 n/(n−k) (fixest: G = n), CRV1
    min(G)/(min(G)−1)·(n−1)/(n−k), Driscoll-Kraay n/(n−k)."""
    if cov == "cluster":
        g = min(int(pd.Series(c).nunique()) for c in groups)
        return g / (g - 1) * (n - 1) / (n - k)
    return n / (n - k)


def _iv_statistics(
    raw: Any,
    back: dict[str, str],
    endog: str,
    cov: str,
    data: pd.DataFrame,
    cluster_cols: list[str],
    kernel: Any,
    alpha: float,
    fixed: dict[str, bool],
) -> tuple[dict[str, Any], IVDiagnostics]:
    """First stage and identification statistics from pyfixest's demeaned matrices."""
    y = np.asarray(raw._Y, float).ravel()
    x_all = np.asarray(raw._X, float)
    z_all = np.asarray(raw._Z, float)
    zx_names = [str(c) for c in raw._coefnames_z]
    x_names = [str(c) for c in raw._coefnames]
    endog_pos = [j for j, c in enumerate(x_names) if c not in zx_names]
    excluded_pos = [j for j, c in enumerate(zx_names) if c not in x_names]
    exog_pos = [j for j, c in enumerate(zx_names) if c in x_names]
    n = len(y)
    w = z_all[:, exog_pos]
    x = x_all[:, endog_pos[0]]
    z2 = z_all[:, excluded_pos]

    def partial(a: np.ndarray) -> np.ndarray:
        if w.shape[1] == 0:
            return a
        return a - w @ np.linalg.lstsq(w, a, rcond=None)[0]

    xt, yt, zt = partial(x), partial(y), partial(z2)
    ell = zt.shape[1]
    k_total = _first_stage_k(raw, ell)
    groups = [data[f"c{j}"].to_numpy() for j in range(len(cluster_cols))]
    f_stat = _wald_f(xt, zt, cov, groups, kernel, k_total)[0]
    kp_wald_f = _wald_f(xt, zt, cov, groups, kernel, int(raw._df_k))[0]
    df_denom = float(raw._df_t) if cov != "driscoll-kraay" else float(len(np.unique(kernel[0])) - 1)
    f_p = float(stats.f.sf(f_stat, ell, df_denom))
    pzx = zt @ np.linalg.lstsq(zt, xt, rcond=None)[0]
    k_fe = np.asarray(getattr(raw, "_k_fe", None) if raw._has_fixef else [], dtype=float)
    k_iid = len(raw._coefnames) + int(k_fe.sum() - max(len(k_fe) - 1, 0))
    cragg_donald = float((pzx @ pzx / ell) / ((xt - pzx) @ (xt - pzx) / (n - k_iid)))
    partial_r2 = float(pzx @ pzx / (xt @ xt))
    if cov == "unadjusted":
        kp_lm = n * partial_r2
    else:
        s0 = _meat(zt * xt[:, None], cov, groups, kernel)
        score = zt.T @ xt
        kp_lm = float(score @ np.linalg.solve(s0, score))
    kp_lm_p = float(stats.chi2.sf(kp_lm, ell))
    hansen = hansen_p = None
    if ell > 1:
        u = np.asarray(raw._u_hat, float).ravel()
        if cov == "unadjusted":
            pu = z_all @ np.linalg.lstsq(z_all, u, rcond=None)[0]
            hansen = float(pu @ pu / (u @ u / n))
        else:
            s = _meat(z_all * u[:, None], cov, groups, kernel) / n
            s_inv = np.linalg.inv(s)
            zx, zy = z_all.T @ x_all / n, z_all.T @ y / n
            beta = np.linalg.solve(zx.T @ s_inv @ zx, zx.T @ s_inv @ zy)
            gbar = z_all.T @ (y - x_all @ beta) / n
            hansen = float(n * gbar @ s_inv @ gbar)
        hansen_p = float(stats.chi2.sf(hansen, ell - 1))
    ar_f, ar_p, ar_set = _anderson_rubin(
        yt, xt, zt, cov, groups, kernel, k_total, df_denom, alpha, raw, endog_pos[0]
    )
    # first-stage coefficients: excluded instruments then included exogenous regressors
    zfull = z_all
    fs_coef = np.linalg.lstsq(zfull, x, rcond=None)[0]
    order = excluded_pos + exog_pos
    fs_names = [back[zx_names[j]] for j in order]
    fs_resid = x - zfull @ fs_coef
    zz_inv = np.linalg.inv(zfull.T @ zfull)
    if cov == "unadjusted":
        fs_v = fs_resid @ fs_resid / (n - k_total) * zz_inv
    else:
        meat = _meat(zfull * fs_resid[:, None], cov, groups, kernel)
        fs_v = zz_inv @ meat @ zz_inv * _factor(cov, n, k_total, groups)
    fs_params = pd.Series(fs_coef[order], index=fs_names, name="coef")
    fs_bse = pd.Series(np.sqrt(np.diag(fs_v))[order], index=fs_names, name="std err")
    fs_p = pd.Series(2 * stats.t.sf(np.abs(fs_params / fs_bse), df_denom), index=fs_names)
    tss = x @ x if fixed else float(((x - x.mean()) ** 2).sum())
    first = {
        "params": fs_params,
        "bse": fs_bse,
        "pvalues": fs_p,
        "f": f_stat,
        "f_pvalue": f_p,
        "partial_r2": partial_r2,
        "nobs": n,
        "depvar": endog,
        "fixed_effects": fixed,
        "rsquared": float(1 - fs_resid @ fs_resid / tss),
        "rsquared_within": None,
    }
    diagnostics = IVDiagnostics(
        first_stage_f=f_stat,
        kp_wald_f=kp_wald_f,
        kp_lm=kp_lm,
        kp_lm_pvalue=kp_lm_p,
        cragg_donald_f=cragg_donald,
        stock_yogo=stock_yogo_critical_values(ell),
        hansen_j=hansen,
        hansen_j_pvalue=hansen_p,
        hansen_j_df=ell - 1,
        anderson_rubin_f=ar_f,
        anderson_rubin_pvalue=ar_p,
        anderson_rubin_set=ar_set,
        alpha=alpha,
    )
    return first, diagnostics


def _first_stage_k(raw: Any, ell: int) -> int:
    """Parameters counted in the first stage's small-sample factor, as pyfixest's ``df_k``.

    The first stage swaps the endogenous regressor for the ``ell`` excluded instruments.
    """
    return int(raw._df_k) - 1 + ell


def _anderson_rubin(
    yt: np.ndarray,
    xt: np.ndarray,
    zt: np.ndarray,
    cov: str,
    groups: list[np.ndarray],
    kernel: Any,
    k_total: int,
    df_denom: float,
    alpha: float,
    raw: Any,
    endog_pos: int,
) -> tuple[float, float, list[tuple[float, float]]]:
    """AR F test of β = 0 and the AR confidence set by grid scan and root refinement."""
    n, ell = zt.shape
    zz_inv = np.linalg.inv(zt.T @ zt)
    cy, cx = zz_inv @ zt.T @ yt, zz_inv @ zt.T @ xt
    ry, rx = yt - zt @ cy, xt - zt @ cx
    # residuals and coefficients are linear in beta, so the covariance is quadratic in it
    if cov == "unadjusted":
        quad = [np.array([[ry @ ry]]), np.array([[ry @ rx]]), np.array([[rx @ rx]])]
    else:
        m_yy = _meat(zt * ry[:, None], cov, groups, kernel)
        m_xx = _meat(zt * rx[:, None], cov, groups, kernel)
        m_cross = (_meat(zt * (ry + rx)[:, None], cov, groups, kernel) - m_yy - m_xx) / 2
        quad = [zz_inv @ m @ zz_inv for m in (m_yy, m_cross, m_xx)]
    scale = 1 / (n - k_total) if cov == "unadjusted" else _factor(cov, n, k_total, groups)

    def ar(beta: float) -> float:
        coef = cy - beta * cx
        v = (quad[0] - 2 * beta * quad[1] + beta**2 * quad[2]) * scale
        if cov == "unadjusted":
            v = float(v[0, 0]) * zz_inv
        return float(coef @ np.linalg.solve(v, coef)) / ell

    crit = float(stats.f.ppf(1 - alpha, ell, df_denom))
    ar0 = ar(0.0)
    beta_hat = float(np.asarray(raw._beta_hat)[endog_pos])
    se = float(np.sqrt(np.asarray(raw._vcov)[endog_pos, endog_pos]))
    grid = np.linspace(beta_hat - _AR_SPAN * se, beta_hat + _AR_SPAN * se, _AR_GRID)
    inside = np.array([ar(b) <= crit for b in grid])
    intervals: list[tuple[float, float]] = []
    j = 0
    while j < len(grid):
        if not inside[j]:
            j += 1
            continue
        start = j
        while j + 1 < len(grid) and inside[j + 1]:
            j += 1
        lo = (
            -np.inf
            if start == 0
            else optimize.brentq(lambda b: ar(b) - crit, grid[start - 1], grid[start], xtol=1e-12)
        )
        hi = (
            np.inf
            if j == len(grid) - 1
            else optimize.brentq(lambda b: ar(b) - crit, grid[j], grid[j + 1], xtol=1e-12)
        )
        intervals.append((float(lo), float(hi)))
        j += 1
    return ar0, float(stats.f.sf(ar0, ell, df_denom)), intervals
