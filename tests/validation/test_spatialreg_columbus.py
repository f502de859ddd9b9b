"""Cross-sectional SAR / SEM (pooled, T = 1) against R spatialreg 1.2-6 on Anselin's Columbus data.

Reference values: ``tests/validation/reference/r_reference.json`` (R 4.2.2, spatialreg 1.2-6):
``lagsarlm`` / ``errorsarlm(CRIME ~ INC + HOVAL, data=COL.OLD, listw=nb2listw(COL.nb, style="W"))``.
The data come from libpysal's bundled ``columbus`` example; its rows are in a different order from
spdep's COL.OLD and are matched on the ``NEIG`` column. The neighbours are those of spdep's COL.nb
(``columbus_nb_binary.csv``, rows in COL.OLD order): libpysal's ``columbus.gal`` differs from it in
four pairs. Log-likelihood: the full Gaussian one, as spatialreg reports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusterdx.spatial import fit
from tests.conftest import reference_file

libpysal = pytest.importorskip("libpysal", reason="libpysal ships the Columbus data")
gpd = pytest.importorskip("geopandas", reason="geopandas reads the Columbus shapefile")

RTOL = 1e-4


@pytest.fixture(scope="module")
def columbus():
    old = pd.read_csv(reference_file("columbus_oldcol.csv"))
    binary = pd.read_csv(reference_file("columbus_nb_binary.csv")).to_numpy(dtype=float)
    shp = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    data = pd.DataFrame(
        {"NEIG": shp["NEIG"], "CRIME": shp["CRIME"], "INC": shp["INC"], "HOVAL": shp["HOVAL"]}
    ).assign(t=0)
    w = (binary / binary.sum(axis=1, keepdims=True), old["NEIG"].tolist())
    return data, old, w


def test_row_order_matches_col_old(columbus):
    data, old, _ = columbus
    merged = old[["NEIG", "CRIME"]].merge(data, on="NEIG", suffixes=("_old", ""))
    assert len(merged) == 49
    np.testing.assert_allclose(merged["CRIME"], merged["CRIME_old"], rtol=1e-6)


@pytest.mark.parametrize(
    ("model", "key", "spatial"),
    [("sar", "columbus_lag", "rho"), ("sem", "columbus_error", "lambda")],
)
def test_cross_section_matches_spatialreg(columbus, r_reference, model, key, spatial):
    data, _, w = columbus
    ref = r_reference[key]
    res = fit(
        data,
        y="CRIME",
        x=["INC", "HOVAL"],
        w=w,
        entity="NEIG",
        time="t",
        model=model,
        effects="pooled",
    )
    names = {"const": "(Intercept)", "INC": "INC", "HOVAL": "HOVAL"}
    np.testing.assert_allclose(
        res.params[list(names)], [ref["coef"][v] for v in names.values()], rtol=RTOL
    )
    np.testing.assert_allclose(
        res.bse[list(names)], [ref["se"][v] for v in names.values()], rtol=RTOL
    )
    np.testing.assert_allclose(res.params[spatial], ref[spatial], rtol=RTOL)
    np.testing.assert_allclose(res.bse[spatial], ref[f"{spatial}_se"], rtol=RTOL)
    np.testing.assert_allclose(res.sigma2, ref["s2"], rtol=RTOL)
    np.testing.assert_allclose(res.llf, ref["logLik"], rtol=1e-8)
