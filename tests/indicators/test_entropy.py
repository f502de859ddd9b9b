"""Tests of the entropy weight method: hand-worked example, pymcdm reference, properties, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from clusterdx.errors import DataError
from clusterdx.indicators import entropy_index, entropy_weights, standardised

FRAME = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0]})


def test_weights_worked_example_without_shift():
    # a' = (0, .5, 1) -> p = (0, 1/3, 2/3); b' = (0, 0, 1) -> p = (0, 0, 1), e_b = 0
    e_a = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)
    d_a, d_b = 1 - e_a, 1.0
    expected = [d_a / (d_a + d_b), d_b / (d_a + d_b)]
    got = entropy_weights(FRAME, positive=["a", "b"], shift=0.0)
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(expected, [0.296081, 0.703919], rtol=1e-5)


def test_index_worked_example_and_negative_indicator():
    # b negative: b' = (4 - b) / 3 = (1, 1, 0); p = (.5, .5, 0), e_b = ln 2 / ln 3
    e_a = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)
    e_b = math.log(2) / math.log(3)
    w_a = (1 - e_a) / ((1 - e_a) + (1 - e_b))
    w_b = 1 - w_a
    expected = [w_b * 1.0, w_a * 0.5 + w_b * 1.0, w_a * 1.0]
    got = entropy_index(FRAME, positive=["a"], negative=["b"], shift=0.0)
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-12)


def test_shift_lifts_standardised_values():
    x = standardised(FRAME, ["a"], shift=0.5)
    np.testing.assert_allclose(x["a"].to_numpy(), [0.5, 1.0, 1.5])


def test_weights_match_pymcdm_on_standardised_data():
    # Reference: pymcdm 1.4.0, pymcdm.weights.entropy_weights(x') on our min-max matrix x'
    # (pymcdm sum-normalises the columns it is given; the standardisation itself is min-max).
    pymcdm_weights = pytest.importorskip("pymcdm.weights", reason="pymcdm is the reference")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.uniform(1, 10, size=(30, 4)), columns=list("abcd"))
    x = standardised(frame, ["a", "b", "d"], ["c"], shift=1e-4)
    reference = pymcdm_weights.entropy_weights(x.to_numpy())
    ours = entropy_weights(frame, ["a", "b", "d"], ["c"], shift=1e-4)
    np.testing.assert_allclose(ours.to_numpy(), reference, rtol=1e-10)


def test_by_year_repeats_within_years():
    frame = pd.concat([FRAME.assign(year=2020), (FRAME * 10).assign(year=2021)], ignore_index=True)
    got = entropy_index(frame, ["a", "b"], standardise="by_year", shift=0.0)
    one = entropy_index(FRAME, ["a", "b"], shift=0.0).to_numpy()
    np.testing.assert_allclose(got.to_numpy(), np.concatenate([one, one]), rtol=1e-12)


def test_by_year_names_rows_with_missing_year_instead_of_returning_nan():
    frame = pd.concat([FRAME.assign(year=2020), FRAME.assign(year=2021)], ignore_index=True)
    frame.loc[3, "year"] = np.nan
    with pytest.raises(DataError, match=r"time column 'year' is missing in rows \[3\]"):
        entropy_index(frame, ["a", "b"], standardise="by_year")


def test_constant_indicator_gets_zero_weight_and_warning():
    frame = FRAME.assign(c=5.0)
    with pytest.warns(UserWarning, match=r"constant indicator\(s\) \['c'\]"):
        weights = entropy_weights(frame, ["a", "b", "c"])
    assert weights["c"] == 0.0
    assert np.isfinite(weights).all()


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (FRAME, {"positive": ["a", "zz"]}, r"\['zz'\] declared but absent"),
        (FRAME.assign(a=[1.0, np.nan, 3.0]), {"positive": ["a"]}, r"'a' has missing.*rows \[1\]"),
        (FRAME, {"positive": ["a"], "negative": ["a"]}, r"\['a'\] declared both"),
        (FRAME, {"positive": ["a"], "shift": -1.0}, "shift must be"),
        (FRAME.assign(b=2.0, a=1.0), {"positive": ["a", "b"]}, "every indicator is constant"),
    ],
)
def test_bad_input_names_the_problem(frame, kwargs, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataError, match=message):
            entropy_weights(frame, **kwargs)


def test_bad_standardise_lists_options():
    with pytest.raises(DataError, match=r"\['pooled', 'by_year'\]"):
        entropy_index(FRAME, ["a"], standardise="yearly")


matrices = arrays(
    np.float64,
    st.tuples(st.integers(3, 12), st.integers(1, 5)),
    elements=st.floats(-1e3, 1e3, allow_nan=False, width=32),
)


@settings(max_examples=60, deadline=None)
@given(matrices, st.floats(1e-3, 1e3))
def test_properties_non_negative_sum_one_and_scale_invariant(matrix, factor):
    frame = pd.DataFrame(matrix, columns=[f"x{j}" for j in range(matrix.shape[1])])
    spread = frame.max() - frame.min()
    if (spread <= 1e-6 * (1 + frame.abs().max())).all():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = entropy_weights(frame, list(frame.columns))
        rescaled = entropy_weights(frame.assign(x0=frame["x0"] * factor), list(frame.columns))
    assert (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(rescaled.to_numpy(), weights.to_numpy(), rtol=1e-6, atol=1e-9)
    assert weights[spread == 0].eq(0).all()
