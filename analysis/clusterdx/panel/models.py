"""Linear panel regressions (pooled, fixed/random effects, between, first differences).

It parses the formula, checks the panel, chooses one documented covariance convention, and
returns a ``PanelResult`` that shares its core interface (``params``, ``bse``, ``pvalues``,
``nobs``, ``summary()``) with the spatial estimators, so one table renderer handles both. Pooled
OLS and fixed effects are fitted by :mod:`clusterdx.paneldata.within` (exact within transformation,
least squares on the Gram matrix, linearmodels' covariance conventions; several times faster than
linearmodels and pyfixest on large panels, equal to linearmodels to 1e-10 in the tests); random
effects, between and first differences by linearmodels (Sheppard et al., ``linearmodels.panel``).
The small-sample scale of clustered covariances is set here (see ``fit``): linearmodels counts
every effect of a two-way model in the degrees of freedom, while Stata/fixest leave out the
effects nested in the clusters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from linearmodels import BetweenOLS, FirstDifferenceOLS, RandomEffects

from clusterdx._display import ResultDisplay, Summary
from clusterdx.errors import EstimationError, PanelError
from clusterdx.options.common import check_option
from clusterdx.options.panel import (
    CLUSTER_ADJUSTMENTS,
    COVS,
    DEFAULT_ENTITY,
    DEFAULT_MISSING,
    DEFAULT_TIME,
    EFFECTS,
    MISSING,
    MODELS,
    ClusterAdjustment,
    Cov,
    Effects,
    Missing,
    Model,
)
from clusterdx.options.panel import COVS_BY_MODEL as _COVS_BY_MODEL
from clusterdx.panel._checks import check_rank
from clusterdx.panel._formula import parse_formula
from clusterdx.panel.iv import (
    FixestResult,
    check_cov_options,
    driscoll_kraay_bandwidth,
    fit_fixest,
    has_instruments,
)
from clusterdx.paneldata.frame import PanelFrame, as_frame
from clusterdx.paneldata.within import (
    codes_of,
    covariance,
    demean_rows,
    full_rank,
    group_means,
    least_squares,
    nested,
    r_squared,
)
from clusterdx.results import Covariance, StudentTResult

_CONST = "const"


@dataclass(frozen=True, repr=False)
class PanelResult(ResultDisplay, StudentTResult):
    """Estimates of a linear panel regression, with the interface shared by all estimators.

    Attributes
    ----------
    params, bse : Series
        Coefficients and standard errors indexed by regressor name (``"const"`` for the
        intercept of pooled, random-effects and between models).
    cov : DataFrame
        Covariance of ``params`` under the convention in ``cov_type``.
    nobs : int
        Observations used (after ``missing="drop"``).
    model, effects : str
        ``"pooled" | "fe" | "re" | "between" | "fd"``; ``"individual" | "time" | "twoways"``
        for fixed and random effects, ``"none"`` otherwise.
    depvar : str
        The response.
    exog_names : list of str
        Names of ``params`` in order.
    cov_type : str
        The covariance convention in words, including its small-sample factor.
    df_inference : float
        Degrees of freedom of the Student t used for ``pvalues`` and ``conf_int``.
    rsquared : float
        The R² that fits the model: within (of the demeaned model) for fixed effects, of the
        quasi-demeaned GLS regression for random effects, of the means for between, of the
        differences for first differences, the ordinary R² for pooled OLS.
    rsquared_within, rsquared_between, rsquared_overall : float
        R² of the fitted coefficients on the entity-demeaned, entity-mean and raw data.
    llf : float or None
        Gaussian log-likelihood of the estimated (transformed) regression with the ML variance
        SSR/n; ``None`` for random effects, whose GLS fit is not a likelihood fit.
    fixed_effects : dict
        ``{"entity": bool, "time": bool}``: which fixed effects are absorbed.
    dropped : int
        Rows dropped for missing values (``missing="drop"``); 0 otherwise.
    n_entities, n_periods : int
        Panel dimensions of the estimation sample.
    theta : float or None
        Random-effects quasi-demeaning weight (balanced panels; the mean otherwise).
    fd_intercept : bool or None
        First differences: whether the differenced regression has an intercept (a linear trend
        in levels); ``None`` for the other models.
    raw : WithinFit or linearmodels results
        Pooled / FE: the :class:`clusterdx.paneldata.within.WithinFit` (residuals, inverse Gram
        matrix, unadjusted covariance); RE / between / FD: the linearmodels result object.
    data : DataFrame
        The estimation sample indexed by (entity, time), used by :func:`hausman`.

    Examples
    --------
    A ``PanelResult`` is what :func:`clusterdx.panel.fit` returns (6 regions × 5 years):

    >>> import clusterdx as cdx
    >>> panel = cdx.datasets.toy_panel()  # dt = 0.3 demand - 0.2 gov + 0.5 tech + effects + noise
    >>> from clusterdx.panel import fit
    >>> res = fit(panel, "dt ~ demand + gov + tech", model="fe", effects="individual")
    >>> res.params.round(3).to_dict()
    {'demand': 0.295, 'gov': -0.215, 'tech': 0.509}
    >>> res.nobs, res.n_entities, res.n_periods, res.fixed_effects
    (30, 6, 5, {'entity': True, 'time': False})
    >>> res.conf_int().round(2).loc["demand"].tolist()
    [0.19, 0.4]
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
    rsquared_within: float
    rsquared_between: float
    rsquared_overall: float
    llf: float | None
    fixed_effects: dict[str, bool]
    dropped: int
    n_entities: int
    n_periods: int
    theta: float | None
    raw: Any = field(repr=False)
    data: pd.DataFrame = field(repr=False)
    fd_intercept: bool | None = None

    @property
    def fitted_values(self) -> pd.Series:
        """The linear predictor x'β on the estimation sample, in levels (linearmodels'
        ``fitted_values``): absorbed or random effects are not in it (see ``estimated_effects``)."""
        return self.raw.fitted_values.iloc[:, 0].rename("fitted_values")

    @property
    def estimated_effects(self) -> pd.Series:
        """The effects of each observation (linearmodels' ``estimated_effects``; 0 where the model
        has none): α̂_i + λ̂_t for fixed effects, θ times the entity mean of y − x'β̂ for random
        effects, the entity mean residual for the between model."""
        return self.raw.estimated_effects.iloc[:, 0].fillna(0.0).rename("estimated_effects")

    @property
    def resid(self) -> pd.Series:
        """Residuals y − x'β̂ − effects in levels (linearmodels' ``idiosyncratic``; statsmodels'
        name), so that ``y = fitted_values + estimated_effects + resid`` for every model. For
        fixed effects they are the within residuals; for first differences y − x'β̂ in levels
        (the differenced equation's residuals are ``raw.resids``)."""
        return self.raw.idiosyncratic.iloc[:, 0].rename("resid")

    def predict(self, data: pd.DataFrame | None = None, *, effects: bool = False) -> pd.Series:
        """Predictions x'β̂ (the linear predictor), plus the estimated effects if ``effects``.

        Without ``data``: the estimation sample's ``fitted_values`` (+ ``estimated_effects``).
        With ``data`` (columns: the regressors, and the entity and time columns of the fit when
        ``effects=True``): x'β̂ of its rows, an intercept included where the model has one. With
        ``effects=True`` (fixed-effects models only) each row gets the estimated α̂_i (+ λ̂_t)
        of its entity (period), recovered from the combined in-sample effects by alternating
        projections (exact up to 1e-12: the combined effect is additive); an entity or period
        outside the estimation sample has no estimated effect and raises ``PanelError``. First
        differences identify no intercept in levels, so they have no ``predict(data)``.

        As linearmodels' ``PanelResults.predict`` (x'β̂ by default, ``effects=True`` in sample)
        and pyfixest's ``Feols.predict`` (x'β̂ + fixed effects of known levels).
        """
        if data is None:
            fitted = self.fitted_values
            return (fitted + self.estimated_effects if effects else fitted).rename("predict")
        if self.model == "fd":
            raise EstimationError(
                "predict(data) is not defined for model='fd': first differences estimate no "
                "intercept in levels; predict changes from the differenced regressors instead"
            )
        if effects and self.model != "fe":
            raise EstimationError(
                f"effects=True predicts with estimated fixed effects, which model={self.model!r} "
                "has none; use model='fe' or effects=False"
            )
        exog = [n for n in self.exog_names if n != _CONST]
        missing = [c for c in exog if c not in data.columns]
        if missing:
            raise PanelError(
                f"predict: data lacks the regressor column(s) {missing}; it needs {exog}"
            )
        x = data[exog].astype(float).assign(**{_CONST: 1.0})[self.exog_names]
        out = pd.Series(x.to_numpy() @ self.params.to_numpy(), index=data.index, name="predict")
        if effects:
            out = out + self._effects_of(data)
        return out

    def _effects_of(self, data: pd.DataFrame) -> np.ndarray:
        """α̂_i + λ̂_t of the rows of ``data`` from the in-sample combined effects."""
        names = list(self.data.index.names)
        absent = [c for c in names if c not in data.columns]
        if absent:
            raise PanelError(
                f"predict(effects=True): data lacks the column(s) {absent} that identify the "
                "fixed effects; add them"
            )
        combined = self.estimated_effects
        ids = [combined.index.get_level_values(k) for k in (0, 1)]
        alpha = pd.Series(0.0, index=pd.Index(ids[0]).unique())
        lam = pd.Series(0.0, index=pd.Index(ids[1]).unique())
        values = combined.to_numpy()
        for _ in range(10_000):
            if self.fixed_effects["entity"]:
                alpha = pd.Series(values - lam.reindex(ids[1]).to_numpy()).groupby(ids[0]).mean()
            if self.fixed_effects["time"]:
                lam = pd.Series(values - alpha.reindex(ids[0]).to_numpy()).groupby(ids[1]).mean()
            gap = values - alpha.reindex(ids[0]).to_numpy() - lam.reindex(ids[1]).to_numpy()
            if np.abs(gap).max() < 1e-12 or not all(self.fixed_effects.values()):
                break
        parts = []
        for key, (column, table) in zip(
            ("entity", "time"), zip(names, (alpha, lam), strict=True), strict=True
        ):
            found = table.reindex(data[column]).to_numpy()
            if self.fixed_effects[key] and np.isnan(found).any():
                unseen = sorted(set(data[column][np.isnan(found)].tolist()))[:5]
                raise PanelError(
                    f"predict(effects=True): {column} {unseen} are not in the estimation sample, "
                    "so they have no estimated fixed effect; predict them with effects=False"
                )
            parts.append(np.nan_to_num(found))
        return parts[0] + parts[1]

    def summary(self) -> Summary:
        """A plain-text coefficient table with the sample and fit statistics.

        Returns a :class:`~clusterdx._display.Summary`: a ``str`` that renders as an HTML table in
        Jupyter and gives its LaTeX with ``.as_latex()``.
        """
        fe = ", ".join(k for k, v in self.fixed_effects.items() if v) or "none"
        head = [
            f"Panel regression: {self.model} (effects: {self.effects}); dependent: {self.depvar}",
            f"Observations: {self.nobs} ({self.n_entities} entities x {self.n_periods} periods,"
            f" {self.dropped} rows dropped)   Fixed effects: {fe}",
            f"R²: {self.rsquared:.4f}   within: {self.rsquared_within:.4f}   "
            f"overall: {self.rsquared_overall:.4f}   log-likelihood: "
            + ("n/a" if self.llf is None else f"{self.llf:.4f}"),
            f"Covariance: {self.cov_type}",
        ]
        ci = self.conf_int()
        table = pd.DataFrame(
            {
                "coef": self.params,
                "std err": self.bse,
                "t": self.tvalues,
                "P>|t|": self.pvalues,
                "[0.025": ci["lower"],
                "0.975]": ci["upper"],
            }
        )
        text = "\n".join([*head, table.to_string(float_format=lambda v: f"{v:.6g}")])
        return Summary(text, self)


def fit(
    panel: pd.DataFrame | PanelFrame,
    formula: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    model: Model = "fe",
    effects: Effects | None = None,
    cov: Cov | None = None,
    cluster: str | None = None,
    cluster_adjustment: ClusterAdjustment | None = None,
    bandwidth: float | None = None,
    missing: Missing = DEFAULT_MISSING,
    fd_intercept: bool | None = None,
    absorb: Sequence[str] | None = None,
) -> PanelResult | FixestResult:
    r"""Fit a linear panel regression with a documented covariance.

    A formula with an instrument block (``"y ~ x1 + [dt ~ z1 + z2]"``, 2SLS) or an ``absorb=``
    list of fixed effects (``["firm", "industry^year"]``) is estimated by pyfixest instead, for
    ``model="pooled"`` or ``"fe"``: see :func:`clusterdx.panel.iv.fit_fixest`, which also accepts
    ``cluster_adjustment="crv3"`` and a list of two cluster columns, and returns a
    ``FixestResult`` with the first stage and weak-instrument statistics.

    The model is :math:`y_{it} = x_{it}'\beta + \alpha_i + \lambda_t + \varepsilon_{it}`:

    * ``"pooled"``: OLS with an intercept, no effects;
    * ``"fe"``: within estimator, :math:`\alpha_i` (``effects="individual"``), :math:`\lambda_t`
      (``"time"``) or both (``"twoways"``) absorbed by demeaning (Wooldridge 2010, *Econometric
      Analysis of Cross Section and Panel Data*, 2nd ed., §10.5);
    * ``"re"``: random individual effects, feasible GLS with Swamy & Arora (1972, *Econometrica*
      40, 311-323) variance components, i.e. OLS of :math:`y_{it}-\theta_i\bar y_i` on
      :math:`x_{it}-\theta_i\bar x_i`,
      :math:`\theta_i = 1-\sqrt{\sigma^2_\varepsilon/(T_i\sigma^2_u+\sigma^2_\varepsilon)}`
      (plm's ``random.method="swar"``); on unbalanced panels :math:`\sigma^2_u` comes from the
      between regression on the :math:`\sum_i T_i` observations of Baltagi & Chang (1994,
      *J. Econometrics* 62, 67-89), as in plm, not from Stata's regression on the N means;
    * ``"between"``: OLS on entity means;
    * ``"fd"``: OLS of :math:`\Delta y_{it} = \delta + \Delta x_{it}'\beta + \Delta\varepsilon_{it}`
      on first differences of consecutive periods (a gap in an entity's periods loses that
      difference, as Stata's ``D.`` operator, whereas plm differences consecutive rows;
      Wooldridge 2010, §10.6). The intercept
      :math:`\delta` is a linear trend in levels; it is kept by default, as in plm's
      ``model="fd"`` and Stata's ``reg D.y D.x`` (``fd_intercept=False`` drops it, as
      linearmodels' ``FirstDifferenceOLS``), and the table note says which.

    Parameters
    ----------
    panel : DataFrame or PanelFrame
        Long panel, one row per (entity, period), or a :class:`clusterdx.paneldata.PanelFrame`
        already validated with the formula's columns (used as it is, not checked again, so
        ``missing`` does not apply: how the mechanism, threshold and heterogeneity analyses
        hand on the panel they validated).
    formula : str
        ``"y ~ x1 + x2"``; every name is a column of ``panel``.
    entity, time : str, default "region", "year"
        Key columns.
    model : {"pooled", "fe", "re", "between", "fd"}
    effects : {"individual", "time", "twoways"}, optional
        Effects of ``"fe"`` (default ``"individual"``) and ``"re"`` (only ``"individual"``).
        Must be left out for the other models.
    cov : {"unadjusted", "robust", "cluster", "driscoll-kraay"}, optional
        Default ``"cluster"`` (by entity), and ``"robust"`` for the between model, which has
        one observation per entity.
        ``"unadjusted"``: :math:`s^2(X'X)^{-1}`, :math:`s^2=SSR/(n-k-d)`;
        ``"robust"``: White with factor :math:`n/(n-k-d)` (not consistent for FE with small T,
        Stock & Watson 2008, *Econometrica* 76, 155-174: prefer clustering);
        ``"cluster"``: Liang-Zeger sandwich with the factor of ``cluster_adjustment``;
        ``"driscoll-kraay"``: Driscoll & Kraay (1998, *REStat* 80, 549-560), Bartlett kernel on
        the period sums of the scores with bandwidth ``bandwidth`` (default, as in Hoechle's
        2007 ``xtscc`` and linearmodels, :math:`\lfloor 4(T/100)^{2/9}\rfloor`), factor
        :math:`n/(n-k-d)`. Here k is the number of coefficients and d the number of absorbed
        effect parameters. The between model allows only the first two.
    cluster : {"entity", "time", "both"} or str, optional
        Cluster variable for ``cov="cluster"`` (default ``"entity"``): the entity, the period,
        both (Cameron, Gelbach & Miller 2011, *JBES* 29, 238-249) or any column of ``panel``.
    cluster_adjustment : {"crv1", "hc1"}, optional
        Small-sample factor of clustered covariances. ``"crv1"`` (default, Stata/fixest):
        :math:`G/(G-1)\cdot(n-1)/(n-K)`; ``"hc1"``: :math:`n/(n-K)`, which is plm's
        ``vcovHC(method="arellano", type="HC1")``. K counts the coefficients plus the effect
        parameters that are *not* nested in a cluster variable (entity effects clustered by
        entity are not counted; the T−1 time effects of a two-way model clustered by entity
        are). With two-way clustering each of the three one-way terms gets its own G.
    bandwidth : float, optional
        Bartlett bandwidth of the Driscoll-Kraay covariance.

        ``cluster`` and ``cluster_adjustment`` apply only to ``cov="cluster"`` and ``bandwidth``
        only to ``cov="driscoll-kraay"``; passing them with another ``cov`` raises
        ``EstimationError`` rather than being ignored.
    missing : {"raise", "drop"}
        Rows with a missing used variable raise ``PanelError`` (default) or are dropped and
        counted in ``result.dropped``.
    fd_intercept : bool, optional
        Only for ``model="fd"``: keep the intercept of the differenced regression (default
        ``True``, reported as ``"const"``) or drop it (``False``).

    Returns
    -------
    PanelResult

    Raises
    ------
    PanelError
        Bad formula or columns, duplicate (entity, time) pairs, missing values.
    EstimationError
        Singular design (the regressors at fault are named), unsupported model options.
    StudySpecError
        An option outside its allowed set.

    Notes
    -----
    p-values and intervals use Student's t with n−k−d degrees of freedom, and with G−1 (G the
    smallest number of clusters) for clustered and T−1 for Driscoll-Kraay covariances, as Stata.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> panel = cdx.datasets.toy_panel()  # dt = 0.3 demand - 0.2 gov + 0.5 tech + effects + noise
    >>> fe = fit(panel, "dt ~ demand + gov + tech",
    ...          model="fe", effects="twoways", cov="cluster")
    >>> fe.params.round(3).to_dict()
    {'demand': 0.325, 'gov': -0.231, 'tech': 0.483}
    >>> fe.bse.round(3).to_dict()
    {'demand': 0.056, 'gov': 0.022, 'tech': 0.038}
    >>> fe.cov_type.split(",")[0]
    'clustered by entity (G = 6)'
    >>> round(fe.rsquared_within, 3)
    0.985
    """
    if absorb is not None or has_instruments(formula):
        return fit_fixest(
            panel.data.reset_index() if isinstance(panel, PanelFrame) else panel, formula, entity, time, model, effects, cov, cluster,
            cluster_adjustment=cluster_adjustment, bandwidth=bandwidth, missing=missing,
            absorb=absorb,
        )  # fmt: skip
    check_option("model", model, MODELS)
    if cov is None:
        cov = "robust" if model == "between" else "cluster"
    check_option("cov", cov, COVS)
    check_option("missing", missing, MISSING)
    check_cov_options(cov, cluster, cluster_adjustment, bandwidth)
    cluster = "entity" if cluster is None else cluster
    cluster_adjustment = "crv1" if cluster_adjustment is None else cluster_adjustment
    check_option("cluster_adjustment", cluster_adjustment, CLUSTER_ADJUSTMENTS)
    effects = _resolve_effects(model, effects)
    if fd_intercept is not None and model != "fd":
        raise EstimationError(
            f"fd_intercept applies only to model='fd', not model={model!r}; leave it out."
        )
    fd_intercept = (fd_intercept is None or bool(fd_intercept)) if model == "fd" else None
    if cov not in _COVS_BY_MODEL[model]:
        raise EstimationError(
            f"cov={cov!r} is not available for model={model!r}; use one of "
            f"{list(_COVS_BY_MODEL[model])}."
        )
    if isinstance(panel, PanelFrame):
        panel.require_keys(entity, time)
        columns = panel.data.columns
    elif isinstance(panel, pd.DataFrame):
        columns = panel.columns
    else:
        raise PanelError(f"panel must be a pandas DataFrame, got {type(panel).__name__}.")
    depvar, exog = parse_formula(formula, columns)
    cluster_cols = _cluster_columns(cov, cluster, columns, entity, time)
    validated = as_frame(panel, [depvar, *exog], entity, time, missing=missing, extra=cluster_cols)
    frame, dropped = validated.select([depvar, *exog], cluster_cols), validated.dropped
    if frame.empty:
        raise PanelError("no rows are left after dropping missing values; check the data.")

    fixed = {
        "entity": model == "fe" and effects in ("individual", "twoways"),
        "time": model == "fe" and effects in ("time", "twoways"),
    }
    names = exog if model == "fe" or (model == "fd" and not fd_intercept) else [_CONST, *exog]
    x = frame[exog]
    if model == "fd" and fd_intercept:
        # the FD intercept is the difference of a linear trend in the period's position
        periods = np.sort(frame.index.get_level_values(1).unique())
        position = pd.Series(np.arange(len(periods), dtype=float), index=periods)
        x = x.assign(**{_CONST: position.reindex(frame.index.get_level_values(1)).to_numpy()})
        x = x[names]
    elif model not in ("fe", "fd"):
        x = x.assign(**{_CONST: 1.0})[names]
    if model in ("pooled", "fe"):
        return _fit_within(
            frame, depvar, x, names, model, effects, fixed, dropped,
            (cov, cluster, cluster_adjustment, bandwidth),
        )  # fmt: skip
    check_rank(*_rank_design(x, model))
    if model == "fd" and cov == "cluster":
        entities = codes_of(frame.index, 0)
        if not all(
            nested(entities, codes) for codes in _cluster_codes(cluster, frame, entity, time)
        ):
            raise EstimationError(
                f"cluster={cluster!r} varies within {entity!r}; model='fd' needs clusters "
                "constant within entities (a difference spans two periods): use "
                "cluster='entity' (or a coarser group) or cov='driscoll-kraay'."
            )
    fit_kwargs, label, df_inference = _cov_config(
        cov, cluster, cluster_adjustment, bandwidth, frame, entity, time
    )
    if model == "re":
        # Baltagi & Chang (1994) Swamy-Arora on unbalanced panels (plm's default); linearmodels'
        # default uses the harmonic-mean T, which differs whenever the panel is unbalanced.
        fit_kwargs["small_sample"] = True
    try:
        raw = _estimator(model, frame[depvar], x).fit(**fit_kwargs)
    except ValueError as err:
        raise EstimationError(f"linearmodels could not fit the model: {err}") from err

    if df_inference is None:
        df_inference = float(raw.df_resid)
    index = frame.index
    return PanelResult(
        **_estimates(
            names,
            raw.params.reindex(names),
            raw.cov.reindex(index=names, columns=names),
            int(raw.nobs),
            (model, effects, depvar),
            (cov, cluster, label),
            df_inference,
        ),
        rsquared=_fd_rsquared(raw, frame[depvar]) if model == "fd" else float(raw.rsquared),
        rsquared_within=float(raw.rsquared_within),
        rsquared_between=float(raw.rsquared_between),
        rsquared_overall=float(raw.rsquared_overall),
        llf=None if model == "re" else float(raw.loglik),
        fixed_effects=fixed,
        dropped=dropped,
        n_entities=int(index.get_level_values(0).nunique()),
        n_periods=int(index.get_level_values(1).nunique()),
        theta=float(raw.theta.to_numpy().mean()) if model == "re" else None,
        raw=raw,
        data=frame,
        fd_intercept=fd_intercept,
    )


def _estimates(
    names: list[str],
    params: pd.Series | np.ndarray,
    covariance: pd.DataFrame | np.ndarray,
    nobs: int,
    what: tuple[str, str, str],
    cov_options: tuple[str, str, str],
    df_inference: float,
) -> dict[str, Any]:
    """The `PanelResult` fields both fitting paths fill alike: estimates, covariance, model.

    ``what`` is (model, effects, depvar); ``cov_options`` (cov, cluster, label).
    """
    model, effects, depvar = what
    cov, cluster, label = cov_options
    return {
        "params": pd.Series(params, index=names, name="coef"),
        "bse": pd.Series(np.sqrt(np.diag(covariance)), index=names, name="std err"),
        "cov": pd.DataFrame(covariance, index=names, columns=names),
        "nobs": nobs,
        "model": model,
        "effects": effects,
        "depvar": depvar,
        "exog_names": list(names),
        "cov_type": Covariance(label, kind=cov, cluster=cluster if cov == "cluster" else None),
        "df_inference": df_inference,
    }


def _fd_rsquared(raw: Any, y: pd.Series) -> float:
    r"""Centred R² of the differenced regression, :math:`1-SSR/\sum(\Delta y-\overline{\Delta y})^2`.

    The R² plm reports for its default FD model (with the intercept); linearmodels reports the
    uncentred one. Without the intercept plm prints yet another figure (0.67909 on Produc, where
    1 − SSR/TSS of its printed sums of squares is 0.6673, our value).
    ``y`` is the response in levels; its differences of consecutive periods are taken on the
    (entity x period) grid, as linearmodels' ``FirstDifferenceOLS`` does.
    """
    dy = y.unstack(level=0).sort_index().diff().to_numpy().ravel()
    dy = dy[~np.isnan(dy)]
    return float(1 - raw.resid_ss / ((dy - dy.mean()) ** 2).sum())


def fit_stepwise(
    panel: pd.DataFrame | PanelFrame,
    y: str,
    x_steps: Sequence[Sequence[str]],
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    **kwargs: Any,
) -> list[PanelResult]:
    """Fit the usual stepwise table: regressors added block by block.

    Model j regresses ``y`` on the union of ``x_steps[0] ... x_steps[j]``; every model is fit on
    the same rows (those complete in all regressors of the last step) so that the columns of the
    table are comparable.

    Parameters
    ----------
    panel : DataFrame or PanelFrame
        Long panel, validated once (with the columns of every step and a ``cluster`` column)
        and handed on to each step's :func:`fit`; or a :class:`clusterdx.paneldata.PanelFrame`
        with those columns, used as it is. With ``absorb`` each step reads the DataFrame.
    y : str
        Response.
    x_steps : sequence of sequences of str
        Blocks of regressors, e.g. ``[["demand"], ["gov"], ["tech", "core"]]``.
    entity, time : str, default "region", "year"
        Key columns.
    **kwargs
        Passed to :func:`fit` (``model``, ``effects``, ``cov``, ``cluster``, ``missing`` ...).

    Returns
    -------
    list of PanelResult
        One result per step.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> panel = cdx.datasets.toy_panel()  # dt = 0.3 demand - 0.2 gov + 0.5 tech + effects + noise
    >>> steps = fit_stepwise(panel, "dt", [["demand"], ["gov", "tech"]])
    >>> [res.exog_names for res in steps]
    [['demand'], ['demand', 'gov', 'tech']]
    """
    if isinstance(x_steps, str) or not x_steps or any(isinstance(s, str) for s in x_steps):
        raise PanelError(
            "x_steps must be a non-empty list of lists of column names, e.g. "
            "[['demand'], ['gov'], ['tech', 'core']]."
        )
    empty = [j for j, step in enumerate(x_steps) if not step]
    if empty:
        raise PanelError(f"x_steps has empty blocks at positions {empty}; give each a column.")
    all_x = list(dict.fromkeys(name for step in x_steps for name in step))
    missing = kwargs.get("missing", "raise")
    if kwargs.get("absorb") is None:  # validated once (the last step's rows) and handed on
        cluster = kwargs.get("cluster")
        columns = (
            panel.data.columns if isinstance(panel, PanelFrame) else getattr(panel, "columns", ())
        )
        carried = isinstance(cluster, str) and cluster in columns  # a cluster column, not a key
        extra = [cluster] if carried and cluster not in ("entity", "time", "both") else []
        panel = as_frame(panel, [y, *all_x], entity, time, missing=missing, extra=extra)
    elif missing == "drop":  # pyfixest reads the absorbed columns from the DataFrame itself
        complete = panel[[y, *all_x]].notna().all(axis=1)
        panel = panel.loc[complete.to_numpy()]
    results = []
    used: list[str] = []
    for step in x_steps:
        used += [name for name in step if name not in used]
        results.append(fit(panel, f"{y} ~ {' + '.join(used)}", entity=entity, time=time, **kwargs))
    if kwargs.get("absorb") is not None and missing == "drop":
        lost = int((~complete).sum())
        results = [_replace_dropped(res, lost) for res in results]
    return results


def _replace_dropped(result: Any, dropped: int) -> Any:
    """Report the rows dropped before the stepwise fits in every step's ``dropped``."""
    values = {name: getattr(result, name) for name in result.__dataclass_fields__}
    values["dropped"] = dropped
    return type(result)(**values)


def _resolve_effects(model: str, effects: str | None) -> str:
    """Default and check ``effects`` for ``model``."""
    if model in ("fe", "re"):
        effects = "individual" if effects is None else effects
        check_option("effects", effects, EFFECTS)
        if model == "re" and effects != "individual":
            raise EstimationError(
                f"effects={effects!r} is not available for model='re': only random individual "
                "effects are estimated; use model='fe' with time or two-way fixed effects."
            )
        return effects
    if effects is not None:
        raise EstimationError(
            f"effects={effects!r} does not apply to model={model!r}; leave it out (effects "
            "are only for model='fe' or 're')."
        )
    return "none"


def _cluster_columns(
    cov: str, cluster: str, columns: pd.Index, entity: str, time: str
) -> list[str]:
    """Extra columns that the cluster option needs carried into the estimation frame."""
    if cov != "cluster" or cluster in ("entity", "time", "both"):
        return []
    if cluster not in columns:
        raise PanelError(
            f"cluster={cluster!r} is neither 'entity', 'time', 'both' nor a column of the panel."
        )
    return [] if cluster in (entity, time) else [cluster]


def _rank_design(x: pd.DataFrame, model: str) -> tuple[pd.DataFrame, str]:
    """The regressors after the between, FD or RE model's transformation, and a description."""
    if model == "between":
        return x.groupby(level=0).mean(), "in the entity means"
    if model == "fd":
        return x.groupby(level=0).diff().dropna(), "after first differencing"
    return x, "in the pooled data"


def _fit_within(
    frame: pd.DataFrame,
    depvar: str,
    x: pd.DataFrame,
    names: list[str],
    model: str,
    effects: str,
    fixed: dict[str, bool],
    dropped: int,
    cov_options: tuple[str, str, str, float | None],
) -> PanelResult:
    """Pooled OLS or the within estimator on the demeaned design (:mod:`clusterdx.paneldata.within`).

    Numbers and conventions are those of linearmodels' ``PooledOLS`` / ``PanelOLS`` with
    ``debiased=True`` (the tests compare them), clustered covariances with the effects nested in
    the clusters left out of K.
    """
    cov, cluster, adjustment, bandwidth = cov_options
    index = frame.index
    entity_codes, time_codes = codes_of(index, 0), codes_of(index, 1)
    n_entities, n_periods = int(entity_codes.max()) + 1, int(time_codes.max()) + 1
    absorbed = [c for c, on in ((entity_codes, fixed["entity"]), (time_codes, fixed["time"])) if on]
    columns = [x[name].to_numpy(dtype=float) for name in names]
    y = frame[depvar].to_numpy(dtype=float)
    both = np.empty((len(names) + 1, len(y)))  # [X, y] one variable per row, demeaned in place
    for row, values in zip(both, [*columns, y], strict=True):
        row[:] = values
    scale = np.maximum(np.abs(both[:-1]).max(axis=1, initial=0.0), 1.0)
    demean_rows(both, absorbed, copy=False)
    xd, yd = both[:-1], both[-1]
    if not full_rank(xd, scale):
        check_rank(_clipped(xd, scale, names), _WHERE[(fixed["entity"], fixed["time"])])
    sizes = {"entity": n_entities, "time": n_periods - 1 if fixed["entity"] else n_periods}
    n_effects = sum(size for kind, size in sizes.items() if fixed[kind])
    core = least_squares(xd, yd, n_effects)
    nobs, n_params = len(y), len(names)
    label, df_inference = _cov_label(cov, cluster, adjustment, bandwidth, n_periods, [])
    if cov == "cluster":
        clusters = _cluster_codes(cluster, frame, frame.index.names[0], frame.index.names[1])
        label, df_inference = _cov_label(cov, cluster, adjustment, bandwidth, n_periods, clusters)
        nested_kinds = [
            kind
            for kind, codes in (("entity", entity_codes), ("time", time_codes))
            if fixed[kind] and any(nested(codes, c) for c in clusters)
        ]
        counted = n_effects - sum(sizes[kind] for kind in nested_kinds)
        matrix = covariance(
            core, xd, "cluster", clusters=clusters, group_debias=adjustment == "crv1",
            extra_df=counted,
        )  # fmt: skip
        if model == "fe":
            label += (
                f"; K = {n_params} coefficients + {counted} effect parameters not nested in the "
                "clusters"
            )
    else:
        bw = _bandwidth(bandwidth, n_periods) if cov == "driscoll-kraay" else 0.0
        matrix = covariance(core, xd, cov, extra_df=n_effects, time_codes=time_codes, bandwidth=bw)
    if df_inference is None:
        df_inference = float(core.df_resid)
    y_ss = float(y @ y)
    resid_levels = y.copy()  # the residuals with the effects left in
    for coef, values in zip(core.params, columns, strict=True):
        resid_levels -= coef * values
    centre = model == "pooled"
    r_ent, y_ent = group_means(np.vstack([resid_levels, y]), entity_codes, n_entities)
    within_r, within_y = resid_levels - r_ent[entity_codes], y - y_ent[entity_codes]
    total_overall = float(((y - y.mean()) ** 2).sum()) if centre else y_ss
    total_between = float(((y_ent - y_ent.mean()) ** 2).sum()) if centre else float(y_ent @ y_ent)
    rsquared_overall = r_squared(float(resid_levels @ resid_levels), total_overall, y_ss, nobs)
    sigma2 = core.resid_ss / nobs
    return PanelResult(
        **_estimates(
            names,
            core.params,
            matrix,
            nobs,
            (model, effects, depvar),
            (cov, cluster, label),
            df_inference,
        ),
        rsquared=rsquared_overall
        if centre
        else r_squared(core.resid_ss, core.total_ss, y_ss, nobs),
        rsquared_within=r_squared(
            float(within_r @ within_r), float(within_y @ within_y), y_ss, nobs
        ),
        rsquared_between=r_squared(
            float(r_ent @ r_ent), total_between, float(y_ent @ y_ent), n_entities
        ),
        rsquared_overall=rsquared_overall,
        llf=float(-0.5 * nobs * (np.log(2 * np.pi) + np.log(sigma2) + 1))
        if sigma2 > 0
        else float("nan"),
        fixed_effects=fixed,
        dropped=dropped,
        n_entities=n_entities,
        n_periods=n_periods,
        theta=None,
        raw=_WithinRaw(
            core,
            fitted_values=pd.DataFrame({"fitted_values": y - resid_levels}, index=index),
            estimated_effects=pd.DataFrame(
                {"estimated_effects": resid_levels - core.resid}, index=index
            ),
            idiosyncratic=pd.DataFrame({"idiosyncratic": core.resid}, index=index),
        ),
        data=frame,
        fd_intercept=None,
    )


@dataclass(frozen=True)
class _WithinRaw:
    """The within fit (`clusterdx.paneldata.within.WithinFit`, whose attributes it forwards) with the
    level series linearmodels' results carry, so `PanelResult.fitted_values`, ``resid`` and
    ``estimated_effects`` read every model the same way: x'β̂, the within residuals and
    y − x'β̂ − residual (α̂_i + λ̂_t; 0 for pooled)."""

    fit: Any
    fitted_values: pd.DataFrame
    estimated_effects: pd.DataFrame
    idiosyncratic: pd.DataFrame

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["fit"], name)


_WHERE = {
    (False, False): "in the pooled data",
    (True, False): "within entities",
    (False, True): "within periods",
    (True, True): "after two-way demeaning",
}


def _clipped(demeaned: np.ndarray, scale: np.ndarray, names: list[str]) -> pd.DataFrame:
    """The demeaned design with rounding noise (below 1e-10 of a column's scale) set to zero."""
    kept = np.where(np.abs(demeaned) > 1e-10 * scale[:, None], demeaned, 0.0)
    return pd.DataFrame(kept.T, columns=names)


def _bandwidth(bandwidth: float | None, n_periods: int) -> float:
    """The Driscoll-Kraay bandwidth (`driscoll_kraay_bandwidth`), checked below T."""
    bw = driscoll_kraay_bandwidth(bandwidth, n_periods)
    if bw >= n_periods:
        raise EstimationError(
            f"the Driscoll-Kraay bandwidth {bw:g} must be below the number of periods, "
            f"{n_periods} (the period sums have autocovariances up to lag {n_periods - 1}); "
            "use a smaller bandwidth."
        )
    return bw


def _estimator(model: str, y: pd.Series, x: pd.DataFrame) -> Any:
    """The linearmodels estimator of ``model`` (random effects, between, first differences)."""
    return {"re": RandomEffects, "between": BetweenOLS, "fd": FirstDifferenceOLS}[model](y, x)


def _cov_label(
    cov: str,
    cluster: str,
    adjustment: str,
    bandwidth: float | None,
    n_periods: int,
    clusters: list[np.ndarray],
) -> tuple[str, float | None]:
    """The covariance convention in words and the t degrees of freedom (None: n − k − d)."""
    if cov == "unadjusted":
        return "unadjusted, s² = SSR/(n−k−d)", None
    if cov == "robust":
        return "heteroskedasticity-robust (White), factor n/(n−k−d)", None
    if cov == "driscoll-kraay":
        bw = driscoll_kraay_bandwidth(bandwidth, n_periods)
        label = f"Driscoll-Kraay, Bartlett kernel, bandwidth {bw:g}, factor n/(n−k−d)"
        return label, float(n_periods - 1)
    n_groups = min(int(codes.max()) + 1 for codes in clusters) if clusters else 0
    if adjustment == "crv1":
        factor = "CRV1 factor G/(G−1)·(n−1)/(n−K) (Stata/fixest)"
    else:
        factor = "HC1 factor n/(n−K) (plm vcovHC arellano HC1)"
    return f"clustered by {cluster} (G = {n_groups}), {factor}", float(n_groups - 1)


def _cov_config(
    cov: str,
    cluster: str,
    adjustment: str,
    bandwidth: float | None,
    frame: pd.DataFrame,
    entity: str,
    time: str,
) -> tuple[dict[str, Any], str, float | None]:
    """linearmodels ``fit`` keywords, the convention in words, and t degrees of freedom."""
    n_periods = frame.index.get_level_values(1).nunique()
    clusters = _cluster_codes(cluster, frame, entity, time) if cov == "cluster" else []
    label, df_inference = _cov_label(cov, cluster, adjustment, bandwidth, n_periods, clusters)
    if cov in ("unadjusted", "robust"):
        return {"cov_type": cov, "debiased": True}, label, df_inference
    if cov == "driscoll-kraay":
        bw = driscoll_kraay_bandwidth(bandwidth, n_periods)
        kwargs = {"cov_type": "kernel", "kernel": "bartlett", "bandwidth": bw, "debiased": True}
        return kwargs, label, df_inference
    codes = pd.DataFrame({f"cluster{j}": c for j, c in enumerate(clusters)}, index=frame.index)
    kwargs = {
        "cov_type": "clustered",
        "clusters": codes,
        "debiased": True,
        "group_debias": adjustment == "crv1",
    }
    return kwargs, label, df_inference


def _cluster_codes(cluster: str, frame: pd.DataFrame, entity: str, time: str) -> list[np.ndarray]:
    """Integer cluster codes aligned with ``frame`` (one or two arrays)."""
    index = frame.index
    levels = {"entity": [0], "time": [1], "both": [0, 1], entity: [0], time: [1]}
    if cluster in levels:
        return [codes_of(index, level) for level in levels[cluster]]
    return [pd.factorize(frame[cluster])[0]]
