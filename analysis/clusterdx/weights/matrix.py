"""Build a libpysal ``W`` from a dense or sparse matrix, with input checks and a transform.

Every clusterdx builder ends here: the raw (untransformed) weights are checked into a
``SparseWeights`` (a scipy CSR matrix, its ids and the transform, no libpysal), which becomes a
``libpysal.weights.W`` whose ids are region codes (or entity labels) only at the public edge
(``SparseWeights.to_w``; libpysal is imported there, as its package import is slow). Checks that
need no ``W`` (``clusterdx validate``) use the ``SparseWeights`` directly.
``libpysal.weights.full2W`` does the conversion too but accepts NaN, negative weights and a
non-zero diagonal silently and has no sparse input; this wrapper rejects them with the offending id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clusterdx.errors import WeightsError

if TYPE_CHECKING:
    from libpysal.weights import W

Transform = Literal["r", "b", "none"]
TRANSFORMS: tuple[Transform, ...] = ("r", "b", "none")
_LIBPYSAL_TRANSFORM = {"r": "R", "b": "B", "none": "O"}


def check_transform(transform: str) -> Transform:
    """Return ``transform`` if allowed; otherwise raise ``WeightsError`` listing the options."""
    if transform not in TRANSFORMS:
        raise WeightsError(
            f"transform={transform!r} is not available; use one of {list(TRANSFORMS)} "
            "('r' row-standardised, 'b' binary, 'none' raw weights)"
        )
    return transform  # type: ignore[return-value]


def plain(value):
    """A numpy scalar as the equivalent Python scalar (readable ids and messages), else itself."""
    return value.item() if isinstance(value, np.generic) else value


def _check_ids(ids: Sequence, n: int) -> list:
    ids = [plain(i) for i in ids]
    if len(ids) != n:
        raise WeightsError(f"got {len(ids)} ids for a {n} x {n} matrix; pass one id per row")
    duplicated = pd.Index(ids)[pd.Index(ids).duplicated()].unique().tolist()
    if duplicated:
        raise WeightsError(f"ids must be unique; duplicated: {duplicated[:10]}")
    return ids


@dataclass(frozen=True)
class SparseWeights:
    """Checked raw weights, their ids and the transform to apply: a weights matrix without libpysal.

    Attributes
    ----------
    raw : scipy.sparse.csr_matrix
        The raw weights (finite, >= 0, zero diagonal, no stored zeros), rows and columns in ``ids``
        order.
    ids : list
        Id of each row, unique.
    transform : {"r", "b", "none"}
        Applied by ``sparse`` and by ``to_w``.

    Examples
    --------
    >>> import numpy as np
    >>> light = sparse_weights(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]]), ids=["a", "b", "c"])
    >>> light.sparse.toarray()[0].tolist()
    [0.0, 0.5, 0.5]
    >>> (light.to_w().sparse != light.sparse).nnz
    0
    """

    raw: sp.csr_matrix
    ids: list
    transform: Transform

    @property
    def sparse(self) -> sp.csr_matrix:
        """The weights after ``transform`` ("r": each row over its sum, zero rows stay zero)."""
        if self.transform == "none":
            return self.raw
        if self.transform == "b":
            return (self.raw != 0).astype(float).tocsr()
        sums = np.asarray(self.raw.sum(axis=1)).ravel()
        scale = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums != 0)
        return sp.csr_matrix(sp.diags(scale) @ self.raw)

    def to_w(self) -> W:
        """The ``libpysal.weights.W`` (``id_order = ids``, libpysal's transform of the raw weights)."""
        from libpysal.weights import W

        neighbors, weights = {}, {}
        matrix = self.raw
        for row, region in enumerate(self.ids):
            start, stop = matrix.indptr[row], matrix.indptr[row + 1]
            neighbors[region] = [self.ids[col] for col in matrix.indices[start:stop]]
            weights[region] = matrix.data[start:stop].tolist()
        w = W(neighbors, weights, id_order=self.ids, silence_warnings=True)
        w.transform = _LIBPYSAL_TRANSFORM[self.transform]
        return w


def sparse_weights(arr, ids: Sequence, transform: Transform = "r") -> SparseWeights:
    """The checks of ``from_matrix`` without building the ``W`` (no libpysal import)."""
    transform = check_transform(transform)
    matrix = (
        sp.csr_matrix(arr, dtype=float)
        if sp.issparse(arr)
        else sp.csr_matrix(np.asarray(arr, dtype=float))
    )
    n_rows, n_cols = matrix.shape
    if n_rows != n_cols:
        raise WeightsError(f"weights matrix must be square; got shape {matrix.shape}")
    ids = _check_ids(ids, n_rows)
    matrix.eliminate_zeros()
    values = matrix.data
    if not np.all(np.isfinite(values)):
        row = int(
            np.searchsorted(matrix.indptr, np.flatnonzero(~np.isfinite(values))[0], side="right")
            - 1
        )
        raise WeightsError(
            f"weights matrix has NaN or inf in row of id {ids[row]!r}; replace them by 0 or a weight"
        )
    if np.any(values < 0):
        row = int(np.searchsorted(matrix.indptr, np.flatnonzero(values < 0)[0], side="right") - 1)
        raise WeightsError(f"weights must be >= 0; row of id {ids[row]!r} has a negative weight")
    diagonal = matrix.diagonal()
    if np.any(diagonal != 0):
        row = int(np.flatnonzero(diagonal != 0)[0])
        raise WeightsError(
            f"the diagonal must be 0 (a region is not its own neighbour); id {ids[row]!r} has "
            f"w_ii = {diagonal[row]:g}"
        )
    return SparseWeights(matrix, ids, transform)


def from_matrix(arr, ids: Sequence, transform: Transform = "r") -> W:
    """Spatial weights from an n x n matrix of raw weights.

    Parameters
    ----------
    arr : array-like or scipy.sparse matrix, shape (n, n)
        Raw weights w_ij >= 0 with a zero diagonal; zero means "not a neighbour".
    ids : sequence of length n
        Id of each row (and column), e.g. region codes, in matrix order.
    transform : {"r", "b", "none"}, default "r"
        "r": row-standardised, w_ij / sum_j w_ij; "b": binary, 1 where w_ij > 0;
        "none": the raw weights as given.

    Returns
    -------
    libpysal.weights.W
        With ``id_order = ids``. Rows without neighbours (islands) stay empty; ``check`` reports them.

    Raises
    ------
    WeightsError
        Non-square input, wrong number or duplicated ids, NaN/inf, negative weights or a non-zero
        diagonal (the message gives the first offending row id).

    Examples
    --------
    >>> import numpy as np
    >>> w = from_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]]), ids=["a", "b", "c"])
    >>> w.full()[0][0].tolist()
    [0.0, 0.5, 0.5]
    """
    return sparse_weights(arr, ids, transform).to_w()


def dense(w: W) -> np.ndarray:
    """Current weights of ``w`` as a dense array in ``w.id_order``."""
    return np.asarray(w.sparse.toarray(), dtype=float)
