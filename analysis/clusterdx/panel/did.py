"""Difference-in-differences: two-way FE DID, event study, Callaway-Sant'Anna group-time ATTs.

``did`` and ``event_study`` are two-way fixed-effects regressions fitted by
:func:`clusterdx.panel.fit`. With staggered adoption and effects that vary across cohorts or
over time they are biased, because already-treated units serve as controls with negative
weights (Goodman-Bacon 2021, *Journal of Econometrics* 225, 254-277; de Chaisemartin &
D'Haultfoeuille 2020, *AER* 110, 2964-2996). ``callaway_santanna`` is the heterogeneity-robust
alternative (Callaway & Sant'Anna 2021, *Journal of Econometrics* 225, 200-230).

Why it is written here: pyfixest 0.60 offers Gardner's ``did2s``, ``lpdid`` and a saturated
event study, but not Callaway-Sant'Anna group-time ATTs with not-yet-treated controls and their
aggregations; ``csdid`` 0.4.3 (a port of R ``did``) does, but declares ``twine`` and ``plotnine``
as run-time requirements, which a toolkit should not force on its users. Without covariates the
outcome-regression, IPW and doubly-robust forms of Callaway-Sant'Anna all reduce to a difference
of mean changes, which takes a few lines; with covariates each cell is the 2×2 estimator of
Sant'Anna & Zhao (2020) in :mod:`clusterdx.panel._drdid`. The influence functions follow the
paper (§4) and R ``did`` (``aggte``), including the estimated-weights term of the aggregations;
the multiplier bootstrap and its uniform bands are :mod:`clusterdx.panel._multiplier`. The tests
match R ``did`` 2.5 and csdid 0.4.3 (every ``est_method`` × control group × base period, with
covariates) to 1e-6 (``tests/validation/test_csdid_reference.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from clusterdx.errors import EstimationError, PanelError
from clusterdx.options.common import check_option
from clusterdx.options.panel import (
    AGGREGATIONS,
    BASE_PERIODS,
    CONTROL_GROUPS,
    DEFAULT_ALPHA,
    DEFAULT_BASE_PERIOD,
    DEFAULT_COV,
    DEFAULT_EFFECTS,
    DEFAULT_ENTITY,
    DEFAULT_EST_METHOD,
    DEFAULT_MULTIPLIER,
    DEFAULT_SEED,
    DEFAULT_TIME,
    EST_METHODS,
    LAGS_MIN,
    LEADS_MIN,
    MULTIPLIER_WEIGHTS,
    Aggregation,
    BasePeriod,
    ControlGroup,
    EstMethod,
    MultiplierWeights,
)
from clusterdx.panel._drdid import att_2x2
from clusterdx.panel._multiplier import bands, bootstrap_draws
from clusterdx.panel.models import Cov, Effects, PanelResult, fit
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.results import Covariance, EstimationResult, ForwardingResult

__all__ = [
    "DEFAULT_EST_METHOD",
    "EST_METHODS",
    "MULTIPLIER_WEIGHTS",
    "CallawaySantAnnaResult",
    "EstMethod",
    "EventStudyResult",
    "MultiplierWeights",
    "callaway_santanna",
    "did",
    "event_study",
]
TREAT_POST = "treat_post"


def did(
    panel: pd.DataFrame,
    y: str,
    treat_year: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    controls: Sequence[str] = (),
    effects: Effects = DEFAULT_EFFECTS,
    cov: Cov = DEFAULT_COV,
    cluster: str | None = None,
) -> PanelResult:
    """Two-way fixed-effects difference-in-differences with a treated × post indicator.

    :math:`y_{it} = \\alpha_i + \\lambda_t + \\delta D_{it} + c_{it}'\\theta + e_{it}`,
    :math:`D_{it}=1(t \\ge G_i)` with :math:`G_i` the first treated period (Angrist & Pischke
    2009, *Mostly Harmless Econometrics*, §5.2). With staggered timing and heterogeneous or
    dynamic effects :math:`\\hat\\delta` is a weighted average of 2×2 comparisons with possibly
    negative weights (Goodman-Bacon 2021): use :func:`callaway_santanna` then.

    Parameters
    ----------
    panel : DataFrame
        Long panel.
    y : str
        Response.
    treat_year : str
        Column with each entity's first treated period, constant within entity; missing, 0 or
        ``inf`` for never-treated entities.
    entity, time : str, default "region", "year"
        Key columns (periods numeric, e.g. years).
    controls : sequence of str
        Time-varying controls.
    cov : {"unadjusted", "robust", "cluster", "driscoll-kraay"}
        Covariance (default clustered by entity), see :func:`clusterdx.panel.fit`.
    effects : {"individual", "time", "twoways"}
        Absorbed effects (default two-way).
    cluster : str, optional
        Cluster variable for ``cov="cluster"``.

    Returns
    -------
    PanelResult
        The coefficient of the indicator is ``params["treat_post"]``.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> from clusterdx.panel import did
    >>> panel = cdx.datasets.staggered_panel()  # pilot_year 2020, 2021 or never; true effect 1
    >>> res = did(panel, "dt", "pilot_year")
    >>> res.params.round(3).to_dict(), res.bse.round(3).to_dict()
    ({'treat_post': 0.947}, {'treat_post': 0.119})
    """
    controls = [controls] if isinstance(controls, str) else list(controls)
    frame, cohort = with_cohorts(panel, treat_year, entity, time)
    frame[TREAT_POST] = (frame[time].to_numpy(dtype=float) >= cohort).astype(float)
    formula = f"{y} ~ {' + '.join([TREAT_POST, *controls])}"
    kwargs = {} if cluster is None else {"cluster": cluster}
    return fit(
        frame, formula, entity=entity, time=time, model="fe", effects=effects, cov=cov, **kwargs
    )


@dataclass(frozen=True)
class EventStudyResult(ForwardingResult):
    """A two-way FE event study: the regression and its coefficients by event time.

    Attributes
    ----------
    coefs : DataFrame
        One row per event time from ``-leads`` to ``lags`` (``event_time``, ``term``, ``coef``,
        ``se``, ``lower``, ``upper``, ``binned``); the reference period has coefficient 0.
    fit : PanelResult
        The regression on the ``pre<k>`` / ``post<k>`` indicators.
    ref : int
        Omitted event time.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> from clusterdx.panel import event_study
    >>> panel = cdx.datasets.staggered_panel()  # pilot_year 2020, 2021 or never; true effect 1
    >>> es = event_study(panel, "dt", "pilot_year", leads=2, lags=1)
    >>> es.ref, es.nobs
    (-1, 30)
    >>> es.coefs[["event_time", "term", "coef", "binned"]].round(3)
       event_time   term   coef  binned
    0          -2   pre2  0.007    True
    1          -1   pre1  0.000   False
    2           0  post0  0.827   False
    3           1  post1  1.154    True
    """

    coefs: pd.DataFrame
    fit: PanelResult = field(repr=False)
    ref: int

    model = property(lambda self: "event study", doc="Model label for tables.")

    def summary(self) -> str:
        """The event-time coefficients and the regression."""
        head = f"Event study (two-way FE), reference event time {self.ref}"
        table = self.coefs.to_string(float_format=lambda v: f"{v:.6g}")
        return "\n".join([head, table, self.fit.summary()])


def event_study(
    panel: pd.DataFrame,
    y: str,
    treat_year: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    leads: int = 4,
    lags: int = 4,
    ref: int = -1,
    controls: Sequence[str] = (),
    effects: Effects = DEFAULT_EFFECTS,
    cov: Cov = DEFAULT_COV,
    alpha: float = DEFAULT_ALPHA,
) -> EventStudyResult:
    """Two-way FE event study with binned endpoints.

    :math:`y_{it}=\\alpha_i+\\lambda_t+\\sum_{e\\ne ref}\\beta_e 1(t-G_i=e)+c_{it}'\\theta+e_{it}`
    for :math:`e=-leads,\\dots,lags`, where event times beyond the window are pooled into the
    end bins (:math:`e\\le -leads` into ``pre<leads>``, :math:`e\\ge lags` into
    ``post<lags>``) as in Schmidheiny & Siegloch (2023, *Journal of Applied Econometrics* 38,
    695-713), so the end coefficients are identified. Never-treated entities have all indicators zero. Under
    heterogeneous effects the leads and lags are contaminated by other periods (Sun & Abraham
    2021, *Journal of Econometrics* 225, 175-199): compare with :func:`callaway_santanna`'s
    dynamic aggregation.

    Parameters
    ----------
    panel, y, treat_year, entity, time, controls, cov, effects
        As in :func:`did`.
    leads, lags : int
        Window: ``leads >= 1`` periods before and ``lags >= 0`` after adoption.
    ref : int
        Omitted event time (default -1, the period before adoption).
    alpha : float
        Level of the intervals in ``coefs``.

    Returns
    -------
    EventStudyResult

    Examples
    --------
    Two leads and one lag: ``pre2`` pools all earlier periods and ``post1`` all later ones.
    The true effect is 1 from adoption on:

    >>> import clusterdx as cdx
    >>> from clusterdx.panel import event_study
    >>> panel = cdx.datasets.staggered_panel()  # pilot_year 2020, 2021 or never; true effect 1
    >>> es = event_study(panel, "dt", "pilot_year", leads=2, lags=1)
    >>> es.coefs[["event_time", "coef", "se", "lower", "upper"]].round(3)
       event_time   coef     se  lower  upper
    0          -2  0.007  0.212 -0.537  0.551
    1          -1  0.000  0.000  0.000  0.000
    2           0  0.827  0.148  0.447  1.207
    3           1  1.154  0.166  0.729  1.580
    >>> es.params.index.tolist()
    ['pre2', 'post0', 'post1']
    """
    if not (
        isinstance(leads, int) and leads >= LEADS_MIN and isinstance(lags, int) and lags >= LAGS_MIN
    ):
        raise EstimationError(
            f"leads={leads!r} must be >= {LEADS_MIN} and lags={lags!r} >= {LAGS_MIN} (integers)."
        )
    if not -leads <= ref <= lags:
        raise EstimationError(f"ref={ref!r} must lie in the window [-{leads}, {lags}].")
    controls = [controls] if isinstance(controls, str) else list(controls)
    frame, cohort = with_cohorts(panel, treat_year, entity, time)
    rel = frame[time].to_numpy(dtype=float) - cohort
    binned = np.where(np.isfinite(cohort), np.clip(rel, -leads, lags), np.nan)
    terms = {e: (f"pre{-e}" if e < 0 else f"post{e}") for e in range(-leads, lags + 1)}
    names = [terms[e] for e in terms if e != ref]
    for e, name in terms.items():
        if e != ref:
            frame[name] = (binned == e).astype(float)
    formula = f"{y} ~ {' + '.join([*names, *controls])}"
    res = fit(frame, formula, entity=entity, time=time, model="fe", effects=effects, cov=cov)
    q = stats.t.ppf(1 - alpha / 2, res.df_inference)
    rows = []
    for e, name in terms.items():
        coef = 0.0 if e == ref else float(res.params[name])
        se = 0.0 if e == ref else float(res.bse[name])
        rows.append(
            {
                "event_time": e,
                "term": name,
                "coef": coef,
                "se": se,
                "lower": coef - q * se,
                "upper": coef + q * se,
                "binned": e in (-leads, lags),
            }
        )
    return EventStudyResult(coefs=pd.DataFrame(rows), fit=res, ref=ref)


@dataclass(frozen=True)
class CallawaySantAnnaResult(EstimationResult):
    """Group-time average treatment effects and their aggregations.

    Attributes
    ----------
    att_gt : DataFrame
        One row per (cohort ``group``, period ``time``): ``event_time``, ``att``, ``se``, ``z``,
        ``pvalue``, ``lower``, ``upper``, ``n_treated``, ``n_control``, ``base`` (base period).
        With the multiplier bootstrap also ``se_boot`` and the uniform band ``cband_lower``,
        ``cband_upper``.
    simple, dynamic, group : DataFrame
        Aggregations (see :meth:`aggregate`); ``simple`` has one row ``ATT``. With the bootstrap
        they carry ``se_boot``, ``cband_lower``, ``cband_upper`` too: the band is simultaneous
        over the event times (``dynamic``) or cohorts (``group``); the overall rows get their
        own bootstrap interval.
    control_group : str
    n_entities : int
        Entities used (always-treated entities are dropped).
    dropped_always_treated : int
        Entities treated in the first period, which have no pre-period.
    alpha : float
    influence : ndarray
        Influence functions of the ATT(g,t), entities × cells (for further aggregation).
    covariates : tuple of str
        Covariates of the 2×2 comparisons (empty: none).
    est_method : {"dr", "ipw", "reg"}
        2×2 estimator used with covariates (all three coincide without).
    base_period : {"varying", "universal"}
    bootstrap : int
        Multiplier-bootstrap draws (0: analytic inference only).
    multiplier : {"mammen", "rademacher"}
    seed : int
    critical_values : dict
        Sup-t critical values of the uniform bands by table (``"att_gt"``, ``"dynamic"``,
        ``"group"``, and ``"simple"``, ``"dynamic average"``, ``"group average"`` for the
        overall rows); empty without the bootstrap.
    trimmed : int
        Comparison units given zero weight over all cells because their propensity score
        reached 0.995 (``ipw`` and ``dr``, as R ``DRDID``).

    Examples
    --------
    >>> import clusterdx as cdx
    >>> from clusterdx.panel import callaway_santanna
    >>> panel = cdx.datasets.staggered_panel()  # pilot_year 2020, 2021 or never; true effect 1
    >>> cs = callaway_santanna(panel, "dt", "pilot_year")
    >>> cs.n_entities, cs.att_gt.shape, cs.influence.shape
    (6, (8, 12), (6, 8))
    >>> cs.params.round(3).to_dict()
    {'ATT': 1.084}
    >>> cs.aggregate("group")["att"].round(3).to_dict()
    {2020.0: 1.153, 2021.0: 0.981, 'average': 1.067}
    """

    att_gt: pd.DataFrame
    simple: pd.DataFrame
    dynamic: pd.DataFrame
    group: pd.DataFrame
    control_group: str
    n_entities: int
    nobs: int
    dropped_always_treated: int
    alpha: float
    depvar: str
    influence: np.ndarray = field(repr=False)
    covariates: tuple[str, ...] = ()
    est_method: str = DEFAULT_EST_METHOD
    base_period: str = DEFAULT_BASE_PERIOD
    bootstrap: int = 0
    multiplier: str = DEFAULT_MULTIPLIER
    seed: int = 0
    critical_values: dict[str, float] = field(default_factory=dict)
    trimmed: int = 0

    @property
    def params(self) -> pd.Series:
        """The overall ATT (simple aggregation) for tables."""
        return pd.Series({"ATT": self.simple.loc["ATT", "att"]}, name="coef")

    @property
    def bse(self) -> pd.Series:
        """Its analytic (influence-function) standard error."""
        return pd.Series({"ATT": self.simple.loc["ATT", "se"]}, name="std err")

    @property
    def tvalues(self) -> pd.Series:
        """z statistic."""
        return self.params / self.bse

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided normal p-value."""
        return pd.Series(2 * stats.norm.sf(np.abs(self.tvalues)), index=["ATT"], name="pvalue")

    model = property(lambda self: "Callaway-Sant'Anna", doc="Model label for tables.")
    effects = property(lambda self: "group-time", doc="Effects label for tables.")
    fixed_effects = property(
        lambda self: {"entity": True, "time": True}, doc="Differences remove both."
    )
    cov_type = property(
        lambda self: Covariance(
            "influence function, clustered by entity (Callaway & Sant'Anna 2021)",
            kind="influence",
            cluster="entity",
        ),
        doc="Covariance convention.",
    )
    rsquared = property(lambda self: None, doc="Not a regression fit.")
    rsquared_within = property(lambda self: None, doc="Not a regression fit.")
    llf = property(lambda self: None, doc="Not a likelihood fit.")

    def method_note(
        self, lang: Literal["en", "zh"] = "en", labels: Mapping[str, str] | None = None
    ) -> str:
        """One sentence naming the 2×2 estimator, covariates, base period and uniform bands.

        ``lang="zh"`` gives the Chinese wording of the paper tables; ``labels`` maps covariate
        names to the names shown. See :func:`callaway_santanna` for an example.
        """
        zh = lang == "zh"
        names = {"dr": ("doubly robust (Sant'Anna & Zhao 2020)", "双重稳健估计（Sant'Anna和Zhao，2020）"),
                 "ipw": ("inverse probability weighting", "逆概率加权估计"),
                 "reg": ("outcome regression", "结果回归估计")}  # fmt: skip
        if self.covariates:
            method = names[self.est_method][zh]
            sep = "、" if zh else ", "
            covs = sep.join((labels or {}).get(c, c) for c in self.covariates)
            text = f"{method}，协变量：{covs}" if zh else f"{method} on {covs}"
        else:
            text = "无协变量（组均值差分）" if zh else "no covariates (differences of means)"
        base = {"varying": ("varying base period", "变动基期"),
                "universal": ("universal base period", "统一基期")}[self.base_period][zh]  # fmt: skip
        parts = [text, base]
        if self.trimmed:
            parts.append(
                f"{self.trimmed}个对照单位倾向得分不低于0.995，权重为零"
                if zh
                else f"{self.trimmed} comparison units with propensity score >= 0.995 trimmed"
            )
        if self.bootstrap:
            weights = {"mammen": ("Mammen", "Mammen"), "rademacher": ("Rademacher", "Rademacher")}
            crit = self.critical_values
            shown = [(k, crit[k]) for k in ("att_gt", "dynamic", "group") if k in crit]
            if zh:
                tables = {"att_gt": "组别-时期", "dynamic": "动态效应", "group": "组别效应"}
                values = "，".join(f"{tables[k]} {v:.3f}" for k, v in shown)
                parts.append(
                    f"乘数自助法（{weights[self.multiplier][1]}权重，{self.bootstrap}次，"
                    f"随机数种子{self.seed}）一致置信带临界值：{values}"
                )
            else:
                values = ", ".join(f"{k} {v:.3f}" for k, v in shown)
                parts.append(
                    f"multiplier bootstrap ({weights[self.multiplier][0]} weights, "
                    f"{self.bootstrap} draws, seed {self.seed}), uniform-band critical values: "
                    f"{values}"
                )
        return ("；" if zh else "; ").join(parts)

    def aggregate(self, kind: Aggregation = "simple") -> pd.DataFrame:
        """An aggregation of the ATT(g,t): ``"simple"``, ``"dynamic"`` or ``"group"``."""
        check_option("kind", kind, AGGREGATIONS)
        return {"simple": self.simple, "dynamic": self.dynamic, "group": self.group}[kind]

    def summary(self) -> str:
        """Aggregated effects and the group-time ATTs."""
        fmt = {"float_format": lambda v: f"{v:.6g}"}
        return "\n".join(
            [
                f"Callaway & Sant'Anna (2021) DID; controls: {self.control_group}; "
                f"{self.n_entities} entities ({self.dropped_always_treated} always-treated "
                "dropped); analytic SEs clustered by entity",
                self.method_note(),
                "Overall ATT (simple):",
                self.simple.to_string(**fmt),
                "Dynamic (by event time):",
                self.dynamic.to_string(**fmt),
                "By cohort:",
                self.group.to_string(**fmt),
                "Group-time ATT(g,t):",
                self.att_gt.to_string(**fmt),
            ]
        )


def callaway_santanna(
    panel: pd.DataFrame,
    y: str,
    treat_year: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    control_group: ControlGroup = "nevertreated",
    covariates: Sequence[str] = (),
    est_method: EstMethod = DEFAULT_EST_METHOD,
    base_period: BasePeriod = DEFAULT_BASE_PERIOD,
    bootstrap: int = 0,
    multiplier: MultiplierWeights = DEFAULT_MULTIPLIER,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
) -> CallawaySantAnnaResult:
    """Callaway & Sant'Anna (2021) group-time ATTs for staggered adoption, with or without covariates.

    For cohort g (first treated in period g) and period t, with base period b,

    .. math::

        ATT(g,t) = E[Y_t - Y_b \\mid G=g] - E[Y_t - Y_b \\mid C],

    where the control group C is the never-treated (``"nevertreated"``) or the not yet treated
    by :math:`\\max(t, b)`, :math:`G>\\max(t,b)` and :math:`G\\ne g`, plus the never-treated
    (``"notyettreated"``) (Callaway & Sant'Anna 2021, eq. 2.4/2.5 and Theorem 1). Base period
    as R ``did``'s ``base_period``: ``"varying"`` (default) uses :math:`b=g-1` for
    :math:`t\\ge g` and :math:`b=t-1` before adoption (short differences, placebo pre-trends);
    ``"universal"`` uses :math:`b=g-1` for every t, including the reference cell
    :math:`ATT(g,g-1)=0` (no standard error). Entities first treated after the last period
    count as never treated; entities treated in the first period are dropped.

    Covariates (conditional parallel trends, Assumption 4/5 of the paper): each ATT(g,t) is
    the 2×2 estimator of Sant'Anna & Zhao (2020) on the cohort and its control group, with the
    covariates of the earlier of the two periods compared (the base period, except for the
    periods before the base under ``"universal"``), as R ``did`` with ``panel = TRUE``:
    ``est_method="dr"`` doubly robust (default), ``"ipw"`` normalised inverse probability
    weighting, ``"reg"`` outcome regression; see :mod:`clusterdx.panel._drdid` for the
    formulas. Without covariates the three are the difference of mean changes.

    Inference: the influence function of each ATT(g,t) (for no covariates
    :math:`\\psi_i=\\frac{D_i}{p_D}(\\Delta Y_i-\\bar{\\Delta Y}_D)-\\frac{C_i}{p_C}(\\Delta Y_i-\\bar{\\Delta Y}_C)`
    with :math:`p_D, p_C` the shares of entities in the two groups; with covariates the 2×2
    estimator's, scaled by :math:`n/n_{gt}`) gives :math:`se=\\sqrt{\\sum_i\\psi_i^2}/n`
    (clustered by entity). Aggregations (§3 of the paper):

    * ``simple``: :math:`\\sum_{g,t\\ge g} w_{gt} ATT(g,t)`, :math:`w\\propto P(G=g)`;
    * ``dynamic``: :math:`\\theta(e)=\\sum_g P(G=g\\mid g+e\\text{ observed}) ATT(g,g+e)` for
      each event time e, and the average of :math:`\\theta(e)` over :math:`e\\ge 0`;
    * ``group``: :math:`\\theta(g)` the mean of ATT(g,t) over :math:`t\\ge g`, and their
      average weighted by :math:`P(G=g)`.

    The standard errors of weighted aggregations include the term for the estimated cohort
    shares, as R ``did::aggte``. With ``bootstrap = B > 0`` the influence functions are
    bootstrapped with ``B`` multiplier draws per entity (§4.2, Algorithm 1; R ``did::mboot``,
    :mod:`clusterdx.panel._multiplier`): bootstrap standard errors and uniform (simultaneous)
    bands :math:`\\hat\\theta\\pm\\hat c_{1-\\alpha}se` from the sup-t critical value over the
    ATT(g,t), the event times and the cohorts.

    Parameters
    ----------
    panel : DataFrame
        Balanced long panel.
    y, treat_year, entity, time : str
        Response, first treated period (missing, 0 or ``inf`` if never treated), keys.
    control_group : {"nevertreated", "notyettreated"}
    covariates : sequence of str
        Columns of the 2×2 comparisons (time-invariant or time-varying; no missing values).
    est_method : {"dr", "ipw", "reg"}
        2×2 estimator with covariates.
    base_period : {"varying", "universal"}
    bootstrap : int
        Multiplier-bootstrap draws (0: analytic inference only).
    multiplier : {"mammen", "rademacher"}
        Bootstrap weights (Mammen as R ``did``).
    seed : int
        Seed of the bootstrap draws.
    alpha : float
        Level of the pointwise intervals and uniform bands.

    Returns
    -------
    CallawaySantAnnaResult

    Raises
    ------
    EstimationError
        A cell whose covariates are collinear among its comparison units, or whose
        propensity score nearly separates cohort and comparison group (no overlap); the
        message names the cell.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> import numpy as np, pandas as pd
    >>> from clusterdx.panel import callaway_santanna
    >>> panel = cdx.datasets.staggered_panel()  # pilot_year 2020, 2021 or never; true effect 1
    >>> cs = callaway_santanna(panel, "dt", "pilot_year",
    ...                        control_group="notyettreated")
    >>> cs.simple.loc["ATT", ["att", "se", "lower", "upper"]].round(3).tolist()
    [1.077, 0.137, 0.808, 1.345]
    >>> cs.dynamic["att"].round(3).to_dict()
    {-2.0: -0.019, -1.0: -0.001, 0.0: 0.851, 1.0: 1.167, 2.0: 1.348, 'average e>=0': 1.122}

    Trends that depend on a covariate (parallel only conditionally on ``gov``), the doubly
    robust estimator and 999 multiplier-bootstrap draws:

    >>> rng = np.random.default_rng(1)
    >>> big = pd.DataFrame({"region": np.repeat(np.arange(60), 5),
    ...                     "year": np.tile(np.arange(2018, 2023), 60)})
    >>> big["pilot_year"] = np.repeat(rng.choice([2020, 2021, np.nan], 60), 5)
    >>> big["gov"] = np.repeat(rng.normal(size=60), 5) + big["pilot_year"].notna()
    >>> big["dt"] = ((big["year"] >= big["pilot_year"]) + 0.5 * big["gov"] * (big["year"] - 2018)
    ...              + rng.normal(0, 0.1, 300))
    >>> plain = callaway_santanna(big, "dt", "pilot_year")
    >>> cs = callaway_santanna(big, "dt", "pilot_year",
    ...                        covariates=["gov"], bootstrap=999, seed=1)
    >>> round(float(plain.params["ATT"]), 2), round(float(cs.params["ATT"]), 2)  # true effect 1
    (1.87, 1.0)
    >>> print(cs.method_note())  # doctest: +NORMALIZE_WHITESPACE
    doubly robust (Sant'Anna & Zhao 2020) on gov; varying base period; multiplier bootstrap
    (Mammen weights, 999 draws, seed 1), uniform-band critical values: att_gt ..., dynamic ...,
    group ...
    >>> bool(cs.critical_values["att_gt"] > 1.96)
    True
    """
    check_option("control_group", control_group, CONTROL_GROUPS)
    check_option("est_method", est_method, EST_METHODS)
    check_option("base_period", base_period, BASE_PERIODS)
    check_option("multiplier", multiplier, MULTIPLIER_WEIGHTS)
    if not 0 < alpha < 1:
        raise EstimationError(f"alpha={alpha!r} must lie strictly between 0 and 1.")
    if not (isinstance(bootstrap, int) and bootstrap >= 0):
        raise EstimationError(f"bootstrap={bootstrap!r} must be a number of draws >= 0.")
    covariates = (covariates,) if isinstance(covariates, str) else tuple(covariates)
    absent = [c for c in covariates if c not in panel.columns]
    if absent:
        raise PanelError(
            f"covariate {absent[0]!r} is not in the panel; columns: {list(map(str, panel.columns))}."
        )
    clash = [c for c in covariates if c in (y, treat_year, entity, time)]
    if clash:
        raise PanelError(f"covariates {clash} are the response, the cohort or a key column.")
    base_frame, cohort = with_cohorts(panel, treat_year, entity, time)
    frame = PanelFrame(base_frame, [y, *covariates], entity, time, balanced=True).data
    wide = frame[y].unstack(level=1)
    periods = wide.columns.to_numpy(dtype=float)
    cohorts = (
        base_frame.assign(_cohort=cohort).groupby(entity)["_cohort"].first().reindex(wide.index)
    ).to_numpy(dtype=float)
    cohorts = np.where(cohorts > periods.max(), np.inf, cohorts)
    always = cohorts <= periods.min()
    wide, cohorts = wide.loc[~always], cohorts[~always]
    off_grid = sorted({c for c in cohorts[np.isfinite(cohorts)] if c not in set(periods)})
    if off_grid:
        raise PanelError(
            f"{treat_year!r} takes values {off_grid[:5]} that are not periods of {time!r}."
        )
    if control_group == "nevertreated" and not np.isinf(cohorts).any():
        raise EstimationError("no entity is never treated; use control_group='notyettreated'.")
    values = wide.to_numpy(dtype=float)
    covs = None
    if covariates:
        covs = np.stack(
            [frame[c].unstack(level=1).loc[wide.index].to_numpy(float) for c in covariates],
            axis=2,
        )
    n = len(values)
    design = _Design(values, covs, cohorts, periods, control_group, est_method, base_period)
    cells, influence, trimmed = design.group_time()
    if not cells:
        raise EstimationError("no (cohort, period) cell has both treated and control entities.")
    att_gt = pd.DataFrame(cells)
    att_gt["se"] = np.sqrt((influence**2).sum(axis=0)) / n
    att_gt = _inference(att_gt, alpha)
    shares = {g: float(np.mean(cohorts == g)) for g in np.unique(cohorts[np.isfinite(cohorts)])}
    agg = _Aggregator(att_gt, influence, cohorts, shares, n, alpha)
    tables = {"att_gt": (att_gt, influence), "simple": agg.simple(), "dynamic": agg.dynamic()}
    tables["group"] = agg.group()
    critical: dict[str, float] = {}
    if bootstrap:
        for key, (table, psi) in tables.items():
            tables[key] = (_with_bands(table, psi, key, bootstrap, multiplier, seed, alpha,
                                       critical), psi)  # fmt: skip
    return CallawaySantAnnaResult(
        att_gt=tables["att_gt"][0],
        simple=tables["simple"][0],
        dynamic=tables["dynamic"][0],
        group=tables["group"][0],
        control_group=control_group,
        n_entities=n,
        nobs=int(values.size),
        dropped_always_treated=int(always.sum()),
        alpha=alpha,
        depvar=y,
        influence=influence,
        covariates=covariates,
        est_method=est_method,
        base_period=base_period,
        bootstrap=bootstrap,
        multiplier=multiplier,
        seed=seed,
        critical_values=critical,
        trimmed=trimmed,
    )


def with_cohorts(
    panel: pd.DataFrame, treat_year: str, entity: str, time: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """A copy of the panel and each row's first treated period (``inf`` if never treated).

    Validates the columns of a staggered DID once for every DID estimator (`did`,
    `event_study`, `callaway_santanna`, `clusterdx.spatial.spatial_did`): a numeric first
    treated period (NaN or 0: never treated) constant within each entity, a numeric time.
    """
    if not isinstance(panel, pd.DataFrame):
        raise PanelError(f"panel must be a pandas DataFrame, got {type(panel).__name__}.")
    for col in (treat_year, entity, time):
        if col not in panel.columns:
            raise PanelError(f"column {col!r} is not in the panel.")
    if not pd.api.types.is_numeric_dtype(panel[treat_year]):
        raise PanelError(
            f"{treat_year!r} must hold numeric first treated periods (NaN or 0 if never treated)."
        )
    if not pd.api.types.is_numeric_dtype(panel[time]):
        raise PanelError(f"time column {time!r} must be numeric (e.g. years) for DID.")
    raw = panel[treat_year].astype(float)
    cohort = raw.where(raw.notna() & (raw != 0), np.inf)
    varying = cohort.groupby(panel[entity].to_numpy()).nunique()
    varying = varying[varying > 1]
    if len(varying):
        raise PanelError(
            f"{treat_year!r} varies within {entity!r} values {list(varying.index[:5])}; give "
            "each entity one first treated period (staggered adoption is absorbing)."
        )
    return panel.copy(), cohort.to_numpy()


@dataclass(frozen=True)
class _Design:
    """The balanced panel of one Callaway-Sant'Anna fit: outcomes, covariates, cohorts, options."""

    values: np.ndarray  # entities × periods
    covs: np.ndarray | None  # entities × periods × covariates
    cohorts: np.ndarray
    periods: np.ndarray
    control_group: str
    est_method: str
    base_period: str

    def group_time(self) -> tuple[list[dict], np.ndarray, int]:
        """ATT(g,t) of every admissible cell, the influence functions (entities × cells) and
        the number of trimmed comparison units."""
        n = len(self.values)
        cells, columns, trimmed = [], [], 0
        first = 0 if self.base_period == "universal" else 1
        for g in np.unique(self.cohorts[np.isfinite(self.cohorts)]):
            g_pos = int(np.searchsorted(self.periods, g))
            treated = self.cohorts == g
            for t_pos in range(first, len(self.periods)):
                varying = self.base_period == "varying" and t_pos < g_pos
                base = t_pos - 1 if varying else g_pos - 1
                t = self.periods[t_pos]
                if self.control_group == "nevertreated":
                    control = np.isinf(self.cohorts)
                else:
                    control = (self.cohorts > self.periods[max(t_pos, base)]) & ~treated
                if not control.any():
                    continue
                if t_pos == base:
                    att, psi, cut = 0.0, np.zeros(n), 0
                elif self.covs is None:
                    att, psi, cut = _difference_of_means(self.values, t_pos, base, treated, control)
                else:
                    att, psi, cut = self._with_covariates(t_pos, base, treated, control, g, t)
                trimmed += cut
                cells.append(
                    {
                        "group": g,
                        "time": t,
                        "event_time": t - g,
                        "att": att,
                        "n_treated": int(treated.sum()),
                        "n_control": int(control.sum()),
                        "base": self.periods[base],
                    }
                )
                columns.append(psi)
        influence = np.column_stack(columns) if columns else np.empty((n, 0))
        return cells, influence, trimmed

    def _with_covariates(
        self, t_pos: int, base: int, treated: np.ndarray, control: np.ndarray, g: float, t: float
    ) -> tuple[float, np.ndarray, int]:
        """The 2×2 estimator of Sant'Anna & Zhao (2020) on the cell's cohort and controls."""
        n = len(self.values)
        sub = treated | control
        x = np.column_stack([np.ones(int(sub.sum())), self.covs[sub, min(t_pos, base), :]])
        change = self.values[sub, t_pos] - self.values[sub, base]
        try:
            att, psi_sub, trimmed = att_2x2(change, treated[sub], x, self.est_method)
        except EstimationError as err:
            raise EstimationError(
                f"callaway_santanna (est_method={self.est_method!r}), cohort {g:g} in period "
                f"{t:g} ({int(treated.sum())} treated, {int(control.sum())} comparison units): "
                f"{err}; use fewer covariates, or a control group with more units "
                "(control_group='nevertreated' or 'notyettreated')."
            ) from None
        psi = np.zeros(n)
        psi[sub] = psi_sub * n / sub.sum()
        return att, psi, trimmed


def _difference_of_means(
    values: np.ndarray, t_pos: int, base: int, treated: np.ndarray, control: np.ndarray
) -> tuple[float, np.ndarray, int]:
    """ATT(g,t) without covariates: the difference of mean changes and its influence function."""
    change = values[:, t_pos] - values[:, base]
    mean_t, mean_c = change[treated].mean(), change[control].mean()
    p_t, p_c = treated.mean(), control.mean()
    psi = treated / p_t * (change - mean_t) - control / p_c * (change - mean_c)
    return float(mean_t - mean_c), psi, 0


def _inference(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Add z, normal p-value and pointwise interval to a table with ``att`` and ``se``.

    A zero standard error (the reference cell of a universal base period) is reported missing.
    """
    se = table["se"].where(table["se"] > np.sqrt(np.finfo(float).eps) * 10)
    table = table.assign(se=se)
    z = table["att"] / table["se"]
    crit = stats.norm.ppf(1 - alpha / 2)
    return table.assign(
        z=z,
        pvalue=2 * stats.norm.sf(np.abs(z)),
        lower=table["att"] - crit * table["se"],
        upper=table["att"] + crit * table["se"],
    )


def _with_bands(
    table: pd.DataFrame,
    psi: np.ndarray,
    key: str,
    draws: int,
    multiplier: str,
    seed: int,
    alpha: float,
    critical: dict[str, float],
) -> pd.DataFrame:
    """``table`` with bootstrap SEs and uniform bands; records the critical values in ``critical``.

    The overall row of ``dynamic`` and ``group`` (the last) is bootstrapped on its own, the
    other rows jointly.
    """
    n = len(psi)
    boot = bootstrap_draws(psi, draws, multiplier, seed)
    rows = [np.arange(len(table))]
    names = [key]
    if key in ("dynamic", "group"):
        rows = [np.arange(len(table) - 1), np.array([len(table) - 1])]
        names = [key, f"{key} average"]
    se, lower, upper = (np.full(len(table), np.nan) for _ in range(3))
    att = table["att"].to_numpy(dtype=float)
    for idx, name in zip(rows, names, strict=True):
        fit = bands(boot[:, idx], n, alpha)
        critical[name] = fit.critical
        se[idx] = fit.se
        lower[idx] = att[idx] - fit.critical * fit.se
        upper[idx] = att[idx] + fit.critical * fit.se
    return table.assign(se_boot=se, cband_lower=lower, cband_upper=upper)


class _Aggregator:
    """Weighted averages of ATT(g,t) with influence functions (R ``did::aggte`` conventions)."""

    def __init__(
        self,
        cells: pd.DataFrame,
        influence: np.ndarray,
        cohorts: np.ndarray,
        shares: dict[float, float],
        n: int,
        alpha: float,
    ) -> None:
        self.cells, self.influence, self.n, self.alpha = cells, influence, n, alpha
        self.cohorts = cohorts
        self.pg = cells["group"].map(shares).to_numpy(dtype=float)

    def _weighted(self, keep: np.ndarray) -> tuple[float, np.ndarray]:
        """Estimate and influence function of the P(G=g)-weighted mean of the kept cells."""
        idx = np.flatnonzero(keep)
        pg = self.pg[idx]
        weights = pg / pg.sum()
        att = self.cells["att"].to_numpy()[idx]
        member = np.column_stack([self.cohorts == g for g in self.cells["group"].to_numpy()[idx]])
        dev = member - pg
        weights_if = dev / pg.sum() - np.outer(dev.sum(axis=1), pg) / pg.sum() ** 2
        psi = self.influence[:, idx] @ weights + weights_if @ att
        return float(weights @ att), psi

    def _row(self, label: object, att: float, psi: np.ndarray) -> dict:
        return {"label": label, "att": att, "se": float(np.sqrt((psi**2).sum()) / self.n)}

    def simple(self) -> tuple[pd.DataFrame, np.ndarray]:
        """The overall ATT and its influence function (entities × 1)."""
        post = (self.cells["event_time"] >= 0).to_numpy()
        att, psi = self._weighted(post)
        table = pd.DataFrame([self._row("ATT", att, psi)]).set_index("label")
        return _inference(table, self.alpha), psi[:, None]

    def dynamic(self) -> tuple[pd.DataFrame, np.ndarray]:
        """Effects by event time and their average over e >= 0, with influence functions."""
        rows, psis, post_psi, post_att = [], [], [], []
        for e in np.sort(self.cells["event_time"].unique()):
            att, psi = self._weighted((self.cells["event_time"] == e).to_numpy())
            rows.append(self._row(float(e), att, psi))
            psis.append(psi)
            if e >= 0:
                post_att.append(att)
                post_psi.append(psi)
        average = np.mean(post_psi, axis=0)
        overall = self._row("average e>=0", float(np.mean(post_att)), average)
        table = pd.DataFrame([*rows, overall]).set_index("label")
        table.index.name = "event_time"
        return _inference(table, self.alpha), np.column_stack([*psis, average])

    def group(self) -> tuple[pd.DataFrame, np.ndarray]:
        """Effects by cohort and their P(G=g)-weighted average, with influence functions."""
        rows, atts, psis, weights = [], [], [], []
        for g in np.sort(self.cells["group"].unique()):
            keep = ((self.cells["group"] == g) & (self.cells["event_time"] >= 0)).to_numpy()
            if not keep.any():
                continue
            att = float(self.cells["att"].to_numpy()[keep].mean())
            psi = self.influence[:, keep].mean(axis=1)
            rows.append(self._row(float(g), att, psi))
            atts.append(att)
            psis.append(psi)
            weights.append(float(np.mean(self.cohorts == g)))
        pg = np.asarray(weights)
        member = np.column_stack([self.cohorts == r["label"] for r in rows])
        dev = member - pg
        weights_if = dev / pg.sum() - np.outer(dev.sum(axis=1), pg) / pg.sum() ** 2
        psi = np.column_stack(psis) @ (pg / pg.sum()) + weights_if @ np.asarray(atts)
        overall = self._row("average", float(pg @ np.asarray(atts) / pg.sum()), psi)
        table = pd.DataFrame([*rows, overall]).set_index("label")
        table.index.name = "group"
        return _inference(table, self.alpha), np.column_stack([*psis, psi])
