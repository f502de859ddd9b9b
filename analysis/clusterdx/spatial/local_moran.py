r"""Local Moran's I with conditional-permutation pseudo p-values, without a JIT compiler.

For standardised values :math:`z_i = (y_i - \bar y) / s_y` (:math:`s_y` the population standard
deviation) and a row-standardised W,

.. math:: I_i = (n - 1)\, z_i \sum_j w_{ij} z_j \Big/ \sum_k z_k^2

(Anselin 1995, *Geographical Analysis* 27:93-115, eq. 7, with the n − 1 divisor of esda and GeoDa).
Its pseudo p-value conditions on :math:`z_i`: each of ``permutations`` draws puts :math:`|N_i|`
values taken without replacement from the other n − 1 regions in the places of i's neighbours, and

.. math:: p_i = \frac{1 + \min(L_i, P - L_i)}{P + 1}, \qquad
   L_i = \#\{\text{draws with } I_i^{*} \ge I_i\},

the one-sided ("directed") pseudo p-value towards the observed side of the permutation
distribution that esda's ``Moran_Local`` and GeoDa report.

Why ours: esda's permutation kernel is compiled by numba in every new process, and its chunk
function takes the statistic as a first-class function, which numba cannot cache on disk; that
compilation cost 20-27 CPU seconds per process here (every pipeline run, every test worker, the
docs build), far more than the statistic itself. This module follows esda 2.8's algorithm step by
step — the same draws (one table of ``permutations`` × max |N_i| indices from
``numpy.random.RandomState(seed)``, row k being ``permutation(n - 1)[:max |N_i|]``, shared by all
regions and shifted past i), the same floating-point operations in the same order — so its
statistics and p-values equal esda's exactly; ``tests/spatial/test_local_moran.py`` checks this
on several weights and seeds, and ``benchmarks/bench_lisa.py`` times both. Without a compiler the
per-region work is kept to a few NumPy calls: "the other n − 1 values" is one buffer updated by one
element from region to region (instead of shifting the drawn indices past i), the index table is
gathered with ``np.take`` into preallocated arrays (one per cardinality), each region's weighted
sums are one BLAS matrix-vector product (as esda's ``@``) into an (n, permutations) table, and
the comparisons with the observed statistics run once on that table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from clusterdx.errors import OptionError, WeightsError

#: Quadrant codes of the Moran scatter plot, esda's (PySAL) scheme: HH, LH, LL, HL.
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


@dataclass(frozen=True)
class LocalMoran:
    """Local Moran's I of every region, its scatter-plot quadrant and its pseudo p-value.

    ``Is``, ``q`` (1 = HH, 2 = LH, 3 = LL, 4 = HL) and ``p_sim`` are arrays in the order of the
    weights' rows, as esda's ``Moran_Local`` attributes of the same names.
    """

    Is: np.ndarray
    q: np.ndarray
    p_sim: np.ndarray


def local_moran(
    values: np.ndarray, w: sp.spmatrix, *, permutations: int = 999, seed: int = 0
) -> LocalMoran:
    """Local Moran's I and its conditional-permutation pseudo p-values (module docstring).

    Parameters
    ----------
    values : array of shape (n,)
        One value per region, in the order of the rows of ``w``.
    w : sparse matrix, shape (n, n)
        Row-standardised spatial weights (a region without neighbours is refused).
    permutations : int
        Number of conditional permutations (at least 1; 999 is usual).
    seed : int
        Seed of the permutation draws (``numpy.random.RandomState``), as esda's ``seed``.

    Returns
    -------
    LocalMoran

    Examples
    --------
    >>> import libpysal, numpy as np
    >>> from clusterdx.spatial.local_moran import local_moran
    >>> w = libpysal.weights.lat2W(4, 4); w.transform = "r"
    >>> y = np.arange(16.0)
    >>> res = local_moran(y, w.sparse, permutations=99, seed=1)
    >>> res.q[:4].tolist(), round(float(res.Is[0]), 4)
    ([3, 3, 3, 3], 1.6544)
    """
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 1:
        raise OptionError(f"permutations={permutations!r} must be a positive integer, e.g. 999")
    y = np.asarray(values, dtype=float).ravel()
    matrix = sp.csr_matrix(w, dtype=float)
    n = y.size
    if matrix.shape != (n, n):
        raise WeightsError(f"W has shape {matrix.shape} but there are {n} values; align them first")
    z = y - y.mean()
    with np.errstate(all="ignore"):
        z /= y.std()
    squares = (z * z).sum()
    scaling = (n - 1) / squares
    lag = matrix @ z
    local = (n - 1) * z * lag / squares
    quadrant = np.where(z > 0, np.where(lag > 0, 1, 4), np.where(lag > 0, 2, 3))
    self_weight = matrix.diagonal()
    others = matrix.copy()
    others.setdiag(0)
    others.eliminate_zeros()
    cardinality = np.diff(others.indptr)
    if (cardinality == 0).any():
        isolated = np.flatnonzero(cardinality == 0)[:5].tolist()
        raise WeightsError(
            f"rows {isolated} of W have no neighbours; the local Moran permutation test needs "
            "every region linked (e.g. clusterdx.weights.contiguity links islands)"
        )
    max_card = int(cardinality.max())
    permuted = _permuted_ids(n - 1, max_card, permutations, seed)
    ids_by_card = {c: np.ascontiguousarray(permuted[:, :c]) for c in np.unique(cardinality)}
    gathered = {c: np.empty(ids.shape) for c, ids in ids_by_card.items()}
    lags = np.empty((n, permutations))
    rest = z[1:].copy()  # z without region i, kept so for each i by a one-element update
    for i in range(n):
        c = cardinality[i]
        neighbours = np.take(rest, ids_by_card[c], out=gathered[c])
        np.matmul(neighbours, others.data[others.indptr[i] : others.indptr[i + 1]], out=lags[i])
        if i < n - 1:
            rest[i] = z[i]
    lags += (self_weight * z)[:, None]
    simulated = (z * scaling)[:, None] * lags
    larger = (simulated >= local[:, None]).sum(axis=1)
    larger = np.minimum(larger, permutations - larger)
    return LocalMoran(Is=local, q=quadrant, p_sim=(larger + 1.0) / (permutations + 1.0))


def _permuted_ids(n: int, size: int, permutations: int, seed: int) -> np.ndarray:
    """Rows ``RandomState(seed).permutation(n)[:size]``, ``permutations`` of them, as esda draws.

    ``permutation`` is ``arange`` then ``shuffle``; shuffling one reset buffer in place draws the
    same numbers without allocating a new array per row.
    """
    draws = np.random.RandomState(seed)
    start = np.arange(n)
    buffer = np.empty(n, dtype=start.dtype)
    out = np.empty((permutations, size), dtype=start.dtype)
    for k in range(permutations):
        buffer[:] = start
        draws.shuffle(buffer)
        out[k] = buffer[:size]
    return out
