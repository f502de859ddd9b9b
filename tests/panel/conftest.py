"""Small simulated panels for the unit tests of clusterdx.panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def sim_panel() -> pd.DataFrame:
    """12 regions x 8 years; dt = 1 + 0.5 demand - 0.3 gov + region and year effects + noise."""
    rng = np.random.default_rng(20261123)
    regions, years = [f"R{i:02d}" for i in range(12)], list(range(2011, 2019))
    index = pd.MultiIndex.from_product([regions, years], names=["region", "year"])
    frame = index.to_frame(index=False)
    n = len(frame)
    alpha = frame["region"].map(dict(zip(regions, rng.normal(size=12), strict=True)))
    frame["demand"] = rng.normal(size=n) + 0.5 * alpha
    frame["gov"] = rng.normal(size=n)
    frame["tech"] = rng.normal(size=n)
    frame["area"] = frame["region"].map(dict(zip(regions, rng.uniform(1, 5, 12), strict=True)))
    frame["province"] = frame["region"].map(lambda r: f"P{int(r[1:]) // 3}")
    frame["dt"] = (
        1 + 0.5 * frame["demand"] - 0.3 * frame["gov"] + alpha + 0.1 * (frame["year"] - 2011)
    ) + rng.normal(scale=0.5, size=n)
    return frame
