"""Local Moran's I: our permutation test equals esda's ``Moran_Local`` exactly (same seed).

esda 2.8 is the reference: its outputs on four weights matrices and three seeds, with their inputs,
are stored in ``tests/validation/reference/esda_moran_local.json`` (written by esda through
``make_esda_local_moran.py`` there; esda's numba kernel compiles for ~20 CPU s, which the suite no
longer pays); the checks of the inputs need no reference.
"""

from __future__ import annotations

import json

import libpysal
import numpy as np
import pytest
from scipy import sparse

from clusterdx.errors import ClusterDXError
from clusterdx.spatial.local_moran import local_moran

from ..conftest import REFERENCE

ESDA = json.loads((REFERENCE / "esda_moran_local.json").read_text(encoding="utf-8"))


def _row_standardised(w):
    w.transform = "r"
    return w


@pytest.mark.parametrize("case", ESDA["cases"], ids=lambda c: f"{c['case']}-{c['seed']}")
def test_equals_esda_moran_local_exactly(case):
    n = len(case["values"])
    w = sparse.csr_matrix((case["w_data"], case["w_indices"], case["w_indptr"]), shape=(n, n))
    ours = local_moran(
        np.array(case["values"]), w, permutations=ESDA["provenance"]["permutations"],
        seed=case["seed"],
    )  # fmt: skip
    np.testing.assert_array_equal(ours.Is, case["Is"])
    np.testing.assert_array_equal(ours.q, case["q"])
    np.testing.assert_array_equal(ours.p_sim, case["p_sim"])


def test_the_reference_covers_every_case_and_seed():
    assert len(ESDA["cases"]) == 12 and ESDA["provenance"]["producer"].startswith("esda 2.8")
    assert {c["case"] for c in ESDA["cases"]} == {
        "lattice 6x6 rook", "lattice 9x9 queen", "columbus", "provinces queen"
    }  # fmt: skip


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
