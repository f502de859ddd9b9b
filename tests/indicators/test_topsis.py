"""Tests of entropy-weighted TOPSIS: hand-worked example, pymcdm reference, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from clusterdx.errors import DataError
from clusterdx.indicators import entropy_weights, topsis

FRAME = pd.DataFrame({"a": [3.0, 4.0, 0.0], "b": [4.0, 3.0, 0.0]})


def test_vector_worked_example():
    # ‖a‖ = ‖b‖ = 5: r = (.6, .8, 0) and (.8, .6, 0); w = .5 -> v_a = (.3, .4, 0), v_b = (.4, .3, 0)
    # a positive: V+_a = .4, V-_a = 0; b negative: V+_b = 0, V-_b = .4
    d_plus = [math.hypot(0.1, 0.4), math.hypot(0.0, 0.3), math.hypot(0.4, 0.0)]
    d_minus = [math.hypot(0.3, 0.0), math.hypot(0.4, 0.1), math.hypot(0.0, 0.4)]
    closeness = [m / (p + m) for p, m in zip(d_plus, d_minus, strict=True)]
    got = topsis(FRAME, ["a"], ["b"], weights={"a": 0.5, "b": 0.5})
    np.testing.assert_allclose(got["d_plus"], d_plus, rtol=1e-12)
    np.testing.assert_allclose(got["d_minus"], d_minus, rtol=1e-12)
    np.testing.assert_allclose(got["closeness"], closeness, rtol=1e-12)


def test_minmax_worked_example():
    # minmax: a' = (.75, 1, 0), b' (negative) = (0, .25, 1); w = .5 -> ideal (.5, .5), anti (0, 0)
    v = np.array([[0.375, 0.0], [0.5, 0.125], [0.0, 0.5]])
    d_plus = np.sqrt(((v - 0.5) ** 2).sum(axis=1))
    d_minus = np.sqrt((v**2).sum(axis=1))
    got = topsis(FRAME, ["a"], ["b"], weights={"a": 0.5, "b": 0.5}, normalise="minmax")
    np.testing.assert_allclose(got["closeness"], d_minus / (d_plus + d_minus), rtol=1e-12)


@pytest.mark.parametrize("normalise", ["vector", "minmax"])
def test_matches_pymcdm(normalise):
    # Reference: pymcdm 1.4.0, TOPSIS(normalization_function=vector_/minmax_normalization)(X, w, types)
    methods = pytest.importorskip("pymcdm.methods", reason="pymcdm is the reference")
    normalizations = pytest.importorskip("pymcdm.normalizations", reason="pymcdm is the reference")
    rng = np.random.default_rng(1)
    matrix = rng.uniform(1, 10, size=(12, 4))
    frame = pd.DataFrame(matrix, columns=list("abcd"))
    weights = entropy_weights(frame, ["a", "b", "d"], ["c"], shift=0.0)
    norm = getattr(normalizations, f"{normalise}_normalization")
    reference = methods.TOPSIS(normalization_function=norm)(
        matrix, weights[list("abcd")].to_numpy(), np.array([1, 1, -1, 1])
    )
    ours = topsis(frame, ["a", "b", "d"], ["c"], normalise=normalise)["closeness"]
    np.testing.assert_allclose(ours.to_numpy(), reference, rtol=1e-10)


def test_closeness_in_unit_interval():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.uniform(0, 5, size=(40, 3)), columns=list("xyz"))
    c = topsis(frame, ["x", "y"], ["z"])["closeness"]
    assert c.between(0, 1).all()
    assert c.max() <= 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": {"a": 0.5}}, r"missing \['b'\]"),
        ({"weights": {"a": 0.7, "b": 0.7}}, "sum to 1"),
        ({"normalise": "l2"}, r"\['vector', 'minmax'\]"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(DataError, match=message):
        topsis(FRAME, ["a"], ["b"], **kwargs)


def test_vector_rejects_negative_values_naming_column():
    with pytest.raises(DataError, match="column 'b' has negative"):
        topsis(FRAME.assign(b=[-1.0, 2.0, 3.0]), ["a"], ["b"])
