"""Check the inputs of the panel estimators: options, panel keys, missing values, rank.

Every failure raises a ``clusterdx`` error that names the option, column, rows or regressors at
fault and says how to fix it, before linearmodels sees the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from clusterdx.errors import EstimationError, PanelError, StudySpecError

_SHOW = 5


def check_option(name: str, value: object, allowed: Sequence[str]) -> None:
    """Raise ``StudySpecError`` listing ``allowed`` when ``value`` is not one of them."""
    if value not in allowed:
        raise StudySpecError(f"{name}={value!r} is not allowed; use one of {list(allowed)}.")


def panel_frame(
    panel: pd.DataFrame,
    columns: Sequence[str],
    entity: str,
    time: str,
    missing: str,
    extra: Iterable[str] = (),
) -> tuple[pd.DataFrame, int]:
    """Return the used columns indexed by (entity, time), sorted, and the number of dropped rows.

    Parameters
    ----------
    panel : DataFrame
        Long panel with one row per entity and period.
    columns : sequence of str
        Numeric variables of the model (response first).
    entity, time : str
        Key columns.
    missing : {"raise", "drop"}
        What to do with rows where a used variable is missing.
    extra : iterable of str
        Further columns to carry (e.g. a cluster variable); they must not be missing either.

    Raises
    ------
    PanelError
        Missing key columns, missing keys, duplicate (entity, time) pairs (the first ones are
        listed), non-numeric variables, or missing values when ``missing="raise"``.
    """
    if not isinstance(panel, pd.DataFrame):
        raise PanelError(f"panel must be a pandas DataFrame, got {type(panel).__name__}.")
    for role, key in (("entity", entity), ("time", time)):
        if key not in panel.columns:
            raise PanelError(
                f"{role} column {key!r} is not in the panel; columns: {list(map(str, panel.columns))}."
            )
    extra = [col for col in dict.fromkeys(extra) if col not in (entity, time, *columns)]
    for col in extra:
        if col not in panel.columns:
            raise PanelError(f"column {col!r} is not in the panel.")
    keys = panel[[entity, time]]
    bad_keys = keys.index[keys.isna().any(axis=1)]
    if len(bad_keys):
        raise PanelError(
            f"{entity!r}/{time!r} are missing in rows {list(bad_keys[:_SHOW])}; every row needs "
            "both keys."
        )
    entity_codes, entities = pd.factorize(keys[entity], sort=True)
    time_codes, _ = pd.factorize(keys[time], sort=True)
    key = entity_codes.astype(np.int64) * (int(time_codes.max(initial=0)) + 1) + time_codes
    order = np.argsort(key, kind="stable")  # rows sorted by (entity, period)
    if (key[order][1:] == key[order][:-1]).any():
        duplicated = keys.duplicated(keep=False)
        pairs = list(dict.fromkeys(map(tuple, keys[duplicated].to_numpy().tolist())))[:_SHOW]
        raise PanelError(
            f"the panel has {int(duplicated.sum())} rows sharing an ({entity}, {time}) pair, "
            f"first {pairs}; aggregate or remove the duplicates so each pair is one row."
        )
    values = panel[list(dict.fromkeys([*columns, *extra]))]
    for col in columns:
        if not pd.api.types.is_numeric_dtype(values[col]) or pd.api.types.is_bool_dtype(
            values[col]
        ):
            raise PanelError(
                f"column {col!r} has dtype {values[col].dtype}, not a number; convert it "
                "(e.g. pd.to_numeric) before fitting."
            )
    bad = values.isna()
    for col in values.columns:
        if pd.api.types.is_float_dtype(values[col]):
            bad[col] |= np.isinf(values[col].to_numpy())
        elif not pd.api.types.is_integer_dtype(values[col]):
            bad[col] |= values[col].isin([np.inf, -np.inf])
    row_bad = bad.to_numpy().any(axis=1)
    n_bad = int(row_bad.sum())
    if n_bad and missing == "raise":
        col = next(c for c in values.columns if bad[c].any())
        rows = list(values.index[bad[col].to_numpy()][:_SHOW])
        raise PanelError(
            f"column {col!r} is missing or infinite in {int(bad[col].sum())} rows, first "
            f"{rows} (index labels); {n_bad} rows in all have a missing used variable. Fill "
            "them or pass missing='drop' to drop those rows."
        )
    order = order[~row_bad[order]]
    raw_periods = keys[time].iloc[order]
    periods = _period_values(raw_periods, time)
    period_codes, period_levels = pd.factorize(periods, sort=True)
    if periods is not raw_periods:
        # text years converted to numbers: sort by the numbers (stable within entities)
        key = entity_codes[order].astype(np.int64) * len(period_levels) + period_codes
        within = np.argsort(key, kind="stable")
        order, period_codes = order[within], period_codes[within]
    ent = entity_codes[order]
    first = np.r_[True, ent[1:] != ent[:-1]] if len(ent) else np.zeros(0, bool)
    index = pd.MultiIndex(
        levels=[entities[ent[first]], pd.Index(period_levels)],
        codes=[np.cumsum(first) - 1, period_codes],
        names=[entity, time],
        verify_integrity=False,
    )
    frame = values.iloc[order].set_axis(index)
    return frame.astype(dict.fromkeys(columns, "float64")), n_bad


def _period_values(values: pd.Series, time: str) -> pd.Series:
    """Periods as numbers or dates (linearmodels orders periods by value); text years converted."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values[numbers.isna()]
    if len(bad):
        raise PanelError(
            f"time column {time!r} has values that are not numbers or dates, e.g. "
            f"{list(dict.fromkeys(bad.astype(str)))[:_SHOW]}; convert it (e.g. strip '年' and "
            "use pd.to_numeric) before fitting."
        )
    return numbers


def check_rank(design: pd.DataFrame, what: str) -> None:
    """Raise ``EstimationError`` naming the regressors of ``design`` that are linearly dependent.

    The columns are scaled to unit norm before the singular value decomposition so the check does
    not depend on units; a right singular vector of a (near) zero singular value shows which
    columns combine to zero.
    """
    x = design.to_numpy(dtype=float)
    norms = np.linalg.norm(x, axis=0)
    zero = [str(c) for c, n in zip(design.columns, norms, strict=True) if n <= 1e-12]
    if zero:
        raise EstimationError(
            f"regressors {zero} are identically zero {what}; drop them from the formula."
        )
    _, sing, vt = np.linalg.svd(x / norms, full_matrices=False)
    tol = sing.max() * max(x.shape) * np.finfo(float).eps * 1e3
    if sing.min() > tol:
        return
    null = vt[sing <= tol]
    involved = np.abs(null).max(axis=0) > 1e-6
    names = [str(c) for c, flag in zip(design.columns, involved, strict=True) if flag]
    raise EstimationError(
        f"the design is singular {what}: regressors {names} are linearly dependent "
        "(collinear, or constant within the absorbed effects); drop one of them."
    )
