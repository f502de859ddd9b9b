"""Tests of the coupling coordination degree: worked examples (n = 2, 3), properties, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterdx.errors import DataError
from clusterdx.indicators import coupling_coordination


def test_two_subsystems_worked_example():
    # U = (.2, .8): C = 2·√(.16)/1 = .8; T = .5·.2 + .5·.8 = .5; D = √(.8·.5)
    got = coupling_coordination(pd.DataFrame({"u1": [0.2], "u2": [0.8]}), ["u1", "u2"])
    np.testing.assert_allclose(
        got.loc[0, ["C", "T", "D"]].to_numpy(float), [0.8, 0.5, math.sqrt(0.4)]
    )


def test_three_subsystems_with_weights():
    # U = (.1, .4, .5): C = 3·(.02)^(1/3) / 1.0; T = .2·.1 + .3·.4 + .5·.5 = .39
    frame = pd.DataFrame({"a": [0.1], "b": [0.4], "c": [0.5]})
    got = coupling_coordination(frame, ["a", "b", "c"], {"a": 0.2, "b": 0.3, "c": 0.5})
    c = 3 * 0.02 ** (1 / 3) / 1.0
    np.testing.assert_allclose(got.loc[0, "C"], c, rtol=1e-12)
    np.testing.assert_allclose(got.loc[0, "T"], 0.39, rtol=1e-12)
    np.testing.assert_allclose(got.loc[0, "D"], math.sqrt(c * 0.39), rtol=1e-12)


def test_equal_subsystems_couple_fully_and_zeros_do_not():
    frame = pd.DataFrame({"a": [0.3, 0.0, 0.0], "b": [0.3, 0.0, 0.6]})
    got = coupling_coordination(frame, ["a", "b"])
    np.testing.assert_allclose(got["C"].to_numpy(), [1.0, 0.0, 0.0])
    np.testing.assert_allclose(got["D"].to_numpy(), [math.sqrt(0.3), 0.0, 0.0])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1), min_size=2, max_size=5), min_size=1, max_size=6))
def test_coupling_and_coordination_in_unit_interval(rows):
    width = min(len(r) for r in rows)
    frame = pd.DataFrame([r[:width] for r in rows], columns=[f"u{j}" for j in range(width)])
    got = coupling_coordination(frame, list(frame.columns))
    for column in ("C", "T", "D"):
        assert got[column].between(0.0, 1.0).all()


@pytest.mark.parametrize(
    ("frame", "subsystems", "weights", "message"),
    [
        (pd.DataFrame({"a": [0.1]}), ["a"], None, ">= 2 distinct"),
        (pd.DataFrame({"a": [0.1], "b": [0.2]}), ["a", "c"], None, r"\['c'\] absent"),
        (pd.DataFrame({"a": [0.1], "b": [1.2]}), ["a", "b"], None, r"'b' must lie in \[0, 1\]"),
        (pd.DataFrame({"a": [np.nan], "b": [0.2]}), ["a", "b"], None, "'a' must lie"),
        (pd.DataFrame({"a": [0.1], "b": [0.2]}), ["a", "b"], [0.9, 0.9], "summing to 1"),
    ],
)
def test_bad_input(frame, subsystems, weights, message):
    with pytest.raises(DataError, match=message):
        coupling_coordination(frame, subsystems, weights)
