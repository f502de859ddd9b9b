"""Instrument builders, each checked against a direct computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx import weights
from clusterdx.errors import PanelError
from clusterdx.panel.instruments import bartik, historical_interaction, spatial_lag


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"region": np.repeat(list("ABC"), 4), "year": np.tile(range(2018, 2022), 3)}
    )
    frame["phones84"] = frame["region"].map({"A": 1.0, "B": 2.0, "C": 4.0})
    frame["net"] = frame["year"].map({2018: 1.0, 2019: 2.0, 2020: 3.0, 2021: 5.0})
    frame["z"] = rng.normal(size=12)
    return frame


def test_historical_interaction_from_columns_uses_lagged_series():
    frame = _panel()
    z = historical_interaction(frame, "phones84", "net", entity="region", time="year", lag=1)
    expected = frame["phones84"] * frame["year"].map({2019: 1.0, 2020: 2.0, 2021: 3.0})
    pd.testing.assert_series_equal(z, expected, check_names=False)
    assert z.name == "phones84_x_L1net"


def test_historical_interaction_rejects_varying_base():
    frame = _panel()
    with pytest.raises(PanelError, match="base column 'z' varies within region"):
        historical_interaction(frame, "z", "net", entity="region", time="year")


def test_bartik_levels_leave_one_out_equals_direct_sum():
    rng = np.random.default_rng(1)
    idx = pd.MultiIndex.from_product([["R1", "R2", "R3"], [2019, 2020, 2021]])
    levels = pd.DataFrame(rng.uniform(1, 5, size=(9, 2)), index=idx, columns=["a", "b"])
    shares = levels.xs(2019, level=1).div(levels.xs(2019, level=1).sum(axis=1), axis=0)
    z = bartik(shares, levels=levels, leave_one_out=True)
    others = levels.drop(index="R2", level=0).groupby(level=1).sum()
    growth = others.loc[2021] / others.loc[2020] - 1
    assert z.loc[("R2", 2021)] == pytest.approx(float(shares.loc["R2"] @ growth), rel=1e-12)
    plain = bartik(shares, levels=levels)
    total = levels.groupby(level=1).sum()
    g = total.loc[2020] / total.loc[2019] - 1
    assert plain.loc[("R1", 2020)] == pytest.approx(float(shares.loc["R1"] @ g), rel=1e-12)


def test_spatial_lag_equals_dense_product():
    frame = _panel()
    w = weights.from_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 1, 0]]), ids=["A", "B", "C"])
    lagged = spatial_lag(frame, "z", w, entity="region", time="year")
    wide = frame.pivot(index="region", columns="year", values="z")
    full = np.array([[0, 0.5, 0.5], [1, 0, 0], [0.5, 0.5, 0]]) @ wide.to_numpy()
    assert lagged.iloc[5] == pytest.approx(full[1, 1])  # B, 2019
    with pytest.raises(PanelError, match="needs every region in every period"):
        spatial_lag(frame.drop(index=3), "z", w, entity="region", time="year")
