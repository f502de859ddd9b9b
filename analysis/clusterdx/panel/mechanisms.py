"""Mechanism analysis on panels: mediation (three- or two-step) and moderation (interaction).

The regressions are fitted by :func:`clusterdx.panel.fit`. The cluster bootstrap of the
indirect effect is written here for speed: resampling whole entities only reweights each
entity's cross-products of the (entity-demeaned) variables and period dummies, so a bootstrap
draw is one small linear solve instead of two linearmodels fits (Frisch-Waugh-Lovell; a
resampled entity keeps its own fixed effect, as when the copies are relabelled).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from clusterdx.errors import EstimationError, PanelError
from clusterdx.options.common import check_option
from clusterdx.options.panel import (
    DEFAULT_ALPHA,
    DEFAULT_COV,
    DEFAULT_EFFECTS,
    DEFAULT_ENTITY,
    DEFAULT_MISSING,
    DEFAULT_SEED,
    DEFAULT_TIME,
    MEDIATION_MODELS,
    MediationModel,
    ModerationModel,
)
from clusterdx.options.panel import MEDIATION_METHODS as METHODS
from clusterdx.options.panel import MediationMethod as Method
from clusterdx.panel.models import COVS, Cov, Effects, Missing, PanelResult, fit
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.results import ForwardingResult

_QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
_CHUNK = 200

CRITIQUE = (
    "Jiang Ting (江艇 2022, 《中国工业经济》 第5期, 100-120, '因果推断经验研究中的中介效应与调节效应'): "
    "the three-step design (Baron & Kenny 1986; Wen & Ye 2014) reads the m -> y coefficient b "
    "causally although m is an outcome of x and is not randomised: b and the indirect effect "
    "a*b are confounded whenever unobservables drive both m and y, and adding m to the y "
    "equation is a 'bad control'. Sobel and bootstrap tests only address sampling error, not "
    "this bias. Preferred: identify x -> y and x -> m credibly (method='two_step') and argue the "
    "m -> y link from theory or prior evidence in which m is clearly a cause of y."
)


class EntityMoments:
    """Per-entity cross-products of entity-demeaned variables and period dummies.

    For a fixed-effects model the columns of ``Z = [variables, period dummies]`` are demeaned
    within entity (period dummies only with period effects; the first period dropped when entity
    effects are also absorbed); for pooled OLS ``Z = [variables, constant]``. Weighted sums of
    the blocks :math:`Z_i'Z_i` give every least-squares fit on a sample of whole entities:
    ``weights`` are the bootstrap counts or 0/1 subsample indicators.
    """

    def __init__(
        self, frame: pd.DataFrame, variables: Sequence[str], model: str, effects: str
    ) -> None:
        self.variables = list(variables)
        entity_codes, entities = pd.factorize(frame.index.get_level_values(0))
        period_codes, periods = pd.factorize(frame.index.get_level_values(1), sort=True)
        entity_fe = model == "fe" and effects in ("individual", "twoways")
        time_fe = model == "fe" and effects in ("time", "twoways")
        blocks = [frame[self.variables].to_numpy(dtype=float)]
        if time_fe:
            dummies = np.eye(len(periods))[period_codes]
            blocks.append(dummies[:, 1:] if entity_fe else dummies)
        elif not entity_fe:
            blocks.append(np.ones((len(frame), 1)))
        z = np.column_stack(blocks)
        if entity_fe:
            sums = np.zeros((len(entities), z.shape[1]))
            np.add.at(sums, entity_codes, z)
            counts = np.bincount(entity_codes, minlength=len(entities))[:, None]
            z = z - (sums / counts)[entity_codes]
        k = z.shape[1]
        self.moments = np.zeros((len(entities), k, k))
        np.add.at(self.moments, entity_codes, np.einsum("ik,il->ikl", z, z))
        self.n_entities = len(entities)
        self.entities = entities
        self.extra = list(range(len(self.variables), k))

    def coefficients(
        self, weights: np.ndarray, y: str, regressors: Sequence[str], target: str
    ) -> np.ndarray:
        """Coefficient of ``target`` in the regression of ``y`` on ``regressors`` per weight row.

        ``weights`` is (B, n_entities); rows whose design is singular give NaN.
        """
        cols = [self.variables.index(name) for name in regressors] + self.extra
        j = self.variables.index(y)
        pos = list(regressors).index(target)
        out = np.empty(len(weights))
        for start in range(0, len(weights), _CHUNK):
            w = weights[start : start + _CHUNK]
            gram = np.tensordot(w, self.moments, axes=(1, 0))
            xx = gram[:, cols][:, :, cols]
            xy = gram[:, cols, j]
            sol = np.full((len(w), len(cols)), np.nan)
            for b in range(len(w)):
                try:
                    sol[b] = np.linalg.solve(xx[b], xy[b])
                except np.linalg.LinAlgError:
                    continue
            out[start : start + _CHUNK] = sol[:, pos]
        return out


@dataclass(frozen=True)
class MediationResult:
    """The mediation regressions and the indirect-effect table.

    Attributes
    ----------
    total : PanelResult
        Step 1, ``y ~ x + controls``: total effect c.
    mediator : PanelResult
        Step 2, ``m ~ x + controls``: a.
    outcome : PanelResult or None
        Step 3, ``y ~ x + m + controls``: direct effect c' and b (``None`` for two-step).
    table : DataFrame
        Rows ``total c``, ``a (x->m)`` and, for three-step, ``b (m->y|x)``, ``direct c'``,
        ``indirect a*b`` and ``share a*b/c``; columns ``estimate``, ``se``, ``stat``, ``pvalue``,
        ``lower``, ``upper`` (t intervals for coefficients, the percentile bootstrap interval
        for a*b) and ``bc_lower``, ``bc_upper`` (bias-corrected bootstrap interval of a*b).
    draws : ndarray
        Bootstrap draws of a*b (empty for two-step or ``bootstrap=0``).
    method : str
    bootstrap : int
    seed : int or None
    note : str
        The critique of the three-step design (Jiang Ting 2022) that a paper should address.

    Examples
    --------
    Demand raises digital transformation directly (0.3) and through technology (0.8 × 0.5):

    >>> import clusterdx as cdx
    >>> from clusterdx.panel import mediation
    >>> panel = cdx.datasets.toy_panel(30)  # tech = 0.8 demand + u; dt = 0.3 demand + 0.5 tech + ...
    >>> med = mediation(panel, "dt", "demand", "tech",
    ...                 bootstrap=99, seed=1)
    >>> [res.depvar for res in med.results]
    ['dt', 'tech', 'dt']
    >>> med.table.index.tolist()
    ['total c', 'a (x->m)', 'b (m->y|x)', "direct c'", 'indirect a*b', 'share a*b/c']
    >>> med.table.loc[["a (x->m)", "b (m->y|x)", "indirect a*b"], "estimate"].round(3).tolist()
    [0.795, 0.488, 0.388]
    >>> med.draws.shape
    (99,)
    """

    total: PanelResult
    mediator: PanelResult
    outcome: PanelResult | None
    table: pd.DataFrame
    draws: np.ndarray = field(repr=False)
    method: str
    bootstrap: int
    seed: int | None
    note: str = field(repr=False)

    @property
    def results(self) -> list[PanelResult]:
        """The step regressions in order, for ``RegressionTable``."""
        steps = [self.total, self.mediator]
        return steps if self.outcome is None else [*steps, self.outcome]

    def summary(self) -> str:
        """The indirect-effect table, the critique and the step regressions."""
        parts = [
            f"Mediation analysis ({self.method}); bootstrap {self.bootstrap} entity resamples, "
            f"seed {self.seed}",
            self.table.to_string(float_format=lambda v: f"{v:.6g}"),
            f"Note: {self.note}",
        ]
        return "\n".join([*parts, *(res.summary() for res in self.results)])


def mediation(
    panel: pd.DataFrame,
    y: str,
    x: str,
    m: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    controls: Sequence[str] = (),
    model: MediationModel = "fe",
    effects: Effects = DEFAULT_EFFECTS,
    cov: Cov = DEFAULT_COV,
    missing: Missing = DEFAULT_MISSING,
    method: Method = "three_step",
    bootstrap: int = 1000,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
) -> MediationResult:
    """Mediation analysis: the three-step design with Sobel and bootstrap tests, or two steps.

    Three-step design (Baron & Kenny 1986, *JPSP* 51, 1173-1182; Wen & Ye 2014, 《心理科学进展》
    22, 731-745), all on the same sample and with the same effects and controls:

    .. math::

        y = c\\,x + \\gamma_1'w + e_1,\\qquad m = a\\,x + \\gamma_2'w + e_2,\\qquad
        y = c'x + b\\,m + \\gamma_3'w + e_3 .

    The indirect effect is :math:`ab` with Sobel's (1982, *Sociological Methodology* 13,
    290-312) statistic :math:`z = ab/\\sqrt{b^2 s_a^2 + a^2 s_b^2}` (standard errors of the
    chosen ``cov``) and bootstrap intervals that resample whole entities (clusters) with
    replacement: the percentile interval and the bias-corrected interval (Efron & Tibshirani
    1993, §14.3) with :math:`z_0=\\Phi^{-1}(\\#\\{ab^*<\\hat{ab}\\}/B)` and bounds at the
    quantiles :math:`\\Phi(2z_0\\pm z_{1-\\alpha/2})`.

    The three-step logic is criticised by Jiang Ting (江艇 2022, 《中国工业经济》 5, 100-120):
    b is not causally identified (m is itself an outcome of x, and confounders of m and y bias
    b and ab), and the tests only address sampling error. ``method="two_step"`` fits only the
    x → y and x → m regressions, for designs that identify those two effects and argue the
    m → y link from theory; ``result.note`` holds the critique for the paper's text.

    Parameters
    ----------
    panel : DataFrame
        Long panel.
    y, x, m : str
        Outcome, treatment (core explanatory variable) and mediator.
    controls : sequence of str
        Controls w of every step.
    entity, time : str, default "region", "year"
        Key columns.
    effects : {"individual", "time", "twoways"}
        Fixed effects of ``model="fe"`` (default two-way).
    cov : {"unadjusted", "robust", "cluster", "driscoll-kraay"}
        Covariance of the step regressions and of the Sobel test.
    method : {"three_step", "two_step"}
    bootstrap : int
        Entity resamples for the a*b intervals (0 for none; ignored for two-step).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``: the same seed gives the same draws.
    model : {"fe", "pooled"}
    alpha : float
        Level of the intervals.
    missing : {"raise", "drop"}
        Rows missing any of the variables raise or are dropped from all steps.

    Returns
    -------
    MediationResult

    Examples
    --------
    >>> import clusterdx as cdx
    >>> from clusterdx.panel import mediation
    >>> panel = cdx.datasets.toy_panel(30)  # tech = 0.8 demand + u; dt = 0.3 demand + 0.5 tech + ...
    >>> med = mediation(panel, "dt", "demand", "tech",
    ...                 bootstrap=99, seed=1)
    >>> med.table.loc["indirect a*b", ["estimate", "pvalue", "lower", "upper"]].round(3).tolist()
    [0.388, 0.0, 0.28, 0.488]
    >>> two = mediation(panel, "dt", "demand", "tech",
    ...                 method="two_step")
    >>> two.table.index.tolist(), two.outcome is None
    (['total c', 'a (x->m)'], True)
    """
    check_option("method", method, METHODS)
    check_option("model", model, MEDIATION_MODELS)
    check_option("cov", cov, COVS)
    if not isinstance(bootstrap, int | np.integer) or bootstrap < 0:
        raise EstimationError(f"bootstrap={bootstrap!r} must be a non-negative integer.")
    if not 0 < alpha < 1:
        raise EstimationError(f"alpha={alpha!r} must lie strictly between 0 and 1.")
    controls = [controls] if isinstance(controls, str) else list(controls)
    names = [y, x, m, *controls]
    if len(set(names)) != len(names):
        raise PanelError(f"y, x, m and controls must be distinct columns; got {names}.")
    sample = PanelFrame(_complete(panel, names, missing), names, entity, time)
    kwargs = {"model": model, "cov": cov, "missing": "raise"}
    if model == "fe":
        kwargs["effects"] = effects
    rhs = " + ".join([x, *controls])
    total = fit(sample, f"{y} ~ {rhs}", entity=entity, time=time, **kwargs)
    mediator = fit(sample, f"{m} ~ {rhs}", entity=entity, time=time, **kwargs)
    rows = {
        "total c": _coef_row(total, x, alpha),
        "a (x->m)": _coef_row(mediator, x, alpha),
    }
    outcome, draws = None, np.empty(0)
    if method == "three_step":
        outcome = fit(
            sample, f"{y} ~ {' + '.join([x, m, *controls])}", entity=entity, time=time, **kwargs
        )
        a, sa = mediator.params[x], mediator.bse[x]
        b, sb = outcome.params[m], outcome.bse[m]
        rows["b (m->y|x)"] = _coef_row(outcome, m, alpha)
        rows["direct c'"] = _coef_row(outcome, x, alpha)
        se = float(np.sqrt(b**2 * sa**2 + a**2 * sb**2))
        indirect = {
            "estimate": a * b,
            "se": se,
            "stat": a * b / se,
            "pvalue": 2 * stats.norm.sf(abs(a * b / se)),
            "lower": np.nan,
            "upper": np.nan,
            "bc_lower": np.nan,
            "bc_upper": np.nan,
        }
        if bootstrap:
            moments = EntityMoments(sample.data, names, model, effects if model == "fe" else "none")
            rng = np.random.default_rng(seed)
            counts = _entity_counts(rng, moments.n_entities, bootstrap)
            a_star = moments.coefficients(counts, m, [x, *controls], x)
            b_star = moments.coefficients(counts, y, [x, m, *controls], m)
            draws = a_star * b_star
            indirect.update(_bootstrap_intervals(draws, a * b, alpha))
        rows["indirect a*b"] = indirect
        share = a * b / total.params[x] if total.params[x] != 0 else np.nan
        rows["share a*b/c"] = {"estimate": share}
    table = pd.DataFrame.from_dict(rows, orient="index")
    return MediationResult(
        total=total,
        mediator=mediator,
        outcome=outcome,
        table=table,
        draws=draws,
        method=method,
        bootstrap=int(bootstrap) if method == "three_step" else 0,
        seed=seed,
        note=CRITIQUE,
    )


def _complete(panel: pd.DataFrame, names: list[str], missing: str) -> pd.DataFrame:
    """The rows complete in ``names`` (all rows when ``missing="raise"``; fit checks them)."""
    if not isinstance(panel, pd.DataFrame):
        raise PanelError(f"panel must be a pandas DataFrame, got {type(panel).__name__}.")
    unknown = [name for name in names if name not in panel.columns]
    if unknown:
        raise PanelError(f"columns {unknown} are not in the panel.")
    if missing == "drop":
        return panel.loc[panel[names].notna().all(axis=1).to_numpy()]
    return panel


def _coef_row(res: PanelResult, name: str, alpha: float) -> dict[str, float]:
    """One coefficient with its t statistic, p-value and interval."""
    ci = res.conf_int(alpha).loc[name]
    return {
        "estimate": float(res.params[name]),
        "se": float(res.bse[name]),
        "stat": float(res.tvalues[name]),
        "pvalue": float(res.pvalues[name]),
        "lower": float(ci["lower"]),
        "upper": float(ci["upper"]),
    }


def _entity_counts(rng: np.random.Generator, n_entities: int, replications: int) -> np.ndarray:
    """How often each entity is drawn in each of ``replications`` resamples with replacement."""
    picks = rng.integers(0, n_entities, size=(replications, n_entities))
    offsets = np.arange(replications)[:, None] * n_entities
    flat = np.bincount((picks + offsets).ravel(), minlength=replications * n_entities)
    return flat.reshape(replications, n_entities).astype(float)


def _bootstrap_intervals(draws: np.ndarray, estimate: float, alpha: float) -> dict[str, float]:
    """Percentile and bias-corrected intervals from the finite bootstrap draws."""
    good = draws[np.isfinite(draws)]
    if good.size < 2:
        raise EstimationError(
            "fewer than two bootstrap draws could be computed (singular resampled designs); "
            "check that the mediator and treatment vary within entities."
        )
    lower, upper = np.quantile(good, [alpha / 2, 1 - alpha / 2])
    share = np.clip(np.mean(good < estimate), 1 / (2 * good.size), 1 - 1 / (2 * good.size))
    z0 = stats.norm.ppf(share)
    z = stats.norm.ppf(1 - alpha / 2)
    bc = np.quantile(good, stats.norm.cdf([2 * z0 - z, 2 * z0 + z]))
    return {"lower": lower, "upper": upper, "bc_lower": bc[0], "bc_upper": bc[1]}


@dataclass(frozen=True)
class ModerationResult(ForwardingResult):
    """A regression with a (centred) interaction and the marginal effects of x over z.

    Attributes
    ----------
    fit : PanelResult
        ``y ~ x + z + <x>_x_<z> + controls`` (main effects absorbed by the entity effects are
        left out, see ``absorbed``).
    marginal : DataFrame
        Marginal effect of x at the ``at`` values of z (raw units): ``z``, ``effect``, ``se``,
        ``t``, ``pvalue``, ``lower``, ``upper``.
    plot : DataFrame
        The same on an even grid over the range of z (``z``, ``effect``, ``lower``, ``upper``).
    interaction : str
        Name of the interaction term.
    means : dict
        Means of x and z subtracted when ``center=True`` (zeros otherwise).
    absorbed : list of str
        Main effects left out because they are constant within entities.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> from clusterdx.panel import moderation
    >>> panel = cdx.datasets.toy_panel()
    >>> panel["dt"] += 0.3 * panel["gov"] * panel["demand"]  # slope of demand: 0.3 + 0.3 gov
    >>> mod = moderation(panel, "dt", "demand", "gov", controls=["tech"])
    >>> mod.interaction, mod.absorbed
    ('demand_x_gov', [])
    >>> mod.params.round(3).to_dict()
    {'demand': 0.409, 'gov': -0.277, 'demand_x_gov': 0.308, 'tech': 0.48}
    >>> {k: round(v, 3) for k, v in mod.means.items()}
    {'demand': -0.149, 'gov': 0.275}
    >>> mod.plot.shape
    (50, 4)
    """

    fit: PanelResult = field(repr=False)
    marginal: pd.DataFrame
    plot: pd.DataFrame = field(repr=False)
    interaction: str
    means: dict[str, float]
    absorbed: list[str]

    # params, bse, ..., llf: the regression's (`ForwardingResult`)

    def summary(self) -> str:
        """Marginal effects and the regression."""
        centred = any(self.means.values())
        head = (
            f"Moderation: interaction {self.interaction}"
            + (f" of variables centred at {self.means}" if centred else "")
            + (f"; absorbed main effects {self.absorbed}" if self.absorbed else "")
        )
        table = self.marginal.to_string(float_format=lambda v: f"{v:.6g}")
        return "\n".join([head, "Marginal effect of x:", table, self.fit.summary()])


def moderation(
    panel: pd.DataFrame,
    y: str,
    x: str,
    z: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    controls: Sequence[str] = (),
    model: ModerationModel = "fe",
    effects: Effects = DEFAULT_EFFECTS,
    cov: Cov = DEFAULT_COV,
    center: bool = True,
    at: Sequence[float] | None = None,
    n_points: int = 50,
    alpha: float = DEFAULT_ALPHA,
) -> ModerationResult:
    """Moderation: regression with the interaction x·z and marginal effects of x over z.

    :math:`y = \\beta_x \\tilde x + \\beta_z \\tilde z + \\beta_{xz}\\tilde x\\tilde z +
    \\gamma'w + \\alpha_i + \\lambda_t + e` with :math:`\\tilde x = x-\\bar x`,
    :math:`\\tilde z = z - \\bar z` when ``center=True`` (sample means; Aiken & West 1991,
    *Multiple Regression: Testing and Interpreting Interactions*), so :math:`\\beta_x` is the
    effect of x at the mean of z. The marginal effect at :math:`z_0` is
    :math:`\\partial y/\\partial x = \\beta_x + \\beta_{xz}(z_0-\\bar z)` with delta-method
    variance :math:`V_{xx} + (z_0-\\bar z)^2 V_{xz,xz} + 2(z_0-\\bar z)V_{x,xz}` (Brambor, Clark
    & Golder 2006, *Political Analysis* 14, 63-82), inference with the fit's t distribution.

    Parameters
    ----------
    panel : DataFrame
    y, x, z : str
        Outcome, explanatory variable and moderator.
    controls : sequence of str
    entity, time : str, default "region", "year"
        Key columns.
    effects : {"individual", "time", "twoways"}
        Effects of ``model="fe"``.
    cov : {"unadjusted", "robust", "cluster", "driscoll-kraay"}
    center : bool
        Centre x and z at their sample means before forming the product.
    at : sequence of float, optional
        Values of z (raw units) for ``marginal``; default its 10/25/50/75/90% quantiles.
    model : {"pooled", "fe", "re"}
    alpha : float
        Level of the intervals.
    n_points : int
        Points of the plotting grid.

    Returns
    -------
    ModerationResult

    Examples
    --------
    The effect of demand is 0.5 + 0.3 · gov; its marginal effects at gov = -1, 0, 1:

    >>> import clusterdx as cdx
    >>> from clusterdx.panel import moderation
    >>> panel = cdx.datasets.toy_panel()
    >>> panel["dt"] += 0.3 * panel["gov"] * panel["demand"]  # slope of demand: 0.3 + 0.3 gov
    >>> mod = moderation(panel, "dt", "demand", "gov", controls=["tech"], at=[-1, 0, 1])
    >>> mod.marginal[["z", "effect", "se", "lower", "upper"]].round(3)
         z  effect     se  lower  upper
    0 -1.0   0.016  0.056 -0.127  0.160
    1  0.0   0.324  0.054  0.186  0.462
    2  1.0   0.632  0.054  0.492  0.771
    """
    check_option("cov", cov, COVS)
    controls = [controls] if isinstance(controls, str) else list(controls)
    names = [y, x, z, *controls]
    if len(set(names)) != len(names):
        raise PanelError(f"y, x, z and controls must be distinct columns; got {names}.")
    validated = PanelFrame(panel, names, entity, time)
    frame = validated.data
    means = {x: 0.0, z: 0.0}
    if center:
        means = {x: float(frame[x].mean()), z: float(frame[z].mean())}
    term = f"{x}_x_{z}"
    data = validated.assign(
        **{
            x: frame[x] - means[x],
            z: frame[z] - means[z],
            term: (frame[x] - means[x]) * (frame[z] - means[z]),
        }
    )
    entity_fe = model == "fe" and (effects or "individual") in ("individual", "twoways")
    absorbed = []
    if entity_fe:
        spread = data.data[[x, z]].groupby(level=0).nunique().max()
        absorbed = [name for name in (x, z) if spread[name] <= 1]
    if x in absorbed:
        raise EstimationError(
            f"{x!r} is constant within every {entity!r} and is absorbed by the entity effects; "
            "its marginal effect is not identified with model='fe'."
        )
    rhs = [name for name in (x, z) if name not in absorbed] + [term, *controls]
    kwargs = {"model": model, "cov": cov}
    if model == "fe":
        kwargs["effects"] = effects
    res = fit(data, f"{y} ~ {' + '.join(rhs)}", entity=entity, time=time, **kwargs)
    if at is None:
        values = np.quantile(frame[z].to_numpy(), _QUANTILES)
    else:
        values = np.asarray(at, dtype=float)
    marginal = _marginal(res, x, term, values, means[z], alpha)
    if at is None:
        marginal.insert(1, "quantile", _QUANTILES)
    grid = np.linspace(frame[z].min(), frame[z].max(), n_points)
    plot = _marginal(res, x, term, grid, means[z], alpha)[["z", "effect", "lower", "upper"]]
    return ModerationResult(
        fit=res, marginal=marginal, plot=plot, interaction=term, means=means, absorbed=absorbed
    )


def _marginal(
    res: PanelResult, x: str, term: str, values: np.ndarray, z_mean: float, alpha: float
) -> pd.DataFrame:
    """Marginal effect of x at raw moderator values with delta-method standard errors."""
    shift = values - z_mean
    effect = res.params[x] + res.params[term] * shift
    var = res.cov.loc[x, x] + shift**2 * res.cov.loc[term, term] + 2 * shift * res.cov.loc[x, term]
    se = np.sqrt(var)
    t = effect / se
    q = stats.t.ppf(1 - alpha / 2, res.df_inference)
    return pd.DataFrame(
        {
            "z": values,
            "effect": effect,
            "se": se,
            "t": t,
            "pvalue": 2 * stats.t.sf(np.abs(t), res.df_inference),
            "lower": effect - q * se,
            "upper": effect + q * se,
        }
    )
