"""Turn a long panel and a weights object into the arrays the spatial panel likelihoods use.

The panel is checked (columns present, one row per entity-period, balanced, no missing values) and
reshaped to arrays of shape ``(N, T, c)``: entity ``i`` in row ``i`` (the order of ``W`` after it
has been aligned), period ``t`` in column ``t``. Stacking period by period, as the models are
written, is the same data read column by column.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterdx.errors import EstimationError, PanelError, WeightsError

_MAX_LISTED = 10


@dataclass(frozen=True)
class PanelArrays:
    """A balanced panel as arrays: ``y`` is ``(N, T)``, ``x`` is ``(N, T, k)``."""

    entities: list[Hashable]
    periods: list[Hashable]
    y: np.ndarray
    x: np.ndarray


def _listing(items: Sequence[Any]) -> str:
    shown = ", ".join(repr(item) for item in items[:_MAX_LISTED])
    more = f" ... ({len(items)} in all)" if len(items) > _MAX_LISTED else f" ({len(items)} in all)"
    return shown + more


def stack_panel(
    panel: pd.DataFrame, y: str, x: Sequence[str], entity: str, time: str
) -> PanelArrays:
    """Check a long panel and reshape ``y`` and ``x`` to entity × period arrays.

    Raises
    ------
    PanelError
        A named column is missing, an (entity, time) pair occurs twice, or the panel is unbalanced.
    EstimationError
        ``y`` or an ``x`` column holds a missing value.
    """
    columns = [entity, time, y, *x]
    missing = [c for c in dict.fromkeys(columns) if c not in panel.columns]
    if missing:
        raise PanelError(
            f"column(s) {missing} not found in the panel; available columns: {list(panel.columns)}"
        )
    if len(set(x)) != len(x) or y in x:
        raise PanelError(
            f"regressors {list(x)} repeat a name or contain the dependent variable {y!r}"
        )
    frame = panel[list(dict.fromkeys(columns))]
    duplicated = frame.duplicated(subset=[entity, time], keep=False)
    if duplicated.any():
        pairs = list(
            frame.loc[duplicated, [entity, time]].drop_duplicates().itertuples(index=False)
        )
        raise PanelError(
            f"(entity, time) pairs occur more than once in columns ({entity!r}, {time!r}): "
            f"{_listing([tuple(p) for p in pairs])}; aggregate or drop the duplicates first"
        )
    entities = sorted(frame[entity].unique().tolist())
    periods = sorted(frame[time].unique().tolist())
    n, t = len(entities), len(periods)
    if len(frame) != n * t:
        full = pd.MultiIndex.from_product([entities, periods])
        present = pd.MultiIndex.from_frame(frame[[entity, time]])
        gaps = list(full.difference(present))
        raise PanelError(
            f"the panel is unbalanced: {len(gaps)} (entity, time) pairs are missing, e.g. "
            f"{_listing(gaps)}; spatial panel ML needs every entity in every period. Fill the gaps "
            "(e.g. interpolate within entity) or drop the incomplete entities or periods"
        )
    frame = frame.sort_values([entity, time], kind="stable")
    for column in [y, *x]:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise EstimationError(
                f"column {column!r} has dtype {frame[column].dtype}, not numeric; convert it "
                "(e.g. pd.to_numeric) or encode categories as dummy columns"
            )
        values = frame[column].to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(values)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            first_entity, first_time = (
                frame[c].iloc[row : row + 1].tolist()[0] for c in (entity, time)
            )
            raise EstimationError(
                f"column {column!r} has {int(bad.sum())} missing or infinite value(s), the first "
                f"at ({entity}={first_entity!r}, {time}={first_time!r}); impute or drop them "
                "and keep the panel balanced"
            )
    yy = frame[y].to_numpy(dtype=float).reshape(n, t)
    xx = frame[list(x)].to_numpy(dtype=float).reshape(n, t, len(x))
    return PanelArrays(entities=entities, periods=periods, y=yy, x=xx)


def align_weights(w: Any, entities: Sequence[Hashable]) -> sp.csr_matrix:
    """Return ``W`` as a CSR matrix with rows and columns in the order of ``entities``.

    ``w`` is a ``libpysal.weights.W`` (its ids are the entity values) or a pair
    ``(matrix, ids)`` with a dense or sparse ``N × N`` matrix. ``W`` is used as given: row-standardise
    it beforehand if the model calls for it (``clusterdx.weights`` does by default).

    Raises
    ------
    WeightsError
        Ids in the panel missing from ``W`` or the reverse, a non-square matrix, or islands
        (entities without neighbours).
    """
    if isinstance(w, tuple) and len(w) == 2:
        matrix, ids = w
        matrix = sp.csr_matrix(matrix, dtype=float)
        ids = list(ids)
        if matrix.shape != (len(ids), len(ids)):
            raise WeightsError(
                f"the weights matrix has shape {matrix.shape} but {len(ids)} ids were given; pass a "
                "square N × N matrix and its N ids"
            )
    elif hasattr(w, "sparse") and hasattr(w, "id_order"):
        matrix = sp.csr_matrix(w.sparse, dtype=float)
        ids = list(w.id_order)
    else:
        raise WeightsError(
            f"w must be a libpysal.weights.W or a (matrix, ids) pair, got {type(w).__name__}"
        )
    if len(set(ids)) != len(ids):
        raise WeightsError("the weights ids repeat; each entity must appear once")
    position = {key: i for i, key in enumerate(ids)}
    absent = [e for e in entities if e not in position]
    if absent:
        hint = ""
        if ids and type(ids[0]) is not type(entities[0]):
            hint = (
                f" (the weights ids are {type(ids[0]).__name__}, the panel's entities are "
                f"{type(entities[0]).__name__})"
            )
        raise WeightsError(
            f"panel entities missing from the weights ids{hint}: {_listing(absent)}; build W on "
            "the same ids as the panel's entity column"
        )
    wanted = set(entities)
    extra = [key for key in ids if key not in wanted]
    if extra:
        raise WeightsError(
            f"weights ids not in the panel: {_listing(extra)}; subset W to the panel's entities "
            "(and re-standardise) or add those entities to the panel"
        )
    order = np.array([position[e] for e in entities])
    matrix = matrix[order][:, order].tocsr()
    matrix.eliminate_zeros()
    islands = [entities[i] for i in np.flatnonzero(np.diff(matrix.indptr) == 0)]
    if islands:
        raise WeightsError(
            f"islands (entities without neighbours) in W: {_listing(islands)}; give them a "
            "neighbour (e.g. k-nearest) or drop them from the panel"
        )
    return matrix
