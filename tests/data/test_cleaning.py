"""clusterdx.data.cleaning internals checked against pandas, the reference they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clusterdx.data.cleaning import _interpolate_inside


def test_interpolation_of_all_regions_at_once_equals_pandas_per_region():
    # pandas 3: Series.interpolate(method="linear", limit_area="inside") per region, the loop
    # handle_missing ran before; equal to the last bit, missing ends of a series stay missing
    rng = np.random.default_rng(1)
    for _ in range(20):
        frame = pd.DataFrame(
            {"region": np.repeat(rng.permutation(40), 13), "year": np.tile(np.arange(13), 40)}
        )
        frame["v"] = rng.lognormal(size=len(frame)) * 10.0 ** rng.integers(-3, 6, len(frame))
        frame.loc[rng.uniform(size=len(frame)) < 0.3, "v"] = np.nan
        frame = frame.sort_values(["region", "year"], kind="stable")
        expected = frame.groupby("region")["v"].transform(
            lambda s: s.interpolate(method="linear", limit_area="inside")
        )
        got = _interpolate_inside(frame["v"], frame.groupby("region", sort=False).ngroup())
        assert np.array_equal(got.to_numpy(), expected.to_numpy(), equal_nan=True)
        assert got.index.equals(expected.index)
