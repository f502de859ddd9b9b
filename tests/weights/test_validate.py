"""align and check."""

from __future__ import annotations

import numpy as np
import pytest

from clusterdx import weights
from clusterdx.errors import WeightsError

RAW = np.array([[0.0, 2.0, 1.0], [2.0, 0.0, 0.0], [1.0, 0.0, 0.0]])


def test_align_reorders_and_keeps_the_transform():
    w = weights.from_matrix(RAW, ["a", "b", "c"])
    aligned = weights.align(w, ["c", "a", "b"])
    assert aligned.id_order == ["c", "a", "b"]
    assert aligned.transform == "R"
    # Row a is still (b: 2/3, c: 1/3); in the new order (c, a, b) it reads (1/3, 0, 2/3).
    np.testing.assert_allclose(aligned.full()[0][1], [1 / 3, 0, 2 / 3], rtol=1e-12)
    aligned.transform = "O"
    np.testing.assert_array_equal(aligned.full()[0][1], [1, 0, 2])


def test_align_names_ids_missing_on_either_side():
    w = weights.from_matrix(RAW, ["a", "b", "c"])
    with pytest.raises(
        WeightsError, match=r"ids not in the weights: 'd'; weights ids not in the data: 'c'"
    ):
        weights.align(w, ["a", "b", "d"])


def test_check_reports_row_sums_and_names_islands():
    report = weights.check(weights.from_matrix(RAW, ["a", "b", "c"]))
    np.testing.assert_allclose(report.row_sums.to_numpy(), [1.0, 1.0, 1.0], rtol=1e-12)
    assert (report.n, report.links, report.symmetric) == (3, 4, True)
    island = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    with pytest.raises(WeightsError, match=r"1 region\(s\) have no neighbour \(islands\): 'c'"):
        weights.check(weights.from_matrix(island, ["a", "b", "c"]))
