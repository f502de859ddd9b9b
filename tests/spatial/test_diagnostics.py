"""Tests of clusterdx.spatial.diagnostics: Moran's I by period and panel LM tests (inputs)."""

from __future__ import annotations

import libpysal
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from clusterdx.errors import PanelError, StudySpecError, WeightsError
from clusterdx.paneldata import PanelFrame
from clusterdx.spatial.diagnostics import lm_tests, moran_by_year, permuted_morans


@pytest.fixture
def grid():
    """5 x 4 lattice (rook, row-standardised) and a 20-unit x 6-year panel with spatial trend."""
    w = libpysal.weights.lat2W(5, 4, rook=True)
    w.transform = "r"
    rng = np.random.default_rng(7)
    rows = []
    for year in range(2015, 2021):
        trend = np.array([i // 4 + 0.5 * (i % 4) for i in range(20)], dtype=float)
        value = trend + rng.normal(scale=1.0, size=20)
        x = rng.normal(size=20)
        rows += [
            {"unit": i, "year": year, "v": value[i], "x": x[i], "y": value[i] + x[i]}
            for i in range(20)
        ]
    return w, pd.DataFrame(rows)


def _moran_by_hand(values: np.ndarray, dense: np.ndarray) -> tuple[float, float, float]:
    """Moran's I, E[I] and the z under normality (Cliff & Ord 1981, eq. 1.37-1.39)."""
    n = len(values)
    z = values - values.mean()
    s0 = dense.sum()
    s1 = 0.5 * ((dense + dense.T) ** 2).sum()
    s2 = ((dense.sum(axis=0) + dense.sum(axis=1)) ** 2).sum()
    i = n / s0 * (z @ dense @ z) / (z @ z)
    ei = -1 / (n - 1)
    vi = (n**2 * s1 - n * s2 + 3 * s0**2) / ((n**2 - 1) * s0**2) - ei**2
    return i, ei, (i - ei) / np.sqrt(vi)


def test_moran_matches_the_formula(grid):
    w, frame = grid
    out = moran_by_year(frame, "v", w, "unit", "year", permutations=99, seed=3)
    dense = w.full()[0]
    assert list(out.columns) == ["year", "I", "EI", "z", "p_norm", "p_sim"]
    assert list(out["year"]) == list(range(2015, 2021))
    for _, row in out.iterrows():
        values = frame.loc[frame["year"] == row["year"]].sort_values("unit")["v"].to_numpy()
        i, ei, z = _moran_by_hand(values, dense)
        np.testing.assert_allclose([row["I"], row["EI"], row["z"]], [i, ei, z], rtol=1e-10)
        np.testing.assert_allclose(row["p_norm"], 2 * stats.norm.sf(abs(z)), rtol=1e-10)
        assert 0 < row["p_sim"] <= 1


@pytest.mark.parametrize(
    ("weights", "permutations"),
    [
        (lambda: libpysal.weights.lat2W(5, 4, rook=True), 99),
        (lambda: libpysal.weights.lat2W(30, 30, rook=False), 999),  # several blocks
        (lambda: libpysal.weights.W({0: [1], 1: [0], 2: []}, silence_warnings=True), 19),
    ],
    ids=["rook 5x4", "queen 30x30", "an island"],
)
def test_permuted_morans_are_esdas_permutation_draws_bit_for_bit(weights, permutations):
    import esda

    w = weights()
    y = np.random.default_rng(2).lognormal(size=w.n)
    np.random.seed(8)  # noqa: NPY002  (esda draws from the global generator)
    ref = esda.Moran(y, w, permutations=permutations)
    np.random.seed(8)  # noqa: NPY002
    ours = permuted_morans(esda.Moran(y, w, permutations=0), y, permutations)
    assert np.array_equal(ours, ref.sim)
    frame = pd.DataFrame({"unit": list(w.id_order), "year": 2020, "v": y})
    out = moran_by_year(frame, "v", w, "unit", "year", permutations=permutations, seed=8)
    assert out["p_sim"].item() == ref.p_sim


def test_moran_is_reproducible_and_independent_of_row_order(grid):
    w, frame = grid
    first = moran_by_year(frame, "v", w, "unit", "year", permutations=49, seed=11)
    shuffled = frame.sample(frac=1.0, random_state=1)
    again = moran_by_year(shuffled, "v", w, "unit", "year", permutations=49, seed=11)
    pd.testing.assert_frame_equal(first, again)
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (esda uses the global generator)
    moran_by_year(frame, "v", w, "unit", "year", permutations=9, seed=1)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    assert moran_by_year(frame, "v", w, "unit", "year", permutations=0)["p_sim"].isna().all()


def test_moran_does_not_change_the_weights(grid):
    w, frame = grid
    binary = libpysal.weights.lat2W(5, 4, rook=True)
    out = moran_by_year(frame, "v", binary, "unit", "year", permutations=0)
    assert binary.transform == "O"
    np.testing.assert_allclose(
        out["I"], moran_by_year(frame, "v", w, "unit", "year", permutations=0)["I"]
    )


def test_string_ids_are_matched(grid):
    w, frame = grid
    named = frame.assign(unit=frame["unit"].astype(str))
    out = moran_by_year(named, "v", w, "unit", "year", permutations=0)
    expected = moran_by_year(frame, "v", w, "unit", "year", permutations=0)
    np.testing.assert_allclose(out["I"], expected["I"], rtol=1e-12)


def test_id_mismatch_names_both_sides(grid):
    w, frame = grid
    frame = frame.assign(unit=frame["unit"].replace({3: 99}))
    with pytest.raises(
        WeightsError,
        match=r"missing from the weights ids: 99 \(1 in all\); weights ids not in the panel: 3 \(1 in",
    ):
        moran_by_year(frame, "v", w, "unit", "year")
    with pytest.raises(WeightsError, match=r"must be a libpysal\.weights\.W"):
        lm_tests(frame, "y", ["x"], np.eye(20), "unit", "year")


def test_moran_missing_value_names_period_and_entity(grid):
    w, frame = grid
    frame = frame.copy()
    frame.loc[(frame["year"] == 2017) & (frame["unit"] == 4), "v"] = np.nan
    with pytest.raises(PanelError, match=r"missing in period 2017 for entities \[4\]"):
        moran_by_year(frame, "v", w, "unit", "year")
    with pytest.raises(StudySpecError, match="permutations=-1"):
        moran_by_year(frame, "v", w, "unit", "year", permutations=-1)


def test_lm_tests_layout_and_pvalues(grid):
    w, frame = grid
    out = lm_tests(frame, "y", ["x"], w, "unit", "year", effects="twoways")
    assert list(out.index) == ["LM_lag", "LM_error", "robust LM_lag", "robust LM_error"]
    assert list(out.columns) == ["statistic", "df", "pvalue"]
    assert (out["df"] == 1).all()
    np.testing.assert_allclose(out["pvalue"], stats.chi2.sf(out["statistic"], 1), rtol=1e-12)


def test_lm_tests_bad_inputs(grid):
    w, frame = grid
    with pytest.raises(
        StudySpecError, match=r"effects='random' is not allowed; use one of \['pooled'"
    ):
        lm_tests(frame, "y", ["x"], w, "unit", "year", effects="random")
    with pytest.raises(
        PanelError, match=r"unbalanced: 1 \(entity, time\) pairs are missing: \(5, 2016\) \(1 in"
    ):
        lm_tests(frame.drop(index=25), "y", ["x"], w, "unit", "year")
    holed = frame.copy()
    holed.loc[30, "x"] = np.nan
    with pytest.raises(
        PanelError, match=r"column 'x' is missing .* first at \(unit=10, year=2016\)"
    ):
        lm_tests(holed, "y", ["x"], w, "unit", "year")
    with pytest.raises(PanelError, match=r"column 'z' is not in the panel"):
        lm_tests(frame, "y", ["z"], w, "unit", "year")
    with pytest.raises(PanelError, match="non-empty list"):
        lm_tests(frame, "y", "x", w, "unit", "year")
    dup = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    with pytest.raises(PanelError, match=r"first \[\(0, 2015\)\]"):
        lm_tests(dup, "y", ["x"], w, "unit", "year")
    const = frame.assign(c=frame["unit"] * 1.0)
    with pytest.raises(PanelError, match="collinear after the 'individual' transformation"):
        lm_tests(const, "y", ["x", "c"], w, "unit", "year")


def test_a_panel_frame_is_used_as_it_is(grid):
    w, frame = grid
    validated = PanelFrame(frame, ["y", "x", "v"], "unit", "year", balanced=True)
    pd.testing.assert_frame_equal(
        lm_tests(validated, "y", ["x"], w, "unit", "year", "twoways"),
        lm_tests(frame, "y", ["x"], w, "unit", "year", "twoways"),
    )
    pd.testing.assert_frame_equal(
        moran_by_year(validated, "v", w, "unit", "year", permutations=9),
        moran_by_year(frame, "v", w, "unit", "year", permutations=9),
    )
    with pytest.raises(PanelError, match=r"differ from the keys the PanelFrame was built with"):
        lm_tests(validated, "y", ["x"], w)
