"""Robustness battery: refit a baseline panel regression under a list of sample and variable variants.

Each variant changes one or more of: the dependent variable, winsorising at given percentiles,
dropping entities (e.g. the four municipalities 110000/120000/310000/500000), one-period lags
of regressors, and excluded periods. Every fit is :func:`clusterdx.panel.fit`; the results come
back in the order given, ready for ``RegressionTable``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from clusterdx.errors import PanelError, StudySpecError
from clusterdx.options.panel import (
    DEFAULT_ENTITY,
    DEFAULT_TIME,
)
from clusterdx.panel._formula import parse_formula
from clusterdx.panel.models import PanelResult, fit

MUNICIPALITIES: tuple[int, ...] = (110000, 120000, 310000, 500000)
"""Beijing, Tianjin, Shanghai and Chongqing (province-level municipalities, GB/T 2260 codes)."""

FIT_KEYS: tuple[str, ...] = ("formula", "model", "effects", "cov", "cluster", "missing")
LABEL_KEYS: tuple[str, ...] = ("name", "title", "kind")


@dataclass(frozen=True)
class Variant:
    """One robustness check: what changes relative to the baseline.

    Attributes
    ----------
    name : str
        Label of the column in the table.
    y : str, optional
        Alternative dependent variable.
    winsorize : (float, float), optional
        Lower and upper quantiles, e.g. ``(0.01, 0.99)``; the dependent variable and the
        regressors are clipped at these quantiles of the variant's sample.
    drop_entities : sequence
        Entities to leave out (compared as text, so 110000 matches "110000").
    lag : sequence of str or True
        Regressors replaced by their value in the previous period of the same entity (``True``
        for all); rows without a previous period are dropped. Lags are taken before
        ``exclude_periods`` removes rows, so the period after an excluded one keeps its own lag.
    exclude_periods : sequence
        Periods to leave out (e.g. the 2020 pandemic year).
    fit : mapping, optional
        Overrides of the baseline ``fit`` options (``model``, ``effects``, ``cov``, ...).

    Examples
    --------
    >>> import clusterdx as cdx
    >>> from clusterdx.panel import Variant, robustness
    >>> panel = cdx.datasets.toy_panel()  # dt = 0.3 demand - 0.2 gov + 0.5 tech + effects + noise
    >>> lagged = Variant("lagged regressors", lag=True)
    >>> no_a = Variant("without A", drop_entities=["A"], fit={"cov": "robust"})
    >>> runs = robustness(panel, {"formula": "dt ~ demand + gov + tech"}, [lagged, no_a],
    ...                   entity="region", time="year")
    >>> {name: res.nobs for name, res in runs.items()}
    {'baseline': 30, 'lagged regressors': 24, 'without A': 25}
    >>> runs["without A"].cov_type
    'heteroskedasticity-robust (White), factor n/(n−k−d)'
    """

    name: str
    y: str | None = None
    winsorize: tuple[float, float] | None = None
    drop_entities: Sequence[Any] = ()
    lag: Sequence[str] | bool = ()
    exclude_periods: Sequence[Any] = ()
    fit: Mapping[str, Any] | None = None


def robustness(
    panel: pd.DataFrame,
    base_spec: Mapping[str, Any],
    variants: Sequence[Variant | Mapping[str, Any]],
    *,
    entity: str = DEFAULT_ENTITY,
    time: str = DEFAULT_TIME,
    include_base: bool = True,
) -> dict[str, PanelResult]:
    """Fit the baseline and every variant, in order.

    Parameters
    ----------
    panel : DataFrame
        Long panel.
    base_spec : mapping
        ``formula`` and the :func:`clusterdx.panel.fit` options (``model``, ``effects``,
        ``cov``, ``cluster``, ``missing``), as a ``[[models]]`` entry of ``study.toml``
        (whose ``name``/``title``/``kind`` labels are accepted and not used for fitting).
    variants : sequence of Variant or mappings with its fields
        E.g. ``{"name": "drop municipalities", "drop_entities": MUNICIPALITIES}``.
    entity, time : str, default "region", "year"
        Key columns.
    include_base : bool
        Put the baseline first, under the name ``"baseline"``.

    Returns
    -------
    dict
        ``{name: PanelResult}`` in the order baseline, variants.

    Raises
    ------
    StudySpecError
        Unknown keys in ``base_spec`` or a variant, repeated names, bad winsorising quantiles.
    PanelError
        Unknown columns, or a variant that leaves no rows.

    Examples
    --------
    >>> import clusterdx as cdx
    >>> from clusterdx.panel import robustness
    >>> panel = cdx.datasets.toy_panel()  # dt = 0.3 demand - 0.2 gov + 0.5 tech + effects + noise
    >>> runs = robustness(panel, {"formula": "dt ~ demand + gov + tech", "effects": "twoways"},
    ...                   [{"name": "no A, B", "drop_entities": ["A", "B"]},
    ...                    {"name": "winsorised 5%", "winsorize": (0.05, 0.95)},
    ...                    {"name": "without 2020", "exclude_periods": [2020]}])
    >>> list(runs), [res.nobs for res in runs.values()]
    (['baseline', 'no A, B', 'winsorised 5%', 'without 2020'], [30, 20, 30, 24])
    >>> [round(float(res.params["demand"]), 3) for res in runs.values()]
    [0.325, 0.25, 0.305, 0.347]
    """
    base = _check_base(base_spec)
    parsed = [_as_variant(v) for v in variants]
    names = (["baseline"] if include_base else []) + [v.name for v in parsed]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise StudySpecError(f"variant names {repeated} are repeated; give each a unique name.")
    runs: dict[str, PanelResult] = {}
    if include_base:
        runs["baseline"] = _fit(panel, base, entity, time)
    for variant in parsed:
        runs[variant.name] = _run(panel, base, variant, entity, time)
    return runs


def _check_base(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The ``fit`` options of the baseline, without its labels."""
    unknown = sorted(set(spec) - set(FIT_KEYS) - set(LABEL_KEYS))
    if unknown:
        raise StudySpecError(
            f"base_spec has unknown keys {unknown}; allowed: {list(FIT_KEYS + LABEL_KEYS)}."
        )
    if "formula" not in spec:
        raise StudySpecError("base_spec needs a 'formula', e.g. 'dt ~ demand + gov'.")
    return {k: v for k, v in spec.items() if k in FIT_KEYS}


def _as_variant(value: Variant | Mapping[str, Any]) -> Variant:
    """A ``Variant`` from itself or a mapping of its fields, with the options checked."""
    if isinstance(value, Mapping):
        allowed = [f.name for f in fields(Variant)]
        unknown = sorted(set(value) - set(allowed))
        if unknown or "name" not in value:
            raise StudySpecError(
                f"variant {dict(value)!r} has unknown keys {unknown} or no 'name'; allowed keys: "
                f"{allowed}."
            )
        value = Variant(**value)
    if value.winsorize is not None:
        low, high = value.winsorize
        if not 0 <= low < high <= 1:
            raise StudySpecError(
                f"variant {value.name!r}: winsorize={value.winsorize!r} needs 0 <= lower < "
                "upper <= 1, e.g. (0.01, 0.99)."
            )
    if value.fit is not None:
        unknown = sorted(set(value.fit) - set(FIT_KEYS) - {"formula"})
        if unknown:
            raise StudySpecError(
                f"variant {value.name!r}: fit has unknown keys {unknown}; allowed {list(FIT_KEYS)}."
            )
    return value


def _fit(panel: pd.DataFrame, spec: dict[str, Any], entity: str, time: str) -> PanelResult:
    options = {k: v for k, v in spec.items() if k != "formula"}
    return fit(panel, spec["formula"], entity=entity, time=time, **options)


def _run(
    panel: pd.DataFrame, base: dict[str, Any], variant: Variant, entity: str, time: str
) -> PanelResult:
    """Build the variant's sample and formula, then fit."""
    spec = {**base, **(variant.fit or {})}
    depvar, exog = parse_formula(spec["formula"], panel.columns)
    if variant.y is not None:
        depvar, exog = parse_formula(f"{variant.y} ~ {' + '.join(exog)}", panel.columns)
    spec["formula"] = f"{depvar} ~ {' + '.join(exog)}"
    data = panel
    if variant.drop_entities:
        drop = {str(e) for e in variant.drop_entities}
        data = data.loc[~data[entity].astype(str).isin(drop).to_numpy()]
    if variant.lag:
        lagged = exog if variant.lag is True else list(variant.lag)
        unknown = [name for name in lagged if name not in exog]
        if unknown:
            raise StudySpecError(
                f"variant {variant.name!r}: lag names {unknown}, which are not regressors of "
                f"{spec['formula']!r}."
            )
        data = _lagged(data, lagged, entity, time)
        spec["missing"] = "drop"
    if variant.exclude_periods:
        drop = {str(p) for p in variant.exclude_periods}
        data = data.loc[~data[time].astype(str).isin(drop).to_numpy()]
    if variant.winsorize is not None:
        data = _winsorized(data, [depvar, *exog], *variant.winsorize)
    if data.empty:
        raise PanelError(f"variant {variant.name!r} leaves no rows; check its settings.")
    return _fit(data, spec, entity, time)


def _lagged(data: pd.DataFrame, columns: list[str], entity: str, time: str) -> pd.DataFrame:
    """``columns`` replaced by their value one period earlier in the same entity (else NaN)."""
    periods = np.sort(pd.unique(data[time]))
    position = pd.Series(np.arange(len(periods)), index=periods)
    ordered = data.assign(_pos=data[time].map(position).to_numpy()).sort_values([entity, "_pos"])
    previous = ordered.groupby(entity, sort=False)[[*columns, "_pos"]].shift(1)
    consecutive = (ordered["_pos"] - previous["_pos"]).eq(1).to_numpy()
    values = previous[columns].where(pd.Series(consecutive, index=previous.index), axis=0)
    return ordered.assign(**{c: values[c] for c in columns}).drop(columns="_pos")


def _winsorized(data: pd.DataFrame, columns: list[str], low: float, high: float) -> pd.DataFrame:
    """``columns`` clipped at their ``low`` and ``high`` quantiles."""
    clipped = {}
    for col in dict.fromkeys(columns):
        lower, upper = data[col].quantile([low, high]).to_numpy()
        clipped[col] = data[col].clip(lower, upper)
    return data.assign(**clipped)
