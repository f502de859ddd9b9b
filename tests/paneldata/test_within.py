"""Tests of clusterdx.paneldata.within's balanced-cube fast path against brute-force dummy regressions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.paneldata import PanelFrame
from clusterdx.paneldata.within import demean, demean_cube


def _lsdv_residuals(values: np.ndarray, *codes: np.ndarray) -> np.ndarray:
    """Residuals of ``values`` (n × m) on the dummies of every code array (brute force)."""
    dummies = np.column_stack([np.ones(len(values))] + [np.eye(c.max() + 1)[c] for c in codes])
    return values - dummies @ np.linalg.lstsq(dummies, values, rcond=None)[0]


@pytest.mark.parametrize(("entity", "time"), [(True, False), (False, True), (True, True)])
def test_cube_fast_path_equals_demean_and_dummy_regression(entity, time):
    rng = np.random.default_rng(3)
    n, t, k = 7, 5, 3
    cube = rng.normal(size=(n, t, k))
    i, p = np.repeat(np.arange(n), t), np.tile(np.arange(t), n)
    codes = [c for c, on in ((i, entity), (p, time)) if on]
    fast = demean_cube(cube, entity=entity, time=time).reshape(n * t, k)
    np.testing.assert_allclose(fast, _lsdv_residuals(cube.reshape(n * t, k), *codes), atol=1e-12)
    np.testing.assert_allclose(fast, demean(cube.reshape(n * t, k), codes), atol=1e-13)


def test_cube_fast_path_on_entity_rows_only():
    # (N, m) blocks (probe vectors of the spatial traces): the period-demeaning projection P
    rng = np.random.default_rng(4)
    block = rng.normal(size=(6, 4))
    np.testing.assert_allclose(
        demean_cube(block, entity=False, time=True), block - block.mean(axis=0), atol=0
    )
    assert demean_cube(block, entity=False, time=False) is block


def test_frame_within_uses_the_cube_when_balanced_and_the_projection_otherwise():
    rng = np.random.default_rng(5)
    index = pd.MultiIndex.from_product([range(8), range(2001, 2007)], names=["i", "t"])
    frame = index.to_frame(index=False).assign(a=rng.normal(size=48), b=rng.normal(size=48))
    balanced = PanelFrame(frame, ["a", "b"], "i", "t")
    unbalanced = PanelFrame(frame.drop(index=[3, 17, 40]), ["a", "b"], "i", "t")
    for pf in (balanced, unbalanced):
        values = pf.data[["a", "b"]].to_numpy()
        for entity, time in [(True, False), (False, True), (True, True)]:
            codes = [c for c, on in ((pf.entity_codes, entity), (pf.time_codes, time)) if on]
            np.testing.assert_allclose(
                pf.within(entity=entity, time=time), _lsdv_residuals(values, *codes), atol=1e-12
            )
