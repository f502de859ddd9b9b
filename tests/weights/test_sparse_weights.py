"""The light weights core (``SparseWeights``, no libpysal) holds the matrix of the public ``W``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx import regions, weights
from clusterdx.errors import WeightsError
from clusterdx.weights.contiguity import contiguity_weights
from clusterdx.weights.distance import inverse_distance_weights, knn_weights
from clusterdx.weights.economic import economic_distance_weights, nested_weights
from clusterdx.weights.file import file_weights
from clusterdx.weights.matrix import sparse_weights


def _same(light, w):
    assert light.ids == list(w.id_order)
    np.testing.assert_allclose(light.sparse.toarray(), w.sparse.toarray(), rtol=1e-13, atol=0)
    assert ((light.sparse != 0) != (w.sparse != 0)).nnz == 0


@pytest.mark.parametrize("transform", ["r", "b", "none"])
def test_contiguity_of_the_registry(transform):
    provinces = regions.provinces()
    _same(
        contiguity_weights(provinces, rule="rook", transform=transform),
        weights.contiguity(provinces, rule="rook", transform=transform),
    )


def test_distance_and_knn():
    provinces = regions.provinces()
    _same(
        inverse_distance_weights(provinces, power=2, cutoff=1500),
        weights.inverse_distance(provinces, power=2, cutoff=1500),
    )
    _same(knn_weights(provinces, k=4), weights.knn(provinces, k=4))


def test_file(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("id,a,b,c\na,0,2,1\nb,1,0,0\nc,1,0,0\n")
    _same(file_weights(path, ids=["c", "a", "b"]), weights.from_file(path, ids=["c", "a", "b"]))


def test_economic_and_nested():
    panel = pd.DataFrame({"region": ["a", "b", "c"], "year": 2020, "gdp_pc": [2.0, 5.0, 11.0]})
    geo = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    econ = economic_distance_weights(panel, "gdp_pc")
    _same(econ, weights.economic_distance(panel, "gdp_pc"))
    _same(
        nested_weights(sparse_weights(geo, ["a", "b", "c"]), econ, share=0.3),
        weights.nested(weights.from_matrix(geo, ["a", "b", "c"]), econ.to_w(), share=0.3),
    )


def test_same_errors_as_the_public_builders():
    provinces = regions.provinces()
    subset = provinces[provinces["code"].isin([110000, 460000])]  # Beijing, Hainan: no border
    with pytest.raises(WeightsError) as light:
        contiguity_weights(subset)
    with pytest.raises(WeightsError) as public:
        weights.contiguity(subset)
    assert str(light.value) == str(public.value)
    assert "islands" in str(light.value)
