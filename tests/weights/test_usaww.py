"""from_matrix + libpysal queen contiguity reproduce splm's usaww matrix for Produc's 48 states."""

from __future__ import annotations

import numpy as np
import pytest

from clusterdx import weights


def test_us48_queen_row_standardised_equals_usaww(usaww):
    libpysal = pytest.importorskip("libpysal")
    geopandas = pytest.importorskip("geopandas")
    states = geopandas.read_file(libpysal.examples.get_path("us48.shp"))
    states["state"] = (
        states["STATE_NAME"].str.upper().str.replace(" ", "_").replace({"TENNESSEE": "TENNESSE"})
    )
    queen = libpysal.weights.Queen.from_dataframe(states, use_index=False, silence_warnings=True)
    binary = queen.full()[0]
    order = states["state"].tolist()
    produc_order = usaww.index.tolist()
    position = [order.index(state) for state in produc_order]
    w = weights.from_matrix(binary[np.ix_(position, position)], produc_order)
    # Reference: splm 1.6-5 data(usaww), R 4.2.2 (tests/validation/reference/usaww.csv).
    np.testing.assert_allclose(w.full()[0], usaww.to_numpy(), rtol=0, atol=1e-12)
    assert w.id_order == produc_order
