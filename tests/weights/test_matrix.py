"""from_matrix: transforms and input checks."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from clusterdx.errors import WeightsError
from clusterdx.weights import from_matrix

RAW = np.array([[0.0, 2.0, 1.0], [2.0, 0.0, 0.0], [1.0, 0.0, 0.0]])


def test_row_standardised_binary_and_raw():
    ids = ["a", "b", "c"]
    # Row a: 2 / (2 + 1) = 2/3 and 1/3; rows b and c have one neighbour each -> 1.
    np.testing.assert_allclose(
        from_matrix(RAW, ids).full()[0], [[0, 2 / 3, 1 / 3], [1, 0, 0], [1, 0, 0]], rtol=1e-12
    )
    np.testing.assert_array_equal(from_matrix(RAW, ids, transform="b").full()[0], RAW > 0)
    np.testing.assert_array_equal(
        from_matrix(sp.csr_matrix(RAW), ids, transform="none").full()[0], RAW
    )
    assert from_matrix(RAW, ids).id_order == ids


@pytest.mark.parametrize(
    ("arr", "ids", "message"),
    [
        (np.zeros((2, 3)), ["a", "b"], r"must be square; got shape \(2, 3\)"),
        (RAW, ["a", "b"], r"got 2 ids for a 3 x 3 matrix"),
        (RAW, ["a", "b", "a"], r"ids must be unique; duplicated: \['a'\]"),
        (np.array([[0, np.nan], [1, 0]]), ["a", "b"], r"NaN or inf in row of id 'a'"),
        (np.array([[0, 1], [-1, 0]]), ["a", "b"], r"row of id 'b' has a negative weight"),
        (np.array([[0, 1], [1, 3]]), ["a", "b"], r"diagonal must be 0.*id 'b' has w_ii = 3"),
    ],
)
def test_bad_input_is_named(arr, ids, message):
    with pytest.raises(WeightsError, match=message):
        from_matrix(arr, ids)


def test_unknown_transform_lists_the_options():
    with pytest.raises(
        WeightsError, match=r"transform='R' is not available; use one of \['r', 'b', 'none'\]"
    ):
        from_matrix(RAW, ["a", "b", "c"], transform="R")
