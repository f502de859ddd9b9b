"""Contiguity weights from the region registry."""

from __future__ import annotations

import numpy as np
import pytest

from clusterdx import regions, weights
from clusterdx.errors import WeightsError


def test_province_queen_row_standardised():
    w = weights.contiguity(regions.provinces())
    assert w.n == 31
    assert w.id_order == regions.provinces()["code"].tolist()
    # Beijing has two neighbours (Tianjin, Hebei): 1/2 each.
    assert dict(zip(w.neighbors[110000], w.weights[110000], strict=True)) == {
        120000: 0.5,
        130000: 0.5,
    }
    # Inner Mongolia has eight: 1/8 each.
    np.testing.assert_allclose(w.weights[150000], [1 / 8] * 8, rtol=1e-12)
    # Hainan's only link is the nearest-neighbour link to Guangdong.
    assert w.neighbors[460000] == [440000]
    np.testing.assert_allclose(weights.check(w).row_sums.to_numpy(), 1.0, rtol=1e-12)


def test_subset_defines_the_matrix_and_binary_transform():
    trio = regions.provinces().query("code in [110000, 120000, 130000]")
    w = weights.contiguity(trio, transform="b")
    # Beijing, Tianjin and Hebei all border each other: a complete graph on three nodes.
    np.testing.assert_array_equal(w.full()[0], np.ones((3, 3)) - np.eye(3))


def test_rook_at_county_level_has_fewer_links_than_queen():
    counties = regions.counties()
    queen = weights.contiguity(counties, rule="queen", transform="b")
    rook = weights.contiguity(counties, rule="rook", transform="b")
    assert rook.s0 < queen.s0


def test_subset_that_isolates_a_region_names_it():
    without_guangdong = regions.provinces().query("code != 440000")
    with pytest.raises(WeightsError, match=r"1 region\(s\) have no neighbour \(islands\): 460000"):
        weights.contiguity(without_guangdong)


def test_unknown_codes_and_missing_column_are_named():
    with pytest.raises(
        WeightsError, match=r"codes \[999999\] are not in the province, city or county"
    ):
        weights.contiguity(
            regions.provinces().assign(code=[999999, *regions.provinces()["code"].tolist()[1:]])
        )
    with pytest.raises(WeightsError, match=r"regions has no 'code' column"):
        weights.contiguity(regions.provinces().rename(columns={"code": "id"}))
