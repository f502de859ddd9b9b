"""clusterdx.regions.own: a study's own regions, their polygons, and weights built on them."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from clusterdx import regions, weights
from clusterdx.errors import DataError, WeightsError

geopandas = pytest.importorskip("geopandas")
libpysal = pytest.importorskip("libpysal")
US48 = libpysal.examples.get_path("us48.shp")


@pytest.fixture
def states(tmp_path):
    shapes = geopandas.read_file(US48)
    table = pd.DataFrame(
        {"fips": shapes["STATE_FIPS"], "state": shapes["STATE_NAME"], "group": shapes["SUB_REGION"]}
    )
    path = tmp_path / "states.csv"
    table.to_csv(path, index=False)
    return path


def test_string_codes_keep_leading_zeros_and_centroids_fill_lon_lat(states):
    own = regions.read_regions(
        states, US48, code_column="fips", name_column="state", geometry_key="STATE_NAME"
    )
    assert "01" in own.codes and own.lookup("Alabama") == "01" and own.lookup("01") == "01"
    row = own.frame.set_index("code").loc["06"]  # California
    assert -122 < row["lon"] < -118 and 36 < row["lat"] < 38.5
    table = own.table()
    w = weights.contiguity(table)
    assert sorted(w.neighbors["06"]) == ["04", "32", "41"]  # AZ, NV, OR
    knn = weights.knn(table, k=2)
    assert len(knn.neighbors["06"]) == 2
    idw = weights.inverse_distance(table.drop(columns=["lon", "lat"]))
    assert np.isclose(sum(idw.weights["06"]), 1.0)


def test_contiguity_of_text_codes_without_polygons_is_a_clear_error():
    frame = pd.DataFrame({"code": ["ALABAMA", "GEORGIA"], "name": ["ALABAMA", "GEORGIA"]})
    with pytest.raises(
        WeightsError,
        match=re.escape(
            "codes ['ALABAMA', 'GEORGIA'] are not China registry codes (6-digit integers); "
            "contiguity of your own regions needs their polygons"
        ),
    ):
        weights.contiguity(frame)


def test_integer_codes_are_ints(tmp_path):
    path = tmp_path / "parks.csv"
    path.write_text(
        "code,name,lon,lat\n1,Zone A,120.1,30.2\n2,Zone B,121.5,31.2\n", encoding="utf-8"
    )
    own = regions.read_regions(path)
    assert own.codes == [1, 2] and own.lookup("Zone B") == 2


def test_bad_region_tables(tmp_path, states):
    with pytest.raises(
        DataError,
        match=re.escape(
            "states.csv: column(s) ['code', 'name'] are missing (columns: ['fips', 'state', "
            "'group']); set [regions].code_column / name_column"
        ),
    ):
        regions.read_regions(states)
    with pytest.raises(
        DataError,
        match=re.escape(
            "us48.shp: no column 'fips' to join the polygons to the regions (columns: ['AREA', "
        ),
    ):
        regions.read_regions(states, US48, code_column="fips", name_column="state")
    repeated = tmp_path / "r.csv"
    repeated.write_text("code,name\nA,x\nA,y\n", encoding="utf-8")
    with pytest.raises(DataError, match=re.escape("the regions file r.csv: codes repeat: ['A']")):
        regions.read_regions(repeated)


def test_economic_and_nested_weights_on_text_codes(states):
    own = regions.read_regions(
        states, US48, code_column="fips", name_column="state", geometry_key="STATE_NAME"
    )
    codes = own.codes
    panel = pd.DataFrame(
        {
            "region": codes * 2,
            "year": [2020] * 48 + [2021] * 48,
            "x": np.concatenate([np.arange(1.0, 49.0), 1.5 * np.arange(1.0, 49.0)]),
        }
    )
    econ = weights.economic_distance(panel, "x")
    geo = weights.contiguity(own.table())
    nested = weights.nested(geo, econ, share=0.5)
    assert nested.id_order == codes
    np.testing.assert_allclose(
        nested.full()[0], 0.5 * geo.full()[0] + 0.5 * weights.align(econ, codes).full()[0]
    )


def test_registry_codes_given_as_text_still_work():
    frame = pd.DataFrame({"code": ["110000", "120000", "130000"]})
    assert sorted(weights.contiguity(frame).neighbors[110000]) == [120000, 130000]
