"""Turn a long panel and a weights object into the arrays the spatial panel likelihoods use.

The panel is validated by :class:`clusterdx.paneldata.PanelFrame` (columns present, one row per
entity-period, numeric, no missing values, balanced: the same checks and messages as the linear
panel models), once: a ``PanelFrame`` passed in is handed on as it is (:func:`spatial_frame`),
and read as its cube of shape ``(N, T, c)``: entity ``i`` in row ``i`` (sorted
entity values, the order ``W`` is aligned to by :func:`align_weights`), period ``t`` in column
``t``. Stacking period by period, as the models are written, is the same data read column by
column. :func:`align_weights` is the one place where a weights object (a ``libpysal.weights.W``
or a ``(matrix, ids)`` pair) is matched to the panel's entities: the models, the diagnostics and
the cross-section tests all use it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterdx.errors import EstimationError, PanelError, WeightsError
from clusterdx.paneldata.frame import PanelFrame, as_frame, listing


@dataclass(frozen=True)
class PanelArrays:
    """A balanced panel as arrays: ``y`` is ``(N, T)``, ``x`` is ``(N, T, k)``."""

    entities: list[Hashable]
    periods: list[Hashable]
    y: np.ndarray
    x: np.ndarray


def spatial_frame(
    panel: pd.DataFrame | PanelFrame, y: str, x: Sequence[str], entity: str, time: str
) -> PanelFrame:
    """The balanced panel of a spatial model of ``y`` on ``x``, validated once (or as handed on).

    A DataFrame is validated by :class:`~clusterdx.paneldata.PanelFrame` with ``balanced=True``;
    a ``PanelFrame`` is used as it is (:func:`~clusterdx.paneldata.frame.as_frame`: its keys,
    columns and balance are checked), so a loop of fits on one panel validates it once.

    Raises
    ------
    PanelError
        Everything :func:`~clusterdx.paneldata.frame.as_frame` refuses with ``balanced=True`` (a
        missing column, a duplicate (entity, time) pair, a non-numeric, missing or infinite
        value, an unbalanced panel, a PanelFrame with other keys), or regressors that repeat a
        name or contain ``y``.
    EstimationError
        ``x`` is a string rather than a list of names.
    """
    if isinstance(x, str):
        raise EstimationError(f"x={x!r} is a string; pass a list of column names, e.g. [{x!r}]")
    if len(set(x)) != len(x) or y in x:
        raise PanelError(
            f"regressors {list(x)} repeat a name or contain the dependent variable {y!r}"
        )
    return as_frame(panel, [y, *x], entity, time, balanced=True)


def stack_panel(
    panel: pd.DataFrame | PanelFrame, y: str, x: Sequence[str], entity: str, time: str
) -> PanelArrays:
    """The panel of :func:`spatial_frame` as entity × period arrays of ``y`` and ``x``."""
    frame = spatial_frame(panel, y, x, entity, time)
    cube = frame.cube([y, *x])
    return PanelArrays(
        entities=frame.entities.tolist(),
        periods=frame.periods.tolist(),
        y=np.ascontiguousarray(cube[:, :, 0]),
        x=np.ascontiguousarray(cube[:, :, 1:]),
    )


def weights_matrix(w: Any) -> tuple[sp.csr_matrix, list[Hashable]]:
    """``W`` as a CSR matrix and its ids, both in the weights object's own order.

    ``w`` is a ``libpysal.weights.W`` (its ids are the entity values) or a pair ``(matrix, ids)``
    with a dense or sparse ``N × N`` matrix.

    Raises
    ------
    WeightsError
        Another type, a non-square matrix or one whose size differs from the number of ids, or
        repeated ids.
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
            f"w must be a libpysal.weights.W or a (matrix, ids) pair, got {type(w).__name__}; "
            "build one with clusterdx.weights (e.g. from_matrix)"
        )
    if len(set(ids)) != len(ids):
        raise WeightsError("the weights ids repeat; each entity must appear once")
    return matrix, ids


def matched_ids(ids: Sequence[Hashable], entities: Sequence[Hashable]) -> list[Hashable]:
    """The weights ids as the panel's entity values: as they are, or matched as strings.

    Ids and entities that differ only in type (``11`` and ``"11"``) are matched through their
    string forms when that pairs them one to one; otherwise the ids are returned unchanged (and
    :func:`align_weights` names the ones that do not match).
    """
    ids = list(ids)
    wanted = set(entities)
    if len(ids) == len(wanted) and all(key in wanted for key in ids):
        return ids
    by_str = {str(e): e for e in entities}
    if len(by_str) == len(wanted) == len(ids) and {str(key) for key in ids} == set(by_str):
        return [by_str[str(key)] for key in ids]
    return ids


def align_weights(
    w: Any, entities: Sequence[Hashable], *, allow_islands: bool = False
) -> sp.csr_matrix:
    """Return ``W`` as a CSR matrix with rows and columns in the order of ``entities``.

    ``w`` is a ``libpysal.weights.W`` (its ids are the entity values) or a pair
    ``(matrix, ids)`` with a dense or sparse ``N × N`` matrix (:func:`weights_matrix`); ids
    that differ from the entities only in type are matched as strings (:func:`matched_ids`).
    ``W`` is used as given: row-standardise it beforehand if the model calls for it
    (``clusterdx.weights`` does by default). ``allow_islands`` keeps entities without
    neighbours (zero rows), which the diagnostics accept and the models do not.

    Raises
    ------
    WeightsError
        Ids in the panel missing from ``W`` or the reverse, a non-square matrix, or islands
        (entities without neighbours) unless allowed.
    """
    matrix, ids = weights_matrix(w)
    ids = matched_ids(ids, entities)
    position = {key: i for i, key in enumerate(ids)}
    absent = [e for e in entities if e not in position]
    wanted = set(entities)
    extra = [key for key in ids if key not in wanted]
    if absent:
        hint = ""
        if ids and type(ids[0]) is not type(entities[0]):
            hint = (
                f" (the weights ids are {type(ids[0]).__name__}, the panel's entities are "
                f"{type(entities[0]).__name__})"
            )
        also = f"; weights ids not in the panel: {listing(extra)}" if extra else ""
        raise WeightsError(
            f"panel entities missing from the weights ids{hint}: {listing(absent)}{also}; build "
            "W on the same ids as the panel's entity column"
        )
    if extra:
        raise WeightsError(
            f"weights ids not in the panel: {listing(extra)}; subset W to the panel's entities "
            "(and re-standardise) or add those entities to the panel"
        )
    order = np.array([position[e] for e in entities])
    matrix = matrix[order][:, order].tocsr()
    matrix.eliminate_zeros()
    islands = [entities[i] for i in np.flatnonzero(np.diff(matrix.indptr) == 0)]
    if islands and not allow_islands:
        raise WeightsError(
            f"islands (entities without neighbours) in W: {listing(islands)}; give them a "
            "neighbour (e.g. k-nearest) or drop them from the panel"
        )
    return matrix
