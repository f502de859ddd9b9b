"""Heterogeneity by group: subsample fits, interaction form and coefficient-equality tests.

Groups are e.g. cluster types (symbiotic / epiphytic / parasitic) or macro-regions. The fits are
:func:`clusterdx.panel.fit`; the optional Fisher permutation test refits the subsamples many
times and uses the entity cross-products of :class:`clusterdx.panel.mechanisms.EntityMoments`
for speed (one small solve per permutation instead of two linearmodels fits).
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
    DEFAULT_COV,
    DEFAULT_EFFECTS,
    DEFAULT_ENTITY,
    DEFAULT_SEED,
    DEFAULT_TIME,
)
from clusterdx.panel._formula import parse_formula
from clusterdx.panel.mechanisms import MEDIATION_MODELS, EntityMoments
from clusterdx.panel.models import Cov, Effects, Model, PanelResult, fit
from clusterdx.paneldata.frame import PanelFrame


@dataclass(frozen=True)
class HeterogeneityResult:
    """Per-group fits, the interacted fit and tests that slopes are equal across groups.

    Attributes
    ----------
    subsamples : dict
        ``{group level: PanelResult}`` fitted on each group's rows.
    interacted : PanelResult
        Pooled fit with ``<x>_x_<level>`` interactions for every tested regressor and
        non-base level (and ``<group>_<level>`` dummies where not absorbed).
    tests : DataFrame
        Wald tests of zero interactions: row ``joint`` and one row per tested regressor;
        columns ``wald``, ``df``, ``F``, ``df_denom``, ``pvalue`` (F) and ``pvalue_chi2``.
    permutation : DataFrame or None
        Fisher permutation test for two groups: per regressor the subsample difference
        ``diff`` (second level minus first), ``pvalue`` (two-sided) and ``permutations``.
    group, base : str
        The group column and its base level.

    Examples
    --------
    The slope of demand is 0.8 in coastal and 0.4 in inland regions:

    >>> import clusterdx as cdx
    >>> import numpy as np
    >>> from clusterdx.panel import heterogeneity
    >>> panel = cdx.datasets.toy_panel()
    >>> panel["dt"] += np.where(panel["coastal"] == "yes", 0.4, 0.0) * panel["demand"]  # 0.7 vs 0.3
    >>> het = heterogeneity(panel, "dt ~ demand + gov + tech", "coastal")
    >>> het.group, het.base, list(het.subsamples)
    ('coastal', 'no', ['no', 'yes'])
    >>> {level: round(float(res.params["demand"]), 3) for level, res in het.subsamples.items()}
    {'no': 0.252, 'yes': 0.758}
    >>> het.interacted.params.index.tolist()
    ['demand', 'gov', 'tech', 'demand_x_yes', 'gov_x_yes', 'tech_x_yes']
    """

    subsamples: dict[str, PanelResult]
    interacted: PanelResult = field(repr=False)
    tests: pd.DataFrame
    permutation: pd.DataFrame | None
    group: str
    base: str

    @property
    def results(self) -> list[PanelResult]:
        """The subsample fits in level order, for ``RegressionTable``."""
        return list(self.subsamples.values())

    def summary(self) -> str:
        """Tests of equal coefficients and the per-group coefficients."""
        coefs = pd.DataFrame({f"{level}": res.params for level, res in self.subsamples.items()})
        parts = [
            f"Heterogeneity by {self.group!r} (base level {self.base!r})",
            "Coefficients by group:",
            coefs.to_string(float_format=lambda v: f"{v:.6g}"),
            "Wald tests of equal coefficients (interaction form):",
            self.tests.to_string(float_format=lambda v: f"{v:.6g}"),
        ]
        if self.permutation is not None:
            parts += [
                "Fisher permutation test (subsample difference):",
                self.permutation.to_string(float_format=lambda v: f"{v:.6g}"),
            ]
        return "\n".join(parts)


def heterogeneity(
    panel: pd.DataFrame,
    formula: str,
    group: str,
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    model: Model = "fe",
    effects: Effects | None = DEFAULT_EFFECTS,
    cov: Cov = DEFAULT_COV,
    test_vars: Sequence[str] | None = None,
    base: object | None = None,
    permutations: int = 0,
    seed: int = DEFAULT_SEED,
) -> HeterogeneityResult:
    """Heterogeneous effects across groups: subsample regressions and a test of equality.

    Subsample form: the model is fitted separately on each group's rows. Interaction form
    (a Chow 1960 test, *Econometrica* 28, 591-605, with the chosen covariance):

    .. math::

        y_{it} = x_{it}'\\beta + \\sum_{g\\ne g_0} (x^{T}_{it}\\,1[G_{it}=g])'\\delta_g
                 + \\alpha_i + \\lambda_t + e_{it},

    where :math:`x^T` are the tested regressors (default all); other regressors and the effects
    are common to all groups. The Wald statistic :math:`W=\\hat\\delta'\\hat V_\\delta^{-1}
    \\hat\\delta` tests :math:`\\delta=0` (equal slopes), reported as :math:`F=W/q` with
    :math:`(q, d)` degrees of freedom, d those of the fit's t tests, and as :math:`\\chi^2_q`.

    The optional Fisher permutation test (Efron & Tibshirani 1993, ch. 15; Cleary 1999, *J.
    Finance* 54, 673-692; Lian & Liao 2017, 《郑州航空工业管理学院学报》, Stata ``bdiff``)
    compares the difference of the two subsample coefficients with its distribution when group
    labels are permuted across entities; it needs two groups, a group constant within entity,
    and ``model`` "fe" or "pooled".

    Parameters
    ----------
    panel : DataFrame
    formula : str
        ``"y ~ x1 + x2"``.
    group : str
        Column with the group labels (no missing values).
    entity, time : str, default "region", "year"
        Key columns.
    model, effects, cov
        As in :func:`clusterdx.panel.fit` (``effects`` is ignored for models without effects).
    test_vars : sequence of str, optional
        Regressors whose slopes may differ (default all of the formula).
    base : optional
        Base level of the interaction form (default the first sorted level).
    permutations : int
        Permutations of the Fisher test (0 to skip).
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` for the permutations.

    Returns
    -------
    HeterogeneityResult

    Examples
    --------
    >>> import clusterdx as cdx
    >>> import numpy as np
    >>> from clusterdx.panel import heterogeneity
    >>> panel = cdx.datasets.toy_panel()
    >>> panel["dt"] += np.where(panel["coastal"] == "yes", 0.4, 0.0) * panel["demand"]  # 0.7 vs 0.3
    >>> het = heterogeneity(panel, "dt ~ demand + gov + tech", "coastal",
    ...                     permutations=99, seed=1)
    >>> het.tests.index.tolist(), het.tests["df"].tolist()
    (['joint', 'demand', 'gov', 'tech'], [3, 1, 1, 1])
    >>> het.tests["pvalue"].round(3).to_dict()
    {'joint': 0.0, 'demand': 0.006, 'gov': 1.0, 'tech': 0.354}
    >>> het.permutation.loc["demand", ["diff", "pvalue"]].round(3).tolist()
    [0.505, 0.263]
    """
    if not isinstance(panel, pd.DataFrame):
        raise PanelError(f"panel must be a pandas DataFrame, got {type(panel).__name__}.")
    depvar, exog = parse_formula(formula, panel.columns)
    if group not in panel.columns:
        raise PanelError(f"group column {group!r} is not in the panel.")
    if panel[group].isna().any():
        rows = list(panel.index[panel[group].isna()][:5])
        raise PanelError(f"group column {group!r} is missing in rows {rows}; fill or drop them.")
    tested = list(exog) if test_vars is None else list(test_vars)
    unknown = [v for v in tested if v not in exog]
    if unknown or not tested:
        raise PanelError(f"test_vars {unknown or tested} must be regressors of {formula!r}.")
    labels = panel[group].astype(str)
    levels = sorted(labels.unique())
    if len(levels) < 2:
        raise PanelError(f"group column {group!r} has one level {levels}; need at least two.")
    base_level = levels[0] if base is None else str(base)
    if base_level not in levels:
        raise PanelError(f"base={base!r} is not a level of {group!r}; levels: {levels}.")
    if permutations:
        _check_permutation(levels, labels, panel[entity], model, permutations)
    kwargs = {"model": model, "cov": cov}
    if model in ("fe", "re"):
        kwargs["effects"] = effects
    subsamples = {}
    for level in levels:
        rows = panel.loc[(labels == level).to_numpy()]
        try:
            subsamples[level] = fit(rows, formula, entity=entity, time=time, **kwargs)
        except (EstimationError, PanelError) as err:
            raise type(err)(f"the {group}={level!r} subsample cannot be fitted: {err}") from err

    resolved = (effects or "individual") if model == "fe" else "none"
    within = labels.groupby(panel[entity].to_numpy()).nunique().max() == 1
    per_period = labels.groupby(panel[time].to_numpy()).nunique().max() == 1
    absorbed = (resolved in ("individual", "twoways") and within) or (
        resolved in ("time", "twoways") and per_period
    )
    others = [level for level in levels if level != base_level]
    validated = PanelFrame(panel, [depvar, *exog], entity, time)  # once: interaction and test
    row_labels = labels.to_numpy()[validated.rows]
    columns: dict[str, np.ndarray] = {}
    interactions: dict[str, list[str]] = {v: [] for v in tested}
    for level in others:
        dummy = (row_labels == level).astype(float)
        if not absorbed:
            columns[_name(f"{group}_{level}")] = dummy
        for v in tested:
            name = _name(f"{v}_x_{level}")
            columns[name] = validated.data[v].to_numpy(dtype=float) * dummy
            interactions[v].append(name)
    clash = sorted(set(columns) & set(panel.columns))
    if clash:
        raise PanelError(f"columns {clash} already exist; rename them before the interaction form.")
    rhs = [*exog, *columns]
    interacted = fit(
        validated.assign(**columns),
        f"{depvar} ~ {' + '.join(rhs)}",
        entity=entity,
        time=time,
        **kwargs,
    )
    all_terms = [name for names in interactions.values() for name in names]
    rows = [_wald("joint", interacted, all_terms)]
    rows += [_wald(v, interacted, interactions[v]) for v in tested]
    tests = pd.DataFrame(rows).set_index("test")

    permutation = None
    if permutations:
        permutation = _permutation_test(
            panel,
            validated.data,
            depvar,
            exog,
            tested,
            labels,
            levels,
            entity,
            resolved,
            model,
            permutations,
            seed,
        )
    return HeterogeneityResult(
        subsamples=subsamples,
        interacted=interacted,
        tests=tests,
        permutation=permutation,
        group=group,
        base=base_level,
    )


def _name(text: str) -> str:
    """A column name the formula parser accepts (no '+' or '~')."""
    return text.replace("+", "_").replace("~", "_").replace(" ", "_")


def _wald(label: str, res: PanelResult, terms: list[str]) -> dict[str, float | str]:
    """Wald test that the coefficients ``terms`` of ``res`` are all zero."""
    beta = res.params[terms].to_numpy()
    cov = res.cov.loc[terms, terms].to_numpy()
    wald = float(beta @ np.linalg.solve(cov, beta))
    q = len(terms)
    return {
        "test": label,
        "wald": wald,
        "df": q,
        "F": wald / q,
        "df_denom": res.df_inference,
        "pvalue": float(stats.f.sf(wald / q, q, res.df_inference)),
        "pvalue_chi2": float(stats.chi2.sf(wald, q)),
    }


def _permutation_test(
    panel: pd.DataFrame,
    frame: pd.DataFrame,
    depvar: str,
    exog: list[str],
    tested: list[str],
    labels: pd.Series,
    levels: list[str],
    entity: str,
    effects: str,
    model: str,
    permutations: int,
    seed: int | None,
) -> pd.DataFrame:
    """Fisher permutation test of equal subsample coefficients for two groups (``frame``: the
    validated panel of ``panel``)."""
    names = [depvar, *exog]
    moments = EntityMoments(frame, names, model, effects)
    first_label = labels.groupby(panel[entity].to_numpy()).first()
    in_second = (first_label.reindex(moments.entities) == levels[1]).to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    shuffled = np.stack([rng.permutation(in_second) for _ in range(permutations)])
    rows = []
    for v in tested:
        observed = _difference(moments, in_second[None, :], depvar, exog, v)[0]
        draws = _difference(moments, shuffled, depvar, exog, v)
        draws = draws[np.isfinite(draws)]
        rows.append(
            {
                "variable": v,
                "diff": observed,
                "pvalue": float(np.mean(np.abs(draws) >= abs(observed))),
                "permutations": int(draws.size),
            }
        )
    return pd.DataFrame(rows).set_index("variable")


def _check_permutation(
    levels: list[str], labels: pd.Series, entities: pd.Series, model: str, permutations: int
) -> None:
    """Raise when the Fisher permutation test does not apply."""
    if not isinstance(permutations, int | np.integer) or permutations < 0:
        raise EstimationError(f"permutations={permutations!r} must be a non-negative integer.")
    if len(levels) != 2:
        raise EstimationError(
            f"the permutation test compares two groups; the group has {len(levels)} levels "
            f"{levels}. Test pairs of levels separately."
        )
    if labels.groupby(entities.to_numpy()).nunique().max() > 1:
        raise EstimationError(
            "the permutation test permutes group labels across entities; the group varies "
            "within entities."
        )
    check_option("model", model, MEDIATION_MODELS)


def _difference(
    moments: EntityMoments, second: np.ndarray, depvar: str, exog: list[str], target: str
) -> np.ndarray:
    """Coefficient of ``target`` in the second group minus the first, per indicator row."""
    b_second = moments.coefficients(second, depvar, exog, target)
    b_first = moments.coefficients(1.0 - second, depvar, exog, target)
    return b_second - b_first
