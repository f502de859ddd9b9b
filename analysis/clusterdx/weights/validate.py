"""Check a spatial weights object against the data: id alignment, islands, symmetry, row sums."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterdx.errors import WeightsError
from clusterdx.weights.matrix import SparseWeights, from_matrix, plain

if TYPE_CHECKING:
    from libpysal.weights import W

_SHOWN = 10


def _listing(items: list) -> str:
    extra = f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return ", ".join(repr(i) for i in items[:_SHOWN]) + extra


def align(w: W, ids: Sequence) -> W:
    """Reorder ``w`` to the given ids (e.g. the entity order of a panel's cross-section).

    Raises
    ------
    WeightsError
        Naming the ids in ``ids`` that ``w`` lacks and the ids of ``w`` not in ``ids``.

    Examples
    --------
    >>> import numpy as np
    >>> from clusterdx import weights
    >>> w = weights.from_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]]), ids=["a", "b", "c"])
    >>> aligned = weights.align(w, ["c", "b", "a"])
    >>> aligned.id_order, aligned.full()[0].tolist()
    (['c', 'b', 'a'], [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
    >>> weights.align(w, ["a", "b", "d"])
    Traceback (most recent call last):
    ...
    clusterdx.errors.WeightsError: weights and data ids differ; ids not in the weights: 'd'; weights ids not in the data: 'c'. Build the weights from the same regions as the data, or drop the unmatched regions from the data.
    """
    ids = list(ids)
    order = _order(w.id_order, ids)
    raw_transform = w.transform
    w.transform = "O"
    matrix = w.sparse.tocsr()[order][:, order]
    w.transform = raw_transform
    aligned = from_matrix(matrix, ids, transform="none")
    aligned.transform = raw_transform
    return aligned


def align_sparse(light: SparseWeights, ids: Sequence) -> SparseWeights:
    """``align`` for a ``SparseWeights`` (same checks and messages, no libpysal)."""
    ids = [plain(i) for i in ids]
    order = _order(light.ids, ids)
    return SparseWeights(light.raw[order][:, order], ids, light.transform)


def _order(have: Sequence, ids: Sequence) -> np.ndarray:
    """Position in ``have`` (the weights' ids) of each of ``ids``; ``WeightsError`` if they differ."""
    wanted, present = pd.Index(list(ids)), pd.Index(list(have))
    if wanted.has_duplicates:
        raise WeightsError(
            f"ids to align to are duplicated: {_listing(wanted[wanted.duplicated()].unique().tolist())}"
        )
    missing_in_w = wanted.difference(present, sort=False).tolist()
    missing_in_ids = present.difference(wanted, sort=False).tolist()
    if missing_in_w or missing_in_ids:
        parts = []
        if missing_in_w:
            parts.append(f"ids not in the weights: {_listing(missing_in_w)}")
        if missing_in_ids:
            parts.append(f"weights ids not in the data: {_listing(missing_in_ids)}")
        raise WeightsError(
            "weights and data ids differ; " + "; ".join(parts) + ". Build the weights from the "
            "same regions as the data, or drop the unmatched regions from the data."
        )
    return present.get_indexer(wanted)


@dataclass(frozen=True)
class WeightsReport:
    """What ``check`` found: size, links, symmetry of the neighbour structure, row sums.

    Attributes
    ----------
    n : int
        Number of regions.
    links : int
        Number of nonzero weights (i -> j links).
    mean_neighbours : float
        links / n.
    symmetric : bool
        Whether every link i -> j has its j -> i.
    row_sums : pandas.Series
        Sum of each row's weights, indexed by id.

    Examples
    --------
    >>> from clusterdx import regions, weights
    >>> report = weights.check(weights.contiguity(regions.provinces()))
    >>> report.n, report.links, round(report.mean_neighbours, 4), report.symmetric
    (31, 138, 4.4516, True)
    >>> report.row_sums.round(4).unique().tolist()
    [1.0]
    """

    n: int
    links: int
    mean_neighbours: float
    symmetric: bool
    row_sums: pd.Series


def check(w: W) -> WeightsReport:
    """Check a weights object before estimation.

    Raises ``WeightsError`` naming the islands (rows without neighbours), warns (``UserWarning``)
    when the neighbour structure is not symmetric (a contiguity matrix should be, a k-nearest
    neighbour one need not), and reports the row sums (all 1 after row standardisation).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from clusterdx import regions, weights
    >>> weights.check(weights.contiguity(regions.provinces())).symmetric
    True
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     report = weights.check(weights.knn(regions.provinces(), k=2))
    >>> report.symmetric, report.links, len(caught)
    (False, 62, 1)
    >>> island = weights.from_matrix(np.array([[0, 1], [0, 0]]), ids=["a", "b"])
    >>> weights.check(island)
    Traceback (most recent call last):
    ...
    clusterdx.errors.WeightsError: 1 region(s) have no neighbour (islands): 'b'. Use contiguity on the full registry (islands get a nearest link), knn(), or inverse_distance(), or drop these regions.
    """
    return check_sparse(w.sparse, w.id_order, stacklevel=3)


def check_sparse(matrix: sp.spmatrix, ids: Sequence, stacklevel: int = 2) -> WeightsReport:
    """``check`` on a weights matrix (current weights, rows in ``ids`` order) without a ``W``.

    Examples
    --------
    >>> from clusterdx import regions
    >>> from clusterdx.weights.contiguity import contiguity_weights
    >>> light = contiguity_weights(regions.provinces())
    >>> check_sparse(light.sparse, light.ids).links
    138
    """
    ids = list(ids)
    matrix = sp.csr_matrix(matrix)
    binary = (matrix != 0).astype(np.int8)
    counts = np.asarray(binary.sum(axis=1)).ravel()
    islands = [ids[i] for i in np.flatnonzero(counts == 0)]
    if islands:
        raise WeightsError(
            f"{len(islands)} region(s) have no neighbour (islands): {_listing(islands)}. "
            "Use contiguity on the full registry (islands get a nearest link), knn(), or "
            "inverse_distance(), or drop these regions."
        )
    asymmetric = binary - binary.T
    symmetric = asymmetric.count_nonzero() == 0
    if not symmetric:
        rows, cols = asymmetric.nonzero()
        pairs = [(ids[r], ids[c]) for r, c in zip(rows, cols, strict=True) if asymmetric[r, c] > 0]
        warnings.warn(
            f"the neighbour structure is not symmetric: {len(pairs)} link(s) i->j without j->i, "
            f"e.g. {_listing(pairs)}. Expected for knn; for contiguity check the adjacency list.",
            UserWarning,
            stacklevel=stacklevel,
        )
    row_sums = pd.Series(
        np.asarray(matrix.sum(axis=1)).ravel(), index=pd.Index(ids, name="id"), name="row_sum"
    )
    return WeightsReport(
        n=len(ids),
        links=int(counts.sum()),
        mean_neighbours=float(counts.mean()),
        symmetric=bool(symmetric),
        row_sums=row_sums,
    )
