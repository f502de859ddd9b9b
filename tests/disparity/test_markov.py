"""Markov chains: our tables equal giddy called directly, and a hand-counted example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clusterdx as cdx
from clusterdx.disparity import markov, spatial_markov
from clusterdx.disparity.markov import _import_mapclassify, _steady
from clusterdx.errors import DataError

# giddy imports mapclassify: through the package's helper it skips mapclassify's import-time numba
# compile (7 s of every test worker's collection)
_import_mapclassify()
from giddy.markov import Markov, Spatial_Markov  # noqa: E402


@pytest.fixture(scope="module")
def setup():
    w = cdx.weights.contiguity(cdx.regions.provinces(), rule="queen")
    rng = np.random.default_rng(11)
    ids = list(w.id_order)
    years = range(2011, 2024)
    level = rng.lognormal(0, 0.4, len(ids))
    rows = []
    for t, year in enumerate(years):
        for i, code in enumerate(ids):
            rows.append((code, year, level[i] * np.exp(0.05 * t + rng.normal(0, 0.1))))
    frame = pd.DataFrame(rows, columns=["region", "year", "dt"]).sample(frac=1, random_state=0)
    y = frame.pivot(index="region", columns="year", values="dt").loc[ids].to_numpy()
    return frame, w, y


def test_spatial_markov_equals_giddy(setup):
    frame, w, y = setup
    res = spatial_markov(frame, "dt", w, classes=4)
    ref = Spatial_Markov(y, w, k=4, m=4, fixed=True)
    assert np.abs(res.counts.to_numpy() - np.asarray(ref.T).reshape(16, 4)).max() == 0
    assert np.abs(res.p.to_numpy() - np.asarray(ref.P).reshape(16, 4)).max() < 1e-12
    assert np.abs(res.steady_states.to_numpy() - np.asarray(ref.S, dtype=float)).max() < 1e-12
    assert res.homogeneity["Q"] == pytest.approx(ref.Q, abs=1e-12)
    assert np.abs(res.traditional.p.to_numpy() - ref.p).max() < 1e-12


def test_traditional_equals_giddy(setup):
    frame, _, y = setup
    res = markov(frame, "dt", classes=5)
    import mapclassify

    ids = mapclassify.Quantiles(y.ravel(), k=5).yb.reshape(y.shape)
    ref = Markov(ids, summary=False)
    assert np.abs(res.counts.to_numpy() - ref.transitions).max() == 0
    assert np.abs(res.p.to_numpy() - ref.p).max() < 1e-12
    assert np.abs(res.steady_state.to_numpy() - ref.steady_state).max() < 1e-12
    assert np.abs(res.mfpt.to_numpy() - ref.mfpt).max() < 1e-12
    assert res.counts.to_numpy().sum() == y.shape[0] * (y.shape[1] - 1)


def test_hand_counted():
    """Four regions, three years, two pooled-median classes (values 1..12: <= 6 low, above high).

    r1: 1 -> 5 -> 6  (L->L, L->L)     r2: 2 -> 3 -> 7  (L->L, L->H)
    r3: 8 -> 4 -> 9  (H->L, L->H)     r4: 10 -> 11 -> 12 (H->H, H->H)
    counts: L->L 3, L->H 2, H->L 1, H->H 2; P = [[3/5, 2/5], [1/3, 2/3]];
    steady state: pi_L 2/5 = pi_H 1/3 -> pi = (5/11, 6/11).
    """
    values = {1: [1, 5, 6], 2: [2, 3, 7], 3: [8, 4, 9], 4: [10, 11, 12]}
    frame = pd.DataFrame(
        [(r, 2000 + t, float(v)) for r, vs in values.items() for t, v in enumerate(vs)],
        columns=["region", "year", "y"],
    )
    res = markov(frame, "y", classes=2)
    assert res.counts.to_numpy().tolist() == [[3.0, 2.0], [1.0, 2.0]]
    assert res.p.to_numpy() == pytest.approx(np.array([[0.6, 0.4], [1 / 3, 2 / 3]]), abs=1e-15)
    assert res.steady_state.to_numpy() == pytest.approx([5 / 11, 6 / 11], abs=1e-12)


def test_unbalanced_panel_is_named():
    frame = pd.DataFrame({"region": [1, 1, 2], "year": [1, 2, 1], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(
        DataError,
        match=r"markov: the panel of 'y' is unbalanced; missing \(region, year\) \[\(2, 2\)\]",
    ):
        markov(frame, "y", classes=2)


def _chains() -> dict[str, np.ndarray]:
    """Transition matrices of every structure `_steady` distinguishes."""
    rng = np.random.default_rng(5)
    dense = rng.uniform(size=(5, 5))
    sparse = dense * (rng.uniform(size=(5, 5)) < 0.5) + np.eye(5) * 0.01
    return {
        "irreducible": dense / dense.sum(axis=1, keepdims=True),
        "sparse irreducible": sparse / sparse.sum(axis=1, keepdims=True),
        # state 0 is transient, {1, 2} the one recurrent class (giddy's docstring example)
        "one recurrent class": np.array([[0.5, 0.25, 0.25], [0.0, 0.4, 0.6], [0.0, 0.3, 0.7]]),
        "two recurrent classes": np.array([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0], [0.0, 0.0, 1.0]]),
        "a class never observed": np.array([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0], [0.0, 0.0, 0.0]]),
    }


@pytest.mark.parametrize("name", list(_chains()))
@pytest.mark.parametrize("fill_empty", [False, True])
def test_steady_state_equals_giddy_without_its_numba_compile(name, fill_empty):
    from giddy.ergodic import steady_state

    p = _chains()[name]
    ours = _steady(p, fill_empty=fill_empty)
    if (p.sum(axis=1) == 0).any() and not fill_empty:
        assert np.isnan(ours).all()  # giddy refuses the matrix
        return
    # giddy: one row per recurrent class (a 2-D array once the chain is reducible)
    ref = np.atleast_2d(np.asarray(steady_state(p, fill_empty_classes=fill_empty), dtype=float))
    if len(ref) > 1:  # several recurrent classes: no unique steady state
        assert np.isnan(ours).all()
    else:  # the unique one, zero on the transient states
        np.testing.assert_allclose(ours, ref[0], rtol=1e-12, atol=1e-15)
