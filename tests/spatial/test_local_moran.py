"""Local Moran's I: our permutation test equals esda's ``Moran_Local`` exactly (same seed).

esda 2.8 is the reference (its numba kernel compiles once in this test process, ~20 CPU s, so the
comparisons are marked slow); the checks of the inputs need no reference.
"""

from __future__ import annotations

import warnings

import libpysal
import numpy as np
import pytest

from clusterdx import regions, weights
from clusterdx.errors import ClusterDXError
from clusterdx.spatial.local_moran import local_moran


def _copy(w):
    """A fresh copy of ``w`` (esda row-standardises and edits the W it is given)."""
    return libpysal.weights.W(
        dict(w.neighbors), dict(w.weights), id_order=list(w.id_order), silence_warnings=True
    )


def _esda(values, w, permutations, seed):
    import esda

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return esda.Moran_Local(values, _copy(w), permutations=permutations, seed=seed)


def _row_standardised(w):
    w.transform = "r"
    return w


CASES = {
    "lattice 6x6 rook": lambda: _row_standardised(libpysal.weights.lat2W(6, 6)),
    "lattice 9x9 queen": lambda: _row_standardised(libpysal.weights.lat2W(9, 9, rook=False)),
    "columbus": lambda: _row_standardised(
        libpysal.io.open(libpysal.examples.get_path("columbus.gal")).read()
    ),
    "provinces queen": lambda: weights.contiguity(regions.provinces(), rule="queen"),
}


@pytest.mark.slow
@pytest.mark.xdist_group("esda")  # one worker compiles esda's kernel
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_equals_esda_moran_local_exactly(case, seed):
    w = CASES[case]()
    values = np.random.default_rng(seed).normal(size=w.n) + np.arange(w.n) / w.n
    given = _row_standardised(_copy(w))  # the matrix esda works with
    ours = local_moran(values, given.sparse, permutations=999, seed=seed)
    peer = _esda(values, w, 999, seed)
    np.testing.assert_array_equal(ours.Is, peer.Is)
    np.testing.assert_array_equal(ours.q, peer.q)
    np.testing.assert_array_equal(ours.p_sim, peer.p_sim)


def test_pseudo_p_values_lie_on_the_permutation_grid():
    w = _row_standardised(libpysal.weights.lat2W(5, 5))
    res = local_moran(np.arange(25.0), w.sparse, permutations=99, seed=3)
    counts = res.p_sim * 100 - 1
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-9)
    assert res.p_sim.min() >= 0.01 and res.p_sim.max() <= 0.5


def test_same_seed_same_p_values_other_seed_other_draws():
    w = _row_standardised(libpysal.weights.lat2W(6, 6))
    values = np.random.default_rng(0).normal(size=36)
    first = local_moran(values, w.sparse, permutations=199, seed=7)
    again = local_moran(values, w.sparse, permutations=199, seed=7)
    other = local_moran(values, w.sparse, permutations=199, seed=8)
    np.testing.assert_array_equal(first.p_sim, again.p_sim)
    assert not np.array_equal(first.p_sim, other.p_sim)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"permutations": 0}, r"permutations=0 must be a positive integer"),
        ({"values": np.zeros(3)}, r"W has shape \(4, 4\) but there are 3 values"),
        ({"isolated": True}, r"rows \[3\] of W have no neighbours"),
    ],
)
def test_bad_inputs_are_named(kwargs, message):
    matrix = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], dtype=float)
    if kwargs.pop("isolated", False):
        matrix[3] = 0
        matrix[2, 3] = 0
    matrix = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    values = kwargs.pop("values", np.arange(4.0))
    with pytest.raises(ClusterDXError, match=message):
        local_moran(values, matrix, **kwargs)
